"""``function``, ``function_dump`` and ``pfunc`` at PyTensor's path ``pytensor.compile.function``."""

from graph2jax.compile.function.basic import function, function_dump
from graph2jax.compile.function.pfunc import pfunc
from graph2jax.compile.io import In, Out
from graph2jax.compile.profiling import ProfileStats
from graph2jax.graph.errors import UnusedInputError

__all__ = [
    "In",
    "Out",
    "ProfileStats",
    "UnusedInputError",
    "function",
    "function_dump",
    "pfunc",
]
