"""Loops, at PyTensor's paths: ``graph2jax.scan(fn, ...)``, ``graph2jax.scan.scan``, ``until``.

As ``pytensor.scan`` is both the function and the package, this module is
callable: calling it calls :func:`graph2jax.scan.basic.scan`.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from graph2jax.scan.basic import scan
from graph2jax.scan.utils import until
from graph2jax.scan.views import foldl, foldr, map, reduce


class _CallableModule(types.ModuleType):
    """The module type of ``graph2jax.scan``: calling the module calls ``scan``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return scan(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["foldl", "foldr", "map", "reduce", "scan", "until"]
