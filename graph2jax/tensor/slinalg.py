"""PyTensor's ``pytensor.tensor.slinalg`` path (scipy.linalg-style functions): re-exports."""

from graph2jax.ops.linalg import cholesky
from graph2jax.ops.linalg_eig import (
    schur,
    solve_continuous_lyapunov,
    solve_discrete_lyapunov,
    solve_sylvester,
)
from graph2jax.ops.linalg_lu import expm, lu, lu_factor, lu_solve, pivot_to_permutation
from graph2jax.ops.linalg_products import block_diag, eigvalsh
from graph2jax.ops.linalg_solve import cho_solve, solve, solve_triangular

__all__ = [
    "block_diag",
    "cho_solve",
    "cholesky",
    "eigvalsh",
    "expm",
    "lu",
    "lu_factor",
    "lu_solve",
    "pivot_to_permutation",
    "schur",
    "solve",
    "solve_continuous_lyapunov",
    "solve_discrete_lyapunov",
    "solve_sylvester",
    "solve_triangular",
]
