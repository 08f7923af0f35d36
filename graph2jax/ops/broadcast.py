"""Broadcasting tensors against each other or to a shape: ``broadcast_to``,
``broadcast_shape`` and ``broadcast_arrays``.

Each is a graph of ``alloc`` and ``zeros_like``: as everywhere in graph2jax (and
PyTensor), only lengths statically known to be 1 broadcast.
"""

from __future__ import annotations

from typing import Any

from graph2jax.ops.creation import alloc, shape_entries, zeros, zeros_like
from graph2jax.ops.shape import shape_i
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.variable import TensorVariable


def broadcast_to(x: Any, shape: Any) -> TensorVariable:
    """``x`` broadcast to ``shape`` (ints, symbolic scalars or an int vector), as ``alloc``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.broadcast_to(gt.constant([1.0, 2.0]), (3, 2)).eval().shape
    (3, 2)
    """
    return alloc(x, *shape_entries(shape))


def broadcast_shape(*arrays: Any, arrays_are_shapes: bool = False) -> tuple[TensorVariable, ...]:
    """The shape that broadcasting ``arrays`` together gives, one int64 scalar per axis
    (constants where known); with ``arrays_are_shapes`` the arguments are shapes.

    As everywhere in graph2jax (and PyTensor), only lengths statically known to
    be 1 broadcast; a length found to be 1 only at run time is an error.

    Raises
    ------
    ValueError
        When two statically known lengths cannot broadcast.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.broadcast_shape(gt.tensor(shape=(1, 3)), gt.tensor(shape=(2, 1)))
    (2, 3)
    """
    if arrays_are_shapes:
        arrays = tuple(zeros(s, dtype="int8") for s in arrays)
    # adding zeros broadcasts the lengths exactly (run-time ones included); only
    # the shape of the sum is used, never its values
    total = sum((zeros_like(a, dtype="int8") for a in arrays[1:]), zeros_like(arrays[0], "int8"))
    return tuple(shape_i(total, i) for i in range(total.ndim))


def broadcast_arrays(*args: Any) -> tuple[TensorVariable, ...]:
    """``args`` broadcast against each other (as ``numpy.broadcast_arrays``).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> a, b = gt.broadcast_arrays(gt.tensor(shape=(1, 3)), gt.tensor(shape=(2, 1)))
    >>> a.type.shape, b.type.shape
    ((2, 3), (2, 3))
    """
    args = tuple(as_tensor_variable(a) for a in args)
    shape = broadcast_shape(*args)
    return tuple(broadcast_to(a, shape) for a in args)


__all__ = ["broadcast_arrays", "broadcast_shape", "broadcast_to"]
