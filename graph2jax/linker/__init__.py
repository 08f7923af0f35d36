"""Linkers: the dispatch registry, the JAX linker, the numpy reference linker and their compiled callables."""

from graph2jax.linker.compiled import Compiled, JaxCompiled
from graph2jax.linker.dispatch import jax_funcify, unsupported_ops
from graph2jax.linker.jax_linker import link
from graph2jax.linker.numpy_linker import NumpyCompiled, link_numpy

__all__ = [
    "Compiled",
    "JaxCompiled",
    "NumpyCompiled",
    "jax_funcify",
    "link",
    "link_numpy",
    "unsupported_ops",
]
