"""``ProfileStats``: where a compiled function's time goes.

``function(..., profile=True)`` (or a :class:`ProfileStats` to share between
functions) records the compile time split into graph rebuild, rewrites,
tracing, lowering to MLIR and XLA compilation, and the number and duration of
calls. Tracing and compilation happen lazily, at the first call of each input
signature; their durations come from JAX's monitoring events and are taken
out of the call time. With ``config.profile = True`` every function is
profiled and a summary of all of them is printed at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import sys
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any

import jax.monitoring

from graph2jax.linker import compile_cache

#: JAX's duration events (jax/_src/dispatch.py) and the ProfileStats field each one adds to
_EVENTS = {
    "/jax/core/compile/jaxpr_trace_duration": "trace_time",
    "/jax/core/compile/jaxpr_to_mlir_module_duration": "lowering_time",
    "/jax/core/compile/backend_compile_duration": "xla_compile_time",
    compile_cache.LOAD_EVENT: "cache_load_time",
}
#: the compile cache's events (graph2jax/linker/compile_cache.py) and the counter each one adds to
_COUNTS = {compile_cache.HIT_EVENT: "cache_hits", compile_cache.MISS_EVENT: "cache_misses"}

_active = threading.local()  # the ProfileStats recording in this thread, during a profiled call
_all_profiles: list[ProfileStats] = []
_atexit_registered = False


class ProfileStats:
    """Compile and call timings of one or several functions.

    Attributes
    ----------
    name : str or None
    rebuild_time : float
        Seconds spent rebuilding the user's graph (givens, updates) into the function's graph.
    rewrite_time : float
        Seconds spent in graph rewrites.
    trace_time, lowering_time, xla_compile_time : float
        Seconds JAX spent tracing the linked function, lowering it to MLIR and
        compiling it with XLA.
    cache_hits, cache_misses : int
        Executables loaded from the compile cache across processes
        (``config.compile_cache_dir``), and lookups that found none (or an
        unreadable entry) and compiled.
    cache_load_time : float
        Seconds spent loading executables from that cache.
    call_count : int
    call_time : float
        Seconds spent in calls, compilation and cache loads excluded.
    trace_count, compile_count : int
        How many times the profiled calls traced the graph and compiled an
        executable (one per new call signature: see ``Function.compile_count``).

    PyTensor's names read (and write) the same numbers: ``fct_callcount``
    (``call_count``), ``fct_call_time`` and ``vm_call_time`` (``call_time``: the
    jitted call is the whole "VM"), ``rewriting_time`` and its older name
    ``optimizer_time`` (``rewrite_time``), ``linker_time`` (tracing, lowering
    and XLA compilation: what makes the callable), ``message`` (``name``).

    Parameters
    ----------
    name : str, optional
    atexit_print : bool
        Print the summary when the process exits (PyTensor's default is True;
        here only ``config.profile`` prints at exit unless this is given).
    flag_time_thunks : optional
        PyTensor's per-node timing flag: accepted and ignored (a jitted call
        has no per-node time).
    **kwargs
        Set as attributes, as PyTensor does (``ProfileStats(message="f")``).

    Examples
    --------
    >>> import graph2jax as g, graph2jax.tensor as gt
    >>> x = gt.dscalar("x")
    >>> f = g.function([x], x + 1, profile=True)
    >>> _ = f(1.0); _ = f(2.0)
    >>> f.profile.fct_callcount, f.profile.fct_call_time > 0, f.profile.linker_time >= 0
    (2, True, True)
    """

    def __init__(
        self,
        name: str | None = None,
        atexit_print: bool = False,
        flag_time_thunks: Any = None,
        **kwargs: Any,
    ):
        self.name = kwargs.pop("message", name)
        self.rebuild_time = 0.0
        self.rewrite_time = 0.0
        self.trace_time = 0.0
        self.lowering_time = 0.0
        self.xla_compile_time = 0.0
        self.cache_hits = 0
        self.cache_misses = 0
        self.cache_load_time = 0.0
        self.call_count = 0
        self.call_time = 0.0
        self.trace_count = 0
        self.compile_count = 0
        self.__dict__.update(kwargs)
        if atexit_print:
            _register_for_exit(self)

    fct_callcount = property(
        lambda self: self.call_count,
        lambda self, v: setattr(self, "call_count", v),
        doc="PyTensor's name of ``call_count``.",
    )
    fct_call_time = property(
        lambda self: self.call_time,
        lambda self, v: setattr(self, "call_time", v),
        doc="PyTensor's name of ``call_time``.",
    )
    vm_call_time = property(lambda self: self.call_time, doc="``call_time`` (PyTensor's VM time).")
    rewriting_time = property(
        lambda self: self.rewrite_time,
        lambda self, v: setattr(self, "rewrite_time", v),
        doc="PyTensor's name of ``rewrite_time``.",
    )
    optimizer_time = property(
        lambda self: self.rewrite_time, doc="PyTensor's older name of ``rewrite_time``."
    )
    message = property(
        lambda self: self.name,
        lambda self, v: setattr(self, "name", v),
        doc="PyTensor's name of ``name``.",
    )

    @property
    def linker_time(self) -> float:
        """Seconds spent making the callable: tracing, lowering, XLA compilation and cache loads."""
        return self.trace_time + self.lowering_time + self.xla_compile_time + self.cache_load_time

    @property
    def compile_time(self) -> float:
        """Total seconds spent building and compiling."""
        return self.rebuild_time + self.rewrite_time + self.linker_time

    @property
    def mean_call_time(self) -> float:
        return self.call_time / self.call_count if self.call_count else 0.0

    def record_call(self, seconds: float) -> None:
        self.call_count += 1
        self.call_time += seconds

    def summary(
        self, file: IO[str] | None = None, n_ops_to_print: int = 20, n_apply_to_print: int = 20
    ) -> None:
        """Print a table of the timings (to stdout by default).

        ``n_ops_to_print`` and ``n_apply_to_print`` are PyTensor's, accepted and
        ignored: a jitted call has no per-op or per-node time to list.
        """
        rows = [
            ("graph rebuild", self.rebuild_time),
            ("rewrites", self.rewrite_time),
            ("tracing", self.trace_time),
            ("lowering to MLIR", self.lowering_time),
            ("XLA compilation", self.xla_compile_time),
            ("compile cache loads", self.cache_load_time),
            ("compile total", self.compile_time),
            ("calls total", self.call_time),
            ("call mean", self.mean_call_time),
        ]
        lines = [
            f"Function profile: {self.name or '<unnamed>'}",
            f"  calls: {self.call_count}",
            f"  compilations: {self.compile_count} (traces: {self.trace_count})",
            f"  compile cache: {self.cache_hits} hits, {self.cache_misses} misses",
        ]
        lines += [f"  {label:<18} {seconds * 1e3:12.3f} ms" for label, seconds in rows]
        print("\n".join(lines), file=file or sys.stdout)

    def __repr__(self) -> str:
        return (
            f"<ProfileStats {self.name!r}: {self.call_count} calls, "
            f"compile {self.compile_time:.4f}s, calls {self.call_time:.4f}s>"
        )


def _on_duration(event: str, duration: float, **_: Any) -> None:
    profile = getattr(_active, "profile", None)
    field = _EVENTS.get(event)
    if profile is not None and field is not None:
        setattr(profile, field, getattr(profile, field) + duration)
        _active.compile_seconds += duration


def _on_event(event: str, **_: Any) -> None:
    profile = getattr(_active, "profile", None)
    field = _COUNTS.get(event)
    if profile is not None and field is not None:
        setattr(profile, field, getattr(profile, field) + 1)


jax.monitoring.register_event_duration_secs_listener(_on_duration)
jax.monitoring.register_event_listener(_on_event)


@contextlib.contextmanager
def recording(profile: ProfileStats) -> Iterator[Callable[[], float]]:
    """Attribute JAX's compile events in this thread to ``profile``.

    Yields a callable returning the compile seconds seen so far in the block.
    """
    outer = getattr(_active, "profile", None), getattr(_active, "compile_seconds", 0.0)
    _active.profile, _active.compile_seconds = profile, 0.0
    try:
        yield lambda: _active.compile_seconds
    finally:
        _active.profile, _active.compile_seconds = outer


def as_profile(profile: Any, name: str | None) -> ProfileStats | None:
    """``function``'s ``profile`` argument as a ProfileStats (or None: not profiled)."""
    if isinstance(profile, ProfileStats):
        return profile
    if profile is False:
        return None
    if profile is None:
        from graph2jax.config import config

        if not config.profile:
            return None
        stats = ProfileStats(name=name)
        _register_for_exit(stats)
        return stats
    if profile is True:
        return ProfileStats(name=name)
    raise TypeError(f"profile must be None, a bool or a ProfileStats, got {profile!r}")


def _register_for_exit(stats: ProfileStats) -> None:
    global _atexit_registered
    _all_profiles.append(stats)
    if not _atexit_registered:
        atexit.register(print_all_summaries)
        _atexit_registered = True


def print_all_summaries(file: IO[str] | None = None) -> None:
    """Print the summary of every function profiled because of ``config.profile``."""
    for stats in _all_profiles:
        stats.summary(file)
