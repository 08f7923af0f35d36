"""PyTensor's path ``pytensor.graph.op``: re-exports :class:`~graph2jax.graph.basic.Op`."""

from graph2jax.graph.basic import Op

__all__ = ["Op"]
