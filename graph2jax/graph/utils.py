"""PyTensor's path for the graph exceptions: ``graph2jax.graph.utils``."""

from graph2jax.graph.errors import MissingInputError

__all__ = ["MissingInputError"]
