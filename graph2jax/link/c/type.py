"""PyTensor's path for the generic type of any python object: ``graph2jax.link.c.type``."""

from graph2jax.types.sharedvar import GenericType, generic

__all__ = ["GenericType", "generic"]
