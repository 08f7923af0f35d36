"""PyTensor's ``pytensor.tensor.special`` namespace: softmax and its relatives, and the
special functions PyTensor keeps there (``beta``, ``logit``, ``xlogy`` ...)."""

from graph2jax.ops.math_special import xlog1py, xlogy
from graph2jax.ops.special import *
from graph2jax.ops.special import __all__ as _special

__all__ = [*_special, "xlog1py", "xlogy"]
