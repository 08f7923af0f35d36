"""The elementwise functions of ``graph2jax.tensor``, one table entry each (the special
functions' rows are in :mod:`graph2jax.ops.math_special`, in the same format), and the
few functions built on them (``round``, ``where``, ``logaddexp``, ``nan_to_num`` ...).

An entry names the function (PyTensor's name), its arity, numpy reference,
JAX function, dtype rule, gradient and summary, side by side; the
:class:`~graph2jax.ops.elemwise.Elemwise` op of
:mod:`graph2jax.ops.elemwise` does the rest (broadcasting, casting, the
gradient's reduction over broadcast axes). Dtypes follow PyTensor: arithmetic
upcasts as numpy, true division of integers alone gives ``floatX``,
transcendental functions turn integers into floats (``upgrade_to_float``),
comparisons, ``isnan`` and ``isinf`` give bool, ``abs`` of a complex is real,
rounding accepts floats only. Functions that neither numpy nor JAX compute on
complex numbers (``erf``, ``gamma``, ``sigmoid``, ``mod`` ...) refuse complex
inputs when the graph is built.
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

from graph2jax.config import config
from graph2jax.graph.gradtypes import grad_not_implemented
from graph2jax.ops.elemwise import cast, elemwise_function
from graph2jax.ops.nonzero import nonzero
from graph2jax.ops.scalar import real_of, scalar_op, upcast, upgrade_to_float
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import complex_dtypes, discrete_dtypes, float_dtypes
from graph2jax.types.variable import TensorVariable

# ---------------------------------------------------------------------------
# dtype rules of the table (``rule(*input_dtypes) -> dtype``, TypeError for refused dtypes)


def _no_complex(rule: Callable[..., str]) -> Callable[..., str]:
    def checked(*dtypes: str) -> str:
        if any(d in complex_dtypes for d in dtypes):
            raise TypeError(f"complex inputs are not supported (got {', '.join(dtypes)})")
        return rule(*dtypes)

    return checked


def _no_bool(*dtypes: str) -> str:
    out = upcast(*dtypes)
    if out == "bool":
        raise TypeError("bool inputs are not supported: cast them to an integer dtype first")
    return out


def _min8(*dtypes: str) -> str:
    out = upcast(*dtypes)
    return "int8" if out == "bool" else out


def _bool_out(*dtypes: str) -> str:
    return "bool"


def _float_only(*dtypes: str) -> str:
    if any(d not in float_dtypes for d in dtypes):
        raise TypeError(f"only float32 and float64 inputs are supported (got {', '.join(dtypes)})")
    return upcast(*dtypes)


def _bitwise(*dtypes: str) -> str:
    if all(d == "bool" for d in dtypes):
        return "bool"
    if any(d not in discrete_dtypes for d in dtypes):
        raise TypeError(f"bitwise ops take integers or all-bool inputs, got {', '.join(dtypes)}")
    return upcast(*dtypes)


def _true_div_rule(*dtypes: str) -> str:
    # PyTensor's TrueDiv: integers (and bools) alone divide into floatX, not into float64
    if all(d in discrete_dtypes for d in dtypes):
        return config.floatX
    return upcast(*dtypes)


def _complex_out(*dtypes: str) -> str:
    return "complex64" if upcast(*dtypes) == "float32" else "complex128"


_float_no_complex = _no_complex(upgrade_to_float)
_upcast_no_complex = _no_complex(upcast)


# ---------------------------------------------------------------------------
# the table of elementwise functions: name, arity, numpy reference, JAX function,
# dtype rule, gradient, summary. A gradient is ``grad(inputs, out, gz)``;
# ``_d(f)`` makes one from the derivative ``f(x, out)`` of a unary function.

_FUNCTIONS: dict[str, Callable[..., TensorVariable]] = {}
# the table's functions as attributes (``_f.cos``), for gradients written with other rows;
# filled once the table is complete, before any gradient runs
_f = SimpleNamespace()


def _define(
    name: str,
    nin: int,
    np_fn: Callable,
    jax_fn: Callable,
    rule: Callable[..., str],
    grad: Callable[..., list] | None,
    summary: str,
    compute: str = "out",
    args: str | None = None,
    variadic: bool = False,
    holomorphic: bool = True,
    into: dict[str, Callable[..., TensorVariable]] = _FUNCTIONS,
    module: str = __name__,
) -> None:
    """One row of a table of elementwise functions: register its scalar op, add its function.

    ``into`` is the table's dict of functions, ``module`` the module that holds the table.
    """
    sop = scalar_op(
        name,
        nin,
        np_fn,
        jax_fn,
        dtype_rule=rule,
        compute=compute,
        grad=grad,
        holomorphic=holomorphic,
        module=module,
    )
    into[name] = elemwise_function(sop, summary, args, variadic)


def _d(deriv: Callable[..., Any]) -> Callable[..., list]:
    return lambda i, o, gz: [gz * deriv(i[0], o)]


def _zero(i: list, o: Any, gz: Any) -> list:
    """Piecewise-constant functions (floor, sign ...) have a zero gradient, as in PyTensor."""
    from graph2jax.ops.creation import zeros_like

    return [zeros_like(x) for x in i]


def _softplus(xp: Any) -> Callable[..., Any]:
    # log(1 + exp(x)) without overflow for large x nor underflow to 0 for very negative x
    return lambda x: xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(x, 0)


def _round_half_away(xp: Any) -> Callable[..., Any]:
    # x - trunc(x) is exact, so halves are detected without the error of floor(x + 0.5)
    def rounded(x: Any) -> Any:
        r = xp.trunc(x)
        return r + xp.where(xp.abs(x - r) >= 0.5, xp.sign(x), 0)

    return rounded


def _div_grad(i: list, o: Any, gz: Any) -> list:
    return [gz / i[1], -gz * o / i[1]]


def _pow_grad(i: list, o: Any, gz: Any) -> list:
    x, y = i
    # d(x**y)/dy is 0 (not nan or inf) where x == 0, as PyTensor and jax.grad
    return [gz * y * _f.pow(x, y - 1), _f.switch(_f.eq(x, 0), 0, gz * o * _f.log(x))]


def _max_min_grad(i: list, o: Any, gz: Any) -> list:
    # ties send the whole gradient to the first input
    return [gz * _f.eq(o, i[0]), gz * _f.neq(o, i[0])]


def _clip_grad(i: list, o: Any, gz: Any) -> list:
    x, lo, hi = i  # on a boundary the gradient goes to x, as in PyTensor
    return [gz * _f.and_(_f.ge(x, lo), _f.le(x, hi)), gz * _f.lt(x, lo), gz * _f.gt(x, hi)]


def _arctan2_grad(i: list, o: Any, gz: Any) -> list:
    y, x = i
    r2 = y * y + x * x
    return [gz * x / r2, -gz * y / r2]


def _switch_grad(i: list, o: Any, gz: Any) -> list:
    from graph2jax.ops.creation import zeros_like

    zeros = zeros_like(gz)
    return [None, _f.switch(i[0], gz, zeros), _f.switch(i[0], zeros, gz)]


def _is_complex(x: Any) -> bool:
    return x.dtype in complex_dtypes


# fmt: off
_F, _FNC = upgrade_to_float, _float_no_complex
_2_SQRT_PI = 2 / np.sqrt(np.pi)

# arithmetic
_define("add", 2, np.add, jnp.add, upcast, lambda i, o, gz: [gz, gz], "a + b", variadic=True)
_define("sub", 2, np.subtract, jnp.subtract, _no_bool, lambda i, o, gz: [gz, -gz], "a - b")
_define("mul", 2, np.multiply, jnp.multiply, upcast, lambda i, o, gz: [gz * i[1], gz * i[0]],
        "a * b", variadic=True)
_define("true_div", 2, np.true_divide, jnp.true_divide, _true_div_rule, _div_grad,
        "a / b; integers and bools alone give floatX")
_define("int_div", 2, np.floor_divide, jnp.floor_divide, _upcast_no_complex, _zero,
        "a // b, floor division; integers stay integers")
_define("mod", 2, np.mod, jnp.mod, _upcast_no_complex, lambda i, o, gz: [gz, -gz * _f.int_div(i[0], i[1])],
        "a % b, with the sign of b (Python's modulo)")
_define("neg", 1, np.negative, jnp.negative, _no_bool, lambda i, o, gz: [-gz], "-a")
_define("reciprocal", 1, np.reciprocal, jnp.reciprocal, _F, _d(lambda x, o: -o * o), "1 / a")
_define("pow", 2, np.power, jnp.power, _min8, _pow_grad, "a ** b")
_define("sqr", 1, lambda x: x * x, lambda x: x * x, upcast, _d(lambda x, o: 2 * x), "a * a")
_define("sqrt", 1, np.sqrt, jnp.sqrt, _F, _d(lambda x, o: 0.5 / o), "square root")
_define("abs", 1, np.abs, jnp.abs, real_of,
        _d(lambda x, o: x / o if _is_complex(x) else _f.sign(x)),
        "absolute value (real for complex inputs)", compute="keep", holomorphic=False)
_define("sign", 1, np.sign, jnp.sign, _no_complex(_no_bool), _zero, "sign: -1, 0 or 1 (nan for nan)")
_define("maximum", 2, np.maximum, jnp.maximum, upcast, _max_min_grad,
        "elementwise maximum (nan if either is nan)", args="x y")
_define("minimum", 2, np.minimum, jnp.minimum, upcast, _max_min_grad,
        "elementwise minimum (nan if either is nan)", args="x y")
_define("clip", 3, np.clip, jnp.clip, _upcast_no_complex, _clip_grad,
        "``x`` limited to ``[min, max]`` (on a boundary, the gradient goes to ``x``)",
        args="x min max")
# exponentials and logarithms
_define("exp", 1, np.exp, jnp.exp, _F, _d(lambda x, o: o), "e ** a")
_define("exp2", 1, np.exp2, jnp.exp2, _F, _d(lambda x, o: o * np.log(2)), "2 ** a")
_define("expm1", 1, np.expm1, jnp.expm1, _F, _d(lambda x, o: o + 1),
        "e ** a - 1, accurate for small a")
_define("log", 1, np.log, jnp.log, _F, _d(lambda x, o: 1 / x), "natural logarithm")
_define("log2", 1, np.log2, jnp.log2, _F, _d(lambda x, o: np.log2(np.e) / x), "base-2 logarithm")
_define("log10", 1, np.log10, jnp.log10, _F, _d(lambda x, o: np.log10(np.e) / x),
        "base-10 logarithm")
_define("log1p", 1, np.log1p, jnp.log1p, _F, _d(lambda x, o: 1 / (1 + x)),
        "log(1 + a), accurate for small a")
# trigonometric and hyperbolic
_define("sin", 1, np.sin, jnp.sin, _F, _d(lambda x, o: _f.cos(x)), "sine")
_define("cos", 1, np.cos, jnp.cos, _F, _d(lambda x, o: -_f.sin(x)), "cosine")
_define("tan", 1, np.tan, jnp.tan, _F, _d(lambda x, o: 1 + o * o), "tangent")
_define("arcsin", 1, np.arcsin, jnp.arcsin, _F, _d(lambda x, o: 1 / _f.sqrt(1 - x * x)),
        "inverse sine")
_define("arccos", 1, np.arccos, jnp.arccos, _F, _d(lambda x, o: -1 / _f.sqrt(1 - x * x)),
        "inverse cosine")
_define("arctan", 1, np.arctan, jnp.arctan, _F, _d(lambda x, o: 1 / (1 + x * x)),
        "inverse tangent")
_define("arctan2", 2, np.arctan2, jnp.arctan2, _FNC, _arctan2_grad,
        "the angle of the point (b, a): arctan(a / b) in the right quadrant")
_define("sinh", 1, np.sinh, jnp.sinh, _F, _d(lambda x, o: _f.cosh(x)), "hyperbolic sine")
_define("cosh", 1, np.cosh, jnp.cosh, _F, _d(lambda x, o: _f.sinh(x)), "hyperbolic cosine")
_define("tanh", 1, np.tanh, jnp.tanh, _F, _d(lambda x, o: 1 - o * o), "hyperbolic tangent")
_define("arcsinh", 1, np.arcsinh, jnp.arcsinh, _F, _d(lambda x, o: 1 / _f.sqrt(x * x + 1)),
        "inverse hyperbolic sine")
_define("arccosh", 1, np.arccosh, jnp.arccosh, _F, _d(lambda x, o: 1 / _f.sqrt(x * x - 1)),
        "inverse hyperbolic cosine")
_define("arctanh", 1, np.arctanh, jnp.arctanh, _F, _d(lambda x, o: 1 / (1 - x * x)),
        "inverse hyperbolic tangent")
# rounding (a zero gradient almost everywhere)
_define("floor", 1, np.floor, jnp.floor, _FNC, _zero, "the largest integer <= a, as a float")
_define("ceil", 1, np.ceil, jnp.ceil, _FNC, _zero, "the smallest integer >= a, as a float")
_define("trunc", 1, np.trunc, jnp.trunc, _FNC, _zero, "a rounded towards zero, as a float")
_define("round_half_to_even", 1, np.round, jnp.round, _float_only, _zero,
        "a rounded to the nearest integer, halves to even (floats only)")
_define("round_half_away_from_zero", 1, _round_half_away(np), _round_half_away(jnp), _float_only,
        _zero, "a rounded to the nearest integer, halves away from zero (floats only)")
# special functions
_define("erf", 1, sp.erf, jsp.erf, _FNC, _d(lambda x, o: _2_SQRT_PI * _f.exp(-x * x)),
        "error function")
_define("erfc", 1, sp.erfc, jsp.erfc, _FNC, _d(lambda x, o: -_2_SQRT_PI * _f.exp(-x * x)),
        "complementary error function, 1 - erf(a)")
_define("erfinv", 1, sp.erfinv, jsp.erfinv, _FNC, _d(lambda x, o: _f.exp(o * o) / _2_SQRT_PI),
        "inverse error function")
_define("gamma", 1, sp.gamma, jsp.gamma, _FNC, _d(lambda x, o: o * _f.psi(x)), "the gamma function")
_define("gammaln", 1, sp.gammaln, jsp.gammaln, _FNC, _d(lambda x, o: _f.psi(x)), "``log(|gamma(a)|)``")
_define("psi", 1, sp.psi, jsp.digamma, _FNC, _d(lambda x, o: _f.tri_gamma(x)),
        "the digamma function, d/da gammaln(a)")
_define("tri_gamma", 1, lambda x: sp.polygamma(1, x), lambda x: jsp.polygamma(1, x), _FNC,
        lambda i, o, gz: [grad_not_implemented("tri_gamma", 0, i[0])],
        "the trigamma function, d/da psi(a)")
_define("sigmoid", 1, sp.expit, jax.nn.sigmoid, _FNC, _d(lambda x, o: o * (1 - o)),
        "the logistic function 1 / (1 + exp(-x))", args="x")
_define("softplus", 1, _softplus(np), _softplus(jnp), _FNC, _d(lambda x, o: _f.sigmoid(x)),
        "log(1 + exp(x)), computed without overflow", args="x")
# comparisons and logic (no gradient)
for _name, _np, _jax, _doc in [
    ("eq", np.equal, jnp.equal, "a == b"),
    ("neq", np.not_equal, jnp.not_equal, "a != b"),
    ("lt", np.less, jnp.less, "a < b"),
    ("le", np.less_equal, jnp.less_equal, "a <= b"),
    ("gt", np.greater, jnp.greater, "a > b"),
    ("ge", np.greater_equal, jnp.greater_equal, "a >= b"),
]:
    _define(_name, 2, _np, _jax, _bool_out, None, f"{_doc}; bool result", compute="common")
_define("isnan", 1, np.isnan, jnp.isnan, _bool_out, None,
        "whether a is nan; bool result", compute="keep")
_define("isinf", 1, np.isinf, jnp.isinf, _bool_out, None,
        "whether a is +inf or -inf; bool result", compute="keep")
_define("isfinite", 1, np.isfinite, jnp.isfinite, _bool_out, None,
        "whether ``a`` is neither nan nor infinite; bool result", compute="keep")
_define("isposinf", 1, lambda x: x == np.inf, lambda x: x == jnp.inf, _bool_out, None,
        "whether ``x`` is +inf; bool result", args="x", compute="keep")
_define("isneginf", 1, lambda x: x == -np.inf, lambda x: x == -jnp.inf, _bool_out, None,
        "whether ``x`` is -inf; bool result", args="x", compute="keep")
_define("and_", 2, np.bitwise_and, jnp.bitwise_and, _bitwise, None,
        "a & b: bitwise and of integers, logical and of bools")
_define("or_", 2, np.bitwise_or, jnp.bitwise_or, _bitwise, None,
        "a | b: bitwise or of integers, logical or of bools")
_define("xor", 2, np.bitwise_xor, jnp.bitwise_xor, _bitwise, None,
        "a ^ b: bitwise xor of integers, logical xor of bools")
_define("invert", 1, np.invert, jnp.invert, _bitwise, None,
        "~a: bitwise not of integers, logical not of bools")
_define("switch", 3, np.where, jnp.where, lambda c, a, b: upcast(a, b), _switch_grad,
        "``ift`` where ``cond`` is true, else ``iff``", compute="keep", args="cond ift iff")
# complex numbers, copies
_define("real", 1, np.real, jnp.real, real_of,
        _d(lambda x, o: _f.complex(1, 0) if _is_complex(x) else 1),
        "the real part", compute="keep", args="z", holomorphic=False)
_define("imag", 1, np.imag, jnp.imag, real_of,
        _d(lambda x, o: _f.complex(0, 1) if _is_complex(x) else 0),
        "the imaginary part (zeros for real inputs)", compute="keep", args="z", holomorphic=False)
_define("conj", 1, np.conj, jnp.conj, upcast, lambda i, o, gz: [_f.conj(gz)],
        "the complex conjugate", compute="keep", args="z", holomorphic=False)
_define("complex", 2, lambda r, i: r + 1j * i, lambda r, i: r + 1j * i, _complex_out,
        lambda i, o, gz: [_f.real(gz), _f.imag(gz)],
        "the complex number real + 1j * imag", args="real imag", holomorphic=False)
_define("tensor_copy", 1, np.copy, lambda x: x, upcast, lambda i, o, gz: [gz],
        "a copy of a (the identity)", compute="keep")

# fmt: on


_conj = _FUNCTIONS.pop("conj")


def conj(x: Any, name: str | None = None) -> TensorVariable:
    """The complex conjugate of ``x``; a real ``x`` is returned as it is.

    Parameters
    ----------
    x : tensor-like
    name : str, optional
        The name of the result (when ``x`` is complex).
    """
    x = as_tensor_variable(x)
    return _conj(x, name=name) if _is_complex(x) else x


def round(a: Any, mode: str | None = None) -> TensorVariable:
    """``a`` rounded to the nearest integer (as a float), as PyTensor's ``round``.

    Parameters
    ----------
    a : tensor-like, float
    mode : {'half_to_even', 'half_away_from_zero'}, optional
        How halves are rounded; None means ``'half_to_even'`` (numpy's rule,
        PyTensor's default).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.round(gt.constant([0.5, 1.5, -2.5])).eval()
    array([ 0.,  2., -2.])
    >>> gt.round(gt.constant([0.5, 1.5, -2.5]), "half_away_from_zero").eval()
    array([ 1.,  2., -3.])
    """
    rounder = _FUNCTIONS.get(f"round_{mode or 'half_to_even'}")
    if rounder is None:
        raise ValueError(
            f"round mode {mode!r} is not implemented; use 'half_to_even' or 'half_away_from_zero'"
        )
    return rounder(a)


def identity(x: Any) -> TensorVariable:
    """The elementwise identity: a copy of ``x`` (PyTensor's ``identity``, ``tensor_copy``).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.identity(gt.constant([1, 2])).eval()
    array([1, 2])
    """
    return _f.tensor_copy(x)


def iround(a: Any, mode: str | None = None) -> TensorVariable:
    """``round(a, mode)`` cast to int64.

    Parameters
    ----------
    a : tensor-like, float
    mode : {'half_to_even', 'half_away_from_zero'}, optional
        As for :func:`round`.
    """
    return cast(round(a, mode), "int64")


def where(cond: Any, ift: Any = None, iff: Any = None, **kwargs: Any) -> TensorVariable:
    """``ift`` where ``cond`` is true, else ``iff`` (``switch``); ``cond`` alone: ``nonzero(cond)``.

    Parameters
    ----------
    cond : tensor-like
    ift, iff : tensor-like, optional
        Both or neither.
    **kwargs
        Passed to ``switch`` (``name``) or ``nonzero``.

    Raises
    ------
    ValueError
        When only one of ``ift`` and ``iff`` is given.
    """
    if ift is not None and iff is not None:
        return _FUNCTIONS["switch"](cond, ift, iff, **kwargs)
    if ift is None and iff is None:
        return nonzero(cond, **kwargs)
    raise ValueError("where: give both ift and iff, or neither")


def logaddexp(*xs: Any) -> TensorVariable:
    """``log(exp(x0) + exp(x1) + ...)``, computed without overflow.

    PyTensor exponentiates the terms directly; here the largest term is taken
    out first (as numpy's ``logaddexp``), which gives the same values where
    PyTensor's do not overflow, and the same dtypes.

    Parameters
    ----------
    *xs : tensor-like
        One or more terms, broadcast together; integers and bools become floats.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> print(f"{float(gt.logaddexp(1000.0, 1000.0).eval()):.3f}")
    1000.693
    """
    if not xs:
        raise TypeError("logaddexp needs at least one input")
    terms = [as_tensor_variable(x) for x in xs]
    dtype = upgrade_to_float(*[t.dtype for t in terms])
    terms = [cast(t, dtype) for t in terms]
    peak = functools.reduce(_f.maximum, terms)
    # an infinite peak is the answer itself (and would give inf - inf = nan below)
    total = _f.add(*[_f.exp(t - peak) for t in terms])
    return _f.switch(_f.isinf(peak), peak, peak + _f.log(total))


def nan_to_num(
    x: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> TensorVariable:
    """``x`` with nan, +inf and -inf replaced by finite numbers (numpy's ``nan_to_num``).

    Parameters
    ----------
    x : tensor-like
    nan : float
        The value of nans.
    posinf, neginf : float, optional
        The values of +inf and -inf; None means the largest and the most
        negative finite number of the result's dtype.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.nan_to_num(gt.constant([np.nan, np.inf, 1.0]), posinf=9.0).eval()
    array([0., 9., 1.])
    """
    x = as_tensor_variable(x)
    # the float fill value upcasts integers, as in PyTensor
    x = _f.switch(_f.isnan(x), nan, x)
    info = np.finfo(x.dtype if x.dtype not in discrete_dtypes else "float64")
    x = _f.switch(_f.isposinf(x), info.max if posinf is None else posinf, x)
    return _f.switch(_f.isneginf(x), info.min if neginf is None else neginf, x)


def divmod(x: Any, y: Any) -> tuple[TensorVariable, TensorVariable]:
    """``(x // y, x % y)``, Python's floor division and modulo.

    Parameters
    ----------
    x, y : tensor-like

    Returns
    -------
    tuple of TensorVariable
    """
    return _f.int_div(x, y), _f.mod(x, y)


def ceil_intdiv(a: Any, b: Any) -> TensorVariable:
    """``ceil(a / b)`` for integers, without going through floats (exact for int64).

    Parameters
    ----------
    a, b : tensor-like
        The dtype of the result is their upcast.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.ceil_intdiv(gt.constant([7, 8, -7]), 4).eval()
    array([ 2,  2, -1])
    """
    quotient = _f.int_div(a, b)
    return quotient + cast(_f.neq(_f.mod(a, b), 0), quotient.dtype)


_ALIASES = {
    "bitwise_and": "and_",
    "bitwise_or": "or_",
    "bitwise_xor": "xor",
    "bitwise_not": "invert",
    "floor_div": "int_div",
    "expit": "sigmoid",
    "log1pexp": "softplus",
    "digamma": "psi",
    # numpy's names, which PyTensor also exports
    "square": "sqr",
    "power": "pow",
    "equal": "eq",
    "not_equal": "neq",
    "less": "lt",
    "less_equal": "le",
    "greater": "gt",
    "greater_equal": "ge",
}
conjugate = conj
_FUNCTIONS.update({alias: _FUNCTIONS[name] for alias, name in _ALIASES.items()})
globals().update(_FUNCTIONS)
_f.__dict__.update(_FUNCTIONS, conj=conj)

# Elemwise, Cast and the dtype rules are exported by graph2jax.ops.elemwise
__all__ = [
    "ceil_intdiv",
    "conj",
    "conjugate",
    "divmod",
    "identity",
    "iround",
    "logaddexp",
    "nan_to_num",
    "round",
    "where",
    *_FUNCTIONS,
]
