"""Linkers: the dispatch registry, the JAX linker and the numpy reference linker."""

from graph2jax.linker.dispatch import jax_funcify, unsupported_ops
from graph2jax.linker.jax_linker import LinkedFunction, link
from graph2jax.linker.numpy_linker import link_numpy

__all__ = ["LinkedFunction", "jax_funcify", "link", "link_numpy", "unsupported_ops"]
