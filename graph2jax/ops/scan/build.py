"""``scan``: build a :class:`~graph2jax.ops.scan.op.Scan` node from a python step function.

The user's arguments (PyTensor's) are put in the op's simple form here:
sequence taps become shifted slices of the sequence, each recurrent state's
initial value becomes a window of its last ``lag`` values, shared variables
read by the step become non-sequences, and shared variables the step updates
become recurrent states whose last value is the update.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from graph2jax.graph.basic import Constant, Variable, graph_inputs
from graph2jax.graph.fg import FunctionGraph
from graph2jax.graph.replace import clone_replace
from graph2jax.ops.elemwise import shape_padleft
from graph2jax.ops.math import minimum
from graph2jax.ops.scan.op import Scan
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.sharedvar import SharedVariable, creation_mark
from graph2jax.types.tensor_type import TensorType


class until:
    """The stop condition of a scan step: return ``until(cond)`` with the outputs.

    The loop stops after the first step whose ``cond`` is true; that step's
    outputs are the last ones returned.

    Parameters
    ----------
    condition : boolean scalar
    """

    def __init__(self, condition: Any):
        self.condition = as_tensor_variable(condition)
        if self.condition.ndim != 0:
            raise TypeError(
                f"until: the condition {self.condition.describe()} must be a scalar, got "
                f"{self.condition.type}"
            )


def _as_list(x: Any) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, list | tuple) else [x]


def _row_variable(seq: Variable, name: str) -> Variable:
    """A body input holding one row of ``seq``."""
    return TensorType(seq.dtype, seq.type.shape[1:])(name=name)


def _sequence_slices(seq_info: Any, go_backwards: bool) -> list[tuple[Variable, int, Variable]]:
    """``(slice, tap, original)`` for each tap of one sequence argument."""
    if isinstance(seq_info, dict):
        seq, taps = seq_info.get("input"), _as_list(seq_info.get("taps", [0]))
    else:
        seq, taps = seq_info, [0]
    seq = as_tensor_variable(seq)
    if seq.ndim == 0:
        raise ValueError(
            f"scan: the sequence {seq.describe()} is a scalar; it needs an axis to loop over"
        )
    if not taps:
        raise ValueError(f"scan: the sequence {seq.describe()} has no taps")
    if go_backwards:
        seq = seq[::-1]
    lo, hi = min(min(taps), 0), max(max(taps), 0)
    length = seq.type.shape[0]
    if length is not None and length <= hi - lo:
        raise ValueError(
            f"scan: the sequence {seq.describe()} has {length} rows; its taps {taps} read rows "
            f"{lo} to {hi} around each step, which needs at least {hi - lo + 1}"
        )
    # step i reads row i - lo + tap: slice tap starts at tap - lo, and all slices are as long
    slices = []
    for tap in taps:
        begin, end = tap - lo, (tap - hi) if tap != hi else None
        slices.append((seq if begin == 0 and end is None else seq[begin:end], tap, seq_info))
    return slices


def _state_of(info: Any, position: int) -> tuple[Variable, tuple[int, ...]] | None:
    """``(initial window, taps)`` of one ``outputs_info`` entry; None for an output not fed back."""
    if isinstance(info, dict):
        initial, taps = info.get("initial"), info.get("taps")
        if initial is None:
            if taps:
                raise ValueError(
                    f"scan: outputs_info[{position}] gives taps {taps} but no initial value"
                )
            return None
        taps = tuple(_as_list(taps)) if taps is not None else (-1,)
    elif info is None:
        return None
    else:
        initial, taps = info, (-1,)
    initial = as_tensor_variable(initial)
    if any(int(t) >= 0 for t in taps) or not taps:
        raise ValueError(
            f"scan: outputs_info[{position}] ({initial.describe()}) has taps {list(taps)}; the "
            "taps of a recurrent output must be negative (-1 is the previous step)"
        )
    if taps == (-1,):
        return shape_padleft(initial), taps
    lag = -min(taps)
    if initial.ndim == 0:
        raise ValueError(
            f"scan: outputs_info[{position}] ({initial.describe()}) has taps {list(taps)}, so its "
            f"initial value needs a leading axis of at least {lag} past values"
        )
    return initial[:lag], tuple(int(t) for t in taps)


def _parse_step_result(result: Any) -> tuple[list, OrderedDict, Variable | None]:
    """The step's outputs, updates and stop condition, in any of PyTensor's return forms."""
    parts = list(result) if isinstance(result, tuple) else [result]
    condition = None
    if parts and isinstance(parts[-1], until):
        condition = parts.pop().condition
    updates: OrderedDict = OrderedDict()
    if parts and isinstance(parts[-1], dict):
        updates = OrderedDict(parts.pop())
    if len(parts) == 1 and isinstance(parts[0], list | tuple):
        parts = list(parts[0])
    if len(parts) == 1 and isinstance(parts[0], dict):
        updates, parts = OrderedDict(parts[0]), []
    for k, p in enumerate(parts):
        if not isinstance(p, Variable):
            raise ValueError(
                f"scan: output {k} of the step function is {p!r}; the step may return only "
                "variables, a dict of updates and an until condition (use tensor.constant "
                "for a constant)"
            )
    return parts, updates, condition


def _check_state_output(out: Variable, state_type: TensorType, initial: Variable, k: int) -> None:
    """PyTensor's check: a recurrent output keeps its initial state's dtype and ndim."""
    for what, got, want in (
        ("dtype", out.dtype, state_type.dtype),
        ("ndim", out.ndim, state_type.ndim),
    ):
        if got != want:
            raise ValueError(
                "When compiling the inner function of scan (the function called by scan in each "
                "of its iterations) the following error has been encountered: The initial state "
                f"(`outputs_info` in scan nomenclature) of variable {initial.describe()} "
                f"(argument number {k}) has {what} {want}, while the result of the inner "
                f"function (`fn`) has {what} {got}. This can happen if the inner function of "
                "scan results in an upcast or downcast."
            )


def scan(
    fn: Callable,
    sequences: Any = None,
    outputs_info: Any = None,
    non_sequences: Any = None,
    n_steps: Any = None,
    truncate_gradient: int = -1,
    go_backwards: bool = False,
    mode: Any = None,
    name: str | None = None,
    profile: bool = False,
    allow_gc: bool | None = None,
    strict: bool = False,
    return_list: bool = False,
    return_updates: bool = True,
) -> Any:
    """Loop ``fn`` over sequences, feeding back states, as PyTensor's ``scan``.

    Parameters
    ----------
    fn : callable
        Called once with symbolic arguments: one row of each sequence (one
        per tap), the previous values of each recurrent output (one per
        tap), then the non-sequences. Returns the outputs, optionally a dict
        of shared-variable updates and an :class:`until` condition.
    sequences : variable, dict or list of them
        Looped over along their first axis; ``dict(input=x, taps=[-1, 0, 1])``
        reads shifted rows.
    outputs_info : list
        Per output: its initial value (fed back, tap -1), ``None`` (not fed
        back) or ``dict(initial=x0, taps=[-2, -1])``.
    non_sequences : list of variables
        Passed unchanged to every step.
    n_steps : int or integer scalar
        How many steps; by default the sequences' length. A symbolic value
        is read while the loop runs: compiled once per capacity (the next
        power of two of the value, or the sequences' length).
    truncate_gradient : int
        How many steps back the gradient goes (-1: all).
    go_backwards : bool
        Loop over the sequences from their end.
    mode, profile, allow_gc : accepted, no effect
        The loop is compiled with the function that uses it (its mode and
        profile); XLA manages the loop's memory.
    name : str
        Shown by ``debugprint``.
    strict : bool
        Require every variable the step reads to be passed as an argument.
    return_list : bool
        Return a list even for one output.
    return_updates : bool
        Return ``(outputs, updates)`` (PyTensor's default) or only the outputs.

    Returns
    -------
    outputs, updates
        The full sequence of each output (``n_steps`` rows, without the
        initial values), and an ordered dict of shared-variable updates to
        give to ``function(updates=...)``.

    Examples
    --------
    >>> import numpy as np, graph2jax, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> cumsum, _ = graph2jax.scan(lambda v, acc: acc + v, sequences=x,
    ...                            outputs_info=gt.constant(0.0, dtype="float64"))
    >>> graph2jax.function([x], cumsum)(np.array([1.0, 2.0, 3.0]))
    array([1., 3., 6.])
    """
    del mode, profile, allow_gc
    seq_slices = [s for info in _as_list(sequences) for s in _sequence_slices(info, go_backwards)]
    infos = _as_list(outputs_info)
    states = [_state_of(info, k) for k, info in enumerate(infos)]
    non_seqs = [
        v if isinstance(v, SharedVariable) else as_tensor_variable(v)
        for v in _as_list(non_sequences)
    ]

    if n_steps is None:
        if not seq_slices:
            raise ValueError(
                "scan: Either provide a value for n_steps argument of scan or provide an input "
                "sequence."
            )
        length = seq_slices[0][0].shape[0]
        for s, _, _ in seq_slices[1:]:
            length = minimum(length, s.shape[0])
    else:
        length = as_tensor_variable(n_steps)
        if length.ndim != 0 or not length.dtype.startswith(("int", "uint")):
            raise ValueError(f" n_steps must be an int. dtype provided is {length.dtype}")
    length = length.astype("int64") if length.dtype != "int64" else length

    # the step's symbolic arguments, in PyTensor's order
    seq_args = [
        _row_variable(s, f"{getattr(info, 'name', None) or 'seq'}[t{tap:+d}]")
        for s, tap, info in seq_slices
    ]
    state_args: list[list[Variable]] = []
    for k, state in enumerate(states):
        if state is None:
            state_args.append([])
            continue
        window, taps = state
        state_args.append(
            [_row_variable(window, f"{_initial_of(infos[k]).name or 'state'}[t{t}]") for t in taps]
        )
    # as PyTensor, the step sees the non-sequences themselves (so it may differentiate
    # through them); the body gets a placeholder for each
    non_seq_args = [v.type(name=v.name) for v in non_seqs]
    args = [*seq_args, *(a for group in state_args for a in group), *non_seqs]
    mark = creation_mark()
    outputs, updates, condition = _parse_step_result(fn(*args))
    outputs = [as_tensor_variable(o) for o in outputs]
    _add_local_default_updates(
        [*outputs, *([condition] if condition is not None else [])], updates, mark
    )

    if infos and len(outputs) != len(infos):
        raise ValueError(
            f"scan: the step function returned {len(outputs)} outputs but outputs_info has "
            f"{len(infos)} entries (use None for an output that is not fed back)"
        )
    if not infos:
        states = [None] * len(outputs)
    for k, (out, state) in enumerate(zip(outputs, states, strict=True)):
        if state is not None:
            _check_state_output(out, state_args[k][0].type, _initial_of(infos[k]), k)

    # shared variables the step updates become recurrent states read by later steps (the
    # ones that are not tensors, random generators, last: the op carries them untraced)
    updated = sorted(updates, key=lambda v: not _is_tensor(v))
    for var in updated:
        if not isinstance(var, SharedVariable):
            raise TypeError(f"scan: the step updates {var!r}, which is not a shared variable")
    update_args = [v.type(name=v.name) for v in updated]
    update_values = [
        v.type.replacement(v, as_tensor_variable(updates[v]) if _is_tensor(v) else updates[v])
        for v in updated
    ]

    bound = [*args, *update_args]
    replace = dict(zip(non_seqs, non_seq_args, strict=True))
    body_outs = [
        *(o for o, s in zip(outputs, states, strict=True) if s is not None),
        *update_values,
        *(o for o, s in zip(outputs, states, strict=True) if s is None),
        *([condition] if condition is not None else []),
    ]
    replace.update(zip(updated, update_args, strict=True))
    free = [
        v
        for v in graph_inputs(body_outs, blockers=bound)
        if not isinstance(v, Constant) and not any(v is b for b in bound) and v not in replace
    ]
    if free and strict:
        raise ValueError(
            f"scan(strict=True): the step reads {[v.describe() for v in free]}, which are not "
            "passed as sequences, outputs_info or non_sequences"
        )
    free_args = [v.type(name=v.name) for v in free]
    replace.update(zip(free, free_args, strict=True))
    body_outs = clone_replace(body_outs, replace) if replace else body_outs

    state_items = [(k, s) for k, s in enumerate(states) if s is not None]
    n_nit = len(outputs) - len(state_items)
    body_inputs = [
        *seq_args,
        *(a for k, _ in state_items for a in state_args[k]),
        *update_args,
        *non_seq_args,
        *free_args,
    ]
    op = Scan(
        FunctionGraph(body_inputs, body_outs),
        n_seqs=len(seq_args),
        state_taps=[taps for _, (_, taps) in state_items] + [(-1,)] * len(updated),
        n_nit_sot=n_nit,
        as_while=condition is not None,
        truncate_gradient=truncate_gradient,
        name=name,
        n_untraced=len(updated),  # an update is the value after the last step
    )
    node_outs = op(
        length,
        # one sequence sets n_steps by its length: nothing to cut
        *(
            s[:length] if n_steps is not None or len(seq_slices) > 1 else s
            for s, _, _ in seq_slices
        ),
        *(window for _, (window, _) in state_items),
        *(shape_padleft(v) if _is_tensor(v) else v for v in updated),
        *non_seqs,
        *free,
    )
    node_outs = [node_outs] if isinstance(node_outs, Variable) else list(node_outs)
    traced = iter(node_outs[: len(state_items)])
    update_values_after = node_outs[len(state_items) : len(state_items) + len(updated)]
    not_fed_back = iter(node_outs[len(state_items) + len(updated) :])
    results = [next(traced) if s is not None else next(not_fed_back) for s in states]
    new_updates = OrderedDict(zip(updated, update_values_after, strict=True))

    result: Any = results
    if not return_list and len(results) == 1:
        result = results[0]
    elif not results:
        result = None
    if not return_updates:
        if new_updates:
            raise ValueError(
                f"return_updates=False but Scan produced updates {dict(new_updates)}. Make sure "
                "to use outputs_info to handle all recurrent states, and not rely on shared "
                "variable updates."
            )
        return result
    return result, new_updates


def _is_tensor(var: Variable) -> bool:
    return isinstance(var.type, TensorType)


def _add_local_default_updates(roots: list, updates: OrderedDict, mark: int) -> None:
    """PyTensor's rule for the shared variables the step created (a ``RandomStream`` draw's generator).

    Each one the step reads that has a ``default_update`` is updated by the
    loop (carried from step to step, its last value returned in scan's
    updates); its ``default_update`` is removed, since it reads the step's
    variables. A shared variable created before the step keeps its own
    ``default_update`` and is read unchanged by every step, as PyTensor.
    """
    while True:
        found = [
            v
            for v in graph_inputs([*roots, *updates.values()])
            if isinstance(v, SharedVariable)
            and v.sort_key > mark
            and v.default_update is not None
            and v not in updates
        ]
        if not found:
            return
        for v in found:
            updates[v], v.default_update = v.default_update, None


def _initial_of(info: Any) -> Variable:
    """The initial value of an ``outputs_info`` entry that is fed back."""
    return as_tensor_variable(info["initial"] if isinstance(info, dict) else info)


__all__ = ["scan", "until"]
