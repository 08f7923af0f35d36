"""Turning python values into tensor variables: ``as_tensor_variable``, ``constant`` and PyTensor's autocasting."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from graph2jax.config import config
from graph2jax.graph.basic import Variable
from graph2jax.types import _ops
from graph2jax.types.tensor_type import TensorType, dtype_name
from graph2jax.types.variable import TensorConstant


def autocast_value(x: Any) -> np.ndarray:
    """A python scalar as PyTensor types it: the smallest dtype that holds it exactly.

    Ints become the first of int8, int16, int32, int64 that holds the value;
    floats become float32 when exact in float32 (or when ``floatX`` is
    float32), else float64; so ``fvector * 2.0`` stays float32 while
    ``fvector * 0.1`` is float64, as in PyTensor.
    """
    if isinstance(x, bool | np.bool_):
        return np.asarray(x, dtype="bool")
    if isinstance(x, builtins.int):
        for dtype in ("int8", "int16", "int32", "int64"):
            info = np.iinfo(dtype)
            if info.min <= x <= info.max:
                return np.asarray(x, dtype=dtype)
        return np.asarray(x, dtype="uint64")
    if isinstance(x, builtins.float):
        if config.floatX == "float32":
            return np.asarray(x, dtype="float32")
        as32 = np.asarray(x, dtype="float32")
        return as32 if (float(as32) == x or np.isnan(x)) else np.asarray(x, dtype="float64")
    if isinstance(x, builtins.complex):
        return np.asarray(x, dtype="complex128")
    return np.asarray(x)


def constant(
    x: Any, name: str | None = None, ndim: int | None = None, dtype: Any = None
) -> TensorConstant:
    """A constant tensor holding ``x``.

    Parameters
    ----------
    x : array-like or python scalar
    name : str, optional
    ndim : int, optional
        Left-pad (or squeeze leading length-1 axes) to this many dimensions.
    dtype : str, optional
        Cast the value; by default python scalars follow :func:`autocast_value`.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.constant(2).dtype, gt.constant(0.5).dtype, gt.constant([1.0, 0.1]).dtype
    ('int8', 'float32', 'float64')
    """
    if isinstance(x, TensorConstant) and dtype is None and ndim is None:
        return x
    if isinstance(x, Variable):
        raise TypeError(f"constant() needs a value, got the symbolic variable {x}")
    if dtype is not None:
        value = np.asarray(x, dtype=dtype_name(dtype))
    elif isinstance(x, bool | int | float | complex) and not isinstance(x, np.generic):
        # numpy scalars keep their dtype (np.float64 subclasses float), as in PyTensor
        value = autocast_value(x)
    else:
        value = np.asarray(x)
        if value.dtype == object:
            raise TypeError(f"cannot make a tensor constant of {x!r}")
        if value.dtype == np.float16:
            value = value.astype("float32")
    if ndim is not None:
        while value.ndim > ndim and value.shape[0] == 1:
            value = value[0]
        if value.ndim > ndim:
            raise ValueError(f"constant of shape {value.shape} cannot have {ndim} dimensions")
        value = value.reshape((1,) * (ndim - value.ndim) + value.shape)
    ttype = TensorType(str(value.dtype), value.shape)
    return TensorConstant(ttype, value, name=name)


def as_tensor_variable(
    x: Any, name: str | None = None, ndim: int | None = None, dtype: Any = None
) -> Variable:
    """``x`` as a tensor variable: variables are returned as they are, values become constants.

    Lists and tuples that contain symbolic variables are stacked.

    Raises
    ------
    TypeError
        When ``x`` is a variable of another type, has the wrong ``ndim``, or
        cannot become an array.
    """
    if isinstance(x, Variable):
        if not isinstance(x.type, TensorType):
            raise TypeError(f"expected a tensor variable, got {x.describe()} of type {x.type}")
        if ndim is not None and x.ndim != ndim:
            if x.ndim > ndim and all(s == 1 for s in x.type.shape[: x.ndim - ndim]):
                return _ops().squeeze(x, tuple(range(x.ndim - ndim)))
            raise TypeError(f"expected {ndim} dimensions, {x.describe()} has {x.ndim}")
        if dtype is not None and x.dtype != dtype_name(dtype):
            return _ops().cast(x, dtype)
        return x
    if isinstance(x, list | tuple) and any(isinstance(e, Variable) for e in _flatten(x)):
        return _ops().stack([as_tensor_variable(e, dtype=dtype) for e in x])
    return constant(x, name=name, ndim=ndim, dtype=dtype)


def _flatten(seq: Any) -> list:
    out = []
    for e in seq:
        out.extend(_flatten(e) if isinstance(e, list | tuple) else [e])
    return out


def stacklists(arg: Any) -> Variable:
    """Stack a nested list of tensors into one tensor with the list's structure in front.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> a, b, c, d = gt.scalars("abcd")
    >>> gt.stacklists([[a, b], [c, d]]).eval({a: 1, b: 2, c: 3, d: 4})
    array([[1., 2.],
           [3., 4.]])
    """
    if isinstance(arg, list | tuple):
        return _ops().stack([stacklists(item) for item in arg])
    return as_tensor_variable(arg)


as_tensor = as_tensor_variable  # PyTensor's short name

__all__ = ["as_tensor", "as_tensor_variable", "constant", "stacklists"]
