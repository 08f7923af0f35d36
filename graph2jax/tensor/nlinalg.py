"""PyTensor's ``pytensor.tensor.nlinalg`` path (numpy.linalg-style functions): re-exports."""

from graph2jax.ops.linalg import det, matrix_inverse, slogdet
from graph2jax.ops.linalg_decomp import eigh, pinv, qr, svd
from graph2jax.ops.linalg_norm import norm

__all__ = ["det", "eigh", "matrix_inverse", "norm", "pinv", "qr", "slogdet", "svd"]
