"""The graph IR: variables, apply nodes, ops, function graphs and traversal."""

from graph2jax.graph.basic import (
    Apply,
    Constant,
    Op,
    Type,
    Variable,
    ancestors,
    graph_inputs,
    toposort,
)
from graph2jax.graph.errors import MissingInputError, UnusedInputError
from graph2jax.graph.fg import FunctionGraph
from graph2jax.graph.replace import clone_replace, graph_replace


def __getattr__(name: str):
    # rewrite_graph lives with the rewrite engine (a layer above the IR); resolved on first use
    if name == "rewrite_graph":
        from graph2jax.rewrite.engine import rewrite_graph

        return rewrite_graph
    if name == "vectorize_graph":  # built on the ops (Blockwise), also a layer above the IR
        from graph2jax.ops.blockwise import vectorize_graph

        return vectorize_graph
    raise AttributeError(f"module 'graph2jax.graph' has no attribute {name!r}")


__all__ = [
    "Apply",
    "Constant",
    "FunctionGraph",
    "MissingInputError",
    "Op",
    "Type",
    "UnusedInputError",
    "Variable",
    "ancestors",
    "clone_replace",
    "graph_inputs",
    "graph_replace",
    "rewrite_graph",
    "toposort",
    "vectorize_graph",
]
