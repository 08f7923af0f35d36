"""PyTensor's path ``pytensor.tensor.random.type``: the generator type."""

from graph2jax.types.random_type import RandomGeneratorType, random_generator_type

__all__ = ["RandomGeneratorType", "random_generator_type"]
