"""Statistics over axes, as PyTensor builds them from other ops: ``mean``, ``var``, ``std``
(graphs on ``sum``, so their gradients come from its), ``ptp``, ``median`` and ``cov``.

Each is a small graph of existing ops, so its dtype, gradient, JAX implementation and numpy
reference are those of the ops it is made of; the dtypes match PyTensor's (``median`` of
integers is a float, ``ptp`` keeps the dtype).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph2jax.ops.blas import dot
from graph2jax.ops.elemwise import cast
from graph2jax.ops.join import concatenate
from graph2jax.ops.math import conj, sqr, sqrt, switch, true_div
from graph2jax.ops.reduce import AxisLike, normalize_axis
from graph2jax.ops.reduce import max as reduce_max
from graph2jax.ops.reduce import min as reduce_min
from graph2jax.ops.reduce import prod as reduce_prod
from graph2jax.ops.reduce import sum as reduce_sum
from graph2jax.ops.reshape import reshape
from graph2jax.ops.shape import shape as shape_of
from graph2jax.ops.shape import squeeze, transpose
from graph2jax.ops.sort import sort
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.variable import TensorVariable


def _count(x: TensorVariable, axes: tuple[int, ...], dtype: str) -> TensorVariable:
    """The number of entries reduced over ``axes``, as a ``dtype`` scalar.

    With unknown lengths it is the product of the selected entries of
    ``shape(x)``, which the linker evaluates with numpy at trace time.
    """
    lengths = [x.type.shape[a] for a in axes]
    if all(n is not None for n in lengths):
        return constant(int(np.prod(lengths, dtype="int64")), dtype=dtype)
    mask = constant(np.isin(np.arange(x.ndim), axes))
    return cast(reduce_prod(switch(mask, shape_of(x), constant(1, dtype="int64"))), dtype)


def mean(
    input: Any,
    axis: AxisLike = None,
    dtype: Any = None,
    keepdims: bool = False,
    acc_dtype: Any = None,
) -> TensorVariable:
    """The mean of ``input`` over ``axis``: ``sum(input, axis, dtype, acc_dtype)`` / count.

    The result is float32 when the sum is float32 (or complex64), else float64
    (so the mean of integers is float64), as PyTensor.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.ivector("x")
    >>> m = gt.mean(x)
    >>> m.dtype, float(m.eval({x: np.array([1, 2], dtype="int32")}))
    ('float64', 1.5)
    """
    x = as_tensor_variable(input)
    axes = normalize_axis(axis, x, "mean")
    total = reduce_sum(x, axes, dtype=dtype, keepdims=keepdims, acc_dtype=acc_dtype)
    count_dtype = "float32" if total.dtype in ("float32", "complex64") else "float64"
    return true_div(total, _count(x, axes, count_dtype), name="mean")


def _check_ddof(ddof: Any, name: str) -> None:
    if isinstance(ddof, bool):
        raise ValueError(
            f"{name}: ddof is a bool; the signature is "
            "(input, axis=None, ddof=0, keepdims=False, corrected=False)"
        )


def var(
    input: Any,
    axis: AxisLike = None,
    ddof: int = 0,
    keepdims: bool = False,
    corrected: bool = False,
) -> TensorVariable:
    """The variance of ``input`` over ``axis`` (two-pass), divided by ``count - ddof``.

    ``corrected=True`` subtracts the rounding error of the mean (the
    corrected two-pass algorithm), as PyTensor.
    """
    _check_ddof(ddof, "var")
    x = as_tensor_variable(input)
    axes = normalize_axis(axis, x, "var")
    centered = x - mean(x, axes, keepdims=True)
    if ddof == 0:
        v = mean(sqr(centered), axes, keepdims=keepdims)
        if corrected:
            v = v - sqr(mean(centered, axes, keepdims=keepdims))
    else:
        n = _count(x, axes, centered.dtype)
        v = reduce_sum(sqr(centered), axes, keepdims=keepdims) / (n - ddof)
        if corrected:
            v = v - sqr(reduce_sum(centered, axes, keepdims=keepdims)) / ((n - ddof) * n)
    v.name = "var"
    return v


def std(
    input: Any,
    axis: AxisLike = None,
    ddof: int = 0,
    keepdims: bool = False,
    corrected: bool = False,
) -> TensorVariable:
    """The standard deviation: ``sqrt(var(input, axis, ddof, keepdims, corrected))``."""
    _check_ddof(ddof, "std")
    x = as_tensor_variable(input)
    axes = normalize_axis(axis, x, "std")
    return sqrt(var(x, axes, ddof, keepdims, corrected), name="std")


def ptp(a: Any, axis: AxisLike = None) -> TensorVariable:
    """The range ``max(a, axis) - min(a, axis)`` ("peak to peak"); keeps the dtype.

    Parameters
    ----------
    a : tensor-like
    axis : int or sequence of int, optional
        None reduces over every axis.
    """
    a = as_tensor_variable(a)
    return reduce_max(a, axis) - reduce_min(a, axis)


def median(x: Any, axis: AxisLike = None) -> TensorVariable:
    """The median of ``x`` over ``axis`` (None: every axis); integers give floats.

    The mean of the two middle values when their number is even, as numpy.

    Parameters
    ----------
    x : tensor-like
    axis : int or sequence of int, optional

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.median(gt.constant([[3.0, 1.0, 2.0, 10.0]]), axis=1).eval()
    array([2.5])
    """
    x = as_tensor_variable(x)
    axes = normalize_axis(axis, x, "median")
    kept = [i for i in range(x.ndim) if i not in axes]
    # the reduced axes go last and become one, sorted
    moved = transpose(x, (*kept, *axes))
    flat = reshape(moved, (*[x.shape[i] for i in kept], -1), ndim=len(kept) + 1)
    ordered = sort(flat, axis=-1)
    n = ordered.shape[-1]
    upper, lower = ordered[..., n // 2], ordered[..., (n - 1) // 2]
    return (upper + lower) / 2.0


def _as_rows(v: TensorVariable, rowvar: bool, name: str) -> TensorVariable:
    """``v`` with one variable per row, as numpy's ``cov`` arranges it."""
    if v.ndim not in (1, 2):
        raise ValueError(f"cov: {name} {v.describe()} must be 1-d or 2-d")
    if v.ndim == 1:
        return v[None, :]
    # numpy leaves a single row alone even when rowvar is False; only static lengths are known here
    return v if rowvar or v.type.shape[0] == 1 else transpose(v)


def cov(
    m: Any,
    y: Any = None,
    rowvar: bool = True,
    bias: bool = False,
    ddof: int | None = None,
    fweights: Any = None,
    aweights: Any = None,
) -> TensorVariable:
    """The covariance matrix of the variables in ``m`` (and ``y``), as numpy's ``cov``.

    Parameters
    ----------
    m : tensor-like, 1-d or 2-d
        One variable per row (per column if not ``rowvar``), observations along the other axis.
    y : tensor-like, optional
        More variables, appended to ``m``'s.
    rowvar : bool
        Whether the rows are the variables.
    bias : bool
        Normalise by the number of observations ``N`` instead of ``N - 1``.
    ddof : int, optional
        Normalise by ``N - ddof``; overrides ``bias``.
    fweights, aweights
        Not implemented, as in PyTensor.

    Returns
    -------
    TensorVariable
        float64 (or complex), with the static length-1 axes squeezed (a
        single variable gives a scalar).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.cov(gt.constant([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])).eval()
    array([[ 1., -1.],
           [-1.,  1.]])
    """
    if fweights is not None or aweights is not None:
        raise NotImplementedError("cov: fweights and aweights are not implemented")
    rows = _as_rows(as_tensor_variable(m), rowvar, "m")
    if y is not None:
        rows = concatenate([rows, _as_rows(as_tensor_variable(y), rowvar, "y")], axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    centered = rows - mean(rows, axis=1, keepdims=True)
    # conj is the identity on real inputs
    return squeeze(dot(centered, conj(transpose(centered))) / (rows.shape[1] - ddof))


__all__ = ["cov", "mean", "median", "ptp", "std", "var"]
