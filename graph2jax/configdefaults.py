"""PyTensor's path ``pytensor.configdefaults``: ``from graph2jax.configdefaults import config``."""

from graph2jax.config import config

__all__ = ["config"]
