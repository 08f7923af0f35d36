"""The gradient of a :class:`~graph2jax.ops.scan.op.Scan`: a backward scan over the step's gradient.

As PyTensor does it: the step's symbolic vector-Jacobian product is a new
body, run from the last step to the first. The backward loop reads, as
sequences, the forward rows and tapped state values of each step (the
forward traces shifted by each tap) and the output gradients of that step;
it carries, for each state, the adjoints accumulated so far for the last
``lag`` values that later steps read, and for each non-sequence the sum of
its gradient over the steps. ``truncate_gradient=k`` runs only the last
``k`` steps back: earlier rows, and the initial state, get zero gradient.
An ``until`` loop's gradient runs back over the steps it took (its traces'
length). A loop carrying random generators is differentiated as the loop
reading its draws as sequences: the draws of each step are kept by running it
once more with them as outputs (see :func:`_generator_free`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph2jax.graph.basic import Constant, Variable, graph_inputs
from graph2jax.graph.fg import FunctionGraph
from graph2jax.graph.gradtypes import (
    disconnected,
    grad_not_implemented,
    grad_undefined,
    is_disconnected,
)
from graph2jax.graph.replace import clone_replace, graph_replace
from graph2jax.ops.creation import zeros_like
from graph2jax.ops.elemwise import shape_padleft
from graph2jax.ops.join import concatenate, stack
from graph2jax.ops.math import eq, minimum, switch
from graph2jax.types.as_tensor import constant
from graph2jax.types.tensor_type import TensorType

if TYPE_CHECKING:  # op.py imports this module for Scan.L_op; new scans are built as type(op)
    from graph2jax.ops.scan.op import Scan


def _is_float(var: Variable) -> bool:
    return isinstance(var.type, TensorType) and var.dtype.startswith(("float", "complex"))


def _row_type(var: Variable) -> TensorType:
    return TensorType(var.dtype, var.type.shape[1:])


def _placed(like: Variable, rows: Variable, begin: Any, end: Any) -> Variable:
    """Zeros shaped like ``like`` holding ``rows`` at ``begin:end`` along the first axis."""
    # built by joining, not set_subtensor: XLA's CPU simplifier aborts on some scatters
    # into zeros inside differentiated loops
    return concatenate(
        [zeros_like(like[:begin]), rows, zeros_like(like[end:] if end is not None else like[:0])]
    )


def _traced(op: Scan, inputs: list, outputs: list, output_grads: list) -> tuple[list, list]:
    """The outputs and output gradients of ``op`` with every state traced.

    The backward loop reads every step's state values, which an untraced state
    does not keep: the loop is run again with traces, and the gradient of a
    final value becomes the gradient of its trace's last row.
    """
    traced_op = type(op)(
        op.fgraph,
        op.n_seqs,
        op.state_taps,
        op.n_nit_sot,
        op.as_while,
        op.truncate_gradient,
        op.name,
    )
    traced = traced_op(*inputs)
    traced = [traced] if isinstance(traced, Variable) else list(traced)
    grads = list(output_grads)
    for k in range(op.n_traced_states, len(op.state_taps)):
        if not is_disconnected(grads[k]):
            grads[k] = _placed(traced[k], grads[k][None], -1, None)
    return traced, grads


def _generator_free(op: Scan, inputs: list, outputs: list, output_grads: list) -> list:
    """The gradients of a loop carrying random generators (its last, opaque, states).

    The generators only feed draws: the loop is run once more with each draw
    of the step (a tensor output of a node reading a generator) as an output
    not fed back, and the gradient is that of the loop without generators
    reading these traces as sequences, so the backward loop uses the very
    draws of each forward step. A draw's parameters have no gradient
    (PyTensor's ``grad_undefined``): when they depend on the step's inputs,
    every gradient of the loop is undefined.
    """
    body, n_states, n_opaque = op.fgraph, len(op.state_taps), sum(op.opaque)
    n_kept = n_states - n_opaque
    generators = body.inputs[op.n_seqs + op.n_tap_inputs - n_opaque : op.n_seqs + op.n_tap_inputs]
    draws = [
        out
        for node in body.toposort()
        if any(not isinstance(v.type, TensorType) for v in node.inputs)
        and not isinstance(node.op, type(op))
        for out in node.outputs
        if isinstance(out.type, TensorType)
    ]
    kept_outs = [*body.outputs[:n_kept], *body.outputs[n_states:]]  # states, others, until
    step_inputs = {id(v) for v in body.inputs}
    if any(id(v) in step_inputs and _is_float(v) for v in graph_inputs(draws)):
        return [
            grad_undefined(op, k, x, "a draw inside the loop has parameters computed by the step")
            for k, x in enumerate(inputs)
        ]
    rows = [TensorType(d.dtype, d.type.shape)() for d in draws]
    free_outs = clone_replace(kept_outs, dict(zip(draws, rows, strict=True)))
    if {id(g) for g in generators} & {id(v) for v in graph_inputs(free_outs)}:
        return [
            grad_not_implemented(op, k, x, "a loop inside the step carries a random generator")
            for k, x in enumerate(inputs)
        ]
    n_outs = n_states + op.n_nit_sot
    with_draws = type(op)(
        FunctionGraph(body.inputs, [*body.outputs[:n_outs], *draws, *body.outputs[n_outs:]]),
        op.n_seqs,
        op.state_taps,
        op.n_nit_sot + len(draws),
        op.as_while,
        op.truncate_gradient,
        op.name,
        op.n_untraced,
    )(*inputs)
    with_draws = [with_draws] if isinstance(with_draws, Variable) else list(with_draws)
    n_steps, seqs, windows, non_seqs = op.split_inputs(inputs)
    seq_rows, rest = body.inputs[: op.n_seqs], body.inputs[op.n_seqs :]
    free_op = type(op)(
        FunctionGraph(
            [*seq_rows, *rows, *rest[: op.n_tap_inputs - n_opaque], *rest[op.n_tap_inputs :]],
            free_outs,
        ),
        op.n_seqs + len(draws),
        op.state_taps[:n_kept],
        op.n_nit_sot,
        op.as_while,
        op.truncate_gradient,
        op.name,
        op.n_untraced - n_opaque,
    )
    grads = scan_gradients(
        free_op,
        [n_steps, *seqs, *with_draws[n_outs:], *windows[:n_kept], *non_seqs],
        [*with_draws[:n_kept], *with_draws[n_states:n_outs]],
        [*output_grads[:n_kept], *output_grads[n_states:n_outs]],
    )
    n_seq_grads = 1 + op.n_seqs
    return [
        *grads[:n_seq_grads],
        *grads[n_seq_grads + len(draws) : n_seq_grads + len(draws) + n_kept],
        *(disconnected() for _ in range(n_opaque)),
        *grads[n_seq_grads + len(draws) + n_kept :],
    ]


def scan_gradients(op: Scan, inputs: list, outputs: list, output_grads: list) -> list:
    """The gradients of a scan node's inputs (``Scan.L_op``)."""
    from graph2jax.gradient import grad  # gradient/ sits above ops/: a call-time import

    if any(op.opaque):
        return _generator_free(op, inputs, outputs, output_grads)
    if op.as_while and not outputs:
        return [disconnected()] + [
            grad_not_implemented(op, k + 1, x, "an until loop with no output has no gradient")
            for k, x in enumerate(inputs[1:])
        ]
    if op.n_untraced:
        outputs, output_grads = _traced(op, inputs, outputs, output_grads)
    n_steps, seqs, windows, non_seqs = op.split_inputs(inputs)
    if op.as_while:  # the backward loop runs back over the steps taken
        n_steps = outputs[0].shape[0]
    n_states = len(op.state_taps)
    body = op.fgraph
    g_traces = [
        zeros_like(o) if is_disconnected(g) or not _is_float(o) else g
        for o, g in zip(outputs, output_grads, strict=True)
    ]
    if op.truncate_gradient < 0:
        n_back, start = n_steps, constant(0, dtype="int64")
    else:
        n_back = minimum(n_steps, op.truncate_gradient)
        start = n_steps - n_back  # the first forward step the gradient reaches

    # the backward loop's sequences, last forward step first
    def backward_rows(var: Variable, lo: Any, hi: Any) -> Variable:
        return var[lo:hi][::-1]

    back_seqs = [backward_rows(s, start, n_steps) for s in seqs]
    for window, trace, lag, taps in zip(
        windows, outputs[:n_states], op.lags, op.state_taps, strict=True
    ):
        full = concatenate([window[-lag:], trace])
        back_seqs += [backward_rows(full, lag + tap + start, lag + tap + n_steps) for tap in taps]
    back_seqs += [backward_rows(g, start, n_steps) for g in g_traces]
    back_seqs += [backward_rows(o, start, n_steps) for o in outputs]

    # the backward body
    fwd_args = [v.type() for v in body.inputs]
    g_rows = [_row_type(o)() for o in outputs]
    adjoints = [
        TensorType(w.dtype, (lag, *w.type.shape[1:]))()
        for w, lag in zip(windows, op.lags, strict=True)
    ]
    float_ns = [j for j, v in enumerate(non_seqs) if _is_float(v)]
    sums = [non_seqs[j].type() for j in float_ns]
    fwd_outs = clone_replace(
        list(body.outputs[: len(outputs)]), dict(zip(body.inputs, fwd_args, strict=True))
    )
    known: dict = {}
    for j, (out, g_row) in enumerate(zip(fwd_outs, g_rows, strict=True)):
        if isinstance(out, Constant) or not _is_float(out):
            continue
        seed = g_row + adjoints[j][0] if j < n_states else g_row
        known[out] = known[out] + seed if out in known else seed
    wrt_positions = [k for k, v in enumerate(fwd_args) if _is_float(v)]
    terms = (
        grad(
            None,
            [fwd_args[k] for k in wrt_positions],
            known_grads=known,
            disconnected_inputs="ignore",
        )
        if known and wrt_positions
        else [zeros_like(fwd_args[k]) for k in wrt_positions]
    )
    # the gradient reads the step's results (tanh's gradient reads tanh's output): take
    # them from the forward traces rather than computing the step again
    value_rows = [o.type() for o in fwd_outs]
    known_values = {
        o: row
        for o, row in zip(fwd_outs, value_rows, strict=True)
        if not isinstance(o, Constant) and not any(o is a for a in fwd_args)
    }
    terms = graph_replace(terms, known_values) if known_values and terms else terms
    d = dict(zip(wrt_positions, terms, strict=True))

    def term(k: int) -> Variable:
        return d[k] if k in d else zeros_like(fwd_args[k])

    new_adjoints, k = [], op.n_seqs
    for adj, lag, taps in zip(adjoints, op.lags, op.state_taps, strict=True):
        by_tap = {tap: k + i for i, tap in enumerate(taps)}
        k += len(taps)
        rows = []
        for i in range(lag):
            # the adjoint of the value ``i + 1`` steps back: what later steps gave it, plus this step's
            carried = adj[i + 1] if i + 1 < lag else zeros_like(adj[0])
            rows.append(carried + term(by_tap[-1 - i]) if -1 - i in by_tap else carried)
        new_adjoints.append(stack(rows))
    ns_offset = op.n_seqs + op.n_tap_inputs
    new_sums = [s + term(ns_offset + j) for s, j in zip(sums, float_ns, strict=True)]
    float_seqs = [i for i, s in enumerate(seqs) if _is_float(s)]
    seq_terms = [term(i) for i in float_seqs]

    n_fwd_rows = len(fwd_args) - op.n_non_seqs
    backward = type(op)(
        FunctionGraph(
            [
                *fwd_args[:n_fwd_rows],
                *g_rows,
                *value_rows,
                *adjoints,
                *sums,
                *fwd_args[n_fwd_rows:],
            ],
            [*new_adjoints, *new_sums, *seq_terms],
        ),
        n_seqs=len(back_seqs),
        state_taps=[(-1,)] * (len(adjoints) + len(sums)),
        n_nit_sot=len(seq_terms),
        name=f"grad_of_{op.name or 'scan'}",
        n_untraced=len(adjoints) + len(sums),  # only their final values are needed
    )
    traces = backward(
        n_back,
        *back_seqs,
        *(shape_padleft(zeros_like(w[-lag:])) for w, lag in zip(windows, op.lags, strict=True)),
        *(shape_padleft(zeros_like(non_seqs[j])) for j in float_ns),
        *non_seqs,
    )
    traces = [traces] if isinstance(traces, Variable) else list(traces)
    reaches_start = eq(start, 0)

    grads: list = [disconnected()]
    seq_traces = iter(traces[len(adjoints) + len(sums) :])
    for i, s in enumerate(seqs):
        grads.append(
            _placed(s, next(seq_traces)[::-1], start, n_steps)
            if i in float_seqs
            else disconnected()
        )
    for w, lag, t in zip(windows, op.lags, traces[: len(adjoints)], strict=True):
        if not _is_float(w):
            grads.append(disconnected())
            continue
        last = switch(reaches_start, t[::-1], zeros_like(t))
        grads.append(_placed(w, last, -lag, None))
    sum_traces = dict(zip(float_ns, traces[len(adjoints) : len(adjoints) + len(sums)], strict=True))
    for j, _ in enumerate(non_seqs):
        grads.append(sum_traces[j] if j in sum_traces else disconnected())
    return grads


__all__ = ["scan_gradients"]
