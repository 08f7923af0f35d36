"""Loops: the :class:`Scan` op, its builder :func:`scan` and its gradient.

``op`` holds the op (numpy reference and ``jax.lax.scan`` implementation),
``build`` turns PyTensor's ``scan`` arguments into a node, ``grad`` builds
the backward scan. The user's paths are :mod:`graph2jax.scan`.
"""

from __future__ import annotations

from graph2jax.ops.scan.build import scan, until
from graph2jax.ops.scan.op import Scan

__all__ = ["Scan", "scan", "until"]
