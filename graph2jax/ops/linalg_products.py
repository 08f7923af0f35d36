"""Linear algebra built as graphs of other ops: ``trace``, ``kron``, ``matrix_power``,
``matrix_dot``, ``block_diag``, ``tensorinv``, ``tensorsolve`` and ``eigvalsh``.

Being graphs of existing ops, they get their JAX implementation, numpy
reference and gradient from those ops; dtypes follow them (``kron`` and
``block_diag`` upcast as a product/join does, ``trace`` sums as ``sum``).
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import numpy as np

from graph2jax.ops.arrays import trace as diagonal_trace
from graph2jax.ops.blas import dot, matmul
from graph2jax.ops.creation import eye, zeros, zeros_like
from graph2jax.ops.elemwise_op import cast, dimshuffle
from graph2jax.ops.join import join
from graph2jax.ops.linalg import _matrix_input, inv
from graph2jax.ops.linalg_decomp import eigh
from graph2jax.ops.linalg_solve import solve
from graph2jax.ops.reduce import sum as reduce_sum
from graph2jax.ops.reshape import flatten, reshape
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.variable import TensorVariable


def _dim(x: TensorVariable, axis: int) -> Any:
    """The length of ``x`` along ``axis``: a Python int where static, a symbolic scalar otherwise."""
    return x.type.shape[axis] if x.type.shape[axis] is not None else x.shape[axis]


def _dims(x: TensorVariable, axes: range | list[int]) -> list[Any]:
    return [_dim(x, a) for a in axes]


def _product(dims: list[Any]) -> Any:
    return reduce(lambda p, d: p * d, dims, 1)


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
    shape = [*_dims(outer, lead), *(_dim(a, i) * _dim(b, i) for i in kron)]
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


__all__ = [
    "block_diag",
    "eigvalsh",
    "kron",
    "matrix_dot",
    "matrix_power",
    "tensorinv",
    "tensorsolve",
    "trace",
]
