"""Values whose leading length is only known while a function runs, inside one compilation.

A loop whose number of steps is a value (a symbolic ``n_steps``, an
``until`` condition) writes its traces into a buffer of a *capacity* known
while tracing and records how many rows are real. While the linked function
is traced, such a trace is a :class:`Ragged` (the buffer and its length) and
an integer scalar input that sets a length arrives as a :class:`BoundedInt`
(its traced value and a capacity: the next power of two of its value, so
lengths 1 to 1000 take 11 compilations). A boolean mask computed from
values, whose number of true entries decides a shape (``x[x > 0]``,
``nonzero``), arrives at its op as a :class:`BoundedMask`: its count is
bounded by its size, known while tracing, so the op's rule makes a
:class:`Ragged` of that capacity (or, for ``nonzero``'s index matrix, a
:class:`RaggedColumns`) and the function compiles once per input shape,
whatever the count. An op that can compute on ragged
values registers a rule with :data:`ragged_funcify`; the linker calls the
rule whenever one of a node's arguments is ragged. A node with no rule
receives a :class:`BoundedInt` as its plain value, and raises
:class:`RaggedUnsupported` on any other ragged value: the compiled object
then compiles the function with those inputs static (one compilation per
value), or in two stages (:mod:`graph2jax.linker.staging`) when a mask was
bounded, which gives the same results. A ragged result of the function is cut to its
length on the host side of the call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op


def capacity_for(length: int) -> int:
    """The buffer capacity for ``length`` rows: the next power of two (at least 1)."""
    return 1 << max(int(length) - 1, 0).bit_length()


@jax.tree_util.register_pytree_node_class
class BoundedInt:
    """An integer scalar known while running, with a bound known while tracing.

    Parameters
    ----------
    value : integer scalar (a traced value inside the jitted function)
    capacity : int
        A static upper bound of ``value``; it is part of the jitted
        function's cache key (one compilation per capacity).
    """

    __slots__ = ("value", "capacity")

    def __init__(self, value: Any, capacity: int):
        self.value, self.capacity = value, int(capacity)

    def tree_flatten(self) -> tuple:
        return (self.value,), self.capacity

    @classmethod
    def tree_unflatten(cls, capacity: int, children: tuple) -> BoundedInt:
        return cls(children[0], capacity)

    def signature_key(self) -> tuple:
        """What decides the executable: the value's dtype and the capacity."""
        return (np.shape(self.value), str(np.asarray(self.value).dtype), self.capacity)

    def __repr__(self) -> str:
        return f"BoundedInt({self.value!r}, capacity={self.capacity})"


@jax.tree_util.register_pytree_node_class
class Ragged:
    """A tensor whose first ``length`` rows (of ``buffer``'s ``capacity``) are its value.

    With ``where`` (a boolean vector over the rows, ``length`` of them true),
    the value is the rows where it is true, in order: a masked selection
    (``x[x > 0]``) is ``x`` itself with the mask, so that elementwise ops and
    reductions need no gather; a rule that needs the rows in place (indexing,
    a loop over them) takes :meth:`compact`. The other rows hold anything;
    every rule keeps them out of reductions, indexing and results.
    """

    __slots__ = ("buffer", "length", "where")

    def __init__(self, buffer: Any, length: Any, where: Any = None):
        self.buffer, self.length, self.where = buffer, length, where

    @property
    def capacity(self) -> int:
        return int(self.buffer.shape[0])

    def tree_flatten(self) -> tuple:
        return (self.buffer, self.length, self.where), None

    @classmethod
    def tree_unflatten(cls, _: Any, children: tuple) -> Ragged:
        return cls(*children)

    def valid(self) -> Any:
        """A boolean vector over the buffer's rows: True for the rows of the value."""
        if self.where is not None:
            return self.where
        return jnp.arange(self.capacity) < self.length

    def like(self, buffer: Any) -> Ragged:
        """``buffer`` (computed row by row from this one's) with this value's rows."""
        return Ragged(buffer, self.length, self.where)

    def compact(self) -> Ragged:
        """The same value with its rows first (a gather, for a value with ``where``)."""
        if self.where is None:
            return self
        rows = jnp.nonzero(self.where, size=self.capacity, fill_value=0)[0]
        return Ragged(self.buffer[rows], self.length)

    def to_host(self) -> Any:
        """The value as a device array of exactly ``length`` rows (after the jitted call)."""
        if self.where is not None:
            return jnp.asarray(np.asarray(self.buffer)[np.asarray(self.where)])
        return jnp.asarray(np.asarray(self.buffer)[: int(self.length)])


class RaggedColumns:
    """A matrix whose first ``length`` columns (of ``buffer``'s) are its value.

    ``nonzero``'s ``(ndim, count)`` index matrix of a :class:`BoundedMask`;
    its rows (one per axis) taken with an integer are :class:`Ragged`.
    """

    __slots__ = ("buffer", "length")

    def __init__(self, buffer: Any, length: Any):
        self.buffer, self.length = buffer, length

    def to_host(self) -> Any:
        """The value as a device array of exactly ``length`` columns (after the jitted call)."""
        return jnp.asarray(np.asarray(self.buffer)[:, : int(self.length)])


jax.tree_util.register_pytree_node(
    RaggedColumns, lambda r: ((r.buffer, r.length), None), lambda _, c: RaggedColumns(*c)
)


class BoundedMask:
    """A boolean mask known only while running, whose count of true entries is bounded by its size.

    What an op receives for a mask that decides the length of its result
    (``x[mask]``, ``nonzero(mask)``) while a function with such masks is traced.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value  # an array, or a Ragged one (a mask of a masked selection)

    def dense(self) -> Any:
        """The mask over its whole buffer, false (zero) past a ragged value's length."""
        value = self.value
        if not isinstance(value, Ragged):
            return jnp.asarray(value)
        valid = jnp.reshape(value.valid(), (value.capacity,) + (1,) * (value.buffer.ndim - 1))
        return jnp.where(valid, value.buffer, jnp.zeros((), value.buffer.dtype))

    @property
    def capacity(self) -> int:
        """The largest possible count: the mask's size (static while tracing)."""
        shape = np.shape(self.value.buffer if isinstance(self.value, Ragged) else self.value)
        return int(np.prod(shape, dtype=int))

    def count(self) -> Any:
        """The number of true entries (traced)."""
        return jnp.count_nonzero(self.dense())

    def positions(self) -> tuple[Any, ...]:
        """The true entries' positions, one index array per axis, padded with zeros to ``capacity``."""
        return jnp.nonzero(self.dense(), size=self.capacity, fill_value=0)


class RaggedUnsupported(Exception):
    """Raised while tracing: a node cannot take a ragged argument (the caller compiles statically)."""

    def __init__(self, node: Apply):
        super().__init__(f"{node.op} has no rule for a value of symbolic length (node {node})")
        self.node = node


def is_ragged(value: Any) -> bool:
    return isinstance(value, Ragged | BoundedInt | BoundedMask | RaggedColumns)


def plain(value: Any) -> Any:
    """A :class:`BoundedInt`'s value; anything else unchanged."""
    return value.value if isinstance(value, BoundedInt) else value


#: the op classes whose length inputs start ragged values (a loop's traces); a function holds
#: one of them for its length inputs to be bounded. Other ops only carry ragged values on.
ragged_sources: set[type] = set()


def starts_ragged(op: Op) -> bool:
    return isinstance(op, tuple(ragged_sources))


@functools.singledispatch
def ragged_funcify(op: Op, node: Apply) -> Callable[..., Any] | None:
    """The rule computing ``node`` on ragged arguments, or None when ``op`` has none.

    A rule takes the node's arguments (some :class:`Ragged` or
    :class:`BoundedInt`, the others plain) and returns its results in the
    same form as the op's JAX implementation, ragged where the result's
    first axis is the ragged length. A rule raises :class:`RaggedUnsupported`
    for an argument it cannot take. A rule is given a :class:`BoundedMask`
    or a :class:`RaggedColumns` only when its attribute ``takes`` (a tuple of
    classes) names it; otherwise the node counts as having no rule.
    """
    return None


def call_with_ragged(node: Apply, impl: Callable[..., Any], args: tuple) -> Any:
    """Compute ``node`` on ``args`` of which at least one is ragged: its rule, or ``impl``."""
    rule = ragged_funcify(node.op, node)
    if rule is not None and all(
        isinstance(a, getattr(rule, "takes", ())) or not isinstance(a, BoundedMask | RaggedColumns)
        for a in args
    ):
        return rule(*args)
    if any(is_ragged(a) and not isinstance(a, BoundedInt) for a in args):
        raise RaggedUnsupported(node)
    return impl(*(plain(a) for a in args))


__all__ = [
    "BoundedInt",
    "BoundedMask",
    "Ragged",
    "RaggedColumns",
    "RaggedUnsupported",
    "call_with_ragged",
    "capacity_for",
    "is_ragged",
    "plain",
    "ragged_funcify",
    "ragged_sources",
    "starts_ragged",
]
