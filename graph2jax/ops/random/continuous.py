"""Continuous distributions (floatX draws), PyTensor's ``pt.random`` names and parameters.

Each sampler draws with ``jax.random`` and maps the standard draw to the
distribution's location and scale; the functions build the node with
:func:`~graph2jax.ops.random.basic.random_variable`.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import jax.random as jr

from graph2jax.ops.math import true_div
from graph2jax.ops.random.basic import (
    SAMPLERS,
    Sampler,
    random_variable,
    rv_dtype,
    scalar_support,
)

__all__ = [
    "beta",
    "cauchy",
    "chisquare",
    "exponential",
    "gamma",
    "gengamma",
    "gumbel",
    "halfcauchy",
    "halfnormal",
    "invgamma",
    "laplace",
    "logistic",
    "lognormal",
    "normal",
    "pareto",
    "rayleigh",
    "standard_normal",
    "t",
    "triangular",
    "truncexpon",
    "uniform",
    "wald",
    "weibull",
]

_DRAWS = {
    "uniform": lambda k, s, d, lo, hi: lo + (hi - lo) * jr.uniform(k, s, d),
    "normal": lambda k, s, d, loc, scale: loc + scale * jr.normal(k, s, d),
    "halfnormal": lambda k, s, d, loc, scale: loc + scale * jnp.abs(jr.normal(k, s, d)),
    "lognormal": lambda k, s, d, mean, sigma: jnp.exp(mean + sigma * jr.normal(k, s, d)),
    "triangular": lambda k, s, d, left, mode, right: jr.triangular(k, left, mode, right, s, d),
    "beta": lambda k, s, d, a, b: jr.beta(k, a, b, s, d),
    "gamma": lambda k, s, d, shape, scale: scale * jr.gamma(k, shape, s, d),
    "chisquare": lambda k, s, d, df: jr.chisquare(k, df, s, d),
    "rayleigh": lambda k, s, d, scale: jr.rayleigh(k, scale, s, d),
    "pareto": lambda k, s, d, b, scale: scale * jr.pareto(k, b, s, d),
    "gumbel": lambda k, s, d, loc, scale: loc + scale * jr.gumbel(k, s, d),
    "exponential": lambda k, s, d, scale: scale * jr.exponential(k, s, d),
    "weibull": lambda k, s, d, a: jr.weibull_min(k, 1.0, a, s, d),
    "logistic": lambda k, s, d, loc, scale: loc + scale * jr.logistic(k, s, d),
    "cauchy": lambda k, s, d, loc, scale: loc + scale * jr.cauchy(k, s, d),
    "halfcauchy": lambda k, s, d, loc, scale: loc + scale * jnp.abs(jr.cauchy(k, s, d)),
    "invgamma": lambda k, s, d, shape, scale: scale / jr.gamma(k, shape, s, d),
    # IG(mean, scale) is scale * IG(mean / scale, 1), and jax's wald has shape 1
    "wald": lambda k, s, d, mean, scale: scale * jr.wald(k, mean / scale, s, d),
    # scipy's truncexpon(b): the exponential restricted to [0, b], by inverting its CDF
    "truncexpon": lambda k, s, d, b, loc, scale: (
        loc - scale * jnp.log1p(-jr.uniform(k, s, d) * -jnp.expm1(-b))
    ),
    "t": lambda k, s, d, df, loc, scale: loc + scale * jr.t(k, df, s, d),
    "laplace": lambda k, s, d, loc, scale: loc + scale * jr.laplace(k, s, d),
    # PyTensor's gengamma: lambd * X ** (1 / p) with X ~ Gamma(alpha / p)
    "gengamma": lambda k, s, d, alpha, p, lambd: lambd * jr.gamma(k, alpha / p, s, d) ** (1.0 / p),
}
SAMPLERS.update((name, Sampler(draw, scalar_support)) for name, draw in _DRAWS.items())


def _rv(name: str, params: tuple, kwargs: dict) -> Any:
    dtype = rv_dtype(name, kwargs.pop("dtype", None), "floatX")
    return random_variable(name, (0,) * len(params), 0, dtype, params, **kwargs)


def uniform(low: Any = 0.0, high: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Draws uniform on ``[low, high)``.

    Parameters
    ----------
    low, high : tensor-like
        The bounds; broadcast together (and with ``size``).
    size : int, tuple or integer vector, optional
        The draw's shape; by default the parameters' broadcast shape.
    rng : random generator variable, optional
        By default a new unseeded shared generator that is never updated (as PyTensor).
    dtype : str, optional
        A float dtype (default ``floatX``).
    return_next_rng : bool
        Return ``(next_rng, draw)`` instead of the draw.

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as pt
    >>> rng = g.shared(np.random.default_rng(0))
    >>> x = pt.random.uniform(2.0, 3.0, size=(2, 3), rng=rng)
    >>> x.type
    TensorType(float64, shape=(2, 3))
    >>> v = x.eval(); bool(((v >= 2) & (v < 3)).all())
    True
    """
    return _rv("uniform", (low, high), dict(size=size, **kwargs))


def normal(loc: Any = 0.0, scale: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Normal draws with mean ``loc`` and standard deviation ``scale`` (keywords as :func:`uniform`).

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as pt
    >>> rng = g.shared(np.random.default_rng(0))
    >>> next_rng, x = pt.random.normal(0, 1, size=3, rng=rng).owner.outputs
    >>> f = g.function([], x, updates={rng: next_rng})
    >>> bool((f() != f()).all())
    True
    """
    return _rv("normal", (loc, scale), dict(size=size, **kwargs))


def standard_normal(size: Any = None, **kwargs: Any) -> Any:
    """Draws from the standard normal distribution (``normal(0, 1)``; keywords as :func:`uniform`)."""
    return _rv("normal", (0.0, 1.0), dict(size=size, **kwargs))


def halfnormal(loc: Any = 0.0, scale: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Half-normal draws: ``loc + scale * |N(0, 1)|`` (keywords as :func:`uniform`)."""
    return _rv("halfnormal", (loc, scale), dict(size=size, **kwargs))


def lognormal(mean: Any = 0.0, sigma: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Log-normal draws: ``exp(N(mean, sigma))`` (keywords as :func:`uniform`)."""
    return _rv("lognormal", (mean, sigma), dict(size=size, **kwargs))


def triangular(left: Any, mode: Any, right: Any, size: Any = None, **kwargs: Any) -> Any:
    """Triangular draws on ``[left, right]`` peaking at ``mode`` (keywords as :func:`uniform`)."""
    return _rv("triangular", (left, mode, right), dict(size=size, **kwargs))


def beta(alpha: Any, beta: Any, size: Any = None, **kwargs: Any) -> Any:
    """Beta draws with shape parameters ``alpha`` and ``beta`` (keywords as :func:`uniform`)."""
    return _rv("beta", (alpha, beta), dict(size=size, **kwargs))


def gamma(shape: Any, rate: Any = None, scale: Any = None, size: Any = None, **kwargs: Any) -> Any:
    """Gamma draws of shape ``shape`` and ``scale`` (or ``rate = 1 / scale``; keywords as :func:`uniform`).

    Raises
    ------
    ValueError
        Both or neither of ``rate`` and ``scale`` given (PyTensor's rule).
    """
    if rate is not None and scale is not None:
        raise ValueError("gamma: cannot specify both rate and scale")
    if rate is None and scale is None:
        raise ValueError("gamma: must specify scale (or rate)")
    if rate is not None:
        scale = true_div(1.0, rate)
    return _rv("gamma", (shape, scale), dict(size=size, **kwargs))


def chisquare(df: Any, size: Any = None, **kwargs: Any) -> Any:
    """Chi-square draws with ``df`` degrees of freedom (keywords as :func:`uniform`)."""
    return _rv("chisquare", (df,), dict(size=size, **kwargs))


def rayleigh(scale: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Rayleigh draws of scale ``scale`` (keywords as :func:`uniform`)."""
    return _rv("rayleigh", (scale,), dict(size=size, **kwargs))


def pareto(b: Any, scale: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Pareto draws of shape ``b`` on ``[scale, inf)`` (scipy's ``pareto``, as PyTensor)."""
    return _rv("pareto", (b, scale), dict(size=size, **kwargs))


def gumbel(loc: Any = 0.0, scale: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Gumbel (maximum) draws of location ``loc`` and scale ``scale`` (keywords as :func:`uniform`)."""
    return _rv("gumbel", (loc, scale), dict(size=size, **kwargs))


def exponential(scale: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Exponential draws with mean ``scale`` (keywords as :func:`uniform`)."""
    return _rv("exponential", (scale,), dict(size=size, **kwargs))


def weibull(shape: Any, size: Any = None, **kwargs: Any) -> Any:
    """Weibull draws ``(-log U) ** (1 / shape)`` (numpy's ``weibull``; keywords as :func:`uniform`)."""
    return _rv("weibull", (shape,), dict(size=size, **kwargs))


def logistic(loc: Any = 0.0, scale: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Logistic draws of location ``loc`` and scale ``scale`` (keywords as :func:`uniform`)."""
    return _rv("logistic", (loc, scale), dict(size=size, **kwargs))


def cauchy(loc: Any = 0.0, scale: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Cauchy draws of location ``loc`` and scale ``scale`` (keywords as :func:`uniform`)."""
    return _rv("cauchy", (loc, scale), dict(size=size, **kwargs))


def halfcauchy(loc: Any = 0.0, scale: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Half-Cauchy draws: ``loc + scale * |Cauchy(0, 1)|`` (keywords as :func:`uniform`)."""
    return _rv("halfcauchy", (loc, scale), dict(size=size, **kwargs))


def invgamma(shape: Any, scale: Any, size: Any = None, **kwargs: Any) -> Any:
    """Inverse-gamma draws: ``scale / Gamma(shape, 1)`` (keywords as :func:`uniform`)."""
    return _rv("invgamma", (shape, scale), dict(size=size, **kwargs))


def wald(mean: Any, scale: Any, size: Any = None, **kwargs: Any) -> Any:
    """Wald (inverse Gaussian) draws of mean ``mean`` and shape ``scale`` (numpy's ``wald``)."""
    return _rv("wald", (mean, scale), dict(size=size, **kwargs))


def truncexpon(b: Any, loc: Any = 0.0, scale: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Exponential draws truncated to ``[loc, loc + b * scale]`` (scipy's ``truncexpon``)."""
    return _rv("truncexpon", (b, loc, scale), dict(size=size, **kwargs))


def t(df: Any, loc: Any = 0.0, scale: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Student's t draws with ``df`` degrees of freedom, location and scale (keywords as :func:`uniform`)."""
    return _rv("t", (df, loc, scale), dict(size=size, **kwargs))


def laplace(loc: Any = 0.0, scale: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Laplace (double exponential) draws of location ``loc`` and scale ``scale``."""
    return _rv("laplace", (loc, scale), dict(size=size, **kwargs))


def gengamma(
    alpha: Any = 1.0, p: Any = 1.0, lambd: Any = 1.0, size: Any = None, **kwargs: Any
) -> Any:
    """Generalized gamma draws: ``lambd * X ** (1 / p)``, ``X ~ Gamma(alpha / p)`` (as PyTensor)."""
    return _rv("gengamma", (alpha, p, lambd), dict(size=size, **kwargs))
