"""Inverses, determinants and the Cholesky factor: ``inv``, ``pinv``, ``det``, ``slogdet`` and
``cholesky``.

Gradients are graphs of graph2jax ops, for real inputs (complex ones get a "not implemented"
gradient).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.gradtypes import is_disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.blas import matmul
from graph2jax.ops.creation import zeros_like
from graph2jax.ops.linalg._common import (
    TrianglePart,
    _input_grad,
    _lower_to_symmetric,
    _matrix_input,
    _mT,
    _out,
    _pad_right,
    _triangle_grad,
    linalg_dtype,
)
from graph2jax.ops.linalg.solve import _symmetric_from, solve_triangular
from graph2jax.ops.scalar import real_of
from graph2jax.types.variable import TensorVariable


class _NumpyLinalgFunction(Op):
    """A function of one stack of square matrices, ``numpy.linalg.<fn_name>`` (and
    ``jax.numpy.linalg.<fn_name>``) of the input cast to the output dtype."""

    fn_name: str

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = node.outputs[0].dtype
        out = getattr(np.linalg, self.fn_name)(np.asarray(inputs[0], dtype=dtype))
        output_storage[0][0] = np.asarray(out, dtype=dtype)


@jax_funcify.register(_NumpyLinalgFunction)
def _jax_numpy_linalg_function(op: _NumpyLinalgFunction, node: Apply) -> Callable[..., Any]:
    fn, dtype = getattr(jnp.linalg, op.fn_name), node.outputs[0].dtype
    return lambda x: fn(jnp.asarray(x, dtype=dtype))


class MatrixInverse(_NumpyLinalgFunction):
    """The inverse of each square matrix of a stack."""

    fn_name = "inv"

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=True)
        return Apply(self, [x], [_out(linalg_dtype(x.dtype), x.type.shape)])

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (x,), (z,), (gz,) = inputs, outputs, output_grads
        zt = _mT(z)
        return [_input_grad(-matmul(matmul(zt, gz), zt), x)]


class Det(_NumpyLinalgFunction):
    """The determinant of each square matrix of a stack."""

    fn_name = "det"

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=True)
        return Apply(self, [x], [_out(linalg_dtype(x.dtype), x.type.shape[:-2])])

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return [tuple(input_shapes[0][:-2])]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (x,), (d,), (gd,) = inputs, outputs, output_grads
        scale = _pad_right(gd * d, 2)
        return [_input_grad(scale * _mT(inv(x)), x)]


class SLogDet(Op):
    """The sign and the log of the absolute value of each determinant (two outputs)."""

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=True)
        dtype, batch = linalg_dtype(x.dtype), x.type.shape[:-2]
        return Apply(self, [x], [_out(dtype, batch), _out(real_of(dtype), batch)])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        sign, logdet = np.linalg.slogdet(np.asarray(inputs[0], dtype=node.outputs[0].dtype))
        for k, value in enumerate((sign, logdet)):
            output_storage[k][0] = np.asarray(value, dtype=node.outputs[k].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        batch = tuple(input_shapes[0][:-2])
        return [batch, batch]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        # the sign is piecewise constant (a zero gradient, as PyTensor's sign(det(x)));
        # a disconnected output gradient means the cost does not use that output
        (x,), (_, glog) = inputs, output_grads
        if is_disconnected(glog):
            return [_input_grad(zeros_like(x), x)]
        return [_input_grad(_pad_right(glog, 2) * _mT(inv(x)), x)]


@jax_funcify.register(SLogDet)
def _jax_slogdet(op: SLogDet, node: Apply) -> Callable[..., Any]:
    dtype = node.outputs[0].dtype

    def slogdet_(x: Any) -> tuple:
        sign, logdet = jnp.linalg.slogdet(jnp.asarray(x, dtype=dtype))
        return sign, logdet

    return slogdet_


def inv(a: Any) -> TensorVariable:
    """The inverse of ``a``, a square matrix or a stack of them (``matrix_inverse``).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> gt.linalg.inv(a).eval({a: np.diag([2.0, 4.0])})
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    return MatrixInverse()(a)


matrix_inverse = inv


def det(a: Any) -> TensorVariable:
    """The determinant of ``a``, a square matrix or a stack of them.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> round(float(gt.linalg.det(a).eval({a: np.array([[1.0, 2.0], [3.0, 4.0]])})), 6)
    -2.0
    """
    return Det()(a)


def slogdet(x: Any) -> tuple[TensorVariable, TensorVariable]:
    """``(sign, logabsdet)`` of the determinant of ``x``: ``det(x) == sign * exp(logabsdet)``."""
    sign, logdet = SLogDet()(x)
    return sign, logdet


class Cholesky(Op):
    """The Cholesky factor of each positive definite matrix: ``L @ L.T == a`` (``U.T @ U`` if upper).

    Only the triangle on the factor's side is read. numpy raises on a
    matrix that is not positive definite; JAX cannot raise inside a compiled
    function and returns NaNs (``on_error='nan'`` gives NaNs in numpy too).
    """

    __props__ = ("lower", "on_error")

    def __init__(self, lower: bool = True, on_error: str = "raise"):
        if on_error not in ("raise", "nan"):
            raise ValueError(f"cholesky: on_error must be 'raise' or 'nan', got {on_error!r}")
        self.lower = bool(lower)
        self.on_error = on_error

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=True)
        return Apply(self, [x], [_out(linalg_dtype(x.dtype), x.type.shape)])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = node.outputs[0].dtype
        x = np.asarray(inputs[0], dtype=dtype)
        try:
            out = np.linalg.cholesky(x if self.lower else np.swapaxes(x, -1, -2))
        except np.linalg.LinAlgError:
            if self.on_error == "raise":
                raise
            out = np.full_like(x, np.nan)
        output_storage[0][0] = np.asarray(out if self.lower else np.swapaxes(out, -1, -2), dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        # with L = chol(a_eff): S = L^-T Phi(L^T Lbar) L^-1, Phi = tril with halved diagonal
        (x,), (c,), (gc,) = inputs, outputs, output_grads
        low, glow = (c, gc) if self.lower else (_mT(c), _mT(gc))
        phi = TrianglePart(True, 0.5)(matmul(_mT(low), glow))
        # two triangular solves with L^T: S = L^-T phi L^-1 = L^-T (L^-T phi^T)^T
        solve_lt = partial(solve_triangular, lower=True, trans=1, b_ndim=2)
        s = solve_lt(low, _mT(solve_lt(low, _mT(phi))))
        return [_input_grad(_triangle_grad(s, self.lower), x)]


@jax_funcify.register(Cholesky)
def _jax_cholesky(op: Cholesky, node: Apply) -> Callable[..., Any]:
    dtype, lower = node.outputs[0].dtype, op.lower

    def cholesky_(x: Any) -> Any:
        x = jnp.asarray(x, dtype=dtype)
        if lower:
            return jax.lax.linalg.cholesky(x, symmetrize_input=False)
        return jnp.swapaxes(
            jax.lax.linalg.cholesky(jnp.swapaxes(x, -1, -2), symmetrize_input=False), -1, -2
        )

    return cholesky_


def cholesky(
    x: Any,
    lower: bool = True,
    *,
    check_finite: bool = True,
    overwrite_a: bool = False,
    on_error: str = "nan",
) -> TensorVariable:
    """The Cholesky factor of ``x`` (a positive definite matrix or a stack of them).

    Parameters
    ----------
    x : (..., M, M) tensor
    lower : bool
        Return ``L`` with ``L @ L.T == x`` (reading the lower triangle of
        ``x``), else ``U`` with ``U.T @ U == x`` (reading the upper one).
    on_error : {'nan', 'raise'}
        What the numpy reference does when ``x`` is not positive definite
        (NaNs by default, as PyTensor); the compiled JAX function always
        returns NaNs.
    check_finite, overwrite_a : bool
        Accepted for compatibility with PyTensor; ignored.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dmatrix("x")
    >>> gt.linalg.cholesky(x).eval({x: np.array([[4.0, 2.0], [2.0, 5.0]])})
    array([[2., 0.],
           [1., 2.]])
    """
    return Cholesky(lower, on_error)(x)


class MatrixPinv(Op):
    """The Moore-Penrose pseudo-inverse of each matrix.

    ``hermitian=True`` uses an eigendecomposition and, as numpy's, reads the
    lower triangle only (in JAX too).
    """

    __props__ = ("hermitian",)

    def __init__(self, hermitian: bool = False):
        self.hermitian = bool(hermitian)

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=self.hermitian)
        m, n = x.type.shape[-2:]
        return Apply(self, [x], [_out(linalg_dtype(x.dtype), (*x.type.shape[:-2], n, m))])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = node.outputs[0].dtype
        out = np.linalg.pinv(np.asarray(inputs[0], dtype=dtype), hermitian=self.hermitian)
        output_storage[0][0] = np.asarray(out, dtype=dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        (shape,) = input_shapes
        return [(*shape[:-2], shape[-1], shape[-2])]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        # (-Z G^T Z + Z Z^T G (I - X Z) + (I - Z X) G Z^T Z)^T with Z = pinv(X), G the output gradient
        (x,), (z,), (gz,) = inputs, outputs, output_grads
        # with hermitian=True, the matrix inverted is the one of x's lower triangle
        x_read = _lower_to_symmetric(x) if self.hermitian else x
        mm = matmul
        zzt_g = mm(mm(z, _mT(z)), gz)
        g_ztz = mm(gz, mm(_mT(z), z))
        total = (
            -mm(mm(z, _mT(gz)), z)
            + zzt_g
            - mm(mm(zzt_g, x_read), z)
            + g_ztz
            - mm(mm(z, x_read), g_ztz)
        )
        gx = _triangle_grad(_mT(total), lower=True) if self.hermitian else _mT(total)
        return [_input_grad(gx, x)]


@jax_funcify.register(MatrixPinv)
def _jax_pinv(op: MatrixPinv, node: Apply) -> Callable[..., Any]:
    dtype, hermitian = node.outputs[0].dtype, op.hermitian

    def pinv_(x: Any) -> Any:
        x = jnp.asarray(x, dtype=dtype)
        if hermitian:  # JAX would symmetrize (x + x^H) / 2: read the lower triangle as numpy
            x = _symmetric_from(jnp, x, lower=True, hermitian=True)
        return jnp.linalg.pinv(x, hermitian=hermitian)

    return pinv_


def pinv(x: Any, hermitian: bool = False) -> TensorVariable:
    """The Moore-Penrose pseudo-inverse of ``x`` (``(..., M, N)`` → ``(..., N, M)``).

    With ``hermitian=True``, ``x`` is a Hermitian (symmetric) matrix given by
    its lower triangle, as numpy's.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dmatrix("x")
    >>> gt.linalg.pinv(x).eval({x: np.array([[2.0, 0.0]])})
    array([[0.5],
           [0. ]])
    """
    return MatrixPinv(hermitian)(x)


__all__ = [
    "Cholesky",
    "Det",
    "MatrixInverse",
    "MatrixPinv",
    "SLogDet",
    "cholesky",
    "det",
    "inv",
    "matrix_inverse",
    "pinv",
    "slogdet",
]
