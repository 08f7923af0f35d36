"""Reductions: values against numpy, PyTensor's dtype rules, static shapes, axis errors, gradients.

Compilations are few: one function per input dtype computes every reduction
over every axis case at once.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.ops.reduce import CAReduce
from tests.helpers import Case, check_infer_shape, check_op, jax_grad_cases, random_value

RNG = np.random.default_rng(42)
#: every axis form, each with or without keepdims (both values of keepdims are covered)
AXIS_CASES = [(None, False), (0, True), (-1, False), ((0, 2), True), ([2, 1], False)]


def _np_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


_value = partial(random_value, RNG, low=-2, high=3)


def _argreduce(fn, v, axis):
    """numpy's argmax/argmin over several axes: flatten them (in order) last."""
    if axis is None:
        return fn(v)
    axes = tuple(a % v.ndim for a in np.atleast_1d(axis))
    kept = [a for a in range(v.ndim) if a not in axes]
    moved = np.transpose(v, kept + sorted(axes))
    return fn(moved.reshape([v.shape[a] for a in kept] + [-1]), axis=-1)


class Row(NamedTuple):
    build: Callable  # (x, axis=, keepdims=) -> variable
    formula: Callable  # (value, axis, keepdims) -> numpy result
    dtype: Callable  # input dtype -> output dtype, PyTensor's rule
    numeric: bool = False  # only for float32, float64, int32 inputs (int64 takes int32's path)


_WIDE = {"bool": "int64", "int32": "int64"}


def _floaty(d):
    return "float32" if d == "float32" else "float64"


CASES = {
    "sum": Row(gt.sum, lambda v, a, k: np.sum(v, axis=a, keepdims=k), lambda d: _WIDE.get(d, d)),
    "prod": Row(gt.prod, lambda v, a, k: np.prod(v, axis=a, keepdims=k), lambda d: _WIDE.get(d, d)),
    "max": Row(gt.max, lambda v, a, k: np.max(v, axis=a, keepdims=k), lambda d: d),
    "min": Row(gt.min, lambda v, a, k: np.min(v, axis=a, keepdims=k), lambda d: d),
    "all": Row(gt.all, lambda v, a, k: np.all(v, axis=a, keepdims=k), lambda d: "bool"),
    "any": Row(gt.any, lambda v, a, k: np.any(v, axis=a, keepdims=k), lambda d: "bool"),
    "mean": Row(gt.mean, lambda v, a, k: np.mean(v, axis=a, keepdims=k, dtype="float64"), _floaty),
    "argmax": Row(
        gt.argmax, lambda v, a, k: _keep(_argreduce(np.argmax, v, a), v, a, k), lambda d: "int64"
    ),
    "argmin": Row(
        gt.argmin, lambda v, a, k: _keep(_argreduce(np.argmin, v, a), v, a, k), lambda d: "int64"
    ),
    "var": Row(
        gt.var, lambda v, a, k: np.var(v, axis=a, keepdims=k, dtype="float64"), _floaty, True
    ),
    "std": Row(
        gt.std, lambda v, a, k: np.std(v, axis=a, keepdims=k, dtype="float64"), _floaty, True
    ),
    "var_ddof1": Row(
        lambda x, axis, keepdims: gt.var(x, axis, ddof=1, keepdims=keepdims),
        lambda v, a, k: np.var(v, axis=a, keepdims=k, ddof=1, dtype="float64"),
        _floaty,
        numeric=True,
    ),
    "var_corrected": Row(
        lambda x, axis, keepdims: gt.var(x, axis, keepdims=keepdims, corrected=True),
        lambda v, a, k: np.var(v, axis=a, keepdims=k, dtype="float64"),
        _floaty,
        numeric=True,
    ),
    "logsumexp": Row(
        gt.logsumexp,
        lambda v, a, k: np.log(np.sum(np.exp(v.astype("float64")), axis=a, keepdims=k)),
        _floaty,
        numeric=True,
    ),
}


def _keep(r, v, axis, keepdims):
    if not keepdims:
        return r
    axes = range(v.ndim) if axis is None else np.atleast_1d(axis)
    return np.expand_dims(r, tuple(a % v.ndim for a in axes))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
def test_every_reduction_over_every_axis_matches_numpy(dtype):
    x = gt.tensor(dtype, shape=(None, None, None), name="x")
    value = _value(dtype, (2, 3, 4))
    rows = {
        n: r for n, r in CASES.items() if not r.numeric or dtype in ("float32", "float64", "int32")
    }
    cases = {
        f"{name}(axis={axis}, keepdims={keepdims})": Case(
            lambda x, r=row, a=axis, k=keepdims: r.build(x, axis=a, keepdims=k),
            lambda v, r=row, a=axis, k=keepdims: r.formula(v, _np_axis(a), k),
            dtype=row.dtype(dtype),
        )
        for axis, keepdims in AXIS_CASES
        for name, row in rows.items()
    }
    got = check_op(cases, [x], [value])
    for name, row in rows.items():  # a reduced axis's length is unknown, a kept one is 1
        for axis, keepdims in AXIS_CASES:
            out = row.build(x, axis=axis, keepdims=keepdims)
            want = got[f"{name}(axis={axis}, keepdims={keepdims})"].shape
            assert out.type.shape == tuple(1 if n == 1 else None for n in want), name


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
def test_output_dtypes_follow_pytensor(dtype):
    x = gt.tensor(dtype, shape=(None, None))
    for name, row in CASES.items():
        if not row.numeric or dtype != "bool":
            assert row.build(x, axis=0, keepdims=False).dtype == row.dtype(dtype), name


@pytest.mark.parametrize(
    ("dtype", "fn", "kwargs", "expected"),
    [
        ("int8", gt.sum, {}, "int64"),
        ("int16", gt.prod, {}, "int64"),
        ("uint8", gt.sum, {}, "uint64"),
        ("uint32", gt.prod, {}, "uint64"),
        ("uint64", gt.sum, {}, "uint64"),
        ("float32", gt.sum, {"acc_dtype": "float64"}, "float32"),
        ("float64", gt.sum, {"dtype": "float32"}, "float32"),
        ("int32", gt.sum, {"dtype": "int32"}, "int32"),
        ("int8", gt.sum, {"acc_dtype": "float32"}, "int64"),
        ("int32", gt.mean, {}, "float64"),
        ("float32", gt.mean, {"dtype": "float64"}, "float64"),
        ("int8", gt.mean, {"dtype": "float32"}, "float32"),
        ("uint16", gt.max, {}, "uint16"),
        ("float32", gt.all, {}, "bool"),
        ("int32", gt.logsumexp, {}, "float64"),
        ("int8", gt.logsumexp, {}, "float32"),
        ("float32", gt.logsumexp, {}, "float32"),
    ],
)
def test_dtype_table(dtype, fn, kwargs, expected):
    assert fn(gt.tensor(dtype, shape=(None,)), **kwargs).dtype == expected


def test_acc_dtype_and_dtype_options_compute_as_numpy():
    x = gt.fvector("x")
    i = gt.bvector("i")
    xv = RNG.normal(size=7).astype("float32")
    iv = np.array([100, 100, 100, -5], dtype="int8")
    cases = {
        "sum_acc_float64": (
            lambda x, i: gt.sum(x, acc_dtype="float64"),
            np.sum(xv, dtype="float64").astype("float32"),
        ),
        "sum_dtype_float64": (lambda x, i: gt.sum(x, dtype="float64"), np.sum(xv, dtype="float64")),
        "sum_int8_widens": (lambda x, i: gt.sum(i), np.int64(295)),
        "sum_dtype_int8_wraps": (
            lambda x, i: gt.sum(i, dtype="int8"),
            np.int64(295).astype("int8"),
        ),
        "mean_int8": (lambda x, i: gt.mean(i), np.float64(295 / 4)),
        "prod_acc_float64": (lambda x, i: gt.prod(i, acc_dtype="float64"), np.int64(-5_000_000)),
    }
    check_op(cases, [x, i], [xv, iv])


def test_acc_dtype_that_loses_precision_is_a_type_error():
    with pytest.raises(TypeError, match="acc_dtype float32 would lose the precision"):
        gt.sum(gt.dvector(), acc_dtype="float32")
    with pytest.raises(TypeError, match="acc_dtype int8"):
        gt.prod(gt.ivector(), acc_dtype="int8")


def test_static_shapes_and_keepdims():
    x = gt.tensor("float64", shape=(2, None, 4))
    assert gt.sum(x, axis=1).type.shape == (2, 4)
    assert gt.sum(x, axis=(0, -1), keepdims=True).type.shape == (1, None, 1)
    assert gt.max(x).type.shape == ()
    assert gt.argmin(x, axis=2, keepdims=True).type.shape == (2, None, 1)
    assert gt.mean(x, axis=[2, 0]).type.shape == (None,)
    assert gt.var(x, axis=1, keepdims=True).type.shape == (2, 1, 4)
    assert gt.logsumexp(x, axis=0).type.shape == (None, 4)
    assert gt.sum(x, axis=()).type == x.type


def test_empty_inputs_and_empty_axes():
    x = gt.dmatrix("x")
    value = np.zeros((0, 3))
    cases = {
        "sum_of_no_rows": (lambda x: gt.sum(x, 0), np.zeros(3)),
        "prod_of_no_rows": (lambda x: gt.prod(x, 0), np.ones(3)),
        "all_of_no_rows": (lambda x: gt.all(x, 0), np.ones(3, bool)),
        "any_of_no_rows": (lambda x: gt.any(x, 0), np.zeros(3, bool)),
        "sum_of_empty_rows": (lambda x: gt.sum(x, 1), np.zeros(0)),
        "max_of_empty_rows": (lambda x: gt.max(x, 1), np.zeros(0)),
    }
    check_op(cases, [x], [value])


def test_scalar_input_accepts_axis_zero_and_is_not_reduced():
    s = gt.dscalar("s")
    cases = {
        "sum_axis0": (lambda s: gt.sum(s, 0), np.float64(2.5)),
        "max_keepdims": (lambda s: gt.max(s, -1, keepdims=True), np.float64(2.5)),
        "argmax": (gt.argmax, np.int64(0)),
        "mean_axis0": (lambda s: gt.mean(s, 0), np.float64(2.5)),
    }
    check_op(cases, [s], [2.5], exact_static_shapes=True)


@pytest.mark.parametrize(
    "fn",
    [
        gt.sum,
        gt.prod,
        gt.max,
        gt.min,
        gt.all,
        gt.any,
        gt.argmax,
        gt.argmin,
        gt.mean,
        gt.var,
        gt.std,
        gt.logsumexp,
    ],  # fmt: skip
)
def test_bad_axes_raise_when_the_graph_is_built(fn):
    m = gt.dmatrix("m")
    name = fn.__name__
    with pytest.raises(
        np.exceptions.AxisError, match=rf"{name}: axis 2 is out of bounds.*'m'.*2 dim"
    ):
        fn(m, axis=2)
    with pytest.raises(IndexError, match="axis -3 is out of bounds"):
        fn(m, axis=-3)
    with pytest.raises(ValueError, match=rf"{name}: repeated axis"):
        fn(m, axis=(1, -1))
    with pytest.raises(TypeError, match="integers"):
        fn(m, axis=1.0)


def test_bool_ddof_is_rejected_as_pytensor():
    with pytest.raises(ValueError, match="ddof is a bool"):
        gt.var(gt.dmatrix(), 0, True)
    with pytest.raises(ValueError, match="ddof is a bool"):
        gt.std(gt.dmatrix(), 0, True)


def _op_chain(var) -> list:
    """The ops from ``var`` back to the graph input, following first inputs."""
    ops = []
    while var.owner is not None:
        ops.append(var.owner.op)
        var = var.owner.inputs[0]
    return ops


def test_variable_methods_build_the_same_graphs():
    x = gt.ftensor3("x")
    pairs = [
        (x.sum(axis=0, keepdims=True, acc_dtype="float64"), gt.sum(x, 0, None, True, "float64")),
        (x.prod(axis=(0, 1), dtype="float64"), gt.prod(x, (0, 1), "float64")),
        (x.mean(axis=1, dtype="float64"), gt.mean(x, 1, "float64")),
        (x.max(axis=-1), gt.max(x, 2)),
        (x.min(), gt.min(x)),
        (x.argmax(axis=1, keepdims=True), gt.argmax(x, 1, True)),
        (x.argmin(axis=0), gt.argmin(x, 0)),
        (x.all(axis=1), gt.all(x, 1)),
        (x.any(), gt.any(x)),
        (x.var(axis=1, ddof=1, keepdims=True), gt.var(x, 1, 1, True)),
        (x.std(axis=2, corrected=True), gt.std(x, 2, corrected=True)),
    ]
    for method, function in pairs:
        assert _op_chain(method) == _op_chain(function)
        assert method.type == function.type


def test_ops_compare_by_params_and_pickle():
    x = gt.dmatrix()
    op = gt.sum(x, axis=-1).owner.op
    assert isinstance(op, CAReduce) and op == gt.sum(x, axis=1).owner.op
    assert op != gt.prod(x, axis=1).owner.op and op != gt.sum(x, axis=0).owner.op
    assert pickle.loads(pickle.dumps(op)) == op
    assert str(op) == "Sum{axis=(1,)}"


def test_max_and_argmax_returns_both():
    m = gt.dmatrix("m")
    v = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    cases = {
        "max": (lambda m: gt.max_and_argmax(m, axis=1)[0], np.array([5.0, 7.0])),
        "argmax_first_of_ties": (lambda m: gt.max_and_argmax(m, axis=1)[1], np.array([1, 0])),
    }
    check_op(cases, [m], [v])


def test_logsumexp_is_stable():
    v = gt.dvector("v")
    cases = {
        "large": (gt.logsumexp, np.float64(1000 + np.log(2))),
        "large_negative": (lambda v: gt.logsumexp(v * -1.0), np.float64(-1000 + np.log(2))),
    }
    check_op(cases, [v], [np.array([1000.0, 1000.0])])
    f = g.function([v], gt.logsumexp(v))
    assert f(np.array([-np.inf, -np.inf])) == -np.inf
    assert f(np.array([np.inf, 0.0])) == np.inf


HYPOTHESIS_AXES = [None, 1, -1, (0, 2)]
_compiled: list = []


def _sum_and_any_all_axes():
    """One function for every axis case, compiled lazily once (then once per input shape)."""
    if not _compiled:
        x = gt.dtensor3("x")
        outs = [gt.sum(x, a) for a in HYPOTHESIS_AXES] + [gt.any(x, a) for a in HYPOTHESIS_AXES]
        _compiled.append(g.function([x], outs))
    return _compiled[0]


@settings(max_examples=10, deadline=None)
@given(shape=st.lists(st.integers(0, 3), min_size=3, max_size=3).map(tuple))
def test_sum_and_any_equal_numpy_for_random_shapes(shape):
    rng = np.random.default_rng(0)  # not RNG: hypothesis draws a varying number of examples
    value = rng.normal(size=shape) * (rng.random(shape) > 0.3)
    results = _sum_and_any_all_axes()(value)
    n = len(HYPOTHESIS_AXES)
    for axis, total, anything in zip(HYPOTHESIS_AXES, results[:n], results[n:], strict=True):
        np.testing.assert_allclose(total, np.sum(value, axis=axis))
        np.testing.assert_array_equal(anything, np.any(value, axis=axis))


# ---------------------------------------------------------------------------
# gradients


GRAD_CASES = {
    "sum": (lambda x: gt.sum(x, axis=(0, 2)), lambda x: jnp.sum(x, axis=(0, 2))),
    "sum_keepdims": (
        lambda x: gt.sum(x, axis=1, keepdims=True),
        lambda x: jnp.sum(x, axis=1, keepdims=True),
    ),
    "mean": (lambda x: gt.mean(x, axis=-1), lambda x: jnp.mean(x, axis=-1)),
    "max": (lambda x: gt.max(x, axis=1), lambda x: jnp.max(x, axis=1)),
    "min": (lambda x: gt.min(x), lambda x: jnp.min(x)),
    "prod": (lambda x: gt.prod(x, axis=0), lambda x: jnp.prod(x, axis=0)),
    "var": (lambda x: gt.var(x, axis=(0, 1)), lambda x: jnp.var(x, axis=(0, 1))),
    "var_ddof": (lambda x: gt.var(x, axis=2, ddof=1), lambda x: jnp.var(x, axis=2, ddof=1)),
    "std": (lambda x: gt.std(x, axis=0), lambda x: jnp.std(x, axis=0)),
    "logsumexp": (
        lambda x: gt.logsumexp(x, axis=(1, 2)),
        lambda x: jax.nn.logsumexp(x, axis=(1, 2)),
    ),
}


def test_gradients_match_jax_grad():
    value = RNG.normal(size=(2, 3, 4))
    check_op(jax_grad_cases(GRAD_CASES, [value], RNG), [gt.dtensor3("x")], [value])


def test_gradients_pass_verify_grad():
    check_op(GRAD_CASES, [gt.dtensor3("x")], [RNG.normal(size=(2, 3, 4))], grads=True)


def test_prod_gradient_is_exact_with_zeros():
    m = gt.dmatrix("m")
    v = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 3.0]])
    expected = np.array([[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [6.0, 3.0, 2.0]])
    check_op({"grad": (lambda m: g.grad(gt.sum(gt.prod(m, axis=1)), m), expected)}, [m], [v])
    # multilinear, so central finite differences are exact even at the zeros
    check_op({"prod": (lambda m: gt.prod(m, axis=1), np.prod(v, 1))}, [m], [v], grads=True)


def test_max_gradient_goes_to_every_tied_position():
    v = gt.dvector("v")
    grad = (lambda v: g.grad(gt.max(v), v), np.array([0.0, 1.0, 1.0]))
    check_op({"grad": grad}, [v], [np.array([1.0, 3.0, 3.0])])


def test_float32_gradient_keeps_float32():
    x = gt.fmatrix("x")
    gx = g.grad(gt.sum(gt.mean(x, axis=0) * gt.max(x, axis=0)), x)
    assert gx.dtype == "float32"


def test_argmax_and_boolean_reductions_carry_no_gradient():
    x = gt.dvector("x")
    cost = gt.max(x) + gt.cast(gt.argmax(x), "float64") + gt.cast(gt.any(x), "float64")
    grad = (lambda x: g.grad(cost, x), np.array([0.0, 1.0, 0.0]))
    check_op({"grad": grad}, [x], [np.array([1.0, 4.0, 2.0])])
    assert gt.argmax(x).owner.op.differentiable is False


def test_infer_shape_drops_the_reduced_axes():
    x = gt.dtensor3("x")
    outs = [gt.sum(x, (0, 2)), gt.argmax(x, (0, 2)), gt.logsumexp(x, (0, 2)), gt.max(x)]
    outs += [gt.mean(x, 1, keepdims=True), gt.var(x, (0, 1))]
    check_infer_shape([x], outs, [np.ones((2, 3, 4))])


def test_prod_gradient_of_complex_entries_matches_jax():
    x, y = gt.dvector("x"), gt.dvector("y")
    cost = gt.abs(gt.prod(gt.complex(x, y)))
    vx, vy = np.array([0.5, -1.0, 2.0]), np.array([0.7, 0.0, -1.2])
    got = g.function([x, y], g.grad(cost, [x, y]))(vx, vy)
    want = jax.grad(lambda a, b: jnp.abs(jnp.prod(a + 1j * b)), argnums=(0, 1))(vx, vy)
    for u, w in zip(got, want, strict=True):
        np.testing.assert_allclose(u, w, atol=1e-12)


def test_prod_accepts_no_zeros_in_input():
    """PyTensor's hint changes nothing here: the gradient is exact with zeros anyway."""
    x = gt.dvector("x")
    out = gt.prod(x, no_zeros_in_input=True)
    np.testing.assert_allclose(g.grad(out, x).eval({x: np.array([2.0, 0.0, 3.0])}), [0, 6, 0])
