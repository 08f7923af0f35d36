"""The tensor language, with PyTensor's names: ``import graph2jax.tensor as pt`` ports a script.

Each op family module exports its public functions through ``__all__``.
"""

from numpy import e, euler_gamma, inf, nan, newaxis, pi  # as pytensor.tensor

# PyTensor's path graph2jax.tensor.shape, loaded first: the star import of graph2jax.ops.shape
# below then makes the name ``shape`` the function again, as ``pytensor.tensor.shape``
import graph2jax.tensor.shape
from graph2jax.gradient import consider_constant, grad, hessian, jacobian  # as pytensor.tensor
from graph2jax.ops.axes import *
from graph2jax.ops.blas import *
from graph2jax.ops.broadcast import *
from graph2jax.ops.comparison import *
from graph2jax.ops.contractions import *
from graph2jax.ops.creation import *
from graph2jax.ops.diagonal import *
from graph2jax.ops.elemwise import *
from graph2jax.ops.extra import *
from graph2jax.ops.eye import *
from graph2jax.ops.indices import *
from graph2jax.ops.join import *
from graph2jax.ops.math import *
from graph2jax.ops.math_special import *
from graph2jax.ops.nonzero import *
from graph2jax.ops.ranges import *
from graph2jax.ops.reduce import *
from graph2jax.ops.reshape import *
from graph2jax.ops.scalar import *
from graph2jax.ops.shape import *
from graph2jax.ops.sort import *
from graph2jax.ops.statistics import *
from graph2jax.ops.subtensor import *
from graph2jax.ops.unique import *
from graph2jax.tensor import (
    basic,
    linalg,
    math,
    nlinalg,
    random,
    sharedvar,
    slinalg,
    special,
    type,
    variable,
)
from graph2jax.tensor.special import logsumexp  # pt.logsumexp, as PyTensor
from graph2jax.types.as_tensor import as_tensor, as_tensor_variable, constant, stacklists
from graph2jax.types.sharedvar import TensorSharedVariable
from graph2jax.types.tensor_type import *
from graph2jax.types.variable import TensorConstant, TensorVariable
