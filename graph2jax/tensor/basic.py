"""PyTensor's path ``pytensor.tensor.basic``: re-exports :mod:`graph2jax.types.as_tensor`,
and the rest of :mod:`graph2jax.tensor` (``alloc``, ``arange``, ``fill``, ``cast``, ...) that
PyTensor's module holds."""

from typing import Any

from graph2jax.types import as_tensor as _impl
from graph2jax.types.as_tensor import *  # noqa: F403


def __getattr__(name: str) -> Any:
    if hasattr(_impl, name):
        return getattr(_impl, name)  # the names outside __all__ too
    import graph2jax.tensor  # the user's namespace, at call time (it imports this module)

    try:
        return getattr(graph2jax.tensor, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
