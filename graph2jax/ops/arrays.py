"""Array manipulation built from existing ops: axis moves (``flip``, ``moveaxis``,
``swapaxes``, ``matrix_transpose``, ``roll``, ``atleast_*d``), diagonals (``diag``,
``diagonal``, ``trace``, ``fill_diagonal*``), broadcasting and stacking helpers,
``mgrid``/``ogrid``, ``logspace``/``geomspace``, ``inverse_permutation`` and the
value-dependent ``nonzero`` family.

Everything except ``Nonzero`` is a graph of existing ops, so gradients, the JAX
code and the numpy reference come from those ops.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from graph2jax.ops.creation import arange, zeros
from graph2jax.ops.elemwise import maximum, minimum
from graph2jax.ops.elemwise_op import cast, shape_padleft, shape_padright, upcast
from graph2jax.ops.join import stack
from graph2jax.ops.reduce import min as tensor_min
from graph2jax.ops.reshape import reshape
from graph2jax.ops.shape import shape_i, transpose
from graph2jax.ops.subtensor import set_subtensor, take
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.variable import TensorVariable

# ---------------------------------------------------------------------------
# axes


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


# ---------------------------------------------------------------------------
# diagonals


def _diag_indices(rows: Any, cols: Any, offset: Any) -> tuple[Any, Any]:
    """Row and column indices of the ``offset`` diagonal of a ``rows x cols`` matrix.

    numpy constants (so static lengths) when everything is a Python int;
    otherwise a graph on the shapes and offset, known while tracing.
    """
    if all(isinstance(v, int | np.integer) for v in (rows, cols, offset)):
        first_row, first_col = max(-offset, 0), max(offset, 0)
        length = max(min(rows - first_row, cols - first_col), 0)
        r = np.arange(length, dtype="int64")
        return constant(r + first_row), constant(r + first_col)
    offset = as_tensor_variable(offset)
    first_row, first_col = maximum(-offset, 0), maximum(offset, 0)
    length = maximum(minimum(rows - first_row, cols - first_col), 0)
    r = arange(length, dtype="int64")
    return r + first_row, r + first_col


def _static_or_symbolic_length(x: TensorVariable, axis: int) -> Any:
    length = x.type.shape[axis]
    return length if length is not None else shape_i(x, axis)


def _offset(offset: Any, what: str) -> Any:
    if isinstance(offset, int | np.integer):
        return int(offset)
    offset = as_tensor_variable(offset)
    if offset.ndim != 0 or not offset.dtype.startswith(("int", "uint")):
        raise TypeError(f"{what}: the offset {offset.describe()} must be an integer scalar")
    return offset


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> TensorVariable:
    """The ``offset`` diagonal of the matrices in axes ``axis1``, ``axis2`` of ``a``,
    along a new last axis (as ``numpy.diagonal``).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.diagonal(gt.constant(np.arange(6).reshape(2, 3)), 1).eval()
    array([1, 5])
    """
    a = as_tensor_variable(a)
    if a.ndim < 2:
        raise ValueError(f"diagonal: {a.describe()} has {a.ndim} dimensions, it needs at least 2")
    offset = _offset(offset, "diagonal")
    a = moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = _diag_indices(
        _static_or_symbolic_length(a, a.ndim - 2),
        _static_or_symbolic_length(a, a.ndim - 1),
        offset,
    )
    return a[..., rows, cols]


def extract_diag(x: Any) -> TensorVariable:
    """The main diagonal of ``x`` (of its first two axes): ``diagonal(x)``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.extract_diag(gt.constant(np.eye(2))).eval()
    array([1., 1.])
    """
    return diagonal(x)


def diag(v: Any, k: int = 0) -> TensorVariable:
    """A square matrix with ``v`` on its ``k`` diagonal (``v`` a vector), or the ``k``
    diagonal of the matrix ``v`` (as ``numpy.diag``).

    Raises
    ------
    ValueError
        When ``v`` is neither a vector nor a matrix.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.diag(gt.constant([1, 2]), k=1).eval()
    array([[0, 1, 0],
           [0, 0, 2],
           [0, 0, 0]])
    """
    v = as_tensor_variable(v)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError(f"diag: {v.describe()} must be a vector or a matrix, not {v.ndim}-d")
    k = _offset(k, "diag")
    n = _static_or_symbolic_length(v, 0)
    size = n + abs(k)
    rows, cols = _diag_indices(size, size, k)
    return set_subtensor(zeros((size, size), dtype=v.dtype)[rows, cols], v)


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> TensorVariable:
    """The sum of the ``offset`` diagonal of ``a`` (see :func:`diagonal`); integers sum as
    int64, as ``sum``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.trace(gt.constant(np.arange(9.0).reshape(3, 3))).eval()
    array(12.)
    """
    return diagonal(a, offset, axis1, axis2).sum(axis=-1)


def _fill_value(a: TensorVariable, val: Any, what: str) -> TensorVariable:
    val = as_tensor_variable(val)
    if val.ndim != 0:
        raise TypeError(f"{what}: the value {val.describe()} must be a scalar")
    if upcast(a.dtype, val.dtype) != a.dtype:
        raise TypeError(
            f"{what}: the value {val.describe()} ({val.dtype}) does not fit {a.describe()} "
            f"({a.dtype})"
        )
    return cast(val, a.dtype)


def fill_diagonal(a: Any, val: Any) -> TensorVariable:
    """``a`` with its main diagonal (``a[i, i, ..., i]``) set to the scalar ``val``.

    Raises
    ------
    TypeError
        When ``a`` has fewer than 2 dimensions, or ``val`` is not a scalar that fits
        ``a``'s dtype.
    ValueError
        When ``a`` has more than 2 dimensions of statically different lengths.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.fill_diagonal(gt.constant(np.zeros((2, 3))), 5.0).eval()
    array([[5., 0., 0.],
           [0., 5., 0.]])
    """
    a = as_tensor_variable(a)
    if a.ndim < 2:
        raise TypeError(f"fill_diagonal: {a.describe()} has {a.ndim} dimensions, it needs 2+")
    val = _fill_value(a, val, "fill_diagonal")
    lengths = [_static_or_symbolic_length(a, i) for i in range(a.ndim)]
    known = {n for n in lengths if isinstance(n, int)}
    if a.ndim > 2 and len(known) > 1:  # numpy's rule: only 2-d arrays may be rectangular
        raise ValueError(
            f"fill_diagonal: the axes of {a.describe()} (static shape {a.type.shape}) must "
            "all have the same length when it has more than 2 dimensions"
        )
    if all(isinstance(n, int) for n in lengths):
        index = constant(np.arange(min(lengths), dtype="int64"))
    else:
        index = arange(tensor_min(stack([as_tensor_variable(n) for n in lengths])))
    return set_subtensor(a[(index,) * a.ndim], val)


def fill_diagonal_offset(a: Any, val: Any, offset: Any) -> TensorVariable:
    """The matrix ``a`` with its ``offset`` diagonal set to the scalar ``val``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.fill_diagonal_offset(gt.constant(np.zeros((2, 3))), 1.0, 1).eval()
    array([[0., 1., 0.],
           [0., 0., 1.]])
    """
    a = as_tensor_variable(a)
    if a.ndim != 2:
        raise TypeError(f"fill_diagonal_offset: {a.describe()} must be a matrix, not {a.ndim}-d")
    val = _fill_value(a, val, "fill_diagonal_offset")
    rows, cols = _diag_indices(
        _static_or_symbolic_length(a, 0),
        _static_or_symbolic_length(a, 1),
        _offset(offset, "fill_diagonal_offset"),
    )
    return set_subtensor(a[rows, cols], val)


__all__ = [
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "atleast_Nd",
    "diag",
    "diagonal",
    "extract_diag",
    "fill_diagonal",
    "fill_diagonal_offset",
    "flip",
    "matrix_transpose",
    "moveaxis",
    "roll",
    "swapaxes",
    "trace",
]
