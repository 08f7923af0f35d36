"""Graph substitution, PyTensor's ``pytensor.graph.replace``: ``clone_replace``,
``graph_replace`` and (resolved on first use) ``vectorize_graph``."""

from __future__ import annotations

from typing import Any

from graph2jax.graph.basic import Variable, _clone_with_memo


def clone_replace(outputs: Any, replace: Any = None, rebuild_strict: bool = True) -> Any:
    """Copy the graph of ``outputs`` with the substitutions ``replace`` applied.

    Parameters
    ----------
    outputs : Variable or list of Variable
    replace : dict or list of pairs
        ``{old: new}``: ``new`` stands for ``old`` in the copy.
    rebuild_strict : bool
        When False a replacement may change a type, and the nodes after it are
        rebuilt with ``make_node`` (their output types may change too).

    Returns
    -------
    The copied output(s), in the form they were given.
    """
    single = isinstance(outputs, Variable)
    outs = [outputs] if single else list(outputs)
    pairs = list(replace.items()) if isinstance(replace, dict) else list(replace or [])
    memo: dict[int, Variable] = {}
    for old, new in pairs:
        memo[id(old)] = _as_variable_like(new, old)
    copied = _clone_with_memo(outs, memo, rebuild_strict, copy_inputs=False)
    return copied[0] if single else copied


def graph_replace(outputs: Any, replace: Any, strict: bool = True) -> Any:
    """Replace variables anywhere in the graph of ``outputs`` (which are copied).

    Unlike :func:`clone_replace`, a replaced variable may be an intermediate
    result; the keys need not be inputs. ``strict=True`` requires that each
    replacement has the type of the variable it replaces.
    """
    pairs = list(replace.items()) if isinstance(replace, dict) else list(replace)
    if strict:
        pairs = [
            (old, old.type.replacement(old, _as_variable_like(new, old))) for old, new in pairs
        ]
    return clone_replace(outputs, pairs, rebuild_strict=strict)


def _as_variable_like(value: Any, like: Variable) -> Variable:
    return value if isinstance(value, Variable) else like.type.make_constant(value)


def __getattr__(name: str):
    # vectorize_graph is built on the ops (Blockwise), a layer above the IR: resolved on first use
    if name == "vectorize_graph":
        from graph2jax.ops.blockwise import vectorize_graph

        return vectorize_graph
    raise AttributeError(f"module 'graph2jax.graph.replace' has no attribute {name!r}")


__all__ = ["clone_replace", "graph_replace", "vectorize_graph"]  # noqa: F822 (resolved lazily)
