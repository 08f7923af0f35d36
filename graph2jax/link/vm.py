"""PyTensor's path for ``VMLinker``: ``graph2jax.link.vm``."""

from graph2jax.compile.linkers import VMLinker

__all__ = ["VMLinker"]
