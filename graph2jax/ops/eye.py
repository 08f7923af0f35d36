"""Matrices of ones on or below a diagonal: ``eye``/``identity_like`` and ``tri``.

Their lengths and diagonal offset decide the result, so they are static inputs
(as the shapes of :mod:`graph2jax.ops.creation`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.gradtypes import disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.creation import _dtype, _int_scalar, _static_length
from graph2jax.ops.shape import shape_i
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType
from graph2jax.types.variable import TensorVariable


class _TriangleOrDiagonal(Op):
    """An ``n x m`` matrix of ``dtype`` from its lengths and diagonal offset ``k`` (all static)."""

    __props__ = ("dtype",)
    static_inputs = (0, 1, 2)
    np_fn: Callable[..., Any]
    jnp_fn: Callable[..., Any]

    def __init__(self, dtype: Any):
        self.dtype = str(np.dtype(dtype))

    def make_node(self, n: Any, m: Any, k: Any) -> Apply:
        name = type(self).__name__.lower()
        n, m, k = (_int_scalar(v, f"{name}: {w}") for v, w in ((n, "n"), (m, "m"), (k, "k")))
        static = [_static_length(v, f"{name}: {w}") for v, w in ((n, "n"), (m, "m"))]
        return Apply(self, [n, m, k], [TensorType(self.dtype, static)()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        n, m, k = (int(v) for v in inputs)
        output_storage[0][0] = type(self).np_fn(n, m, k, dtype=self.dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return [tuple(node.inputs[:2])]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [disconnected()] * 3


@jax_funcify.register(_TriangleOrDiagonal)
def _jax_triangle_or_diagonal(op: _TriangleOrDiagonal, node: Apply) -> Callable[..., Any]:
    fn, dtype = type(op).jnp_fn, op.dtype
    return lambda n, m, k: fn(int(n), int(m), int(k), dtype=dtype)


class Eye(_TriangleOrDiagonal):
    """Ones on the ``k``-th diagonal, zeros elsewhere (``numpy.eye``)."""

    np_fn = staticmethod(np.eye)
    jnp_fn = staticmethod(jnp.eye)


class Tri(_TriangleOrDiagonal):
    """Ones at and below the ``k``-th diagonal, zeros elsewhere (``numpy.tri``)."""

    np_fn = staticmethod(np.tri)
    jnp_fn = staticmethod(jnp.tri)


def eye(n: Any, m: Any = None, k: Any = 0, dtype: Any = None) -> TensorVariable:
    """A matrix with ones on the ``k``-th diagonal (``m`` defaults to ``n``), floatX by default.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.eye(2, 3, k=1, dtype="int32").eval()
    array([[0, 1, 0],
           [0, 0, 1]], dtype=int32)
    """
    return Eye(_dtype(dtype))(n, n if m is None else m, k)


def identity_like(x: Any, dtype: Any = None) -> TensorVariable:
    """The identity of ``x``'s (matrix) shape, of ``x``'s dtype unless ``dtype`` is given."""
    x = as_tensor_variable(x)
    return eye(shape_i(x, 0), shape_i(x, 1), 0, dtype=x.dtype if dtype is None else dtype)


def tri(N: Any, M: Any = None, k: Any = 0, dtype: Any = None) -> TensorVariable:  # noqa: N803
    """Ones at and below the ``k``-th diagonal of an ``N x M`` matrix, floatX by default."""
    return Tri(_dtype(dtype))(N, N if M is None else M, k)


__all__ = ["Eye", "Tri", "eye", "identity_like", "tri"]
