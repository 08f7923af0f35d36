"""The graph IR: variables, apply nodes, ops, function graphs and traversal."""

from graph2jax.graph.basic import (
    Apply,
    Constant,
    Op,
    Type,
    Variable,
    ancestors,
    clone_replace,
    graph_inputs,
    graph_replace,
    toposort,
)
from graph2jax.graph.errors import MissingInputError, UnusedInputError
from graph2jax.graph.fg import FunctionGraph

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
    "toposort",
]
