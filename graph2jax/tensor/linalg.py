"""PyTensor's ``pytensor.tensor.linalg`` namespace: ``import graph2jax.tensor.linalg as la``.

It is the union of :mod:`graph2jax.tensor.nlinalg` and :mod:`graph2jax.tensor.slinalg`, plus
``inv`` (PyTensor's name for ``matrix_inverse`` here).
"""

from graph2jax.ops.linalg.basic import inv
from graph2jax.tensor import nlinalg, slinalg
from graph2jax.tensor.nlinalg import *
from graph2jax.tensor.slinalg import *

__all__ = sorted({*nlinalg.__all__, *slinalg.__all__, "inv"})
