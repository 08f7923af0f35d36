"""``graph2jax.scan.utils``: PyTensor's path of :class:`until`."""

from __future__ import annotations

from graph2jax.ops.scan.build import until

__all__ = ["until"]
