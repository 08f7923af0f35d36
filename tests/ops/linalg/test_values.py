"""Linear algebra: values against numpy.linalg, dtypes, batching, static shape errors, shapes.

Eigenvectors, singular vectors and QR factors are defined up to signs, so
their comparisons use ``abs`` of them (and reconstructions) rather than the
raw factors. Compilations are kept few: one function per op, dtype and rank.
Gradients are in ``test_linalg_gradients.py``.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graph2jax as g
import graph2jax.tensor as gt
import graph2jax.tensor.linalg as la
from tests.helpers import compare_jax_and_numpy

RNG = np.random.default_rng(7)


def _general(shape: tuple, dtype: str = "float64") -> np.ndarray:
    """Well-conditioned square (or rectangular) matrices: a random matrix plus a diagonal shift."""
    a = RNG.normal(size=shape)
    m, n = shape[-2:]
    return (a + 3 * np.eye(m, n)).astype(dtype)


def _spd(shape: tuple, dtype: str = "float64") -> np.ndarray:
    a = RNG.normal(size=shape)
    return (a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def _sym(x):
    return (x + gt.dimshuffle(x, (*range(x.ndim - 2), x.ndim - 1, x.ndim - 2))) / 2


# name -> (graph builder, numpy formula, value maker, static shape of a test matrix)
CASES = {
    "inv": (la.inv, np.linalg.inv, _general, (3, 3)),
    "det": (la.det, np.linalg.det, _general, (3, 3)),
    "slogdet": (la.slogdet, lambda v: tuple(np.linalg.slogdet(v)), _general, (3, 3)),
    "solve_vec": (
        lambda a: la.solve(a, gt.constant(np.arange(3.0, dtype=a.dtype))),
        lambda v: np.linalg.solve(v, np.broadcast_to(np.arange(3.0), v.shape[:-1])[..., None])[
            ..., 0
        ],
        _general,
        (3, 3),
    ),
    "solve_pos": (
        lambda a: la.solve(a, gt.constant(np.ones((3, 2), dtype=a.dtype)), assume_a="pos"),
        lambda v: np.linalg.solve(v, np.ones((3, 2))),
        _spd,
        (3, 3),
    ),
    "solve_triangular": (
        lambda a: la.solve_triangular(a, gt.constant(np.ones((3, 2), dtype=a.dtype)), lower=True),
        lambda v: np.linalg.solve(np.tril(v), np.ones((3, 2))),
        _general,
        (3, 3),
    ),
    "solve_triangular_T_unit": (
        lambda a: la.solve_triangular(
            a, gt.constant(np.arange(3.0, dtype=a.dtype)), trans="T", unit_diagonal=True
        ),
        lambda v: np.linalg.solve(
            np.swapaxes(np.triu(v, 1) + np.eye(3), -1, -2),
            np.broadcast_to(np.arange(3.0), v.shape[:-1])[..., None],
        )[..., 0],
        _general,
        (3, 3),
    ),
    "cho_solve_upper": (
        lambda a: la.cho_solve(
            (la.cholesky(a, lower=False), False), gt.constant(np.eye(3, dtype=a.dtype))
        ),
        np.linalg.inv,
        _spd,
        (3, 3),
    ),
    "cholesky": (la.cholesky, np.linalg.cholesky, _spd, (3, 3)),
    "cholesky_upper": (
        lambda a: la.cholesky(a, lower=False),
        lambda v: np.linalg.cholesky(v, upper=True),
        _spd,
        (3, 3),
    ),
    "eigh": (
        lambda a: (lambda w, v: (w, abs(v)))(*la.eigh(a)),
        lambda v: (np.linalg.eigh(v)[0], abs(np.linalg.eigh(v)[1])),
        _spd,
        (3, 3),
    ),
    "svd": (
        lambda a: (lambda u, s, vh: (abs(u), s, abs(vh)))(*la.svd(a)),
        lambda v: (lambda u, s, vh: (abs(u), s, abs(vh)))(*np.linalg.svd(v)),
        _general,
        (4, 3),
    ),
    "svd_reduced_s": (
        lambda a: la.svd(a, full_matrices=False, compute_uv=False),
        lambda v: np.linalg.svd(v, compute_uv=False),
        _general,
        (3, 4),
    ),
    "qr": (
        lambda a: tuple(abs(t) for t in la.qr(a, mode="economic")),
        lambda v: tuple(abs(t) for t in np.linalg.qr(v)),
        _general,
        (4, 3),
    ),
    "qr_complete": (
        lambda a: tuple(abs(t) for t in la.qr(a, mode="complete")),
        lambda v: tuple(abs(t) for t in np.linalg.qr(v, mode="complete")),
        _general,
        (4, 3),
    ),
    "qr_r": (
        lambda a: abs(la.qr(a, mode="r")),
        lambda v: abs(np.linalg.qr(v, mode="r")),
        _general,
        (4, 3),
    ),
    "pinv": (la.pinv, np.linalg.pinv, _general, (4, 3)),
    "pinv_hermitian": (
        lambda a: la.pinv(a, hermitian=True),
        lambda v: np.linalg.pinv(v, hermitian=True),
        _general,  # not symmetric: only the lower triangle is read
        (3, 3),
    ),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_matches_numpy(name, dtype):
    """A matrix and a batch of two, in one compiled function."""
    build, formula, make, shape = CASES[name]
    inputs, outs, values, expected = [], [], [], []
    for batch in [(), (2,)]:
        x = gt.tensor(dtype=dtype, shape=(None,) * (len(batch) + 2), name="x")
        out = build(x)
        out = out if isinstance(out, tuple) else (out,)
        assert all(o.dtype == dtype for o in out)
        value = make(batch + shape, dtype)
        want = formula(value.astype("float64"))
        inputs.append(x)
        outs.extend(out)
        values.append(value)
        expected.extend(want if isinstance(want, tuple) else [want])
    tol = {"rtol": 1e-3, "atol": 1e-3} if dtype == "float32" else {}
    compare_jax_and_numpy(inputs, outs, values, expected=expected, **tol)


@pytest.mark.parametrize(
    "dtypes, expected",
    [
        (("int8",), "float32"),
        (("uint16",), "float32"),
        (("bool",), "float32"),
        (("int32",), "float64"),
        (("uint64",), "float64"),
        (("int16", "float32"), "float32"),
        (("int32", "float32"), "float64"),
        (("int8", "complex64"), "complex64"),
    ],
)
def test_discrete_inputs_compute_in_lapacks_working_dtype(dtypes, expected):
    """PyTensor's linalg_output_dtype: integers of at most 16 bits and bool become float32."""
    a, *b = (gt.matrix(dtype=d) for d in dtypes)
    out = la.solve(a, b[0]) if b else la.inv(a)
    assert out.dtype == expected


def test_integer_inputs_compute_in_float64():
    x = gt.imatrix("x")
    outs = [
        la.inv(x),
        la.det(x),
        *la.slogdet(x),
        la.pinv(x),
        la.norm(x),
        la.svd(x, compute_uv=False),
    ]
    assert [o.dtype for o in outs] == ["float64"] * len(outs)
    v = np.array([[3, 1], [1, 2]], dtype="int32")
    compare_jax_and_numpy(
        [x],
        outs,
        [v],
        expected=[
            np.linalg.inv(v),
            np.linalg.det(v),
            *np.linalg.slogdet(v),
            np.linalg.pinv(v),
            np.linalg.norm(v),
            np.linalg.svd(v, compute_uv=False),
        ],
    )


@functools.cache
def _identities_fn():
    a = gt.dmatrix("a")
    w, v = la.eigh(a)
    chol = la.cholesky(a)
    outs = [
        gt.matmul(la.inv(a), a),
        la.det(a),
        gt.prod(w),
        la.slogdet(a)[1],
        gt.matmul(chol, chol.T),
        la.svd(a, compute_uv=False),
        w,
        gt.matmul(a, la.solve(a, gt.ones_like(w), assume_a="pos")),
    ]
    return g.function([a], outs)


@settings(max_examples=10)
@given(st.lists(st.floats(-3, 3), min_size=9, max_size=9))
def test_identities_on_random_positive_definite_matrices(entries):
    m = np.reshape(entries, (3, 3))
    spd = m @ m.T + np.eye(3)
    eye_, det_, prod_w, logdet, rebuilt, s, w, ones = _identities_fn()(spd)
    np.testing.assert_allclose(eye_, np.eye(3), atol=1e-8)
    np.testing.assert_allclose([det_, np.exp(logdet)], [prod_w, prod_w], rtol=1e-8)
    np.testing.assert_allclose(rebuilt, spd, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(s, w[::-1], rtol=1e-8)
    np.testing.assert_allclose(ones, np.ones(3), rtol=1e-8)


def test_complex_inputs_keep_their_dtype_and_give_real_spectra():
    x = gt.zmatrix("x")
    a = RNG.normal(size=(3, 3)) + 1j * RNG.normal(size=(3, 3)) + 3 * np.eye(3)
    h = a @ a.conj().T
    outs = [la.inv(x), la.det(x), *la.slogdet(x), la.eigh(x)[0], la.svd(x, compute_uv=False)]
    outs += [la.norm(x), la.cholesky(x), la.solve(x, x, assume_a="pos"), la.pinv(x)]
    dtypes = ["complex128"] * 3 + ["float64"] * 4 + ["complex128"] * 3
    assert [o.dtype for o in outs] == dtypes
    # Hermitian from the upper triangle; complex symmetric (no conjugation) from the lower one
    outs += [
        la.solve(x, x, assume_a="her", lower=False),
        la.solve(x, x, assume_a="sym", lower=True),
    ]
    herm_up = np.triu(h) + np.tril(np.ones((3, 3)), -1)
    sym_low = np.tril(h) + np.triu(np.ones((3, 3)), 1)
    got = compare_jax_and_numpy([x], outs, [h])
    np.testing.assert_allclose(got[-2], np.eye(3), atol=1e-10)
    got = compare_jax_and_numpy([x], outs[-2:], [herm_up])
    np.testing.assert_allclose(got[0], np.linalg.solve(h, herm_up), atol=1e-10)
    sym = np.tril(sym_low) + np.tril(sym_low, -1).T
    got = compare_jax_and_numpy([x], outs[-1:], [sym_low])
    np.testing.assert_allclose(got[0], np.linalg.solve(sym, sym_low), atol=1e-10)
    with pytest.raises(Exception, match="complex"):
        g.grad(gt.real(la.det(x)), x)


def test_cholesky_of_a_non_positive_definite_matrix():
    x = gt.dmatrix("x")
    bad = -np.eye(2)
    with pytest.raises(np.linalg.LinAlgError):
        g.function([x], la.cholesky(x, on_error="raise"), mode="NUMPY")(bad)
    # NaNs by default, as PyTensor's on_error='nan'
    assert np.isnan(g.function([x], la.cholesky(x), mode="NUMPY")(bad)).all()
    assert np.isnan(g.function([x], la.cholesky(x))(bad)).any()  # JAX cannot raise


def test_solve_broadcasts_batches_and_reads_one_triangle():
    a_low, a_up, b = gt.dtensor3("a_low"), gt.dtensor3("a_up"), gt.dmatrix("b")
    outs = [
        la.solve(a_low, b, assume_a="sym", lower=True, b_ndim=1),
        la.solve(a_up, b, assume_a="pos", lower=False, b_ndim=1),
        la.solve(a_low, b, transposed=True, b_ndim=1),
    ]
    av, bv = _spd((2, 3, 3)), RNG.normal(size=(2, 3))
    # garbage in the unread triangle must not matter
    low_only = np.tril(av) + np.triu(np.ones((3, 3)), 1)
    up_only = np.triu(av) - np.tril(np.ones((3, 3)), -1)
    want = np.linalg.solve(av, bv[..., None])[..., 0]
    want_t = np.linalg.solve(np.swapaxes(low_only, -1, -2), bv[..., None])[..., 0]
    compare_jax_and_numpy(
        [a_low, a_up, b], outs, [low_only, up_only, bv], expected=[want, want, want_t]
    )
    assert la.solve(gt.dmatrix(), gt.dtensor3()).type.shape == (None, None, None)


def test_eigh_upper_and_reconstruction():
    x = gt.dmatrix("x")
    w, v = la.eigh(x, UPLO="U")
    rebuilt = gt.matmul(v * w, v.T)
    value = _spd((4, 4))
    compare_jax_and_numpy([x], [rebuilt], [np.triu(value)], expected=[value])


NORM_CASES = [
    ((5,), None, None),
    ((5,), 1, 0),
    ((5,), np.inf, None),
    ((5,), -np.inf, -1),
    ((5,), 3, None),
    ((5,), 0, None),
    ((3, 4), None, None),
    ((3, 4), "fro", None),
    ((3, 4), "nuc", None),
    ((3, 4), 1, None),
    ((3, 4), -1, (1, 0)),
    ((3, 4), np.inf, None),
    ((3, 4), 2, None),
    ((3, 4), -2, None),
    ((2, 3, 4), None, None),
    ((2, 3, 4), 2, -1),
    ((2, 3, 4), "fro", (0, 2)),
    ((2, 3, 4), 2, (2, 1)),
]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_norm_matches_numpy(dtype, keepdims):
    xs = {shape: gt.tensor(dtype=dtype, shape=(None,) * len(shape)) for shape, _, _ in NORM_CASES}
    values = {shape: RNG.normal(size=shape).astype(dtype) for shape in xs}
    outs, expected = [], []
    for shape, ord, axis in NORM_CASES:
        outs.append(la.norm(xs[shape], ord=ord, axis=axis, keepdims=keepdims))
        expected.append(np.linalg.norm(values[shape], ord=ord, axis=axis, keepdims=keepdims))
        assert outs[-1].dtype == dtype
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == "float32" else {}
    compare_jax_and_numpy(list(xs.values()), outs, list(values.values()), expected=expected, **tol)


def test_pytensor_module_paths():
    from graph2jax.tensor.nlinalg import matrix_inverse, norm
    from graph2jax.tensor.slinalg import cho_solve, cholesky, solve, solve_triangular

    assert matrix_inverse is la.inv and norm is la.norm and cholesky is la.cholesky
    assert (solve, solve_triangular, cho_solve) == (la.solve, la.solve_triangular, la.cho_solve)
    assert gt.linalg is la


def test_norm_method_of_variables():
    x = gt.dvector("x")
    assert float(x.norm(1).eval({x: np.array([3.0, -4.0])})) == 7.0


# ---------------------------------------------------------------------------
# static checks


@pytest.mark.parametrize("fn", [la.inv, la.det, la.slogdet, la.cholesky, la.eigh])
def test_non_square_static_shape_is_a_value_error(fn):
    x = gt.tensor(dtype="float64", shape=(2, 3), name="x")
    with pytest.raises(ValueError, match=r"square.*\(2, 3\)"):
        fn(x)


@pytest.mark.parametrize(
    "fn", [la.inv, la.det, la.slogdet, la.cholesky, la.eigh, la.svd, la.qr, la.pinv]
)
def test_vectors_are_refused(fn):
    with pytest.raises(ValueError, match="ndim >= 2"):
        fn(gt.dvector("v"))


def test_bad_arguments():
    a = gt.tensor(dtype="float64", shape=(3, 3))
    with pytest.raises(ValueError, match="do not match"):
        la.solve(a, gt.tensor(dtype="float64", shape=(4,)))
    with pytest.raises(ValueError, match="assume_a"):
        la.solve(a, gt.dvector(), assume_a="banded")
    with pytest.raises(ValueError, match="cannot be broadcast"):
        la.solve(
            gt.tensor(dtype="float64", shape=(2, 3, 3)), gt.tensor(dtype="float64", shape=(4, 3, 1))
        )
    with pytest.raises(ValueError, match="trans"):
        la.solve_triangular(a, gt.dvector(), trans=3)
    with pytest.raises(ValueError, match="b_ndim"):
        la.solve(a, gt.dmatrix(), b_ndim=3)
    with pytest.raises(ValueError, match="square"):
        la.solve_triangular(gt.tensor(dtype="float64", shape=(3, 2)), gt.dvector())
    with pytest.raises(ValueError, match="mode"):
        la.qr(a, mode="raw")
    with pytest.raises(ValueError, match="UPLO"):
        la.eigh(a, UPLO="X")
    with pytest.raises(ValueError, match="invalid for vector"):
        la.norm(gt.dvector(), ord="fro")
    with pytest.raises(ValueError, match="invalid for matrix"):
        la.norm(a, ord=3)
    with pytest.raises(ValueError, match="dimensions"):
        la.norm(gt.dtensor3(), ord=1)
    with pytest.raises(ValueError, match="invalid axis"):
        la.norm(a, axis=(0, 2))


def test_infer_static_shapes():
    x = gt.tensor(dtype="float32", shape=(5, 4, 3))
    assert la.svd(x)[0].type.shape == (5, 4, 4)
    assert la.svd(x, full_matrices=False)[2].type.shape == (5, 3, 3)
    assert la.qr(x, mode="economic")[0].type.shape == (5, 4, 3)
    assert la.qr(x, mode="complete")[1].type.shape == (5, 4, 3)
    assert la.pinv(x).type.shape == (5, 3, 4)
    assert la.det(gt.tensor(dtype="float32", shape=(5, 3, None))).type.shape == (5,)
    assert la.eigh(gt.tensor(dtype="float32", shape=(None, 3)))[1].type.shape == (3, 3)
    assert la.norm(x, axis=(0, 2), keepdims=True).type.shape == (1, 4, 1)


def test_infer_shape_matches_run_time_shapes():
    """Every op's ``infer_shape`` evaluated on a stack of 4x3 (and 3x3) matrices, in one function."""
    x, sq = gt.dtensor3("x"), gt.dtensor3("sq")
    outs = [
        la.inv(sq),
        la.det(sq),
        *la.slogdet(sq),
        la.solve(sq, gt.dmatrix("b"), b_ndim=1),
        la.cholesky(sq),
        *la.eigh(sq),
        *la.svd(x),
        *la.svd(x, full_matrices=False),
        la.svd(x, compute_uv=False),
        *la.qr(x, mode="economic"),
        *la.qr(x, mode="complete"),
        la.qr(x, mode="r"),
        la.pinv(x),
        la.norm(x, ord=2, axis=(2, 0), keepdims=True),
        la.norm(x, ord=1, axis=1),
    ]
    b = outs[4].owner.inputs[1]
    symbolic, wanted = [], []
    xv, sqv, bv = _general((2, 4, 3)), _spd((2, 3, 3)), RNG.normal(size=(2, 3))
    f_ref = g.function([x, sq, b], outs, mode="NUMPY")
    for out, value in zip(outs, f_ref(xv, sqv, bv), strict=True):
        node = out.owner
        in_shapes = [tuple(i.shape[k] for k in range(i.ndim)) for i in node.inputs]
        symbolic.extend(node.op.infer_shape(None, node, in_shapes)[out.index])
        wanted.extend(value.shape)
    got = g.function([x, sq, b], symbolic, on_unused_input="ignore")(xv, sqv, bv)
    assert [int(v) for v in got] == wanted


def test_pytensor_signatures_qr_and_eigh():
    """qr follows PyTensor's (scipy's) modes, default 'full'; eigh takes ``lower``."""
    x = gt.tensor(dtype="float64", shape=(4, 3))
    q, r = la.qr(x)
    assert (q.type.shape, r.type.shape) == ((4, 4), (4, 3))
    q, r = la.qr(x, mode="economic")
    assert (q.type.shape, r.type.shape) == ((4, 3), (3, 3))
    assert la.qr(x, mode="r").type.shape == (3, 3)
    with pytest.raises(NotImplementedError, match="pivoting"):
        la.qr(x, pivoting=True)
    a = gt.dmatrix("a")
    with pytest.raises(NotImplementedError, match="generalized"):
        la.eigh(a, gt.dmatrix("b"))
    upper = np.array([[2.0, 1.0], [-7.0, 2.0]])  # the upper triangle is [[2, 1], [1, 2]]
    f = g.function([a], [la.eigh(a, lower=False)[0], la.eigh(a, UPLO="U")[0]])
    for w in f(upper):
        np.testing.assert_allclose(w, [1.0, 3.0])
    assert la.slogdet(x=a)[0].ndim == 0
