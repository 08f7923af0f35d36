"""PyTensor's path for ``CLinker`` and ``OpWiseCLinker``: ``graph2jax.link.c.basic``."""

from graph2jax.compile.linkers import CLinker, OpWiseCLinker

__all__ = ["CLinker", "OpWiseCLinker"]
