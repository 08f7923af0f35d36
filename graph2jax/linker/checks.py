"""Run-time checks: an out-of-range index raises ``IndexError``, as in numpy.

A jitted program cannot raise. While a function is traced, an op's JAX
implementation reports each index known only at run time with
:func:`require_in_range`, and any other condition numpy would raise for with
:func:`require` (a scan asked for more steps than its sequences hold, the
maximum of an empty masked selection); the compiled object and-s every such report into
one extra boolean result, and every updated value ``new`` of an argument
``old`` becomes ``where(ok, new, old)`` (XLA fuses the select into the
update's computation), except a scatter's result whose written values are
already gated by every flag (:func:`gate`): its in-place write stays in place. After the call, a false flag raises
:class:`CheckFailed` before the shell writes anything back: the
exception carries the call's results with each update equal to its old value,
so a donated buffer is replaced by an equal one and the failed call changes
nothing. Only then, on the error path, is the graph evaluated again with
numpy, whose error (``IndexError`` naming the node, the index and the axis
length; ``ValueError``) is the one the user sees.

An integer index that is itself an argument of the call, into a tensor that
is an argument too (``v[i]``, ``set_subtensor(v[i], y)`` with ``v`` and ``i``
inputs or shared values), needs no flag: :class:`HostChecks` compares it
with the argument's length on the host before the call is dispatched (the
op's ``host_indices``), and a function whose every index is of that kind
returns no flag at all.

Bodies of inner graphs (a ``scan`` or ``until`` step, an ``ifelse`` branch, a
vectorized core) are traced inside ``lax.scan``, ``lax.while_loop``,
``lax.cond`` or ``jax.vmap``, where a flag cannot be appended to the outer
reports (it would leak a tracer). Such a body is traced with
:func:`reporting`: its reports are collected apart and and-ed into one flag
the body returns with its outputs; the op carries it out of the
transformation (and-ed over the steps run, returned by the branch taken,
reduced over the batch) and reports it with :func:`require`, so the outer
machinery above does the rest. A body that reports nothing returns no flag:
nothing extra is traced.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

import jax
import jax.numpy as jnp

from graph2jax.graph.basic import Apply, Constant
from graph2jax.graph.fg import FunctionGraph
from graph2jax.linker.numpy_linker import link_numpy
from graph2jax.linker.ragged import plain


class Reports:
    """What the ops report while the outer graph is traced.

    Attributes
    ----------
    flags : list
        The "in range" booleans, in the order the nodes were traced.
    gated : dict
        ``id(result) -> n``: a scatter's result that already equals its input
        unless the first ``n`` flags all hold (:func:`gate`).
    on_host : frozenset of int
        ``id(node)`` of the nodes whose indices the caller checks before the
        call (:class:`HostChecks`): they report nothing.
    """

    def __init__(self, on_host: frozenset[int] = frozenset()) -> None:
        self.flags: list[Any] = []
        self.gated: dict[int, int] = {}
        self.on_host = on_host

    def ok(self, n: int | None = None) -> Any:
        """Whether the first ``n`` flags (all when None) hold, traced."""
        flags = self.flags if n is None else self.flags[:n]
        return jnp.all(jnp.stack(flags)) if flags else jnp.asarray(True)


#: the reports of the outer graph being traced; None: not checking
_reports: ContextVar[Reports | None] = ContextVar("graph2jax_index_checks", default=None)


class CheckFailed(Exception):
    """A run-time check failed: an index out of range, or a value numpy refuses.

    Attributes
    ----------
    error : IndexError or ValueError
        What the user sees (the shell raises it): numpy's error for the call.
    results : tuple
        The call's results with every update equal to the value it had before
        the call: what the shell writes back, so that nothing changes.
    """

    def __init__(self, error: Exception, results: tuple):
        super().__init__(str(error))
        self.error, self.results = error, results


def checking(node: Apply | None = None) -> bool:
    """Whether the graph being traced checks its run-time indices (``node``'s, when given:
    not when the caller checks them on the host)."""
    reports = _reports.get()
    return reports is not None and (node is None or id(node) not in reports.on_host)


def require(condition: Any) -> None:
    """Report, while tracing, that the boolean ``condition`` (traced) must hold; None (a
    body's flag when it reported nothing, see :func:`reporting`) requires nothing."""
    reports = _reports.get()
    if reports is not None and condition is not None:
        reports.flags.append(jnp.all(condition))


def require_in_range(index: Any, length: int) -> None:
    """Report, while tracing, that ``index`` (any shape) must lie in ``[-length, length)``."""
    if checking():
        index = jnp.asarray(index)
        require((index >= -length) & (index < length))


def gate(update: Any, unchanged: Any) -> Any:
    """While tracing a scatter: ``update`` while every index so far is in range, else
    ``unchanged`` (the values that leave the target as it was: zeros to add, its old entries
    to set). The scatter's result is then marked with :func:`mark_gated`, so the update it
    makes needs no ``where`` over the whole buffer (which would cost XLA its in-place write)."""
    reports = _reports.get()
    if reports is None or not reports.flags:
        return update
    return jnp.where(reports.ok(), update, unchanged)


def mark_gated(result: Any) -> Any:
    """Record that ``result`` (a scatter's, after :func:`gate`) equals its input unless all so far holds."""
    reports = _reports.get()
    if reports is not None and reports.flags:
        reports.gated[id(result)] = len(reports.flags)
    return result


@contextlib.contextmanager
def collecting(on_host: frozenset[int] = frozenset()) -> Iterator[Reports]:
    """Collect the reports of the graph traced in the block (but those of ``on_host``'s nodes)."""
    token = _reports.set(Reports(on_host))
    try:
        yield _reports.get()
    finally:
        _reports.reset(token)


def reporting(fn: Callable[..., Any]) -> Callable[..., tuple[Any, Any]]:
    """``fn``, a body traced inside a JAX transformation, returning its own reports' flag too.

    Parameters
    ----------
    fn : callable
        The body (a scan step, an ifelse branch, a vectorized core).

    Returns
    -------
    callable
        ``(*args) -> (result, ok)``: while the outer graph is checked
        (:func:`checking`), the reports made while ``fn`` is traced are
        collected apart and ``ok`` is their traced "all hold", which the
        caller carries out of the transformation and passes to
        :func:`require`; ``ok`` is None when the outer graph is not checked
        or ``fn`` reported nothing.

    Examples
    --------
    >>> import jax, jax.numpy as jnp
    >>> def row(v, i):
    ...     require_in_range(i, 3)
    ...     return v[i]
    >>> with collecting() as reports:
    ...     values, ok = jax.vmap(reporting(row), (None, 0))(jnp.arange(3.0), jnp.array([0, 5]))
    ...     require(ok)
    >>> bool(reports.ok())
    False
    """

    def run(*args: Any) -> tuple[Any, Any]:
        if not checking():
            return fn(*args), None
        with collecting() as reports:
            result = fn(*args)
        return result, (reports.ok() if reports.flags else None)

    return run


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """No reports from the block: a body linked unchecked (a jacobian's backward pass, whose
    indices are those of the forward pass, checked in the outer graph)."""
    token = _reports.set(None)
    try:
        yield
    finally:
        _reports.reset(token)


def guard(
    outputs: Sequence[Any], reports: Reports, args: Sequence[Any], updated: Mapping[int, int]
) -> tuple:
    """While tracing: the outputs, each update kept at its old value unless all is in range, and the flag.

    ``updated`` maps an argument position to the output position of its new value.
    A scatter gated by every flag already keeps its target; another update
    becomes ``where(ok, new, old)``, which XLA fuses into its computation.
    """
    ok = reports.ok()
    outputs = list(outputs)
    for i, o in updated.items():
        old, new = args[i], outputs[o]
        if reports.gated.get(id(new)) == len(reports.flags):
            continue
        if getattr(old, "shape", None) == getattr(new, "shape", ()) and old.dtype == new.dtype:
            outputs[o] = jnp.where(ok, new, old)
    return (*outputs, ok)


def failure(
    fgraph: FunctionGraph, args: Sequence[Any], results: Sequence[Any], updated: Mapping[int, int]
) -> CheckFailed:
    """The error of a call whose flag was false: numpy's, naming the node, the index and the length.

    The arguments are rebuilt (a donated buffer is gone: its restored update
    stands for it) and the graph is evaluated with numpy, which raises the
    ``IndexError`` or ``ValueError`` of the call.
    """
    results = list(results)
    # a second stage's staged values come last; a bounded length is its value
    args = [plain(a) for a in args[: len(fgraph.inputs)]]
    for i, o in updated.items():
        deleted = getattr(args[i], "is_deleted", None)
        if deleted is not None and deleted():
            args[i] = results[o]  # equal to the old value: the guard restored it
        else:
            results[o] = args[i]  # not donated: the old buffer itself is written back
    return CheckFailed(numpy_error(fgraph, args), tuple(results))


def numpy_error(fgraph: FunctionGraph, args: Sequence[Any]) -> Exception:
    """The error numpy raises evaluating ``fgraph`` on ``args`` (a failed check's call): its
    ``IndexError`` names the node, the index and the axis length."""
    try:
        link_numpy(fgraph)(*args)
    except (IndexError, ValueError) as err:
        notes = "; ".join(getattr(err, "__notes__", []))
        return type(err)(f"{err} ({notes})" if notes else str(err))
    return IndexError("an index known only at run time is out of range")


class HostChecks:
    """The indices that are arguments of the call, checked on the host before it is dispatched.

    A node qualifies when its op declares ``host_indices`` and each of its
    integer indices is either a constant or an argument (a scalar input of
    the graph), indexing an axis whose length is static or read from an
    argument's shape. No flag is computed or read for them: the check is a
    few integer comparisons, and a failure raises numpy's error before
    anything runs or is donated.

    Parameters
    ----------
    fgraph : FunctionGraph
        The graph whose arguments the checks read.
    """

    def __init__(self, fgraph: FunctionGraph):
        self.fgraph = fgraph
        position = {id(v): k for k, v in enumerate(fgraph.inputs)}
        # (argument of the index, argument of the indexed tensor or None, axis, static length)
        self._entries: list[tuple[int, int | None, int, int | None]] = []
        nodes = []
        for node in fgraph.apply_nodes:
            entries = _host_entries(node, position)
            if entries is not None:
                nodes.append(node)
                self._entries.extend(entries)
        self.nodes = frozenset(map(id, nodes))

    def check(self, args: Sequence[Any]) -> None:
        """Raise numpy's ``IndexError`` if an index among ``args`` is out of range."""
        for p, q, axis, static in self._entries:
            n = static if q is None else args[q].shape[axis]
            try:
                i = operator.index(args[p])
            except TypeError:
                if isinstance(args[p], jax.core.Tracer):
                    continue  # called under a JAX transformation: JAX's behaviour, as pure()
                i = operator.index(plain(args[p]))
            if not -n <= i < n:
                raise numpy_error(self.fgraph, [plain(a) for a in args[: len(self.fgraph.inputs)]])

    def wrap(self, call: Callable[..., Any]) -> Callable[..., Any]:
        """``call`` preceded by the checks."""

        def checked(*args: Any) -> Any:
            self.check(args)
            return call(*args)

        return checked


def _host_entries(
    node: Apply, position: Mapping[int, int]
) -> list[tuple[int, int | None, int, int | None]] | None:
    """``node``'s entries of :class:`HostChecks`, or None when it checks its indices while running."""
    indices = node.op.host_indices if node.op.checks_indices else None
    if indices is None:
        return None
    x = node.inputs[0]
    entries = []
    for k, axis in indices:
        index = node.inputs[k]
        if isinstance(index, Constant):
            continue  # checked when the graph was built
        static = x.type.shape[axis]
        if id(index) not in position or index.type.ndim != 0:
            return None
        if static is None and id(x) not in position:
            return None
        entries.append(
            (position[id(index)], None if static is not None else position[id(x)], axis, static)
        )
    return entries
