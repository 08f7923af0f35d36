"""PyTensor's path for the compiled function's class: ``graph2jax.compile.function.types``."""

from graph2jax.compile.container import Container
from graph2jax.compile.function_shell import DUPLICATE, Function
from graph2jax.compile.maker import FunctionMaker
from graph2jax.graph.errors import UnusedInputError

__all__ = ["DUPLICATE", "Container", "Function", "FunctionMaker", "UnusedInputError"]
