"""Shape ops: ``shape``/``shape_i``, ``specify_shape``/``specify_broadcastable``, and the axis
moves built on ``dimshuffle`` (``transpose``, ``squeeze``, ``expand_dims``). ``dimshuffle`` and
the ``shape_pad*`` helpers are in :mod:`graph2jax.ops.elemwise`, ``reshape``/``flatten`` in
:mod:`graph2jax.ops.reshape`, ``broadcast_to`` in :mod:`graph2jax.ops.broadcast`.

``Shape`` and ``Shape_i`` are ``shape_only``: their values depend on their
input's shape alone, which JAX knows at trace time, so shape arithmetic built
on them is evaluated with numpy while tracing and never becomes a traced value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from graph2jax.graph.basic import Apply, Constant, Op, Variable
from graph2jax.graph.gradtypes import disconnected
from graph2jax.linker import checks
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.elemwise import dimshuffle
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.tensor_type import TensorType, int_dtypes
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
        return [(constant(node.inputs[0].ndim, dtype="int64"),)]

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
    x = as_tensor_variable(x)
    if not -x.ndim <= i < x.ndim:
        raise IndexError(f"shape_i: axis {i} is out of range for {x.describe()} ({x.ndim} dims)")
    i %= x.ndim
    if x.type.shape[i] is not None:
        return constant(x.type.shape[i], dtype="int64")
    return Shape_i(i)(x)


def static_or_symbolic_length(x: TensorVariable, axis: int) -> int | TensorVariable:
    """The length of ``x`` along ``axis``: a python int where static, ``shape_i`` otherwise.

    Graph-building code takes a python int where it can, so static lengths stay static.
    """
    length = x.type.shape[axis]
    return length if length is not None else shape_i(x, axis)


def get_vector_length(v: Any) -> int:
    """The length of the vector ``v`` known when the graph is built (PyTensor's ``get_vector_length``).

    Raises ``TypeError`` when ``v`` is not a vector, ``ValueError`` when its
    length is known only at run time.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.get_vector_length(gt.dmatrix().shape), gt.get_vector_length([1, 2, 3])
    (2, 3)
    """
    v = as_tensor_variable(v)
    if v.ndim != 1:
        raise TypeError(f"get_vector_length: {v.describe()} is not a vector (type {v.type})")
    if v.type.shape[0] is None:
        raise ValueError(
            f"get_vector_length: the length of {v.describe()} is known only at run time"
        )
    return int(v.type.shape[0])


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


class SpecifyShape(Op):
    """Assert a shape: the output is ``x`` with a more precise type.

    ``shape`` holds each axis's static length, or None; ``symbolic`` the axes
    whose length is an input of the node (after ``x``, in order), known only
    at run time: a mismatch there raises through the linker's run-time checks.
    """

    __props__ = ("shape", "symbolic")

    def __init__(self, shape: Sequence[int | None], symbolic: Sequence[int] = ()):
        self.shape = tuple(None if s is None else int(s) for s in shape)
        self.symbolic = tuple(symbolic)

    @property
    def checks_indices(self) -> bool:
        return bool(self.symbolic)

    def make_node(self, x: Any, *lengths: Any) -> Apply:
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
        lengths = [as_tensor_variable(n) for n in lengths]
        if len(lengths) != len(self.symbolic) or any(
            n.ndim != 0 or n.dtype not in int_dtypes for n in lengths
        ):
            raise TypeError(
                f"specify_shape: the symbolic lengths of axes {self.symbolic} must be integer "
                f"scalars, got {[n.type for n in lengths]}"
            )
        shape = tuple(
            s if s is not None else t for s, t in zip(self.shape, x.type.shape, strict=True)
        )
        return Apply(self, [x, *lengths], [TensorType(x.dtype, shape)()])

    def _check(self, node: Apply, x: Any, lengths: Sequence[Any] = ()) -> Any:
        expected = list(self.shape)
        for axis, n in zip(self.symbolic, lengths, strict=True):
            expected[axis] = int(n)
        if any(s is not None and s != n for s, n in zip(expected, np.shape(x), strict=True)):
            raise ValueError(
                f"specify_shape: {node.inputs[0].describe()} should have shape {tuple(expected)}, "
                f"got {tuple(np.shape(x))}"
            )
        return x

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = self._check(node, inputs[0], inputs[1:])

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        given = dict(zip(self.symbolic, node.inputs[1:], strict=True))
        return [
            tuple(
                constant(s, dtype="int64") if s is not None else given.get(k, d)
                for k, (s, d) in enumerate(
                    zip(node.outputs[0].type.shape, input_shapes[0], strict=True)
                )
            )
        ]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [output_grads[0], *(disconnected() for _ in inputs[1:])]


@jax_funcify.register(SpecifyShape)
def _jax_specify_shape(op: SpecifyShape, node: Apply) -> Callable[..., Any]:
    # static lengths are checked once per compilation, symbolic ones known while tracing too;
    # the others at run time, by the linker's checks (off: not checked, as JAX)
    def specify(x: Any, *lengths: Any) -> Any:
        entries = list(zip(op.symbolic, lengths, strict=True))
        traced = [(a, n) for a, n in entries if isinstance(n, jax.core.Tracer)]
        # what is known while tracing is checked now, the rest reported to the run-time checks
        op._check(
            node, x, [x.shape[a] if isinstance(n, jax.core.Tracer) else n for a, n in entries]
        )
        if traced:
            checks.require(jnp.all(jnp.stack([n == x.shape[a] for a, n in traced])))
        return x

    return specify


def specify_shape(x: Any, shape: Any) -> TensorVariable:
    """``x`` with the shape ``shape``, checked at run time (PyTensor's ``specify_shape``).

    Parameters
    ----------
    x : tensor-like
    shape : int, sequence or integer vector
        One entry per axis of ``x``: an int (a static length), None (unknown),
        or an integer scalar variable (a length known at run time, e.g.
        ``y.shape[0]``); an int is the shape of a vector, and an integer
        vector of static length (``y.shape``) gives one entry per element.

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as gt
    >>> x, n = gt.dmatrix("x"), gt.lscalar("n")
    >>> y = gt.specify_shape(x, (n, 2))
    >>> y.type.shape
    (None, 2)
    >>> f = g.function([x, n], y.sum())
    >>> float(f(np.ones((3, 2)), 3))
    6.0
    >>> f(np.ones((3, 2)), 4)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: specify_shape: 'x' ... should have shape (4, 2), got (3, 2) ...
    """
    x = as_tensor_variable(x)
    if isinstance(shape, Variable):
        if shape.ndim == 0:
            shape = (shape,)
        elif shape.ndim == 1 and shape.type.shape[0] is not None:
            shape = tuple(shape[k] for k in range(shape.type.shape[0]))
        else:
            raise ValueError(f"specify_shape: the shape {shape} must have a static length")
    elif isinstance(shape, int | np.integer):
        shape = (shape,)
    static, symbolic, lengths = [], [], []
    for axis, entry in enumerate(shape):
        if isinstance(entry, Constant):
            entry = int(entry.data)
        if isinstance(entry, Variable):
            static.append(None)
            symbolic.append(axis)
            lengths.append(entry)
        else:
            static.append(None if entry is None else int(entry))
    if not symbolic and tuple(x.type.shape) == tuple(static):
        return x
    return SpecifyShape(static, symbolic)(x, *lengths)


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


__all__ = [
    "Shape",
    "Shape_i",
    "SpecifyShape",
    "expand_dims",
    "get_vector_length",
    "shape",
    "shape_i",
    "specify_broadcastable",
    "specify_shape",
    "squeeze",
    "transpose",
]
