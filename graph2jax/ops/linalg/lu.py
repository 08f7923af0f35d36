"""LU factorization: ``lu_factor``, ``lu``, ``lu_solve`` and ``pivot_to_permutation``.

``LUFactor`` (scipy's packed factors and LAPACK's 0-based int32 pivots) and
``PivotToPermutation`` are ops; ``lu`` and ``lu_solve`` are graphs over them (one-hot
permutation matrices, triangle masks and triangular solves), so their gradients follow.
``LUFactor``'s gradient is the standard one of ``A[perm] = L U``; it assumes a nonsingular
matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scipy.linalg

from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.gradtypes import disconnected, is_disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.blas import matmul
from graph2jax.ops.creation import arange
from graph2jax.ops.elemwise import cast, dimshuffle
from graph2jax.ops.eye import eye
from graph2jax.ops.linalg._common import (
    TrianglePart,
    _input_grad,
    _matrix_input,
    _mT,
    _out,
    linalg_dtype,
)
from graph2jax.ops.linalg.solve import _default_b_ndim, solve_triangular
from graph2jax.ops.math import eq
from graph2jax.ops.shape import static_or_symbolic_length
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.variable import TensorVariable


def _row_order(piv: np.ndarray) -> np.ndarray:
    """The rows of ``A`` in the order of ``L U`` (``A[order] == L @ U``) from LAPACK pivots."""
    order = np.broadcast_to(np.arange(piv.shape[-1]), piv.shape).copy()
    for idx in np.ndindex(piv.shape[:-1]):
        row = order[idx]
        for i, p in enumerate(piv[idx]):
            row[[i, p]] = row[[p, i]]
    return order


class PivotToPermutation(Op):
    """The permutation of LAPACK's row swaps ``p``: ``A == L[perm] @ U`` (its inverse if ``inverse``)."""

    __props__ = ("inverse",)
    differentiable = False

    def __init__(self, inverse: bool = False):
        self.inverse = bool(inverse)

    def make_node(self, p: Any) -> Apply:
        p = as_tensor_variable(p)
        if p.ndim < 1 or p.dtype not in ("int8", "int16", "int32", "int64", "uint8", "uint16"):
            raise TypeError(
                f"pivot_to_permutation needs integer pivots (ndim >= 1); got {p.describe()} "
                f"of type {p.type}"
            )
        return Apply(self, [p], [_out("int64", p.type.shape)])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        order = _row_order(np.asarray(inputs[0]))
        out = order if self.inverse else np.argsort(order, axis=-1)
        output_storage[0][0] = np.asarray(out, dtype="int64")

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes


@jax_funcify.register(PivotToPermutation)
def _jax_pivot_to_permutation(op: PivotToPermutation, node: Apply) -> Callable[..., Any]:
    inverse = op.inverse

    def pivot_to_permutation_(p: Any) -> Any:
        order = jax.lax.linalg.lu_pivots_to_permutation(jnp.asarray(p, "int32"), p.shape[-1])
        out = order if inverse else jnp.argsort(order, axis=-1)
        return jnp.asarray(out, dtype="int64")

    return pivot_to_permutation_


def pivot_to_permutation(p: Any, inverse: bool = False) -> TensorVariable:
    """The permutation ``perm`` of LAPACK pivots ``p`` (from :func:`lu_factor`): ``A == L[perm] @ U``.

    With ``inverse=True``, the inverse permutation: ``A[perm] == L @ U``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> p = gt.ivector("p")
    >>> gt.linalg.pivot_to_permutation(p).eval({p: np.array([2, 2, 2], dtype="int32")})
    array([1, 2, 0])
    """
    return PivotToPermutation(inverse)(p)


def _one_hot_rows(order: TensorVariable, n: Any, dtype: str) -> TensorVariable:
    """The permutation matrices ``Q`` with ``Q @ A == A[order]`` (batched over ``order``'s leading axes)."""
    hit = eq(dimshuffle(order, (*range(order.ndim), "x")), arange(n))
    return cast(hit, dtype)


def _unit_lower(lu: TensorVariable) -> TensorVariable:
    return TrianglePart(True, 0.0)(lu) + eye(static_or_symbolic_length(lu, -1), dtype=lu.dtype)


class LUFactor(Op):
    """scipy's ``lu_factor`` of each square matrix: the packed ``L`` (unit diagonal) and ``U``, and the pivots."""

    def make_node(self, a: Any) -> Apply:
        a = _matrix_input(self, a, square=True)
        dtype = linalg_dtype(a.dtype)
        return Apply(self, [a], [_out(dtype, a.type.shape), _out("int32", a.type.shape[:-1])])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        a = np.asarray(inputs[0], dtype=node.outputs[0].dtype)
        lu, piv = np.empty_like(a), np.empty(a.shape[:-1], dtype="int32")
        for idx in np.ndindex(a.shape[:-2]):
            lu[idx], piv[idx] = scipy.linalg.lu_factor(a[idx])
        output_storage[0][0], output_storage[1][0] = lu, piv

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        (shape,) = input_shapes
        return [tuple(shape), tuple(shape[:-1])]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        # A[order] = L U: M = L^-T (tril_strict(L^T Lbar) + triu(Ubar U^T)) U^-T, Abar = Q^T M
        (a,), (lu, piv), (glu, _) = inputs, outputs, output_grads
        if is_disconnected(glu):
            return [disconnected()]
        low, up = _unit_lower(lu), TrianglePart(False)(lu)
        inner = TrianglePart(True, 0.0)(matmul(_mT(low), glu)) + TrianglePart(False)(
            matmul(glu, _mT(up))
        )
        # inner U^-T = (U^-1 inner^T)^T; then L^-T of that
        right = _mT(solve_triangular(lu, _mT(inner), lower=False, b_ndim=2))
        m = solve_triangular(lu, right, lower=True, unit_diagonal=True, trans=1, b_ndim=2)
        q = _one_hot_rows(PivotToPermutation(True)(piv), a.shape[-1], lu.dtype)
        return [_input_grad(matmul(_mT(q), m), a)]


@jax_funcify.register(LUFactor)
def _jax_lu_factor(op: LUFactor, node: Apply) -> Callable[..., Any]:
    dtype = node.outputs[0].dtype

    def lu_factor_(a: Any) -> tuple:
        lu, piv, _ = jax.lax.linalg.lu(jnp.asarray(a, dtype=dtype))
        return lu, jnp.asarray(piv, "int32")

    return lu_factor_


def lu_factor(
    a: Any, *, check_finite: bool = True, overwrite_a: bool = False
) -> tuple[TensorVariable, TensorVariable]:
    """scipy's ``lu_factor``: ``(LU, piv)``, ``L`` (unit diagonal, below) and ``U`` packed in ``LU``.

    ``piv`` are LAPACK's 0-based row swaps (int32): row ``i`` was swapped
    with row ``piv[i]``. ``check_finite`` and ``overwrite_a`` are ignored.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> lu, piv = gt.linalg.lu_factor(a)
    >>> piv.eval({a: np.array([[1.0, 2.0], [3.0, 4.0]])})
    array([1, 1], dtype=int32)
    """
    lu, piv = LUFactor()(a)
    return lu, piv


def lu(
    a: Any,
    permute_l: bool = False,
    check_finite: bool = True,
    p_indices: bool = False,
    overwrite_a: bool = False,
) -> tuple[TensorVariable, ...]:
    """scipy's ``lu``: ``(P, L, U)`` with ``a == P @ L @ U`` (``L`` unit lower, ``U`` upper).

    ``p_indices=True`` gives ``P`` as the int32 row indices ``p`` with
    ``a == L[p] @ U``; ``permute_l=True`` gives ``(P @ L, U)``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> p, l, u = gt.linalg.lu(a)
    >>> u.eval({a: np.array([[1.0, 2.0], [3.0, 4.0]])})
    array([[3.        , 4.        ],
           [0.        , 0.66666667]])
    """
    packed, piv = lu_factor(a)
    low, up = _unit_lower(packed), TrianglePart(False)(packed)
    perm = pivot_to_permutation(piv)
    # P @ L == L[perm]: the one-hot rows of perm, as a matrix
    p_matrix = _one_hot_rows(perm, packed.shape[-1], packed.dtype)
    if permute_l:
        return matmul(p_matrix, low), up
    if p_indices:
        return cast(perm, "int32"), low, up
    return p_matrix, low, up


def lu_solve(
    LU_and_pivots: tuple[Any, Any],
    b: Any,
    trans: bool | int = False,
    b_ndim: int | None = None,
    check_finite: bool = True,
    overwrite_b: bool = False,
) -> TensorVariable:
    """Solve ``a @ x == b`` (``a.T @ x == b`` if ``trans``) from ``lu_factor(a)``, as scipy.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, b = gt.dmatrix("a"), gt.dvector("b")
    >>> x = gt.linalg.lu_solve(gt.linalg.lu_factor(a), b)
    >>> x.eval({a: np.array([[1.0, 2.0], [3.0, 4.0]]), b: np.array([3.0, 7.0])})
    array([1., 1.])
    """
    packed, piv = (as_tensor_variable(v) for v in LU_and_pivots)
    b = as_tensor_variable(b)
    b_ndim = _default_b_ndim(b, b_ndim)
    q = _one_hot_rows(pivot_to_permutation(piv, inverse=True), packed.shape[-1], packed.dtype)

    def rows(m: TensorVariable, x: TensorVariable) -> TensorVariable:
        """``m @ x`` for a stack of matrices or (b_ndim 1) vectors ``x``."""
        if b_ndim == 2:
            return matmul(m, x)
        return matmul(m, dimshuffle(x, (*range(x.ndim), "x")))[..., 0]

    if trans:
        # a.T = U.T L.T Q: x = Q.T L^-T U^-T b
        y = solve_triangular(packed, b, lower=False, trans=1, b_ndim=b_ndim)
        z = solve_triangular(packed, y, lower=True, unit_diagonal=True, trans=1, b_ndim=b_ndim)
        return rows(_mT(q), z)
    # Q a = L U: x = U^-1 L^-1 Q b
    y = solve_triangular(packed, rows(q, b), lower=True, unit_diagonal=True, b_ndim=b_ndim)
    return solve_triangular(packed, y, lower=False, b_ndim=b_ndim)


__all__ = ["LUFactor", "PivotToPermutation", "lu", "lu_factor", "lu_solve", "pivot_to_permutation"]
