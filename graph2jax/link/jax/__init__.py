"""PyTensor's path for ``JAXLinker``: ``graph2jax.link.jax``."""

from graph2jax.compile.linkers import JAXLinker

__all__ = ["JAXLinker"]
