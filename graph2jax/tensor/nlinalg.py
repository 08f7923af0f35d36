"""PyTensor's ``pytensor.tensor.nlinalg`` path (numpy.linalg-style functions): re-exports."""

from graph2jax.ops.linalg import det, matrix_inverse, slogdet
from graph2jax.ops.linalg_decomp import eigh, pinv, qr, svd
from graph2jax.ops.linalg_eig import eig
from graph2jax.ops.linalg_lstsq import lstsq
from graph2jax.ops.linalg_norm import norm
from graph2jax.ops.linalg_products import (
    kron,
    matrix_dot,
    matrix_power,
    tensorinv,
    tensorsolve,
    trace,
)

__all__ = [
    "det",
    "eig",
    "eigh",
    "kron",
    "lstsq",
    "matrix_dot",
    "matrix_inverse",
    "matrix_power",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "svd",
    "tensorinv",
    "tensorsolve",
    "trace",
]
