"""Matrix decompositions on stacks of matrices: ``eigh``, ``svd``, ``qr``, ``eig`` and ``schur``.

Batched over the leading axes like numpy's; dtypes and helpers as in
:mod:`graph2jax.ops.linalg._common`. ``eigh`` reads one triangle (``UPLO``) in numpy and JAX
alike. Gradients: ``eigh`` (eigenvalues, and eigenvectors when the eigenvalues are distinct),
``svd`` (singular values only: the gradients of ``U`` and ``Vh`` are not implemented) and
``qr`` (``mode='reduced'`` or ``'r'``, for matrices with at least as many rows as columns).
``eig`` and ``schur`` (general, non-symmetric matrices) have no gradient (as in PyTensor) and
are computed by LAPACK's ``geev``/``gees`` on the CPU (XLA has no GPU kernel for them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scipy.linalg

from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.gradtypes import grad_not_implemented, is_disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.blas import matmul
from graph2jax.ops.linalg._common import (
    _input_grad,
    _lower_to_symmetric,
    _matrix_input,
    _mT,
    _out,
    _pad_at,
    _pad_right,
    _triangle_grad,
    linalg_dtype,
)
from graph2jax.ops.linalg.solve import SolveTriangular
from graph2jax.ops.math import eq, lt, switch
from graph2jax.ops.scalar import real_of
from graph2jax.types.as_tensor import constant
from graph2jax.types.tensor_type import complex_dtypes
from graph2jax.types.variable import TensorVariable


def _square_len(x: TensorVariable) -> int | None:
    m, n = x.type.shape[-2:]
    return m if m is not None else n


def _min_len(fgraph_shape: tuple, static: tuple) -> Any:
    """``min(m, n)`` of a matrix shape: a constant when known, else a symbolic scalar."""
    m, n = static
    if m is not None and n is not None:
        return constant(min(m, n), dtype="int64")
    sm, sn = fgraph_shape
    return switch(lt(sm, sn), sm, sn)


def _static_min(m: int | None, n: int | None) -> int | None:
    return None if m is None or n is None else min(m, n)


class Eigh(Op):
    """Eigenvalues (ascending) and eigenvectors of each symmetric (Hermitian) matrix.

    Only the ``UPLO`` triangle (``'L'`` lower, ``'U'`` upper) is read.
    """

    __props__ = ("UPLO",)

    def __init__(self, UPLO: str = "L"):
        if UPLO not in ("L", "U"):
            raise ValueError(f"eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
        self.UPLO = UPLO

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=True)
        dtype, n, batch = linalg_dtype(x.dtype), _square_len(x), x.type.shape[:-2]
        return Apply(self, [x], [_out(real_of(dtype), (*batch, n)), _out(dtype, (*batch, n, n))])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        x = np.asarray(inputs[0], dtype=node.outputs[1].dtype)
        for k, value in enumerate(np.linalg.eigh(x, UPLO=self.UPLO)):
            output_storage[k][0] = np.asarray(value, dtype=node.outputs[k].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        (shape,) = input_shapes
        return [tuple(shape[:-1]), tuple(shape)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        # G = V (diag(gw) + F * (V^T gV)) V^T with F[i, j] = 1 / (w[j] - w[i]) off the diagonal
        (x,), (w, v), (gw, gv) = inputs, outputs, output_grads
        vt = _mT(v)
        terms = []
        if not is_disconnected(gw):
            terms.append(matmul(v * _pad_at(gw, -2), vt))
        if not is_disconnected(gv):
            gaps = _pad_at(w, -2) - _pad_right(w, 1)
            same = eq(gaps, 0)
            f = switch(same, 0, 1 / switch(same, 1, gaps))
            terms.append(matmul(matmul(v, f * matmul(vt, gv)), vt))
        # grad calls L_op with at least one output gradient that is not disconnected
        return [_input_grad(_triangle_grad(sum(terms[1:], terms[0]), self.UPLO == "L"), x)]


@jax_funcify.register(Eigh)
def _jax_eigh(op: Eigh, node: Apply) -> Callable[..., Any]:
    dtype, uplo = node.outputs[1].dtype, op.UPLO

    def eigh_(x: Any) -> tuple:
        w, v = jnp.linalg.eigh(jnp.asarray(x, dtype=dtype), UPLO=uplo, symmetrize_input=False)
        return w, v

    return eigh_


def eigh(
    a: Any, b: Any = None, lower: bool = True, UPLO: str | None = None, driver: str = "evr"
) -> tuple[TensorVariable, TensorVariable]:
    """Eigenvalues ``w`` (ascending) and eigenvectors ``v`` (columns) of a symmetric matrix.

    Parameters
    ----------
    a : (..., M, M) tensor
        Only its lower (``lower=True``) or upper triangle is read.
    b : None
        The generalized problem ``a v = w b v`` is not supported (a NotImplementedError).
    UPLO : {'L', 'U'}, optional
        numpy's name for ``lower``; when given it wins, as in PyTensor.
    driver : str
        Accepted for PyTensor's signature; ignored (XLA picks the algorithm).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> w, v = gt.linalg.eigh(a)
    >>> w.eval({a: np.array([[2.0, 1.0], [1.0, 2.0]])})
    array([1., 3.])
    """
    if b is not None:
        raise NotImplementedError("eigh: the generalized eigenproblem (b=...) is not supported")
    if UPLO is None:
        UPLO = "L" if lower else "U"
    w, v = Eigh(UPLO)(a)
    return w, v


class SVD(Op):
    """Singular value decomposition ``a = U @ diag(s) @ Vh`` of each matrix (``s`` descending)."""

    __props__ = ("full_matrices", "compute_uv")

    def __init__(self, full_matrices: bool = True, compute_uv: bool = True):
        self.full_matrices = bool(full_matrices)
        self.compute_uv = bool(compute_uv)

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=False)
        dtype, batch = linalg_dtype(x.dtype), x.type.shape[:-2]
        m, n = x.type.shape[-2:]
        k = _static_min(m, n)
        s = _out(real_of(dtype), (*batch, k))
        if not self.compute_uv:
            return Apply(self, [x], [s])
        cols, rows = (m, n) if self.full_matrices else (k, k)
        return Apply(self, [x], [_out(dtype, (*batch, m, cols)), s, _out(dtype, (*batch, rows, n))])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        x = np.asarray(inputs[0], dtype=linalg_dtype(node.inputs[0].dtype))
        result = np.linalg.svd(x, full_matrices=self.full_matrices, compute_uv=self.compute_uv)
        values = result if self.compute_uv else (result,)
        for k, value in enumerate(values):
            output_storage[k][0] = np.asarray(value, dtype=node.outputs[k].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        (shape,) = input_shapes
        batch, (m, n) = tuple(shape[:-2]), tuple(shape[-2:])
        k = _min_len((m, n), node.inputs[0].type.shape[-2:])
        s = (*batch, k)
        if not self.compute_uv:
            return [s]
        cols, rows = (m, n) if self.full_matrices else (k, k)
        return [(*batch, m, cols), s, (*batch, rows, n)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (x,) = inputs
        gs = output_grads[1] if self.compute_uv else output_grads[0]
        if self.compute_uv and not all(map(is_disconnected, (output_grads[0], output_grads[2]))):
            return [grad_not_implemented(self, 0, x, "only the singular values have a gradient")]
        reduced = self.compute_uv and not self.full_matrices
        u, _, vh = outputs if reduced else SVD(full_matrices=False, compute_uv=True)(x)
        return [_input_grad(matmul(u * _pad_at(gs, -2), vh), x)]


@jax_funcify.register(SVD)
def _jax_svd(op: SVD, node: Apply) -> Callable[..., Any]:
    dtype, full, uv = linalg_dtype(node.inputs[0].dtype), op.full_matrices, op.compute_uv

    def svd_(x: Any) -> Any:
        result = jnp.linalg.svd(jnp.asarray(x, dtype=dtype), full_matrices=full, compute_uv=uv)
        return tuple(result) if uv else result

    return svd_


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    """Singular value decomposition of ``a``: ``(U, s, Vh)``, or ``s`` alone without ``compute_uv``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> gt.linalg.svd(a, compute_uv=False).eval({a: np.diag([1.0, 3.0])})
    array([3., 1.])
    """
    out = SVD(full_matrices, compute_uv)(a)
    return tuple(out) if compute_uv else out


_QR_MODES = ("reduced", "complete", "r")


class QR(Op):
    """QR decomposition of each matrix: ``(Q, R)``, or ``R`` alone with ``mode='r'``."""

    __props__ = ("mode",)

    def __init__(self, mode: str = "reduced"):
        if mode not in _QR_MODES:
            raise ValueError(f"qr: mode must be one of {_QR_MODES}, got {mode!r}")
        self.mode = mode

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=False)
        dtype, batch = linalg_dtype(x.dtype), x.type.shape[:-2]
        m, n = x.type.shape[-2:]
        k = m if self.mode == "complete" else _static_min(m, n)
        r = _out(dtype, (*batch, k, n))
        if self.mode == "r":
            return Apply(self, [x], [r])
        return Apply(self, [x], [_out(dtype, (*batch, m, k)), r])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        x = np.asarray(inputs[0], dtype=node.outputs[0].dtype)
        result = np.linalg.qr(x, mode=self.mode)
        values = (result,) if self.mode == "r" else tuple(result)
        for k, value in enumerate(values):
            output_storage[k][0] = np.asarray(value, dtype=node.outputs[k].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        (shape,) = input_shapes
        batch, (m, n) = tuple(shape[:-2]), tuple(shape[-2:])
        k = m if self.mode == "complete" else _min_len((m, n), node.inputs[0].type.shape[-2:])
        r = (*batch, k, n)
        return [r] if self.mode == "r" else [(*batch, m, k), r]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        # reduced QR of a tall matrix: M = R Rbar^T - Qbar^T Q,
        # Abar = (Qbar + Q copyltu(M)) R^-T with copyltu(M) = tril(M) + tril(M, -1)^T
        (x,) = inputs
        m, n = x.type.shape[-2:]
        # a square matrix's complete QR is its reduced QR
        square = m is not None and m == n
        if (self.mode == "complete" and not square) or (m is not None and n is not None and m < n):
            return [
                grad_not_implemented(
                    self, 0, x, "only for mode='economic' or 'r' (or square) with rows >= columns"
                )
            ]
        gq, gr = (None, output_grads[0]) if self.mode == "r" else output_grads
        gq = None if gq is None or is_disconnected(gq) else gq
        q, r = outputs if self.mode != "r" else QR("reduced")(x)
        terms = [] if is_disconnected(gr) else [matmul(r, _mT(gr))]
        if gq is not None:
            terms.append(-matmul(_mT(gq), q))
        mm = sum(terms[1:], terms[0])
        left = matmul(q, _lower_to_symmetric(mm))
        if gq is not None:
            left = gq + left
        return [_input_grad(_mT(SolveTriangular(lower=False)(r, _mT(left))), x)]


@jax_funcify.register(QR)
def _jax_qr(op: QR, node: Apply) -> Callable[..., Any]:
    dtype, mode = node.outputs[0].dtype, op.mode

    def qr_(x: Any) -> Any:
        result = jnp.linalg.qr(jnp.asarray(x, dtype=dtype), mode=mode)
        return result if mode == "r" else tuple(result)

    return qr_


# PyTensor's (scipy's) mode names, and numpy's, for the op's numpy-named modes
_QR_MODE_NAMES = {"full": "complete", "economic": "reduced", "r": "r"}

_QR_MODE_NAMES.update({m: m for m in _QR_MODES})


def qr(
    A: Any,
    mode: str = "full",
    overwrite_a: bool = False,
    pivoting: bool = False,
    lwork: int | None = None,
) -> Any:
    """QR decomposition of ``A`` as PyTensor's (scipy.linalg.qr): ``[Q, R]``, or ``R`` with ``mode='r'``.

    Parameters
    ----------
    A : (..., M, N) tensor
    mode : {'full', 'economic', 'r'}
        ``'full'`` gives ``Q`` of shape (M, M) and ``R`` (M, N); ``'economic'``
        (numpy's ``'reduced'``, also accepted, as is ``'complete'``) gives
        (M, K) and (K, N) with K = min(M, N). ``'raw'`` is not supported.
    overwrite_a, lwork
        Accepted for PyTensor's signature; ignored.
    pivoting : bool
        Column pivoting is not supported (a NotImplementedError).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> q, r = gt.linalg.qr(a)
    >>> np.allclose((q @ r).eval({a: np.array([[1.0, 2.0], [3.0, 4.0]])}), [[1, 2], [3, 4]])
    True
    """
    if pivoting:
        raise NotImplementedError("qr: pivoting=True is not supported (JAX has no pivoted QR)")
    if mode not in _QR_MODE_NAMES:
        raise ValueError(f"qr: mode must be one of {tuple(_QR_MODE_NAMES)}, got {mode!r}")
    out = QR(_QR_MODE_NAMES[mode])(A)
    return out if mode == "r" else list(out)


def _complex_of(dtype: str) -> str:
    return dtype if dtype in complex_dtypes else np.result_type(dtype, np.complex64).name


class Eig(Op):
    """The eigenvalues and right eigenvectors (columns, unit norm) of each square matrix, complex."""

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=True)
        dtype = _complex_of(linalg_dtype(x.dtype))
        return Apply(self, [x], [_out(dtype, x.type.shape[:-1]), _out(dtype, x.type.shape)])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = linalg_dtype(node.inputs[0].dtype)
        for k, value in enumerate(np.linalg.eig(np.asarray(inputs[0], dtype=dtype))):
            output_storage[k][0] = np.asarray(value, dtype=node.outputs[k].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        (shape,) = input_shapes
        return [tuple(shape[:-1]), tuple(shape)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [grad_not_implemented(self, 0, inputs[0])]


@jax_funcify.register(Eig)
def _jax_eig(op: Eig, node: Apply) -> Callable[..., Any]:
    dtype = linalg_dtype(node.inputs[0].dtype)

    def eig_(x: Any) -> tuple:
        w, v = jnp.linalg.eig(jnp.asarray(x, dtype=dtype))
        return w, v

    return eig_


def eig(x: Any) -> tuple[TensorVariable, TensorVariable]:
    """Eigenvalues ``w`` and right eigenvectors ``v`` (columns) of a general square matrix.

    Both are complex (``complex64`` for float32 inputs, else ``complex128``);
    the order of the eigenvalues is LAPACK's. No gradient, as in PyTensor.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dmatrix("x")
    >>> w, v = gt.linalg.eig(x)
    >>> w.eval({x: np.diag([2.0, 3.0])})
    array([2.+0.j, 3.+0.j])
    """
    w, v = Eig()(x)
    return w, v


class Schur(Op):
    """The Schur form ``T`` and unitary ``Z`` of each square matrix: ``A == Z T Z^H``."""

    __props__ = ("output",)

    def __init__(self, output: str = "real"):
        if output not in ("real", "complex"):
            raise ValueError(f"schur: output must be 'real' or 'complex', got {output!r}")
        self.output = output

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=True)
        dtype = linalg_dtype(x.dtype)
        if self.output == "complex":
            dtype = _complex_of(dtype)
        return Apply(self, [x], [_out(dtype, x.type.shape), _out(dtype, x.type.shape)])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = node.outputs[0].dtype
        x = np.asarray(inputs[0], dtype=dtype)
        t, z = np.empty_like(x), np.empty_like(x)
        for idx in np.ndindex(x.shape[:-2]):
            t[idx], z[idx] = scipy.linalg.schur(x[idx], output=self.output)
        output_storage[0][0], output_storage[1][0] = t, z

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return [input_shapes[0], input_shapes[0]]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [grad_not_implemented(self, 0, inputs[0])]


@jax_funcify.register(Schur)
def _jax_schur(op: Schur, node: Apply) -> Callable[..., Any]:
    dtype, output = node.outputs[0].dtype, op.output

    def schur_(x: Any) -> tuple:
        t, z = jax.scipy.linalg.schur(jnp.asarray(x, dtype=dtype), output=output)
        return t, z

    return schur_


def schur(
    A: Any, output: str = "real", sort: str | None = None
) -> tuple[TensorVariable, TensorVariable]:
    """The Schur decomposition ``A == Z @ T @ Z.conj().T``, as ``scipy.linalg.schur``.

    ``output='real'`` gives the real (quasi-triangular) form of a real
    matrix, ``'complex'`` the triangular complex one. Runs on the CPU only
    (XLA has no GPU kernel); no gradient, as in PyTensor.

    Raises
    ------
    NotImplementedError
        For ``sort`` (eigenvalue reordering), which XLA's Schur lacks.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> t, z = gt.linalg.schur(a)
    >>> t.eval({a: np.array([[1.0, 2.0], [0.0, 3.0]])})
    array([[1., 2.],
           [0., 3.]])
    """
    if sort is not None:
        raise NotImplementedError(f"schur: sort={sort!r} is not supported (XLA's Schur)")
    t, z = Schur(output)(A)
    return t, z


__all__ = ["Eig", "Eigh", "QR", "SVD", "Schur", "eig", "eigh", "qr", "schur", "svd"]
