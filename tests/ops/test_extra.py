"""cumsum, cumprod, diff, repeat, tile (ops/extra.py) and sort, argsort (ops/sort.py): values, shapes, errors, gradients.

Compilations are few: one function per dtype computes every case at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import graph2jax as g
import graph2jax.tensor as gt
from tests.helpers import Case, check_infer_shape, check_op, jax_grad_cases

RNG = np.random.default_rng(3)
SHAPE = (3, 4, 2)


def _value(dtype: str, shape: tuple) -> np.ndarray:
    if dtype == "bool":
        return RNG.random(shape) > 0.5
    if dtype.startswith("int"):
        return RNG.integers(-3, 4, size=shape).astype(dtype)  # ties, for sorting
    return RNG.normal(size=shape).astype(dtype)


class Row(NamedTuple):
    """One case, applied to a tensor3 of shape SHAPE."""

    build: Callable
    formula: Callable
    keeps_dtype: bool = False  # numpy widens cumsum/cumprod of small integers; PyTensor does not
    takes_bool: bool = True


CASES = {
    "cumsum_flat": Row(gt.cumsum, np.cumsum, keeps_dtype=True),
    "cumsum_0": Row(lambda x: gt.cumsum(x, 0), lambda v: np.cumsum(v, 0), keeps_dtype=True),
    "cumsum_-1": Row(lambda x: x.cumsum(-1), lambda v: np.cumsum(v, -1), keeps_dtype=True),
    "cumprod_flat": Row(gt.cumprod, np.cumprod, keeps_dtype=True, takes_bool=False),
    "cumprod_1": Row(
        lambda x: gt.cumprod(x, 1), lambda v: np.cumprod(v, 1), keeps_dtype=True, takes_bool=False
    ),
    "sort_last": Row(gt.sort, np.sort),
    "sort_0": Row(lambda x: gt.sort(x, 0), lambda v: np.sort(v, 0)),
    "sort_flat": Row(lambda x: gt.sort(x, None, kind="mergesort"), lambda v: np.sort(v, None)),
    "argsort_last": Row(gt.argsort, lambda v: np.argsort(v, kind="stable")),
    "argsort_1": Row(lambda x: x.argsort(1), lambda v: np.argsort(v, 1, kind="stable")),
    "argsort_flat": Row(
        lambda x: gt.argsort(x, None), lambda v: np.argsort(v, None, kind="stable")
    ),
    "diff": Row(gt.diff, np.diff, takes_bool=False),
    "diff_2_axis0": Row(
        lambda x: gt.diff(x, 2, axis=0), lambda v: np.diff(v, 2, axis=0), takes_bool=False
    ),
    "diff_too_long": Row(
        lambda x: gt.diff(x, 5, axis=2), lambda v: np.diff(v, 5, axis=2), takes_bool=False
    ),
    "repeat_flat": Row(lambda x: gt.repeat(x, 2), lambda v: np.repeat(v, 2)),
    "repeat_axis": Row(lambda x: x.repeat(3, axis=1), lambda v: np.repeat(v, 3, axis=1)),
    "repeat_counts": Row(
        lambda x: gt.repeat(x, [2, 0, 1], axis=0), lambda v: np.repeat(v, [2, 0, 1], axis=0)
    ),
    "repeat_one_count": Row(lambda x: gt.repeat(x, [2], axis=2), lambda v: np.repeat(v, 2, axis=2)),
    "tile_same_ndim": Row(lambda x: gt.tile(x, (2, 1, 3)), lambda v: np.tile(v, (2, 1, 3))),
    "tile_short_reps": Row(lambda x: gt.tile(x, 2), lambda v: np.tile(v, 2)),
    "tile_long_reps": Row(lambda x: gt.tile(x, [2, 1, 1, 2]), lambda v: np.tile(v, [2, 1, 1, 2])),
}


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "int64", "bool"])
def test_extra_ops_match_numpy(dtype):
    kept = "int64" if dtype == "bool" else dtype
    cases = {
        name: Case(row.build, row.formula, dtype=kept if row.keeps_dtype else None)
        for name, row in CASES.items()
        if dtype != "bool" or row.takes_bool
    }
    x = gt.tensor(dtype, shape=SHAPE, name="x")
    check_op(cases, [x], [_value(dtype, SHAPE)], exact_static_shapes=True)


def test_unknown_lengths_stay_unknown():
    x = gt.dmatrix("x")
    assert gt.cumsum(x).type.shape == (None,)
    assert gt.diff(x, axis=0).type.shape == (None, None)
    assert gt.repeat(x, [1, 2], axis=0).type.shape == (3, None)
    assert gt.repeat(x, 2, axis=1).type.shape == (None, None)
    assert gt.tile(x, (2, 2, 3)).type.shape == (2, None, None)
    assert gt.diff(gt.dvector(shape=(5,)), 2).type.shape == (3,)


def test_repeat_counts_from_an_input_are_static_per_value():
    x, counts = gt.dvector("x"), gt.lvector("counts")
    f = g.function([x, counts], gt.repeat(x, counts))
    v = np.array([1.0, 2.0, 3.0])
    for c in ([1, 0, 2], [3, 1, 1], [1, 0, 2]):
        np.testing.assert_array_equal(f(v, np.array(c)), np.repeat(v, c))
    n = gt.lscalar("n")
    h = g.function([x, n], gt.repeat(x, n))
    np.testing.assert_array_equal(h(v, 2), np.repeat(v, 2))
    np.testing.assert_array_equal(h(v, 0), np.repeat(v, 0))


@pytest.mark.parametrize(
    "build, error",
    [
        (lambda: gt.cumsum(gt.dmatrix(), axis=2), np.exceptions.AxisError),
        (lambda: gt.cumprod(gt.dmatrix(), axis=-3), np.exceptions.AxisError),
        (lambda: gt.cumsum(gt.dmatrix(), axis=0.5), TypeError),
        (lambda: gt.CumOp(0, "max"), ValueError),
        (lambda: gt.Repeat(0, transposed=True)(gt.dvector(), 2), TypeError),
        (lambda: gt.sort(gt.dmatrix(), axis=2), np.exceptions.AxisError),
        (lambda: gt.sort(gt.dscalar(), axis=0), np.exceptions.AxisError),
        (lambda: gt.sort(gt.dvector(), kind="bogo"), ValueError),
        (lambda: gt.argsort(gt.dvector(), order="f"), ValueError),
        (lambda: gt.sort(gt.dvector(), kind="stable", stable=True), ValueError),
        (lambda: gt.argsort(gt.dmatrix(), axis=-3), np.exceptions.AxisError),
        (lambda: gt.diff(gt.dvector(), n=-1), ValueError),
        (lambda: gt.diff(gt.dscalar()), ValueError),
        (lambda: gt.diff(gt.dmatrix(), axis=2), np.exceptions.AxisError),
        (lambda: gt.repeat(gt.dvector(), -1), ValueError),
        (lambda: gt.repeat(gt.dvector(shape=(3,)), [1, 2]), ValueError),
        (lambda: gt.repeat(gt.dvector(), 1.5), TypeError),
        (lambda: gt.repeat(gt.dvector(), [[1]]), TypeError),
        (lambda: gt.repeat(gt.dmatrix(), 2, axis=2), np.exceptions.AxisError),
        (lambda: gt.tile(gt.dvector(), gt.lvector()), ValueError),
        (lambda: gt.tile(gt.dvector(), (-1,)), ValueError),
        (lambda: gt.tile(gt.dvector(), (1.5,)), TypeError),
    ],
)
def test_bad_arguments_raise(build, error):
    with pytest.raises(error):
        build()


def test_axis_error_is_both_value_and_index_error():
    with pytest.raises(ValueError, match="axis 2"):
        gt.cumsum(gt.dmatrix("m"), axis=2)
    with pytest.raises(IndexError):
        gt.sort(gt.dmatrix("m"), axis=-5)


def test_ops_take_part_in_equality_by_their_parameters():
    assert gt.CumOp(0, "add") == gt.CumOp(0, "add") != gt.CumOp(0, "add", reverse=True)
    assert gt.ArgSortOp(1) != gt.ArgSortOp(0)
    assert gt.Repeat(0) != gt.Repeat(0, transposed=True)
    assert str(gt.CumOp(1, "mul")) == "CumOp{axis=1, mode=mul, reverse=False}"


@settings(max_examples=8)
@given(
    value=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=2, max_side=4),
        # XLA flushes subnormals to zero: they compare equal to 0 under JAX
        elements=st.floats(-10, 10, width=64, allow_subnormal=False),
    ),
    data=st.data(),
)
def test_sort_argsort_cumsum_agree_with_numpy(value, data):
    axis = data.draw(st.integers(-value.ndim, value.ndim - 1))
    x = gt.tensor("float64", shape=(None,) * value.ndim)
    f = g.function([x], [gt.sort(x, axis), gt.argsort(x, axis), gt.cumsum(x, axis)])
    s, a, c = f(value)
    np.testing.assert_array_equal(s, np.sort(value, axis))
    np.testing.assert_array_equal(a, np.argsort(value, axis, kind="stable"))
    np.testing.assert_allclose(c, np.cumsum(value, axis), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------
# gradients: finite differences, and jax.grad of the same jnp expression

GRAD_CASES = {
    "cumsum_flat": (gt.cumsum, jnp.cumsum),
    "cumsum_1": (lambda x: gt.cumsum(x, 1), lambda v: jnp.cumsum(v, 1)),
    "cumprod_0": (lambda x: gt.cumprod(x, 0), lambda v: jnp.cumprod(v, 0)),
    "cumprod_flat": (gt.cumprod, jnp.cumprod),
    "sort_last": (gt.sort, jnp.sort),
    "sort_0": (lambda x: gt.sort(x, 0), lambda v: jnp.sort(v, 0)),
    "sort_flat": (lambda x: gt.sort(x, None), lambda v: jnp.sort(v, None)),
    "diff": (gt.diff, jnp.diff),
    "diff_3_axis0": (lambda x: gt.diff(x, 3, axis=0), lambda v: jnp.diff(v, 3, axis=0)),
    "repeat_flat": (lambda x: gt.repeat(x, 2), lambda v: jnp.repeat(v, 2)),
    "repeat_counts": (
        lambda x: gt.repeat(x, [0, 2, 1, 3], axis=0),
        lambda v: jnp.repeat(v, np.array([0, 2, 1, 3]), axis=0),
    ),
    "repeat_zero": (lambda x: gt.repeat(x, 0, axis=1), lambda v: jnp.repeat(v, 0, axis=1)),
    "tile": (lambda x: gt.tile(x, (2, 1, 3)), lambda v: jnp.tile(v, (2, 1, 3))),
    "tile_zero": (lambda x: gt.tile(x, (0, 2)), lambda v: jnp.tile(v, (0, 2))),
    "tile_short_reps": (lambda x: gt.tile(x, 2), lambda v: jnp.tile(v, 2)),
}


def test_gradients_match_jax_grad():
    value = RNG.normal(size=(4, 3))
    check_op(jax_grad_cases(GRAD_CASES, [value], RNG), [gt.dmatrix("x")], [value])


def test_gradients_pass_verify_grad():
    check_op(GRAD_CASES, [gt.dmatrix("x")], [RNG.normal(size=(4, 3))], grads=True)


def test_second_order_gradients_use_the_transposed_ops():
    # the gradient of each linear op is its transpose, whose gradient is the op again
    x = gt.dvector("x")
    first_order = {
        "cumsum": (gt.cumsum, jnp.cumsum),
        "diff_2": (lambda v: gt.diff(v, 2), lambda v: jnp.diff(v, 2)),
        "repeat": (lambda v: gt.repeat(v, 2), lambda v: jnp.repeat(v, 2)),
        "sort": (gt.sort, jnp.sort),
        "tile": (lambda v: gt.tile(v, 3), lambda v: jnp.tile(v, 3)),
    }
    cases = {
        name: (
            lambda v, b=build: g.grad(gt.sum(b(v) ** 2), v),
            lambda v, f=f: jax.grad(lambda u: jnp.sum(f(u) ** 2))(v),
        )
        for name, (build, f) in first_order.items()
    }
    check_op(cases, [x], [RNG.normal(size=4)], grads=True)
    assert g.grad(gt.sum(gt.cumsum(x)), x).owner.op == gt.CumOp(0, "add", reverse=True)


def test_float32_gradients_stay_float32():
    x = gt.fmatrix("x")
    for build in (
        gt.cumsum,
        gt.cumprod,
        gt.sort,
        gt.diff,
        lambda v: gt.repeat(v, 2),
        lambda v: gt.tile(v, 2),
    ):
        assert g.grad(gt.sum(build(x)), x).dtype == "float32"


def test_argsort_gradient_is_zeros_as_pytensor():
    x = gt.dvector("x")
    gx = g.grad(gt.sum(gt.argsort(x) * 1.0), x)
    np.testing.assert_array_equal(g.function([x], gx, mode="NUMPY")(np.ones(3)), np.zeros(3))


def test_cumprod_gradient_is_not_finite_at_zeros():
    # documented, as PyTensor: the gradient divides by x
    x = gt.dvector("x")
    f = g.function([x], g.grad(gt.sum(gt.cumprod(x)), x))
    assert not np.isfinite(f(np.array([1.0, 0.0, 2.0]))).all()


def test_infer_shape_matches_the_computed_shapes():
    x = gt.dmatrix("x")
    counts = np.array([1, 0, 2], dtype="int64")
    outs = [
        gt.cumsum(x, 1),
        gt.sort(x, 0),
        gt.argsort(x),
        gt.diff(x, 2, 0),
        gt.repeat(x, 2, axis=1),
        gt.repeat(x, counts, axis=0),
        gt.tile(x, (2, 3)),
        gt.Diff(2, 0, transposed=True)(x),
        gt.Repeat(0, transposed=True)(x, counts),
    ]
    check_infer_shape([x], outs, [np.ones((3, 4))])


def test_sort_arguments_follow_pytensor():
    """PyTensor's names and defaults: sort(a, axis, kind=None, order, *, stable), repeat(a, ...),
    tile(A, reps)."""
    x = gt.dvector("x")
    assert gt.sort(x).owner.op.kind == "quicksort"
    assert gt.sort(x, stable=True).owner.op.kind == "stable"
    assert gt.argsort(a=x, stable=False).owner.op.kind == "quicksort"
    assert gt.repeat(a=x, repeats=2).type.shape == (None,)
    assert gt.tile(A=x, reps=(2,)).type.shape == (None,)
