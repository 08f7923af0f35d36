"""PyTensor's path for ``shared``: ``graph2jax.compile.sharedvalue``."""

from graph2jax.types.sharedvar import SharedVariable, shared, shared_constructor

__all__ = ["SharedVariable", "shared", "shared_constructor"]
