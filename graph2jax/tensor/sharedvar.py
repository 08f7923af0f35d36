"""PyTensor's path ``pytensor.tensor.sharedvar``: re-exports :mod:`graph2jax.types.sharedvar`."""

from typing import Any

from graph2jax.types import sharedvar as _impl
from graph2jax.types.sharedvar import *  # noqa: F403


def __getattr__(name: str) -> Any:
    return getattr(_impl, name)  # the names outside __all__ too
