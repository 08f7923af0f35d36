"""The second linear algebra set: products (trace, kron, matrix_power, ...), LU, expm,
eig/schur, lstsq and the matrix equations, against numpy/scipy; gradients against finite
differences and ``jax.grad``; static types against PyTensor's.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np
import pytest
import scipy.linalg as sl

import graph2jax as g
import graph2jax.tensor as gt
import graph2jax.tensor.linalg as la
import graph2jax.tensor.nlinalg as nla
import graph2jax.tensor.slinalg as sla
from graph2jax.gradient import verify_grad
from tests.helpers import compare_jax_and_numpy
from tests.ops.linalg.test_values import _general

RNG = np.random.default_rng(5)


def _t(shape: tuple, dtype: str = "float64") -> gt.TensorVariable:
    return gt.tensor(dtype=dtype, shape=shape)


def _rand(shape: tuple, dtype: str = "float64") -> np.ndarray:
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(-3, 4, size=shape).astype(dtype)
    return RNG.normal(size=shape).astype(dtype)


def _pivot_orders(piv: np.ndarray) -> tuple:
    """scipy's ``lu(p_indices=True)`` permutation for LAPACK pivots, and its inverse."""
    order = np.arange(len(piv))
    for i, p in enumerate(piv):
        order[[i, p]] = order[[p, i]]
    return np.argsort(order), order


# name -> (input shapes and dtypes, graph of the inputs, numpy/scipy formula, value makers)
VALUE_CASES = {
    "trace_int32": ([((3, 4), "int32")], la.trace, lambda a: np.trace(a), None),
    "trace_batch": ([((3, 3, 2), "float32")], la.trace, lambda a: np.trace(a).sum(), None),
    "kron_2d_mixed": (
        [((2, 3), "int32"), ((2, 2), "float32")],
        la.kron,
        np.kron,
        None,
    ),
    "kron_3d_1d": ([((2, 1, 3), "float64"), ((2,), "float64")], la.kron, np.kron, None),
    "matrix_power_5": (
        [((2, 3, 3), "float64")],
        lambda a: la.matrix_power(a, 5),
        lambda a: np.linalg.matrix_power(a, 5),
        None,
    ),
    "matrix_power_int": (
        [((3, 3), "int32")],
        lambda a: la.matrix_power(a, 2),
        lambda a: np.linalg.matrix_power(a, 2),
        None,
    ),
    "matrix_power_0_-3": (
        [((3, 3), "float64")],
        lambda a: (la.matrix_power(a, 0), la.matrix_power(a, -3)),
        lambda a: (np.eye(3), np.linalg.matrix_power(a, -3)),
        [lambda s, d: _general(s, d)],
    ),
    "matrix_dot": (
        [((2, 3), "float64"), ((3, 4), "float64"), ((4,), "float64")],
        la.matrix_dot,
        lambda *xs: np.linalg.multi_dot(xs),
        None,
    ),
    "block_diag_int8": (
        [((2, 2), "int8"), ((1, 3), "int8")],
        la.block_diag,
        sl.block_diag,
        None,
    ),
    "block_diag_3": (
        [((2, 1), "float32"), ((1, 3), "float64"), ((2, 2), "int32")],
        la.block_diag,
        sl.block_diag,
        None,
    ),
    "tensorinv": (
        [((4, 6, 8, 3), "float64")],
        la.tensorinv,
        np.linalg.tensorinv,
        None,
    ),
    "tensorinv_ind1": (
        [((6, 2, 3), "float32")],
        lambda a: la.tensorinv(a, ind=1),
        lambda a: np.linalg.tensorinv(a, ind=1),
        [lambda s, d: (np.eye(6) * 3 + RNG.normal(size=(6, 6))).reshape(s).astype(d)],
    ),
    "tensorsolve": (
        [((6, 4, 2, 3, 4), "float64"), ((6, 4), "float64")],
        la.tensorsolve,
        np.linalg.tensorsolve,
        None,
    ),
    "tensorsolve_axes": (
        [((2, 6, 3), "float64"), ((6,), "float64")],
        lambda a, b: la.tensorsolve(a, b, axes=[0]),
        lambda a, b: np.linalg.tensorsolve(a, b, axes=[0]),
        None,
    ),
    "eigvalsh_upper": (
        [((2, 3, 3), "float64")],
        lambda a: la.eigvalsh(a, lower=False),
        lambda a: np.linalg.eigvalsh(a, UPLO="U"),
        None,
    ),
    "lu_factor": (
        [((5, 5), "float64")],
        la.lu_factor,
        sl.lu_factor,
        None,
    ),
    "lu_factor_batch_f32": (
        [((2, 4, 4), "float32")],
        la.lu_factor,
        lambda a: tuple(map(np.stack, zip(*(sl.lu_factor(m) for m in a), strict=True))),
        None,
    ),
    "lu": ([((4, 4), "float64")], la.lu, sl.lu, None),
    "lu_p_indices": (
        [((4, 4), "int32")],
        lambda a: la.lu(a, p_indices=True),
        lambda a: sl.lu(a.astype("float64"), p_indices=True),
        None,
    ),
    "lu_permute_l": (
        [((4, 4), "float64")],
        lambda a: la.lu(a, permute_l=True),
        lambda a: sl.lu(a, permute_l=True),
        None,
    ),
    "lu_solve_vec_T": (
        [((4, 4), "float64"), ((4,), "float64")],
        lambda a, b: la.lu_solve(la.lu_factor(a), b, trans=True),
        lambda a, b: sl.lu_solve(sl.lu_factor(a), b, trans=1),
        None,
    ),
    "lu_solve_mat": (
        [((4, 4), "float64"), ((4, 2), "float64")],
        lambda a, b: la.lu_solve(la.lu_factor(a), b),
        lambda a, b: sl.lu_solve(sl.lu_factor(a), b),
        None,
    ),
    "pivot_to_permutation": (
        [((5,), "int32")],
        lambda p: (la.pivot_to_permutation(p), la.pivot_to_permutation(p, inverse=True)),
        _pivot_orders,
        [lambda s, d: sl.lu_factor(RNG.normal(size=(5, 5)))[1]],
    ),
    "expm_batch": ([((2, 3, 3), "float64")], la.expm, sl.expm, None),
    "expm_int": ([((3, 3), "int8")], la.expm, lambda a: sl.expm(a.astype("float32")), None),
    "lstsq_vec": (
        [((5, 3), "float64"), ((5,), "float64")],
        la.lstsq,
        lambda a, b: np.linalg.lstsq(a, b, rcond=None),
        None,
    ),
    "lstsq_mat_f32": (
        [((4, 3), "float32"), ((4, 2), "float32")],
        la.lstsq,
        lambda a, b: np.linalg.lstsq(a, b, rcond=None),
        None,
    ),
    "solve_sylvester": (
        [((3, 3), "float64"), ((2, 2), "float64"), ((3, 2), "float64")],
        la.solve_sylvester,
        sl.solve_sylvester,
        None,
    ),
    "solve_sylvester_batch": (
        [((2, 3, 3), "float64"), ((3, 3), "float64"), ((2, 3, 3), "float64")],
        la.solve_sylvester,
        lambda a, b, q: np.stack([sl.solve_sylvester(x, b, y) for x, y in zip(a, q, strict=True)]),
        None,
    ),
    "solve_continuous_lyapunov": (
        [((3, 3), "float64"), ((3, 3), "float64")],
        la.solve_continuous_lyapunov,
        sl.solve_continuous_lyapunov,
        None,
    ),
    "solve_discrete_lyapunov_f32": (
        [((3, 3), "float32"), ((3, 3), "float32")],
        lambda a, q: la.solve_discrete_lyapunov(a / 4, q, method="direct"),
        lambda a, q: sl.solve_discrete_lyapunov(a / 4, q),
        None,
    ),
}


@pytest.mark.parametrize("name", list(VALUE_CASES))
def test_values_match_numpy(name):
    specs, fn, ref, makers = VALUE_CASES[name]
    inputs = [_t(s, d) for s, d in specs]
    makers = makers or [None] * len(specs)
    values = [(mk or _rand)(s, d) for (s, d), mk in zip(specs, makers, strict=True)]
    out = fn(*inputs)
    outs = list(out) if isinstance(out, tuple | list) else [out]
    e = ref(*values)
    expected = list(e) if isinstance(e, tuple | list) else [e]
    tol = 1e-4 if any(v.dtype in ("float32", "complex64") for v in outs) else 1e-8
    compare_jax_and_numpy(inputs, outs, values, expected=expected, rtol=tol, atol=tol)


# static types, checked against PyTensor 3.0.7's
TYPE_CASES = [
    (lambda: la.trace(_t((3, 4), "int32")), [("int64", ())]),
    (lambda: la.kron(_t((3, 4), "int32"), _t((2, 5), "float32")), [("float64", (6, 20))]),
    (lambda: la.matrix_power(_t((3, 3), "int32"), 3), [("int32", (3, 3))]),
    (lambda: la.block_diag(_t((3, 4), "int32"), _t((2, 5), "float32")), [("float64", (5, 9))]),
    (lambda: la.tensorinv(_t((4, 6, 8, 3))), [("float64", (4, 6, 8, 3)[2:] + (4, 6))]),
    (lambda: la.eigvalsh(_t((None, None, 3, 3), "int32")), [("float64", (None, None, 3))]),
    (
        lambda: la.lu_factor(_t((None, 3, 3), "float32")),
        [("float32", (None, 3, 3)), ("int32", (None, 3))],
    ),
    (
        lambda: la.lu(_t((None, 3, 3)), p_indices=True),
        [("int32", (None, 3)), ("float64", (None, 3, 3)), ("float64", (None, 3, 3))],
    ),
    (lambda: la.expm(_t((3, 3), "int32")), [("float64", (3, 3))]),
    (lambda: la.eig(_t((3, 3), "float32")), [("complex64", (3,)), ("complex64", (3, 3))]),
    (
        lambda: la.eig(_t((None, 3, 3), "int32")),
        [("complex128", (None, 3)), ("complex128", (None, 3, 3))],
    ),
    (lambda: la.schur(_t((3, 3), "float32")), [("float32", (3, 3))] * 2),
    (lambda: la.schur(_t((None, None)), output="complex"), [("complex128", (None, None))] * 2),
    (
        lambda: la.solve_sylvester(
            _t((3, 3), "float32"), _t((2, 2), "float32"), _t((3, 2), "float32")
        ),
        [("float32", (3, 2))],
    ),
    (
        lambda: la.solve_discrete_lyapunov(_t((None, 3, 3)), _t((None, 3, 3))),
        [("float64", (None, 3, 3))],
    ),
    (lambda: la.pivot_to_permutation(_t((3,), "int32")), [("int64", (3,))]),
]


@pytest.mark.parametrize("k", range(len(TYPE_CASES)))
def test_static_types(k):
    build, want = TYPE_CASES[k]
    out = build()
    outs = list(out) if isinstance(out, tuple | list) else [out]
    assert [(o.dtype, o.type.shape) for o in outs] == want


def test_eig_and_schur_reconstruct():
    x = _t((2, 4, 4))
    value = _general((2, 4, 4))
    w, v = la.eig(x)
    t, z = la.schur(x)
    tc, zc = la.schur(x, output="complex")
    got = compare_jax_and_numpy([x], [w, abs(v), t, z, tc, zc], [value], rtol=1e-8, atol=1e-8)
    w_, v_, t_, z_, tc_, zc_ = got
    np.testing.assert_allclose(np.sort_complex(w_[0]), np.sort_complex(np.linalg.eigvals(value[0])))
    np.testing.assert_allclose(z_ @ t_ @ np.swapaxes(z_, -1, -2), value, atol=1e-10)
    np.testing.assert_allclose(zc_ @ tc_ @ np.conj(np.swapaxes(zc_, -1, -2)), value, atol=1e-10)
    np.testing.assert_allclose(np.tril(tc_, -1), 0, atol=1e-12)


def test_lstsq_rank_deficient_and_rcond():
    a, b, r = _t((None, None)), _t((None,)), _t(())
    x, resid, rank, s = la.lstsq(a, b, r)
    av = RNG.normal(size=(5, 3))
    av = np.c_[av, av[:, :1]]  # rank 3 of 4 columns
    bv = RNG.normal(size=5)
    got = compare_jax_and_numpy([a, b, r], [x, resid, rank, s], [av, bv, -1.0])
    want_x, _, want_rank, want_s = np.linalg.lstsq(av, bv, rcond=-1)
    np.testing.assert_allclose(got[0], want_x, atol=1e-10)
    assert got[2] == want_rank == 3
    np.testing.assert_allclose(got[1], [np.sum((av @ want_x - bv) ** 2)])


def test_namespaces():
    assert nla.kron is la.kron and nla.lstsq is la.lstsq and nla.eig is la.eig
    assert sla.lu_solve is la.lu_solve and sla.expm is la.expm and sla.block_diag is la.block_diag


@pytest.mark.parametrize(
    "build, exc",
    [
        (lambda: la.kron(gt.dvector(), gt.dvector()), TypeError),
        (lambda: la.trace(gt.dvector()), ValueError),
        (lambda: la.matrix_power(_t((2, 3)), 2), ValueError),
        (lambda: la.block_diag(gt.dvector()), TypeError),
        (lambda: la.block_diag(), TypeError),
        (lambda: la.matrix_dot(), TypeError),
        (lambda: la.tensorinv(_t((4, 4)), ind=2), ValueError),
        (lambda: la.expm(_t((2, 3))), ValueError),
        (lambda: la.lu_factor(gt.dvector()), ValueError),
        (lambda: la.pivot_to_permutation(gt.dvector()), TypeError),
        (lambda: la.lstsq(_t((3, 2)), _t((4,))), ValueError),
        (lambda: la.schur(gt.dmatrix(), sort="lhp"), NotImplementedError),
        (lambda: la.schur(gt.dmatrix(), output="x"), ValueError),
        (lambda: la.solve_discrete_lyapunov(gt.dmatrix(), gt.dmatrix(), method="x"), ValueError),
        (lambda: la.eigvalsh(gt.dmatrix(), gt.dmatrix()), NotImplementedError),
    ],
)
def test_bad_inputs(build, exc):
    with pytest.raises(exc):
        build()


# ---------------------------------------------------------------------------
# gradients

_A = _general((3, 3))
_B = _general((2, 2))
_Q = RNG.normal(size=(3, 2))


def _jsylvester(a, b, q):
    """jax's solve_sylvester has no gradient for a and b (Schur): its Kronecker system."""
    m, n = q.shape
    system = jnp.kron(a, jnp.eye(n)) + jnp.kron(jnp.eye(m), b.T)
    return jnp.linalg.solve(system, q.reshape(-1)).reshape(m, n)


# name -> (graph function of one input, the same in jnp, value)
GRAD_CASES = {
    "trace": (la.trace, lambda a: jnp.trace(a).sum(), RNG.normal(size=(3, 3, 2))),
    "kron": (
        lambda a: la.kron(a, gt.constant(_B)),
        lambda a: jnp.kron(a, _B),
        RNG.normal(size=(2, 3)),
    ),
    "matrix_power_3": (
        lambda a: la.matrix_power(a, 3),
        lambda a: jnp.linalg.matrix_power(a, 3),
        RNG.normal(size=(2, 3, 3)),
    ),
    "matrix_power_-2": (
        lambda a: la.matrix_power(a, -2),
        lambda a: jnp.linalg.matrix_power(a, -2),
        _general((3, 3)),
    ),
    "matrix_dot": (
        lambda a: la.matrix_dot(a, gt.constant(_Q), gt.constant(_B)),
        lambda a: a @ _Q @ _B,
        RNG.normal(size=(2, 3)),
    ),
    "block_diag": (
        lambda a: la.block_diag(a, gt.constant(_B)),
        lambda a: jsl.block_diag(a, _B),
        RNG.normal(size=(2, 3)),
    ),
    "tensorinv": (
        lambda a: la.tensorinv(a, ind=1),
        lambda a: jnp.linalg.tensorinv(a, ind=1),
        _general((4, 4)).reshape(4, 2, 2),
    ),
    "tensorsolve": (
        lambda a: la.tensorsolve(a, gt.constant(np.arange(4.0))),
        lambda a: jnp.linalg.tensorsolve(a, jnp.arange(4.0)),
        _general((4, 4)).reshape(4, 2, 2),
    ),
    "eigvalsh": (
        la.eigvalsh,
        lambda a: jnp.linalg.eigvalsh(jnp.tril(a) + jnp.tril(a, -1).T),
        RNG.normal(size=(3, 3)),
    ),
    "lu_factor": (
        lambda a: la.lu_factor(a)[0],
        lambda a: jsl.lu_factor(a)[0],
        RNG.normal(size=(2, 4, 4)),
    ),
    "lu": (
        lambda a: (lambda p, l, u: gt.matmul(l, u**2))(*la.lu(a)),
        lambda a: (lambda p, l, u: l @ u**2)(*jsl.lu(a)),
        RNG.normal(size=(4, 4)),
    ),
    "lu_solve_a": (
        lambda a: la.lu_solve(la.lu_factor(a), gt.constant(_Q), trans=True),
        lambda a: jsl.lu_solve(jsl.lu_factor(a), _Q, trans=1),
        _general((3, 3)),
    ),
    "lu_solve_b": (
        lambda b: la.lu_solve(la.lu_factor(gt.constant(_A)), b),
        lambda b: jsl.lu_solve(jsl.lu_factor(_A), b),
        RNG.normal(size=(3,)),
    ),
    "expm": (la.expm, jsl.expm, RNG.normal(size=(2, 3, 3))),
    "solve_sylvester_a": (
        lambda a: la.solve_sylvester(a, gt.constant(_B), gt.constant(_Q)),
        lambda a: _jsylvester(a, _B, _Q),
        _general((3, 3)),
    ),
    "solve_sylvester_bq": (
        lambda q: la.solve_sylvester(gt.constant(_A), gt.constant(_B), q**2),
        lambda q: _jsylvester(_A, _B, q**2),
        RNG.normal(size=(3, 2)),
    ),
    "solve_continuous_lyapunov": (
        lambda a: la.solve_continuous_lyapunov(a, gt.constant(_A)),
        lambda a: _jsylvester(a, a.T, _A),
        _general((3, 3)),
    ),
    "solve_discrete_lyapunov": (
        lambda a: la.solve_discrete_lyapunov(a / 8, gt.constant(_A)),
        lambda a: jnp.linalg.solve(jnp.eye(9) - jnp.kron(a / 8, a / 8), _A.reshape(9)).reshape(
            3, 3
        ),
        _general((3, 3)),
    ),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradient_finite_differences_and_jax(name):
    fn, jfn, value = GRAD_CASES[name]
    verify_grad(fn, [value], rng=np.random.default_rng(0))
    x = gt.tensor(dtype="float64", shape=(None,) * value.ndim)
    weights = RNG.normal(size=np.shape(jfn(value)))
    # a linear function's gradient does not read x
    grad = g.grad(gt.sum(fn(x) * weights), x)
    got = g.function([x], grad, mode="NUMPY", on_unused_input="ignore")(value)
    want = jax.jit(jax.grad(lambda v: jnp.sum(jfn(v) * weights)))(value)
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-6, atol=1e-8)


def test_gradients_that_pytensor_lacks_say_not_implemented():
    x = gt.dmatrix("x")
    for cost in (
        gt.sum(gt.real(la.eig(x)[0])),
        gt.sum(la.schur(x)[0]),
        gt.sum(la.lstsq(x, gt.dvector())[0]),
    ):
        with pytest.raises(Exception, match="not implemented"):
            g.grad(cost, x)
    _, piv = la.lu_factor(x)
    assert g.grad(gt.sum(la.lu_factor(x)[0]), x).dtype == "float64"
    assert piv.dtype == "int32"
