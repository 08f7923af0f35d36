"""PyTensor's path for ``Container``, ``Linker`` and ``PerformLinker``: ``graph2jax.link.basic``."""

from graph2jax.compile.container import Container
from graph2jax.compile.linkers import Linker, PerformLinker

__all__ = ["Container", "Linker", "PerformLinker"]
