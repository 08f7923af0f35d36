"""PyTensor's path ``pytensor.tensor.variable``: re-exports :mod:`graph2jax.types.variable`."""

from typing import Any

from graph2jax.types import variable as _impl
from graph2jax.types.variable import *  # noqa: F403


def __getattr__(name: str) -> Any:
    return getattr(_impl, name)  # the names outside __all__ too
