"""PyTensor's ``pytensor.graph.replace`` path: graph substitution (``clone_replace``,
``graph_replace``, ``vectorize_graph``)."""

from graph2jax.graph.basic import clone_replace, graph_replace


def __getattr__(name: str):
    # vectorize_graph is built on the ops (Blockwise), a layer above the IR: resolved on first use
    if name == "vectorize_graph":
        from graph2jax.ops.blockwise import vectorize_graph

        return vectorize_graph
    raise AttributeError(f"module 'graph2jax.graph.replace' has no attribute {name!r}")


__all__ = ["clone_replace", "graph_replace", "vectorize_graph"]  # noqa: F822 (resolved lazily)
