"""PyTensor's path ``pytensor.tensor.random.basic``: the distributions and the op."""

from graph2jax.ops.random.basic import RandomVariable  # noqa: F401
from graph2jax.ops.random.continuous import *  # noqa: F403
from graph2jax.ops.random.discrete import *  # noqa: F403
