"""Creating tensors: ``alloc``/``zeros``/``ones``/``full``, ``fill`` (``second``) and the ``*_like``
functions, ``empty``/``empty_like``, ``arange`` and ``linspace`` (``eye`` and ``tri`` are in
:mod:`graph2jax.ops.eye`).

Shapes, bounds and offsets decide output shapes, so they are static inputs:
built from constants and ``x.shape`` they are known while tracing; taken from a
function's inputs, the function compiles once per distinct value.
``fill`` (and so ``zeros_like``/``ones_like``, which ``grad`` uses a lot) is one
node whose shape comes from its model's shape, never a static input.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from graph2jax.config import config
from graph2jax.graph.basic import Apply, Constant, Op, Variable
from graph2jax.graph.gradtypes import disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.elemwise import (
    broadcast_static_shape,
    cast,
    dimshuffle,
    shape_padleft,
    unbroadcast,
)
from graph2jax.ops.math import ceil, maximum
from graph2jax.ops.scalar import upcast, upgrade_to_float
from graph2jax.ops.shape import Shape, shape_i
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.tensor_type import (
    TensorType,
    continuous_dtypes,
    dtype_name,
    int_dtypes,
    uint_dtypes,
)
from graph2jax.types.variable import TensorVariable


def _dtype(dtype: Any) -> str:
    return config.floatX if dtype is None else dtype_name(dtype)


def _int_scalar(v: Any, what: str) -> TensorVariable:
    """``v`` as a 0-d integer tensor (a python int becomes an int64 constant)."""
    if isinstance(v, int | np.integer):
        return constant(int(v), dtype="int64")
    v = as_tensor_variable(v)
    if v.ndim != 0 or v.dtype not in int_dtypes + uint_dtypes:
        raise TypeError(f"{what} must be an integer scalar, got {v.describe()} of type {v.type}")
    return v


def _static_length(v: TensorVariable, what: str) -> int | None:
    """The value of the length ``v`` when it is a constant (None when symbolic)."""
    if not isinstance(v, Constant):
        return None
    n = int(v.data)
    if n < 0:
        raise ValueError(f"{what} must not be negative, got {n}")
    return n


def shape_entries(shape: Any) -> list[Any]:
    """A shape (an int, a sequence of ints and scalars, or an int vector) as a list of entries.

    A symbolic vector must have a static length; ``shape(x)`` becomes the
    lengths of ``x`` (static ones as ints).
    """
    if isinstance(shape, Variable):
        if shape.ndim == 0:
            return [shape]
        if isinstance(shape, Constant):
            return [int(s) for s in np.ravel(shape.data)]
        if shape.owner is not None and isinstance(shape.owner.op, Shape):
            x = shape.owner.inputs[0]
            return [shape_i(x, i) for i in range(x.ndim)]
        if shape.ndim != 1 or shape.type.shape[0] is None:
            raise ValueError(
                f"a shape must be a vector of static length, got {shape.describe()} of type "
                f"{shape.type}"
            )
        return [shape[i] for i in range(shape.type.shape[0])]
    if isinstance(shape, list | tuple):
        return list(shape)
    return [shape] if np.ndim(shape) == 0 else list(np.asarray(shape))


class Alloc(Op):
    """``value`` broadcast to the shape ``(s_0, ..., s_{ndim-1})`` given as integer scalars.

    Only axes of ``value`` whose static length is 1 broadcast (PyTensor's rule).
    """

    __props__ = ("ndim",)

    def __init__(self, ndim: int):
        self.ndim = int(ndim)

    @property
    def static_inputs(self) -> tuple[int, ...]:
        return tuple(range(1, self.ndim + 1))

    @property
    def length_inputs(self) -> tuple[int, ...]:
        return (1,) if self.ndim else ()  # the first length may be a bounded run-time value

    def make_node(self, value: Any, *shape: Any) -> Apply:
        value = as_tensor_variable(value)
        if len(shape) != self.ndim:
            raise TypeError(f"alloc: {len(shape)} shape entries for ndim={self.ndim}")
        if value.ndim > self.ndim:
            raise TypeError(
                f"alloc: {value.describe()} has {value.ndim} dimensions, more than the "
                f"{self.ndim} of the shape"
            )
        shape = [_int_scalar(s, "alloc: a shape entry") for s in shape]
        known = [_static_length(s, "alloc: a shape entry") for s in shape]
        vshape = (None,) * (self.ndim - value.ndim) + value.type.shape
        static = []
        for axis, (n, v) in enumerate(zip(known, vshape, strict=True)):
            if n is not None and v not in (None, 1, n):
                raise ValueError(
                    f"alloc: {value.describe()} of static shape {value.type.shape} cannot be "
                    f"broadcast to shape {tuple(known)} (axis {axis})"
                )
            static.append(n if n is not None else (v if v != 1 else None))
        return Apply(self, [value, *shape], [TensorType(value.dtype, static)()])

    def _shape(self, node: Apply, value_shape: tuple, shape: Sequence[Any]) -> tuple[int, ...]:
        out = tuple(int(s) for s in shape)
        lead = self.ndim - len(value_shape)
        for axis, (v, var_len) in enumerate(
            zip(value_shape, node.inputs[0].type.shape, strict=True)
        ):
            n = out[lead + axis]
            if v != n and (v != 1 or var_len != 1):
                raise ValueError(
                    f"alloc: a value of shape {tuple(value_shape)} cannot be broadcast to "
                    f"{out}: only axes of static length 1 broadcast (axis {axis} of "
                    f"{node.inputs[0].describe()})"
                )
        return out

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        value, *shape = inputs
        shape = self._shape(node, np.shape(value), shape)
        output_storage[0][0] = np.broadcast_to(value, shape).copy()

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return [tuple(node.inputs[1:])]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        value = inputs[0]
        rest = [disconnected() for _ in inputs[1:]]
        if value.dtype not in continuous_dtypes:
            return [disconnected(), *rest]
        return [unbroadcast(output_grads[0], value), *rest]


@jax_funcify.register(Alloc)
def _jax_alloc(op: Alloc, node: Apply) -> Callable[..., Any]:
    def alloc_(value: Any, *shape: Any) -> Any:
        return jnp.broadcast_to(value, op._shape(node, jnp.shape(value), shape))

    return alloc_


def alloc(value: Any, *shape: Any) -> TensorVariable:
    """``value`` broadcast to ``shape``: each entry an int or a symbolic integer scalar.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.alloc(1.5, 2, 3).eval()
    array([[1.5, 1.5, 1.5],
           [1.5, 1.5, 1.5]], dtype=float32)
    """
    return Alloc(len(shape))(value, *shape)


def full(shape: Any, fill_value: Any, dtype: Any = None) -> TensorVariable:
    """An array of ``shape`` filled with ``fill_value`` (of its dtype unless ``dtype`` is given)."""
    value = as_tensor_variable(fill_value) if dtype is None else cast(fill_value, dtype)
    return alloc(value, *shape_entries(shape))


def zeros(shape: Any, dtype: Any = None) -> TensorVariable:
    """An array of zeros of ``shape`` (an int, a sequence, or an int vector), floatX by default.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> x = gt.dmatrix("x")
    >>> gt.zeros((x.shape[0], 3)).type
    TensorType(float64, shape=(None, 3))
    """
    return alloc(_scalar(0, _dtype(dtype)), *shape_entries(shape))


def ones(shape: Any, dtype: Any = None) -> TensorVariable:
    """An array of ones of ``shape`` (an int, a sequence, or an int vector), floatX by default."""
    return alloc(_scalar(1, _dtype(dtype)), *shape_entries(shape))


@functools.cache
def _scalar(value: int, dtype: str) -> TensorVariable:
    # shared by every zeros_like/ones_like: gradients build many of them
    return constant(np.asarray(value, dtype=dtype))


class Fill(Op):
    """PyTensor's ``second``: ``value`` broadcast with ``model``'s shape; ``model``'s values are unused."""

    def make_node(self, model: Any, value: Any) -> Apply:
        model, value = as_tensor_variable(model), as_tensor_variable(value)
        ndim = max(model.ndim, value.ndim)
        shapes = [(1,) * (ndim - t.ndim) + t.type.shape for t in (model, value)]
        shape = broadcast_static_shape(shapes, "fill")
        return Apply(self, [model, value], [TensorType(value.dtype, shape)()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        model, value = inputs
        shape = np.broadcast_shapes(np.shape(model), np.shape(value))
        output_storage[0][0] = np.broadcast_to(value, shape).copy()

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        out_type = node.outputs[0].type
        ndim = out_type.ndim
        lengths = [(None,) * (ndim - len(s)) + tuple(s) for s in input_shapes]
        static = [(1,) * (ndim - i.ndim) + i.type.shape for i in node.inputs]
        out = []
        for axis, length in enumerate(out_type.shape):
            if length is not None:
                out.append(constant(length, dtype="int64"))
            else:  # the first input that is not broadcast along this axis gives its length
                k = 0 if static[0][axis] != 1 else 1
                out.append(lengths[k][axis])
        return [tuple(out)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        value = inputs[1]
        if value.dtype not in continuous_dtypes:
            return [disconnected(), disconnected()]
        return [disconnected(), unbroadcast(output_grads[0], value)]


@jax_funcify.register(Fill)
def _jax_fill(op: Fill, node: Apply) -> Callable[..., Any]:
    def fill_(model: Any, value: Any) -> Any:
        return jnp.broadcast_to(value, np.broadcast_shapes(jnp.shape(model), jnp.shape(value)))

    return fill_


_fill_op = Fill()


def fill(model: Any, value: Any) -> TensorVariable:
    """``value`` broadcast to ``model``'s shape, of ``value``'s dtype (PyTensor's ``fill``/``second``).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.fill(gt.constant(np.zeros((2, 2))), 3.0).eval()
    array([[3., 3.],
           [3., 3.]], dtype=float32)
    """
    return _fill_op(model, value)


second = fill  # PyTensor's other name: ``second(a, b)`` is ``b`` filled to the shape of ``a``


def zeros_like(model: Any, dtype: Any = None, opt: bool = False) -> TensorVariable:
    """Zeros of ``model``'s shape, of its dtype unless ``dtype`` is given (``opt`` is ignored)."""
    model = as_tensor_variable(model)
    return _fill_op(model, _scalar(0, model.dtype if dtype is None else _dtype(dtype)))


def ones_like(model: Any, dtype: Any = None, opt: bool = False) -> TensorVariable:
    """Ones of ``model``'s shape, of its dtype unless ``dtype`` is given (``opt`` is ignored)."""
    model = as_tensor_variable(model)
    return _fill_op(model, _scalar(1, model.dtype if dtype is None else _dtype(dtype)))


def full_like(a: Any, fill_value: Any, dtype: Any = None) -> TensorVariable:
    """``fill_value`` broadcast to ``a``'s shape, of its own dtype unless ``dtype`` is given (as PyTensor)."""
    value = as_tensor_variable(fill_value) if dtype is None else cast(fill_value, dtype)
    return _fill_op(a, value)


class ARange(Op):
    """``numpy.arange(start, stop, step)`` of ``dtype``; the bounds are static inputs."""

    __props__ = ("dtype",)
    static_inputs = (0, 1, 2)
    length_inputs = (1,)  # a bounded stop: a ragged range (graph2jax.ops.ragged_sources)

    def __init__(self, dtype: Any):
        self.dtype = str(np.dtype(dtype))

    def make_node(self, start: Any, stop: Any, step: Any) -> Apply:
        bounds = [as_tensor_variable(v) for v in (start, stop, step)]
        for name, v in zip(("start", "stop", "step"), bounds, strict=True):
            if v.ndim != 0:
                raise TypeError(f"arange: {name} must be a scalar, got {v.describe()} ({v.type})")
        length = None
        if all(isinstance(v, Constant) for v in bounds):
            length = _arange_length(*(v.data for v in bounds))
        return Apply(self, bounds, [TensorType(self.dtype, (length,))()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        start, stop, step = (np.asarray(v).item() for v in inputs)
        output_storage[0][0] = np.arange(start, stop, step, dtype=self.dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        start, stop, step = node.inputs
        length = ceil((cast(stop, "float64") - start) / step)
        return [(maximum(cast(length, "int64"), 0),)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        if self.dtype not in continuous_dtypes:
            return [disconnected()] * 3
        from graph2jax.ops.reduce import sum as reduce_sum

        (gz,) = output_grads
        steps = arange(shape_i(outputs[0], 0), dtype=self.dtype)
        return [reduce_sum(gz), disconnected(), reduce_sum(gz * steps)]


def _arange_length(start: Any, stop: Any, step: Any) -> int:
    if step == 0:
        raise ValueError("arange: step must not be zero")
    return max(math.ceil((float(stop) - float(start)) / float(step)), 0)


@jax_funcify.register(ARange)
def _jax_arange(op: ARange, node: Apply) -> Callable[..., Any]:
    dtype = op.dtype

    def arange_(start: Any, stop: Any, step: Any) -> Any:
        start, stop, step = (np.asarray(v).item() for v in (start, stop, step))
        return jnp.arange(start, stop, step, dtype=dtype)

    return arange_


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> TensorVariable:
    """``numpy.arange``; by default the dtype is the upcast of the bounds' dtypes, with
    integers widened to int64 (uint64), as PyTensor.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.arange(5).eval()
    array([0, 1, 2, 3, 4])
    >>> gt.arange(0.0, 1.0, 0.25).dtype
    'float32'
    """
    if stop is None:
        start, stop = 0, start
    bounds = [as_tensor_variable(v) for v in (start, stop, step)]
    if dtype is None:
        dtype = upcast(*[v.dtype for v in bounds])
        dtype = "int64" if dtype in int_dtypes else "uint64" if dtype in uint_dtypes else dtype
    return ARange(_dtype(dtype))(*bounds)


class Linspace(Op):
    """``numpy.linspace(start, stop, num, endpoint, axis)`` cast to ``dtype``; ``num`` is static."""

    __props__ = ("endpoint", "axis", "dtype")
    static_inputs = (2,)

    def __init__(self, endpoint: bool, axis: int, dtype: Any):
        self.endpoint, self.axis, self.dtype = bool(endpoint), int(axis), str(np.dtype(dtype))

    def make_node(self, start: Any, stop: Any, num: Any) -> Apply:
        start, stop = as_tensor_variable(start), as_tensor_variable(stop)
        if start.ndim != stop.ndim:
            raise TypeError("Linspace: start and stop must have the same ndim (see linspace)")
        num = _int_scalar(num, "linspace: num")
        shape = list(broadcast_static_shape([start.type.shape, stop.type.shape], "linspace"))
        shape.insert(self.axis, _static_length(num, "linspace: num"))
        return Apply(self, [start, stop, num], [TensorType(self.dtype, shape)()])

    def _compute(self, xp: Any, node: Apply, start: Any, stop: Any, num: Any) -> Any:
        work = upgrade_to_float(node.inputs[0].dtype, node.inputs[1].dtype)
        start, stop = xp.asarray(start, dtype=work), xp.asarray(stop, dtype=work)
        if int(num) < 0:
            raise ValueError(f"linspace: num must be non-negative, got {int(num)}")
        out = xp.linspace(start, stop, int(num), endpoint=self.endpoint, axis=self.axis)
        return out.astype(self.dtype)

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = self._compute(np, node, *inputs)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        start, stop, num = node.inputs
        out = []
        for axis, length in enumerate(node.outputs[0].type.shape):
            if axis == self.axis:
                out.append(num)
                continue
            a = axis - (axis > self.axis)
            if length is not None:
                out.append(constant(length, dtype="int64"))
            else:  # the bound not broadcast along this axis gives its length
                out.append(input_shapes[0 if start.type.shape[a] != 1 else 1][a])
        return [tuple(out)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        start, stop, num = inputs
        if self.dtype not in continuous_dtypes:
            return [disconnected()] * 3
        from graph2jax.ops.reduce import sum as reduce_sum

        (gz,) = output_grads
        # the samples are start + t * (stop - start), t the linspace of [0, 1]
        t = Linspace(self.endpoint, 0, self.dtype)(
            _scalar(0, self.dtype), _scalar(1, self.dtype), num
        )
        pattern = ["x"] * gz.ndim
        pattern[self.axis] = 0
        t = dimshuffle(t, pattern)
        g_stop = reduce_sum(gz * t, axis=self.axis)
        g_start = reduce_sum(gz, axis=self.axis) - g_stop
        return [
            unbroadcast(g, x) if x.dtype in continuous_dtypes else disconnected()
            for g, x in ((g_start, start), (g_stop, stop))
        ] + [disconnected()]


@jax_funcify.register(Linspace)
def _jax_linspace(op: Linspace, node: Apply) -> Callable[..., Any]:
    return lambda start, stop, num: op._compute(jnp, node, start, stop, num)


def linspace(
    start: Any,
    stop: Any,
    num: Any = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
) -> TensorVariable | tuple[TensorVariable, TensorVariable]:
    """``num`` evenly spaced samples from ``start`` to ``stop`` (as numpy), floatX by default.

    ``start`` and ``stop`` may be arrays: the samples run along the new axis ``axis``.
    With ``retstep`` the step ``(stop - start) / (num - 1)`` (``/ num`` without
    ``endpoint``) is returned too.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.linspace(0, 1, 5).eval()
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    start, stop = as_tensor_variable(start), as_tensor_variable(stop)
    ndim = max(start.ndim, stop.ndim)
    start, stop = shape_padleft(start, ndim - start.ndim), shape_padleft(stop, ndim - stop.ndim)
    axis = normalize_axis_index(axis, ndim + 1)
    samples = Linspace(endpoint, axis, _dtype(dtype))(start, stop, num)
    if not retstep:
        return samples
    div = as_tensor_variable(num) - 1 if endpoint else as_tensor_variable(num)
    return samples, (stop - start) / div


def empty(shape: Any, dtype: Any = None) -> TensorVariable:
    """A new tensor of ``shape`` and ``dtype`` (floatX by default) whose values must not be
    relied on; JAX has no uninitialised memory, so they are zeros.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.empty((2, 3), dtype="int32").type
    TensorType(int32, shape=(2, 3))
    """
    return zeros(shape, dtype=dtype)


def empty_like(prototype: Any, dtype: Any = None) -> TensorVariable:
    """A new tensor with the shape (and, by default, the dtype) of ``prototype``; see
    :func:`empty`.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.empty_like(gt.tensor("int32", shape=(3, None))).type
    TensorType(int32, shape=(3, None))
    """
    return zeros_like(prototype, dtype=dtype)


__all__ = [
    "empty",
    "empty_like",
    "ARange",
    "Alloc",
    "Fill",
    "Linspace",
    "alloc",
    "arange",
    "fill",
    "full",
    "full_like",
    "linspace",
    "ones",
    "ones_like",
    "second",
    "zeros",
    "zeros_like",
]
