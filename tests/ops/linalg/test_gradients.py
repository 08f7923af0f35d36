"""Linear algebra gradients: finite differences, and ``jax.grad`` of the same jnp expression.

Values, dtypes and static checks are in ``test_values.py``; the matrix makers are shared.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import graph2jax as g
import graph2jax.tensor as gt
import graph2jax.tensor.linalg as la
from graph2jax.gradient import verify_grad
from tests.ops.linalg.test_values import _general, _spd, _sym

RNG = np.random.default_rng(11)


def _jsym(x):
    return (x + jnp.swapaxes(x, -1, -2)) / 2


# name -> (graph function of one input, the same in jnp, value maker, shape)
GRAD_CASES = {
    "inv": (la.inv, jnp.linalg.inv, _general, (2, 3, 3)),
    "det": (la.det, jnp.linalg.det, _general, (3, 3)),
    "slogdet": (
        lambda a: la.slogdet(a)[1],
        lambda a: jnp.linalg.slogdet(a)[1],
        _general,
        (2, 3, 3),
    ),
    "solve_a": (
        lambda a: la.solve(a, gt.constant(np.arange(1.0, 4.0))),
        lambda a: jnp.linalg.solve(a, jnp.arange(1.0, 4.0)),
        _general,
        (3, 3),
    ),
    "solve_b": (
        lambda b: la.solve(gt.constant(_general((3, 3))), b),
        None,
        lambda s, d="float64": RNG.normal(size=s),
        (3, 2),
    ),
    "solve_pos": (
        lambda a: la.solve(_sym(a), gt.constant(np.ones((3, 2))), assume_a="pos", lower=True),
        lambda a: jnp.linalg.solve(_jsym(a), jnp.ones((3, 2))),
        _spd,
        (3, 3),
    ),
    "solve_triangular": (
        lambda a: la.solve_triangular(a, gt.constant(np.ones((3, 2))), trans=1, lower=True),
        lambda a: jax.scipy.linalg.solve_triangular(a, jnp.ones((3, 2)), trans=1, lower=True),
        _general,
        (2, 3, 3),
    ),
    "solve_triangular_b": (
        lambda b: la.solve_triangular(gt.constant(_general((3, 3))), b, unit_diagonal=True),
        None,
        lambda s, d="float64": RNG.normal(size=s),
        (3, 2),
    ),
    "cho_solve": (
        lambda a: la.cho_solve((la.cholesky(_sym(a)), True), gt.constant(np.arange(3.0))),
        lambda a: jnp.linalg.solve(_jsym(a), jnp.arange(3.0)),
        _spd,
        (3, 3),
    ),
    "cholesky": (
        lambda a: la.cholesky(_sym(a)),
        lambda a: jnp.linalg.cholesky(_jsym(a)),
        _spd,
        (2, 3, 3),
    ),
    "cholesky_upper": (
        lambda a: la.cholesky(_sym(a), lower=False),
        lambda a: jnp.linalg.cholesky(_jsym(a), upper=True),
        _spd,
        (3, 3),
    ),
    "eigh_w": (
        lambda a: la.eigh(_sym(a))[0],
        lambda a: jnp.linalg.eigh(_jsym(a))[0],
        _spd,
        (2, 3, 3),
    ),
    "eigh_v": (
        lambda a: la.eigh(_sym(a), UPLO="U")[1] ** 2,
        lambda a: jnp.linalg.eigh(_jsym(a))[1] ** 2,
        _spd,
        (3, 3),
    ),
    "svd_s": (
        lambda a: la.svd(a, compute_uv=False),
        lambda a: jnp.linalg.svd(a, compute_uv=False),
        _general,
        (2, 4, 3),
    ),
    "svd_s_full": (
        lambda a: la.svd(a)[1],
        lambda a: jnp.linalg.svd(a, full_matrices=False)[1],
        _general,
        (3, 4),
    ),
    "qr": (
        lambda a: (lambda q, r: 1.5 * q**2 + gt.matmul(q, r**2))(*la.qr(a, mode="economic")),
        lambda a: (lambda q, r: 1.5 * q**2 + q @ r**2)(*jnp.linalg.qr(a)),
        _general,
        (4, 3),
    ),
    "qr_r": (
        lambda a: la.qr(a, mode="r") ** 2,
        lambda a: jnp.linalg.qr(a, mode="r") ** 2,
        _general,
        (2, 3, 3),
    ),
    "pinv": (la.pinv, jnp.linalg.pinv, _general, (4, 3)),
    "pinv_hermitian_reads_the_lower_triangle": (
        lambda a: la.pinv(a, hermitian=True),
        lambda a: jnp.linalg.pinv(jnp.tril(a) + jnp.tril(a, -1).T),
        _general,
        (3, 3),
    ),
    "norm_fro": (la.norm, jnp.linalg.norm, _general, (3, 4)),
    "norm_vec3": (
        lambda v: la.norm(v, ord=3, axis=-1),
        lambda v: jnp.linalg.norm(v, ord=3, axis=-1),
        _general,
        (3, 4),
    ),
    "norm_inf": (
        lambda v: la.norm(v, ord=np.inf),
        lambda v: jnp.linalg.norm(v, ord=np.inf),
        _general,
        (3, 4),
    ),
    "norm_1": (
        lambda v: la.norm(v, ord=1, axis=(1, 0), keepdims=True),
        lambda v: jnp.linalg.norm(v, ord=1, axis=(1, 0), keepdims=True),
        _general,
        (3, 4),
    ),
    "norm_nuc": (
        lambda v: la.norm(v, ord="nuc"),
        lambda v: jnp.linalg.norm(v, ord="nuc"),
        _general,
        (3, 4),
    ),
    "norm_2": (
        lambda v: la.norm(v, ord=2, axis=(2, 0)),
        lambda v: jnp.linalg.norm(v, ord=2, axis=(2, 0)),
        _general,
        (3, 2, 4),
    ),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradient_finite_differences_and_jax(name):
    fn, jfn, make, shape = GRAD_CASES[name]
    value = make(shape, "float64")
    verify_grad(fn, [value], rng=np.random.default_rng(0))
    if jfn is None:
        return
    x = gt.tensor(dtype="float64", shape=(None,) * len(shape))
    weights = RNG.normal(size=np.shape(jfn(value)))
    cost = gt.sum(fn(x) * weights)
    # verify_grad ran the JAX compilation; the numpy reference runs the same gradient graph here
    got = g.function([x], g.grad(cost, x), mode="NUMPY")(value)
    want = jax.jit(jax.grad(lambda v: jnp.sum(jfn(v) * weights)))(value)
    np.testing.assert_allclose(got, np.asarray(want), rtol=1e-6, atol=1e-8)


def test_gradient_keeps_float32():
    x = gt.fmatrix("x")
    gx = g.grad(gt.sum(la.inv(x)) + la.det(x) + la.norm(x), x)
    assert gx.dtype == "float32"


def test_unused_outputs_of_decompositions_and_the_slogdet_sign():
    """An unused output is a disconnected gradient, not zeros; slogdet's sign has a zero
    gradient (as PyTensor's sign(det(x))), and an explicitly zero known gradient of U is
    still a gradient of U (not implemented)."""
    x = gt.dmatrix("x")
    sign, logdet = la.slogdet(x)
    gx = g.grad(sign * 2.0, x)
    value = _general((3, 3))
    np.testing.assert_array_equal(g.function([x], gx, mode="NUMPY")(value), np.zeros((3, 3)))
    u, s, vh = la.svd(x)
    with pytest.raises(Exception, match="not implemented"):
        g.grad(gt.sum(s), x, known_grads={u: gt.zeros_like(u)})


def test_unsupported_gradients_say_so():
    x = gt.dmatrix("x")
    u, s, vh = la.svd(x)
    with pytest.raises(Exception, match="not implemented"):
        g.grad(gt.sum(u), x)
    q, r = la.qr(x, mode="complete")
    with pytest.raises(Exception, match="not implemented"):
        g.grad(gt.sum(q), x)
    wide = gt.tensor(dtype="float64", shape=(2, 3))
    with pytest.raises(Exception, match="not implemented"):
        g.grad(gt.sum(la.qr(wide, mode="economic")[1]), wide)
