"""Statistics over axes, as PyTensor builds them from other ops: ``ptp``, ``median`` and
``cov``.

Each is a small graph of existing ops, so its dtype, gradient, JAX implementation and numpy
reference are those of the ops it is made of; the dtypes match PyTensor's (``median`` of
integers is a float, ``ptp`` keeps the dtype).
"""

from __future__ import annotations

from typing import Any

from graph2jax.ops.blas import dot
from graph2jax.ops.join import concatenate
from graph2jax.ops.math import (
    conj,
)
from graph2jax.ops.reduce import AxisLike, mean, normalize_axis
from graph2jax.ops.reduce import max as reduce_max
from graph2jax.ops.reduce import min as reduce_min
from graph2jax.ops.reshape import reshape
from graph2jax.ops.shape import squeeze, transpose
from graph2jax.ops.sort import sort
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.variable import TensorVariable


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


__all__ = ["cov", "median", "ptp"]
