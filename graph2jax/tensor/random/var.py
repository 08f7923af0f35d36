"""PyTensor's path ``pytensor.tensor.random.var``: the shared generator variable."""

from graph2jax.types.random_type import RandomGeneratorSharedVariable

__all__ = ["RandomGeneratorSharedVariable"]
