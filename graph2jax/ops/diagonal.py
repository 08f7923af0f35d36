"""Diagonals and triangles of matrices: ``diagonal``/``extract_diag``, ``diag``, ``trace``,
``fill_diagonal``/``fill_diagonal_offset`` and ``tril``/``triu``.

Each is a graph of existing ops (subtensors, ``eye``/``tri`` masks, ``switch``), so its
gradient, JAX code and numpy reference come from those ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph2jax.ops.axes import moveaxis
from graph2jax.ops.creation import arange, zeros
from graph2jax.ops.elemwise import cast
from graph2jax.ops.eye import tri
from graph2jax.ops.join import stack
from graph2jax.ops.math import maximum, minimum, switch
from graph2jax.ops.reduce import min as tensor_min
from graph2jax.ops.scalar import upcast
from graph2jax.ops.shape import shape_i, static_or_symbolic_length
from graph2jax.ops.subtensor import set_subtensor
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.variable import TensorVariable


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
        static_or_symbolic_length(a, a.ndim - 2),
        static_or_symbolic_length(a, a.ndim - 1),
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
    n = static_or_symbolic_length(v, 0)
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
    lengths = [static_or_symbolic_length(a, i) for i in range(a.ndim)]
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
        static_or_symbolic_length(a, 0),
        static_or_symbolic_length(a, 1),
        _offset(offset, "fill_diagonal_offset"),
    )
    return set_subtensor(a[rows, cols], val)


def _triangle(m: Any, k: Any, lower: bool) -> TensorVariable:
    m = as_tensor_variable(m)
    if m.ndim < 2:
        raise ValueError(f"tril/triu: {m.describe()} has {m.ndim} dimensions; at least 2 needed")
    zero = constant(0, dtype=m.dtype)
    n_rows, n_cols = shape_i(m, -2), shape_i(m, -1)
    if lower:
        return switch(tri(n_rows, n_cols, k, dtype="bool"), m, zero)
    return switch(tri(n_rows, n_cols, _offset(k, "tril/triu") - 1, dtype="bool"), zero, m)


def tril(m: Any, k: Any = 0) -> TensorVariable:
    """``m`` with the elements above its ``k``-th diagonal zeroed (on the last two axes).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.tril(gt.constant(np.ones((2, 3), dtype="int32")), -1).eval()
    array([[0, 0, 0],
           [1, 0, 0]], dtype=int32)
    """
    return _triangle(m, k, lower=True)


def triu(m: Any, k: Any = 0) -> TensorVariable:
    """``m`` with the elements below its ``k``-th diagonal zeroed (on the last two axes)."""
    return _triangle(m, k, lower=False)


__all__ = [
    "diag",
    "diagonal",
    "extract_diag",
    "fill_diagonal",
    "fill_diagonal_offset",
    "trace",
    "tril",
    "triu",
]
