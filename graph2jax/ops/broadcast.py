"""Broadcasting tensors against each other or to a shape: ``broadcast_to``,
``broadcast_shape`` and ``broadcast_arrays``.

Each is a graph of ``alloc`` and ``zeros_like``: as everywhere in graph2jax (and
PyTensor), only lengths statically known to be 1 broadcast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph2jax.ops.creation import alloc, shape_entries, zeros, zeros_like
from graph2jax.ops.math import eq, switch
from graph2jax.ops.shape import shape_i
from graph2jax.types.as_tensor import as_tensor_variable, constant
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


def broadcast_shape_entries(statics: Sequence[tuple], entries: Sequence[Sequence[Any]]) -> tuple:
    """The broadcast of symbolic shapes ``entries`` (left-padded), one length per axis.

    ``statics`` holds each shape's static lengths: a length statically 1 gives
    way; of the others the first not found to be 1 while running is the result
    (numpy's rule, for ops that broadcast at run time such as ``Blockwise``).
    """
    ndim = max((len(e) for e in entries), default=0)
    out = []
    for axis in range(ndim):
        lengths = [
            e[j]
            for s, e in zip(statics, entries, strict=True)
            if (j := axis - (ndim - len(e))) >= 0 and s[j] != 1
        ]
        length = lengths[0] if lengths else constant(1, dtype="int64")
        for other in lengths[1:]:
            length = switch(eq(length, 1), other, length)
        out.append(length)
    return tuple(out)


__all__ = ["broadcast_arrays", "broadcast_shape", "broadcast_to"]
