"""``graph2jax.scan.basic``: PyTensor's path of :func:`scan`."""

from __future__ import annotations

from graph2jax.ops.scan.build import scan

__all__ = ["scan"]
