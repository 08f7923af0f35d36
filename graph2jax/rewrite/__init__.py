"""Graph rewrites applied by ``function`` before linking (see :mod:`graph2jax.rewrite.engine`)."""

from graph2jax.rewrite.engine import (
    REWRITES,
    LocalRewrite,
    register,
    rewrite_fgraph,
    rewrite_graph,
    selected_rewrites,
    stabilized,
)

__all__ = [
    "REWRITES",
    "LocalRewrite",
    "register",
    "rewrite_fgraph",
    "rewrite_graph",
    "selected_rewrites",
    "stabilized",
]
