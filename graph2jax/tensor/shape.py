"""PyTensor's path ``pytensor.tensor.shape``: re-exports :mod:`graph2jax.ops.shape`, and the
rest of :mod:`graph2jax.tensor` that PyTensor's module holds (``reshape``, ``shape_padleft``,
...). ``graph2jax.tensor.shape`` itself stays the function, as ``pytensor.tensor.shape``:
``from graph2jax.tensor.shape import specify_shape`` reaches this module."""

from typing import Any

from graph2jax.ops import shape as _impl
from graph2jax.ops.shape import *  # noqa: F403


def __getattr__(name: str) -> Any:
    if hasattr(_impl, name):
        return getattr(_impl, name)  # the names outside __all__ too
    import graph2jax.tensor  # the user's namespace, at call time (it imports this module)

    try:
        return getattr(graph2jax.tensor, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
