"""PyTensor's path ``pytensor.graph.null_type``: re-exports :class:`~graph2jax.graph.gradtypes.NullType`."""

from graph2jax.graph.gradtypes import NullType

__all__ = ["NullType"]
