"""The rules of ops whose result's length is a value: ``arange``, ``repeat`` and ``unique``.

Each makes a :class:`~graph2jax.linker.ragged.Ragged` value from a bound
known while tracing (see :mod:`graph2jax.linker.ragged`), which the rules of
:mod:`graph2jax.ops.ragged` carry on:

* ``arange(start, n, step)`` whose ``n`` is a
  :class:`~graph2jax.linker.ragged.BoundedInt` (a length computed by a first
  stage, bucketed by :func:`~graph2jax.linker.ragged.capacity_for`, or a
  ragged value's length): the values ``start + step * i`` over a buffer of
  the capacity's length, ``ceil((n - start) / step)`` of them kept;
* ``repeat(x, k)`` with one bounded count ``k`` for every row: ``len(x) * k``
  rows of a buffer of ``len(x) * capacity`` rows;
* ``unique(a)`` with ``a`` a :class:`~graph2jax.linker.ragged.BoundedMask`
  (computed from values, or an input): at most ``a.size`` distinct values,
  so the buffer has the input's size and the function compiles once per
  input shape, whatever the count; the first occurrences and the counts are
  ragged alike, the inverse indices are as long as the input.

Any other form (a bounded ``start`` or ``step``, a negative ``step``, a
non-integral float ``arange``, ``repeat`` along another axis or with one
count per row, ``unique`` along an axis) raises
:class:`~graph2jax.linker.ragged.RaggedUnsupported`: the function is then
compiled with the exact value static, which gives the same results.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply
from graph2jax.linker import checks
from graph2jax.linker.ragged import (
    BoundedInt,
    BoundedMask,
    Ragged,
    RaggedUnsupported,
    ragged_funcify,
)
from graph2jax.ops.creation import ARange
from graph2jax.ops.extra import Repeat
from graph2jax.ops.unique import Unique


def _known_integer(value: Any) -> int | None:
    """``value`` as a python int when it is known while tracing and integral, else None."""
    if not isinstance(value, np.ndarray | np.generic) or np.ndim(value) != 0:
        return None
    number = value.item()
    return int(number) if float(number).is_integer() else None


@ragged_funcify.register(ARange)
def _ragged_arange(op: ARange, node: Apply) -> Callable[..., Any]:
    dtype = op.dtype

    def arange(start: Any, stop: Any, step: Any) -> Ragged:
        first, stride = _known_integer(start), _known_integer(step)
        if not isinstance(stop, BoundedInt) or first is None or stride is None or stride <= 0:
            raise RaggedUnsupported(node)
        # stop <= its capacity (a negative stop has capacity 1): a bound of the length
        capacity = max(math.ceil((stop.capacity - first) / stride), 1)
        length = jnp.maximum((stop.value - first + stride - 1) // stride, 0)
        # integral start and step: exact in any dtype, as numpy's values
        buffer = jnp.asarray(first, dtype) + jnp.asarray(stride, dtype) * jnp.arange(
            capacity, dtype=dtype
        )
        return Ragged(buffer, length)

    return arange


@ragged_funcify.register(Repeat)
def _ragged_repeat(op: Repeat, node: Apply) -> Callable[..., Any]:
    def repeat(x: Any, repeats: Any) -> Ragged:
        if op.transposed or op.axis != 0 or isinstance(x, Ragged):
            raise RaggedUnsupported(node)
        if not isinstance(repeats, BoundedInt) or np.ndim(repeats.value) != 0:
            raise RaggedUnsupported(node)
        checks.require(repeats.value >= 0)  # numpy's ValueError for a negative count
        count = jnp.maximum(repeats.value, 0)
        rows = x.shape[0]
        if rows == 0:
            return Ragged(jnp.asarray(x), count * 0)
        # output row i is row i // count (a gather: cheaper to compile than jnp.repeat's scatter)
        source = jnp.arange(rows * repeats.capacity) // jnp.maximum(count, 1)
        return Ragged(jnp.asarray(x)[jnp.minimum(source, rows - 1)], rows * count)

    return repeat


@ragged_funcify.register(Unique)
def _ragged_unique(op: Unique, node: Apply) -> Callable[..., Any]:
    flags = (op.return_index, op.return_inverse, op.return_counts)

    def unique(a: Any) -> Any:
        if not isinstance(a, BoundedMask) or op.axis is not None:
            raise RaggedUnsupported(node)
        value = a.value
        if isinstance(value, Ragged):  # the selection's rows first, then flattened
            value = value.compact()
            flat = jnp.reshape(value.buffer, (-1,))
            size = value.length * (flat.shape[0] // max(value.capacity, 1))
            valid = jnp.arange(flat.shape[0]) < size
        else:
            flat = jnp.reshape(jnp.asarray(value), (-1,))
            size, valid = None, jnp.ones(flat.shape, bool)
        results = _distinct(flat, valid, flags)
        if size is not None and op.return_inverse:  # one inverse index per selected entry
            position = 1 + op.return_index
            results[position] = Ragged(results[position], size)
        return results[0] if len(results) == 1 else tuple(results)

    unique.takes = (BoundedMask,)
    return unique


def _distinct(flat: Any, valid: Any, flags: tuple[bool, bool, bool]) -> list[Any]:
    """numpy's ``unique`` of the entries of ``flat`` where ``valid`` holds: the values, first
    occurrences and counts ragged, the inverse indices one per entry of ``flat``.

    A stable sort puts the valid entries first, in order of value (NaNs
    last, one of them kept, as numpy's ``equal_nan``); an entry differing
    from the one before it starts a group, whose first entry in the sort is
    its first occurrence.
    """
    size = flat.shape[0]
    order = jnp.lexsort((flat, ~valid))
    ordered, kept = flat[order], valid[order]
    differs = ordered[1:] != ordered[:-1]
    if jnp.issubdtype(flat.dtype, jnp.inexact):
        differs = differs & ~(jnp.isnan(ordered[1:]) & jnp.isnan(ordered[:-1]))
    starts_group = kept & jnp.concatenate([jnp.ones(min(size, 1), bool), differs])
    count = jnp.count_nonzero(starts_group)
    firsts = jnp.nonzero(starts_group, size=size, fill_value=0)[0]
    results: list[Any] = [Ragged(ordered[firsts], count)]
    return_index, return_inverse, return_counts = flags
    if return_index:
        results.append(Ragged(order[firsts].astype("int64"), count))
    group = jnp.cumsum(starts_group) - 1
    if return_inverse:
        results.append(jnp.zeros(size, "int64").at[order].set(group.astype("int64")))
    if return_counts:
        counts = jax.ops.segment_sum(kept.astype("int64"), jnp.maximum(group, 0), size)
        results.append(Ragged(counts, count))
    return results


__all__: list[str] = []
