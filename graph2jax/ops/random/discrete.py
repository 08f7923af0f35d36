"""Discrete and multivariate distributions, PyTensor's ``pt.random`` names (int64 counts, floatX vectors).

``categorical``, ``multinomial``, ``dirichlet`` and ``multivariate_normal``
have core axes (their parameters' last axes); ``choice`` and ``permutation``
draw from a population.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import jax.random as jr

from graph2jax.graph.basic import Variable
from graph2jax.ops.creation import arange
from graph2jax.ops.random.basic import (
    SAMPLERS,
    Sampler,
    random_variable,
    rv_dtype,
    scalar_support,
)
from graph2jax.types.as_tensor import as_tensor_variable

__all__ = [
    "bernoulli",
    "betabinom",
    "binomial",
    "categorical",
    "choice",
    "dirichlet",
    "geometric",
    "integers",
    "multinomial",
    "multivariate_normal",
    "nbinom",
    "negative_binomial",
    "permutation",
    "poisson",
]


def _negative_binomial(k: Any, s: tuple, d: str, n: Any, p: Any) -> Any:
    # numpy's construction: a Poisson draw whose rate is Gamma(n, (1 - p) / p)
    k1, k2 = jr.split(k)
    return jr.poisson(k2, jr.gamma(k1, n, s) * (1 - p) / p, s, d)


def _betabinom(k: Any, s: tuple, d: str, n: Any, a: Any, b: Any) -> Any:
    k1, k2 = jr.split(k)
    return jr.binomial(k2, n, jr.beta(k1, a, b, s), s)


def _last(k: int) -> Any:
    """The support of a vector draw: the length of parameter ``k``'s last axis."""
    return lambda shapes: (shapes[k][-1],)


_SCALARS = {
    "bernoulli": lambda k, s, d, p: jr.bernoulli(k, p, s),
    "binomial": lambda k, s, d, n, p: jr.binomial(k, n, p, s),
    "negative_binomial": _negative_binomial,
    "betabinom": _betabinom,
    "poisson": lambda k, s, d, lam: jr.poisson(k, lam, s, d),
    "geometric": lambda k, s, d, p: jr.geometric(k, p, s, d),
    "integers": lambda k, s, d, lo, hi: jr.randint(k, s, lo, hi, d),
}
SAMPLERS.update((name, Sampler(draw, scalar_support)) for name, draw in _SCALARS.items())
SAMPLERS.update(
    categorical=Sampler(
        lambda k, s, d, p: jr.categorical(k, jnp.log(p), axis=-1, shape=s), scalar_support
    ),
    multinomial=Sampler(
        lambda k, s, d, n, p: jr.multinomial(k, n, p, shape=(*s, jnp.shape(p)[-1])), _last(1)
    ),
    dirichlet=Sampler(lambda k, s, d, a: jr.dirichlet(k, a, s, d), _last(0)),
    multivariate_normal=Sampler(
        lambda k, s, d, mean, cov: jr.multivariate_normal(k, mean, cov, s, d, method="cholesky"),
        lambda shapes: (shapes[0][-1] if shapes[0][-1] is not None else shapes[1][-1],),
    ),
    choice=Sampler(lambda k, s, d, a, *p: jr.choice(k, a, s, True, *p), scalar_support),
    choice_without_replacement=Sampler(
        lambda k, s, d, a, *p: jr.choice(k, a, s, False, *p), scalar_support
    ),
    permutation=Sampler(lambda k, s, d, x: jr.permutation(k, x), lambda shapes: shapes[0]),
)


def _discrete(name: str, params: tuple, kwargs: dict) -> Any:
    dtype = rv_dtype(name, kwargs.pop("dtype", None), "int64")
    return random_variable(name, (0,) * len(params), 0, dtype, params, **kwargs)


def bernoulli(p: Any, size: Any = None, **kwargs: Any) -> Any:
    """Bernoulli draws (0 or 1, int64) with success probability ``p``.

    Parameters
    ----------
    p : tensor-like
    size : int, tuple or integer vector, optional
    rng : random generator variable, optional
    dtype : str, optional
        An integer dtype (default int64).
    return_next_rng : bool
        Return ``(next_rng, draw)`` instead of the draw.

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as pt
    >>> x = pt.random.bernoulli(0.5, size=4, rng=g.shared(np.random.default_rng(0)))
    >>> x.dtype, x.eval().shape
    ('int64', (4,))
    """
    return _discrete("bernoulli", (p,), dict(size=size, **kwargs))


def binomial(n: Any, p: Any, size: Any = None, **kwargs: Any) -> Any:
    """Binomial draws: successes in ``n`` trials of probability ``p`` (keywords as :func:`bernoulli`)."""
    return _discrete("binomial", (n, p), dict(size=size, **kwargs))


def negative_binomial(n: Any, p: Any, size: Any = None, **kwargs: Any) -> Any:
    """Negative binomial draws: failures before ``n`` successes of probability ``p`` (numpy's)."""
    return _discrete("negative_binomial", (n, p), dict(size=size, **kwargs))


nbinom = negative_binomial


def betabinom(n: Any, a: Any, b: Any, size: Any = None, **kwargs: Any) -> Any:
    """Beta-binomial draws: ``Binomial(n, Beta(a, b))`` (keywords as :func:`bernoulli`)."""
    return _discrete("betabinom", (n, a, b), dict(size=size, **kwargs))


def poisson(lam: Any = 1.0, size: Any = None, **kwargs: Any) -> Any:
    """Poisson draws with rate ``lam`` (keywords as :func:`bernoulli`)."""
    return _discrete("poisson", (lam,), dict(size=size, **kwargs))


def geometric(p: Any, size: Any = None, **kwargs: Any) -> Any:
    """Geometric draws: the trial (from 1) of the first success of probability ``p``."""
    return _discrete("geometric", (p,), dict(size=size, **kwargs))


def integers(low: Any, high: Any = None, size: Any = None, **kwargs: Any) -> Any:
    """Integers drawn uniformly from ``[low, high)`` (``[0, low)`` when ``high`` is None)."""
    if high is None:
        low, high = 0, low
    return _discrete("integers", (low, high), dict(size=size, **kwargs))


def categorical(p: Any, size: Any = None, **kwargs: Any) -> Any:
    """Category indices drawn with probabilities ``p`` along its last axis (int64).

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as pt
    >>> x = pt.random.categorical([0.0, 0.0, 1.0], size=2, rng=g.shared(np.random.default_rng(0)))
    >>> x.eval()
    array([2, 2])
    """
    dtype = rv_dtype("categorical", kwargs.pop("dtype", None), "int64")
    return random_variable("categorical", (1,), 0, dtype, (p,), size=size, **kwargs)


def multinomial(n: Any, p: Any, size: Any = None, **kwargs: Any) -> Any:
    """Counts of ``n`` draws among the categories of probabilities ``p`` (last axis; int64)."""
    dtype = rv_dtype("multinomial", kwargs.pop("dtype", None), "int64")
    return random_variable("multinomial", (0, 1), 1, dtype, (n, p), size=size, **kwargs)


def dirichlet(alphas: Any, size: Any = None, **kwargs: Any) -> Any:
    """Dirichlet draws of concentrations ``alphas`` (last axis; floatX vectors)."""
    dtype = rv_dtype("dirichlet", kwargs.pop("dtype", None), "floatX")
    return random_variable("dirichlet", (1,), 1, dtype, (alphas,), size=size, **kwargs)


def multivariate_normal(mean: Any, cov: Any, size: Any = None, **kwargs: Any) -> Any:
    """Multivariate normal draws of mean vector ``mean`` and covariance ``cov`` (Cholesky method).

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as pt
    >>> rng = g.shared(np.random.default_rng(0))
    >>> x = pt.random.multivariate_normal(np.zeros(2), np.eye(2), size=5, rng=rng)
    >>> x.type
    TensorType(float64, shape=(5, 2))
    """
    dtype = rv_dtype("multivariate_normal", kwargs.pop("dtype", None), "floatX")
    return random_variable(
        "multivariate_normal", (1, 2), 1, dtype, (mean, cov), **kwargs, size=size
    )


def _population(a: Any) -> Variable:
    """``a`` as the population to draw from: an integer scalar ``n`` stands for ``arange(n)``."""
    a = as_tensor_variable(a)
    return arange(a) if a.ndim == 0 else a


def choice(a: Any, size: Any = None, replace: bool = True, p: Any = None, **kwargs: Any) -> Any:
    """Elements drawn from the vector ``a`` (or ``arange(a)``), with or without replacement.

    ``p``: the elements' probabilities (uniform by default). The draw has
    ``a``'s dtype and the shape ``size``.

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as pt
    >>> rng = g.shared(np.random.default_rng(0))
    >>> x = pt.random.choice(5, size=5, replace=False, rng=rng)
    >>> sorted(x.eval().tolist())
    [0, 1, 2, 3, 4]
    """
    a = _population(a)
    if a.ndim != 1:
        raise ValueError(
            f"choice: a must be a scalar or a vector, got {a.describe()} of type {a.type}"
        )
    name = "choice" if replace else "choice_without_replacement"
    params = (a,) if p is None else (a, p)
    return random_variable(name, (1,) * len(params), 0, a.dtype, params, size=size, **kwargs)


def permutation(x: Any, **kwargs: Any) -> Any:
    """``x`` shuffled along its first axis (or a permutation of ``arange(x)`` for an integer).

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as pt
    >>> rng = g.shared(np.random.default_rng(0))
    >>> sorted(pt.random.permutation(4, rng=rng).eval().tolist())
    [0, 1, 2, 3]
    """
    if kwargs.get("size") is not None:
        raise ValueError("permutation: size is not supported; permute a batch with choice instead")
    kwargs.pop("size", None)
    x = _population(x)
    return random_variable("permutation", (x.ndim,), x.ndim, x.dtype, (x,), **kwargs)
