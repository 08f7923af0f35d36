"""softmax, log_softmax and logsumexp: default axes, stability, dtypes, errors and gradients."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.gradient import verify_grad
from graph2jax.tensor.special import LogSoftmax, Softmax, log_softmax, logsumexp, softmax
from tests.helpers import compare_jax_and_numpy

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
    outs = [softmax(x, a) for a in AXES] + [log_softmax(x, a) for a in AXES]
    wanted = [_np_softmax(value, a) for a in AXES] + [_np_log_softmax(value, a) for a in AXES]
    got = compare_jax_and_numpy([x], outs, [value], expected=wanted)
    # the default normalises over every axis, as PyTensor
    np.testing.assert_allclose(got[0].sum(), 1.0, rtol=1e-5)
    np.testing.assert_allclose(got[2].sum(axis=-1), 1.0, rtol=1e-5)


def test_large_and_infinite_inputs_stay_finite():
    v = gt.dvector("v")
    big = np.array([1000.0, 1000.0, -np.inf])
    compare_jax_and_numpy(
        [v],
        [softmax(v), log_softmax(v)],
        [big],
        expected=[[0.5, 0.5, 0.0], [-np.log(2), -np.log(2), -np.inf]],
    )


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
    compare_jax_and_numpy([i], softmax(i), [np.array([0, 0], dtype="int32")], expected=[0.5, 0.5])


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


def test_gradients_match_jax_grad():
    x = gt.dtensor3("x")
    value = RNG.normal(size=(2, 3, 4))
    weights = RNG.normal(size=(2, 3, 4))
    cases = [
        (softmax(x), lambda v: jax.nn.softmax(v, axis=(0, 1, 2))),
        (softmax(x, 1), lambda v: jax.nn.softmax(v, axis=1)),
        (log_softmax(x), lambda v: jax.nn.log_softmax(v, axis=(0, 1, 2))),
        (log_softmax(x, (0, 2)), lambda v: jax.nn.log_softmax(v, axis=(0, 2))),
    ]
    grads = [g.grad(gt.sum(out * weights), x) for out, _ in cases]

    @jax.jit  # one compilation for every reference gradient
    def reference(v):
        return [jax.grad(lambda u, f=f: jnp.sum(f(u) * weights))(v) for _, f in cases]

    compare_jax_and_numpy([x], grads, [value], expected=reference(value))


@pytest.mark.parametrize("fn", [softmax, log_softmax])
@pytest.mark.parametrize("axis", [None, -1])
def test_gradients_pass_verify_grad(fn, axis):
    verify_grad(
        lambda x: fn(x, axis), [RNG.normal(size=(3, 4))], n_tests=1, rng=np.random.default_rng(0)
    )


def test_infer_shape_keeps_the_input_shape():
    out = softmax(gt.dmatrix(), -1)
    assert out.owner.op.infer_shape(None, out.owner, [("a", "b")]) == [("a", "b")]
