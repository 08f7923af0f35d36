"""PyTensor's path for ``Linker`` and ``PerformLinker``: ``graph2jax.link.basic``."""

from graph2jax.compile.linkers import Linker, PerformLinker

__all__ = ["Linker", "PerformLinker"]
