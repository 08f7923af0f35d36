"""PyTensor's ``pytensor.tensor.linalg`` namespace: ``import graph2jax.tensor.linalg as la``."""

from graph2jax.ops.linalg import cholesky, det, inv, matrix_inverse, slogdet
from graph2jax.ops.linalg_decomp import eigh, pinv, qr, svd
from graph2jax.ops.linalg_norm import norm
from graph2jax.ops.linalg_solve import cho_solve, solve, solve_triangular

__all__ = [
    "cho_solve",
    "cholesky",
    "det",
    "eigh",
    "inv",
    "matrix_inverse",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_triangular",
    "svd",
]
