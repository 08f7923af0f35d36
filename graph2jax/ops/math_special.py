"""The special functions' rows of the elementwise table (the format of :mod:`graph2jax.ops.math`).

Elementwise scalar ops (one :class:`~graph2jax.ops.elemwise.Elemwise` node
each): ``log1mexp``, ``deg2rad``, ``rad2deg``, ``angle``, ``xlogy``, ``xlog1py``,
``erfcx``, ``erfcinv``, ``gammainc``, ``gammaincc``, ``gammaincinv``,
``gammainccinv`` (Newton's method in JAX, float64 inside), ``i0``, ``i1``,
``j0``, ``j1``. The special functions PyTensor builds as graphs of others
(``logit``, ``beta`` ...) are in :mod:`graph2jax.ops.special`.

Float functions follow PyTensor's ``upgrade_to_float`` (int8 and bool give
float32, wider integers float64) and refuse complex inputs; ``angle`` gives
float64 whatever the input dtype, as in PyTensor. The general-order
Bessel functions (``iv``, ``ive``, ``jv``, ``kv``, ``kve``, ``kn``) are left
out: JAX has no implementation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np
import scipy.special as sp

from graph2jax.graph.gradtypes import grad_not_implemented
from graph2jax.ops.creation import zeros_like
from graph2jax.ops.math import (
    _FNC,
    _d,
    eq,
    exp,
    expm1,
    gammaln,
    imag,
    log,
    log1p,
    real,
    switch,
)
from graph2jax.ops.math import _define as define_row
from graph2jax.ops.math import complex as make_complex
from graph2jax.types.tensor_type import complex_dtypes
from graph2jax.types.variable import TensorVariable


def _angle_dtype(dtype: str) -> str:
    return "float64"  # whatever the input dtype, complex64 included, as PyTensor


def _log1mexp(xp: Any) -> Callable[..., Any]:
    # log(1 - e**x) for x <= 0: log(-expm1(x)) near 0, log1p(-exp(x)) far from it
    # (Maechler's switch at -log 2), each accurate where the other loses digits
    def f(x: Any) -> Any:
        return xp.where(x > -np.log(2), xp.log(-xp.expm1(x)), xp.log1p(-xp.exp(x)))

    return f


def _jax_erfcinv(x: Any) -> Any:
    # erfc(y) = 2 ndtr(-y sqrt 2): ndtri keeps full precision for tiny x, where 1 - x would not
    return -jsp.ndtri(x / 2) / np.sqrt(2)


def _bessel_j(order: int) -> Callable[..., Any]:
    # jax's float32 bessel_jn gives nan for small |x|: compute in float64, the output is cast back
    return lambda x: jsp.bessel_jn(x.astype("float64"), v=order)[order]


def _const(factor: float) -> Callable[..., list]:
    return lambda i, o, gz: [gz * factor]


def _angle_grad(i: list, o: Any, gz: Any) -> list:
    (z,) = i
    if z.dtype not in complex_dtypes:  # the angle of a real number is piecewise constant
        return [zeros_like(z)]
    # PyTensor's convention for complex inputs: d/dRe + 1j d/dIm of atan2(Im, Re)
    x, y = real(z), imag(z)
    r2 = x * x + y * y
    return [gz * make_complex(-y / r2, x / r2)]


def _gammainc_grad(sign: int) -> Callable[..., list]:
    def grad(i: list, o: Any, gz: Any) -> list:
        k, x = i
        density = exp(-x + (k - 1) * log(x) - gammaln(k))  # d/dx of the regularised P
        name = "gammainc" if sign > 0 else "gammaincc"
        return [grad_not_implemented(name, 0, k), gz * sign * density]

    return grad


def _jax_gammainc_inverse(upper: bool) -> Callable[..., Any]:
    """x with P(k, x) = p (Q(k, x) = p if ``upper``): Newton's method on log x, in float64."""

    def inverse(k: Any, p: Any) -> Any:
        k, p = k.astype("float64"), p.astype("float64")
        # solve on the side whose target is <= 1/2, where 1 - p is exact and P or Q keeps its digits
        flip = p > 0.5
        use_q = jnp.logical_xor(upper, flip)
        target = jnp.where(flip, 1 - p, p)
        lower_p = jnp.where(upper, 1 - p, p)
        # initial guess: Wilson-Hilferty, or P(k, x) ~ x**k / k! near 0 where that breaks down
        z = jnp.where(upper, -jsp.ndtri(p), jsp.ndtri(p))
        c = 1 / (9 * k)
        base = 1 - c + z * jnp.sqrt(c)
        wh = k * jnp.maximum(base, 0.05) ** 3
        small = jnp.exp((jnp.log(lower_p) + jsp.gammaln(k + 1)) / k)
        u0 = jnp.log(jnp.where((k < 1) | (base < 0.05), jnp.minimum(small, wh), wh))

        def step(_: int, u: Any) -> Any:
            # Newton on log F(x) - log(target) (well scaled however small the target), with
            # x dP/dx in logs because it underflows for large k
            x = jnp.exp(u)
            value = jnp.where(use_q, jsp.gammaincc(k, x), jsp.gammainc(k, x))
            log_dens_x = -x + k * u - jsp.gammaln(k)
            du = (jnp.log(value) - jnp.log(target)) * jnp.exp(jnp.log(value) - log_dens_x)
            du = jnp.where(use_q, -du, du)
            return u - jnp.clip(jnp.where(jnp.isfinite(du), du, 0.0), -1, 1)

        x = jnp.exp(jax.lax.fori_loop(0, 60, step, u0))
        zero, inf = (p == 1, p == 0) if upper else (p == 0, p == 1)
        x = jnp.where(zero, 0.0, jnp.where(inf, jnp.inf, x))
        return jnp.where((p < 0) | (p > 1) | (k <= 0), jnp.nan, x)

    return inverse


def _gammaincinv_grad(sign: int) -> Callable[..., list]:
    def grad(i: list, o: Any, gz: Any) -> list:
        k, _ = i
        # the inverse function's derivative: 1 / (dP/dx) at x = the output
        slope = exp(o - (k - 1) * log(o) + gammaln(k))
        name = "gammaincinv" if sign > 0 else "gammainccinv"
        return [grad_not_implemented(name, 0, k), gz * sign * slope]

    return grad


def _i1_grad(i: list, o: Any, gz: Any) -> list:
    (x,) = i
    # i1'(x) = i0(x) - i1(x) / x, whose limit at 0 is 1/2
    return [gz * switch(eq(x, 0), 0.5, _f.i0(x) - o / x)]


def _j1_grad(i: list, o: Any, gz: Any) -> list:
    (x,) = i
    return [gz * switch(eq(x, 0), 0.5, _f.j0(x) - o / x)]


_SQRT_PI = np.sqrt(np.pi)
# this table's functions as attributes, for gradients written with other rows
_f = SimpleNamespace()

# rows of the elementwise table, in the format of :mod:`graph2jax.ops.math`
_FUNCTIONS: dict[str, Callable[..., TensorVariable]] = {}
_define = functools.partial(define_row, into=_FUNCTIONS, module=__name__)
# fmt: off
_define("log1mexp", 1, _log1mexp(np), _log1mexp(jnp), _FNC,
     _d(lambda x, o: -1 / expm1(-x)), "log(1 - exp(x)) for x <= 0, computed stably", args="x")
_define("deg2rad", 1, np.deg2rad, jnp.deg2rad, _FNC, _const(np.pi / 180),
     "``x`` converted from degrees to radians", args="x")
_define("rad2deg", 1, np.rad2deg, jnp.rad2deg, _FNC, _const(180 / np.pi),
     "``x`` converted from radians to degrees", args="x")
_define("angle", 1, np.angle, jnp.angle, _angle_dtype, _angle_grad,
     "the argument of the complex number ``z``, in radians, as float64", args="z", compute="keep", holomorphic=False)
_define("xlogy", 2, sp.xlogy, jsp.xlogy, _FNC,
     lambda i, o, gz: [gz * log(i[1]), gz * i[0] / i[1]],
     "``x * log(y)``, 0 where ``x`` is 0", args="x y")
_define("xlog1py", 2, sp.xlog1py, jsp.xlog1py, _FNC,
     lambda i, o, gz: [gz * log1p(i[1]), gz * i[0] / (1 + i[1])],
     "``x * log1p(y)``, 0 where ``x`` is 0", args="x y")
_define("erfcx", 1, sp.erfcx, jsp.erfcx, _FNC,
     _d(lambda x, o: 2 * x * o - 2 / _SQRT_PI),
     "the scaled complementary error function exp(a**2) * erfc(a)")
_define("erfcinv", 1, sp.erfcinv, _jax_erfcinv, _FNC,
     _d(lambda x, o: -0.5 * _SQRT_PI * exp(o * o)),
     "the inverse complementary error function")
_define("gammainc", 2, sp.gammainc, jsp.gammainc, _FNC, _gammainc_grad(1),
     "the regularised lower incomplete gamma function P(k, x)", args="k x")
_define("gammaincc", 2, sp.gammaincc, jsp.gammaincc, _FNC, _gammainc_grad(-1),
     "the regularised upper incomplete gamma function Q(k, x) = 1 - P(k, x)", args="k x")
_define("gammaincinv", 2, sp.gammaincinv, _jax_gammainc_inverse(False), _FNC, _gammaincinv_grad(1),
     "the inverse of ``gammainc`` in ``x``: the ``y`` with P(k, y) = x", args="k x")
_define("gammainccinv", 2, sp.gammainccinv, _jax_gammainc_inverse(True), _FNC,
     _gammaincinv_grad(-1), "the inverse of ``gammaincc`` in ``x``: the ``y`` with Q(k, y) = x", args="k x")
_define("i0", 1, sp.i0, jsp.i0, _FNC, _d(lambda x, o: _f.i1(x)),
     "the modified Bessel function of the first kind of order 0", args="x")
_define("i1", 1, sp.i1, jsp.i1, _FNC, _i1_grad,
     "the modified Bessel function of the first kind of order 1", args="x")
_define("j0", 1, sp.j0, _bessel_j(0), _FNC, _d(lambda x, o: -_f.j1(x)),
     "the Bessel function of the first kind of order 0", args="x")
_define("j1", 1, sp.j1, _bessel_j(1), _FNC, _j1_grad,
     "the Bessel function of the first kind of order 1", args="x")
# fmt: on
globals().update(_FUNCTIONS)
_f.__dict__.update(_FUNCTIONS)

# ``xlogy`` and ``xlog1py`` live in ``graph2jax.tensor.special`` only, as in PyTensor
_SPECIAL_ONLY = ("xlog1py", "xlogy")
__all__ = [n for n in _FUNCTIONS if n not in _SPECIAL_ONLY]
