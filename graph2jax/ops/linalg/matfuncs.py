"""Functions of matrices: ``expm``, ``matrix_power``, ``kron``, ``block_diag``,
``matrix_dot``, ``trace``, ``tensorinv``, ``tensorsolve``, ``eigvalsh`` and ``norm``.

``Expm`` and ``Norm`` are ops: ``Expm``'s gradient is the upper-right block of
``expm([[A.T, G], [0, A.T]])``; ``norm`` (vector and matrix norms as
``numpy.linalg.norm``) has a composed gradient. The others are graphs of existing ops, so they
get their JAX implementation, numpy reference and gradient from those ops; dtypes follow them
(``kron`` and ``block_diag`` upcast as a product/join does, ``trace`` sums as ``sum``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scipy.linalg

from graph2jax.graph.basic import Apply, Op
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.blas import dot, matmul
from graph2jax.ops.creation import zeros, zeros_like
from graph2jax.ops.diagonal import trace as diagonal_trace
from graph2jax.ops.elemwise import cast, dimshuffle
from graph2jax.ops.eye import eye
from graph2jax.ops.join import concatenate, join
from graph2jax.ops.linalg._common import (
    _dims,
    _input_grad,
    _matrix_input,
    _mT,
    _out,
    _pad_at,
    _product,
    linalg_dtype,
)
from graph2jax.ops.linalg.basic import inv
from graph2jax.ops.linalg.decomp import SVD, eigh
from graph2jax.ops.linalg.solve import solve
from graph2jax.ops.math import eq, sign
from graph2jax.ops.reduce import max as reduce_max
from graph2jax.ops.reduce import min as reduce_min
from graph2jax.ops.reduce import sum as reduce_sum
from graph2jax.ops.reshape import flatten, reshape
from graph2jax.ops.scalar import real_of
from graph2jax.ops.shape import static_or_symbolic_length
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.variable import TensorVariable


class Expm(Op):
    """The matrix exponential of each square matrix of a stack."""

    def make_node(self, a: Any) -> Apply:
        a = _matrix_input(self, a, square=True)
        return Apply(self, [a], [_out(linalg_dtype(a.dtype), a.type.shape)])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        dtype = node.outputs[0].dtype
        out = scipy.linalg.expm(np.asarray(inputs[0], dtype=dtype))
        output_storage[0][0] = np.asarray(out, dtype=dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        # the Frechet derivative's adjoint: expm([[A^T, G], [0, A^T]])[:n, n:]
        (a,), (ga,) = inputs, output_grads
        at = _mT(cast(a, ga.dtype))
        top = concatenate([at, ga], axis=-1)
        bottom = concatenate([zeros_like(at), at], axis=-1)
        n = a.shape[-1]
        block = self(concatenate([top, bottom], axis=-2))
        return [_input_grad(block[..., :n, n:], a)]


@jax_funcify.register(Expm)
def _jax_expm(op: Expm, node: Apply) -> Callable[..., Any]:
    dtype = node.outputs[0].dtype
    return lambda a: jax.scipy.linalg.expm(jnp.asarray(a, dtype=dtype))


def expm(A: Any) -> TensorVariable:
    """The matrix exponential of ``A`` (a square matrix or a stack of them), as ``scipy.linalg.expm``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> gt.linalg.expm(a).eval({a: np.zeros((2, 2))})
    array([[1., 0.],
           [0., 1.]])
    """
    return Expm()(A)


def trace(X: Any) -> TensorVariable:
    """The sum of the diagonal of ``X`` along its first two axes, all of it summed (as PyTensor).

    For a matrix, ``pt.trace``; for more axes, the sum of ``pt.trace``'s
    result. Integers sum in int64 and floats keep their dtype, as :func:`sum`.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dmatrix("x")
    >>> float(gt.linalg.trace(x).eval({x: np.array([[1.0, 2.0], [3.0, 4.0]])}))
    5.0
    """
    X = as_tensor_variable(X)
    if X.ndim < 2:
        raise ValueError(f"trace needs ndim >= 2; {X.describe()} has ndim {X.ndim}")
    return reduce_sum(diagonal_trace(X))


def _kron_axes(a: TensorVariable, b: TensorVariable, k: int) -> TensorVariable:
    """The Kronecker product over the last ``k`` axes, broadcast over the leading ones.

    The input with fewer axes gets leading length-1 axes first.
    """
    nd = max(a.ndim, b.ndim)
    a = dimshuffle(a, (*("x",) * (nd - a.ndim), *range(a.ndim)))
    b = dimshuffle(b, (*("x",) * (nd - b.ndim), *range(b.ndim)))
    lead, kron = range(nd - k), range(nd - k, nd)
    # interleave the Kronecker axes (a's then b's), product, then merge each pair
    outer = dimshuffle(a, [*lead, *(p for i in kron for p in (i, "x"))]) * dimshuffle(
        b, [*lead, *(p for i in kron for p in ("x", i))]
    )
    shape = [
        *_dims(outer, lead),
        *(static_or_symbolic_length(a, i) * static_or_symbolic_length(b, i) for i in kron),
    ]
    return reshape(outer, shape)


def kron(a: Any, b: Any) -> TensorVariable:
    """The Kronecker product of ``a`` and ``b``, as ``numpy.kron``.

    The input with fewer axes gets leading length-1 axes; the result has
    shape ``a.shape[i] * b.shape[i]`` along each axis.

    Raises
    ------
    TypeError
        When ``a.ndim + b.ndim < 3``, as PyTensor.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, b = gt.dmatrix("a"), gt.dmatrix("b")
    >>> gt.linalg.kron(a, b).eval({a: np.eye(2), b: np.ones((1, 2))})
    array([[1., 1., 0., 0.],
           [0., 0., 1., 1.]])
    """
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    if a.ndim + b.ndim <= 2:
        raise TypeError(
            f"kron: the inputs' dimensions must sum to 3 or more; {a.describe()} has "
            f"ndim {a.ndim} and {b.describe()} has ndim {b.ndim}"
        )
    return _kron_axes(a, b, max(a.ndim, b.ndim))


def matrix_power(M: Any, n: int) -> TensorVariable:
    """``M`` multiplied by itself ``n`` times (``inv(M)`` ``-n`` times when ``n < 0``).

    Batched over the leading axes (``matmul``). ``n`` is a Python int;
    ``n == 0`` gives the identity in ``M``'s dtype.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> m = gt.dmatrix("m")
    >>> gt.linalg.matrix_power(m, 3).eval({m: np.array([[1.0, 1.0], [0.0, 1.0]])})
    array([[1., 3.],
           [0., 1.]])
    """
    M = _matrix_input("matrix_power", M, square=True)
    n = int(n)
    if n < 0:
        M, n = inv(M), -n
    if n == 0:
        identity = eye(*_dims(M, [-2, -1]), dtype=M.dtype)
        return identity + zeros_like(M)
    # binary exponentiation: the factors are the squarings of M for the bits set in n
    result, square = None, M
    while True:
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if not n:
            return result
        square = matmul(square, square)


def matrix_dot(*args: Any) -> TensorVariable:
    """The product ``dot(dot(args[0], args[1]), ...)`` of several matrices (or vectors).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> gt.linalg.matrix_dot(a, a, a).eval({a: 2 * np.eye(2)})
    array([[8., 0.],
           [0., 8.]])
    """
    if not args:
        raise TypeError("matrix_dot needs at least one argument")
    return reduce(dot, [as_tensor_variable(a) for a in args])


def block_diag(*matrices: Any) -> TensorVariable:
    """The block-diagonal matrix with ``matrices`` (2-d each) on its diagonal, zeros elsewhere.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, b = gt.dmatrix("a"), gt.dmatrix("b")
    >>> gt.linalg.block_diag(a, b).eval({a: np.ones((1, 1)), b: 2 * np.ones((1, 2))})
    array([[1., 0., 0.],
           [0., 2., 2.]])
    """
    if not matrices:
        raise TypeError("block_diag needs at least one matrix")
    mats = [as_tensor_variable(m) for m in matrices]
    for m in mats:
        if m.ndim != 2:
            raise TypeError(f"block_diag needs matrices; {m.describe()} has ndim {m.ndim}")
    dtype = np.result_type(*[m.dtype for m in mats]).name
    rows, cols = [_dims(m, [0])[0] for m in mats], [_dims(m, [1])[0] for m in mats]

    def block_row(i: int) -> TensorVariable:
        parts = [
            cast(m, dtype) if j == i else zeros((rows[i], cols[j]), dtype=dtype)
            for j, m in enumerate(mats)
        ]
        return join(1, *parts) if len(parts) > 1 else parts[0]

    return join(0, *[block_row(i) for i in range(len(mats))]) if len(mats) > 1 else block_row(0)


def tensorinv(a: Any, ind: int = 2) -> TensorVariable:
    """The inverse of ``a`` for ``tensordot(..., ind)``, as ``numpy.linalg.tensorinv``.

    ``a.shape[:ind]`` and ``a.shape[ind:]`` must have equal products; the
    result has shape ``a.shape[ind:] + a.shape[:ind]``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dtensor3("a")
    >>> gt.linalg.tensorinv(a, ind=1).eval({a: 2 * np.eye(4).reshape(4, 2, 2)}).shape
    (2, 2, 4)
    """
    a = as_tensor_variable(a)
    if not 0 < ind < a.ndim:
        raise ValueError(f"tensorinv: ind must be in 1..{a.ndim - 1}, got {ind}")
    head, tail = _dims(a, range(ind)), _dims(a, range(ind, a.ndim))
    square = reshape(a, [_product(head), _product(tail)])
    return reshape(inv(square), [*tail, *head])


def tensorsolve(a: Any, b: Any, axes: Any = None) -> TensorVariable:
    """``x`` with ``tensordot(a, x, x.ndim) == b``, as ``numpy.linalg.tensorsolve``.

    ``axes`` (of ``a``) are moved to the end first. ``x`` has shape
    ``a.shape[b.ndim:]``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a, b = gt.dtensor3("a"), gt.dvector("b")
    >>> gt.linalg.tensorsolve(a, b).eval({a: np.eye(4).reshape(4, 2, 2), b: np.arange(4.0)})
    array([[0., 1.],
           [2., 3.]])
    """
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    if axes is not None:
        moved = [ax % a.ndim for ax in axes]
        a = dimshuffle(a, [k for k in range(a.ndim) if k not in moved] + moved)
    rest = _dims(a, range(b.ndim, a.ndim))
    square = reshape(a, [_product(_dims(b, range(b.ndim))), _product(rest)])
    return reshape(solve(square, flatten(b), b_ndim=1), rest)


def eigvalsh(a: Any, b: Any = None, lower: bool = True) -> TensorVariable:
    """The eigenvalues (ascending) of the symmetric matrix ``a``, read from one triangle.

    The generalized problem (``b`` given) is not supported, as in :func:`eigh`.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> a = gt.dmatrix("a")
    >>> gt.linalg.eigvalsh(a).eval({a: np.array([[2.0, 1.0], [1.0, 2.0]])})
    array([1., 3.])
    """
    return eigh(a, b, lower=lower)[0]


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


__all__ = [
    "Expm",
    "Norm",
    "block_diag",
    "eigvalsh",
    "expm",
    "kron",
    "matrix_dot",
    "matrix_power",
    "norm",
    "tensorinv",
    "tensorsolve",
    "trace",
]
