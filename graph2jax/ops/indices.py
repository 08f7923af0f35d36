"""Index helpers: ``tril_indices``/``triu_indices`` (and ``*_from``), ``unravel_index`` and
``ravel_multi_index``, as graphs of existing ops.

The triangle indices' count depends on ``n``, ``m`` and ``k``, which are
static inputs (through ``tri`` and ``nonzero``); ``unravel_index`` and
``ravel_multi_index`` are integer arithmetic on run-time values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph2jax.ops.elemwise import cast
from graph2jax.ops.eye import tri
from graph2jax.ops.math import clip
from graph2jax.ops.nonzero import nonzero
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.variable import TensorVariable


def tril_indices(n: Any, k: Any = 0, m: Any = None) -> tuple[TensorVariable, TensorVariable]:
    """The (row, column) int64 indices of the lower triangle (on and below diagonal ``k``)
    of an ``n x m`` matrix (``m`` defaults to ``n``), as ``numpy.tril_indices``.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> [i.eval() for i in gt.tril_indices(3, -1)]
    [array([1, 2, 2]), array([0, 0, 1])]
    """
    return nonzero(tri(n, m, k, dtype="bool"))


def triu_indices(n: Any, k: Any = 0, m: Any = None) -> tuple[TensorVariable, TensorVariable]:
    """The (row, column) int64 indices of the upper triangle (on and above diagonal ``k``)
    of an ``n x m`` matrix (``m`` defaults to ``n``), as ``numpy.triu_indices``.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> [i.eval() for i in gt.triu_indices(3, 1, 4)]
    [array([0, 0, 0, 1, 1, 2]), array([1, 2, 3, 2, 3, 3])]
    """
    return nonzero(~tri(n, m, as_tensor_variable(k) - 1, dtype="bool"))


def _matrix_lengths(a: Any, what: str) -> tuple[Any, Any]:
    a = as_tensor_variable(a)
    if a.ndim != 2:
        raise ValueError(f"{what}: {a.describe()} must be a matrix, not {a.ndim}-d")
    return a.shape[0], a.shape[1]


def tril_indices_from(a: Any, k: Any = 0) -> tuple[TensorVariable, TensorVariable]:
    """The indices of the lower triangle of the matrix ``a`` (see :func:`tril_indices`).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> [i.eval() for i in gt.tril_indices_from(gt.dmatrix(shape=(2, 3)))]
    [array([0, 1, 1]), array([0, 0, 1])]
    """
    n, m = _matrix_lengths(a, "tril_indices_from")
    return tril_indices(n, k, m)


def triu_indices_from(a: Any, k: Any = 0) -> tuple[TensorVariable, TensorVariable]:
    """The indices of the upper triangle of the matrix ``a`` (see :func:`triu_indices`).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> [i.eval() for i in gt.triu_indices_from(gt.dmatrix(shape=(2, 3)))]
    [array([0, 0, 0, 1, 1]), array([0, 1, 2, 1, 2])]
    """
    n, m = _matrix_lengths(a, "triu_indices_from")
    return triu_indices(n, k, m)


def _integers(x: Any, what: str) -> TensorVariable:
    x = as_tensor_variable(x)
    if not x.dtype.startswith(("int", "uint")):
        raise TypeError(f"{what}: {x.describe()} must hold integers, not {x.dtype}")
    return cast(x, "int64")


def _dims(dims: Any, order: str, what: str) -> list[TensorVariable]:
    if order not in ("C", "F"):
        raise ValueError(f"{what}: order must be 'C' or 'F', not {order!r}")
    dims = _integers(dims, what)
    if dims.ndim != 1 or dims.type.shape[0] is None:
        raise TypeError(f"{what}: dims {dims.describe()} must be a vector of known length")
    entries = [dims[i] for i in range(dims.type.shape[0])]
    return entries if order == "C" else entries[::-1]


def unravel_index(indices: Any, dims: Any, order: str = "C") -> tuple[TensorVariable, ...]:
    """The multi-index (one int64 tensor per entry of ``dims``) of each flat index in
    ``indices`` in an array of shape ``dims``, as ``numpy.unravel_index``.

    Out-of-range indices wrap around instead of raising.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> [i.eval() for i in gt.unravel_index(gt.constant([5, 7]), (3, 4))]
    [array([1, 1]), array([1, 3])]
    """
    indices = _integers(indices, "unravel_index")
    lengths = _dims(dims, order, "unravel_index")
    out = []
    # the last axis (C order) varies fastest: peel lengths off from the end
    rest = indices
    for length in lengths[::-1]:
        out.append(rest % length)
        rest = rest // length
    out = out[::-1]
    return tuple(out if order == "C" else out[::-1])


def ravel_multi_index(
    multi_index: Sequence[Any], dims: Any, mode: str = "raise", order: str = "C"
) -> TensorVariable:
    """The flat int64 index, in an array of shape ``dims``, of the multi-index
    ``multi_index`` (one integer tensor per axis), as ``numpy.ravel_multi_index``.

    ``mode='wrap'`` wraps out-of-range indices, ``'clip'`` clips them;
    ``'raise'`` cannot stop a compiled JAX function, so it does not check them.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.ravel_multi_index((gt.constant([1, 2]), gt.constant([3, 0])), (3, 4)).eval()
    array([7, 8])
    """
    if mode not in ("raise", "wrap", "clip"):
        raise ValueError(f"ravel_multi_index: mode must be raise, wrap or clip, not {mode!r}")
    index = [_integers(i, "ravel_multi_index") for i in multi_index]
    lengths = _dims(dims, order, "ravel_multi_index")
    if len(index) != len(lengths):
        raise ValueError(
            f"ravel_multi_index: {len(index)} index tensors for {len(lengths)} dimensions"
        )
    if order == "F":
        index = index[::-1]
    flat = None
    for i, length in zip(index, lengths, strict=True):
        if mode == "wrap":
            i = i % length
        elif mode == "clip":
            i = clip(i, 0, length - 1)
        flat = i if flat is None else flat * length + i
    return flat


__all__ = [
    "ravel_multi_index",
    "tril_indices",
    "tril_indices_from",
    "triu_indices",
    "triu_indices_from",
    "unravel_index",
]
