"""Reductions: ``sum prod max min all any`` (one :class:`CAReduce` op) and ``argmax argmin``
(``mean var std`` are graphs on ``sum`` in :mod:`.statistics`, ``logsumexp`` is in :mod:`.special`).

Every commutative-associative reduction is one :class:`Reducer` entry: its
numpy reference, JAX function, dtype rule and gradient side by side. Dtypes
follow PyTensor: ``sum``/``prod`` of bool and integers narrower than 64 bits
return int64 (uint64 for unsigned), floats keep their dtype; by default the
numpy reference accumulates float32 in float64 (PyTensor's ``acc_dtype``)
while the JAX implementation keeps float32 unless ``acc_dtype`` is given, as
XLA's tree reductions are accurate and float64 is slow on accelerators.

Axes are normalised when the graph is built: negative axes count from the
end, ``None`` means every axis, and a repeated or out-of-range axis raises
numpy's ``AxisError`` (a ``ValueError`` and an ``IndexError``) naming the
operation, the axis and the number of dimensions. As in PyTensor, a 0-d
input accepts axis 0 (or -1) and is returned unreduced.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Constant, Op, Variable
from graph2jax.graph.gradtypes import disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.elemwise import dimshuffle
from graph2jax.ops.math import conj, eq, switch
from graph2jax.ops.scalar import upcast
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.tensor_type import TensorType, continuous_dtypes, discrete_dtypes
from graph2jax.types.variable import TensorVariable

AxisLike = int | Sequence[int] | None


# ---------------------------------------------------------------------------
# axes and dtypes


def normalize_axis(axis: Any, x: TensorVariable, op_name: str) -> tuple[int, ...]:
    """``axis`` (None, an int or a sequence of ints) as a sorted tuple of axes of ``x``.

    Raises
    ------
    numpy.exceptions.AxisError
        For an axis out of range or repeated (it is both a ValueError and an IndexError).
    TypeError
        For an axis that is not an integer (a symbolic axis must be a constant).
    """
    if axis is None:
        return tuple(range(x.ndim))
    if isinstance(axis, Constant):
        axis = axis.data.tolist()
    elif isinstance(axis, Variable):
        raise TypeError(f"{op_name}: the axis must be known when the graph is built, got {axis}")
    if isinstance(axis, np.ndarray):
        axis = axis.tolist()
    axes = tuple(axis) if isinstance(axis, list | tuple) else (axis,)
    n = builtins.max(x.ndim, 1)  # a scalar reduces like a vector of one element (PyTensor's rule)
    result = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, int | np.integer):
            raise TypeError(f"{op_name}: axis entries must be integers, got {a!r} in {axis!r}")
        if not -n <= a < n:
            raise np.exceptions.AxisError(
                f"{op_name}: axis {int(a)} is out of bounds for {x.describe()} "
                f"with {x.ndim} dimension(s)"
            )
        result.append(int(a) % n)
    if len(set(result)) != len(result):
        raise np.exceptions.AxisError(
            f"{op_name}: repeated axis in {axis!r} for {x.describe()} with {x.ndim} dimension(s)"
        )
    return tuple(sorted(result)) if x.ndim else ()


#: PyTensor's default output dtype of sum and prod: discrete inputs widen to 64 bits
_WIDE_DISCRETE = {
    "bool": "int64",
    "int8": "int64",
    "int16": "int64",
    "int32": "int64",
    "uint8": "uint64",
    "uint16": "uint64",
    "uint32": "uint64",
}
#: PyTensor's default accumulator: at least 64 bits
_WIDE_ACC = {**_WIDE_DISCRETE, "float32": "float64", "complex64": "complex128"}


def _check_acc_dtype(op_name: str, idtype: str, acc_dtype: str) -> str:
    """PyTensor's rule: a given accumulator must not lose the input's precision."""
    if acc_dtype in continuous_dtypes and idtype in discrete_dtypes:
        return acc_dtype
    wanted = upcast(idtype, acc_dtype)
    if wanted != acc_dtype:
        raise TypeError(
            f"{op_name}: acc_dtype {acc_dtype} would lose the precision of input dtype "
            f"{idtype}; leave acc_dtype out, use one at least as precise as {wanted}, or give "
            "dtype= to cast the result instead"
        )
    return acc_dtype


def _keepdims_pattern(ndim: int, axes: tuple[int, ...]) -> tuple:
    """The dimshuffle pattern putting length-1 axes back where ``axes`` were reduced."""
    kept = iter(range(ndim - len(axes)))
    return tuple("x" if a in axes else next(kept) for a in range(ndim))


def reduced_shape(shape: Sequence, axes: tuple[int, ...]) -> tuple:
    """``shape`` without the entries of ``axes``."""
    return tuple(s for a, s in enumerate(shape) if a not in axes)


def restore_axes(v: TensorVariable, ndim: int, axes: tuple[int, ...]) -> TensorVariable:
    return dimshuffle(v, _keepdims_pattern(ndim, axes))


# ---------------------------------------------------------------------------
# the reducers


@dataclass(frozen=True, eq=False)
class Reducer:
    """One commutative-associative reduction.

    Attributes
    ----------
    name : str
        The op's name in graphs (``Sum``).
    np_fn, jax_fn : callable
        ``fn(x, axis=tuple, dtype=...)`` on numpy / JAX arrays (``dtype`` only
        when ``accumulates``).
    accumulates : bool
        Sum and product: discrete inputs widen to 64 bits, ``dtype`` and
        ``acc_dtype`` apply.
    bool_out : bool
        ``all`` and ``any`` return bool.
    grad : callable or None
        ``grad(op, x, out, gz) -> gx`` where ``out`` and ``gz`` have the reduced
        axes put back with length 1; None: no gradient (disconnected).
    """

    name: str
    np_fn: Callable[..., Any]
    jax_fn: Callable[..., Any]
    accumulates: bool = False
    bool_out: bool = False
    grad: Callable[..., Any] | None = None

    def __str__(self) -> str:
        return self.name

    def __reduce__(self) -> tuple:
        return (_reducer_by_name, (self.name,))


def _sum_grad(op: CAReduce, x: TensorVariable, out: TensorVariable, gz: TensorVariable) -> Any:
    from graph2jax.ops.broadcast import broadcast_to

    return broadcast_to(gz, x.shape)


def _prod_grad(op: CAReduce, x: TensorVariable, out: TensorVariable, gz: TensorVariable) -> Any:
    # d prod / d x_i is the product of the other entries; dividing ``out`` by
    # x_i breaks on zeros, so: with no other zero in the group it is the
    # product of the non-zero entries divided by x_i (or by 1 when x_i is the
    # zero), and it is 0 when another entry is zero.
    is_zero = eq(x, 0)
    safe_x = switch(is_zero, constant(1, dtype=x.dtype), x)
    zeros = sum(is_zero, axis=op.axis, keepdims=True)
    prod_nonzero = restore_axes(
        CAReduce(PROD, op.axis, op.dtype, op.acc_dtype)(safe_x), x.ndim, op.axis
    )
    others_nonzero = eq(zeros - is_zero, 0)
    # conj: PyTensor's complex gradients are df/dRe + i df/dIm (a no-op on reals)
    others = conj(prod_nonzero / safe_x)
    return switch(others_nonzero, gz * others, constant(0, dtype=x.dtype))


def _extremum_grad(op: CAReduce, x: TensorVariable, out: TensorVariable, gz: TensorVariable) -> Any:
    # PyTensor's rule: every position equal to the extremum gets the whole gradient
    return gz * eq(x, out)


SUM = Reducer("Sum", np.sum, jnp.sum, accumulates=True, grad=_sum_grad)
PROD = Reducer("Prod", np.prod, jnp.prod, accumulates=True, grad=_prod_grad)
MAX = Reducer("Max", np.max, jnp.max, grad=_extremum_grad)
MIN = Reducer("Min", np.min, jnp.min, grad=_extremum_grad)
ALL = Reducer("All", np.all, jnp.all, bool_out=True)
ANY = Reducer("Any", np.any, jnp.any, bool_out=True)
_REDUCERS = {r.name: r for r in (SUM, PROD, MAX, MIN, ALL, ANY)}


def _reducer_by_name(name: str) -> Reducer:
    return _REDUCERS[name]


class CAReduce(Op):
    """Reduce ``x`` over ``axis`` (a sorted tuple) with ``reducer``.

    ``dtype`` and ``acc_dtype`` (sum and product only) are the output and
    accumulator dtypes; None picks PyTensor's defaults.
    """

    __props__ = ("reducer", "axis", "dtype", "acc_dtype")

    def __init__(
        self,
        reducer: Reducer,
        axis: tuple[int, ...],
        dtype: str | None = None,
        acc_dtype: str | None = None,
    ):
        if not reducer.accumulates and (dtype is not None or acc_dtype is not None):
            raise TypeError(f"{reducer.name} takes no dtype or acc_dtype")
        self.reducer = reducer
        self.axis = tuple(axis)
        self.dtype = None if dtype is None else str(np.dtype(dtype))
        self.acc_dtype = None if acc_dtype is None else str(np.dtype(acc_dtype))

    def __str__(self) -> str:
        return f"{self.reducer.name}{{axis={self.axis}}}"

    def output_dtype(self, idtype: str) -> str:
        if self.reducer.bool_out:
            return "bool"
        if not self.reducer.accumulates:
            return idtype
        return self.dtype or _WIDE_DISCRETE.get(idtype, idtype)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        if builtins.any(a >= builtins.max(x.ndim, 1) for a in self.axis):
            raise np.exceptions.AxisError(
                f"{self}: axes {self.axis} are out of bounds for {x.describe()} "
                f"with {x.ndim} dimension(s)"
            )
        if self.acc_dtype is not None:
            _check_acc_dtype(self.reducer.name, x.dtype, self.acc_dtype)
        shape = reduced_shape(x.type.shape, self.axis)
        return Apply(self, [x], [TensorType(self.output_dtype(x.dtype), shape)()])

    def _kwargs(self, idtype: str, for_jax: bool) -> dict:
        if not self.reducer.accumulates:
            return {}
        if self.acc_dtype is not None:
            return {"dtype": self.acc_dtype}
        if for_jax and idtype not in discrete_dtypes:
            return {"dtype": idtype}
        return {"dtype": _WIDE_ACC.get(idtype, idtype)}

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        (x,) = inputs
        kwargs = self._kwargs(node.inputs[0].dtype, for_jax=False)
        result = self.reducer.np_fn(x, axis=self.axis, **kwargs)
        output_storage[0][0] = np.asarray(result, dtype=node.outputs[0].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return [reduced_shape(input_shapes[0], self.axis)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (x,), (out,), (gz,) = inputs, outputs, output_grads
        grad = self.reducer.grad
        if grad is None or x.dtype in discrete_dtypes or out.dtype in discrete_dtypes:
            return [disconnected()]
        ndim = x.ndim
        return [
            grad(self, x, restore_axes(out, ndim, self.axis), restore_axes(gz, ndim, self.axis))
        ]


@jax_funcify.register(CAReduce)
def _jax_careduce(op: CAReduce, node: Apply) -> Callable[..., Any]:
    fn, axis = op.reducer.jax_fn, op.axis
    kwargs = op._kwargs(node.inputs[0].dtype, for_jax=True)
    out_dtype = node.outputs[0].dtype

    def careduce(x: Any) -> Any:
        return jnp.asarray(fn(x, axis=axis, **kwargs), dtype=out_dtype)

    return careduce


def reduction(
    name: str, make_op: Callable[[tuple], Op], x: Any, axis: AxisLike, keepdims: bool
) -> TensorVariable:
    """Apply ``make_op(axes)`` to ``x``, with the reduced axes kept as length 1 if asked."""
    x = as_tensor_variable(x)
    axes = normalize_axis(axis, x, name)
    out = make_op(axes)(x)
    return restore_axes(out, x.ndim, axes) if keepdims else out


def sum(
    input: Any,
    axis: AxisLike = None,
    dtype: Any = None,
    keepdims: bool = False,
    acc_dtype: Any = None,
) -> TensorVariable:
    """The sum of ``input`` over ``axis`` (None: every axis).

    Parameters
    ----------
    input : tensor-like
    axis : None, int or sequence of int
    dtype : str, optional
        The output dtype. By default bool and integers narrower than 64 bits
        give int64 (unsigned: uint64); other dtypes are kept.
    keepdims : bool
        Keep the reduced axes with length 1, so the result broadcasts against ``input``.
    acc_dtype : str, optional
        The accumulator dtype; it must not lose the input's precision.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.imatrix("x")
    >>> s = gt.sum(x, axis=0)
    >>> s.dtype
    'int64'
    >>> s.eval({x: np.array([[1, 2], [3, 4]], dtype="int32")})
    array([4, 6])
    """
    return reduction(
        "sum", lambda axes: CAReduce(SUM, axes, dtype, acc_dtype), input, axis, keepdims
    )


def prod(
    input: Any,
    axis: AxisLike = None,
    dtype: Any = None,
    keepdims: bool = False,
    acc_dtype: Any = None,
    no_zeros_in_input: bool = False,
) -> TensorVariable:
    """The product of ``input`` over ``axis``; dtypes as :func:`sum`.

    The gradient is exact with zeros in the input (the product of the other
    entries), so PyTensor's ``no_zeros_in_input`` hint is accepted and ignored.
    """
    return reduction(
        "prod", lambda axes: CAReduce(PROD, axes, dtype, acc_dtype), input, axis, keepdims
    )


def max(x: Any, axis: AxisLike = None, keepdims: bool = False) -> TensorVariable:
    """The maximum of ``x`` over ``axis``; the gradient goes to every position attaining it."""
    return reduction("max", partial(CAReduce, MAX), x, axis, keepdims)


def min(x: Any, axis: AxisLike = None, keepdims: bool = False) -> TensorVariable:
    """The minimum of ``x`` over ``axis``; the gradient goes to every position attaining it."""
    return reduction("min", partial(CAReduce, MIN), x, axis, keepdims)


def all(x: Any, axis: AxisLike = None, keepdims: bool = False) -> TensorVariable:
    """Whether every entry of ``x`` is true (non-zero) over ``axis``; a bool tensor."""
    return reduction("all", partial(CAReduce, ALL), x, axis, keepdims)


def any(x: Any, axis: AxisLike = None, keepdims: bool = False) -> TensorVariable:
    """Whether some entry of ``x`` is true (non-zero) over ``axis``; a bool tensor."""
    return reduction("any", partial(CAReduce, ANY), x, axis, keepdims)


# ---------------------------------------------------------------------------
# argmax / argmin


class _ArgExtremum:
    """What :class:`Argmax` and :class:`Argmin` share (not an Op itself).

    Several axes are searched as one: the index counts in the C order of the
    reduced axes, as numpy's ``argmax`` of the array with those axes flattened.
    """

    __props__ = ("axis",)
    differentiable = False
    np_fn: Callable
    jax_fn: Callable

    def __init__(self, axis: tuple[int, ...]):
        self.axis = tuple(axis)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        shape = reduced_shape(x.type.shape, self.axis)
        return Apply(self, [x], [TensorType("int64", shape)()])

    def _apply(self, xp: Any, fn: Callable, x: Any) -> Any:
        shape = np.shape(x)
        kept = [a for a in range(len(shape)) if a not in self.axis]
        moved = xp.transpose(x, (*kept, *self.axis))
        reduced = int(np.prod([shape[a] for a in self.axis], dtype="int64"))
        return fn(xp.reshape(moved, (*(shape[a] for a in kept), reduced)), axis=-1)

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = np.asarray(self._apply(np, self.np_fn, inputs[0]), dtype="int64")

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return [reduced_shape(input_shapes[0], self.axis)]


class Argmax(_ArgExtremum, Op):
    """The index of the maximum over ``axis`` (all of them together), as int64."""

    np_fn = staticmethod(np.argmax)
    jax_fn = staticmethod(jnp.argmax)


class Argmin(_ArgExtremum, Op):
    """The index of the minimum over ``axis`` (all of them together), as int64."""

    np_fn = staticmethod(np.argmin)
    jax_fn = staticmethod(jnp.argmin)


@jax_funcify.register(Argmax)
@jax_funcify.register(Argmin)
def _jax_arg_extremum(op: Argmax | Argmin, node: Apply) -> Callable[..., Any]:
    fn = op.jax_fn
    return lambda x: jnp.asarray(op._apply(jnp, fn, x), dtype="int64")


def argmax(x: Any, axis: AxisLike = None, keepdims: bool = False) -> TensorVariable:
    """The index of the maximum over ``axis`` (None: of the flattened ``x``), int64.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> m = gt.dmatrix("m")
    >>> gt.argmax(m, axis=1).eval({m: np.array([[1.0, 3.0], [4.0, 2.0]])})
    array([1, 0])
    """
    return reduction("argmax", Argmax, x, axis, keepdims)


def argmin(x: Any, axis: AxisLike = None, keepdims: bool = False) -> TensorVariable:
    """The index of the minimum over ``axis`` (None: of the flattened ``x``), int64."""
    return reduction("argmin", Argmin, x, axis, keepdims)


def max_and_argmax(a: Any, axis: AxisLike = None, keepdims: bool = False) -> list:
    """``[max(a, axis), argmax(a, axis)]``."""
    return [max(a, axis, keepdims), argmax(a, axis, keepdims)]


__all__ = [
    "Argmax",
    "Argmin",
    "CAReduce",
    "Reducer",
    "all",
    "any",
    "argmax",
    "argmin",
    "max",
    "max_and_argmax",
    "min",
    "prod",
    "sum",
]
