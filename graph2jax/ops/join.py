"""Joining and splitting tensors: ``join``/``concatenate``, ``stack`` and ``split``.

``Join`` and ``Split`` are each other's gradient: joining splits the
gradient back into the inputs' pieces, splitting joins the pieces' gradients.
``Split``'s sizes decide output shapes, so they are a static input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from graph2jax.graph.basic import Apply, Constant, Op, Variable
from graph2jax.graph.gradtypes import disconnected, is_disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.broadcast import broadcast_shape, broadcast_to
from graph2jax.ops.creation import zeros_like
from graph2jax.ops.elemwise import Cast, DimShuffle, cast, shape_padaxis
from graph2jax.ops.scalar import upcast
from graph2jax.ops.shape import Shape, shape_i
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType, continuous_dtypes, int_dtypes, uint_dtypes
from graph2jax.types.variable import TensorVariable


def _constant_axis(axis: Any, what: str) -> int:
    """``axis`` as a python int: an int or a constant scalar; a symbolic axis is a TypeError."""
    if isinstance(axis, Constant) and np.ndim(axis.data) == 0:
        return int(axis.data)
    if isinstance(axis, int | np.integer):
        return int(axis)
    raise TypeError(f"{what}: the axis must be a constant integer, got {axis!r}")


def static_vector_entries(v: Variable) -> tuple[int | None, ...] | None:
    """The entries of an int vector that are known while building the graph (None where not).

    Follows constants, ``shape(x)``, casts, and ``stack`` of scalars; returns
    None when even the vector's length is unknown.
    """
    if isinstance(v, Constant):
        return tuple(int(e) for e in np.ravel(v.data))
    node = v.owner
    if node is not None:
        op = node.op
        if isinstance(op, Shape):
            return node.inputs[0].type.shape
        if isinstance(op, Cast):
            return static_vector_entries(node.inputs[0])
        if isinstance(op, DimShuffle) and op.new_order == ("x",):
            (s,) = node.inputs
            return (int(s.data),) if isinstance(s, Constant) else (None,)
        if isinstance(op, Join) and op.axis == 0:
            parts = [static_vector_entries(i) for i in node.inputs]
            if all(p is not None for p in parts):
                return tuple(e for p in parts for e in p)
    length = v.type.shape[0]
    return None if length is None else (None,) * length


class Join(Op):
    """Concatenate tensors of one ndim along ``axis``; the dtype is their upcast."""

    __props__ = ("axis",)

    def __init__(self, axis: int):
        self.axis = int(axis)
        if self.axis < 0:
            raise ValueError(f"Join: the axis must be non-negative, got {self.axis}")

    def make_node(self, *tensors: Any) -> Apply:
        if not tensors:
            raise ValueError("join: cannot join an empty list of tensors")
        tensors = [as_tensor_variable(t) for t in tensors]
        if any(t.ndim == 0 for t in tensors):
            raise TypeError("join: cannot join scalars (0-d tensors); use stack")
        ndim = tensors[0].ndim
        if any(t.ndim != ndim for t in tensors):
            raise TypeError(
                f"join: all tensors must have the same number of dimensions, got "
                f"{[t.ndim for t in tensors]} for {', '.join(t.describe() for t in tensors)}"
            )
        if self.axis >= ndim:
            raise np.exceptions.AxisError(self.axis, ndim)
        shape: list[int | None] = []
        for d, lengths in enumerate(zip(*(t.type.shape for t in tensors), strict=True)):
            if d == self.axis:
                shape.append(None if None in lengths else sum(lengths))
                continue
            known = set(lengths) - {None}
            if len(known) > 1:
                raise ValueError(
                    f"join along axis {self.axis}: the static shapes "
                    f"{[t.type.shape for t in tensors]} differ along axis {d}; all axes but "
                    "the joined one must have the same length"
                )
            shape.append(known.pop() if known else None)
        dtype = upcast(*[t.dtype for t in tensors])
        return Apply(self, tensors, [TensorType(dtype, shape)()])

    def _check(self, node: Apply, shapes: Sequence[tuple]) -> None:
        for d in range(len(shapes[0])):
            if d != self.axis and len({s[d] for s in shapes}) > 1:
                raise ValueError(
                    f"join along axis {self.axis}: the shapes {[tuple(s) for s in shapes]} of "
                    f"{', '.join(i.describe() for i in node.inputs)} differ along axis {d}"
                )

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        self._check(node, [np.shape(i) for i in inputs])
        dtype = node.outputs[0].dtype
        output_storage[0][0] = np.concatenate([np.asarray(i, dtype) for i in inputs], self.axis)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        out = list(input_shapes[0])
        for s in input_shapes[1:]:
            out[self.axis] = out[self.axis] + s[self.axis]
        return [tuple(out)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (gz,) = output_grads
        if outputs[0].dtype not in continuous_dtypes:
            return [disconnected() for _ in inputs]
        sizes = stack([shape_i(t, self.axis) for t in inputs])
        pieces = split(gz, sizes, len(inputs), self.axis)
        pieces = pieces if isinstance(pieces, list) else [pieces]
        return [
            cast(g, t.dtype) if t.dtype in continuous_dtypes else disconnected()
            for g, t in zip(pieces, inputs, strict=True)
        ]


@jax_funcify.register(Join)
def _jax_join(op: Join, node: Apply) -> Callable[..., Any]:
    axis, dtype = op.axis, node.outputs[0].dtype

    def join_(*args: Any) -> Any:
        op._check(node, [jnp.shape(a) for a in args])  # shapes are static while tracing
        return jnp.concatenate([jnp.asarray(a, dtype) for a in args], axis=axis)

    return join_


def join(axis: int, *tensors_list: Any) -> TensorVariable:
    """Concatenate ``tensors_list`` along ``axis`` (a constant int; negative counts from the end).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.join(0, gt.tensor("float64", shape=(2, 3)), gt.dmatrix()).type
    TensorType(float64, shape=(None, 3))
    """
    if not tensors_list:
        raise ValueError("join: cannot join an empty list of tensors")
    if len(tensors_list) == 1:
        return as_tensor_variable(tensors_list[0])
    axis = _constant_axis(axis, "join")
    ndim = as_tensor_variable(tensors_list[0]).ndim
    if ndim:
        axis = normalize_axis_index(axis, ndim)
    return Join(axis)(*tensors_list)


def concatenate(tensor_list: Sequence[Any], axis: int = 0) -> TensorVariable:
    """numpy's ``concatenate``: ``join(axis, *tensor_list)``.

    Raises
    ------
    TypeError
        When ``tensor_list`` is not a list or tuple (``concatenate(x, y)`` instead of ``((x, y))``).
    """
    if not isinstance(tensor_list, list | tuple):
        raise TypeError(
            "concatenate: the tensors must be given as a list or tuple, e.g. "
            f"concatenate([x, y]); got {type(tensor_list).__name__}"
        )
    return join(axis, *tensor_list)


def stack(tensors: Sequence[Any], axis: int = 0) -> TensorVariable:
    """Stack tensors of one shape along a new axis ``axis``.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.stack([gt.dscalar(), gt.dscalar()]).type
    TensorType(float64, shape=(2,))
    """
    if not isinstance(tensors, Sequence) or isinstance(tensors, str):
        raise TypeError(f"stack: the tensors must be a sequence, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError("stack: no tensors given")
    tensors = [as_tensor_variable(t) for t in tensors]
    return join(axis, *[shape_padaxis(t, axis) for t in tensors])


class Split(Op):
    """Cut ``x`` along ``axis`` into ``len_splits`` pieces of the lengths given by ``splits``."""

    __props__ = ("len_splits", "axis")
    static_inputs = (1,)

    def __init__(self, len_splits: int, axis: int):
        self.len_splits = int(len_splits)
        self.axis = int(axis)
        if self.axis < 0:
            raise ValueError(f"Split: the axis must be non-negative, got {self.axis}")

    def make_node(self, x: Any, splits: Any) -> Apply:
        x = as_tensor_variable(x)
        splits = as_tensor_variable(splits, ndim=1)
        if splits.dtype not in int_dtypes + uint_dtypes:
            raise TypeError(f"split: the sizes must be integers, got dtype {splits.dtype}")
        if self.axis >= x.ndim:
            raise np.exceptions.AxisError(self.axis, x.ndim)
        sizes = static_vector_entries(splits) or (None,) * self.len_splits
        if len(sizes) != self.len_splits:
            raise ValueError(f"split: {len(sizes)} sizes given for n_splits={self.len_splits}")
        if any(s is not None and s < 0 for s in sizes):
            raise ValueError(f"split: the sizes {splits.describe()} = {sizes} must not be negative")
        length = x.type.shape[self.axis]
        if None not in sizes and length is not None and sum(sizes) != length:
            raise ValueError(
                f"split: sizes {sizes} sum to {sum(sizes)}, but axis {self.axis} of "
                f"{x.describe()} has length {length}"
            )
        outs = []
        for size in sizes:
            shape = list(x.type.shape)
            shape[self.axis] = size
            outs.append(TensorType(x.dtype, shape)())
        return Apply(self, [x, splits], outs)

    def _bounds(self, node: Apply, x_shape: tuple, splits: Any) -> list[int]:
        """The cut points, after checking ``splits`` against the actual shape."""
        sizes = [int(s) for s in np.asarray(splits)]
        if len(sizes) != self.len_splits or min(sizes, default=0) < 0:
            raise ValueError(
                f"split: sizes {sizes} ({node.inputs[1].describe()}) do not give "
                f"{self.len_splits} pieces"
            )
        if sum(sizes) != x_shape[self.axis]:
            raise ValueError(
                f"split: sizes {sizes} sum to {sum(sizes)}, but axis {self.axis} of "
                f"{node.inputs[0].describe()} has length {x_shape[self.axis]} "
                f"(shape {tuple(x_shape)})"
            )
        return list(np.cumsum(sizes)[:-1])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        x, splits = inputs
        for store, piece in zip(
            output_storage,
            np.split(x, self._bounds(node, np.shape(x), splits), self.axis),
            strict=True,
        ):
            store[0] = piece

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        x_shape = input_shapes[0]
        splits = node.inputs[1]
        return [
            tuple(splits[k] if d == self.axis else s for d, s in enumerate(x_shape))
            for k in range(self.len_splits)
        ]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        x = inputs[0]
        if x.dtype not in continuous_dtypes:
            return [disconnected(), disconnected()]
        pieces = [
            zeros_like(o) if is_disconnected(g) else g
            for o, g in zip(outputs, output_grads, strict=True)
        ]
        return [join(self.axis, *pieces), disconnected()]


@jax_funcify.register(Split)
def _jax_split(op: Split, node: Apply) -> Callable[..., Any]:
    axis, single = op.axis, op.len_splits == 1

    def split_(x: Any, splits: Any) -> Any:
        pieces = jnp.split(x, op._bounds(node, jnp.shape(x), splits), axis=axis)
        return pieces[0] if single else tuple(pieces)

    return split_


def split(
    x: Any, splits_size: Any, n_splits: int | None = None, axis: int = 0
) -> TensorVariable | list[TensorVariable]:
    """Cut ``x`` along ``axis`` into ``n_splits`` pieces of lengths ``splits_size``.

    Returns a list of tensors (a single tensor when ``n_splits`` is 1), as PyTensor.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, b = gt.split(gt.constant(np.arange(5.0)), [2, 3], 2)
    >>> a.eval(), b.eval()
    (array([0., 1.]), array([2., 3., 4.]))
    """
    x = as_tensor_variable(x)
    splits = as_tensor_variable(splits_size)
    if n_splits is None:
        if splits.ndim != 1 or splits.type.shape[0] is None:
            raise ValueError("split: the number of pieces is not known statically; pass n_splits")
        n_splits = splits.type.shape[0]
    axis = normalize_axis_index(_constant_axis(axis, "split"), x.ndim)
    return Split(n_splits, axis)(x, splits)


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


__all__ = [
    "Join",
    "Split",
    "concat_with_broadcast",
    "concatenate",
    "horizontal_stack",
    "join",
    "split",
    "stack",
    "vertical_stack",
]
