"""Contractions built from ``dot`` and ``einsum``: ``matvec``, ``vecmat``, ``vecdot`` (numpy
2's batched products) and ``batched_tensordot``.

Graphs of the :mod:`graph2jax.ops.blas` ops, so their dtypes, gradients and implementations
are those of ``Dot`` and ``Einsum``.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from graph2jax.ops.blas import einsum, matmul
from graph2jax.ops.math import cast
from graph2jax.ops.reduce import normalize_axis
from graph2jax.ops.shape import squeeze
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.variable import TensorVariable


def _product(name: str, x1: Any, x2: Any, ndims: tuple[int, int], dtype: Any) -> TensorVariable:
    """``matmul`` of ``x1`` and ``x2`` seen as stacks of rows/columns (``ndims``: 1 for
    a vector, 2 for a matrix), with the added length-1 axes squeezed out again."""
    x1, x2 = as_tensor_variable(x1), as_tensor_variable(x2)
    for x, ndim in zip((x1, x2), ndims, strict=True):
        if x.ndim < ndim:
            raise ValueError(f"{name}: {x.describe()} must have at least {ndim} dimension(s)")
    left = x1 if ndims[0] == 2 else x1[..., None, :]
    right = x2 if ndims[1] == 2 else x2[..., :, None]
    added = tuple(a for a, n in ((-2, ndims[0]), (-1, ndims[1])) if n == 1)
    out = squeeze(matmul(left, right), added)
    return out if dtype is None else cast(out, dtype)


def matvec(x1: Any, x2: Any, dtype: Any = None) -> TensorVariable:
    """The matrix-vector product over the last axes (numpy's ``matvec``), batched.

    Parameters
    ----------
    x1 : tensor-like, at least 2-d
    x2 : tensor-like, at least 1-d
    dtype : str, optional
        The dtype of the result.
    """
    return _product("matvec", x1, x2, (2, 1), dtype)


def vecmat(x1: Any, x2: Any, dtype: Any = None) -> TensorVariable:
    """The vector-matrix product over the last axes (numpy's ``vecmat`` of real inputs).

    Parameters
    ----------
    x1 : tensor-like, at least 1-d
    x2 : tensor-like, at least 2-d
    dtype : str, optional
        The dtype of the result.
    """
    return _product("vecmat", x1, x2, (1, 2), dtype)


def vecdot(x1: Any, x2: Any, dtype: Any = None) -> TensorVariable:
    """The dot product of the vectors on the last axes (numpy's ``vecdot`` of real inputs).

    As PyTensor, ``x1`` is not conjugated (numpy conjugates it).

    Parameters
    ----------
    x1, x2 : tensor-like, at least 1-d
        Broadcast over the leading axes.
    dtype : str, optional
        The dtype of the result.
    """
    return _product("vecdot", x1, x2, (1, 1), dtype)


def batched_tensordot(x: Any, y: Any, axes: int | Any = 2) -> TensorVariable:
    """:func:`~graph2jax.ops.blas.tensordot` of ``x[i]`` and ``y[i]`` for every ``i`` of the first axis.

    Parameters
    ----------
    x, y : tensor-like
        Batches of the same length along axis 0.
    axes : int or (sequence, sequence)
        An int ``n`` sums the last ``n`` axes of ``x`` with axes ``1 .. n`` of
        ``y``; a pair lists the summed axes of ``x`` and ``y`` (counted with
        the batch axis, which cannot be summed).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.batched_tensordot(gt.dtensor3(), gt.dtensor3(), axes=[[1], [2]]).type
    TensorType(float64, shape=(None, None, None))
    """
    x, y = as_tensor_variable(x), as_tensor_variable(y)
    if x.ndim < 1 or y.ndim < 1:
        raise ValueError("batched_tensordot: both operands need a batch axis")
    if isinstance(axes, int | np.integer):
        if not 0 <= axes < builtins.min(x.ndim, y.ndim):
            raise ValueError(
                f"batched_tensordot: axes={axes} is out of range for {x.describe()} and {y.describe()}"
            )
        axes_x, axes_y = list(range(x.ndim - axes, x.ndim)), list(range(1, axes + 1))
    else:
        axes_x, axes_y = ([a] if isinstance(a, int | np.integer) else list(a) for a in axes)
        axes_x = [normalize_axis(a, x, "batched_tensordot")[0] for a in axes_x]
        axes_y = [normalize_axis(a, y, "batched_tensordot")[0] for a in axes_y]
        if len(axes_x) != len(axes_y) or 0 in axes_x or 0 in axes_y:
            raise ValueError(
                f"batched_tensordot: axes {axes!r} must pair as many axes of x as of y, "
                "none of them the batch axis 0"
            )
    # einsum letters: "a" is the batch, summed pairs share a letter
    letters = iter("bcdefghijklmnopqrstuvwxyz")
    sub_x = ["a"] + [next(letters) for _ in range(x.ndim - 1)]
    sub_y = ["a"] + [None] * (y.ndim - 1)
    for i, j in zip(axes_x, axes_y, strict=True):
        sub_y[j] = sub_x[i]
    sub_y = [c or next(letters) for c in sub_y]
    summed = {sub_x[i] for i in axes_x}
    out = "a" + "".join(c for c in sub_x[1:] + sub_y[1:] if c not in summed)
    return einsum(f"{''.join(sub_x)},{''.join(sub_y)}->{out}", x, y)


__all__ = ["batched_tensordot", "matvec", "vecdot", "vecmat"]
