"""PyTensor's ``pytensor.ifelse``: lazy conditional evaluation (see :mod:`graph2jax.ops.ifelse`)."""

from __future__ import annotations

from graph2jax.ops.ifelse import IfElse, ifelse

__all__ = ["IfElse", "ifelse"]
