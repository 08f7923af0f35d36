"""Shape ops: ``shape``/``shape_i``, ``dimshuffle``/``transpose``, ``reshape``/``flatten``,
``specify_shape``, and the axis helpers built on them (``squeeze``, ``expand_dims``,
``shape_padleft``/``shape_padright``/``shape_padaxis``, ``broadcast_to``).

``Shape`` and ``Shape_i`` are ``shape_only``: their values depend on their
input's shape alone, which JAX knows at trace time, so shape arithmetic built
on them is evaluated with numpy while tracing and never becomes a traced value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from graph2jax.graph.basic import Apply, Constant, Op, Variable
from graph2jax.graph.gradtypes import disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType, int_dtypes, uint_dtypes
from graph2jax.types.variable import TensorVariable


class Shape(Op):
    """The shape of a tensor, as an int64 vector."""

    shape_only = True

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        return Apply(self, [x], [TensorType("int64", (x.ndim,))()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = np.asarray(np.shape(inputs[0]), dtype="int64")

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        import graph2jax.tensor as gt

        return [(gt.constant(node.inputs[0].ndim, dtype="int64"),)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [disconnected()]


@jax_funcify.register(Shape)
def _jax_shape(op: Shape, node: Apply) -> Callable[..., Any]:
    # a numpy value: the shape is static at trace time
    return lambda x: np.asarray(np.shape(x), dtype="int64")


def shape(x: Any) -> TensorVariable:
    """The symbolic shape of ``x``, an int64 vector.

    It is a node even when ``x``'s static shape is fully known (as PyTensor's),
    so ``function([x], x.shape)`` uses ``x``; ``x.shape[k]`` of a statically
    known length is a constant, and the whole shape is known while tracing.
    """
    return Shape()(as_tensor_variable(x))


class Shape_i(Op):  # noqa: N801 (PyTensor's name)
    """The length of axis ``i`` of a tensor, as an int64 scalar."""

    __props__ = ("i",)
    shape_only = True

    def __init__(self, i: int):
        self.i = int(i)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        if not 0 <= self.i < x.ndim:
            raise IndexError(f"{self}: {x.describe()} has {x.ndim} dimensions")
        return Apply(self, [x], [TensorType("int64", ())()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = np.asarray(np.shape(inputs[0])[self.i], dtype="int64")

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return [()]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [disconnected()]


@jax_funcify.register(Shape_i)
def _jax_shape_i(op: Shape_i, node: Apply) -> Callable[..., Any]:
    i = op.i
    return lambda x: np.asarray(np.shape(x)[i], dtype="int64")


def shape_i(x: Any, i: int) -> TensorVariable:
    """The length of axis ``i`` of ``x`` (negative counts from the end); a constant when static.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.shape_i(gt.tensor("float64", shape=(None, 3)), -1)
    3
    """
    import graph2jax.tensor as gt

    x = as_tensor_variable(x)
    if not -x.ndim <= i < x.ndim:
        raise IndexError(f"shape_i: axis {i} is out of range for {x.describe()} ({x.ndim} dims)")
    i %= x.ndim
    if x.type.shape[i] is not None:
        return gt.constant(x.type.shape[i], dtype="int64")
    return Shape_i(i)(x)


class DimShuffle(Op):
    """Reorder axes, add broadcastable axes (``'x'``) and drop length-1 axes.

    ``new_order`` lists, for each output axis, an input axis or ``'x'``;
    input axes left out must have static length 1.
    """

    __props__ = ("input_ndim", "new_order")

    def __init__(self, input_ndim: int, new_order: Sequence[int | str]):
        self.input_ndim = int(input_ndim)
        self.new_order = tuple(o if o == "x" else int(o) for o in new_order)
        axes = [o for o in self.new_order if o != "x"]
        if len(set(axes)) != len(axes) or any(not 0 <= a < self.input_ndim for a in axes):
            raise ValueError(
                f"dimshuffle pattern {new_order} is invalid for {self.input_ndim} dimensions"
            )
        self.drop = tuple(a for a in range(self.input_ndim) if a not in axes)
        self.transposition = tuple(axes)

    def __str__(self) -> str:
        return f"DimShuffle{{{','.join(map(str, self.new_order))}}}"

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        if x.ndim != self.input_ndim:
            raise TypeError(
                f"{self} expects {self.input_ndim} dimensions, {x.describe()} has {x.ndim}"
            )
        for a in self.drop:
            if x.type.shape[a] != 1:
                raise ValueError(
                    f"dimshuffle {self.new_order} drops axis {a} of {x.describe()}, whose static "
                    f"length is {x.type.shape[a]}, not 1"
                )
        shape = tuple(1 if o == "x" else x.type.shape[o] for o in self.new_order)
        return Apply(self, [x], [TensorType(x.dtype, shape)()])

    def _apply(self, xp: Any, x: Any) -> Any:
        # kept axes in their new order, dropped (length-1) axes last; the reshape drops them
        x = xp.transpose(x, self.transposition + self.drop)
        kept = iter(np.shape(x)[: len(self.transposition)])
        return xp.reshape(x, tuple(1 if o == "x" else next(kept) for o in self.new_order))

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = self._apply(np, np.asarray(inputs[0]))

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        import graph2jax.tensor as gt

        (ishape,) = input_shapes
        one = gt.constant(1, dtype="int64")
        return [tuple(one if o == "x" else ishape[o] for o in self.new_order)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (gz,) = output_grads
        # the axes this op added are dropped again: they must be static 1 in gz's type too
        gz = specify_shape(
            gz, [1 if o == "x" else n for o, n in zip(self.new_order, gz.type.shape, strict=True)]
        )
        back = [
            self.new_order.index(a) if a in self.transposition else "x"
            for a in range(self.input_ndim)
        ]
        return [DimShuffle(gz.ndim, back)(gz)]


@jax_funcify.register(DimShuffle)
def _jax_dimshuffle(op: DimShuffle, node: Apply) -> Callable[..., Any]:
    return lambda x: op._apply(jnp, x)


def dimshuffle(x: Any, pattern: Sequence[int | str]) -> TensorVariable:
    """Reorder axes of ``x`` by ``pattern``; ``'x'`` inserts a broadcastable axis.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.dimshuffle(gt.dmatrix("m"), (1, "x", 0)).type
    TensorType(float64, shape=(None, 1, None))
    """
    x = as_tensor_variable(x)
    pattern = tuple(pattern)
    if pattern == tuple(range(x.ndim)):
        return x
    return DimShuffle(x.ndim, pattern)(x)


def transpose(x: Any, axes: Sequence[int] | None = None) -> TensorVariable:
    """Permute the axes of ``x`` (reverse them by default; negative axes count from the end).

    Raises
    ------
    numpy.exceptions.AxisError
        For an axis out of range.
    ValueError
        When ``axes`` is not a permutation of the axes of ``x``.
    """
    x = as_tensor_variable(x)
    if axes is None:
        axes = tuple(reversed(range(x.ndim)))
    given = tuple(axes)
    axes = tuple(normalize_axis_index(int(a), x.ndim, "transpose") for a in given)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(
            f"transpose: axes {given} are not a permutation of the {x.ndim} axes of {x.describe()}"
        )
    return dimshuffle(x, axes)


def _check_integer_shape(shp: TensorVariable) -> None:
    if shp.dtype not in int_dtypes + uint_dtypes:
        raise TypeError(
            f"reshape: the shape {shp.describe()} must be integers, got dtype {shp.dtype}"
        )


class Reshape(Op):
    """Reshape ``x`` to ``shape`` (a symbolic int vector; one entry may be -1).

    The target shape must be known at trace time: built from constants and
    ``x.shape``, or from inputs that the function then treats as static.
    """

    __props__ = ("ndim",)
    static_inputs = (1,)

    def __init__(self, ndim: int):
        self.ndim = int(ndim)

    def make_node(self, x: Any, shp: Any) -> Apply:
        x = as_tensor_variable(x)
        shp = as_tensor_variable(shp, ndim=1)
        _check_integer_shape(shp)
        if shp.type.shape[0] is not None and shp.type.shape[0] != self.ndim:
            raise ValueError(f"reshape: shape has {shp.type.shape[0]} entries for ndim={self.ndim}")
        from graph2jax.ops.join import static_vector_entries

        # entries known while building (constants stacked with symbolic lengths) stay static
        entries = static_vector_entries(shp) or (None,) * self.ndim
        static: list[int | None] = [v if v is not None and v >= 0 else None for v in entries]
        if isinstance(shp, Constant):
            values = [int(v) for v in shp.data]
            if values.count(-1) > 1 or any(v < -1 for v in values):
                raise ValueError(
                    f"reshape: the shape {tuple(values)} for {x.describe()} may hold one -1 "
                    "and no other negative length"
                )
            known = x.type.shape
            if all(s is not None for s in known):
                size = int(np.prod(known))
                rest = int(np.prod([v for v in values if v != -1]))
                if (-1 not in values and rest != size) or (
                    -1 in values and (rest == 0 or size % rest)
                ):
                    raise ValueError(
                        f"reshape: cannot reshape {x.describe()} of shape {tuple(known)} "
                        f"into shape {tuple(values)}"
                    )
                if -1 in values:
                    static[values.index(-1)] = size // rest
        return Apply(self, [x, shp], [TensorType(x.dtype, tuple(static))()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        x, shp = inputs
        output_storage[0][0] = np.reshape(x, tuple(int(s) for s in shp))

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        shp = node.inputs[1]
        return [tuple(shp[i] for i in range(self.ndim))]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        x, _ = inputs
        g = reshape(output_grads[0], shape(x), ndim=x.ndim)
        return [specify_shape(g, x.type.shape), disconnected()]


@jax_funcify.register(Reshape)
def _jax_reshape(op: Reshape, node: Apply) -> Callable[..., Any]:
    def reshape_(x: Any, shp: Any) -> Any:
        return jnp.reshape(x, tuple(int(s) for s in np.asarray(shp)))

    return reshape_


def reshape(x: Any, newshape: Any, ndim: int | None = None) -> TensorVariable:
    """``x`` with shape ``newshape`` (a tuple of ints and symbolic scalars, or a vector).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> y = gt.reshape(x, (2, -1))
    >>> y.eval({x: np.arange(6.0)}).shape
    (2, 3)
    """
    x = as_tensor_variable(x)
    if isinstance(newshape, Variable):
        shp = as_tensor_variable(newshape)
        if shp.ndim == 0:
            shp = dimshuffle(shp, ("x",))
    else:
        if isinstance(newshape, int | np.integer):
            newshape = (newshape,)
        # constant entries (static lengths from ``shape_i``) stay values: the target stays constant
        entries = [e.data if isinstance(e, Constant) else e for e in newshape]
        if all(not isinstance(e, Variable) for e in entries):
            values = np.asarray(entries).reshape(len(entries))
            shp = as_tensor_variable(values if values.size else values.astype("int64"))
        else:
            import graph2jax.tensor as gt

            parts = [as_tensor_variable(e) for e in entries]
            for part in parts:
                _check_integer_shape(part)
            shp = gt.stack(
                [
                    gt.constant(p.data, dtype="int64")
                    if isinstance(p, Constant)
                    else gt.cast(p, "int64")
                    for p in parts
                ]
            )
    _check_integer_shape(shp)
    if ndim is None:
        if shp.type.shape[0] is None:
            raise ValueError("reshape: the length of a symbolic shape must be known; pass ndim=")
        ndim = shp.type.shape[0]
    if shp.dtype != "int64":
        import graph2jax.tensor as gt

        shp = gt.cast(shp, "int64")
    return Reshape(ndim)(x, shp)


class SpecifyShape(Op):
    """Assert a static shape: the output is ``x`` with a more precise type."""

    __props__ = ("shape",)

    def __init__(self, shape: Sequence[int | None]):
        self.shape = tuple(None if s is None else int(s) for s in shape)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        if x.ndim != len(self.shape):
            raise ValueError(
                f"specify_shape: {x.describe()} has {x.ndim} dimensions, not {len(self.shape)}"
            )
        for s, t in zip(self.shape, x.type.shape, strict=True):
            if s is not None and t is not None and s != t:
                raise ValueError(
                    f"specify_shape: {x.describe()} has static shape {x.type.shape}, not {self.shape}"
                )
        shape = tuple(
            s if s is not None else t for s, t in zip(self.shape, x.type.shape, strict=True)
        )
        return Apply(self, [x], [TensorType(x.dtype, shape)()])

    def _check(self, node: Apply, x: Any) -> Any:
        if any(s is not None and s != n for s, n in zip(self.shape, np.shape(x), strict=True)):
            raise ValueError(
                f"specify_shape: {node.inputs[0].describe()} should have shape {self.shape}, "
                f"got {tuple(np.shape(x))}"
            )
        return x

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = self._check(node, inputs[0])

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        import graph2jax.tensor as gt

        return [
            tuple(
                gt.constant(s, dtype="int64") if s is not None else d
                for s, d in zip(node.outputs[0].type.shape, input_shapes[0], strict=True)
            )
        ]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [output_grads[0]]


@jax_funcify.register(SpecifyShape)
def _jax_specify_shape(op: SpecifyShape, node: Apply) -> Callable[..., Any]:
    # shapes are static while tracing: checked once per compilation
    return lambda x: op._check(node, x)


def specify_shape(x: Any, shape: int | Sequence[int | None]) -> TensorVariable:
    """``x`` with the static shape ``shape`` (None keeps a length unknown); checked at run time.

    Parameters
    ----------
    x : tensor-like
    shape : int or sequence of int or None
        One entry per axis of ``x``; an int is the shape of a vector.
    """
    x = as_tensor_variable(x)
    shape = (shape,) if isinstance(shape, int | np.integer) else tuple(shape)
    if tuple(x.type.shape) == shape:
        return x
    return SpecifyShape(shape)(x)


def specify_broadcastable(x: Any, *axes: int) -> TensorVariable:
    """``x`` with static length 1 (broadcastable) along ``axes``; checked at run time.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.specify_broadcastable(gt.dmatrix(), 1).type.shape
    (None, 1)
    """
    x = as_tensor_variable(x)
    if not axes:
        return x
    axes = normalize_axis_tuple(axes, x.ndim)
    return specify_shape(x, [1 if i in axes else n for i, n in enumerate(x.type.shape)])


def flatten(x: Any, ndim: int = 1) -> TensorVariable:
    """``x`` with its first ``ndim - 1`` axes kept and the others merged into the last one.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.flatten(gt.tensor("float64", shape=(2, 3, 4)), ndim=2).type
    TensorType(float64, shape=(2, 12))
    """
    x = as_tensor_variable(x)
    if ndim is None:
        ndim = 1
    if ndim < 1 or (ndim > 1 and ndim > x.ndim):
        raise ValueError(f"flatten: ndim {ndim} out of bound [1, {x.ndim + 1}) for {x.describe()}")
    if ndim == x.ndim:
        return x
    kept = x.type.shape[: ndim - 1]
    merged = x.type.shape[ndim - 1 :]
    out = reshape(x, [shape_i(x, i) for i in range(ndim - 1)] + [-1], ndim=ndim)
    last = int(np.prod(merged)) if all(s is not None for s in merged) else None
    return specify_shape(out, (*kept, last))


def squeeze(x: Any, axis: int | Sequence[int] | None = None) -> TensorVariable:
    """``x`` without the length-1 axes ``axis`` (by default, every axis of static length 1).

    An axis of unknown static length is checked to be 1 at run time; an axis
    whose static length is not 1 is a ValueError.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.squeeze(gt.tensor("float64", shape=(1, None, 1))).type
    TensorType(float64, shape=(None,))
    """
    x = as_tensor_variable(x)
    if axis is None:
        axes = tuple(i for i, s in enumerate(x.type.shape) if s == 1)
    else:
        axes = normalize_axis_tuple(axis if isinstance(axis, Sequence) else (axis,), x.ndim)
    if not axes:
        return x
    bad = [a for a in axes if x.type.shape[a] not in (1, None)]
    if bad:
        raise ValueError(
            f"squeeze: cannot remove axes {bad} of {x.describe()}, whose static shape is "
            f"{x.type.shape}: only length-1 axes can be squeezed"
        )
    x = specify_shape(x, tuple(1 if a in axes else s for a, s in enumerate(x.type.shape)))
    return dimshuffle(x, [a for a in range(x.ndim) if a not in axes])


def expand_dims(a: Any, axis: int | Sequence[int]) -> TensorVariable:
    """``a`` with new length-1 axes at positions ``axis`` of the result (as numpy).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.expand_dims(gt.dvector("v"), (0, -1)).type
    TensorType(float64, shape=(1, None, 1))
    """
    a = as_tensor_variable(a)
    axes = tuple(axis) if isinstance(axis, Sequence) else (axis,)
    out_ndim = a.ndim + len(axes)
    axes = normalize_axis_tuple(axes, out_ndim)
    old = iter(range(a.ndim))
    return dimshuffle(a, ["x" if i in axes else next(old) for i in range(out_ndim)])


def shape_padleft(t: Any, n_ones: int = 1) -> TensorVariable:
    """``t`` with ``n_ones`` broadcastable axes added on the left."""
    t = as_tensor_variable(t)
    return dimshuffle(t, ["x"] * n_ones + list(range(t.ndim)))


def shape_padright(t: Any, n_ones: int = 1) -> TensorVariable:
    """``t`` with ``n_ones`` broadcastable axes added on the right."""
    t = as_tensor_variable(t)
    return dimshuffle(t, list(range(t.ndim)) + ["x"] * n_ones)


def shape_padaxis(t: Any, axis: int) -> TensorVariable:
    """``t`` with one broadcastable axis inserted at position ``axis`` of the result.

    Raises
    ------
    IndexError
        When ``axis`` is not in ``[-t.ndim - 1, t.ndim]``.
    """
    t = as_tensor_variable(t)
    ndim = t.ndim + 1
    if not -ndim <= axis < ndim:
        raise IndexError(f"shape_padaxis: axis {axis} is out of bounds [-{ndim}, {ndim})")
    axis %= ndim
    pattern: list[int | str] = list(range(t.ndim))
    pattern.insert(axis, "x")
    return dimshuffle(t, pattern)


def broadcast_to(x: Any, shape: Any) -> TensorVariable:
    """``x`` broadcast to ``shape`` (ints, symbolic scalars or an int vector), as ``alloc``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.broadcast_to(gt.constant([1.0, 2.0]), (3, 2)).eval().shape
    (3, 2)
    """
    from graph2jax.ops.creation import alloc, shape_entries

    return alloc(x, *shape_entries(shape))


__all__ = [
    "DimShuffle",
    "Reshape",
    "Shape",
    "Shape_i",
    "SpecifyShape",
    "broadcast_to",
    "dimshuffle",
    "expand_dims",
    "flatten",
    "reshape",
    "shape",
    "shape_i",
    "shape_padaxis",
    "shape_padleft",
    "shape_padright",
    "specify_broadcastable",
    "specify_shape",
    "squeeze",
    "transpose",
]
