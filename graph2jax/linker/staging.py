"""Staged compilation: shapes decided by values the graph computes.

XLA compiles for static shapes. A value that decides a shape (an ``arange``
or ``zeros`` argument, a reshape's target, slice bounds, repeat counts: an
op's ``static_inputs``) is known while tracing when it comes from constants
and shapes, and a function input feeding it directly, or scalar inputs
through arithmetic, becomes a static argument of ``jax.jit`` (one
compilation per value). A value *computed* from an array's values
(``arange(x.sum())``, the mask of ``x[x > 0]``, a random draw) is neither:
such a function is compiled in two stages.

1. A first compiled callable (linked like any graph, so it may be staged
   itself) computes every such value; the shell's call reads them all in one
   device-to-host transfer.
2. The whole graph is then compiled with those values static, cached per
   value: a value passed to its op is a numpy array, known while tracing, so
   the shapes it decides are python ints. For a boolean mask, ``nonzero``'s
   and ``unique``'s argument (an op's ``counted_inputs``) only a count is
   static (``op.static_count``: the number of true entries, of distinct
   values): the op receives a :class:`Counted`, the first stage's values
   with their count (so the two always agree), and computes, for example,
   ``jnp.nonzero(mask, size=count)``, so a compilation is made per distinct
   count, not per mask.

A graph without such a value is linked exactly as before, with no stage and
no overhead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from graph2jax.graph.basic import Apply, Variable
from graph2jax.graph.fg import FunctionGraph
from graph2jax.linker.compiled import Compiled, JaxCompiled

#: a staged operand: ``(node, input position, only its count is static)``
Operand = tuple[Apply, int, bool]


class Counted:
    """A value known only at run time (``value``, traced) whose shape-deciding count is known.

    What an op with ``counted_inputs`` receives in the second stage; ``count``
    is the op's ``static_count`` of the value. ``shape`` and ``ndim`` are the value's.
    """

    __slots__ = ("count", "value")

    def __init__(self, value: Any, count: Any):
        self.value = value
        self.count = int(np.asarray(count))

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape)

    @property
    def ndim(self) -> int:
        return len(self.value.shape)

    def nonzero(self) -> tuple[Any, ...]:
        """The positions of the non-zero entries, one index array per axis (traced)."""
        return jax.numpy.nonzero(self.value, size=self.count)


def needs_stage(var: Variable, fgraph: FunctionGraph) -> bool:
    """Whether ``var``'s value is computed from an array's values, or from a value JAX
    cannot know while tracing (a random draw), rather than from shapes, constants and
    scalar inputs (which the linker can make static)."""
    inputs = set(map(id, fgraph.inputs))
    if id(var) in inputs:
        return False
    seen: set[int] = set()
    stack = [var]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if id(v) in inputs:
            if getattr(v.type, "ndim", None) != 0:
                return True
        elif v.owner is not None and not v.owner.op.shape_only:
            if not v.owner.op.foldable:
                return True
            stack.extend(v.owner.inputs)
    return False


class StagedCompiled:
    """A graph compiled in two stages: the shape-deciding values, then the graph with them static.

    Satisfies :class:`~graph2jax.linker.compiled.Compiled`.

    Parameters
    ----------
    fgraph : FunctionGraph
    first : Compiled
        Computes the staged variables (``fgraph``'s inputs in, their values out).
    second : JaxCompiled
        The graph, taking one trailing static argument per staged operand, then
        the first stage's values of the counted ones.
    reads : sequence of (int, Apply, int, bool)
        Per staged operand: the first stage's output holding it, its node and
        input position, and whether only its count (``op.static_count``) is passed.
    """

    single = None  #: no single-output route (see Compiled)

    def __init__(
        self,
        fgraph: FunctionGraph,
        first: Compiled,
        second: JaxCompiled,
        reads: Sequence[tuple[int, Apply, int, bool]],
    ):
        self.fgraph, self.first, self.second = fgraph, first, second
        self._reads = tuple(reads)
        n = len(fgraph.inputs)
        self.static_argnums = tuple(i for i in second.static_argnums if i < n)
        self.donate_argnums = second.donate_argnums
        self.checked = second.checked
        self.source = f"# stage 1\n{first.source}\n# stage 2\n{second.source}"

    @property
    def trace_count(self) -> int:
        return self.first.trace_count + self.second.trace_count

    @property
    def compile_count(self) -> int:
        return self.first.compile_count + self.second.compile_count

    def staged_values(self, *args: Any) -> list[Any]:
        """Run the first stage; its values read on the host in one transfer, as the second
        stage takes them: the static values and counts, then the counted values themselves
        (left on the device: the second stage uses them, so each count fits its values)."""
        device_values = self.first.call(*args)
        values = jax.device_get(device_values)
        static = [
            node.op.static_count(k, values[j]) if counted else values[j]
            for j, node, k, counted in self._reads
        ]
        return static + [device_values[j] for j, _, _, counted in self._reads if counted]

    def call(self, *args: Any) -> tuple:
        """Both stages: the values, read on the host, then the graph compiled for them."""
        return self.second.call(*args, *self.staged_values(*args))

    def lower(self, *args: Any) -> Any:
        """The second stage's lowering for the values the first stage computes from ``args``."""
        return self.second.lower(*args, *self.staged_values(*args))

    def pure(self) -> Callable[..., tuple]:
        """Refused: the shapes of this graph depend on values read between two jitted calls."""
        raise TypeError(
            "this function's shapes depend on values it computes (compiled in two stages, "
            "see graph2jax.linker.staging): it has no single pure jitted function (jax_fn)"
        )
