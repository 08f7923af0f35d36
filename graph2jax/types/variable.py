"""``TensorVariable`` and ``TensorConstant``: symbolic arrays with numpy-like operators.

The operators call the op library at call time through :func:`graph2jax.types._ops`, and
``eval`` reaches :func:`graph2jax.function` (the two upward calls the layering allows), so this
module imports no op.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from graph2jax.graph.basic import Constant, Variable
from graph2jax.types import _ops
from graph2jax.types.tensor_type import TensorType

#: numpy ufunc names whose graph2jax.tensor function has another name (the rest share the name)
_UFUNC_ALIASES = {
    "absolute": "abs", "fabs": "abs", "negative": "neg", "subtract": "sub", "multiply": "mul",
    "divide": "true_div", "true_divide": "true_div", "floor_divide": "int_div", "remainder": "mod",
    "power": "pow", "acos": "arccos", "acosh": "arccosh", "asin": "arcsin", "asinh": "arcsinh",
    "atan": "arctan", "atanh": "arctanh", "atan2": "arctan2", "logical_and": "and_",
    "logical_or": "or_", "logical_xor": "xor", "logical_not": "invert", "bitwise_and": "and_",
    "bitwise_or": "or_", "bitwise_xor": "xor", "bitwise_not": "invert", "invert": "invert",
    "rint": "round_half_to_even", "degrees": "rad2deg", "radians": "deg2rad",
}  # fmt: skip
#: the numpy functions (``__array_function__``) that build a graph2jax node
_FUNCTIONS = frozenset(
    "dot sum prod mean var std max min argmax argmin all any cumsum cumprod transpose reshape "
    "squeeze concatenate stack where clip diagonal trace outer tensordot sort argsort repeat ptp "
    "matmul expand_dims swapaxes moveaxis flip roll take tile einsum median broadcast_to "
    "zeros_like ones_like full_like diff amax amin".split()
)
_FUNCTION_ALIASES = {"amax": "max", "amin": "min"}


def _numpy_counterpart(
    name: str, aliases: dict[str, str], allowed: frozenset[str] | None = None
) -> Any:
    """The graph2jax.tensor function standing for numpy's ``name``, or None."""
    if allowed is not None and name not in allowed:
        return None
    return getattr(_ops(), aliases.get(name, name), None)


class _TensorOperators:
    """The operators and methods shared by tensor variables, constants and shared variables."""

    type: TensorType
    # numpy arrays and scalars on the left defer to our reflected operators
    # (np.float32(2) * x is a tensor), instead of iterating over a
    # statically-shaped x and building an object array
    __array_priority__ = 1000

    # numpy's protocols: np.exp(x), np.add(x, 1), np.sum(x), np.dot(x, y) build nodes ---------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        fn = _numpy_counterpart(ufunc.__name__, _UFUNC_ALIASES)
        if ufunc.__name__ in ("equal", "not_equal") and len(inputs) == 2:
            # ``array == x`` stays python's identity comparison, as for a variable on the left
            # (and as PyTensor): a symbolic result would break ``in`` and dictionary lookups
            return (inputs[0] is inputs[1]) == (ufunc.__name__ == "equal")
        if method != "__call__" or fn is None or kwargs.get("out") is not None:
            return NotImplemented  # numpy raises TypeError: no symbolic form of this use
        kwargs.pop("out", None)
        if kwargs:  # where=, dtype=, casting=: numpy-only arguments
            return NotImplemented
        return fn(*inputs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        fn = _numpy_counterpart(func.__name__, _FUNCTION_ALIASES, _FUNCTIONS)
        if fn is None:
            # numpy's own code, which works on variables through their methods (np.ndim, np.shape)
            return func._implementation(*args, **kwargs)
        if kwargs.get("out") is not None:
            return NotImplemented
        kwargs = {k: v for k, v in kwargs.items() if k != "out"}
        return fn(*args, **kwargs)

    # arithmetic -----------------------------------------------------------
    def __add__(self, other):
        return _ops().add(self, other)

    def __radd__(self, other):
        return _ops().add(other, self)

    def __sub__(self, other):
        return _ops().sub(self, other)

    def __rsub__(self, other):
        return _ops().sub(other, self)

    def __mul__(self, other):
        return _ops().mul(self, other)

    def __rmul__(self, other):
        return _ops().mul(other, self)

    def __truediv__(self, other):
        return _ops().true_div(self, other)

    def __rtruediv__(self, other):
        return _ops().true_div(other, self)

    def __floordiv__(self, other):
        return _ops().int_div(self, other)

    def __rfloordiv__(self, other):
        return _ops().int_div(other, self)

    def __mod__(self, other):
        return _ops().mod(self, other)

    def __rmod__(self, other):
        return _ops().mod(other, self)

    def __pow__(self, other):
        return _ops().pow(self, other)

    def __rpow__(self, other):
        return _ops().pow(other, self)

    def __matmul__(self, other):
        return _ops().matmul(self, other)

    def __rmatmul__(self, other):
        return _ops().matmul(other, self)

    def __neg__(self):
        return _ops().neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops().abs(self)

    # comparisons and logic (``==`` stays identity, as in PyTensor: use ``eq``)
    def __lt__(self, other):
        return _ops().lt(self, other)

    def __le__(self, other):
        return _ops().le(self, other)

    def __gt__(self, other):
        return _ops().gt(self, other)

    def __ge__(self, other):
        return _ops().ge(self, other)

    def __and__(self, other):
        return _ops().and_(self, other)

    def __rand__(self, other):
        return _ops().and_(other, self)

    def __or__(self, other):
        return _ops().or_(self, other)

    def __ror__(self, other):
        return _ops().or_(other, self)

    def __xor__(self, other):
        return _ops().xor(self, other)

    def __rxor__(self, other):
        return _ops().xor(other, self)

    def __invert__(self):
        return _ops().invert(self)

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError(
            f"a symbolic variable ({self}) has no truth value: use graph2jax.tensor.switch "
            "or graph2jax.ifelse for conditions"
        )

    # shape ----------------------------------------------------------------
    @property
    def ndim(self) -> int:
        """The number of dimensions (static)."""
        return self.type.ndim

    @property
    def dtype(self) -> str:
        """The element dtype, a string such as ``'float64'``."""
        return self.type.dtype

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        """Per axis, whether its static length is 1 (PyTensor's broadcast pattern)."""
        return self.type.broadcastable

    @property
    def shape(self) -> Any:
        """The symbolic shape, an int64 vector (``x.shape[0]`` is a symbolic scalar)."""
        return _ops().shape(self)

    @property
    def size(self) -> Any:
        """The symbolic number of elements, an int64 scalar."""
        return _ops().prod(self.shape)

    def __len__(self) -> int:
        if self.ndim == 0 or self.type.shape[0] is None:
            raise TypeError(f"len() of {self} is not known statically; use x.shape[0]")
        return self.type.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    @property
    def T(self) -> Any:
        """The transpose (axes reversed), as :func:`graph2jax.tensor.transpose`."""
        return _ops().transpose(self)

    def transpose(self, *axes: Any) -> Any:
        """Permute the axes (reverse them when none are given), as :func:`graph2jax.tensor.transpose`."""
        if len(axes) == 1 and isinstance(axes[0], list | tuple):
            axes = tuple(axes[0])
        return _ops().transpose(self, axes or None)

    def dimshuffle(self, *pattern: Any) -> Any:
        """Reorder axes and insert broadcastable ones (``'x'``), as :func:`graph2jax.tensor.dimshuffle`."""
        if len(pattern) == 1 and isinstance(pattern[0], list | tuple):
            pattern = tuple(pattern[0])
        return _ops().dimshuffle(self, pattern)

    def reshape(self, *shape: Any, ndim: int | None = None) -> Any:
        """This variable with a new shape, as :func:`graph2jax.tensor.reshape`."""
        if len(shape) == 1 and not isinstance(shape[0], int | np.integer):
            shape = shape[0]
        return _ops().reshape(self, shape, ndim=ndim)

    def flatten(self, ndim: int = 1) -> Any:
        """Collapse the trailing axes so the result has ``ndim`` dimensions, as :func:`graph2jax.tensor.flatten`."""
        return _ops().flatten(self, ndim)

    def ravel(self) -> Any:
        """This variable as a vector, ``flatten(1)``."""
        return _ops().flatten(self, 1)

    def squeeze(self, axis: Any = None) -> Any:
        """Remove broadcastable axes (or those of ``axis``), as :func:`graph2jax.tensor.squeeze`."""
        return _ops().squeeze(self, axis)

    def astype(self, dtype: Any) -> Any:
        """This variable cast to ``dtype``, as :func:`graph2jax.tensor.cast`."""
        return _ops().cast(self, dtype)

    def set(self, y: Any, **kwargs: Any) -> Any:
        """The indexed tensor with this indexed part set to ``y``: ``x[1].set(2)`` is
        ``set_subtensor(x[1], 2)`` (``TypeError`` unless this variable is an indexing result)."""
        return _ops().set_subtensor(self, y, **kwargs)

    def inc(self, y: Any, **kwargs: Any) -> Any:
        """The indexed tensor with ``y`` added to this indexed part: ``x[1].inc(2)`` is
        ``inc_subtensor(x[1], 2)``."""
        return _ops().inc_subtensor(self, y, **kwargs)

    def zeros_like(self, dtype: Any = None) -> Any:
        """Zeros of this variable's shape, as :func:`graph2jax.tensor.zeros_like`."""
        return _ops().zeros_like(self, dtype=dtype)

    def ones_like(self, dtype: Any = None) -> Any:
        """Ones of this variable's shape, as :func:`graph2jax.tensor.ones_like`."""
        return _ops().ones_like(self, dtype=dtype)

    def copy(self, name: str | None = None) -> Any:
        """A symbolic copy of this variable (a new node with the same value)."""
        return _ops().tensor_copy(self, name=name)

    def __getitem__(self, key: Any) -> Any:
        return _ops("graph2jax.ops.subtensor").getitem(self, key)

    # reductions -----------------------------------------------------------
    def sum(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        """The sum over ``axis``, as :func:`graph2jax.tensor.sum`."""
        return _ops().sum(self, axis=axis, dtype=dtype, keepdims=keepdims, acc_dtype=acc_dtype)

    def prod(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        """The product over ``axis``, as :func:`graph2jax.tensor.prod`."""
        return _ops().prod(self, axis=axis, dtype=dtype, keepdims=keepdims, acc_dtype=acc_dtype)

    def mean(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        """The mean over ``axis``, as :func:`graph2jax.tensor.mean`."""
        return _ops().mean(self, axis=axis, dtype=dtype, keepdims=keepdims, acc_dtype=acc_dtype)

    def max(self, axis=None, keepdims=False):
        """The maximum over ``axis``, as :func:`graph2jax.tensor.max`."""
        return _ops().max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        """The minimum over ``axis``, as :func:`graph2jax.tensor.min`."""
        return _ops().min(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, keepdims=False):
        """The index of the maximum along ``axis``, as :func:`graph2jax.tensor.argmax`."""
        return _ops().argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis=None, keepdims=False):
        """The index of the minimum along ``axis``, as :func:`graph2jax.tensor.argmin`."""
        return _ops().argmin(self, axis=axis, keepdims=keepdims)

    def all(self, axis=None, keepdims=False):
        """Whether every element along ``axis`` is true, as :func:`graph2jax.tensor.all`."""
        return _ops().all(self, axis=axis, keepdims=keepdims)

    def any(self, axis=None, keepdims=False):
        """Whether some element along ``axis`` is true, as :func:`graph2jax.tensor.any`."""
        return _ops().any(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, ddof=0, keepdims=False, corrected=False):
        """The variance over ``axis``, as :func:`graph2jax.tensor.var`."""
        return _ops().var(self, axis=axis, ddof=ddof, keepdims=keepdims, corrected=corrected)

    def std(self, axis=None, ddof=0, keepdims=False, corrected=False):
        """The standard deviation over ``axis``, as :func:`graph2jax.tensor.std`."""
        return _ops().std(self, axis=axis, ddof=ddof, keepdims=keepdims, corrected=corrected)

    def norm(self, L, axis=None, keepdims=False):
        """The ``L``-norm over ``axis``, as :func:`graph2jax.tensor.linalg.norm` with ``ord=L``."""
        return _ops().linalg.norm(self, ord=L, axis=axis, keepdims=keepdims)

    # elementwise helpers -------------------------------------------------
    def clip(self, a_min, a_max):
        """The values limited to ``[a_min, a_max]``, as :func:`graph2jax.tensor.clip`."""
        return _ops().clip(self, a_min, a_max)

    def round(self, mode=None):
        """The values rounded (``mode`` as :func:`graph2jax.tensor.round`)."""
        return _ops().round(self, mode)

    def conj(self):
        """The complex conjugate, as :func:`graph2jax.tensor.conj`."""
        return _ops().conj(self)

    def nonzero(self, return_matrix=False):
        """The indices of the non-zero elements, as :func:`graph2jax.tensor.nonzero`."""
        return _ops().nonzero(self, return_matrix)

    def dot(self, other):
        """The dot product with ``other``, as :func:`graph2jax.tensor.dot`."""
        return _ops().dot(self, other)

    def cumsum(self, axis=None):
        """The cumulative sum along ``axis``, as :func:`graph2jax.tensor.cumsum`."""
        return _ops().cumsum(self, axis)

    def cumprod(self, axis=None):
        """The cumulative product along ``axis``, as :func:`graph2jax.tensor.cumprod`."""
        return _ops().cumprod(self, axis)

    def sort(self, axis=-1):
        """The values sorted along ``axis``, as :func:`graph2jax.tensor.sort`."""
        return _ops().sort(self, axis)

    def argsort(self, axis=-1):
        """The indices that sort along ``axis``, as :func:`graph2jax.tensor.argsort`."""
        return _ops().argsort(self, axis)

    def repeat(self, repeats, axis=None):
        """Each element repeated ``repeats`` times along ``axis``, as :func:`graph2jax.tensor.repeat`."""
        return _ops().repeat(self, repeats, axis)

    def dprint(self, **kwargs: Any) -> Any:
        """Print this variable's graph, as :func:`graph2jax.printing.debugprint` (same arguments)."""
        from graph2jax.printing import debugprint

        return debugprint(self, **kwargs)

    def eval(self, inputs_to_values: dict | None = None, **kwargs: Any) -> Any:
        """Compile and run this variable's graph on ``{input: value}``; returns a numpy array.

        The compiled function is cached on the variable for the same set of inputs.
        """
        from graph2jax.compile.function import function

        inputs_to_values = dict(inputs_to_values or {})
        for key in list(inputs_to_values):
            if isinstance(key, str):
                raise TypeError("eval() takes variables as keys, not names")
        inputs = list(inputs_to_values)
        cache = self.__dict__.setdefault("_eval_cache", {})
        key = tuple(map(id, inputs))
        if key not in cache:
            cache[key] = function(inputs, self, on_unused_input="ignore", **kwargs)
        return cache[key](*[inputs_to_values[i] for i in inputs])


class TensorVariable(_TensorOperators, Variable):
    """A symbolic array: the result of an op or a free input (``gt.dmatrix('x')``)."""


class TensorConstant(_TensorOperators, Constant):
    """A symbolic array with a fixed value, ``data`` (a numpy array)."""

    @property
    def value(self) -> np.ndarray:
        """The constant's value (its ``data``, a numpy array)."""
        return self.data

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_eval_cache", None)
        return state


def _variable_getstate(self: Variable) -> dict:
    state = dict(self.__dict__)
    state.pop("_eval_cache", None)
    return state


TensorVariable.__getstate__ = _variable_getstate
TensorType.variable_type = TensorVariable
