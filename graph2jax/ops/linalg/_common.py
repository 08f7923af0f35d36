"""The helpers of the linear-algebra family: the dtype rule, input checks, matrix
transposes and padding, gradient casts, static lengths, and the ``TrianglePart`` op that
symmetric inputs are read through.

Every op of :mod:`graph2jax.ops.linalg` works on the last two axes and is batched over the
leading ones, as numpy's ``linalg`` functions are. Dtypes follow PyTensor: floats (and
complex) keep their dtype, integers and bool compute in float32 (up to 16 bits) or float64
(:func:`linalg_dtype`). Symmetric inputs (``eigh``, ``cholesky``,
``solve(assume_a='sym'|'her'|'pos')``) are read from one triangle only, in numpy and in JAX
alike, so both agree on any input and the gradients are those of that triangle
(:class:`TrianglePart`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op, Variable
from graph2jax.graph.gradtypes import NullType, disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.elemwise import dimshuffle, unbroadcast
from graph2jax.ops.shape import static_or_symbolic_length
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType, complex_dtypes, discrete_dtypes, float_dtypes
from graph2jax.types.variable import TensorVariable


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


def _dims(x: TensorVariable, axes: range | list[int]) -> list[Any]:
    return [static_or_symbolic_length(x, a) for a in axes]


def _product(dims: list[Any]) -> Any:
    return reduce(lambda p, d: p * d, dims, 1)


__all__ = ["TrianglePart"]
