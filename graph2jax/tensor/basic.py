"""PyTensor's path ``pytensor.tensor.basic``: re-exports :mod:`graph2jax.types.as_tensor`,
and the rest of :mod:`graph2jax.tensor` (``alloc``, ``arange``, ``fill``, ``cast``, ...) that
PyTensor's module holds. As there, ``fill`` and ``second`` are the op itself (an instance of
:class:`~graph2jax.ops.creation.Fill`, called as ``fill(model, value)``), so
``node.op == fill`` tells a fill node."""

from typing import Any

from graph2jax.ops.creation import Fill
from graph2jax.types import as_tensor as _impl
from graph2jax.types.as_tensor import *  # noqa: F403

fill = second = Fill()


def __getattr__(name: str) -> Any:
    if hasattr(_impl, name):
        return getattr(_impl, name)  # the names outside __all__ too
    import graph2jax.tensor  # the user's namespace, at call time (it imports this module)

    try:
        return getattr(graph2jax.tensor, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
