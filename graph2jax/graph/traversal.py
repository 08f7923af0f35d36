"""PyTensor's path ``pytensor.graph.traversal``: the graph walks of :mod:`graph2jax.graph.basic`."""

from graph2jax.graph.basic import ancestors, graph_inputs, toposort

__all__ = ["ancestors", "graph_inputs", "toposort"]
