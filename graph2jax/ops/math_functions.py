"""Numpy-style functions that PyTensor builds as graphs of other ops.

``isclose``, ``allclose``, ``nan_to_num``, ``divmod``, ``ceil_intdiv``,
``largest``, ``smallest``, ``ptp``, ``median``, ``cov``, ``matvec``,
``vecmat``, ``vecdot`` and ``batched_tensordot``. Each is a small graph of existing ops, so its dtype, gradient,
JAX implementation and numpy reference are those of the ops it is made of;
the dtypes match PyTensor's (``median`` of integers is a float, ``ptp`` keeps
the dtype, ``nan_to_num`` of integers upcasts with its float fill value).
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from graph2jax.ops.blas import dot, einsum, matmul
from graph2jax.ops.elemwise import (
    abs,
    and_,
    conj,
    eq,
    int_div,
    invert,
    isinf,
    isnan,
    le,
    mod,
    neq,
    or_,
    switch,
)
from graph2jax.ops.elemwise_op import cast
from graph2jax.ops.join import concatenate, stack
from graph2jax.ops.reduce import AxisLike, mean, normalize_axis
from graph2jax.ops.reduce import all as reduce_all
from graph2jax.ops.reduce import max as reduce_max
from graph2jax.ops.reduce import min as reduce_min
from graph2jax.ops.reshape import reshape
from graph2jax.ops.shape import squeeze, transpose
from graph2jax.ops.sort import sort
from graph2jax.ops.special_functions import isneginf, isposinf
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import discrete_dtypes
from graph2jax.types.variable import TensorVariable


def isclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> TensorVariable:
    """Whether ``|a - b| <= atol + rtol * |b|`` elementwise (numpy's ``isclose``); bool result.

    Infinities are close only to an infinity of the same sign; nan is close to
    nothing unless ``equal_nan``.

    Parameters
    ----------
    a, b : tensor-like
        Numbers (bools are refused, as in PyTensor: ``a - b`` is undefined).
    rtol, atol : float
        Relative and absolute tolerances.
    equal_nan : bool
        Whether two nans are close.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.isclose(gt.constant([1.0, np.inf, np.nan]), gt.constant([1.0 + 1e-9, np.inf, np.nan])).eval()
    array([ True,  True, False])
    """
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    within = le(abs(a - b), atol + rtol * abs(b))
    finite = invert(or_(or_(isnan(a), isnan(b)), or_(isinf(a), isinf(b))))
    close = or_(and_(within, finite), and_(and_(isinf(a), isinf(b)), eq(a, b)))
    return or_(close, and_(isnan(a), isnan(b))) if equal_nan else close


def allclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> TensorVariable:
    """Whether every element of ``a`` and ``b`` is close (:func:`isclose`); a bool scalar.

    Parameters
    ----------
    a, b : tensor-like
    rtol, atol : float
    equal_nan : bool
        As for :func:`isclose`.
    """
    return reduce_all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


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
    x = switch(isnan(x), nan, x)
    info = np.finfo(x.dtype if x.dtype not in discrete_dtypes else "float64")
    x = switch(isposinf(x), info.max if posinf is None else posinf, x)
    return switch(isneginf(x), info.min if neginf is None else neginf, x)


def divmod(x: Any, y: Any) -> tuple[TensorVariable, TensorVariable]:
    """``(x // y, x % y)``, Python's floor division and modulo.

    Parameters
    ----------
    x, y : tensor-like

    Returns
    -------
    tuple of TensorVariable
    """
    return int_div(x, y), mod(x, y)


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
    quotient = int_div(a, b)
    return quotient + cast(neq(mod(a, b), 0), quotient.dtype)


def largest(*args: Any) -> TensorVariable:
    """The elementwise maximum of the arguments (broadcast together).

    Parameters
    ----------
    *args : tensor-like
        Two or more tensors.
    """
    if len(args) == 2:
        a, b = (as_tensor_variable(t) for t in args)
        return switch(a > b, a, b)
    return reduce_max(stack(args), axis=0)


def smallest(*args: Any) -> TensorVariable:
    """The elementwise minimum of the arguments (broadcast together).

    Parameters
    ----------
    *args : tensor-like
        Two or more tensors.
    """
    if len(args) == 2:
        a, b = (as_tensor_variable(t) for t in args)
        return switch(a < b, a, b)
    return reduce_min(stack(args), axis=0)


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


def _product(name: str, x1: Any, x2: Any, ndims: tuple[int, int], dtype: Any) -> TensorVariable:
    """``matmul`` of ``x1`` and ``x2`` seen as stacks of rows/columns (``ndims``: 1 for
    a vector, 2 for a matrix), with the added length-1 axes squeezed out again."""
    x1, x2 = as_tensor_variable(x1), as_tensor_variable(x2)
    for x, ndim in zip((x1, x2), ndims, strict=True):
        if x.ndim < ndim:
            raise ValueError(f"{name}: {x.describe()} must have at least {ndim} dimension(s)")
    left = x1 if ndims[0] == 2 else x1[..., None, :]
    right = x2 if ndims[1] == 2 else x2[..., :, None]
    added = tuple(a for a, n in ((-2, ndims[0]), (-1, ndims[1])) if n == 1)
    out = squeeze(matmul(left, right), added)
    return out if dtype is None else cast(out, dtype)


def matvec(x1: Any, x2: Any, dtype: Any = None) -> TensorVariable:
    """The matrix-vector product over the last axes (numpy's ``matvec``), batched.

    Parameters
    ----------
    x1 : tensor-like, at least 2-d
    x2 : tensor-like, at least 1-d
    dtype : str, optional
        The dtype of the result.
    """
    return _product("matvec", x1, x2, (2, 1), dtype)


def vecmat(x1: Any, x2: Any, dtype: Any = None) -> TensorVariable:
    """The vector-matrix product over the last axes (numpy's ``vecmat`` of real inputs).

    Parameters
    ----------
    x1 : tensor-like, at least 1-d
    x2 : tensor-like, at least 2-d
    dtype : str, optional
        The dtype of the result.
    """
    return _product("vecmat", x1, x2, (1, 2), dtype)


def vecdot(x1: Any, x2: Any, dtype: Any = None) -> TensorVariable:
    """The dot product of the vectors on the last axes (numpy's ``vecdot`` of real inputs).

    As PyTensor, ``x1`` is not conjugated (numpy conjugates it).

    Parameters
    ----------
    x1, x2 : tensor-like, at least 1-d
        Broadcast over the leading axes.
    dtype : str, optional
        The dtype of the result.
    """
    return _product("vecdot", x1, x2, (1, 1), dtype)


def batched_tensordot(x: Any, y: Any, axes: int | Any = 2) -> TensorVariable:
    """:func:`~graph2jax.ops.blas.tensordot` of ``x[i]`` and ``y[i]`` for every ``i`` of the first axis.

    Parameters
    ----------
    x, y : tensor-like
        Batches of the same length along axis 0.
    axes : int or (sequence, sequence)
        An int ``n`` sums the last ``n`` axes of ``x`` with axes ``1 .. n`` of
        ``y``; a pair lists the summed axes of ``x`` and ``y`` (counted with
        the batch axis, which cannot be summed).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.batched_tensordot(gt.dtensor3(), gt.dtensor3(), axes=[[1], [2]]).type
    TensorType(float64, shape=(None, None, None))
    """
    x, y = as_tensor_variable(x), as_tensor_variable(y)
    if x.ndim < 1 or y.ndim < 1:
        raise ValueError("batched_tensordot: both operands need a batch axis")
    if isinstance(axes, int | np.integer):
        if not 0 <= axes < builtins.min(x.ndim, y.ndim):
            raise ValueError(
                f"batched_tensordot: axes={axes} is out of range for {x.describe()} and {y.describe()}"
            )
        axes_x, axes_y = list(range(x.ndim - axes, x.ndim)), list(range(1, axes + 1))
    else:
        axes_x, axes_y = ([a] if isinstance(a, int | np.integer) else list(a) for a in axes)
        axes_x = [normalize_axis(a, x, "batched_tensordot")[0] for a in axes_x]
        axes_y = [normalize_axis(a, y, "batched_tensordot")[0] for a in axes_y]
        if len(axes_x) != len(axes_y) or 0 in axes_x or 0 in axes_y:
            raise ValueError(
                f"batched_tensordot: axes {axes!r} must pair as many axes of x as of y, "
                "none of them the batch axis 0"
            )
    # einsum letters: "a" is the batch, summed pairs share a letter
    letters = iter("bcdefghijklmnopqrstuvwxyz")
    sub_x = ["a"] + [next(letters) for _ in range(x.ndim - 1)]
    sub_y = ["a"] + [None] * (y.ndim - 1)
    for i, j in zip(axes_x, axes_y, strict=True):
        sub_y[j] = sub_x[i]
    sub_y = [c or next(letters) for c in sub_y]
    summed = {sub_x[i] for i in axes_x}
    out = "a" + "".join(c for c in sub_x[1:] + sub_y[1:] if c not in summed)
    return einsum(f"{''.join(sub_x)},{''.join(sub_y)}->{out}", x, y)


__all__ = [
    "allclose",
    "batched_tensordot",
    "ceil_intdiv",
    "cov",
    "divmod",
    "isclose",
    "largest",
    "matvec",
    "median",
    "nan_to_num",
    "ptp",
    "smallest",
    "vecdot",
    "vecmat",
]
