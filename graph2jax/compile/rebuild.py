"""Rebuilding the user's graph for ``function``: givens, updates, default updates, shared inputs.

:func:`rebuild` is the one pass :func:`graph2jax.function` makes; every type
check of a replacement in it is :meth:`graph2jax.graph.basic.Type.replacement`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graph2jax.compile.io import In, Out
from graph2jax.graph.basic import Variable, _clone_with_memo, graph_inputs
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.sharedvar import SharedVariable


def as_pairs(arg: Any, what: str) -> list[tuple[Any, Any]]:
    """``updates``/``givens`` given as a dict, a list or a tuple of pairs, as a list of pairs."""
    if arg is None:
        return []
    if isinstance(arg, dict):
        return list(arg.items())
    if not isinstance(arg, list | tuple):
        raise TypeError(f"{what} must be a dict or a list/tuple of pairs, got {type(arg).__name__}")
    if len(arg) == 2 and isinstance(arg[0], Variable):
        arg = [arg]  # a single pair
    pairs = []
    for item in arg:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise TypeError(
                f"each entry of {what} must be a pair (variable, expression), got {item!r}"
            )
        pairs.append((item[0], item[1]))
    return pairs


def check_updates(updates: list[tuple[Any, Any]]) -> list[tuple[SharedVariable, Variable]]:
    """Validate update pairs: shared targets, one update each, matching types."""
    seen: set[int] = set()
    checked = []
    for target, expr in updates:
        if not isinstance(target, SharedVariable):
            raise TypeError(
                "update target must be a SharedVariable: "
                f"{target.describe() if isinstance(target, Variable) else repr(target)} "
                "is not one; only shared variables can be updated"
            )
        if id(target) in seen:
            raise ValueError(
                "this shared variable already has an update expression: "
                f"{target.describe()} is given more than one"
            )
        seen.add(id(target))
        expr = as_tensor_variable(expr) if not isinstance(expr, Variable) else expr
        checked.append((target, _update_of_type(target, expr)))
    return checked


def _update_of_type(target: SharedVariable, expr: Variable) -> Variable:
    hint = f"; cast the update (e.g. expr.astype('{getattr(target.type, 'dtype', '')}'))"
    try:
        return target.type.replacement(target, expr, hint)
    except TypeError as err:
        raise TypeError(
            "An update must have the same type as the original shared variable "
            f"(shared_var={target}, shared_var.type={target.type}, update_val={expr}, "
            f"update_val.type={expr.type}): {err}"
        ) from None


def apply_givens(
    variables: Sequence[Variable], givens: list[tuple[Any, Any]], rebuild_strict: bool
) -> list[Variable]:
    """Copies of ``variables``' graphs with ``givens`` substituted (Var2 replaces Var1)."""
    memo: dict[int, Variable] = {}
    for old, new in givens:
        if not isinstance(old, Variable):
            raise TypeError(f"`givens` keys must be Variables, got {type(old).__name__}: {old!r}")
        if not isinstance(new, Variable):
            new = as_tensor_variable(new, dtype=getattr(old.type, "dtype", None))
        if rebuild_strict:
            new = old.type.replacement(
                old, new, " in givens; pass rebuild_strict=False to allow a type change"
            )
        memo[id(old)] = new
    if not memo:
        return list(variables)
    return _clone_with_memo(list(variables), memo, rebuild_strict, copy_inputs=False)


def shared_inputs(
    variables: Sequence[Variable], blockers: Sequence[Variable] = ()
) -> list[SharedVariable]:
    """The shared variables ``variables`` depend on, in order of first appearance.

    The graph is not followed above ``blockers`` (the explicit inputs): a shared
    variable only used to compute an input given at call time is not read.
    """
    return [v for v in graph_inputs(variables, blockers) if isinstance(v, SharedVariable)]


def add_default_updates(
    outputs: Sequence[Variable],
    updates: list[tuple[SharedVariable, Variable]],
    no_default_updates: bool | Sequence[Variable],
    rebuild: Callable[[list[Variable]], list[Variable]] | None = None,
    blockers: Sequence[Variable] = (),
) -> list[tuple[SharedVariable, Variable]]:
    """``updates`` plus the ``default_update`` of every shared variable reached and not excluded.

    ``rebuild`` (the function's givens) is applied to each default update found,
    as to the outputs and explicit updates. The graph is not followed above
    ``blockers`` (the explicit inputs).
    """
    if no_default_updates is True:
        return updates
    excluded = set(map(id, no_default_updates or ()))
    updates = list(updates)
    while True:
        targets = {id(t) for t, _ in updates}
        added = [
            (sv, sv.default_update)
            for sv in shared_inputs([*outputs, *(e for _, e in updates)], blockers)
            if sv.default_update is not None and id(sv) not in targets and id(sv) not in excluded
        ]
        if not added:
            return updates
        added = check_updates(added)
        if rebuild is not None:
            new_exprs = rebuild([e for _, e in added])
            added = [(sv, e) for (sv, _), e in zip(added, new_exprs, strict=True)]
        updates.extend(added)


def rebuild(
    in_specs: list[In],
    out_specs: list[Out],
    updates: list[tuple[Any, Any]],
    givens: list[tuple[Any, Any]],
    no_default_updates: bool | Sequence[Variable],
    rebuild_strict: bool,
) -> tuple[list[tuple[SharedVariable, Variable]], list[SharedVariable]]:
    """Apply ``givens`` to the outputs, updates and ``In`` updates, add default updates.

    The outputs, explicit updates and ``In`` updates are rebuilt together, so
    the structure they share stays shared; ``out_specs`` and ``in_specs`` are
    changed in place to hold the rebuilt variables.

    Parameters
    ----------
    in_specs, out_specs : list of In, list of Out
    updates, givens : list of pairs
        As :func:`as_pairs` returns them.
    no_default_updates : bool or sequence of Variable
    rebuild_strict : bool

    Returns
    -------
    update_pairs : list of (SharedVariable, Variable)
        The checked updates, default updates included.
    shared : list of SharedVariable
        The implicit inputs, in order of first appearance (updated ones last).
    """
    update_pairs = check_updates(updates)
    n_out = len(out_specs)
    with_update = [spec for spec in in_specs if spec.update is not None]
    rebuilt = apply_givens(
        [o.variable for o in out_specs]
        + [e for _, e in update_pairs]
        + [spec.update for spec in with_update],
        givens,
        rebuild_strict,
    )
    for spec, var in zip(out_specs, rebuilt[:n_out], strict=True):
        spec.variable = var
    n_upd = len(update_pairs)
    update_pairs = [(sv, e) for (sv, _), e in zip(update_pairs, rebuilt[n_out:], strict=False)]
    for spec, var in zip(with_update, rebuilt[n_out + n_upd :], strict=True):
        spec.update = var
    graph_outputs = [o.variable for o in out_specs] + [spec.update for spec in with_update]
    explicit_vars = [spec.variable for spec in in_specs]
    update_pairs = add_default_updates(
        graph_outputs,
        update_pairs,
        no_default_updates,
        lambda exprs: apply_givens(exprs, givens, rebuild_strict),
        explicit_vars,
    )
    shared = shared_inputs(graph_outputs + [e for _, e in update_pairs], explicit_vars)
    for sv, _ in update_pairs:
        if sv not in shared:
            shared.append(sv)
    explicit = {id(spec.variable) for spec in in_specs}
    return update_pairs, [sv for sv in shared if id(sv) not in explicit]
