"""The compiled callable: what every linker returns, and the one ``jax.jit`` of the package.

A linker turns a :class:`~graph2jax.graph.fg.FunctionGraph` into an object
satisfying :class:`Compiled`. The shell only ever calls ``compiled.call`` with
the argument values (explicit inputs, then shared buffers): the compiled
object wraps the static arguments itself, counts its traces and compilations,
keeps one jitted variant per donation set and routes each call signature to
the variant whose donations XLA can use. The donation *policy* (which
arguments are candidates, which buffers must be copied first) is the
compile layer's (:mod:`graph2jax.compile.aliasing`); it hands the linker the
candidate indices and the rule saying which donations a traced call can use.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Protocol, runtime_checkable

import jax
import numpy as np

from graph2jax.graph.fg import FunctionGraph
from graph2jax.linker.compile_cache import ExecutableCache

#: ``usable(args, outputs, donated) -> the donated indices XLA can alias to an output``
DonationRule = Callable[[Sequence[Any], Sequence[Any], tuple[int, ...]], tuple[int, ...]]


@runtime_checkable
class Compiled(Protocol):
    """What a linker returns: the callable of one graph, with its bookkeeping.

    Attributes
    ----------
    fgraph : FunctionGraph
        The linked graph (inputs: the call's arguments; outputs: its results).
    call : callable
        ``call(*values) -> tuple(outputs)``: the entry every call goes through.
        Static arguments are given as plain values (the object wraps them).
    source : str or None
        The generated python source, None when the linker generates none.
    static_argnums : tuple of int
        Arguments whose values decide shapes (compiled once per value).
    donate_argnums : tuple of int
        Arguments whose buffers a call may hand to XLA.
    trace_count : int
        How many times the graph's python function was traced.
    compile_count : int
        How many traces went on to be compiled (one per signature and donation set).
    """

    fgraph: FunctionGraph
    call: Callable[..., tuple]
    source: str | None
    static_argnums: tuple[int, ...]
    donate_argnums: tuple[int, ...]
    trace_count: int
    compile_count: int

    def lower(self, *args: Any) -> Any:
        """The JAX lowering of a call on ``args``; ``TypeError`` when nothing is lowered."""
        ...

    def pure(self) -> Callable[..., tuple]:
        """The jitted function donating nothing; ``TypeError`` when the linker does not jit."""
        ...


class StaticValue:
    """A hashable wrapper of an input's numpy value, passed to ``jax.jit`` as a static argument."""

    __slots__ = ("value", "_key")

    def __init__(self, value: Any):
        self.value = np.asarray(value)
        self._key = (self.value.dtype.str, self.value.shape, self.value.tobytes())

    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticValue) and other._key == self._key

    def __repr__(self) -> str:
        return f"StaticValue({self.value!r})"


def signature(args: Sequence[Any]) -> Hashable:
    """What decides which executable a call runs: shapes, dtypes, weak types and static values."""
    return tuple(
        (a.shape, a.dtype, getattr(a, "weak_type", False)) if hasattr(a, "shape") else a
        for a in args
    )


class _Unusable(Exception):
    """Raised while tracing: only ``usable`` of the donated arguments have an output to reuse."""

    def __init__(self, usable: tuple[int, ...]):
        super().__init__(usable)
        self.usable = usable


class JaxCompiled:
    """A graph's python function under ``jax.jit``, with its donation variants.

    Calls go to one jitted variant donating every argument of
    ``donate_argnums`` until a signature appears for which the donation rule
    says some of them cannot be reused; from then on each signature is routed
    once to the variant donating exactly the usable ones. With nothing static
    and nothing donated, ``call`` is the jitted function itself (no python
    frame in between).

    Parameters
    ----------
    fgraph : FunctionGraph
    py_fn : callable
        ``py_fn(*args) -> tuple(outputs)``, static arguments as :class:`StaticValue`.
    source : str
        ``py_fn``'s python source.
    static_argnums, donate_argnums : tuple of int
    usable : callable, optional
        The donation rule (see :data:`DonationRule`); None: every donation is used.
    device : jax.Device, optional
        Where arguments and results are placed; None leaves it to JAX.
    cache : ExecutableCache, optional
        The compile cache across processes: each signature's executable is
        loaded from it, or compiled and stored (then calls go through one
        python frame that picks the executable by signature).
    constants : sequence of jax.Array, optional
        Values ``py_fn`` takes after the graph's inputs (large constants),
        appended to every call's arguments by this object.
    """

    def __init__(
        self,
        fgraph: FunctionGraph,
        py_fn: Callable[..., tuple],
        source: str,
        static_argnums: tuple[int, ...],
        donate_argnums: tuple[int, ...],
        usable: DonationRule | None = None,
        device: jax.Device | None = None,
        cache: ExecutableCache | None = None,
        constants: Sequence[Any] = (),
    ):
        self.fgraph, self.py_fn, self.source = fgraph, py_fn, source
        self.static_argnums = static_argnums
        self.donate_argnums = tuple(i for i in donate_argnums if i not in static_argnums)
        self.trace_count = 0
        self.compile_count = 0
        self._usable = usable
        # the one place jit options live (later: shardings per argument, an AOT cache)
        self._jit_options: dict[str, Any] = {"static_argnums": static_argnums}
        if device is not None:
            placement = jax.sharding.SingleDeviceSharding(device)
            self._jit_options.update(in_shardings=placement, out_shardings=placement)
        self._variants: dict[tuple[int, ...], Callable[..., tuple]] = {}
        self._full = self._variant(self.donate_argnums)
        self._routes: dict[Hashable, Callable[..., tuple]] | None = None  # set by the first miss
        self._cache = cache
        self._executables: dict[Hashable, Callable[..., tuple]] = {}
        n_args = len(fgraph.inputs) + len(constants)
        self._dynamic = tuple(i for i in range(n_args) if i not in static_argnums)
        if cache is not None:
            self.call = self._call_cached
        elif self.donate_argnums:
            self.call = self._call_routed
        elif static_argnums:
            self.call = self._call_static
        else:
            self.call = self._full
        self._constants = tuple(constants)
        if constants:
            call = self.call
            self.call = lambda *args: call(*args, *self._constants)

    def _variant(self, donate: tuple[int, ...]) -> Callable[..., tuple]:
        jitted = self._variants.get(donate)
        if jitted is None:
            py_fn, usable = self.py_fn, self._usable

            def traced(*args: Any) -> tuple:
                self.trace_count += 1  # runs only while JAX traces
                outputs = py_fn(*args)
                if usable is not None and donate:
                    kept = usable(args, outputs, donate)
                    if kept != donate:
                        raise _Unusable(kept)  # before lowering: JAX caches and warns nothing
                self.compile_count += 1
                return outputs

            jitted = jax.jit(traced, donate_argnums=donate, **self._jit_options)
            self._variants[donate] = jitted
        return jitted

    def _wrap_static(self, args: Sequence[Any]) -> list[Any]:
        args = list(args)
        for i in self.static_argnums:
            args[i] = StaticValue(args[i])
        return args

    def _call_static(self, *args: Any) -> tuple:
        return self._full(*self._wrap_static(args))

    def _call_routed(self, *args: Any) -> tuple:
        if self.static_argnums:
            args = self._wrap_static(args)
        routes = self._routes
        if routes is None:  # every signature so far could use every donation
            try:
                return self._full(*args)
            except _Unusable as miss:  # raised while tracing: nothing ran, no buffer was consumed
                routes = self._routes = {}
                jitted = routes[signature(args)] = self._variant(miss.usable)
                return jitted(*args)
        key = signature(args)
        jitted = routes.get(key)
        if jitted is None:
            try:
                outputs = self._full(*args)
                routes[key] = self._full
                return outputs
            except _Unusable as miss:
                jitted = routes[key] = self._variant(miss.usable)
        return jitted(*args)

    def _call_cached(self, *args: Any) -> tuple:
        if self.static_argnums:
            args = self._wrap_static(args)
        key = signature(args)
        executable = self._executables.get(key)
        if executable is None:
            executable = self._cache.load(key)
            if executable is None:
                executable = self._lower(args).compile()
                self._cache.store(key, executable)
            self._executables[key] = executable
        if self.static_argnums:  # an executable takes the dynamic arguments only
            args = [args[i] for i in self._dynamic]
        return executable(*args)

    def lower(self, *args: Any) -> Any:
        """The lowering of the variant a call on ``args`` runs."""
        return self._lower(self._wrap_static([*args, *self._constants]))

    def _lower(self, args: Sequence[Any]) -> Any:
        try:
            return self._full.lower(*args)
        except _Unusable as miss:
            return self._variant(miss.usable).lower(*args)

    def pure(self) -> Callable[..., tuple]:
        """The jitted function donating nothing: safe under ``jax.vmap``, ``grad`` and ``jit``."""
        jitted = self._variant(())
        if not self.static_argnums and not self._constants:
            return jitted

        def with_static(*args: Any) -> tuple:
            return jitted(*self._wrap_static([*args, *self._constants]))

        return with_static
