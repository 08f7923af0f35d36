"""Building arrays from others: ``empty``/``empty_like``, ``identity``, ``broadcast_shape``/
``broadcast_arrays``, ``horizontal_stack``/``vertical_stack``, ``mgrid``/``ogrid``,
``logspace``/``geomspace``, ``inverse_permutation`` and ``nonzero``/``flatnonzero``/
``nonzero_values``.

All but ``Nonzero`` are graphs of existing ops. ``nonzero``'s output length
depends on its input's values, so that input is a static input: known at trace
time when built from constants or the function's inputs (compiled once per
distinct value), an error otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from graph2jax.config import config
from graph2jax.graph.basic import Apply, Op
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.arrays import moveaxis
from graph2jax.ops.creation import arange, linspace, zeros, zeros_like
from graph2jax.ops.elemwise import exp, log, sign, tensor_copy
from graph2jax.ops.elemwise_op import cast
from graph2jax.ops.join import concatenate
from graph2jax.ops.shape import broadcast_to, reshape, shape_i
from graph2jax.ops.sort import argsort
from graph2jax.ops.subtensor import set_subtensor
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType
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


class Nonzero(Op):
    """The indices of the non-zero entries of a tensor, as an int64 ``(ndim, count)`` matrix.

    ``count`` depends on the values, so the input is a static input.
    """

    static_inputs = (0,)
    differentiable = False

    def make_node(self, a: Any) -> Apply:
        a = as_tensor_variable(a)
        if a.ndim == 0:
            raise ValueError(f"nonzero: {a.describe()} is a scalar; it needs 1 dimension or more")
        return Apply(self, [a], [TensorType("int64", (a.ndim, None))()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = np.asarray(np.nonzero(inputs[0]), dtype="int64")


@jax_funcify.register(Nonzero)
def _jax_nonzero(op: Nonzero, node: Apply) -> Callable[..., Any]:
    def nonzero_indices(a: Any) -> np.ndarray:
        if not isinstance(a, np.ndarray | np.generic):
            raise TypeError(
                f"nonzero: {node.inputs[0].describe()} is computed from values unknown when "
                "compiling with JAX (a shared variable or random draw), and the number of "
                "non-zero entries decides the result's shape. Pass it as an input of the "
                "function (compiled once per value) or use switch/where instead"
            )
        return np.asarray(np.nonzero(a), dtype="int64")

    return nonzero_indices


def nonzero(a: Any, return_matrix: bool = False) -> tuple[TensorVariable, ...] | TensorVariable:
    """The indices of the non-zero entries of ``a``: one int64 vector per axis, or the
    ``(a.ndim, count)`` matrix with ``return_matrix``.

    The number of entries decides the shapes, so ``a`` must be known when
    compiling: built from constants or the function's inputs (the function then
    compiles once per distinct value of those inputs).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> rows, cols = gt.nonzero(gt.constant(np.array([[0, 1], [2, 0]])))
    >>> rows.eval(), cols.eval()
    (array([0, 1]), array([1, 0]))
    """
    matrix = Nonzero()(a)
    if return_matrix:
        return matrix
    return tuple(matrix[i] for i in range(matrix.type.shape[0]))


def flatnonzero(a: Any) -> TensorVariable:
    """The int64 indices of the non-zero entries of the flattened ``a`` (see :func:`nonzero`).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.flatnonzero(gt.constant(np.array([[0, 1], [2, 0]]))).eval()
    array([1, 2])
    """
    a = as_tensor_variable(a)
    if a.ndim == 0:
        raise ValueError(f"flatnonzero: {a.describe()} is a scalar; it needs 1 dimension or more")
    return nonzero(a.flatten())[0]


def nonzero_values(a: Any) -> TensorVariable:
    """The non-zero entries of the flattened ``a``, in order (see :func:`nonzero`).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.nonzero_values(gt.constant(np.array([[0, 1], [2, 0]]))).eval()
    array([1, 2])
    """
    a = as_tensor_variable(a)
    return a.flatten()[flatnonzero(a)]


__all__ = [
    "Nonzero",
    "broadcast_arrays",
    "broadcast_shape",
    "concat_with_broadcast",
    "empty",
    "empty_like",
    "flatnonzero",
    "geomspace",
    "horizontal_stack",
    "identity",
    "inverse_permutation",
    "logspace",
    "mgrid",
    "nonzero",
    "nonzero_values",
    "ogrid",
    "vertical_stack",
]
