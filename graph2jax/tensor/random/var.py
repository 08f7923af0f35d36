"""PyTensor's path ``pytensor.tensor.random.var``: the shared generator variable."""

from graph2jax.types.random_type import (
    RandomGeneratorSharedVariable,
    RandomGeneratorVariable,
    rng,
    shared_rng,
)

__all__ = ["RandomGeneratorSharedVariable", "RandomGeneratorVariable", "rng", "shared_rng"]
