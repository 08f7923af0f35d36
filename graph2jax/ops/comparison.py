"""Comparing tensors, as PyTensor builds it from other ops: ``isclose``, ``allclose``,
``largest`` and ``smallest``.

Each is a small graph of existing ops (so its dtype, gradient and implementations are theirs).
"""

from __future__ import annotations

from typing import Any

from graph2jax.ops.join import stack
from graph2jax.ops.math import (
    abs,
    and_,
    eq,
    invert,
    isinf,
    isnan,
    le,
    or_,
    switch,
)
from graph2jax.ops.reduce import all as reduce_all
from graph2jax.ops.reduce import max as reduce_max
from graph2jax.ops.reduce import min as reduce_min
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.variable import TensorVariable


def isclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> TensorVariable:
    """Whether ``|a - b| <= atol + rtol * |b|`` elementwise (numpy's ``isclose``); bool result.

    Infinities are close only to an infinity of the same sign; nan is close to
    nothing unless ``equal_nan``.

    Parameters
    ----------
    a, b : tensor-like
        Numbers (bools are refused, as in PyTensor: ``a - b`` is undefined).
    rtol, atol : float
        Relative and absolute tolerances.
    equal_nan : bool
        Whether two nans are close.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.isclose(gt.constant([1.0, np.inf, np.nan]), gt.constant([1.0 + 1e-9, np.inf, np.nan])).eval()
    array([ True,  True, False])
    """
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    within = le(abs(a - b), atol + rtol * abs(b))
    finite = invert(or_(or_(isnan(a), isnan(b)), or_(isinf(a), isinf(b))))
    close = or_(and_(within, finite), and_(and_(isinf(a), isinf(b)), eq(a, b)))
    return or_(close, and_(isnan(a), isnan(b))) if equal_nan else close


def allclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> TensorVariable:
    """Whether every element of ``a`` and ``b`` is close (:func:`isclose`); a bool scalar.

    Parameters
    ----------
    a, b : tensor-like
    rtol, atol : float
    equal_nan : bool
        As for :func:`isclose`.
    """
    return reduce_all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def largest(*args: Any) -> TensorVariable:
    """The elementwise maximum of the arguments (broadcast together).

    Parameters
    ----------
    *args : tensor-like
        Two or more tensors.
    """
    if len(args) == 2:
        a, b = (as_tensor_variable(t) for t in args)
        return switch(a > b, a, b)
    return reduce_max(stack(args), axis=0)


def smallest(*args: Any) -> TensorVariable:
    """The elementwise minimum of the arguments (broadcast together).

    Parameters
    ----------
    *args : tensor-like
        Two or more tensors.
    """
    if len(args) == 2:
        a, b = (as_tensor_variable(t) for t in args)
        return switch(a < b, a, b)
    return reduce_min(stack(args), axis=0)


__all__ = ["allclose", "isclose", "largest", "smallest"]
