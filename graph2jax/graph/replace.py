"""PyTensor's ``pytensor.graph.replace`` path: graph substitution (``clone_replace``, ``graph_replace``)."""

from graph2jax.graph.basic import clone_replace, graph_replace

__all__ = ["clone_replace", "graph_replace"]
