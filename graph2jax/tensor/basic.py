"""PyTensor's path ``pytensor.tensor.basic``: re-exports :mod:`graph2jax.types.as_tensor`."""

from typing import Any

from graph2jax.types import as_tensor as _impl
from graph2jax.types.as_tensor import *  # noqa: F403


def __getattr__(name: str) -> Any:
    return getattr(_impl, name)  # the names outside __all__ too
