"""PyTensor's path ``pytensor.tensor.shape``: re-exports :mod:`graph2jax.ops.shape`, and the
rest of :mod:`graph2jax.tensor` that PyTensor's module holds (``reshape``, ``shape_padleft``,
...). ``graph2jax.tensor.shape`` itself stays the function, as ``pytensor.tensor.shape``:
``from graph2jax.tensor.shape import specify_shape`` reaches this module."""

from graph2jax.ops import shape as _impl
from graph2jax.ops.shape import *  # noqa: F403
from graph2jax.tensor.paths import fallback

__getattr__ = fallback(_impl, __name__)
