"""``graph2jax.scan.op``: PyTensor's path of the :class:`Scan` op class."""

from __future__ import annotations

from graph2jax.ops.scan.op import Scan

__all__ = ["Scan"]
