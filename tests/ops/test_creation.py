"""Creation ops: ``alloc``/``zeros``/``ones``/``full``, ``fill`` and the ``*_like`` functions,
``arange``, ``linspace``, ``eye``/``identity_like``, ``tri``/``tril``/``triu`` against numpy;
PyTensor's dtype rules, symbolic and function-input shapes (one compilation per
value), static errors, gradients.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.config import config
from graph2jax.gradient import verify_grad
from graph2jax.ops.creation import Alloc
from tests.helpers import check_infer_shape, compare_jax_and_numpy, random_value

RNG = np.random.default_rng(2)


_value = partial(random_value, RNG)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
def test_filled_arrays_match_numpy(dtype):
    x = gt.tensor(dtype, shape=(None, None), name="x")
    v, row = _value(dtype, (2, 3)), _value(dtype, (3,))
    n0 = gt.shape_i(x, 0)
    cases = [
        (gt.zeros((n0, 3), dtype=dtype), np.zeros((2, 3), dtype)),
        (gt.ones(gt.shape(x), dtype=dtype), np.ones((2, 3), dtype)),
        (gt.zeros(4), np.zeros(4, config.floatX)),
        (gt.ones((n0, 1, 2)), np.ones((2, 1, 2), config.floatX)),
        (gt.full((3, n0), 7, dtype=dtype), np.full((3, 2), 7, dtype)),
        (gt.full(2, np.float32(1.5)), np.full(2, 1.5, "float32")),
        (gt.zeros_like(x), np.zeros_like(v)),
        (gt.ones_like(x, dtype="float32"), np.ones((2, 3), "float32")),
        (gt.full_like(x, 3, dtype=dtype), np.full_like(v, 3)),
        (gt.fill(x, np.int32(4)), np.full((2, 3), 4, "int32")),
        (gt.fill(x, gt.constant(np.arange(3.0))), np.tile(np.arange(3.0), (2, 1))),
        (gt.alloc(x, 4, n0, 3), np.broadcast_to(v, (4, 2, 3))),
        (gt.alloc(row, n0, 3), np.broadcast_to(row, (2, 3))),
        (gt.eye(n0, 3, k=1, dtype=dtype), np.eye(2, 3, 1, dtype=dtype)),
        (gt.identity_like(x), np.eye(2, 3, dtype=dtype)),
        (gt.tri(3, n0, -1, dtype=dtype), np.tri(3, 2, -1, dtype=dtype)),
        (gt.tril(x), np.tril(v)),
        (gt.triu(x, 1), np.triu(v, 1)),
        (gt.tril(x, -1), np.tril(v, -1)),
        (gt.second(x, gt.constant(np.arange(3.0))), np.tile(np.arange(3.0), (2, 1))),
    ]
    outs = [c[0] for c in cases]
    got = compare_jax_and_numpy([x], outs, [v], expected=[c[1] for c in cases])
    for out, res, (_, want) in zip(outs, got, cases, strict=True):
        assert res.dtype == want.dtype, (out, res.dtype, want.dtype)
    assert outs[0].type.shape == (None, 3)
    assert outs[3].type.shape == (None, 1, 2)
    assert outs[14].type.shape == (None, None)


def test_symbolic_shapes_from_subscripted_shape_and_vectors():
    x, shp = gt.dmatrix("x"), gt.lvector("shp", shape=(2,))
    outs = [
        gt.zeros((x.shape[0], 3)),
        gt.ones(x.shape[::-1]),
        gt.full(shp, 2.5),
        gt.eye(x.shape[1]),
    ]
    assert outs[0].type.shape == (None, 3)
    f = g.function([x, shp], outs)
    z, o, full, e = f(np.ones((2, 4)), [3, 1])
    assert z.shape == (2, 3) and o.shape == (4, 2) and e.shape == (4, 4)
    np.testing.assert_array_equal(full, np.full((3, 1), 2.5))
    assert f(np.ones((2, 4)), [1, 5])[2].shape == (1, 5)


def test_infer_shape():
    x, n = gt.dmatrix("x"), gt.lscalar("n")
    start, stop = gt.dvector("start"), gt.dcol("stop")
    outs = [
        gt.alloc(x, n, x.shape[0], x.shape[1]),
        gt.fill(stop, start),
        gt.zeros_like(x),
        gt.arange(1, n, 2),
        gt.linspace(start, stop, n, axis=1),
        gt.eye(n, 2),
        gt.tri(2, n, 1),
    ]
    values = [np.ones((2, 3)), 5, np.zeros(4), np.ones((3, 1))]
    check_infer_shape([x, n, start, stop], outs, values)


def test_default_dtypes_follow_pytensor():
    assert gt.zeros(3).dtype == gt.ones((2, 2)).dtype == config.floatX
    assert gt.eye(3).dtype == gt.tri(3).dtype == gt.linspace(0, 1, 3).dtype == config.floatX
    assert gt.zeros_like(gt.imatrix()).dtype == "int32"
    assert gt.identity_like(gt.fmatrix()).dtype == "float32"
    assert gt.full(3, 1).dtype == "int8"  # the fill value's own (autocast) dtype, as PyTensor
    assert gt.full_like(gt.fmatrix(), 1.5).dtype == "float32"
    assert gt.arange(5).dtype == "int64"
    assert gt.arange(gt.iscalar()).dtype == "int64"
    assert gt.arange(gt.constant(3, dtype="uint8")).dtype == "int64"  # 0 and 1 are int8
    assert gt.arange(*[gt.constant(b, dtype="uint8") for b in (0, 3, 1)]).dtype == "uint64"
    assert gt.arange(0.0, 1.0, 0.25).dtype == "float32"
    assert gt.arange(0.0, 1.0, 0.1).dtype == "float64"
    assert gt.arange(gt.fscalar()).dtype == "float32"
    assert gt.arange(3, dtype="float32").dtype == "float32"
    with config.change_flags(floatX="float32"):
        assert gt.zeros(3).dtype == gt.eye(2).dtype == "float32"


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((5,), {}),
        ((2, 9, 3), {}),
        ((5, -3, -2), {}),
        ((0.5, 2.0, 0.25), {}),
        ((3, 1), {}),
        ((4,), {"dtype": "float32"}),
    ],
)
def test_arange_of_constants_matches_numpy(args, kwargs):
    out = gt.arange(*args, **kwargs)
    want = np.arange(*args, dtype=out.dtype)
    assert out.type.shape == want.shape
    compare_jax_and_numpy([], out, [], expected=want)


def test_arange_with_function_input_bounds_compiles_per_value():
    n = gt.lscalar("n")
    f = g.function([n], gt.arange(n))
    assert f(3).shape == (3,)
    np.testing.assert_array_equal(f(5), np.arange(5))
    assert f(3).shape == (3,)
    assert f.maker.linked(None).trace_count == 2
    start, step = gt.dscalar("start"), gt.dscalar("step")
    f = g.function([start, n, step], gt.arange(start, n, step))
    np.testing.assert_allclose(f(0.5, 3, 0.5), np.arange(0.5, 3, 0.5))


def test_alloc_and_zeros_with_function_input_shapes():
    n, m = gt.lscalar("n"), gt.iscalar("m")
    v = gt.dvector("v")
    f = g.function([v, n, m], [gt.alloc(v, n, 3), gt.zeros((n, m), dtype="int32"), gt.eye(n, m)])
    a, z, e = f(np.arange(3.0), 2, 4)
    np.testing.assert_array_equal(a, np.tile(np.arange(3.0), (2, 1)))
    assert z.shape == (2, 4) and z.dtype == np.int32
    np.testing.assert_array_equal(e, np.eye(2, 4))
    assert f(np.arange(3.0), 5, 1)[1].shape == (5, 1)


def test_large_arrays_are_computed_by_xla_not_folded():
    n = gt.lscalar("n")
    f = g.function([n], [gt.tril(gt.ones((n, n))), gt.arange(n), gt.linspace(0.0, 1.0, n)])
    t, r, s = f(100)
    np.testing.assert_array_equal(t, np.tril(np.ones((100, 100))))
    np.testing.assert_array_equal(r, np.arange(100))
    np.testing.assert_allclose(s, np.linspace(0, 1, 100))


@pytest.mark.parametrize(
    ("start", "stop", "kwargs"),
    [
        (0.0, 1.0, {"num": 5}),
        (2, 10, {"num": 4, "endpoint": False}),
        (np.array([0.0, 1.0]), np.array([[1.0, 3.0], [2.0, 5.0]]), {"num": 3, "axis": -1}),
        (np.array([0.0, 1.0]), 5.0, {"num": 4, "axis": 1}),
        (-1.0, 1.0, {"num": 1}),
        (0, 9, {"num": 4, "dtype": "int32"}),
    ],
)
def test_linspace_matches_numpy(start, stop, kwargs):
    out = gt.linspace(start, stop, **kwargs)
    dtype = kwargs.pop("dtype", config.floatX)
    want = np.linspace(start, stop, **kwargs).astype(dtype)
    assert out.type.shape == want.shape
    compare_jax_and_numpy([], out, [], expected=want)


def test_linspace_retstep_and_symbolic_num():
    a, num = gt.dscalar("a"), gt.lscalar("num")
    samples, step = gt.linspace(a, 2.0, num, retstep=True)
    f = g.function([a, num], [samples, step])
    s, st = f(0.0, 5)
    np.testing.assert_allclose(s, np.linspace(0, 2, 5))
    assert float(st) == 0.5


@pytest.mark.parametrize("dtype", ["float64", "int32", "bool"])
def test_tril_triu_of_batched_arrays(dtype):
    x = gt.tensor(dtype, shape=(2, None, None), name="x")
    v = _value(dtype, (2, 3, 4))
    outs = [gt.tril(x, 1), gt.triu(x), gt.triu(x, -2)]
    compare_jax_and_numpy([x], outs, [v], expected=[np.tril(v, 1), np.triu(v), np.triu(v, -2)])


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: gt.alloc(gt.dmatrix(), 3), TypeError, "more than"),
        (
            lambda: gt.alloc(gt.tensor("float64", shape=(2,)), 3, 3),
            ValueError,
            "cannot be broadcast",
        ),
        (lambda: gt.alloc(1.0, 2.5), TypeError, "integer scalar"),
        (lambda: gt.alloc(1.0, gt.lvector()), TypeError, "integer scalar"),
        (lambda: gt.zeros(gt.lvector()), ValueError, "static length"),
        (
            lambda: gt.fill(gt.tensor("float64", shape=(3,)), gt.tensor("float64", shape=(2,))),
            ValueError,
            "broadcast",
        ),
        (lambda: gt.arange(gt.dvector()), TypeError, "scalar"),
        (lambda: gt.arange(0, 3, 0), ValueError, "step must not be zero"),
        (lambda: gt.eye(2.0), TypeError, "integer scalar"),
        (lambda: gt.tril(gt.dvector()), ValueError, "at least 2"),
        (lambda: gt.linspace(0, 1, 3, axis=2), np.exceptions.AxisError, None),
        (lambda: gt.zeros((2, -1)), ValueError, "alloc: a shape entry must not be negative"),
        (lambda: gt.eye(-1), ValueError, "eye: n must not be negative"),
        (lambda: gt.tri(2, -3), ValueError, "tri: m must not be negative"),
        (lambda: gt.linspace(0, 1, -1), ValueError, "linspace: num must not be negative"),
    ],
)
def test_static_errors(build, error, match):
    with pytest.raises(error, match=match):
        build()


@pytest.mark.parametrize("mode", ["FAST_RUN", "NUMPY"])
def test_alloc_refuses_runtime_broadcasting_of_unknown_axes(mode):
    v = gt.dvector("v")
    f = g.function([v], gt.alloc(v, 2, 3), mode=mode)
    with pytest.raises(ValueError, match="only axes of static length 1"):
        f(np.ones(1))


def test_zeros_like_is_one_node_sharing_its_constant():
    x = gt.dmatrix("x")
    a, b = gt.zeros_like(x), gt.zeros_like(x)
    assert a.owner.op == b.owner.op and a.owner.inputs[1] is b.owner.inputs[1]
    assert a.type == x.type and len(a.owner.inputs) == 2
    assert Alloc(2) == Alloc(2) and Alloc(2) != Alloc(3)


# ---------------------------------------------------------------------------
# gradients


@pytest.mark.parametrize(
    ("fun", "shape"),
    [
        (lambda v: gt.alloc(v, 4, 2, 3) * np.arange(24.0).reshape(4, 2, 3), (2, 3)),
        (lambda v: gt.alloc(v, 2, 3) * np.arange(6.0).reshape(2, 3), (1, 3)),
        (lambda v: gt.fill(gt.zeros((3, 2)), v) * np.arange(6.0).reshape(3, 2), (2,)),
        (lambda v: gt.full_like(gt.ones((2, 2)), gt.sum(v)) * np.arange(4.0).reshape(2, 2), (3,)),
        (lambda v: gt.tril(v, -1) * np.arange(12.0).reshape(3, 4), (3, 4)),
        (lambda v: gt.triu(v) * np.arange(12.0).reshape(3, 4), (3, 4)),
        (lambda v: gt.linspace(gt.sum(v), v, 4, axis=1) * np.arange(8.0).reshape(2, 4), (2,)),
        (lambda v: gt.linspace(gt.sum(v), 3.0, 5, endpoint=False) * np.arange(5.0), (2,)),
    ],
)
def test_verify_grad(fun, shape):
    verify_grad(fun, [RNG.normal(size=shape)], rng=np.random.default_rng(0))


def test_grad_matches_jax():
    x = gt.dmatrix("x")
    w = np.arange(6.0).reshape(2, 3)
    cost = gt.sum(gt.tril(x) ** 2) + gt.sum(gt.alloc(gt.sum(x, axis=0), 2, 3) * w)
    cost = cost + gt.sum(gt.linspace(gt.sum(x), 1.0, 3) ** 2) + gt.sum(gt.ones_like(x) * x)
    f = g.function([x], g.grad(cost, x))
    v = RNG.normal(size=(2, 3))

    def ref(a):
        extra = jnp.sum(jnp.linspace(jnp.sum(a), 1.0, 3) ** 2) + jnp.sum(a)
        return jnp.sum(jnp.tril(a) ** 2) + jnp.sum(jnp.broadcast_to(a.sum(0), (2, 3)) * w) + extra

    np.testing.assert_allclose(f(v), jax.jit(jax.grad(ref))(v), rtol=1e-10)


def test_arange_grad_wrt_start_and_step():
    start, step = gt.dscalar("start"), gt.dscalar("step")
    w = np.arange(1.0, 5.0)
    cost = gt.sum(gt.arange(start, start + 3.5, step) * w)
    f = g.function([start, step], g.grad(cost, [start, step]), mode="NUMPY")
    g_start, g_step = f(1.0, 1.0)
    assert g_start == w.sum() and g_step == (w * np.arange(4)).sum()


def test_alloc_grad_sums_over_the_broadcast_axes():
    x = gt.dvector("x")
    # the result's static shape (2, 3) is enough: x's values are not needed
    gx = g.function([x], g.grad(gt.sum(gt.alloc(x, 2, 3)), x), on_unused_input="ignore")
    np.testing.assert_array_equal(gx(np.ones(3)), np.full(3, 2.0))
