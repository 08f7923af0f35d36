"""The :class:`Scan` op: a loop over a body graph, as ``jax.lax.scan`` or a numpy loop.

The op sees a loop already put in a simple form by :func:`graph2jax.scan.scan`:
each sequence is read one row per step (taps became shifted slices outside
the op), each recurrent state is a window of its last ``lag`` values (its
taps index the window), the non-sequences are passed unchanged. The node's
inputs are ``(n_steps, *sequences, *state_windows, *non_sequences)``; its
outputs are the trace of each state (the ``n_steps`` new values, not the
initial window; only the final value for the last ``n_untraced`` states, which
read their previous value only) followed by the trace of each output that is
not fed back.

A loop whose length is known only while running (a symbolic ``n_steps``;
an ``until`` condition, ``as_while``, which stops after the first step whose
condition is true) is a ``lax.while_loop`` writing its traces into buffers of
a capacity known while tracing: the bound of ``n_steps`` (a
:class:`~graph2jax.linker.ragged.BoundedInt`, the next power of two of its
value) or the sequences' length. Its traces are
:class:`~graph2jax.linker.ragged.Ragged` values (see :mod:`graph2jax.ops.ragged`
for the ops that consume them). When the function must be compiled with
those inputs static instead, ``n_steps`` is known while tracing (one
``lax.scan`` per value) and an ``until`` loop whose inputs are all known
then runs with its numpy reference while tracing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.fg import FunctionGraph
from graph2jax.linker import checks, jax_linker, numpy_linker
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.linker.ragged import (
    BoundedInt,
    Ragged,
    RaggedUnsupported,
    ragged_funcify,
    ragged_sources,
)
from graph2jax.ops import ragged as _ragged_rules  # noqa: F401  (registers the rules)
from graph2jax.ops.creation import _int_scalar, _static_length
from graph2jax.ops.scan.grad import scan_gradients
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType


class Scan(Op):
    """Run ``fgraph`` ``n_steps`` times, feeding each state's new value back.

    Parameters
    ----------
    fgraph : FunctionGraph
        The step. Inputs: one row of each sequence, then the tapped values
        of each state (``state_taps[j]`` of them), then the non-sequences.
        Outputs: each state's new value, then each output not fed back, then
        (``as_while``) the boolean stop condition.
    n_seqs, n_nit_sot : int
        How many sequences and outputs not fed back.
    state_taps : tuple of tuple of int
        For each recurrent state, its negative taps (``(-1,)`` for a state
        that reads its previous value).
    as_while : bool
        The step's last output is an ``until`` condition.
    truncate_gradient : int
        How many steps the gradient goes back through (-1: all).
    n_untraced : int
        The last ``n_untraced`` states (tap -1 only) give their final value, not
        their trace (a gradient's sums, which would otherwise store every step).
    name : str or None
        Shown when the node is printed.
    """

    __props__ = (
        "n_seqs",
        "state_taps",
        "n_nit_sot",
        "as_while",
        "truncate_gradient",
        "n_untraced",
        "name",
    )

    def __init__(
        self,
        fgraph: FunctionGraph,
        n_seqs: int,
        state_taps: Sequence[Sequence[int]],
        n_nit_sot: int,
        as_while: bool = False,
        truncate_gradient: int = -1,
        name: str | None = None,
        n_untraced: int = 0,
    ):
        self.fgraph = fgraph
        self.n_seqs = n_seqs
        self.state_taps = tuple(tuple(int(t) for t in taps) for taps in state_taps)
        self.n_nit_sot = n_nit_sot
        self.as_while = as_while
        self.truncate_gradient = truncate_gradient
        self.name = name
        self.n_untraced = n_untraced
        self.n_traced_states = len(self.state_taps) - n_untraced
        if any(taps != (-1,) for taps in self.state_taps[self.n_traced_states :]):
            raise ValueError("Scan: an untraced state must read only its previous value (tap -1)")
        self.lags = tuple(-min(taps) for taps in self.state_taps)
        self.n_tap_inputs = sum(len(taps) for taps in self.state_taps)
        # a state that is not a tensor (a random generator) is carried as its value, untraced
        self.opaque = tuple(not isinstance(v.type, TensorType) for v in self._first_tap_inputs())
        if any(self.opaque[: self.n_traced_states]):
            raise ValueError("Scan: a state that is not a tensor must be untraced")
        self.n_non_seqs = len(fgraph.inputs) - n_seqs - self.n_tap_inputs
        if as_while:
            # compiled statically, an until loop runs while tracing: all its inputs known then
            self.static_inputs = tuple(range(1 + n_seqs + len(self.state_taps) + self.n_non_seqs))
        else:
            self.static_inputs = (0,)  # n_steps decides the traces' shape
        # ... or the loop runs as a while loop over buffers of a capacity
        self.length_inputs = self.static_inputs

    @property
    def inner_fgraphs(self) -> tuple[FunctionGraph, ...]:
        """The step, the op's one inner graph."""
        return (self.fgraph,)

    def with_inner_fgraphs(self, fgraphs: Sequence[FunctionGraph]) -> Scan:
        (fgraph,) = fgraphs
        return Scan(
            fgraph,
            self.n_seqs,
            self.state_taps,
            self.n_nit_sot,
            self.as_while,
            self.truncate_gradient,
            self.name,
            self.n_untraced,
        )

    def inner_input_origins(self, k: int) -> tuple[int | None, ...]:
        # rows and tapped values are made by the loop; the non-sequences are passed through
        first = 1 + self.n_seqs + len(self.state_taps)
        made = (None,) * (self.n_seqs + self.n_tap_inputs)
        return (*made, *range(first, first + self.n_non_seqs))

    def __str__(self) -> str:
        kind = "while" if self.as_while else "for"
        return f"Scan{{{self.name or 'scan'}, {kind}, {len(self.state_taps)} states}}"

    def split_inputs(self, inputs: Sequence[Any]) -> tuple[Any, list, list, list]:
        """``(n_steps, sequences, state windows, non-sequences)`` of a node's inputs."""
        n_states = len(self.state_taps)
        seqs = list(inputs[1 : 1 + self.n_seqs])
        windows = list(inputs[1 + self.n_seqs : 1 + self.n_seqs + n_states])
        return inputs[0], seqs, windows, list(inputs[1 + self.n_seqs + n_states :])

    def make_node(self, n_steps: Any, *inputs: Any) -> Apply:
        n_steps = _int_scalar(n_steps, f"{self}: n_steps")
        n_states = len(self.state_taps)
        body_in = self.fgraph.inputs
        # what each input stands for in the step: a random generator is taken as it is
        roles = [*body_in[: self.n_seqs], *self._first_tap_inputs()]
        roles += body_in[self.n_seqs + self.n_tap_inputs :]
        inputs = [
            as_tensor_variable(v) if isinstance(r.type, TensorType) else v
            for v, r in zip(inputs, roles, strict=False)
        ]
        if len(inputs) != self.n_seqs + n_states + self.n_non_seqs:
            raise TypeError(
                f"{self} takes {1 + self.n_seqs + n_states + self.n_non_seqs} inputs, "
                f"got {1 + len(inputs)}"
            )
        _, seqs, windows, non_seqs = self.split_inputs([n_steps, *inputs])
        for seq, row in zip(seqs, body_in[: self.n_seqs], strict=True):
            _check_type(self, seq, TensorType(row.dtype, (None, *row.type.shape)), "sequence")
        for window, row in zip(windows, self._first_tap_inputs(), strict=True):
            if not isinstance(row.type, TensorType):
                _check_type(self, window, row.type, "state")
                continue
            _check_type(self, window, TensorType(row.dtype, (None, *row.type.shape)), "state")
        for value, inner in zip(non_seqs, body_in[self.n_seqs + self.n_tap_inputs :], strict=True):
            _check_type(self, value, inner.type, "non-sequence")
        length = _static_length(n_steps, f"{self}: n_steps") if not self.as_while else None
        n_traced = n_states + self.n_nit_sot
        outputs = [
            o.type() if self._is_untraced(k) else TensorType(o.dtype, (length, *o.type.shape))()
            for k, o in enumerate(self.fgraph.outputs[:n_traced])
        ]
        return Apply(self, [n_steps, *inputs], outputs)

    def _is_untraced(self, k: int) -> bool:
        """Is output ``k`` a state's final value rather than a trace."""
        return self.n_traced_states <= k < len(self.state_taps)

    def _first_tap_inputs(self) -> list:
        """One body input per state (its first tap), carrying the state's type."""
        firsts, k = [], self.n_seqs
        for taps in self.state_taps:
            firsts.append(self.fgraph.inputs[k])
            k += len(taps)
        return firsts

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        step = numpy_linker.link_inner(self.fgraph)
        n_steps, seqs, windows, non_seqs = self.split_inputs(inputs)
        _check_lengths(self, node, int(n_steps), [np.shape(s)[0] for s in seqs])
        windows = self._windows(node, windows, np)
        n_states = len(windows)
        traces: list[list] = [[] for _ in output_storage]
        trace_shapes: list = []
        for i in range(int(n_steps)):
            outs = step(*[s[i] for s in seqs], *self._tapped(windows), *non_seqs)
            for trace, value in zip(traces, outs, strict=False):
                trace.append(value)
            windows = self._advanced(windows, outs[:n_states], np)
            if self.as_while and bool(outs[-1]):
                break
        for k, (trace, out, storage) in enumerate(
            zip(traces, node.outputs, output_storage, strict=True)
        ):
            if self._is_untraced(k):
                storage[0] = self._final(windows[k], k, np)
                continue
            if not trace:  # no step ran: rows shaped as one step would make them
                trace_shapes = trace_shapes or self._row_shapes(step, seqs, windows, non_seqs)
                values = np.zeros((0, *trace_shapes[k]))
            else:
                values = np.stack(trace)
            storage[0] = values.astype(out.dtype, copy=False)

    def _row_shapes(
        self, step: Callable[..., Any], seqs: list, windows: list, non_seqs: list
    ) -> list[tuple]:
        """The shape of each output's row, from one step run on the first rows (or zeros)."""
        rows = [
            np.asarray(s)[0]
            if np.shape(s)[0]
            else np.zeros([d or 0 for d in np.shape(s)[1:]], np.asarray(s).dtype)
            for s in seqs
        ]
        return [np.shape(o) for o in step(*rows, *self._tapped(windows), *non_seqs)]

    def _tapped(self, windows: Sequence[Any]) -> list:
        """The body's tapped inputs read from each state's window of its last ``lag`` values."""
        return [
            w if opaque else w[lag + tap]
            for w, lag, taps, opaque in zip(
                windows, self.lags, self.state_taps, self.opaque, strict=True
            )
            for tap in taps
        ]

    def _windows(self, node: Apply, windows: Sequence[Any], xp: Any) -> list:
        """Each state's window of its last ``lag`` values (``xp``: numpy or jax.numpy), checked."""
        states = node.inputs[1 + self.n_seqs :]
        kept = []
        for w, lag, opaque, var in zip(windows, self.lags, self.opaque, states, strict=False):
            if not opaque and np.shape(w)[0] < lag:
                raise ValueError(
                    f"{self}: the initial state {var.describe()} has {np.shape(w)[0]} rows; its "
                    f"taps read the last {lag}"
                )
            kept.append(w if opaque else xp.asarray(w)[-lag:])
        return kept

    def _advanced(self, windows: Sequence[Any], news: Sequence[Any], xp: Any) -> list:
        """The windows after a step whose new state values are ``news``."""
        return [
            new if opaque else xp.concatenate([w[1:], xp.asarray(new, dtype=w.dtype)[None]])
            for w, new, opaque in zip(windows, news, self.opaque, strict=True)
        ]

    def _final(self, window: Any, k: int, xp: Any) -> Any:
        """State ``k``'s value after the last step, from its window, as node output ``k``."""
        return window if self.opaque[k] else xp.asarray(window[-1], self.fgraph.outputs[k].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        # a while loop's length, and a row of an output not fed back, depend on the step's
        # values: they are read from the traces themselves
        own = [tuple(o.shape[d] for d in range(o.ndim)) for o in node.outputs]
        if self.as_while:
            return own
        n_states = len(self.state_taps)
        windows = input_shapes[1 + self.n_seqs : 1 + self.n_seqs + n_states]
        states = [
            (() if self.opaque[k] else tuple(w[1:]))
            if self._is_untraced(k)
            else (node.inputs[0], *w[1:])
            for k, w in enumerate(windows)
        ]
        return states + [(node.inputs[0], *s[1:]) for s in own[n_states:]]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return scan_gradients(self, inputs, outputs, output_grads)


def _check_type(op: Scan, value: Any, expected: Any, role: str) -> None:
    if not isinstance(expected, TensorType):
        mismatch = value.type != expected
    else:
        mismatch = value.dtype != expected.dtype or value.ndim != expected.ndim
    if mismatch:
        raise TypeError(
            f"{op}: {role} {value.describe()} has type {value.type}; the step expects {expected}"
        )


def _check_lengths(op: Scan, node: Apply, n_steps: int, seq_lengths: Sequence[int]) -> None:
    """The checks a loop needs before it runs, for both implementations."""
    if n_steps < 0:
        raise ValueError(f"{op}: n_steps is {n_steps}; scan needs n_steps >= 0")
    for k, length in enumerate(seq_lengths):
        if length < n_steps:
            raise ValueError(
                f"{op}: sequence {node.inputs[1 + k].describe()} has {length} rows for "
                f"{n_steps} steps"
            )


@jax_funcify.register(Scan)
def _jax_scan(op: Scan, node: Apply) -> Callable[..., Any]:
    step = jax_linker.link_inner(op.fgraph, checked=True)  # (outputs, ok)
    n_states = len(op.state_taps)

    def loop(n_steps: Any, *inputs: Any) -> Any:
        known = all(jax_linker.known_while_tracing(a) for a in (n_steps, *inputs))
        if op.as_while and known:
            # known while tracing (static inputs) but too large to fold: run it here
            traces = tuple(numpy_linker.run_perform(node, (n_steps, *inputs)))
            return traces[0] if len(traces) == 1 else traces
        _, seqs, windows, non_seqs = op.split_inputs((n_steps, *inputs))
        if (
            op.as_while
            or not jax_linker.known_while_tracing(n_steps)
            or any(isinstance(s, Ragged) for s in seqs)
        ):
            traces = _while_loop(op, node, step, n_steps, seqs, windows, non_seqs)
            return traces[0] if len(traces) == 1 else traces
        n = int(n_steps)  # a static input: known while tracing
        _check_lengths(op, node, n, [np.shape(s)[0] for s in seqs])
        seqs = [s[:n] for s in seqs]
        windows = tuple(op._windows(node, windows, jnp))

        def body(carry: tuple, rows: tuple) -> tuple:
            wins, ok = carry
            outs, step_ok = step(*rows, *op._tapped(wins), *non_seqs)
            new_windows = tuple(op._advanced(wins, outs[:n_states], jnp))
            traced = (*outs[: op.n_traced_states], *outs[n_states : n_states + op.n_nit_sot])
            return (new_windows, _and(ok, step_ok)), traced

        start = (windows, _checked_steps())
        (final, ok), traced = jax.lax.scan(body, start, tuple(seqs), length=n)
        checks.require(ok)
        n_kept = op.n_traced_states
        finals = (op._final(w, k, jnp) for k, w in enumerate(final[n_kept:], n_kept))
        trace_outputs = (*node.outputs[:n_kept], *node.outputs[n_states:])
        casts = [jnp.asarray(t, o.dtype) for t, o in zip(traced, trace_outputs, strict=True)]
        traces = (*casts[:n_kept], *finals, *casts[n_kept:])
        return traces[0] if len(traces) == 1 else traces

    return loop


ragged_funcify.register(Scan, _jax_scan)
ragged_sources.add(Scan)


def _while_loop(
    op: Scan,
    node: Apply,
    step: Callable[..., tuple],
    n_steps: Any,
    seqs: list,
    windows: list,
    non_seqs: list,
) -> tuple:
    """The loop of a length known only while running, over buffers of a capacity known now.

    Runs exactly the steps needed (``n_steps``, the sequences' lengths, the
    first true ``until`` condition) and returns each trace as a
    :class:`~graph2jax.linker.ragged.Ragged` of the steps run.
    """
    n_states = len(op.state_taps)
    seqs = [r.compact() if isinstance(r, Ragged) else r for r in seqs]  # the rows in order
    bounds = [r.capacity if isinstance(r, Ragged) else int(np.shape(r)[0]) for r in seqs]
    if isinstance(n_steps, BoundedInt):
        bounds.append(n_steps.capacity)
        n_steps = n_steps.value
    elif jax_linker.known_while_tracing(n_steps):
        bounds.append(int(n_steps))
    if not bounds:  # a length computed while running, with nothing to bound it
        raise RaggedUnsupported(node)
    capacity = max(min(bounds), 0)
    n = jnp.clip(jnp.asarray(n_steps, "int64"), 0, capacity)
    for r in seqs:
        if isinstance(r, Ragged):
            n = jnp.minimum(n, r.length)
    # numpy's ValueError (_check_lengths) for steps the sequences lack, raised after the call
    lengths = [r.length if isinstance(r, Ragged) else np.shape(r)[0] for r in seqs]
    checks.require(jnp.all(jnp.asarray([n_steps >= 0] + [n_steps <= k for k in lengths])))
    seq_buffers = [r.buffer if isinstance(r, Ragged) else jnp.asarray(r) for r in seqs]
    windows = tuple(op._windows(node, windows, jnp))
    kept = _trace_positions(op)  # the node output and the step output of each trace

    def run_step(i: Any, carry: tuple) -> tuple:
        rows = [lax.dynamic_index_in_dim(b, i, keepdims=False) for b in seq_buffers]
        return step(*rows, *op._tapped(carry), *non_seqs)

    row_shapes, _ = jax.eval_shape(lambda: run_step(jnp.asarray(0, "int64"), windows))
    buffers = tuple(
        jnp.zeros((capacity, *row_shapes[k].shape), node.outputs[k].dtype) for k in kept
    )

    def cond(carry: tuple) -> Any:
        i, stopped, _, _, _ = carry
        return (i < n) & ~stopped

    def body(carry: tuple) -> tuple:
        i, _, wins, bufs, ok = carry
        outs, step_ok = run_step(i, wins)
        new_windows = tuple(op._advanced(wins, outs[:n_states], jnp))
        bufs = tuple(
            lax.dynamic_update_index_in_dim(b, jnp.asarray(outs[k], b.dtype), i, 0)
            for b, k in zip(bufs, kept, strict=True)
        )
        stopped = jnp.asarray(outs[-1], bool) if op.as_while else jnp.asarray(False)
        return i + 1, stopped, new_windows, bufs, _and(ok, step_ok)

    start = (jnp.asarray(0, "int64"), jnp.asarray(False), windows, buffers, _checked_steps())
    length, _, final, buffers, ok = lax.while_loop(cond, body, start)
    checks.require(ok)
    traces = iter(Ragged(b, length) for b in buffers)
    return tuple(
        op._final(final[k], k, jnp) if op._is_untraced(k) else next(traces)
        for k in range(len(node.outputs))
    )


def _checked_steps() -> Any:
    """The carry and-ing the steps' checks: True so far, or None when the graph is not checked.

    A carry costs next to nothing per step (a stacked flag per step would cost
    a write each); a step that reports nothing leaves it true."""
    return jnp.asarray(True) if checks.checking() else None


def _and(ok: Any, step_ok: Any) -> Any:
    """The carried flag after a step whose own checks gave ``step_ok`` (None: none)."""
    return ok if step_ok is None else ok & step_ok


def _trace_positions(op: Scan) -> list[int]:
    """The node outputs that are traces (every output but the untraced states' final values)."""
    n_states = len(op.state_taps)
    return [*range(op.n_traced_states), *range(n_states, n_states + op.n_nit_sot)]


__all__ = ["Scan"]
