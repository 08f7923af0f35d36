"""PyTensor's ``pytensor.tensor.slinalg`` path (scipy.linalg-style functions): re-exports."""

from graph2jax.ops.linalg import cholesky
from graph2jax.ops.linalg_solve import cho_solve, solve, solve_triangular

__all__ = ["cho_solve", "cholesky", "solve", "solve_triangular"]
