"""PyTensor's ``pytensor.tensor.linalg`` namespace: ``import graph2jax.tensor.linalg as la``."""

from graph2jax.ops.linalg import cholesky, det, inv, matrix_inverse, slogdet
from graph2jax.ops.linalg_decomp import eigh, pinv, qr, svd
from graph2jax.ops.linalg_eig import (
    eig,
    schur,
    solve_continuous_lyapunov,
    solve_discrete_lyapunov,
    solve_sylvester,
)
from graph2jax.ops.linalg_lstsq import lstsq
from graph2jax.ops.linalg_lu import expm, lu, lu_factor, lu_solve, pivot_to_permutation
from graph2jax.ops.linalg_norm import norm
from graph2jax.ops.linalg_products import (
    block_diag,
    eigvalsh,
    kron,
    matrix_dot,
    matrix_power,
    tensorinv,
    tensorsolve,
    trace,
)
from graph2jax.ops.linalg_solve import cho_solve, solve, solve_triangular

__all__ = [
    "block_diag",
    "cho_solve",
    "cholesky",
    "det",
    "eig",
    "eigh",
    "eigvalsh",
    "expm",
    "inv",
    "kron",
    "lstsq",
    "lu",
    "lu_factor",
    "lu_solve",
    "matrix_dot",
    "matrix_inverse",
    "matrix_power",
    "norm",
    "pinv",
    "pivot_to_permutation",
    "qr",
    "schur",
    "slogdet",
    "solve",
    "solve_continuous_lyapunov",
    "solve_discrete_lyapunov",
    "solve_sylvester",
    "solve_triangular",
    "svd",
    "tensorinv",
    "tensorsolve",
    "trace",
]
