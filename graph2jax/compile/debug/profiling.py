"""PyTensor 3's path of :class:`~graph2jax.compile.profiling.ProfileStats`."""

from graph2jax.compile.profiling import ProfileStats

__all__ = ["ProfileStats"]
