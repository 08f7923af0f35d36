"""PyTensor's ``pytensor.tensor.nlinalg`` path (numpy.linalg-style functions): re-exports."""

from graph2jax.ops.linalg.basic import det, matrix_inverse, pinv, slogdet
from graph2jax.ops.linalg.decomp import eig, eigh, qr, svd
from graph2jax.ops.linalg.matfuncs import (
    kron,
    matrix_dot,
    matrix_power,
    norm,
    tensorinv,
    tensorsolve,
    trace,
)
from graph2jax.ops.linalg.solve import lstsq

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
