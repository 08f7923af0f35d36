"""Building arrays from others: ``empty``/``empty_like``, ``identity``,
``horizontal_stack``/``vertical_stack``, ``concat_with_broadcast``, ``mgrid``/``ogrid``,
``logspace``/``geomspace`` and ``inverse_permutation``.

All are graphs of existing ops.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from numpy.lib.array_utils import normalize_axis_index

from graph2jax.config import config
from graph2jax.ops.arrays import moveaxis
from graph2jax.ops.broadcast import broadcast_arrays, broadcast_shape, broadcast_to
from graph2jax.ops.creation import arange, linspace, zeros, zeros_like
from graph2jax.ops.elemwise import exp, log, sign, tensor_copy
from graph2jax.ops.elemwise_op import cast
from graph2jax.ops.join import concatenate
from graph2jax.ops.reshape import reshape
from graph2jax.ops.shape import shape_i
from graph2jax.ops.sort import argsort
from graph2jax.ops.subtensor import set_subtensor
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.variable import TensorVariable


def empty(shape: Any, dtype: Any = None) -> TensorVariable:
    """A new tensor of ``shape`` and ``dtype`` (floatX by default) whose values must not be
    relied on; JAX has no uninitialised memory, so they are zeros.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.empty((2, 3), dtype="int32").type
    TensorType(int32, shape=(2, 3))
    """
    return zeros(shape, dtype=dtype)


def empty_like(prototype: Any, dtype: Any = None) -> TensorVariable:
    """A new tensor with the shape (and, by default, the dtype) of ``prototype``; see
    :func:`empty`.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.empty_like(gt.tensor("int32", shape=(3, None))).type
    TensorType(int32, shape=(3, None))
    """
    return zeros_like(prototype, dtype=dtype)


def identity(x: Any) -> TensorVariable:
    """The elementwise identity: a copy of ``x`` (PyTensor's ``identity``, ``tensor_copy``).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.identity(gt.constant([1, 2])).eval()
    array([1, 2])
    """
    return tensor_copy(x)


def _matrices(args: Sequence[Any], what: str) -> list[TensorVariable]:
    if len(args) < 2:
        raise ValueError(f"{what}: too few arguments ({len(args)}), it needs at least 2")
    mats = [as_tensor_variable(a) for a in args]
    for m in mats:
        if m.ndim != 2:
            raise ValueError(f"{what}: {m.describe()} has {m.ndim} dimensions; all must have 2")
    return mats


def horizontal_stack(*args: Any) -> TensorVariable:
    """The matrices ``args`` side by side (joined along axis 1).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.horizontal_stack(gt.dmatrix(shape=(2, 3)), gt.dmatrix(shape=(2, 1))).type.shape
    (2, 4)
    """
    return concatenate(_matrices(args, "horizontal_stack"), axis=1)


def vertical_stack(*args: Any) -> TensorVariable:
    """The matrices ``args`` one above the other (joined along axis 0).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.vertical_stack(gt.dmatrix(shape=(2, 3)), gt.dmatrix(shape=(1, 3))).type.shape
    (3, 3)
    """
    return concatenate(_matrices(args, "vertical_stack"), axis=0)


def concat_with_broadcast(tensor_list: Sequence[Any], axis: int = 0) -> TensorVariable:
    """``tensor_list`` joined along ``axis`` after broadcasting their other axes together.

    Raises
    ------
    ValueError
        When ``tensor_list`` is empty.
    TypeError
        When the tensors' numbers of dimensions differ.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.concat_with_broadcast([gt.dmatrix(shape=(2, 3)), gt.dmatrix(shape=(1, 1))]).type.shape
    (3, 3)
    """
    if not tensor_list:
        raise ValueError("concat_with_broadcast: cannot join an empty list of tensors")
    tensors = [as_tensor_variable(t) for t in tensor_list]
    if len({t.ndim for t in tensors}) != 1:
        raise TypeError(
            "concat_with_broadcast: the tensors have different numbers of dimensions "
            f"{[t.ndim for t in tensors]}"
        )
    axis = normalize_axis_index(axis, tensors[0].ndim)
    # the broadcast shape of the other axes, from slices of length 1 along ``axis``
    others = broadcast_shape(*(t[(slice(None),) * axis + (slice(0, 1),)] for t in tensors))
    return concatenate(
        [
            broadcast_to(t, [shape_i(t, axis) if i == axis else n for i, n in enumerate(others)])
            for t in tensors
        ],
        axis=axis,
    )


class _NdGrid:
    """``mgrid`` (dense) and ``ogrid`` (sparse, broadcastable) grids, indexed by slices."""

    def __init__(self, sparse: bool):
        self.sparse = sparse

    def __getitem__(self, key: slice | tuple[slice, ...]) -> TensorVariable | list[TensorVariable]:
        if isinstance(key, slice):
            return self._range(key)
        ranges = [self._range(k) for k in key]
        n = len(ranges)
        # each range along its own axis, length 1 along the others
        grids = [
            reshape(r, tuple(shape_i(r, 0) if j == i else 1 for j in range(n)), ndim=n)
            for i, r in enumerate(ranges)
        ]
        if self.sparse:
            return grids
        full = tuple(shape_i(r, 0) for r in ranges)
        return [broadcast_to(grid, full) for grid in grids]

    @staticmethod
    def _range(key: slice) -> TensorVariable:
        if not isinstance(key, slice):
            raise TypeError(f"mgrid/ogrid take slices, not {key!r}")
        if isinstance(key.step, complex):
            raise NotImplementedError("mgrid/ogrid: slices with a complex step (a count)")
        return arange(
            0 if key.start is None else key.start,
            key.stop,
            1 if key.step is None else key.step,
        )


mgrid = _NdGrid(sparse=False)
"""Dense grids: ``mgrid[0:5, 0:3]`` is a list of two (5, 3) int64 matrices (as numpy's)."""
ogrid = _NdGrid(sparse=True)
"""Open grids: ``ogrid[0:5, 0:3]`` is a (5, 1) and a (1, 3) matrix (as numpy's)."""


def _resolve_deprecated(stop: Any, end: Any, num: Any, steps: Any) -> tuple[Any, Any]:
    # PyTensor's deprecated spellings of stop and num
    return (stop if end is None else end), (num if steps is None else steps)


def logspace(
    start: Any,
    stop: Any,
    num: int = 50,
    base: float = 10.0,
    endpoint: bool = True,
    dtype: str | None = None,
    axis: int = 0,
    end: Any = None,
    steps: Any = None,
) -> TensorVariable:
    """``base ** linspace(start, stop, num)``: ``num`` samples evenly spaced on a log scale,
    of ``dtype`` (floatX by default).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.logspace(0, 2, 3).eval()
    array([  1.,  10., 100.])
    """
    stop, num = _resolve_deprecated(stop, end, num, steps)
    samples = linspace(start, stop, num, endpoint=endpoint, dtype="float64", axis=axis)
    return cast(as_tensor_variable(base) ** samples, dtype or config.floatX)


def geomspace(
    start: Any,
    stop: Any,
    num: int = 50,
    base: float = 10.0,
    endpoint: bool = True,
    dtype: str | None = None,
    axis: int = 0,
    end: Any = None,
    steps: Any = None,
) -> TensorVariable:
    """``num`` samples in geometric progression from ``start`` to ``stop`` (as
    ``numpy.geomspace``: both of one sign, neither 0), of ``dtype`` (floatX by default).

    ``base`` is accepted for PyTensor's signature; it does not change the result.
    The first (and, with ``endpoint``, last) sample is exactly ``start`` (``stop``).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.geomspace(1, 1000, 4).eval()
    array([   1.,   10.,  100., 1000.])
    """
    stop, num = _resolve_deprecated(stop, end, num, steps)
    start, stop = (cast(v, "float64") for v in broadcast_arrays(start, stop))
    log_samples = linspace(log(abs(start)), log(abs(stop)), num, endpoint, dtype="float64")
    result = sign(start) * exp(log_samples)
    count = num if isinstance(num, int) else None
    if count is None or count > 0:
        result = set_subtensor(result[0], start)
    if endpoint and (count is None or count > 1):
        result = set_subtensor(result[-1], stop)
    return cast(moveaxis(result, 0, axis), dtype or config.floatX)


def inverse_permutation(perm: Any) -> TensorVariable:
    """The inverse of the permutation ``perm`` (of each permutation along its last axis):
    ``inverse_permutation(p)[p] == arange(len(p))``.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.inverse_permutation(gt.constant([2, 0, 1])).eval()
    array([1, 2, 0])
    """
    perm = as_tensor_variable(perm)
    if not perm.dtype.startswith(("int", "uint")):
        raise TypeError(f"inverse_permutation: {perm.describe()} must hold integers")
    return cast(argsort(perm, axis=-1), perm.dtype)


__all__ = [
    "concat_with_broadcast",
    "empty",
    "empty_like",
    "geomspace",
    "horizontal_stack",
    "identity",
    "inverse_permutation",
    "logspace",
    "mgrid",
    "ogrid",
    "vertical_stack",
]
