"""PyTensor's ``tensor.special``: ``softmax``, ``log_softmax`` and ``logsumexp`` over one or
several axes (every axis by default, as PyTensor), and the special functions PyTensor builds
as graphs of others (``logit``, ``beta``, ``betaln``, ``poch``, ``factorial``).

All three are numerically stable: the numpy references subtract the maximum
before exponentiating and the JAX implementations are ``jax.nn``'s. Integer
inputs are turned into floats first (``upgrade_to_float``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from graph2jax.graph.basic import Apply, Op
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.elemwise import cast
from graph2jax.ops.math import add, exp, gamma, gammaln, log
from graph2jax.ops.reduce import AxisLike, normalize_axis, reduced_shape, reduction, restore_axes
from graph2jax.ops.reduce import sum as reduce_sum
from graph2jax.ops.scalar import upgrade_to_float
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType, continuous_dtypes, discrete_dtypes
from graph2jax.types.variable import TensorVariable


def _peak(x: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
    """The maximum of ``x`` over ``axis`` (kept), 0 where it is infinite (inf - inf is nan)."""
    peak = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    return np.where(np.isfinite(peak), peak, 0)


class _OverAxes:
    """What the ops here share: ``axis`` (a sorted tuple), the type check and the shape.

    Not an Op itself, so that every Op class has an implementation.
    """

    __props__ = ("axis",)

    def __init__(self, axis: tuple[int, ...]):
        self.axis = tuple(axis)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        if x.dtype not in continuous_dtypes:
            raise TypeError(
                f"{type(self).__name__}: {x.describe()} has dtype {x.dtype}; cast it to a float"
            )
        if any(a >= max(x.ndim, 1) for a in self.axis):
            raise np.exceptions.AxisError(
                f"{self}: axes {self.axis} are out of bounds for {x.describe()} "
                f"with {x.ndim} dimension(s)"
            )
        return Apply(self, [x], [self.output_type(x)()])

    def output_type(self, x: TensorVariable) -> TensorType:
        return x.type

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes


class Softmax(_OverAxes, Op):
    """``exp(x) / sum(exp(x), axis)``."""

    jax_fn = staticmethod(jax.nn.softmax)

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        with np.errstate(all="ignore"):
            e = np.exp(inputs[0] - _peak(inputs[0], self.axis))
            output_storage[0][0] = e / np.sum(e, axis=self.axis, keepdims=True)

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (sm,), (gz,) = outputs, output_grads
        weighted = gz * sm
        return [weighted - sm * reduce_sum(weighted, axis=self.axis, keepdims=True)]


class LogSoftmax(_OverAxes, Op):
    """``x - log(sum(exp(x), axis))``."""

    jax_fn = staticmethod(jax.nn.log_softmax)

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        with np.errstate(all="ignore"):
            shifted = inputs[0] - _peak(inputs[0], self.axis)
            total = np.sum(np.exp(shifted), axis=self.axis, keepdims=True)
            output_storage[0][0] = shifted - np.log(total)

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (out,), (gz,) = outputs, output_grads
        return [gz - reduce_sum(gz, axis=self.axis, keepdims=True) * exp(out)]


class LogSumExp(_OverAxes, Op):
    """``log(sum(exp(x), axis))``; the output drops the reduced axes."""

    jax_fn = staticmethod(jax.nn.logsumexp)

    def output_type(self, x: TensorVariable) -> TensorType:
        return TensorType(x.dtype, reduced_shape(x.type.shape, self.axis))

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        (x,) = inputs
        with np.errstate(all="ignore"):
            peak = _peak(x, self.axis)
            out = np.log(np.sum(np.exp(x - peak), axis=self.axis, keepdims=True)) + peak
        output_storage[0][0] = np.squeeze(out, axis=self.axis)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return [reduced_shape(input_shapes[0], self.axis)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (x,), (out,), (gz,) = inputs, outputs, output_grads
        ndim = x.ndim
        return [restore_axes(gz, ndim, self.axis) * exp(x - restore_axes(out, ndim, self.axis))]


@jax_funcify.register(Softmax)
@jax_funcify.register(LogSoftmax)
@jax_funcify.register(LogSumExp)
def _jax_over_axes(op: Softmax | LogSoftmax | LogSumExp, node: Apply) -> Callable[..., Any]:
    fn, axis = op.jax_fn, op.axis
    return lambda x: fn(x, axis=axis)


def _as_float(c: Any) -> TensorVariable:
    x = as_tensor_variable(c)
    return cast(x, upgrade_to_float(x.dtype)) if x.dtype in discrete_dtypes else x


def softmax(c: Any, axis: AxisLike = None) -> TensorVariable:
    """The softmax of ``c`` normalised over ``axis`` (None: over every axis, as PyTensor).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> m = gt.dmatrix("m")
    >>> gt.special.softmax(m, axis=-1).eval({m: np.zeros((1, 4))})
    array([[0.25, 0.25, 0.25, 0.25]])
    """
    x = _as_float(c)
    return Softmax(normalize_axis(axis, x, "softmax"))(x)


def log_softmax(c: Any, axis: AxisLike = None) -> TensorVariable:
    """The log of :func:`softmax`, computed without forming the softmax (stable)."""
    x = _as_float(c)
    return LogSoftmax(normalize_axis(axis, x, "log_softmax"))(x)


def logsumexp(x: Any, axis: AxisLike = None, keepdims: bool = False) -> TensorVariable:
    """``log(sum(exp(x), axis))`` without overflow (also ``graph2jax.tensor.logsumexp``).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> v = gt.dvector("v")
    >>> float(gt.logsumexp(v).eval({v: np.array([1000.0, 1000.0])}))
    1000.6931471805599
    """
    return reduction("logsumexp", LogSumExp, _as_float(x), axis, keepdims)


# ---------------------------------------------------------------------------
# special functions that PyTensor builds as graphs of others: their dtypes, gradients and
# implementations come from the functions they use


def logit(x: Any) -> TensorVariable:
    """The log-odds ``log(x / (1 - x))``, the inverse of ``sigmoid``.

    Parameters
    ----------
    x : tensor-like
        Probabilities; integers give float64 (true division, as PyTensor).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.special.logit(gt.constant([0.5, 0.75])).eval()
    array([0.        , 1.09861229])
    """
    x = as_tensor_variable(x)
    return log(x / (1 - x))


def beta(a: Any, b: Any) -> TensorVariable:
    """The beta function ``gamma(a) * gamma(b) / gamma(a + b)``.

    Parameters
    ----------
    a, b : tensor-like
    """
    return gamma(a) * gamma(b) / gamma(add(a, b))


def betaln(a: Any, b: Any) -> TensorVariable:
    """The log of the absolute beta function, ``gammaln(a) + gammaln(b) - gammaln(a + b)``.

    Parameters
    ----------
    a, b : tensor-like
    """
    return gammaln(a) + gammaln(b) - gammaln(add(a, b))


def poch(z: Any, m: Any) -> TensorVariable:
    """The Pochhammer symbol (rising factorial) ``gamma(z + m) / gamma(z)``.

    Parameters
    ----------
    z, m : tensor-like
    """
    return gamma(add(z, m)) / gamma(z)


def factorial(n: Any) -> TensorVariable:
    """``n!`` as ``gamma(n + 1)`` (a float, defined for non-integer ``n`` too).

    Parameters
    ----------
    n : tensor-like

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.special.factorial(gt.constant([0, 3, 5])).eval()
    array([  1.,   6., 120.])
    """
    return gamma(add(n, 1))


__all__ = [
    "LogSoftmax",
    "LogSumExp",
    "Softmax",
    "beta",
    "betaln",
    "factorial",
    "log_softmax",
    "logit",
    "logsumexp",
    "poch",
    "softmax",
]
