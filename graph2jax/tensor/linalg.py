"""PyTensor's ``pytensor.tensor.linalg`` namespace: ``import graph2jax.tensor.linalg as la``."""

from graph2jax.ops.linalg import cholesky, det, inv, matrix_inverse, slogdet, solve
from graph2jax.ops.linalg_decomp import eigh, pinv, qr, svd
from graph2jax.ops.linalg_norm import norm

__all__ = [
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
    "svd",
]
