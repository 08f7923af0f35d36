"""Linear algebra on stacks of matrices: ``inv``, ``det``, ``slogdet``, ``cholesky`` and the
helpers of the whole family; the solvers live in :mod:`graph2jax.ops.linalg_solve`, the
decompositions in :mod:`graph2jax.ops.linalg_decomp` and ``norm`` in :mod:`graph2jax.ops.linalg_norm`.

Every op works on the last two axes and is batched over the leading ones, as
numpy's ``linalg`` functions are. Dtypes follow PyTensor: floats (and
complex) keep their dtype, integers and bool compute in float32 (up to 16
bits) or float64 (:func:`linalg_dtype`). Symmetric inputs (``eigh``,
``cholesky``, ``solve(assume_a='sym'|'her'|'pos')``) are read from one
triangle only, in numpy and in JAX alike, so both agree on any input and the
gradients are those of that triangle (:class:`TrianglePart`).

Gradients are graphs of graph2jax ops, for real inputs (complex ones get a
"not implemented" gradient); :mod:`graph2jax.ops.linalg_decomp` lists the
limits of the decompositions' gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op, Variable
from graph2jax.graph.gradtypes import NullType, disconnected, is_disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.blas import matmul
from graph2jax.ops.creation import zeros_like
from graph2jax.ops.elemwise_op import dimshuffle, real_of, unbroadcast
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType, complex_dtypes, discrete_dtypes, float_dtypes
from graph2jax.types.variable import TensorVariable

# ---------------------------------------------------------------------------
# helpers shared by the ops (graph helpers reach graph2jax.tensor at call time)


def linalg_dtype(*dtypes: str) -> str:
    """PyTensor's linalg output dtype for inputs of ``dtypes`` (LAPACK's working type).

    Floats and complex keep their dtype; bool and integers of at most 16 bits
    become float32, wider integers float64; several inputs combine by numpy's
    promotion of those.
    """
    working = [
        ("float32" if np.dtype(d).itemsize <= 2 else "float64") if d in discrete_dtypes else d
        for d in dtypes
    ]
    return np.result_type(*working).name


def _matrix_input(op: Op, x: Any, square: bool) -> TensorVariable:
    """``x`` as a stack of matrices; a ValueError naming ``op`` when it is not (square) one."""
    x = as_tensor_variable(x)
    if x.ndim < 2:
        raise ValueError(
            f"{op} needs a matrix or a stack of matrices (ndim >= 2); {x.describe()} has "
            f"ndim {x.ndim}, shape {x.type.shape}"
        )
    m, n = x.type.shape[-2:]
    if square and m is not None and n is not None and m != n:
        raise ValueError(
            f"{op} needs square matrices; {x.describe()} has static shape {x.type.shape}"
        )
    return x


def _mT(x: TensorVariable) -> TensorVariable:
    """Swap the last two axes."""
    pattern = list(range(x.ndim))
    pattern[-2:] = pattern[-1], pattern[-2]
    return dimshuffle(x, pattern)


def _pad_right(x: TensorVariable, k: int) -> TensorVariable:
    """``x`` with ``k`` broadcastable axes added at the end."""
    return dimshuffle(x, (*range(x.ndim), *("x",) * k))


def _pad_at(x: TensorVariable, axis: int) -> TensorVariable:
    """``x`` with a broadcastable axis inserted at position ``axis`` (negative counts from the end)."""
    pattern: list[Any] = list(range(x.ndim))
    pattern.insert(axis % (x.ndim + 1), "x")
    return dimshuffle(x, pattern)


def _input_grad(g: TensorVariable, x: TensorVariable) -> Variable:
    """The gradient ``g`` for input ``x``; integer inputs get a disconnected one, as Elemwise.

    The formulas here are those of real matrices (transposes, not conjugate
    transposes): complex inputs get a null gradient that says so.
    """
    if x.dtype in complex_dtypes:
        return NullType(
            f"linear algebra gradients of the complex {x.describe()} are not implemented"
        )()
    if x.dtype not in float_dtypes:
        return disconnected()
    return unbroadcast(g, x)


def _out(dtype: str, shape: tuple) -> TensorVariable:
    return TensorType(dtype, shape)()


# ---------------------------------------------------------------------------
# TrianglePart: the projection used by every one-triangle gradient


class TrianglePart(Op):
    """The lower (or upper) triangle of each matrix, its diagonal scaled by ``diag_scale``.

    A linear, self-adjoint map, so its gradient is itself. With
    ``diag_scale=0.5`` it maps ``G + G.T`` to the gradient of a function of
    the symmetric matrix built from one triangle.
    """

    __props__ = ("lower", "diag_scale")

    def __init__(self, lower: bool = True, diag_scale: float = 1.0):
        self.lower = bool(lower)
        self.diag_scale = float(diag_scale)

    def make_node(self, x: Any) -> Apply:
        x = _matrix_input(self, x, square=False)
        return Apply(self, [x], [x.type()])

    def _apply(self, xp: Any, x: Any) -> Any:
        tri = xp.tril(x) if self.lower else xp.triu(x)
        if self.diag_scale == 1.0:
            return tri
        m, n = np.shape(x)[-2:]
        eye = np.eye(m, n, dtype=bool)
        return xp.where(eye, tri * np.asarray(self.diag_scale, dtype=tri.dtype), tri)

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = np.asarray(self._apply(np, np.asarray(inputs[0])))

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [self(output_grads[0])]


@jax_funcify.register(TrianglePart)
def _jax_triangle_part(op: TrianglePart, node: Apply) -> Callable[..., Any]:
    return lambda x: op._apply(jnp, x)


def _lower_to_symmetric(x: TensorVariable) -> TensorVariable:
    """The symmetric matrix whose lower triangle is ``x``'s: ``tril(x) + tril(x, -1).T``."""
    return TrianglePart(True)(x) + _mT(TrianglePart(True, 0.0)(x))


def _triangle_grad(g: TensorVariable, lower: bool) -> TensorVariable:
    """Gradient wrt a matrix of which only one triangle is read (as the symmetric matrix it defines)."""
    return TrianglePart(lower, 0.5)(g + _mT(g))


# ---------------------------------------------------------------------------
# inverse, determinant, log-determinant


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


# ---------------------------------------------------------------------------
# Cholesky


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
        from graph2jax.ops.linalg_solve import solve_triangular  # it builds on this module

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


__all__ = [
    "Cholesky",
    "Det",
    "MatrixInverse",
    "SLogDet",
    "TrianglePart",
    "cholesky",
    "det",
    "inv",
    "matrix_inverse",
    "slogdet",
]
