"""``norm``: vector and matrix norms as numpy.linalg.norm, one op with a composed gradient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.blas import matmul
from graph2jax.ops.elemwise import eq, sign
from graph2jax.ops.elemwise_op import dimshuffle, real_of
from graph2jax.ops.linalg import _input_grad, _out, _pad_at, linalg_dtype
from graph2jax.ops.linalg_decomp import SVD
from graph2jax.ops.reduce import max as reduce_max
from graph2jax.ops.reduce import min as reduce_min
from graph2jax.ops.reduce import sum as reduce_sum
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.variable import TensorVariable

_INF = float("inf")
_MATRIX_ORDS = (None, "fro", "nuc", _INF, -_INF, 1, -1, 2, -2)


def _canonical_ord(ord: Any) -> Any:
    if ord is None or isinstance(ord, str):
        return ord
    value = float(ord)
    return int(value) if value.is_integer() else value


class Norm(Op):
    """The ``ord`` norm of ``x`` over ``axis`` (one axis: a vector norm; two: a matrix norm).

    ``axis=None`` with ``ord=None`` is the 2-norm of all of ``x`` flattened.
    """

    __props__ = ("ord", "axis", "keepdims")

    def __init__(self, ord: Any, axis: tuple[int, ...] | None, keepdims: bool = False):
        self.ord = _canonical_ord(ord)
        self.axis = None if axis is None else tuple(int(a) for a in axis)
        self.keepdims = bool(keepdims)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        axes = _reduced_axes(self.axis, x.ndim)
        shape = tuple(
            1 if a in axes else s
            for a, s in enumerate(x.type.shape)
            if self.keepdims or a not in axes
        )
        return Apply(self, [x], [_out(real_of(linalg_dtype(x.dtype)), shape)])

    def _apply(self, xp: Any, x: Any, dtype: str) -> Any:
        x = xp.asarray(x, dtype=linalg_dtype(str(x.dtype)))
        if self.axis is None:  # numpy flattens the input then
            r = xp.sqrt(xp.sum(xp.real(x * xp.conj(x)), keepdims=self.keepdims))
        else:
            axis = self.axis[0] if len(self.axis) == 1 else self.axis
            r = xp.linalg.norm(x, ord=self.ord, axis=axis, keepdims=self.keepdims)
        return xp.asarray(r, dtype=dtype)

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        x = np.asarray(inputs[0])
        output_storage[0][0] = self._apply(np, x, node.outputs[0].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        axes = _reduced_axes(self.axis, node.inputs[0].ndim)
        one = constant(1, dtype="int64")
        (shape,) = input_shapes
        return [
            tuple(
                one if a in axes else s
                for a, s in enumerate(shape)
                if self.keepdims or a not in axes
            )
        ]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (x,), (n,), (gn,) = inputs, outputs, output_grads
        axes = _reduced_axes(self.axis, x.ndim)
        if not self.keepdims:
            n, gn = _keep(n, axes), _keep(gn, axes)
        return [_input_grad(gn * _norm_direction(self.ord, x, n, self.axis), x)]


def _keep(v: TensorVariable, axes: tuple[int, ...]) -> TensorVariable:
    """A reduced ``v`` with its reduced ``axes`` put back as broadcastable axes."""
    kept = iter(range(v.ndim))
    pattern = ["x" if d in axes else next(kept) for d in range(v.ndim + len(axes))]
    return dimshuffle(v, pattern)


def _norm_direction(ord: Any, x: Any, n: Any, axis: tuple[int, ...] | None) -> Any:
    """d norm / d x, given the norm ``n`` with the reduced axes kept (length 1)."""
    if axis is None or ord in (None, "fro") or (ord == 2 and len(axis) == 1):
        return x / n
    if len(axis) == 1:
        if ord == 0:
            return x * 0
        if ord in (_INF, -_INF):
            return sign(x) * eq(abs(x), n)
        if ord == 1:
            return sign(x)
        return sign(x) * (abs(x) / n) ** (ord - 1)
    row, col = (a % x.ndim for a in axis)
    extreme = reduce_max if ord in (1, _INF, 2) else reduce_min
    if ord in (1, -1, _INF, -_INF):
        # 1: extreme column sum of |x| (summed along the row axis); inf: extreme row sum
        summed, other = (row, col) if ord in (1, -1) else (col, row)
        sums = reduce_sum(abs(x), axis=summed, keepdims=True)
        return sign(x) * eq(sums, extreme(sums, axis=other, keepdims=True))
    # 2, -2, nuc through the SVD of the matrices, their two axes moved last
    others = [a for a in range(x.ndim) if a not in (row, col)]
    perm = (*others, row, col)
    u, s, vh = SVD(full_matrices=False)(dimshuffle(x, perm))
    if ord == "nuc":
        d = matmul(u, vh)
    else:  # the singular vectors of the extreme singular value
        picked = eq(s, extreme(s, axis=-1, keepdims=True))
        d = matmul(u * _pad_at(picked, -2), vh)
    return dimshuffle(d, [perm.index(a) for a in range(x.ndim)])


def _reduced_axes(axis: tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    return tuple(range(ndim)) if axis is None else tuple(sorted(a % ndim for a in axis))


@jax_funcify.register(Norm)
def _jax_norm(op: Norm, node: Apply) -> Callable[..., Any]:
    dtype = node.outputs[0].dtype
    return lambda x: op._apply(jnp, x, dtype)


def norm(
    x: Any, ord: Any = None, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> TensorVariable:
    """The norm of ``x`` as numpy.linalg.norm.

    Parameters
    ----------
    x : tensor
    ord : {None, 'fro', 'nuc', inf, -inf, 0, 1, -1, 2, -2, any number}
        Vector norms take numbers (``sum(abs(x)**ord)**(1/ord)``, ``inf``
        the largest magnitude, 0 the count of non-zeros); matrix norms take
        None/'fro' (Frobenius), 'nuc', +-1 (column sums), +-inf (row sums),
        +-2 (singular values).
    axis : int or pair of ints, optional
        One axis: vector norms; two: matrix norms; None: the whole of a
        vector or matrix (and, with ``ord=None``, of ``x`` flattened).
    keepdims : bool

    Raises
    ------
    ValueError
        For an ``ord`` that is invalid for the kind of norm, or ``axis=None``
        with an ``ord`` on an input of more than two dimensions.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> v = gt.dvector("v")
    >>> float(gt.linalg.norm(v).eval({v: np.array([3.0, 4.0])}))
    5.0
    """
    x = as_tensor_variable(x)
    ord = _canonical_ord(ord)
    if axis is None:
        if ord is None:
            return Norm(None, None, keepdims)(x)
        if x.ndim not in (1, 2):
            raise ValueError(
                f"norm: ord={ord!r} with axis=None needs a vector or a matrix; "
                f"{x.describe()} has {x.ndim} dimensions"
            )
        axis = tuple(range(x.ndim))
    axis = (int(axis),) if isinstance(axis, int | np.integer) else tuple(int(a) for a in axis)
    if any(not -x.ndim <= a < x.ndim for a in axis) or len(
        {a % max(x.ndim, 1) for a in axis}
    ) != len(axis):
        raise ValueError(f"norm: invalid axis {axis} for {x.describe()} with {x.ndim} dimensions")
    if len(axis) == 1 and isinstance(ord, str):
        raise ValueError(f"norm: ord={ord!r} is invalid for vector norms")
    if len(axis) == 2 and ord not in _MATRIX_ORDS:
        raise ValueError(
            f"norm: ord={ord!r} is invalid for matrix norms; use one of {_MATRIX_ORDS}"
        )
    if len(axis) > 2:
        raise ValueError(f"norm: axis {axis} names more than two axes")
    return Norm(ord, axis, keepdims)(x)


__all__ = ["Norm", "norm"]
