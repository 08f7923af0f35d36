"""Moving axes: ``flip``, ``moveaxis``, ``swapaxes``, ``matrix_transpose``, ``roll`` and
``atleast_1d``/``atleast_2d``/``atleast_3d``/``atleast_Nd``.

Each is a graph of existing ops (``dimshuffle``, subtensors, joins), so its gradient, JAX
code and numpy reference come from those ops.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from graph2jax.ops.creation import arange
from graph2jax.ops.elemwise import shape_padleft, shape_padright
from graph2jax.ops.reshape import reshape
from graph2jax.ops.shape import shape_i, transpose
from graph2jax.ops.subtensor import take
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.variable import TensorVariable


def flip(arr: Any, axis: int | Sequence[int] | None = None) -> TensorVariable:
    """``arr`` with the order of its elements reversed along ``axis`` (all axes when None).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.flip(gt.constant([[1, 2], [3, 4]]), axis=1).eval()
    array([[2, 1],
           [4, 3]])
    """
    arr = as_tensor_variable(arr)
    axes = range(arr.ndim) if axis is None else normalize_axis_tuple(axis, arr.ndim)
    return arr[tuple(slice(None, None, -1) if a in axes else slice(None) for a in range(arr.ndim))]


def moveaxis(
    a: Any, source: int | Sequence[int], destination: int | Sequence[int]
) -> TensorVariable:
    """``a`` with axes ``source`` moved to positions ``destination`` (as ``numpy.moveaxis``).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.moveaxis(gt.tensor("float64", shape=(2, 3, 4)), 0, -1).type.shape
    (3, 4, 2)
    """
    a = as_tensor_variable(a)
    source = normalize_axis_tuple(source, a.ndim, "source")
    destination = normalize_axis_tuple(destination, a.ndim, "destination")
    if len(source) != len(destination):
        raise ValueError(
            f"moveaxis: source {source} and destination {destination} differ in length"
        )
    order = [n for n in range(a.ndim) if n not in source]
    for dest, src in sorted(zip(destination, source, strict=True)):
        order.insert(dest, src)
    return transpose(a, order)


def swapaxes(y: Any, axis1: int, axis2: int) -> TensorVariable:
    """``y`` with axes ``axis1`` and ``axis2`` interchanged.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.swapaxes(gt.tensor("float64", shape=(2, 3, 4)), 0, 2).type.shape
    (4, 3, 2)
    """
    y = as_tensor_variable(y)
    order = list(range(y.ndim))
    i, j = normalize_axis_index(axis1, y.ndim), normalize_axis_index(axis2, y.ndim)
    order[i], order[j] = order[j], order[i]
    return transpose(y, order)


def matrix_transpose(x: Any) -> TensorVariable:
    """The transpose of the last two axes of ``x`` (a stack of matrices).

    Raises
    ------
    ValueError
        When ``x`` has fewer than 2 dimensions.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.matrix_transpose(gt.tensor("float64", shape=(5, 2, 3))).type.shape
    (5, 3, 2)
    """
    x = as_tensor_variable(x)
    if x.ndim < 2:
        raise ValueError(
            f"matrix_transpose: {x.describe()} has {x.ndim} dimensions, it needs at least 2"
        )
    return swapaxes(x, -1, -2)


def roll(x: Any, shift: Any, axis: int | Sequence[int] | None = None) -> TensorVariable:
    """``x`` shifted by ``shift`` places along ``axis``, wrapping around (as ``numpy.roll``).

    Without ``axis`` the flattened ``x`` is rolled and reshaped back. ``shift``
    may be symbolic: the result is a gather with indices ``(i - shift) % n``.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.roll(gt.constant([1, 2, 3, 4]), 1).eval()
    array([4, 1, 2, 3])
    """
    x = as_tensor_variable(x)
    if axis is None:
        return reshape(roll(x.flatten(), shift, 0), x.shape, ndim=x.ndim)
    if isinstance(axis, Sequence):
        shifts = shift if isinstance(shift, Sequence) else [shift] * len(axis)
        if len(shifts) != len(axis):
            raise ValueError(f"roll: {len(shifts)} shifts for {len(axis)} axes")
        for s, a in zip(shifts, axis, strict=True):
            x = roll(x, s, a)
        return x
    axis = normalize_axis_index(axis, x.ndim)
    shift = as_tensor_variable(shift)
    if shift.ndim != 0 or not shift.dtype.startswith(("int", "uint")):
        raise TypeError(f"roll: the shift {shift.describe()} must be an integer scalar")
    n = shape_i(x, axis)
    if x.type.shape[axis] == 0:
        return x
    return take(x, (arange(n) - shift) % n, axis=axis)


def atleast_Nd(arry: Any, *, n: int = 1, left: bool = True) -> TensorVariable:  # noqa: N802
    """``arry`` with length-1 axes added on the left (on the right with ``left=False``)
    until it has at least ``n`` dimensions.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.atleast_Nd(gt.dvector(), n=3).type.shape
    (1, 1, None)
    """
    arry = as_tensor_variable(arry)
    missing = max(n - arry.ndim, 0)
    return shape_padleft(arry, missing) if left else shape_padright(arry, missing)


def atleast_1d(arry: Any, *, n: int = 1, left: bool = True) -> TensorVariable:
    """``arry`` with at least 1 dimension (see :func:`atleast_Nd`).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.atleast_1d(gt.dscalar()).type.shape
    (1,)
    """
    return atleast_Nd(arry, n=n, left=left)


def atleast_2d(arry: Any, *, n: int = 2, left: bool = True) -> TensorVariable:
    """``arry`` with at least 2 dimensions (see :func:`atleast_Nd`).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.atleast_2d(gt.dvector()).type.shape
    (1, None)
    """
    return atleast_Nd(arry, n=n, left=left)


def atleast_3d(arry: Any, *, n: int = 3, left: bool = True) -> TensorVariable:
    """``arry`` with at least 3 dimensions (see :func:`atleast_Nd`).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.atleast_3d(gt.dmatrix()).type.shape
    (1, None, None)
    """
    return atleast_Nd(arry, n=n, left=left)


__all__ = [
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "atleast_Nd",
    "flip",
    "matrix_transpose",
    "moveaxis",
    "roll",
    "swapaxes",
]
