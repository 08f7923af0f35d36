"""Tests of the special functions of graph2jax/ops/math_special.py and the composites of
graph2jax/ops/special.py (logit, beta ...): values against scipy, PyTensor's dtypes,
stability at the edges of the domains, errors and gradients."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np
import pytest
import scipy.special as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import graph2jax as g
import graph2jax.tensor as gt
import graph2jax.tensor.special as gts
from graph2jax.gradient import NullTypeGradError, verify_grad
from tests.helpers import compare_jax_and_numpy

ANY, POS, NEG, UNIT, PROB, BESSEL = (
    (-3, 3),
    (0.3, 4),
    (-5, -0.01),
    (0.1, 1.9),
    (0.05, 0.95),
    (
        -10,
        10,
    ),
)
TO_FLOAT = {"float32": "float32", "float64": "float64", "int32": "float64", "int8": "float32"}


def _fn(name):
    return getattr(gt, name, None) or getattr(gts, name)


# name, scipy/numpy reference, domain, differentiable
UNARY = [
    ("log1mexp", lambda x: np.log(-np.expm1(x)), NEG, True),
    ("deg2rad", np.radians, ANY, True),
    ("rad2deg", np.degrees, ANY, True),
    ("digamma", sp.digamma, POS, True),
    ("erfcx", sp.erfcx, ANY, True),
    ("erfcinv", sp.erfcinv, UNIT, True),
    ("i0", sp.i0, ANY, True),
    ("i1", sp.i1, ANY, True),
    ("j0", sp.j0, BESSEL, True),
    ("j1", sp.j1, BESSEL, True),
    ("logit", sp.logit, PROB, True),
    ("factorial", lambda x: sp.gamma(x + 1), POS, True),
]
BINARY = [
    ("xlogy", sp.xlogy, ANY, POS),
    ("xlog1py", sp.xlog1py, ANY, POS),
    ("gammainc", sp.gammainc, POS, POS),
    ("gammaincc", sp.gammaincc, POS, POS),
    ("gammaincinv", sp.gammaincinv, POS, (0.05, 0.95)),
    ("gammainccinv", sp.gammainccinv, POS, (0.05, 0.95)),
    ("beta", sp.beta, POS, POS),
    ("betaln", sp.betaln, POS, POS),
    ("poch", sp.poch, POS, POS),
    ("logaddexp", np.logaddexp, ANY, ANY),
]


def _sample(domain, dtype, shape, rng):
    return rng.uniform(*domain, size=shape).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary_functions_match_scipy(dtype):
    rng = np.random.default_rng(0)
    xs = [gt.tensor(dtype, shape=(None, 3)) for _ in UNARY]
    outs = [_fn(name)(x) for (name, *_), x in zip(UNARY, xs, strict=True)]
    values = [_sample(domain, dtype, (4, 3), rng) for _, _, domain, _ in UNARY]
    wanted = [ref(v.astype("float64")) for (_, ref, _, _), v in zip(UNARY, values, strict=True)]
    got = compare_jax_and_numpy(
        xs, outs, values, expected=wanted, rtol=1e-4 if dtype == "float32" else 1e-6
    )
    assert all(r.dtype == dtype for r in got)


@pytest.mark.parametrize(
    "dtypes", [("float32", "float32"), ("float64", "float32"), ("int32", "float64")]
)
def test_binary_functions_match_scipy_with_broadcasting(dtypes):
    rng = np.random.default_rng(1)
    da, db = dtypes
    xs = [(gt.tensor(da, shape=(None, 3)), gt.tensor(db, shape=(1, 3))) for _ in BINARY]
    outs = [_fn(name)(a, b) for (name, *_), (a, b) in zip(BINARY, xs, strict=True)]
    values = []
    for _, _, dom_a, dom_b in BINARY:
        a = _sample(dom_a, "float64", (4, 3), rng)
        values += [np.round(a + 4).astype(da) if da == "int32" else a.astype(da)]
        values += [_sample(dom_b, db, (1, 3), rng)]
    wanted = [
        ref(*[v.astype("float64") for v in values[2 * k : 2 * k + 2]])
        for k, (_, ref, _, _) in enumerate(BINARY)
    ]
    low = "float32" in (da, db) and "float64" not in (da, db)
    # a float32 operand is computed in float32 before the upcast (gamma(b) in beta, as PyTensor)
    got = compare_jax_and_numpy(
        [v for pair in xs for v in pair],
        outs,
        values,
        expected=wanted,
        rtol=1e-4 if "float32" in dtypes else 1e-6,
    )
    assert all(r.dtype == ("float32" if low else "float64") for r in got)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int8", "int32", "bool"])
def test_dtypes_follow_pytensor(dtype):
    x = gt.tensor(dtype, shape=(None,))
    for name in (
        "log1mexp",
        "deg2rad",
        "rad2deg",
        "digamma",
        "erfcx",
        "erfcinv",
        "i0",
        "j1",
        "factorial",
    ):
        assert _fn(name)(x).dtype == TO_FLOAT.get(dtype, "float32"), name
    for name in ("isfinite", "isposinf", "isneginf"):
        assert _fn(name)(x).dtype == "bool"
    assert gt.angle(x).dtype == "float64"
    # logit divides, and true division of integers gives floatX, as in PyTensor
    assert gts.logit(x).dtype == ("float32" if dtype == "float32" else "float64")
    assert gt.logaddexp(x, x).dtype == TO_FLOAT.get(dtype, "float32")
    assert gt.gammainc(x, gt.fvector()).dtype == (
        "float32" if dtype in ("float32", "int8", "bool") else "float64"
    )


def test_digamma_is_psi_and_pytensor_namespaces():
    assert gt.digamma is gt.psi
    for name in ("beta", "betaln", "factorial", "logit", "poch", "xlogy", "xlog1py"):
        assert hasattr(gts, name) and not hasattr(gt, name)


@pytest.mark.parametrize("name", ["erfcx", "i0", "log1mexp", "gammainc", "xlogy"])
def test_complex_inputs_are_refused(name):
    z = gt.zvector("z")
    with pytest.raises(TypeError, match=name):
        _fn(name)(*[z] * (2 if name in ("gammainc", "xlogy") else 1))


def test_float_predicates_and_angle():
    x = gt.dvector("x")
    z = gt.cvector("z")
    i = gt.ivector("i")
    values = np.array([1.0, np.inf, -np.inf, np.nan, -0.0])
    zv = np.array([1 + 1j, -1, 1j, -2 - 0.5j], dtype="complex64")
    iv = np.array([3, -2], dtype="int32")
    outs = [gt.isfinite(x), gt.isposinf(x), gt.isneginf(x), gt.isfinite(i), gt.isposinf(i)]
    outs += [gt.angle(x), gt.angle(z), gt.angle(i)]
    wanted = [
        np.isfinite(values),
        np.isposinf(values),
        np.isneginf(values),
        [True, True],
        [False, False],
    ]
    wanted += [np.angle(values), np.angle(zv.astype("complex128")), np.angle(iv)]
    compare_jax_and_numpy([x, z, i], outs, [values, zv, iv], expected=wanted, rtol=1e-6)


def test_stable_at_the_edges():
    x = gt.dvector("x")
    f = g.function([x], [gt.log1mexp(x), gt.erfcinv(gt.exp(x)), gt.logaddexp(x, x), gt.erfcx(-x)])
    v = np.array([-1e-20, -50.0, -700.0, 800.0, -np.inf])
    got = f(v)
    np.testing.assert_allclose(
        got[0][:3], [np.log(1e-20), -np.exp(-50.0), -np.exp(-700.0)], rtol=1e-12
    )
    np.testing.assert_allclose(got[1][1:3], sp.erfcinv(np.exp(v[1:3])), rtol=1e-10)
    np.testing.assert_allclose(got[2], np.logaddexp(v, v), rtol=1e-12)
    assert got[2][-1] == -np.inf and np.isfinite(got[3][:3]).all()


def test_logaddexp_takes_several_terms_and_refuses_none():
    a, b, c = gt.dvector(), gt.dscalar(), gt.dvector()
    va, vb, vc = np.array([1.0, 1000.0]), np.array(2.0), np.array([-3.0, 999.0])
    compare_jax_and_numpy(
        [a, b, c],
        gt.logaddexp(a, b, c),
        [va, vb, vc],
        expected=np.logaddexp(np.logaddexp(va, vb), vc),
    )
    assert gt.logaddexp(gt.ivector()).dtype == "float64"
    with pytest.raises(TypeError, match="at least one"):
        gt.logaddexp()


@functools.cache
def _logaddexp_fn():
    a, b = gt.dscalar(), gt.dscalar()
    return g.function([a, b], gt.logaddexp(a, b))


@settings(max_examples=10, deadline=None)
@given(st.floats(-1e300, 1e300), st.floats(-1e300, 1e300))
def test_logaddexp_property_matches_numpy(a, b):
    np.testing.assert_allclose(_logaddexp_fn()(a, b), np.logaddexp(a, b), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name, ref, domain, differentiable", UNARY, ids=[u[0] for u in UNARY])
def test_unary_gradients_by_finite_differences(name, ref, domain, differentiable):
    rng = np.random.default_rng(2)
    verify_grad(_fn(name), [_sample(domain, "float64", (3,), rng)], rng=rng)


@pytest.mark.parametrize("name, ref, dom_a, dom_b", BINARY, ids=[b[0] for b in BINARY])
def test_binary_gradients_by_finite_differences(name, ref, dom_a, dom_b):
    rng = np.random.default_rng(3)
    a, b = _sample(dom_a, "float64", (3,), rng), _sample(dom_b, "float64", (3,), rng)
    if name.startswith("gammainc"):  # only d/dx exists (d/dk is not implemented, as PyTensor)
        verify_grad(lambda x: _fn(name)(gt.constant(a), x), [b], rng=rng)
    else:
        verify_grad(_fn(name), [a, b], rng=rng)


def test_gammainc_gradient_wrt_the_shape_is_not_implemented():
    k, x = gt.dvector(), gt.dvector()
    for fn in (gt.gammainc, gt.gammaincc, gt.gammaincinv, gt.gammainccinv):
        with pytest.raises(NullTypeGradError, match="not implemented"):
            g.grad(gt.sum(fn(k, x)), k)


def test_compiled_gradients_equal_jax_grad():
    x = gt.dvector("x")
    cost = gt.sum(
        gt.erfcx(x)
        + gt.i1(x)
        + gt.j1(x)
        + gt.log1mexp(-gt.abs(x) - 0.1)
        + gt.gammainc(2.5, gt.abs(x) + 0.1)
    ) + gt.sum(gts.xlogy(x, x * x + 1) + gt.logaddexp(x, 2 * x) + gt.angle(x))

    def jax_cost(v):
        a = jnp.abs(v)
        c = jsp.erfcx(v) + jsp.i1(v) + jsp.bessel_jn(v, v=1)[1] + jnp.log(-jnp.expm1(-a - 0.1))
        c = c + jsp.gammainc(2.5, a + 0.1) + jsp.xlogy(v, v * v + 1) + jnp.logaddexp(v, 2 * v)
        return jnp.sum(c)

    f = g.function([x], g.grad(cost, x))
    value = np.array([-1.5, 0.3, 2.0])
    np.testing.assert_allclose(f(value), np.asarray(jax.grad(jax_cost)(value)), rtol=1e-8)


def test_complex_angle_gradient_follows_pytensor_convention():
    z = gt.zscalar("z")
    f = g.function([z], g.grad(gt.angle(z), z))
    # atan2(y, x): d/dx = -y / r2, d/dy = x / r2, returned as d/dx + 1j d/dy
    np.testing.assert_allclose(f(3 + 4j), (-4 + 3j) / 25, rtol=1e-12)


def test_bessel_gradients_at_zero_are_the_limits():
    x = gt.dvector("x")
    f = g.function([x], [g.grad(gt.sum(gt.i1(x)), x), g.grad(gt.sum(gt.j1(x)), x)])
    np.testing.assert_allclose(f(np.zeros(2)), [[0.5, 0.5], [0.5, 0.5]])


def test_gammainc_inverses_over_wide_ranges():
    k, p = gt.dvector("k"), gt.dvector("p")
    f = g.function([k, p], [gt.gammaincinv(k, p), gt.gammainccinv(k, p)])
    ks, ps = np.meshgrid(
        [0.01, 0.3, 1.0, 2.5, 10, 1000, 1e5], [0, 1e-100, 1e-12, 0.3, 0.5, 0.999, 1 - 1e-9, 1]
    )
    ks, ps = ks.ravel(), ps.ravel()
    got = f(ks, ps)
    np.testing.assert_allclose(got[0], sp.gammaincinv(ks, ps), rtol=1e-10)
    np.testing.assert_allclose(got[1], sp.gammainccinv(ks, ps), rtol=1e-10)
    # out of the domain: nan, as scipy
    assert np.isnan(f(np.array([1.0, -1.0]), np.array([1.5, 0.5]))).all()
