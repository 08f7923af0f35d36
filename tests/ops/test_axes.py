"""Axis moves and diagonals (``graph2jax/ops/axes.py`` and ``diagonal.py``) against numpy: values, dtypes,
static shapes (as PyTensor 3.0.7 gives them, or more precise), errors, gradients.

One function per dtype computes every case, on a statically shaped input and on
one of unknown shape (the symbolic index paths) at once.
"""

from __future__ import annotations

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
from tests.helpers import compare_jax_and_numpy, random_value

RNG = np.random.default_rng(0)
AxisError = np.exceptions.AxisError
_value = partial(random_value, RNG)


def _filled(a: np.ndarray, val: float, offset: int = 0) -> np.ndarray:
    out = a.copy()
    if offset == 0:
        np.fill_diagonal(out, val)
    else:
        rows = np.arange(out.shape[0])
        keep = (rows + offset >= 0) & (rows + offset < out.shape[1])
        out[rows[keep], rows[keep] + offset] = val
    return out


# (graph builder, numpy formula) on a (2, 3, 4) tensor
TENSOR_CASES = [
    (gt.flip, np.flip),
    (lambda x: gt.flip(x, (0, 2)), lambda v: np.flip(v, (0, 2))),
    (lambda x: gt.flip(x, -1), lambda v: np.flip(v, -1)),
    (lambda x: gt.moveaxis(x, 0, -1), lambda v: np.moveaxis(v, 0, -1)),
    (lambda x: gt.moveaxis(x, (0, 1), (2, 0)), lambda v: np.moveaxis(v, (0, 1), (2, 0))),
    (lambda x: gt.swapaxes(x, 0, 2), lambda v: np.swapaxes(v, 0, 2)),
    (gt.matrix_transpose, lambda v: np.swapaxes(v, -1, -2)),
    (lambda x: gt.roll(x, 1, axis=1), lambda v: np.roll(v, 1, axis=1)),
    (lambda x: gt.roll(x, -5), lambda v: np.roll(v, -5)),
    (lambda x: gt.roll(x, (1, 7), (0, 2)), lambda v: np.roll(v, (1, 7), (0, 2))),
    (lambda x: gt.atleast_Nd(x, n=5, left=False), lambda v: v[..., None, None]),
    (gt.atleast_1d, np.atleast_1d),
    (gt.diagonal, np.diagonal),
    (lambda x: gt.diagonal(x, 1, 0, 2), lambda v: np.diagonal(v, 1, 0, 2)),
    (lambda x: gt.diagonal(x, -1, 2, 1), lambda v: np.diagonal(v, -1, 2, 1)),
    (lambda x: gt.diagonal(x, 9), lambda v: np.diagonal(v, 9)),
    (lambda x: gt.trace(x, 0, 1, 2), lambda v: np.trace(v, 0, 1, 2)),
]
# on a (3, 5) matrix
MATRIX_CASES = [
    (gt.diag, np.diag),
    (lambda m: gt.diag(m, -1), lambda v: np.diag(v, -1)),
    (lambda m: gt.diag(m, 2), lambda v: np.diag(v, 2)),
    (gt.extract_diag, np.diagonal),
    (gt.trace, np.trace),
    (lambda m: gt.trace(m, offset=-2), lambda v: np.trace(v, offset=-2)),
    (lambda m: gt.atleast_3d(m), lambda v: v[None]),
    (lambda m: gt.fill_diagonal(m, m[0, 0]), lambda v: _filled(v, v[0, 0])),
    (lambda m: gt.fill_diagonal_offset(m, m[1, 0], 3), lambda v: _filled(v, v[1, 0], 3)),
    (lambda m: gt.fill_diagonal_offset(m, m[1, 0], -1), lambda v: _filled(v, v[1, 0], -1)),
]
# on a length-4 vector
VECTOR_CASES = [
    (gt.diag, np.diag),
    (lambda v: gt.diag(v, -2), lambda v: np.diag(v, -2)),
    (lambda v: gt.diag(v, 1), lambda v: np.diag(v, 1)),
    (gt.atleast_2d, np.atleast_2d),
    (lambda v: gt.atleast_3d(v, left=False), lambda v: v[:, None, None]),
    (lambda v: gt.roll(v, 3), lambda v: np.roll(v, 3)),
]
GROUPS = [(TENSOR_CASES, (2, 3, 4)), (MATRIX_CASES, (3, 5)), (VECTOR_CASES, (4,))]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
def test_against_numpy(dtype):
    inputs, outputs, values, expected = [], [], [], []
    for cases, shape in GROUPS:
        static = gt.tensor(dtype, shape=shape)
        dynamic = gt.tensor(dtype, shape=(None,) * len(shape))
        value = _value(dtype, shape)
        inputs += [static, dynamic]
        values += [value, value]
        for build, formula in cases:
            want = formula(value)
            for x in (static, dynamic):
                out = build(x)
                assert out.ndim == want.ndim
                if x is static:  # fully known shapes stay known
                    assert out.type.shape == want.shape, build
                outputs.append(out)
                expected.append(want)
    got = compare_jax_and_numpy(inputs, outputs, values, expected=expected)
    for out, res, want in zip(outputs, got, expected, strict=True):
        assert res.dtype == want.dtype, out


def test_static_types_match_pytensor():
    x = gt.tensor("float32", shape=(2, 3, 4))
    m = gt.tensor("int32", shape=(3, 5))
    v = gt.tensor("int64", shape=(4,))
    # (result, PyTensor 3.0.7's type) where PyTensor's static shape is fully known
    for out, dtype, shape in [
        (gt.flip(x, (0, 2)), "float32", (2, 3, 4)),
        (gt.roll(x, 2), "float32", (2, 3, 4)),
        (gt.moveaxis(x, 0, -1), "float32", (3, 4, 2)),
        (gt.swapaxes(x, 0, 2), "float32", (4, 3, 2)),
        (gt.matrix_transpose(x), "float32", (2, 4, 3)),
        (gt.atleast_1d(gt.dscalar()), "float64", (1,)),
        (gt.atleast_Nd(m, n=4, left=False), "int32", (3, 5, 1, 1)),
        (gt.diag(v), "int64", (4, 4)),
        (gt.diag(v, k=-2), "int64", (6, 6)),
        (gt.diag(m, k=1), "int32", (3,)),
        (gt.diagonal(x, 1, 0, 2), "float32", (3, 2)),
        (gt.trace(m), "int64", ()),
        (gt.trace(x, 0, 1, 2), "float32", (2,)),
        (gt.fill_diagonal(m, np.int32(2)), "int32", (3, 5)),
        (gt.fill_diagonal_offset(gt.dmatrix(shape=(3, 5)), gt.dscalar(), 1), "float64", (3, 5)),
    ]:
        assert (out.dtype, out.type.shape) == (dtype, shape), out
    # PyTensor loses the rolled axis' length; the gather keeps it
    assert gt.roll(x, gt.iscalar(), axis=1).type.shape == (2, 3, 4)


def test_symbolic_shift_and_offset():
    x, shift, k = gt.dmatrix("x"), gt.lscalar("shift"), gt.lscalar("k")
    f = g.function([x, shift, k], [gt.roll(x, shift, 1), gt.diag(x[0], k), gt.trace(x, k)])
    v = _value("float64", (3, 4))
    for s, off in [(1, 0), (-6, 2), (0, -1)]:
        rolled, d, t = f(v, s, off)
        np.testing.assert_array_equal(rolled, np.roll(v, s, 1))
        np.testing.assert_array_equal(d, np.diag(v[0], off))
        np.testing.assert_allclose(t, np.trace(v, off))


@settings(max_examples=10, deadline=None)
@given(shift=st.integers(-20, 20), axis=st.sampled_from([0, 1, None]))
def test_roll_property(shift, axis):
    out = _ROLL[axis](_ROLL_VALUE, shift)
    np.testing.assert_array_equal(out, np.roll(_ROLL_VALUE, shift, axis))


_ROLL_X, _ROLL_S = gt.tensor("int64", shape=(None, 5)), gt.lscalar()
_ROLL = {a: g.function([_ROLL_X, _ROLL_S], gt.roll(_ROLL_X, _ROLL_S, a)) for a in (0, 1, None)}
_ROLL_VALUE = np.arange(15).reshape(3, 5)


@pytest.mark.parametrize(
    "build, error",
    [
        (lambda: gt.matrix_transpose(gt.dvector()), ValueError),
        (lambda: gt.diag(gt.tensor3()), ValueError),
        (lambda: gt.diagonal(gt.dvector()), ValueError),
        (lambda: gt.diagonal(gt.dmatrix(), 0, 0, 2), AxisError),
        (lambda: gt.diagonal(gt.dmatrix(), 0.5), TypeError),
        (lambda: gt.fill_diagonal(gt.dvector(), 1.0), TypeError),
        (lambda: gt.fill_diagonal(gt.imatrix(), 2.5), TypeError),
        (lambda: gt.fill_diagonal(gt.dmatrix(), gt.dvector()), TypeError),
        (lambda: gt.fill_diagonal_offset(gt.tensor3(), 1.0, 0), TypeError),
        (lambda: gt.fill_diagonal(gt.tensor3(shape=(2, 3, 2)), 1.0), ValueError),
        (lambda: gt.moveaxis(gt.dmatrix(), 2, 0), AxisError),
        (lambda: gt.moveaxis(gt.dmatrix(), (0, 1), 0), ValueError),
        (lambda: gt.swapaxes(gt.dmatrix(), 0, -3), AxisError),
        (lambda: gt.flip(gt.dmatrix(), 2), AxisError),
        (lambda: gt.roll(gt.dvector(), 1.5), TypeError),
        (lambda: gt.roll(gt.dmatrix(), (1, 2), (0,)), ValueError),
    ],
)
def test_bad_inputs(build, error):
    with pytest.raises(error):
        build()


@pytest.mark.parametrize(
    "fun, shapes",
    [
        (lambda x: gt.flip(x, 1) * gt.roll(x, 2, 0) + gt.moveaxis(x, 0, 1).T, [(3, 3)]),
        (lambda x: gt.diagonal(x, 1, 0, 2) ** 2 + gt.trace(x, -1, 2, 0)[:, None], [(3, 2, 4)]),
        (lambda v: gt.diag(v, 1) * gt.diag(v[::-1], -1).T, [(4,)]),
        (lambda m, s: gt.fill_diagonal(m, s) * gt.fill_diagonal_offset(m, s, 2), [(3, 4), ()]),
        (lambda t, s: gt.fill_diagonal(t, s), [(3, 3, 3), ()]),
    ],
)
def test_verify_grad(fun, shapes):
    verify_grad(fun, [RNG.normal(size=s) for s in shapes], rng=np.random.default_rng(0))


def test_grad_matches_jax():
    m, s = gt.dmatrix("m"), gt.dscalar("s")
    cost = (gt.roll(m, 1, 1) * gt.fill_diagonal(m, s)).sum() + gt.trace(m, 1) * s
    f = g.function([m, s], g.grad(cost, [m, s]))

    def ref(m, s):
        filled = m.at[jnp.arange(3), jnp.arange(3)].set(s)
        return (jnp.roll(m, 1, 1) * filled).sum() + jnp.trace(m, 1) * s

    mv, sv = RNG.normal(size=(3, 4)), 0.7
    for got, want in zip(f(mv, sv), jax.jit(jax.grad(ref, (0, 1)))(mv, sv), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
