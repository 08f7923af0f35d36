"""What PyTensor's module paths under ``pytensor.tensor`` share here: a module re-exporting
one implementation module reaches the rest of :mod:`graph2jax.tensor` at call time."""

from collections.abc import Callable
from types import ModuleType
from typing import Any


def fallback(impl: ModuleType, module: str) -> Callable[[str], Any]:
    """The ``__getattr__`` of the path ``module``: ``impl``'s names (those outside its
    ``__all__`` too), then the user's namespace :mod:`graph2jax.tensor`."""

    def __getattr__(name: str) -> Any:
        if hasattr(impl, name):
            return getattr(impl, name)
        import graph2jax.tensor  # the user's namespace, at call time (it imports the path)

        try:
            return getattr(graph2jax.tensor, name)
        except AttributeError:
            raise AttributeError(f"module {module!r} has no attribute {name!r}") from None

    return __getattr__
