"""Reductions: values against numpy, PyTensor's dtype rules, static shapes, axis errors, gradients.

Compilations are few: one function per input dtype computes every reduction
over every axis case at once.
"""

from __future__ import annotations

import pickle
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.gradient import verify_grad
from graph2jax.ops.reduce import CAReduce
from tests.helpers import compare_jax_and_numpy, random_value

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


# name -> (graph builder, numpy formula, output dtype by input dtype)
_WIDE = {"bool": "int64", "int32": "int64"}
CASES = {
    "sum": (gt.sum, lambda v, a, k: np.sum(v, axis=a, keepdims=k), lambda d: _WIDE.get(d, d)),
    "prod": (gt.prod, lambda v, a, k: np.prod(v, axis=a, keepdims=k), lambda d: _WIDE.get(d, d)),
    "max": (gt.max, lambda v, a, k: np.max(v, axis=a, keepdims=k), lambda d: d),
    "min": (gt.min, lambda v, a, k: np.min(v, axis=a, keepdims=k), lambda d: d),
    "all": (gt.all, lambda v, a, k: np.all(v, axis=a, keepdims=k), lambda d: "bool"),
    "any": (gt.any, lambda v, a, k: np.any(v, axis=a, keepdims=k), lambda d: "bool"),
    "mean": (
        gt.mean,
        lambda v, a, k: np.mean(v, axis=a, keepdims=k, dtype="float64"),
        lambda d: "float32" if d == "float32" else "float64",
    ),
    "argmax": (
        gt.argmax,
        lambda v, a, k: _keep(_argreduce(np.argmax, v, a), v, a, k),
        lambda d: "int64",
    ),
    "argmin": (
        gt.argmin,
        lambda v, a, k: _keep(_argreduce(np.argmin, v, a), v, a, k),
        lambda d: "int64",
    ),
}
NUMERIC_CASES = {
    "var": (gt.var, lambda v, a, k: np.var(v, axis=a, keepdims=k, dtype="float64")),
    "std": (gt.std, lambda v, a, k: np.std(v, axis=a, keepdims=k, dtype="float64")),
    "var_ddof1": (
        lambda x, axis, keepdims: gt.var(x, axis, ddof=1, keepdims=keepdims),
        lambda v, a, k: np.var(v, axis=a, keepdims=k, ddof=1, dtype="float64"),
    ),
    "var_corrected": (
        lambda x, axis, keepdims: gt.var(x, axis, keepdims=keepdims, corrected=True),
        lambda v, a, k: np.var(v, axis=a, keepdims=k, dtype="float64"),
    ),
    "logsumexp": (
        gt.logsumexp,
        lambda v, a, k: np.log(np.sum(np.exp(v.astype("float64")), axis=a, keepdims=k)),
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
    outputs, expected = [], []
    cases = [(name, build, ref) for name, (build, ref, _) in CASES.items()]
    if dtype in ("float32", "float64", "int32"):  # int64 takes int32's path through mean
        cases += [(name, build, ref) for name, (build, ref) in NUMERIC_CASES.items()]
    for axis, keepdims in AXIS_CASES:
        for name, build, ref in cases:
            out = build(x, axis=axis, keepdims=keepdims)
            want = np.asarray(ref(value, _np_axis(axis), keepdims))
            assert out.type.shape == tuple(1 if n == 1 else None for n in want.shape), name
            outputs.append(out)
            expected.append(want.astype(out.dtype))
    compare_jax_and_numpy([x], outputs, [value], expected=expected)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
def test_output_dtypes_follow_pytensor(dtype):
    x = gt.tensor(dtype, shape=(None, None))
    for name, (build, _, rule) in CASES.items():
        assert build(x, axis=0).dtype == rule(dtype), name
    if dtype != "bool":
        floaty = "float32" if dtype == "float32" else "float64"
        assert gt.var(x).dtype == gt.std(x).dtype == floaty


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
    outs = [
        gt.sum(x, acc_dtype="float64"),
        gt.sum(x, dtype="float64"),
        gt.sum(i),
        gt.sum(i, dtype="int8"),
        gt.mean(i),
        gt.prod(i, acc_dtype="float64"),
    ]
    expected = [
        np.sum(xv, dtype="float64").astype("float32"),
        np.sum(xv, dtype="float64"),
        np.int64(295),
        np.int64(295).astype("int8"),
        np.float64(295 / 4),
        np.int64(-5_000_000),
    ]
    compare_jax_and_numpy([x, i], outs, [xv, iv], expected=expected)


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
    outs = [gt.sum(x, 0), gt.prod(x, 0), gt.all(x, 0), gt.any(x, 0), gt.sum(x, 1), gt.max(x, 1)]
    got = compare_jax_and_numpy(
        [x], outs, [value], expected=[np.zeros(3), np.ones(3), [True] * 3, [False] * 3, [], []]
    )
    assert [r.shape for r in got] == [(3,), (3,), (3,), (3,), (0,), (0,)]


def test_scalar_input_accepts_axis_zero_and_is_not_reduced():
    s = gt.dscalar("s")
    outs = [gt.sum(s, 0), gt.max(s, -1, keepdims=True), gt.argmax(s), gt.mean(s, 0)]
    assert [o.type.shape for o in outs] == [(), (), (), ()]
    compare_jax_and_numpy([s], outs, [2.5], expected=[2.5, 2.5, 0, 2.5])


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
    mx, am = gt.max_and_argmax(m, axis=1)
    v = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    compare_jax_and_numpy([m], [mx, am], [v], expected=[[5.0, 7.0], [1, 0]])


def test_logsumexp_is_stable():
    v = gt.dvector("v")
    outs = [gt.logsumexp(v), gt.logsumexp(v * -1.0)]
    compare_jax_and_numpy(
        [v], outs, [np.array([1000.0, 1000.0])], expected=[1000 + np.log(2), -1000 + np.log(2)]
    )
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


GRAD_CASES = [
    ("sum", lambda x: gt.sum(x, axis=(0, 2)), lambda x: jnp.sum(x, axis=(0, 2))),
    (
        "sum_keepdims",
        lambda x: gt.sum(x, axis=1, keepdims=True),
        lambda x: jnp.sum(x, axis=1, keepdims=True),
    ),
    ("mean", lambda x: gt.mean(x, axis=-1), lambda x: jnp.mean(x, axis=-1)),
    ("max", lambda x: gt.max(x, axis=1), lambda x: jnp.max(x, axis=1)),
    ("min", lambda x: gt.min(x), lambda x: jnp.min(x)),
    ("prod", lambda x: gt.prod(x, axis=0), lambda x: jnp.prod(x, axis=0)),
    ("var", lambda x: gt.var(x, axis=(0, 1)), lambda x: jnp.var(x, axis=(0, 1))),
    ("var_ddof", lambda x: gt.var(x, axis=2, ddof=1), lambda x: jnp.var(x, axis=2, ddof=1)),
    ("std", lambda x: gt.std(x, axis=0), lambda x: jnp.std(x, axis=0)),
    (
        "logsumexp",
        lambda x: gt.logsumexp(x, axis=(1, 2)),
        lambda x: jax.nn.logsumexp(x, axis=(1, 2)),
    ),
]


def test_gradients_match_jax_grad():
    x = gt.dtensor3("x")
    value = RNG.normal(size=(2, 3, 4))
    grads, projections = [], []
    for _, build, jax_fn in GRAD_CASES:
        weights = RNG.normal(size=jax.eval_shape(jax_fn, value).shape)
        grads.append(g.grad(gt.sum(build(x) * weights), x))
        projections.append(weights)

    @jax.jit  # one compilation for every reference gradient
    def reference(v):
        return [
            jax.grad(lambda u, f=f, w=w: jnp.sum(f(u) * w))(v)
            for (_, _, f), w in zip(GRAD_CASES, projections, strict=True)
        ]

    compare_jax_and_numpy([x], grads, [value], expected=reference(value))


@pytest.mark.parametrize("name", ["sum", "mean", "max", "prod", "var_ddof", "std", "logsumexp"])
def test_gradients_pass_verify_grad(name):
    build = dict((n, b) for n, b, _ in GRAD_CASES)[name]
    verify_grad(build, [RNG.normal(size=(2, 3, 4))], n_tests=1, rng=np.random.default_rng(0))


def test_prod_gradient_is_exact_with_zeros():
    m = gt.dmatrix("m")
    v = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 3.0]])
    gx = g.grad(gt.sum(gt.prod(m, axis=1)), m)
    expected = [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [6.0, 3.0, 2.0]]
    compare_jax_and_numpy([m], gx, [v], expected=expected)
    # multilinear, so central finite differences are exact even at the zeros
    verify_grad(lambda a: gt.prod(a, axis=1), [v], n_tests=1, rng=np.random.default_rng(0))


def test_max_gradient_goes_to_every_tied_position():
    v = gt.dvector("v")
    compare_jax_and_numpy(
        [v], g.grad(gt.max(v), v), [np.array([1.0, 3.0, 3.0])], expected=[0.0, 1.0, 1.0]
    )


def test_float32_gradient_keeps_float32():
    x = gt.fmatrix("x")
    gx = g.grad(gt.sum(gt.mean(x, axis=0) * gt.max(x, axis=0)), x)
    assert gx.dtype == "float32"


def test_argmax_and_boolean_reductions_carry_no_gradient():
    x = gt.dvector("x")
    cost = gt.max(x) + gt.cast(gt.argmax(x), "float64") + gt.cast(gt.any(x), "float64")
    compare_jax_and_numpy(
        [x], g.grad(cost, x), [np.array([1.0, 4.0, 2.0])], expected=[0.0, 1.0, 0.0]
    )
    assert gt.argmax(x).owner.op.differentiable is False


def test_infer_shape_drops_the_reduced_axes():
    x = gt.dtensor3("x")
    shapes = [("a", "b", "c")]
    for out in (gt.sum(x, (0, 2)), gt.argmax(x, (0, 2)), gt.logsumexp(x, (0, 2))):
        assert out.owner.op.infer_shape(None, out.owner, shapes) == [("b",)]
    assert gt.max(x).owner.op.infer_shape(None, gt.max(x).owner, shapes) == [()]


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
