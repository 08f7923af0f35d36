"""Linear matrix equations: ``solve_sylvester``, ``solve_continuous_lyapunov`` and
``solve_discrete_lyapunov``.

Each is a graph: the Kronecker-product linear system of the equation, solved by
:func:`~graph2jax.ops.linalg.solve.solve`, so they run on any device and their gradients
follow; the system has ``(n m)**2`` entries, which suits the small matrices (up to a few dozen
rows) they are used with.
"""

from __future__ import annotations

from typing import Any

from graph2jax.ops.elemwise import cast
from graph2jax.ops.eye import eye
from graph2jax.ops.linalg._common import _matrix_input, _mT, linalg_dtype
from graph2jax.ops.linalg.matfuncs import _kron_axes
from graph2jax.ops.linalg.solve import solve
from graph2jax.ops.math import conj
from graph2jax.ops.reshape import reshape
from graph2jax.ops.shape import static_or_symbolic_length
from graph2jax.types.tensor_type import complex_dtypes
from graph2jax.types.variable import TensorVariable


def _vec(x: TensorVariable) -> TensorVariable:
    """Each matrix of ``x`` flattened row-major."""
    return reshape(
        x,
        [
            *(static_or_symbolic_length(x, k) for k in range(x.ndim - 2)),
            static_or_symbolic_length(x, -2) * static_or_symbolic_length(x, -1),
        ],
    )


def _unvec(x: TensorVariable, like: TensorVariable) -> TensorVariable:
    return reshape(
        x,
        [
            *(static_or_symbolic_length(x, k) for k in range(x.ndim - 1)),
            static_or_symbolic_length(like, -2),
            static_or_symbolic_length(like, -1),
        ],
    )


def _float_matrices(name: str, *xs: Any) -> list[TensorVariable]:
    xs_ = [_matrix_input(name, x, square=False) for x in xs]
    dtype = linalg_dtype(*(x.dtype for x in xs_))
    return [cast(x, dtype) if x.dtype != dtype else x for x in xs_]


def solve_sylvester(A: Any, B: Any, Q: Any) -> TensorVariable:
    """``X`` with ``A @ X + X @ B == Q`` (``A`` (M, M), ``B`` (N, N), ``Q`` (M, N)), batched.

    Solved as the ``M N`` x ``M N`` system ``(A (x) I + I (x) B.T) vec(X) = vec(Q)``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, b, q = gt.dmatrix("a"), gt.dmatrix("b"), gt.dmatrix("q")
    >>> x = gt.linalg.solve_sylvester(a, b, q)
    >>> x.eval({a: np.eye(2), b: np.eye(2), q: 4 * np.eye(2)})
    array([[2., 0.],
           [0., 2.]])
    """
    A, B, Q = _float_matrices("solve_sylvester", A, B, Q)
    eye_m = eye(static_or_symbolic_length(A, -1), dtype=A.dtype)
    eye_n = eye(static_or_symbolic_length(B, -1), dtype=B.dtype)
    system = _kron_axes(A, eye_n, 2) + _kron_axes(eye_m, _mT(B), 2)
    return _unvec(solve(system, _vec(Q), b_ndim=1), Q)


def solve_continuous_lyapunov(A: Any, Q: Any) -> TensorVariable:
    """``X`` with ``A @ X + X @ A^H == Q``, as ``scipy.linalg.solve_continuous_lyapunov``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, q = gt.dmatrix("a"), gt.dmatrix("q")
    >>> gt.linalg.solve_continuous_lyapunov(a, q).eval({a: np.eye(2), q: np.eye(2)})
    array([[0.5, 0. ],
           [0. , 0.5]])
    """
    A, Q = _float_matrices("solve_continuous_lyapunov", A, Q)
    return solve_sylvester(A, conj(_mT(A)) if A.dtype in complex_dtypes else _mT(A), Q)


def solve_discrete_lyapunov(A: Any, Q: Any, method: str = "bilinear") -> TensorVariable:
    """``X`` with ``A @ X @ A^H - X + Q == 0``, as ``scipy.linalg.solve_discrete_lyapunov``.

    Both ``method`` values ('direct', 'bilinear') solve the same
    Kronecker system ``(I - A (x) conj(A)) vec(X) = vec(Q)``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, q = gt.dmatrix("a"), gt.dmatrix("q")
    >>> gt.linalg.solve_discrete_lyapunov(a, q).eval({a: 0.5 * np.eye(2), q: np.eye(2)})
    array([[1.33333333, 0.        ],
           [0.        , 1.33333333]])
    """
    if method not in ("direct", "bilinear"):
        raise ValueError(
            f"solve_discrete_lyapunov: method must be 'direct' or 'bilinear', got {method!r}"
        )
    A, Q = _float_matrices("solve_discrete_lyapunov", A, Q)
    n = static_or_symbolic_length(A, -1)
    conj_a = conj(A) if A.dtype in complex_dtypes else A
    system = eye(n * n, dtype=A.dtype) - _kron_axes(A, conj_a, 2)
    return _unvec(solve(system, _vec(Q), b_ndim=1), Q)


__all__ = ["solve_continuous_lyapunov", "solve_discrete_lyapunov", "solve_sylvester"]
