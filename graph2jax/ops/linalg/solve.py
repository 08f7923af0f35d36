"""Linear solvers on stacks of matrices: ``solve``, ``solve_triangular``, ``cho_solve`` and
the least-squares ``lstsq``.

``b`` holds a vector (``b_ndim=1``) or a matrix (``b_ndim=2``) of right-hand sides per batch
entry; the batch axes of ``a`` and ``b`` broadcast. Only the triangle a solver needs is read,
in numpy and in JAX alike. ``lstsq`` is ``numpy.linalg.lstsq`` with shapes a compiled
function can know: numpy returns empty residuals when the matrix is rank deficient or has no
more rows than columns, a shape decided by the data; here the residuals are always the ``K``
sums of squared residuals of the solution (``K`` the columns of ``b``, 1 for a vector), in
numpy and JAX alike. No gradient for ``lstsq``, as PyTensor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.gradtypes import grad_not_implemented
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.blas import matmul
from graph2jax.ops.broadcast import broadcast_shape_entries
from graph2jax.ops.elemwise import broadcast_static_shape, cast
from graph2jax.ops.linalg._common import (
    TrianglePart,
    _input_grad,
    _matrix_input,
    _mT,
    _out,
    _pad_at,
    _pad_right,
    _triangle_grad,
    linalg_dtype,
)
from graph2jax.ops.math import lt, switch
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType
from graph2jax.types.variable import TensorVariable


class _SolveBase(Op):
    """``x`` with ``op(a) @ x == b``: the shape rules, the broadcasting and the gradient.

    Subclasses define ``_matrix(xp, a)`` (the matrix actually solved with,
    built from what the solver reads of ``a``), ``_solve_core`` and
    ``_transposed()`` (the solver of ``op(a).T``, on the same ``a``).
    """

    b_ndim: int

    def make_node(self, a: Any, b: Any) -> Apply:
        a = _matrix_input(self, a, square=True)
        b = as_tensor_variable(b)
        if b.ndim < self.b_ndim:
            raise ValueError(
                f"{self}: b must have at least {self.b_ndim} dimensions; {b.describe()} has {b.ndim}"
            )
        m, rows = a.type.shape[-1], b.type.shape[b.ndim - self.b_ndim]
        if m is not None and rows is not None and m != rows:
            raise ValueError(
                f"{self}: a of static shape {a.type.shape} and b of static shape {b.type.shape} "
                f"do not match ({m} != {rows} rows)"
            )
        core = b.type.shape[b.ndim - self.b_ndim :]
        batch = broadcast_static_shape(
            [a.type.shape[:-2], b.type.shape[: b.ndim - self.b_ndim]], str(self)
        )
        dtype = linalg_dtype(a.dtype, b.dtype)
        return Apply(self, [a, b], [TensorType(dtype, (*batch, *core))()])

    def _solve(self, xp: Any, a: Any, b: Any, dtype: str) -> Any:
        a, b = xp.asarray(a, dtype=dtype), xp.asarray(b, dtype=dtype)
        if self.b_ndim == 1:
            b = b[..., None]
        batch = np.broadcast_shapes(np.shape(a)[:-2], np.shape(b)[:-2])
        a = xp.broadcast_to(a, (*batch, *np.shape(a)[-2:]))
        b = xp.broadcast_to(b, (*batch, *np.shape(b)[-2:]))
        x = np.linalg.solve(self._matrix(np, a), b) if xp is np else self._solve_core(a, b)
        return x[..., 0] if self.b_ndim == 1 else x

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = node.outputs[0].dtype
        output_storage[0][0] = np.asarray(self._solve(np, *inputs, dtype), dtype=dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        a, b = node.inputs
        sa, sb = input_shapes
        nb = b.ndim - self.b_ndim
        batch = broadcast_shape_entries([a.type.shape[:-2], b.type.shape[:nb]], [sa[:-2], sb[:nb]])
        return [(*batch, *sb[nb:])]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        # x = M^-1 b: gb = M^-T gx, gM = -gb x^T, then back through what M reads of a
        (a, b), (x,), (gx,) = inputs, outputs, output_grads
        gb = self._transposed()(a, gx)
        if self.b_ndim == 1:
            gm = -(_pad_right(gb, 1) * _pad_at(x, -2))
        else:
            gm = -matmul(gb, _mT(x))
        return [_input_grad(self._matrix_grad(gm), a), _input_grad(gb, b)]


@jax_funcify.register(_SolveBase)
def _jax_solve(op: _SolveBase, node: Apply) -> Callable[..., Any]:
    dtype = node.outputs[0].dtype
    return lambda a, b: op._solve(jnp, a, b, dtype)


def _default_b_ndim(b: TensorVariable, b_ndim: int | None) -> int:
    if b_ndim is None:
        return 1 if b.ndim == 1 else 2
    if b_ndim not in (1, 2):
        raise ValueError(f"solve: b_ndim must be 1 or 2, got {b_ndim!r}")
    return int(b_ndim)


_ASSUME_A = ("gen", "sym", "her", "pos")


def _symmetric_from(xp: Any, a: Any, lower: bool, hermitian: bool) -> Any:
    """The symmetric (or Hermitian) matrix whose ``lower`` (else upper) triangle is ``a``'s."""
    low = a if lower else xp.swapaxes(a, -1, -2)
    if not lower and hermitian:
        low = xp.conj(low)
    strict = xp.swapaxes(xp.tril(low, -1), -1, -2)
    return xp.tril(low) + (xp.conj(strict) if hermitian else strict)


class Solve(_SolveBase):
    """``x`` with ``a @ x == b``.

    ``assume_a`` is ``'gen'`` (general), ``'sym'``/``'her'`` (symmetric or
    Hermitian) or ``'pos'`` (positive definite, solved by Cholesky); for the
    last three only the ``lower`` (else upper) triangle of ``a`` is read.
    """

    __props__ = ("assume_a", "lower", "b_ndim")

    def __init__(self, assume_a: str = "gen", lower: bool = False, b_ndim: int = 2):
        if assume_a not in _ASSUME_A:
            raise ValueError(f"solve: assume_a must be one of {_ASSUME_A}, got {assume_a!r}")
        self.assume_a = assume_a
        self.lower = bool(lower) and assume_a != "gen"
        self.b_ndim = int(b_ndim)

    def _matrix(self, xp: Any, a: Any) -> Any:
        if self.assume_a == "gen":
            return a
        return _symmetric_from(xp, a, self.lower, hermitian=self.assume_a != "sym")

    def _solve_core(self, a: Any, b: Any) -> Any:
        if self.assume_a != "pos":
            return jnp.linalg.solve(self._matrix(jnp, a), b)
        low = a if self.lower else jnp.conj(jnp.swapaxes(a, -1, -2))
        chol = jax.lax.linalg.cholesky(low, symmetrize_input=False)
        y = jax.lax.linalg.triangular_solve(chol, b, left_side=True, lower=True)
        return jax.lax.linalg.triangular_solve(
            chol, y, left_side=True, lower=True, transpose_a=True, conjugate_a=True
        )

    def _transposed(self) -> Solve:
        # a symmetric matrix is its own transpose, read from the same triangle
        return self if self.assume_a != "gen" else _TransposedSolve(self.b_ndim)

    def _matrix_grad(self, gm: TensorVariable) -> TensorVariable:
        return gm if self.assume_a == "gen" else _triangle_grad(gm, self.lower)


class _TransposedSolve(Solve):
    """``a.T @ x == b`` for a general ``a``: the adjoint solve of :class:`Solve`'s gradient."""

    def __init__(self, b_ndim: int = 2):
        super().__init__("gen", False, b_ndim)

    def _matrix(self, xp: Any, a: Any) -> Any:
        return xp.swapaxes(a, -1, -2)

    def _solve_core(self, a: Any, b: Any) -> Any:
        return jnp.linalg.solve(jnp.swapaxes(a, -1, -2), b)

    def _transposed(self) -> Solve:
        return Solve("gen", False, self.b_ndim)

    def _matrix_grad(self, gm: TensorVariable) -> TensorVariable:
        return _mT(gm)


def solve(
    a: Any,
    b: Any,
    *,
    assume_a: str = "gen",
    lower: bool = False,
    transposed: bool = False,
    check_finite: bool = True,
    overwrite_a: bool = False,
    overwrite_b: bool = False,
    b_ndim: int | None = None,
) -> TensorVariable:
    """Solve ``a @ x == b`` for ``x`` (scipy.linalg.solve), batched over leading axes.

    Parameters
    ----------
    a : (..., M, M) tensor
    b : (..., M) or (..., M, K) tensor
    assume_a : {'gen', 'sym', 'her', 'pos'}
        Structure of ``a``; with 'sym', 'her' and 'pos' only one triangle of
        ``a`` is read (the lower one if ``lower``).
    lower : bool
    transposed : bool
        Solve ``a.T @ x == b`` instead.
    check_finite, overwrite_a, overwrite_b : bool
        Accepted for compatibility with PyTensor; ignored.
    b_ndim : {1, 2}, optional
        Core dimensions of ``b``: by default 1 when ``b`` is a vector, else 2.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, b = gt.dmatrix("a"), gt.dvector("b")
    >>> gt.linalg.solve(a, b).eval({a: np.diag([2.0, 4.0]), b: np.array([1.0, 1.0])})
    array([0.5 , 0.25])
    """
    b = as_tensor_variable(b)
    b_ndim = _default_b_ndim(b, b_ndim)
    if transposed and assume_a == "gen":
        return _TransposedSolve(b_ndim)(a, b)
    return Solve(assume_a, lower, b_ndim)(a, b)  # a symmetric a is its own transpose


_TRANS = {0: 0, "N": 0, 1: 1, "T": 1, 2: 2, "C": 2}


class SolveTriangular(_SolveBase):
    """``x`` with ``op(t) @ x == b`` where ``t`` is the ``lower`` (else upper) triangle of ``a``.

    ``trans`` 0, 1, 2 makes ``op`` the identity, the transpose or the
    conjugate transpose; ``unit_diagonal`` takes the diagonal to be ones.
    """

    __props__ = ("lower", "trans", "unit_diagonal", "b_ndim")

    def __init__(
        self, lower: bool = False, trans: int = 0, unit_diagonal: bool = False, b_ndim: int = 2
    ):
        if trans not in _TRANS:
            raise ValueError(
                f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}"
            )
        self.lower = bool(lower)
        self.trans = _TRANS[trans]
        self.unit_diagonal = bool(unit_diagonal)
        self.b_ndim = int(b_ndim)

    def _matrix(self, xp: Any, a: Any) -> Any:
        t = TrianglePart(self.lower, 0.0 if self.unit_diagonal else 1.0)._apply(xp, a)
        if self.unit_diagonal:
            t = t + np.eye(np.shape(a)[-1], dtype=t.dtype)
        if self.trans:
            t = xp.swapaxes(t, -1, -2)
        return xp.conj(t) if self.trans == 2 else t

    def _solve_core(self, a: Any, b: Any) -> Any:
        return jax.lax.linalg.triangular_solve(
            a,
            b,
            left_side=True,
            lower=self.lower,
            transpose_a=self.trans != 0,
            conjugate_a=self.trans == 2,
            unit_diagonal=self.unit_diagonal,
        )

    def _transposed(self) -> SolveTriangular:
        return SolveTriangular(self.lower, 0 if self.trans else 1, self.unit_diagonal, self.b_ndim)

    def _matrix_grad(self, gm: TensorVariable) -> TensorVariable:
        gt_ = _mT(gm) if self.trans else gm  # the gradient of the triangle itself
        return TrianglePart(self.lower, 0.0 if self.unit_diagonal else 1.0)(gt_)


def solve_triangular(
    a: Any,
    b: Any,
    *,
    trans: int | str = 0,
    lower: bool = False,
    unit_diagonal: bool = False,
    check_finite: bool = True,
    b_ndim: int | None = None,
) -> TensorVariable:
    """Solve ``a @ x == b`` for a triangular ``a`` (scipy.linalg.solve_triangular), batched.

    Only the ``lower`` (else upper) triangle of ``a`` is read; ``trans``
    (0/'N', 1/'T', 2/'C') solves with ``a``, its transpose or its conjugate
    transpose; ``unit_diagonal`` assumes ones on the diagonal.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, b = gt.dmatrix("a"), gt.dvector("b")
    >>> x = gt.linalg.solve_triangular(a, b, lower=True)
    >>> x.eval({a: np.array([[2.0, 9.0], [1.0, 1.0]]), b: np.array([2.0, 2.0])})
    array([1., 1.])
    """
    b = as_tensor_variable(b)
    return SolveTriangular(lower, trans, unit_diagonal, _default_b_ndim(b, b_ndim))(a, b)


def cho_solve(
    c_and_lower: tuple[Any, bool], b: Any, *, check_finite: bool = True, b_ndim: int | None = None
) -> TensorVariable:
    """Solve ``a @ x == b`` given the Cholesky factor ``c`` of ``a`` (scipy.linalg.cho_solve).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, b = gt.dmatrix("a"), gt.dvector("b")
    >>> x = gt.linalg.cho_solve((gt.linalg.cholesky(a), True), b)
    >>> x.eval({a: np.array([[4.0, 2.0], [2.0, 5.0]]), b: np.array([6.0, 7.0])})
    array([1., 1.])
    """
    c, lower = c_and_lower
    b = as_tensor_variable(b)
    b_ndim = _default_b_ndim(b, b_ndim)
    # a = L L^H: solve L y = b then L^H x = y; a = U^H U: U^H y = b then U x = y
    first = SolveTriangular(lower, 0 if lower else 2, False, b_ndim)
    second = SolveTriangular(lower, 2 if lower else 0, False, b_ndim)
    return second(c, first(c, b))


def _cutoff_factor(xp: Any, rcond: Any, dtype: str, m: int, n: int) -> Any:
    """numpy's relative cutoff: ``rcond``, machine epsilon if negative, ``eps * max(m, n)`` if NaN."""
    eps = np.finfo(dtype).eps
    rcond = xp.asarray(rcond, dtype=dtype)
    return xp.where(xp.isnan(rcond), eps * max(m, n), xp.where(rcond < 0, eps, rcond))


class Lstsq(Op):
    """``(x, residuals, rank, s)`` minimizing ``|a @ x - b|`` for a matrix ``a`` and ``b`` of 1 or 2 axes."""

    def make_node(self, a: Any, b: Any, rcond: Any) -> Apply:
        a, b = as_tensor_variable(a), as_tensor_variable(b)
        if a.ndim != 2 or b.ndim not in (1, 2):
            raise ValueError(
                f"lstsq needs a matrix and a vector or matrix; got {a.describe()} of ndim "
                f"{a.ndim} and {b.describe()} of ndim {b.ndim}"
            )
        (m, n), mb = a.type.shape, b.type.shape[0]
        if m is not None and mb is not None and m != mb:
            raise ValueError(
                f"lstsq: {a.describe()} of shape {a.type.shape} and {b.describe()} of shape "
                f"{b.type.shape} have different numbers of rows"
            )
        dtype = linalg_dtype(a.dtype, b.dtype)
        rcond = cast(as_tensor_variable(rcond), dtype)
        k = b.type.shape[1] if b.ndim == 2 else 1
        k_min = None if m is None or n is None else min(m, n)
        outputs = [
            _out(dtype, (n, *b.type.shape[1:])),
            _out(dtype, (k,)),
            _out("int32", ()),
            _out(dtype, (k_min,)),
        ]
        return Apply(self, [a, b, rcond], outputs)

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = node.outputs[0].dtype
        a, b = (np.asarray(v, dtype=dtype) for v in inputs[:2])
        cutoff = _cutoff_factor(np, inputs[2], dtype, *a.shape)
        x, _, rank, s = np.linalg.lstsq(a, b, rcond=float(cutoff))
        resid = np.sum(np.square(a @ x - b), axis=0)
        values = (x, np.atleast_1d(resid), rank, s)
        for k, value in enumerate(values):
            output_storage[k][0] = np.asarray(value, dtype=node.outputs[k].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        (m, n), sb = input_shapes[0], input_shapes[1]
        k = sb[1] if len(sb) == 2 else 1
        return [(n, *sb[1:]), (k,), (), (switch(lt(m, n), m, n),)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [grad_not_implemented(self, k, x) for k, x in enumerate(inputs)]


@jax_funcify.register(Lstsq)
def _jax_lstsq(op: Lstsq, node: Apply) -> Callable[..., Any]:
    dtype = node.outputs[0].dtype

    def lstsq_(a: Any, b: Any, rcond: Any) -> tuple:
        a, b = jnp.asarray(a, dtype=dtype), jnp.asarray(b, dtype=dtype)
        u, s, vh = jnp.linalg.svd(a, full_matrices=False)
        keep = s > _cutoff_factor(jnp, rcond, dtype, *a.shape) * s[0]
        inv_s = jnp.where(keep, 1 / jnp.where(keep, s, 1), 0)
        ub = u.T @ b
        x = vh.T @ (inv_s[:, None] * ub if b.ndim == 2 else inv_s * ub)
        resid = jnp.atleast_1d(jnp.sum(jnp.square(a @ x - b), axis=0))
        return x, resid, jnp.sum(keep, dtype="int32"), s

    return lstsq_


def lstsq(
    a: Any, b: Any, rcond: Any = None
) -> tuple[TensorVariable, TensorVariable, TensorVariable, TensorVariable]:
    """The least-squares solution ``x`` of ``a @ x ~= b`` (``numpy.linalg.lstsq``).

    Parameters
    ----------
    a : (M, N) matrix
    b : (M,) or (M, K) tensor
    rcond : float, optional
        Singular values below ``rcond`` times the largest one count as zero;
        negative means machine precision; None (the default) ``eps * max(M, N)``.

    Returns
    -------
    x : (N,) or (N, K)
    residuals : (K,)
        The squared norms of ``a @ x - b``'s columns (always computed; see the module).
    rank : int32 scalar
    s : (min(M, N),) singular values of ``a``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, b = gt.dmatrix("a"), gt.dvector("b")
    >>> x, res, rank, s = gt.linalg.lstsq(a, b)
    >>> x.eval({a: np.array([[1.0], [1.0]]), b: np.array([1.0, 3.0])})
    array([2.])
    """
    x, resid, rank, s = Lstsq()(a, b, np.nan if rcond is None else rcond)
    return x, resid, rank, s


__all__ = ["Lstsq", "Solve", "SolveTriangular", "cho_solve", "lstsq", "solve", "solve_triangular"]
