"""softmax, log_softmax and logsumexp: default axes, stability, dtypes, errors and gradients."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import graph2jax.tensor as gt
from graph2jax.tensor.special import LogSoftmax, Softmax, log_softmax, logsumexp, softmax
from tests.helpers import check_infer_shape, check_op, jax_grad_cases

RNG = np.random.default_rng(7)
AXES = [None, 0, -1, (0, 2)]


def _np_softmax(v, axis):
    e = np.exp(v - np.max(v, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _np_log_softmax(v, axis):
    shifted = v - np.max(v, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_and_log_softmax_match_numpy_over_every_axis(dtype):
    x = gt.tensor(dtype, shape=(None, None, None), name="x")
    value = (RNG.normal(size=(2, 3, 4)) * 5).astype(dtype)
    cases = {}
    for a in AXES:
        cases[f"softmax(axis={a})"] = (
            lambda x, a=a: softmax(x, a),
            lambda v, a=a: _np_softmax(v, a),
        )
        cases[f"log_softmax(axis={a})"] = (
            lambda x, a=a: log_softmax(x, a),
            lambda v, a=a: _np_log_softmax(v, a),
        )
    got = check_op(cases, [x], [value])
    # the default normalises over every axis, as PyTensor
    np.testing.assert_allclose(got["softmax(axis=None)"].sum(), 1.0, rtol=1e-5)
    np.testing.assert_allclose(got["softmax(axis=-1)"].sum(axis=-1), 1.0, rtol=1e-5)


def test_large_and_infinite_inputs_stay_finite():
    v = gt.dvector("v")
    big = np.array([1000.0, 1000.0, -np.inf])
    cases = {
        "softmax": (softmax, np.array([0.5, 0.5, 0.0])),
        "log_softmax": (log_softmax, np.array([-np.log(2), -np.log(2), -np.inf])),
    }
    check_op(cases, [v], [big])


def test_types_shapes_and_integer_inputs():
    x = gt.tensor("float32", shape=(2, None))
    assert softmax(x, -1).type == x.type and log_softmax(x).type == x.type
    assert softmax(gt.ivector()).dtype == "float64"
    assert log_softmax(gt.bvector()).dtype == "float32"
    assert softmax(x, axis=1).owner.op == Softmax((1,))
    assert softmax(x).owner.op == Softmax((0, 1))
    assert isinstance(log_softmax(x, 0).owner.op, LogSoftmax)
    assert gt.special.logsumexp is logsumexp is gt.logsumexp


def test_integer_input_is_computed_in_float():
    i = gt.ivector("i")
    check_op({"softmax": (softmax, np.array([0.5, 0.5]))}, [i], [np.array([0, 0], dtype="int32")])


def test_bad_axis_raises_when_the_graph_is_built():
    m = gt.dmatrix("m")
    with pytest.raises(np.exceptions.AxisError, match=r"softmax: axis 2 is out of bounds.*2 dim"):
        softmax(m, axis=2)
    with pytest.raises(ValueError, match="log_softmax: repeated axis"):
        log_softmax(m, axis=(0, -2))
    with pytest.raises(np.exceptions.AxisError, match="out of bounds"):
        Softmax((3,))(m)
    with pytest.raises(TypeError, match="cast it to a float"):
        Softmax((0,))(gt.ivector())


GRAD_CASES = {
    "softmax": (softmax, lambda v: jax.nn.softmax(v, axis=tuple(range(v.ndim)))),
    "softmax_1": (lambda x: softmax(x, 1), lambda v: jax.nn.softmax(v, axis=1)),
    "softmax_-1": (lambda x: softmax(x, -1), lambda v: jax.nn.softmax(v, axis=-1)),
    "log_softmax": (log_softmax, lambda v: jax.nn.log_softmax(v, axis=tuple(range(v.ndim)))),
    "log_softmax_-1": (lambda x: log_softmax(x, -1), lambda v: jax.nn.log_softmax(v, axis=-1)),
    "log_softmax_0_2": (lambda x: log_softmax(x, (0, 2)), lambda v: jax.nn.log_softmax(v, (0, 2))),
}


def test_gradients_match_jax_grad():
    value = RNG.normal(size=(2, 3, 4))
    check_op(jax_grad_cases(GRAD_CASES, [value], RNG), [gt.dtensor3("x")], [value])


def test_gradients_pass_verify_grad():
    check_op(GRAD_CASES, [gt.dtensor3("x")], [RNG.normal(size=(2, 3, 4))], grads=True)


def test_infer_shape_keeps_the_input_shape():
    x = gt.dtensor3("x")
    outs = [softmax(x, -1), softmax(x), log_softmax(x, (0, 2)), log_softmax(x)]
    check_infer_shape([x], outs, [np.ones((2, 3, 4))])
