"""PyTensor's path ``pytensor.tensor.basic``: re-exports :mod:`graph2jax.types.as_tensor`,
and the rest of :mod:`graph2jax.tensor` (``alloc``, ``arange``, ``fill``, ``cast``, ...) that
PyTensor's module holds. As there, ``fill`` and ``second`` are the op itself (an instance of
:class:`~graph2jax.ops.creation.Fill`, called as ``fill(model, value)``), so
``node.op == fill`` tells a fill node."""

from graph2jax.ops.creation import Fill
from graph2jax.tensor.paths import fallback
from graph2jax.types import as_tensor as _impl
from graph2jax.types.as_tensor import *  # noqa: F403

fill = second = Fill()

__getattr__ = fallback(_impl, __name__)
