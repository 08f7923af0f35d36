"""graph2jax: PyTensor's symbolic graph API, compiled to JAX.

``import graph2jax as pytensor`` and ``import graph2jax.tensor as pt`` port a
PyTensor script. Importing graph2jax turns on JAX's 64-bit mode (see
:mod:`graph2jax.config`).
"""

from graph2jax import tensor
from graph2jax.compile import Function, In, Mode, Out, function, function_dump, get_mode, shared
from graph2jax.compile.profiling import ProfileStats
from graph2jax.config import config
from graph2jax.gradient import (
    DisconnectedInputError,
    GradientError,
    Lop,
    NullTypeGradError,
    Rop,
    grad,
    hessian,
    jacobian,
)
from graph2jax.graph import Variable, clone_replace, graph_replace
from graph2jax.graph.errors import MissingInputError, UnusedInputError
from graph2jax.linker.dispatch import unsupported_ops
from graph2jax.printing import dprint, pp
from graph2jax.types.sharedvar import SharedVariable

__version__ = "0.1.0"
