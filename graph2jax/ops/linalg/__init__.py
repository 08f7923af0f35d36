"""The linear-algebra op family, one module per concept: :mod:`~graph2jax.ops.linalg._common`
(the family's helpers), :mod:`~graph2jax.ops.linalg.basic` (inverses, determinants,
Cholesky), :mod:`~graph2jax.ops.linalg.solve` (linear solvers, least squares),
:mod:`~graph2jax.ops.linalg.decomp` (eigen, singular value, QR and Schur decompositions),
:mod:`~graph2jax.ops.linalg.lu` (LU factorization), :mod:`~graph2jax.ops.linalg.matfuncs`
(functions of matrices, norms) and :mod:`~graph2jax.ops.linalg.equations` (Sylvester and
Lyapunov equations). The user's namespace is :mod:`graph2jax.tensor.linalg`.
"""
