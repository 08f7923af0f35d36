"""PyTensor's path ``pytensor.tensor.random.utils``: ``RandomStream``."""

from graph2jax.ops.random.stream import RandomStream

__all__ = ["RandomStream"]
