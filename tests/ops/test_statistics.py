"""Tests of the composites of PyTensor's math (graph2jax/ops/statistics.py, comparison.py,
contractions.py and math.py's ``nan_to_num``/``divmod``/``ceil_intdiv``): values against numpy, PyTensor's dtypes and
static shapes, errors and gradients."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.gradient import verify_grad
from tests.helpers import compare_jax_and_numpy

SPECIAL = np.array([1.0, 1.0 + 1e-9, np.inf, -np.inf, np.nan, 0.0, 2.0])


def test_isclose_and_allclose_match_numpy_with_nans_and_infinities():
    a, b = gt.dvector("a"), gt.dvector("b")
    va = SPECIAL
    vb = np.array([1.0, 1.0, np.inf, np.inf, np.nan, 1e-9, 2.1])
    outs = [gt.isclose(a, b), gt.isclose(a, b, equal_nan=True), gt.isclose(a, b, rtol=0.1, atol=0)]
    outs += [gt.allclose(a, a), gt.allclose(a, a, equal_nan=True), gt.allclose(a, b, rtol=0.1)]
    wanted = [
        np.isclose(va, vb),
        np.isclose(va, vb, equal_nan=True),
        np.isclose(va, vb, rtol=0.1, atol=0),
    ]
    wanted += [False, True, False]
    compare_jax_and_numpy([a, b], outs, [va, vb], expected=wanted)


def test_isclose_dtypes_and_broadcasting():
    i, f = gt.imatrix("i"), gt.fvector("f")
    out = gt.isclose(i, f)
    assert out.dtype == "bool" and out.ndim == 2
    vi, vf = np.array([[1, 2], [3, 4]], dtype="int32"), np.array([1.0, 2.5], dtype="float32")
    compare_jax_and_numpy([i, f], out, [vi, vf], expected=np.isclose(vi, vf))
    with pytest.raises(TypeError):  # a - b of bools is refused, as in PyTensor
        gt.isclose(gt.bvector().astype("bool"), gt.bvector().astype("bool"))


@functools.cache
def _isclose_fn():
    a, b = gt.dscalar(), gt.dscalar()
    return g.function([a, b], gt.isclose(a, b, rtol=1e-3))


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(list(SPECIAL) + [1.0005, -1.0]), st.sampled_from(list(SPECIAL) + [1.001]))
def test_isclose_property_matches_numpy(a, b):
    assert _isclose_fn()(a, b) == np.isclose(a, b, rtol=1e-3)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int8"])
def test_nan_to_num(dtype):
    x = gt.tensor(dtype, shape=(None,))
    value = (
        SPECIAL.astype(dtype) if dtype.startswith("float") else np.array([1, -3, 0], dtype=dtype)
    )
    outs = [gt.nan_to_num(x), gt.nan_to_num(x, nan=-1.0, posinf=7.0, neginf=-7.0)]
    # integers take the float fill value's dtype, as PyTensor (int8 and float32: float32)
    out_dtype = {"int32": "float64", "int8": "float32"}.get(dtype, dtype)
    wanted = [
        np.nan_to_num(value).astype(out_dtype),
        np.nan_to_num(value, nan=-1, posinf=7, neginf=-7),
    ]
    got = compare_jax_and_numpy([x], outs, [value], expected=wanted)
    assert all(r.dtype == out_dtype for r in got)


def test_nan_to_num_gradient_passes_finite_values():
    verify_grad(gt.nan_to_num, [np.array([0.3, -2.0, 4.0])], rng=np.random.default_rng(0))


@pytest.mark.parametrize(
    "dtypes", [("int32", "int32"), ("int64", "int8"), ("float64", "float64"), ("float32", "int32")]
)
def test_divmod_and_ceil_intdiv(dtypes):
    x, y = gt.tensor(dtypes[0], shape=(None,)), gt.tensor(dtypes[1], shape=(1,))
    vx = np.array([7, -7, 8, 0, 9], dtype=dtypes[0])
    vy = np.array([3], dtype=dtypes[1])
    q, r = gt.divmod(x, y)
    wanted = [*np.divmod(vx, vy), -(-vx // vy)]
    got = compare_jax_and_numpy([x, y], [q, r, gt.ceil_intdiv(x, y)], [vx, vy], expected=wanted)
    assert all(v.dtype == np.result_type(vx, vy) for v in got)


@pytest.mark.parametrize("dtype", ["float64", "int32", "int8"])
def test_largest_and_smallest(dtype):
    a, b, c = (
        gt.tensor(dtype, shape=(None, 3)),
        gt.tensor(dtype, shape=(1, 3)),
        gt.tensor(dtype, shape=(None, 3)),
    )
    rng = np.random.default_rng(1)
    va, vb, vc = (rng.integers(-9, 9, size=s).astype(dtype) for s in [(2, 3), (1, 3), (2, 3)])
    outs = [gt.largest(a, b), gt.smallest(a, b), gt.largest(a, c, a), gt.smallest(a, c, a)]
    wanted = [np.maximum(va, vb), np.minimum(va, vb), np.maximum(va, vc), np.minimum(va, vc)]
    got = compare_jax_and_numpy([a, b, c], outs, [va, vb, vc], expected=wanted)
    assert all(v.dtype == dtype for v in got)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int8"])
def test_ptp_and_median_over_axes(dtype):
    x = gt.tensor(dtype, shape=(None, None, 4))
    rng = np.random.default_rng(2)
    value = rng.integers(-20, 20, size=(3, 2, 4)).astype(dtype)
    axes = [None, 0, -1, (0, 2)]
    outs = [gt.ptp(x, a) for a in axes] + [gt.median(x, a) for a in axes]
    wanted = [np.ptp(value, a) for a in axes] + [np.median(value, a) for a in axes]
    got = compare_jax_and_numpy([x], outs, [value], expected=wanted)
    assert all(v.dtype == dtype for v in got[:4])
    # median divides by 2.0: integers give floats (int8: float32), as PyTensor
    assert all(
        v.dtype == {"int32": "float64", "int8": "float32"}.get(dtype, dtype) for v in got[4:]
    )
    assert outs[-1].type.shape == (None,) and outs[-2].type.shape == (None, None)


def test_median_odd_and_even_lengths_and_bad_axis():
    x = gt.dvector("x")
    f = g.function([x], gt.median(x))
    assert f(np.array([3.0, 1.0, 2.0])) == 2.0 and f(np.array([4.0, 1.0, 3.0, 2.0])) == 2.5
    with pytest.raises(np.exceptions.AxisError):
        gt.median(x, axis=1)


def test_median_and_ptp_gradients():
    rng = np.random.default_rng(3)
    value = rng.permutation(12).reshape(3, 4).astype("float64")
    verify_grad(lambda t: gt.median(t, axis=1), [value], rng=rng)
    verify_grad(lambda t: gt.ptp(t, axis=0), [value], rng=rng)


SHAPES = [
    ("matvec", (2, 3, 4), (4,)),
    ("matvec", (3, 4), (5, 1, 4)),
    ("vecmat", (4,), (2, 4, 3)),
    ("vecmat", (5, 1, 4), (4, 3)),
    ("vecdot", (2, 4), (4,)),
    ("vecdot", (3, 1, 4), (2, 4)),
]
NUMPY = {
    "matvec": lambda a, b: np.matmul(a, b[..., None])[..., 0],
    "vecmat": lambda a, b: np.matmul(a[..., None, :], b)[..., 0, :],
    "vecdot": lambda a, b: np.sum(a * b, axis=-1),
}


@pytest.mark.parametrize(
    "dtypes", [("float64", "float64"), ("float32", "float32"), ("int32", "float32")]
)
def test_matvec_vecmat_vecdot(dtypes):
    rng = np.random.default_rng(4)
    xs, outs, values, wanted = [], [], [], []
    for name, sa, sb in SHAPES:
        a, b = gt.tensor(dtypes[0], shape=sa), gt.tensor(dtypes[1], shape=sb)
        va, vb = (
            rng.integers(-3, 4, size=sa).astype(dtypes[0]),
            rng.normal(size=sb).astype(dtypes[1]),
        )
        xs += [a, b]
        values += [va, vb]
        outs.append(getattr(gt, name)(a, b))
        wanted.append(NUMPY[name](va, vb))
        assert outs[-1].type.shape == wanted[-1].shape
    got = compare_jax_and_numpy(xs, outs, values, expected=wanted)
    assert all(v.dtype == np.result_type(*dtypes) for v in got)


def test_dtype_argument_and_bad_ranks():
    m, v = gt.dmatrix(), gt.dvector()
    assert gt.matvec(m, v, dtype="float32").dtype == "float32"
    assert gt.vecdot(v, v, dtype="float32").dtype == "float32"
    for fn, args in [(gt.matvec, (v, v)), (gt.vecmat, (v, v)), (gt.vecdot, (gt.dscalar(), v))]:
        with pytest.raises(ValueError, match=fn.__name__):
            fn(*args)


def test_matvec_vecdot_gradients_match_jax():
    m, v, w = gt.dmatrix("m"), gt.dvector("v"), gt.dvector("w")
    cost = gt.sum(gt.matvec(m, v) ** 2) + gt.vecdot(v, w) + gt.sum(gt.vecmat(w, m))
    f = g.function([m, v, w], g.grad(cost, [m, v, w]))
    rng = np.random.default_rng(5)
    vm, vv, vw = rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=3)

    def jax_cost(a, b, c):
        return jnp.sum((a @ b) ** 2) + jnp.dot(b, c) + jnp.sum(c @ a)

    for got, want in zip(
        f(vm, vv, vw), jax.grad(jax_cost, argnums=(0, 1, 2))(vm, vv, vw), strict=True
    ):
        np.testing.assert_allclose(got, want, rtol=1e-10)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_cov_matches_numpy(dtype):
    rng = np.random.default_rng(6)
    m, y, v = (
        gt.tensor(dtype, shape=(None, None)),
        gt.tensor(dtype, shape=(None, None)),
        gt.dvector(),
    )
    vm, vy = (rng.integers(-5, 5, size=(3, 6)).astype(dtype) for _ in range(2))
    vv = rng.normal(size=6)
    outs = [gt.cov(m), gt.cov(m, rowvar=False), gt.cov(m, bias=True), gt.cov(m, ddof=2)]
    outs += [gt.cov(m, y), gt.cov(v), gt.cov(m, v)]
    wanted = [np.cov(vm), np.cov(vm, rowvar=False), np.cov(vm, bias=True), np.cov(vm, ddof=2)]
    wanted += [np.cov(vm, vy), np.cov(vv), np.cov(vm, vv)]
    got = compare_jax_and_numpy([m, y, v], outs, [vm, vy, vv], expected=wanted, rtol=1e-5)
    # numpy and PyTensor give float64 whatever the input
    assert all(r.dtype == "float64" for r in got) and outs[5].ndim == 0


def test_cov_errors_and_gradient():
    with pytest.raises(NotImplementedError):
        gt.cov(gt.dmatrix(), fweights=np.ones(3))
    with pytest.raises(ValueError, match="1-d or 2-d"):
        gt.cov(gt.dtensor3())
    verify_grad(
        gt.cov, [np.random.default_rng(7).normal(size=(2, 5))], rng=np.random.default_rng(7)
    )


@pytest.mark.parametrize(
    "sx, sy, axes",
    [
        ((2, 3, 4), (2, 4, 5), 1),
        ((2, 3, 4), (2, 4, 3, 5), [[2, 1], [1, 2]]),
        ((2, 3), (2, 3), [[1], [1]]),
    ],
)
def test_batched_tensordot_matches_numpy(sx, sy, axes):
    x, y = gt.tensor("float64", shape=sx), gt.tensor("int32", shape=sy)
    rng = np.random.default_rng(8)
    vx, vy = rng.normal(size=sx), rng.integers(-3, 3, size=sy).astype("int32")
    if isinstance(axes, int):
        core = axes
    else:
        core = [[a - 1 for a in axes[0]], [a - 1 for a in axes[1]]]
    wanted = np.stack([np.tensordot(a, b, axes=core) for a, b in zip(vx, vy, strict=True)])
    out = gt.batched_tensordot(x, y, axes)
    assert out.type.shape == wanted.shape
    compare_jax_and_numpy([x, y], out, [vx, vy], expected=wanted)


def test_batched_tensordot_errors_and_gradient():
    x = gt.dtensor3()
    with pytest.raises(ValueError, match="batch axis"):
        gt.batched_tensordot(x, x, axes=[[0], [0]])
    with pytest.raises(ValueError, match="out of range"):
        gt.batched_tensordot(x, x, axes=3)
    rng = np.random.default_rng(9)
    verify_grad(
        lambda a, b: gt.batched_tensordot(a, b, axes=[[2], [1]]),
        [rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 4, 2))],
        rng=rng,
    )
