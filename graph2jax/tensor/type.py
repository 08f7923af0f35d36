"""PyTensor's path ``pytensor.tensor.type``: re-exports :mod:`graph2jax.types.tensor_type`."""

from typing import Any

from graph2jax.types import tensor_type as _impl
from graph2jax.types.tensor_type import *  # noqa: F403


def __getattr__(name: str) -> Any:
    return getattr(_impl, name)  # the names outside __all__ too
