"""The random-variable ops: each distribution's statistics, dtypes and shapes, sizes, errors.

The statistics are checked on 10**5 draws of every distribution, drawn by one
compiled function (one compilation) from a fixed seed: the mean within six
standard errors and the variance within 5% of scipy's (quantiles for the
Cauchy family, which has no moments).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hst

import graph2jax as g
import graph2jax.tensor as pt
from graph2jax.gradient import NullTypeGradError
from graph2jax.tensor.random.utils import RandomStream

N = 100_000

#: name -> (draw of N values from a stream, the scipy distribution it follows)
SCALAR = {
    "uniform": (lambda s: s.uniform(2.0, 5.0, size=N), st.uniform(2, 3)),
    "normal": (lambda s: s.normal(1.0, 2.0, size=N), st.norm(1, 2)),
    "standard_normal": (lambda s: s.standard_normal(size=N), st.norm()),
    "halfnormal": (lambda s: s.halfnormal(1.0, 2.0, size=N), st.halfnorm(1, 2)),
    "lognormal": (lambda s: s.lognormal(0.5, 0.5, size=N), st.lognorm(0.5, scale=np.exp(0.5))),
    "triangular": (lambda s: s.triangular(0.0, 1.0, 3.0, size=N), st.triang(1 / 3, 0, 3)),
    "beta": (lambda s: s.beta(2.0, 3.0, size=N), st.beta(2, 3)),
    "gamma": (lambda s: s.gamma(2.0, scale=1.5, size=N), st.gamma(2, scale=1.5)),
    "gamma_rate": (lambda s: s.gamma(2.0, rate=4.0, size=N), st.gamma(2, scale=0.25)),
    "chisquare": (lambda s: s.chisquare(4.0, size=N), st.chi2(4)),
    "rayleigh": (lambda s: s.rayleigh(2.0, size=N), st.rayleigh(scale=2)),
    "pareto": (lambda s: s.pareto(5.0, 2.0, size=N), st.pareto(5, scale=2)),
    "gumbel": (lambda s: s.gumbel(1.0, 2.0, size=N), st.gumbel_r(1, 2)),
    "exponential": (lambda s: s.exponential(2.0, size=N), st.expon(scale=2)),
    "weibull": (lambda s: s.weibull(2.0, size=N), st.weibull_min(2)),
    "logistic": (lambda s: s.logistic(1.0, 2.0, size=N), st.logistic(1, 2)),
    "invgamma": (lambda s: s.invgamma(6.0, 2.0, size=N), st.invgamma(6, scale=2)),
    "wald": (lambda s: s.wald(1.0, 2.0, size=N), st.invgauss(0.5, scale=2)),
    "truncexpon": (lambda s: s.truncexpon(2.0, 1.0, 0.5, size=N), st.truncexpon(2, 1, 0.5)),
    "t": (lambda s: s.t(10.0, 1.0, 2.0, size=N), st.t(10, 1, 2)),
    "laplace": (lambda s: s.laplace(1.0, 2.0, size=N), st.laplace(1, 2)),
    "gengamma": (lambda s: s.gengamma(2.0, 3.0, 1.5, size=N), st.gengamma(2 / 3, 3, scale=1.5)),
    "bernoulli": (lambda s: s.bernoulli(0.3, size=N), st.bernoulli(0.3)),
    "binomial": (lambda s: s.binomial(10, 0.3, size=N), st.binom(10, 0.3)),
    "negative_binomial": (lambda s: s.negative_binomial(5, 0.4, size=N), st.nbinom(5, 0.4)),
    "betabinom": (lambda s: s.betabinom(10, 2.0, 3.0, size=N), st.betabinom(10, 2, 3)),
    "poisson": (lambda s: s.poisson(3.5, size=N), st.poisson(3.5)),
    "geometric": (lambda s: s.geometric(0.3, size=N), st.geom(0.3)),
    "integers": (lambda s: s.integers(2, 7, size=N), st.randint(2, 7)),
    "categorical": (
        lambda s: s.categorical([0.2, 0.5, 0.3], size=N),
        st.rv_discrete(values=([0, 1, 2], [0.2, 0.5, 0.3])),
    ),
}
#: heavy-tailed: the quartiles instead of the moments
QUANTILES = {
    "cauchy": (lambda s: s.cauchy(1.0, 2.0, size=N), st.cauchy(1, 2)),
    "halfcauchy": (lambda s: s.halfcauchy(1.0, 2.0, size=N), st.halfcauchy(1, 2)),
}
MV_MEAN, MV_COV = np.array([1.0, -1.0]), np.array([[2.0, 0.5], [0.5, 1.0]])
VECTOR = {
    "multivariate_normal": lambda s: s.multivariate_normal(MV_MEAN, MV_COV, size=N),
    "dirichlet": lambda s: s.dirichlet([1.0, 2.0, 3.0], size=N),
    "multinomial": lambda s: s.multinomial(10, [0.2, 0.8], size=N),
    "choice": lambda s: s.choice(np.array([1.0, 2.0, 4.0]), size=N, p=[0.5, 0.25, 0.25]),
}


@pytest.fixture(scope="module")
def draws() -> dict[str, np.ndarray]:
    """Every distribution's N draws, from one compiled function."""
    srng = RandomStream(seed=2024)
    graphs = {name: make(srng) for name, (make, _) in {**SCALAR, **QUANTILES}.items()}
    graphs.update({name: make(srng) for name, make in VECTOR.items()})
    names = list(graphs)
    values = g.function([], [graphs[n] for n in names])()
    return dict(zip(names, values, strict=True))


@pytest.mark.parametrize("name", list(SCALAR))
def test_draws_have_the_distribution_mean_and_variance(draws: dict, name: str) -> None:
    dist = SCALAR[name][1]
    x = draws[name]
    assert x.shape == (N,)
    mean, var = dist.mean(), dist.var()
    assert abs(x.mean() - mean) < 6 * np.sqrt(var / N), (x.mean(), mean)
    assert x.var() == pytest.approx(var, rel=0.05)


@pytest.mark.parametrize("name", list(QUANTILES))
def test_heavy_tailed_draws_have_the_distribution_quartiles(draws: dict, name: str) -> None:
    dist = QUANTILES[name][1]
    got = np.quantile(draws[name], [0.25, 0.5, 0.75])
    np.testing.assert_allclose(got, dist.ppf([0.25, 0.5, 0.75]), rtol=0.03, atol=0.03)


def test_multivariate_normal_has_the_mean_and_covariance(draws: dict) -> None:
    x = draws["multivariate_normal"]
    assert x.shape == (N, 2) and x.dtype == np.float64
    np.testing.assert_allclose(x.mean(0), MV_MEAN, atol=0.03)
    np.testing.assert_allclose(np.cov(x.T), MV_COV, atol=0.05)


def test_dirichlet_multinomial_and_choice_have_the_expected_frequencies(draws: dict) -> None:
    d = draws["dirichlet"]
    assert d.shape == (N, 3)
    np.testing.assert_allclose(d.sum(1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(d.mean(0), [1 / 6, 2 / 6, 3 / 6], atol=0.005)
    m = draws["multinomial"]
    assert m.shape == (N, 2) and m.dtype == np.int64 and (m.sum(1) == 10).all()
    np.testing.assert_allclose(m.mean(0), [2.0, 8.0], atol=0.03)
    c = draws["choice"]
    freqs = [(c == v).mean() for v in (1.0, 2.0, 4.0)]
    np.testing.assert_allclose(freqs, [0.5, 0.25, 0.25], atol=0.01)


def test_choice_without_replacement_and_permutation_are_permutations() -> None:
    rng = g.shared(np.random.default_rng(3))
    f = g.function(
        [],
        [
            pt.random.choice(10, size=10, replace=False, rng=rng),
            pt.random.permutation(np.arange(6.0), rng=rng),
            pt.random.permutation(np.arange(6).reshape(3, 2), rng=rng),
        ],
    )
    c, p, rows = f()
    assert sorted(c.tolist()) == list(range(10)) and c.dtype == np.int64
    assert sorted(p.tolist()) == [0.0, 1, 2, 3, 4, 5] and p.dtype == np.float64
    assert sorted(map(tuple, rows.tolist())) == [(0, 1), (2, 3), (4, 5)]


# -- dtypes and shapes --------------------------------------------------------------------
SHAPES = {
    "default floatX": (lambda r: pt.random.normal(rng=r), "float64", ()),
    "float32": (lambda r: pt.random.normal(size=2, dtype="float32", rng=r), "float32", (2,)),
    "discrete int64": (lambda r: pt.random.poisson(2.0, size=(2, 3), rng=r), "int64", (2, 3)),
    "int32 discrete": (
        lambda r: pt.random.integers(5, size=4, dtype="int32", rng=r),
        "int32",
        (4,),
    ),
    "params broadcast": (
        lambda r: pt.random.normal(np.zeros((3, 1)), np.ones(4), rng=r),
        "float64",
        (3, 4),
    ),
    "size broadcasts params": (
        lambda r: pt.random.normal(np.zeros(3), 1.0, size=(2, 3), rng=r),
        "float64",
        (2, 3),
    ),
    "vector draws": (lambda r: pt.random.dirichlet(np.ones((4, 3)), rng=r), "float64", (4, 3)),
    "int size": (lambda r: pt.random.uniform(size=5, rng=r), "float64", (5,)),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_draws_have_pytensors_dtype_and_shape(name: str) -> None:
    make, dtype, shape = SHAPES[name]
    x = make(g.shared(np.random.default_rng(0)))
    assert x.dtype == dtype and x.type.shape == shape
    value = x.eval()
    assert value.dtype == dtype and value.shape == shape


def test_a_symbolic_size_is_a_static_argument() -> None:
    n = pt.lscalar("n")
    x = pt.random.normal(size=(n, 2), rng=g.shared(np.random.default_rng(0)))
    assert x.type.shape == (None, 2)
    f = g.function([n], x)
    assert f(3).shape == (3, 2) and f(5).shape == (5, 2)
    assert f.maker.linked().static_argnums == (0,)


def test_a_size_from_a_shape_needs_no_static_argument() -> None:
    x = pt.dmatrix("x")
    y = pt.random.normal(size=x.shape, rng=g.shared(np.random.default_rng(0)))
    f = g.function([x], y + x)
    assert f(np.zeros((2, 3))).shape == (2, 3) and f.maker.linked().static_argnums == ()


def test_infer_shape_gives_the_size_and_the_support() -> None:
    n = pt.lscalar("n")
    x = pt.random.dirichlet(np.ones(3), size=(n, 2), rng=g.shared(np.random.default_rng(0)))
    entries = x.owner.op.infer_shape(None, x.owner, [])[1]
    f = g.function([n], [x, pt.stack([pt.cast(e, "int64") for e in entries])])
    value, shape = f(4)
    assert value.shape == (4, 2, 3) == tuple(shape)


def test_numpy_mode_reproduces_the_jax_bits() -> None:
    for mode in ("NUMPY", "DebugMode", "JAX"):
        rng = g.shared(np.random.default_rng(7))
        next_rng, x = pt.random.normal(np.array([1.0, 2.0]), 2.0, rng=rng).owner.outputs
        y = pt.random.multivariate_normal(MV_MEAN, MV_COV, size=2, rng=next_rng)
        f = g.function([], [x, y], updates={rng: y.owner.outputs[0]}, mode=mode)
        got = f() + f()
        if mode == "NUMPY":
            reference = got
        else:
            for a, b in zip(got, reference, strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-12)


_SEEDED_RNG = pt.random.rng("rng")
_SEEDED = g.function([_SEEDED_RNG], pt.random.normal(size=4, rng=_SEEDED_RNG))


@settings(max_examples=10, deadline=None)
@given(seed=hst.integers(0, 2**63 - 1), other=hst.integers(0, 2**63 - 1))
def test_a_seed_decides_the_draws(seed: int, other: int) -> None:
    a = _SEEDED(np.random.default_rng(seed))
    np.testing.assert_array_equal(a, _SEEDED(np.random.default_rng(seed)))
    if other != seed:
        assert not np.array_equal(a, _SEEDED(np.random.default_rng(other)))


def test_random_ops_are_not_folded_into_the_program() -> None:
    # every input of the node is known while tracing; the draw must still follow the key
    rng = g.shared(np.random.default_rng(0))
    next_rng, x = pt.random.normal(0.0, 1.0, size=2, rng=rng).owner.outputs
    f = g.function([], x, updates={rng: next_rng})
    assert not (f() == f()).any()
    assert "normal_rv" in f.maker.linked().source


def test_draws_have_no_gradient() -> None:
    mu = pt.dscalar("mu")
    x = pt.random.normal(mu, 1.0, rng=g.shared(np.random.default_rng(0)))
    with pytest.raises(NullTypeGradError, match="No gradient defined for random variables"):
        g.grad(x, mu)


# -- errors -------------------------------------------------------------------------------
ERRORS = {
    "negative size": (lambda r: pt.random.normal(size=(-1,), rng=r), ValueError, "negative"),
    "float size": (lambda r: pt.random.normal(size=(2.5,), rng=r), TypeError, "integers"),
    "size shorter than params": (
        lambda r: pt.random.normal(np.zeros((2, 3)), size=(3,), rng=r),
        ValueError,
        "(?i)size length is incompatible",
    ),
    "param not broadcastable to size": (
        lambda r: pt.random.normal(np.zeros(3), size=(2, 4), rng=r),
        ValueError,
        "cannot be broadcast",
    ),
    "params not broadcastable": (
        lambda r: pt.random.normal(np.zeros(3), np.ones(4), rng=r),
        ValueError,
        "cannot be broadcast",
    ),
    "vector param too small": (lambda r: pt.random.dirichlet(1.0, rng=r), ValueError, "at least 1"),
    "rng not a generator": (
        lambda r: pt.random.normal(rng=pt.dvector()),
        TypeError,
        "RandomGeneratorType",
    ),
    "gamma rate and scale": (lambda r: pt.random.gamma(1.0, 1.0, 1.0, rng=r), ValueError, "both"),
    "gamma no scale": (lambda r: pt.random.gamma(1.0, rng=r), ValueError, "scale"),
    "choice of a matrix": (
        lambda r: pt.random.choice(np.ones((2, 2)), rng=r),
        ValueError,
        "vector",
    ),
    "int dtype of a float draw": (
        lambda r: pt.random.normal(dtype="int64", rng=r),
        ValueError,
        "Cannot change the dtype",
    ),
    "float dtype of a count": (
        lambda r: pt.random.poisson(1.0, dtype="float64", rng=r),
        ValueError,
        "Cannot change the dtype",
    ),
    "permutation with size": (
        lambda r: pt.random.permutation(3, size=2, rng=r),
        ValueError,
        "size",
    ),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_bad_arguments_raise_pytensors_errors(name: str) -> None:
    make, exc, match = ERRORS[name]
    with pytest.raises(exc, match=match):
        make(g.shared(np.random.default_rng(0)))
