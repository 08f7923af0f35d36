"""The tensor language, with PyTensor's names: ``import graph2jax.tensor as pt`` ports a script.

Each op family module exports its public functions through ``__all__``.
"""

from graph2jax.ops.elemwise import *
from graph2jax.ops.shape import *
from graph2jax.tensor.basic import as_tensor_variable, constant
from graph2jax.tensor.sharedvar import TensorSharedVariable
from graph2jax.tensor.type import *
from graph2jax.tensor.variable import TensorConstant, TensorVariable
