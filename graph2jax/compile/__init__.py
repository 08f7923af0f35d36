"""Compiling graphs: ``function``, ``In``/``Out``, modes and the ``Function`` shell."""

from graph2jax.compile.debugmode import BadThunkOutput, DebugModeError
from graph2jax.compile.function import function, function_dump
from graph2jax.compile.function_shell import Function
from graph2jax.compile.io import In, Out
from graph2jax.compile.mode import Mode, get_default_mode, get_mode
from graph2jax.compile.monitormode import MonitorMode
from graph2jax.compile.profiling import ProfileStats
from graph2jax.graph.errors import MissingInputError, UnusedInputError
from graph2jax.linker.compiled import RecompileWarning
from graph2jax.types import random_type  # noqa: F401  (registers shared(Generator): it imports sharedvar)
from graph2jax.types.sharedvar import SharedVariable, shared

__all__ = [
    "MonitorMode",
    "BadThunkOutput",
    "DebugModeError",
    "Function",
    "In",
    "Mode",
    "Out",
    "ProfileStats",
    "RecompileWarning",
    "SharedVariable",
    "function",
    "function_dump",
    "get_default_mode",
    "get_mode",
    "MissingInputError",
    "UnusedInputError",
    "shared",
]
