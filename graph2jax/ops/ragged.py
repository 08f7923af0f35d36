"""The rules of the ops ragged values flow through (see :mod:`graph2jax.linker.ragged`).

A trace of ``n`` rows computed in a buffer of ``capacity`` rows (a
symbolic-length loop's), or the rows a computed boolean mask selects
(``x[x > 0]``: the mask's size is the capacity, ``nonzero``'s positions
gather the rows), reaches its consumers as a
:class:`~graph2jax.linker.ragged.Ragged`. These rules cover
what a loss over a trace and its gradient use: elementwise arithmetic, casts,
reductions (the rows past ``n`` are replaced by the reduction's identity),
shapes, ``alloc`` / ``fill`` (``zeros_like``), dimshuffles keeping the first axis,
integer indexing and slicing of the first axis (``h[-1]``, ``x[:n]``,
``h[::-1]``), a mask on the first axes (``x[mask]``, ``x[mask, 1:]``),
``nonzero`` and indexing with its positions (``x[nonzero(m)[0]]``), ``set_subtensor`` / ``inc_subtensor`` at one row, and joins
along the first axis; ``arange``, ``repeat`` and ``unique`` start ragged values
(:mod:`graph2jax.ops.ragged_sources`). Any other op on a ragged value makes the function
compile with its lengths static instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np
from jax import lax

from graph2jax.graph.basic import Apply
from graph2jax.linker import checks
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.linker.ragged import (
    BoundedInt,
    BoundedMask,
    Ragged,
    RaggedColumns,
    RaggedUnsupported,
    plain,
    ragged_funcify,
)
from graph2jax.ops import ragged_sources as _sources  # noqa: F401  (arange, repeat, unique)
from graph2jax.ops.creation import Alloc, Fill
from graph2jax.ops.elemwise import Cast, DimShuffle, Elemwise
from graph2jax.ops.join import Join
from graph2jax.ops.nonzero import Nonzero
from graph2jax.ops.reduce import CAReduce
from graph2jax.ops.shape import Shape, Shape_i
from graph2jax.ops.subtensor import IncSubtensor, Subtensor
from graph2jax.ops.subtensor_key import (
    ARRAY,
    INT,
    MASK,
    SLICE,
    assemble,
    concrete_key,
    is_advanced,
    is_known,
    n_inputs,
)

_IDENTITY = {"Sum": 0, "Prod": 1, "All": True, "Any": False}


def _length(x: Any) -> Any:
    return x.length if isinstance(x, Ragged) else x.shape[0]


def _buffer(x: Any) -> Any:
    """The rows of ``x`` in place: a ragged value's first ``length`` rows are its value."""
    return x.compact().buffer if isinstance(x, Ragged) else jnp.asarray(x)


def _same_rows(values: list) -> list:
    """The ragged ``values`` with their rows laid out alike: as they are when they share one
    layout (a masked selection and values computed from it), else each compacted."""
    wheres = [r.where for r in values]
    if all(w is None for w in wheres) or all(w is wheres[0] for w in wheres):
        return values
    return [r.compact() for r in values]


@ragged_funcify.register(Elemwise)
@ragged_funcify.register(Cast)
def _ragged_elementwise(op: Any, node: Apply) -> Callable[..., Any]:
    impl = jax_funcify(op, node)
    ndim = node.outputs[0].ndim

    def elementwise(*args: Any) -> Any:
        if isinstance(op, Cast) and isinstance(args[0], BoundedInt):  # n_steps' int64 cast
            return BoundedInt(impl(args[0].value), args[0].capacity)
        args = [plain(a) for a in args]
        if not any(isinstance(a, Ragged) for a in args):
            return impl(*args)
        laid = iter(_same_rows([a for a in args if isinstance(a, Ragged)]))
        args = [next(laid) if isinstance(a, Ragged) else a for a in args]
        ragged = [a for a in args if isinstance(a, Ragged)]
        capacity = min(r.capacity for r in ragged)
        parts = []
        for a in args:
            if isinstance(a, Ragged):
                parts.append(a.buffer[:capacity])
            elif np.ndim(a) == ndim and np.shape(a)[0] != 1:  # a full first axis of its own
                raise RaggedUnsupported(node)
            else:
                parts.append(a)
        return ragged[0].like(impl(*parts))

    return elementwise


@ragged_funcify.register(CAReduce)
def _ragged_reduce(op: CAReduce, node: Apply) -> Callable[..., Any]:
    impl = jax_funcify(op, node)
    name = op.reducer.name
    if name in _IDENTITY:
        identity = _IDENTITY[name]
    elif name in ("Max", "Min"):
        dtype = np.dtype(node.inputs[0].dtype)
        info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
        bound = (-np.inf, np.inf) if dtype.kind == "f" else (info.min, info.max)
        identity = bound[0] if name == "Max" else bound[1]
    else:
        identity = None
    # numpy's max and min of nothing raise ValueError: a run-time check of the length
    needs_rows = name in ("Max", "Min")

    def reduce(x: Any) -> Any:
        if 0 not in op.axis:
            return x.like(impl(x.buffer))
        if identity is None:
            raise RaggedUnsupported(node)
        if needs_rows:
            checks.require(x.length > 0)
        valid = jnp.reshape(x.valid(), (x.capacity,) + (1,) * (x.buffer.ndim - 1))
        return impl(jnp.where(valid, x.buffer, jnp.asarray(identity, x.buffer.dtype)))

    return reduce


@ragged_funcify.register(Shape)
def _ragged_shape(op: Shape, node: Apply) -> Callable[..., Any]:
    def shape(x: Any) -> Any:
        rest = jnp.asarray(x.buffer.shape[1:], dtype="int64")
        return jnp.concatenate([jnp.asarray(x.length, "int64")[None], rest])

    return shape


@ragged_funcify.register(Shape_i)
def _ragged_shape_i(op: Shape_i, node: Apply) -> Callable[..., Any]:
    def shape_i(x: Any) -> Any:
        if op.i:
            return np.asarray(x.buffer.shape[op.i], dtype="int64")
        return BoundedInt(jnp.asarray(x.length, "int64"), x.capacity)

    return shape_i


@ragged_funcify.register(Alloc)
def _ragged_alloc(op: Alloc, node: Apply) -> Callable[..., Any]:
    impl = jax_funcify(op, node)

    def alloc(value: Any, *shape: Any) -> Any:
        if isinstance(value, Ragged) or any(isinstance(s, BoundedInt) for s in shape[1:]):
            raise RaggedUnsupported(node)
        if not isinstance(shape[0], BoundedInt):
            return impl(value, *shape)
        first = shape[0]
        checks.require(first.value >= 0)  # numpy's ValueError for a negative dimension
        buffer = impl(value, np.asarray(first.capacity), *shape[1:])
        return Ragged(buffer, jnp.maximum(first.value, 0))

    return alloc


@ragged_funcify.register(Fill)
def _ragged_fill(op: Fill, node: Apply) -> Callable[..., Any]:
    impl = jax_funcify(op, node)

    def fill(model: Any, value: Any) -> Any:
        if isinstance(value, Ragged) or not isinstance(model, Ragged):
            raise RaggedUnsupported(node)
        return model.like(impl(model.buffer, plain(value)))

    return fill


@ragged_funcify.register(DimShuffle)
def _ragged_dimshuffle(op: DimShuffle, node: Apply) -> Callable[..., Any]:
    impl = jax_funcify(op, node)

    def dimshuffle(x: Any) -> Any:
        if not op.new_order or op.new_order[0] != 0:
            raise RaggedUnsupported(node)
        return x.like(impl(x.buffer))

    return dimshuffle


def _bound(value: Any, length: Any, default: Any) -> Any:
    """A slice bound as a position in ``[0, length]`` (numpy's rules for one bound)."""
    if value is None:
        return default
    value = plain(value)
    if is_known(value) and int(value) == 0:
        return 0  # known now: the slice needs no shift
    return jnp.clip(jnp.where(value < 0, value + length, value), 0, length)


@ragged_funcify.register(Subtensor)
def _ragged_subtensor(op: Subtensor, node: Apply) -> Callable[..., Any]:
    impl = jax_funcify(op, node)
    idx_list = op.idx_list
    first = idx_list[0][0] if idx_list else None

    def subtensor(x: Any, *values: Any) -> Any:
        items = assemble(idx_list, values)
        head, rest = items[0], items[1:]
        if first not in (INT, SLICE, MASK, ARRAY) or not all(
            is_known(v) for v in values[len(values) - _n_rest_inputs(idx_list) :]
        ):
            raise RaggedUnsupported(node)
        if isinstance(x, RaggedColumns):  # a row of nonzero's index matrix
            if first != INT or rest or not is_known(head):
                raise RaggedUnsupported(node)
            return Ragged(x.buffer[int(head)], x.length)
        if first in (MASK, ARRAY):
            return _gathered(node, x, head, concrete_key(rest))
        buffer, length = _buffer(x), _length(x)
        if rest:
            buffer = buffer[(slice(None), *concrete_key(rest))]
        if first == INT:
            index = plain(head)
            if checks.checking():
                checks.require_in_range(index, length)
            index = jnp.where(index < 0, index + length, index)
            return lax.dynamic_index_in_dim(buffer, index, keepdims=False)
        step = plain(head.step)
        if step is None or (is_known(step) and int(step) == 1):
            start = _bound(head.start, length, 0)
            stop = _bound(head.stop, length, length)
            shifted = buffer if isinstance(start, int) else jnp.roll(buffer, -start, axis=0)
            return Ragged(shifted, jnp.maximum(stop - start, 0))
        if is_known(step) and int(step) == -1 and head.start is None and head.stop is None:
            if not isinstance(x, Ragged) and not any(isinstance(v, BoundedInt) for v in values):
                return impl(x, *values)
            capacity = buffer.shape[0]
            return Ragged(jnp.roll(jnp.flip(buffer, 0), length - capacity, axis=0), length)
        raise RaggedUnsupported(node)

    subtensor.takes = (BoundedMask, RaggedColumns)
    return subtensor


def _gathered(node: Apply, x: Any, index: Any, rest: tuple) -> Ragged:
    """``x[index, *rest]`` for a first index that is a bounded mask or a ragged position vector,
    the only advanced index. A mask selects rows without moving them (``where``)."""
    if is_advanced(node.op.idx_list[1:]):
        raise RaggedUnsupported(node)
    if isinstance(index, BoundedMask):
        mask = index.value
        if isinstance(x, Ragged) != isinstance(mask, Ragged):
            raise RaggedUnsupported(node)
        if isinstance(x, Ragged):  # a mask over a masked selection: both keep x's rows
            x, mask = _same_rows([x, mask])
            if mask.buffer.ndim != 1 or mask.capacity != x.capacity:
                raise RaggedUnsupported(node)
            where = mask.valid() & mask.buffer.astype(bool)
            rows = x.buffer
        else:
            mask = jnp.asarray(mask)
            if np.shape(x)[: mask.ndim] != mask.shape:
                raise RaggedUnsupported(node)  # the staged form raises numpy's error for the shapes
            where = jnp.reshape(mask, (-1,))
            rows = jnp.reshape(jnp.asarray(x), (where.shape[0], *np.shape(x)[mask.ndim :]))
        length = jnp.count_nonzero(where)
    elif isinstance(index, Ragged) and not isinstance(x, Ragged):
        index = index.compact()
        if checks.checking():
            checks.require_in_range(jnp.where(index.valid(), index.buffer, 0), x.shape[0])
        rows, length, where = jnp.asarray(x)[index.buffer], index.length, None
    else:
        raise RaggedUnsupported(node)
    return Ragged(rows[(slice(None), *rest)] if rest else rows, length, where)


@ragged_funcify.register(Nonzero)
def _ragged_nonzero(op: Nonzero, node: Apply) -> Callable[..., Any]:
    def nonzero_indices(a: Any) -> Any:
        if not isinstance(a, BoundedMask):
            raise RaggedUnsupported(node)
        if isinstance(a.value, Ragged):  # positions within the value: its rows first
            a = BoundedMask(a.value.compact())
        return RaggedColumns(jnp.stack(a.positions()).astype("int64"), a.count())

    nonzero_indices.takes = (BoundedMask,)
    return nonzero_indices


def _n_rest_inputs(idx_list: tuple) -> int:
    """How many index inputs belong to the entries after the first."""
    return sum(n_inputs(e) for e in idx_list[1:])


@ragged_funcify.register(IncSubtensor)
def _ragged_inc_subtensor(op: IncSubtensor, node: Apply) -> Callable[..., Any]:
    idx_list, setting = op.idx_list, op.set_instead_of_inc
    dtype = node.outputs[0].dtype
    first = idx_list[0][0] if idx_list else None

    def inc_subtensor(x: Any, y: Any, *values: Any) -> Any:
        items = assemble(idx_list, values)
        if first not in (INT, SLICE, MASK) or not all(
            is_known(v) for v in values[len(values) - _n_rest_inputs(idx_list) :]
        ):
            raise RaggedUnsupported(node)
        buffer, length = jnp.asarray(_buffer(x), dtype), _length(x)
        rest = concrete_key(items[1:])
        if first == MASK:  # the selected rows, as x[mask] gathers them (a gradient's scatter)
            mask = items[0] if isinstance(items[0], BoundedMask) else BoundedMask(items[0])
            if isinstance(x, Ragged) or isinstance(mask.value, Ragged) or is_advanced(idx_list[1:]):
                raise RaggedUnsupported(node)
            positions = mask.positions()
            capacity = mask.capacity
            if isinstance(y, Ragged) and y.capacity != capacity:
                raise RaggedUnsupported(node)
            target = jnp.shape(buffer[(*positions, *rest)])
            update = _buffer(y) if isinstance(y, Ragged) else jnp.asarray(plain(y))
            if not isinstance(y, Ragged) and update.ndim == len(target) and update.shape[0] != 1:
                raise RaggedUnsupported(node)  # one row per selected row: a count-long array
            update = jnp.broadcast_to(update.astype(dtype), target)
            # the padding's positions point past the first axis: dropped
            dropped = jnp.arange(capacity) >= mask.count()
            key = (jnp.where(dropped, buffer.shape[0], positions[0]), *positions[1:], *rest)
            ref = buffer.at[key]
            return ref.set(update, mode="drop") if setting else ref.add(update, mode="drop")
        if first == INT:
            if isinstance(y, Ragged):
                raise RaggedUnsupported(node)
            index = plain(items[0])
            rows = jnp.where(index < 0, index + length, index)[None]
            update = jnp.asarray(plain(y), dtype)[None]
        else:
            head = items[0]
            if head.step is not None and not (is_known(head.step) and int(head.step) == 1):
                raise RaggedUnsupported(node)
            start = _bound(head.start, length, 0)
            stop = _bound(head.stop, length, length)
            update = jnp.asarray(_buffer(y), dtype)
            count = update.shape[0] if not isinstance(y, Ragged) else y.capacity
            offsets = jnp.arange(count)
            # rows past the slice or past y's length point out of range and are dropped
            rows = jnp.where(offsets < stop - start, start + offsets, buffer.shape[0])
            if isinstance(y, Ragged):
                rows = jnp.where(offsets < y.length, rows, buffer.shape[0])
        ref = buffer.at[(rows, *rest)]
        out = ref.set(update, mode="drop") if setting else ref.add(update, mode="drop")
        return Ragged(out, x.length) if isinstance(x, Ragged) else out

    inc_subtensor.takes = (BoundedMask,)
    return inc_subtensor


@ragged_funcify.register(Join)
def _ragged_join(op: Join, node: Apply) -> Callable[..., Any]:
    impl = jax_funcify(op, node)
    dtype = node.outputs[0].dtype

    def join(*args: Any) -> Any:
        if op.axis != 0:
            if any(isinstance(a, Ragged) for a in args):
                raise RaggedUnsupported(node)
            return impl(*args)
        buffers = [jnp.asarray(_buffer(a), dtype) for a in args]
        total = sum(b.shape[0] for b in buffers)
        out = jnp.zeros((total, *buffers[0].shape[1:]), dtype)
        offset: Any = 0
        for a, b in zip(args, buffers, strict=True):
            # each piece is written whole: the next one overwrites its rows past its length
            out = lax.dynamic_update_slice_in_dim(out, b, offset, axis=0)
            offset = offset + _length(a)
        return Ragged(out, offset)

    return join


__all__: list[str] = []
