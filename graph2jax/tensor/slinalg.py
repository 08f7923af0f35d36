"""PyTensor's ``pytensor.tensor.slinalg`` path (scipy.linalg-style functions): re-exports."""

from graph2jax.ops.linalg.basic import cholesky
from graph2jax.ops.linalg.decomp import schur
from graph2jax.ops.linalg.equations import (
    solve_continuous_lyapunov,
    solve_discrete_lyapunov,
    solve_sylvester,
)
from graph2jax.ops.linalg.lu import lu, lu_factor, lu_solve, pivot_to_permutation
from graph2jax.ops.linalg.matfuncs import block_diag, eigvalsh, expm
from graph2jax.ops.linalg.solve import cho_solve, solve, solve_triangular

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
