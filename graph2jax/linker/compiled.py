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

import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import jax
import numpy as np

from graph2jax.config import config
from graph2jax.graph.fg import FunctionGraph
from graph2jax.linker import checks
from graph2jax.linker.compile_cache import ExecutableCache
from graph2jax.linker.ragged import BoundedInt, Ragged, RaggedColumns, capacity_for

#: ``usable(args, outputs, donated) -> the donated indices XLA can alias to an output``
DonationRule = Callable[[Sequence[Any], Sequence[Any], tuple[int, ...]], tuple[int, ...]]
#: ``(in_shardings, out_shardings)``: a ``jax.sharding.Sharding`` (or None) per argument and result
Shardings = tuple[Sequence[Any], Sequence[Any]]


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
    single : callable or None
        ``single(*values) -> output``: the graph's one output itself, not in a
        tuple, by the fastest route (a ``jax.jit`` object, nothing around it
        but the host-side index checks); None when the graph has no such route.
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
    single: Callable[..., Any] | None
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

    def export(
        self,
        wrap: Callable[[Callable[..., tuple]], Callable],
        *specs: Any,
        platforms: Sequence[str] | None = None,
    ) -> Any:
        """``jax.export`` of ``wrap(py_fn)`` on abstract arguments; ``TypeError`` without JAX."""
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
    return tuple(_signature_entry(a) for a in args)


def _signature_entry(a: Any) -> Hashable:
    """One argument's part of a signature; also what a trace records (``a`` may be a tracer)."""
    if isinstance(a, BoundedInt):
        return ("capacity", a.capacity)
    if hasattr(a, "shape"):
        weak = getattr(a, "weak_type", None)
        if weak is None:  # a tracer keeps it on its abstract value
            weak = getattr(getattr(a, "aval", None), "weak_type", False)
        return (tuple(a.shape), str(a.dtype), bool(weak))
    return a


class RecompileWarning(UserWarning):
    """A function compiled once more after ``config.recompile_warning_limit`` compilations.

    Each compilation follows a call whose signature is new: an input of a new
    shape or dtype, a new value of an input that decides shapes (a static
    input: ``arange(n)``'s ``n``, a boolean mask), a new capacity of a
    symbolic loop length. The message names the inputs that changed since
    the previous compilation and what they changed from and to. Fix the
    shapes (pad a batch), or raise the limit (0 never warns).
    """


def _describe_entry(entry: Hashable) -> str:
    if isinstance(entry, StaticValue):
        return f"value {entry.value.tolist()!r}"
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == "capacity":
        return f"length capacity {entry[1]}"
    if isinstance(entry, tuple) and len(entry) == 3:
        return f"shape {entry[0]} dtype {entry[1]}" + (" (weak)" if entry[2] else "")
    return repr(entry)


class CompileLog:
    """The signatures one compiled callable was compiled for, and the recompile warning.

    Parameters
    ----------
    fgraph : FunctionGraph
        Names the arguments (its inputs, in call order).
    """

    def __init__(self, fgraph: FunctionGraph):
        self.fgraph = fgraph
        self.signatures: list[tuple] = []

    def record(self, args: Sequence[Any]) -> None:
        """Record a compilation for ``args`` (called while tracing); warn past the limit."""
        key = tuple(_signature_entry(a) for a in args)
        previous = self.signatures[-1] if self.signatures else None
        self.signatures.append(key)
        limit = config.recompile_warning_limit
        if not limit or len(self.signatures) <= limit or previous is None:
            return
        changed = [
            f"{self._describe_argument(i)}: {_describe_entry(old)} -> {_describe_entry(new)}"
            for i, (old, new) in enumerate(zip(previous, key, strict=True))
            if old != new
        ]
        warnings.warn(
            f"this function has been compiled {len(self.signatures)} times (more than "
            f"config.recompile_warning_limit={limit}); the inputs that changed since the "
            f"previous compilation: {'; '.join(changed) or 'none (a donation variant)'}",
            RecompileWarning,
            stacklevel=2,
        )

    def _describe_argument(self, i: int) -> str:
        inputs = self.fgraph.inputs
        if i < len(inputs):
            return inputs[i].describe()
        # a staged second stage's trailing arguments (graph2jax.linker.staging)
        return f"shape-deciding value #{i - len(inputs)} computed in the graph"


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
    shardings : (in_shardings, out_shardings), optional
        One ``jax.sharding.Sharding`` (or None: unspecified) per argument,
        static ones included, and per result (the compile layer's placement
        plan); None leaves placement to JAX.
    checked : bool
        Whether the run-time index checks of the graph are on
        (:mod:`graph2jax.linker.checks`): the jitted function returns one more
        result, the flag, which ``call`` reads before returning.
    updated : mapping of int to int, optional
        Argument position → position of the output holding its new value (the
        updates a failed check restores).
    cache : ExecutableCache, optional
        The compile cache across processes: each signature's executable is
        loaded from it, or compiled and stored (then calls go through one
        python frame that picks the executable by signature).
    constants : sequence of jax.Array, optional
        Values ``py_fn`` takes after the graph's inputs (large constants),
        appended to every call's arguments by this object.
    host_checks : HostChecks, optional
        The indices checked on the host before each call (their nodes report
        nothing while traced; ``checked`` says whether others remain).
    """

    def __init__(
        self,
        fgraph: FunctionGraph,
        py_fn: Callable[..., tuple],
        source: str,
        static_argnums: tuple[int, ...],
        donate_argnums: tuple[int, ...],
        usable: DonationRule | None = None,
        shardings: Shardings | None = None,
        checked: bool = False,
        updated: Mapping[int, int] | None = None,
        cache: ExecutableCache | None = None,
        constants: Sequence[Any] = (),
        host_checks: checks.HostChecks | None = None,
    ):
        self.fgraph, self.py_fn, self.source = fgraph, py_fn, source
        self._on_host = frozenset() if host_checks is None else host_checks.nodes
        self.checked, self._updated = checked, dict(updated or {})
        self.static_argnums = static_argnums
        self.donate_argnums = tuple(i for i in donate_argnums if i not in static_argnums)
        self.trace_count = 0
        self.log = CompileLog(fgraph)
        self._usable = usable
        # the one place jit options live (later: an AOT cache)
        self._jit_options: dict[str, Any] = {"static_argnums": static_argnums}
        if shardings is not None:
            in_shardings, out_shardings = shardings
            self._jit_options.update(
                # jax.jit matches in_shardings to the arguments that are not static
                in_shardings=tuple(s for i, s in enumerate(in_shardings) if i not in static_argnums)
                + (None,) * len(constants),
                # the index checks' flag is one more result, placed by JAX
                out_shardings=tuple(out_shardings) + ((None,) if checked else ()),
            )
        self._variants: dict[tuple[tuple[int, ...], bool], Callable[..., Any]] = {}
        self._full = self._variant(self.donate_argnums)
        self._routes: dict[Hashable, Callable[..., tuple]] | None = None  # set by the first miss
        self._cache = cache
        self._executables: dict[Hashable, Callable[..., tuple]] = {}
        if cache is not None:
            self._call = self._call_cached
        elif self.donate_argnums:
            self._call = self._call_routed
        elif static_argnums:
            self._call = self._call_static
        else:
            self._call = self._full
        self._constants = tuple(constants)
        if constants:
            call = self._call
            self._call = lambda *args: call(*args, *self._constants)
        self.call = self._call_checked if checked else self._call
        #: the jitted function returning the one output itself when a call needs nothing around
        #: it (nothing static, donated, hoisted, checked, cached or placed by a plan): the shell's
        #: fastest entry; ``call`` then wraps its result in a tuple. None otherwise.
        self.single: Callable[..., Any] | None = None
        if self.call is self._full and len(fgraph.outputs) == 1 and shardings is None:
            single = self.single = self._variant((), single=True)
            self.call = lambda *args: (single(*args),)
        if host_checks is not None:
            self.call = host_checks.wrap(self.call)
            if self.single is not None:
                self.single = host_checks.wrap(self.single)

    def _variant(self, donate: tuple[int, ...], single: bool = False) -> Callable[..., tuple]:
        jitted = self._variants.get((donate, single))
        if jitted is None:
            py_fn, usable, checked, updated = self.py_fn, self._usable, self.checked, self._updated
            on_host = self._on_host

            def traced(*args: Any) -> tuple:
                self.trace_count += 1  # runs only while JAX traces
                if checked:
                    with checks.collecting(on_host) as reports:
                        outputs = py_fn(*args)
                    outputs = checks.guard(outputs, reports, args, updated)
                else:
                    outputs = py_fn(*args)
                if usable is not None and donate:
                    kept = usable(args, outputs, donate)
                    if kept != donate:
                        raise _Unusable(kept)  # before lowering: JAX caches and warns nothing
                self.log.record(args)
                return outputs[0] if single else outputs

            jitted = jax.jit(traced, donate_argnums=donate, **self._jit_options)
            self._variants[donate, single] = jitted
        return jitted

    @property
    def compile_count(self) -> int:
        """How many traces went on to be compiled (one per signature and donation set)."""
        return len(self.log.signatures)

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

    def _call_checked(self, *args: Any) -> tuple:
        results = self._call(*args)
        # np.asarray reads the flag's host copy (bool() would take JAX's slower scalar path)
        if not np.asarray(results[-1]):  # before the shell writes anything back
            raise checks.failure(self.fgraph, args, results[:-1], self._updated)
        return results[:-1]

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
            args = [a for i, a in enumerate(args) if i not in self.static_argnums]
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
        """The jitted function donating nothing: safe under ``jax.vmap``, ``grad`` and ``jit``.

        Its results are the graph's outputs only: under a transformation an
        index check cannot raise, so its flag is dropped (JAX's behaviour).
        """
        jitted = self._variant(())
        if not self.static_argnums and not self.checked and not self._constants:
            return jitted
        n_out = len(self.fgraph.outputs)

        def with_static(*args: Any) -> tuple:
            return jitted(*self._wrap_static([*args, *self._constants]))[:n_out]

        return with_static

    def export(
        self,
        wrap: Callable[[Callable[..., tuple]], Callable],
        *specs: Any,
        platforms: Sequence[str] | None = None,
    ) -> Any:
        """A ``jax.export.Exported`` of ``wrap(py_fn)`` jitted (nothing donated) on ``specs``.

        ``wrap`` adapts the graph's python function (static arguments as
        :class:`StaticValue`) to the exported signature; ``specs`` are
        ``jax.ShapeDtypeStruct`` pytrees, symbolic dimensions allowed;
        ``platforms`` (``"cpu"``, ``"cuda"``, ``"tpu"``...) are those it is
        lowered for, the default backend's when None.
        """
        py_fn, constants = self.py_fn, self._constants
        if constants:  # the large constants become constants of the exported program

            def py_fn(*args: Any) -> tuple:
                return self.py_fn(*args, *constants)

        return jax.export.export(jax.jit(wrap(py_fn)), platforms=platforms)(*specs)


class BucketedCompiled:
    """A compiled callable computing values of run-time length in buffers of a capacity.

    The integer scalar inputs at ``lengths`` (a symbolic scan length) reach
    the traced function as :class:`~graph2jax.linker.ragged.BoundedInt` of
    capacity :func:`~graph2jax.linker.ragged.capacity_for` their value, so
    ``bucketed`` compiles once per capacity; a computed boolean mask is
    bounded by its size (``bucketed`` was linked with it as a
    :class:`~graph2jax.linker.ragged.BoundedMask`), so it compiles once per
    input shape. Its ragged results are cut to their length here, after the
    call. When tracing ``bucketed`` fails (a node takes no ragged value), the
    calls go from then on to ``make_static()``, and the failure is kept in
    ``fallback_reason``.

    Parameters
    ----------
    bucketed : JaxCompiled
    lengths : tuple of int
    make_static : callable
        Builds, once, when first needed, the fallback: the same graph with the
        length inputs static (one compilation per value), or, for masks, a
        :class:`~graph2jax.linker.staging.StagedCompiled` (one per count).
    """

    single = None  #: no single-output route (see Compiled)

    def __init__(
        self,
        bucketed: JaxCompiled,
        lengths: tuple[int, ...],
        make_static: Callable[[], Compiled],
    ):
        self.fgraph = bucketed.fgraph
        self.bucketed, self.lengths = bucketed, lengths
        self._make_static = make_static
        self._static: Compiled | None = None
        self.static: Compiled | None = None  # set when the calls have fallen back to it
        self.fallback_reason: Exception | None = None
        self.donate_argnums = bucketed.donate_argnums

    @property
    def source(self) -> str:
        return self.bucketed.source

    @property
    def static_argnums(self) -> tuple[int, ...]:
        return (self.static or self.bucketed).static_argnums

    @property
    def trace_count(self) -> int:
        return self.bucketed.trace_count + (self.static.trace_count if self.static else 0)

    @property
    def compile_count(self) -> int:
        return self.bucketed.compile_count + (self.static.compile_count if self.static else 0)

    @property
    def log(self) -> CompileLog:
        return self.static.log if isinstance(self.static, JaxCompiled) else self.bucketed.log

    def _bounded(self, args: Sequence[Any]) -> list[Any]:
        args = list(args)
        for i in self.lengths:
            args[i] = BoundedInt(args[i], capacity_for(int(args[i])))
        return args

    def call(self, *args: Any) -> tuple:
        if self.static is not None:
            return self.static.call(*args)
        traces = self.bucketed.trace_count
        try:
            outputs = self.bucketed.call(*self._bounded(args))
        except checks.CheckFailed:  # ran: the user's error, as the fallback would give it
            raise
        except Exception as err:
            if self.bucketed.trace_count == traces:  # failed while running, not tracing
                raise
            static = self._static_form()
            outputs = static.call(*args)  # the same error again is the user's to see
            self.static, self.fallback_reason = static, err
            return outputs
        return tuple(o.to_host() if isinstance(o, Ragged | RaggedColumns) else o for o in outputs)

    def lower(self, *args: Any) -> Any:
        """The lowering of the program a call on ``args`` runs."""
        if self.static is not None:
            return self.static.lower(*args)
        return self.bucketed.lower(*self._bounded(args))

    def pure(self) -> Callable[..., tuple]:
        """The static form's jitted function donating nothing (exact shapes)."""
        return self._static_form().pure()

    def export(
        self,
        wrap: Callable[[Callable[..., tuple]], Callable],
        *specs: Any,
        platforms: Sequence[str] | None = None,
    ) -> Any:
        """The static form's export (see :meth:`JaxCompiled.export`)."""
        return self._static_form().export(wrap, *specs, platforms=platforms)

    def _static_form(self) -> Compiled:
        if self._static is None:
            self._static = self._make_static()
        return self._static
