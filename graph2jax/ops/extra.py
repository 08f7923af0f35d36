"""PyTensor's ``extra_ops``: ``cumsum``, ``cumprod``, ``diff``, ``repeat``, ``tile``.

The cumulative sum, the difference and repeat carry their transpose as a
flag: a reverse cumulative sum, the adjoint difference, the sum of repeated
slices. The gradient of each is the other, so gradients of any order stay
within this module. ``tile``'s gradient sums the tiles (a reshape and a sum).
Sorting is in :mod:`graph2jax.ops.sort`.

An axis of ``None`` flattens the input first, as numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Constant, Op, Variable
from graph2jax.graph.gradtypes import disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.creation import alloc
from graph2jax.ops.elemwise import dimshuffle
from graph2jax.ops.join import concatenate
from graph2jax.ops.math import cast, maximum, true_div
from graph2jax.ops.reduce import normalize_axis
from graph2jax.ops.reduce import sum as reduce_sum
from graph2jax.ops.reshape import flatten, reshape
from graph2jax.ops.shape import shape as shape_of
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.tensor_type import TensorType, int_dtypes, uint_dtypes
from graph2jax.types.variable import TensorVariable


def one_axis(axis: Any, x: TensorVariable, op_name: str) -> int:
    """A single axis of ``x`` (which has at least one dimension), normalized to be >= 0."""
    if not isinstance(axis, int | np.integer) or isinstance(axis, bool):
        raise TypeError(f"{op_name}: axis must be an int or None, got {axis!r}")
    return normalize_axis(int(axis), x, op_name)[0]


def _with_length(x: TensorVariable, axis: int, length: int | None) -> TensorType:
    """``x``'s type with the static length of ``axis`` replaced."""
    shp = list(x.type.shape)
    shp[axis] = length
    return TensorType(x.dtype, tuple(shp))


# ---------------------------------------------------------------------------
# cumulative sum and product


class CumOp(Op):
    """Cumulative sum (``mode='add'``) or product (``'mul'``) along ``axis``.

    ``reverse=True`` accumulates from the end (the transpose of the sum: its gradient).
    """

    __props__ = ("axis", "mode", "reverse")

    def __init__(self, axis: int, mode: str = "add", reverse: bool = False):
        if mode not in ("add", "mul"):
            raise ValueError(f"CumOp: mode must be 'add' or 'mul', got {mode!r}")
        self.axis, self.mode, self.reverse = int(axis), mode, bool(reverse)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        one_axis(self.axis, x, f"cum{'sum' if self.mode == 'add' else 'prod'}")
        # bool accumulates as an integer, as in numpy
        dtype = "int64" if x.dtype == "bool" else x.dtype
        return Apply(self, [x], [x.type.clone(dtype=dtype)()])

    def _apply(self, xp: Any, x: Any, dtype: str) -> Any:
        x = xp.asarray(x).astype(dtype)
        if self.reverse:
            x = xp.flip(x, self.axis)
        out = (xp.cumsum if self.mode == "add" else xp.cumprod)(x, axis=self.axis, dtype=dtype)
        return xp.flip(out, self.axis) if self.reverse else out

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = self._apply(np, inputs[0], node.outputs[0].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (x,), (out,), (gz,) = inputs, outputs, output_grads
        back = CumOp(self.axis, "add", not self.reverse)
        if self.mode == "add":
            return [back(gz)]
        # d out_j / d x_i = out_j / x_i for j >= i: infinite or nan where x is 0, as PyTensor
        return [cast(true_div(back(gz * out), x), x.dtype)]


@jax_funcify.register(CumOp)
def _jax_cumop(op: CumOp, node: Apply) -> Callable[..., Any]:
    dtype = node.outputs[0].dtype
    return lambda x: op._apply(jnp, x, dtype)


def _cum(x: Any, axis: int | None, mode: str) -> TensorVariable:
    x = as_tensor_variable(x)
    if axis is None:
        x, axis = flatten(x), 0
    return CumOp(one_axis(axis, x, f"cum{'sum' if mode == 'add' else 'prod'}"), mode)(x)


def cumsum(x: Any, axis: int | None = None) -> TensorVariable:
    """The cumulative sum along ``axis`` (of the flattened ``x`` when None).

    Integers keep their dtype (bool becomes int64).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> gt.cumsum(x).eval({x: np.array([1.0, 2.0, 3.0])})
    array([1., 3., 6.])
    """
    return _cum(x, axis, "add")


def cumprod(x: Any, axis: int | None = None) -> TensorVariable:
    """The cumulative product along ``axis`` (of the flattened ``x`` when None).

    The gradient divides by ``x`` (as PyTensor): it is not finite where ``x`` is 0.
    """
    return _cum(x, axis, "mul")


# ---------------------------------------------------------------------------
# difference


class Diff(Op):
    """The ``n``-th discrete difference along ``axis``.

    ``transposed=True`` is its adjoint (the gradient): ``(-1)**n`` times the
    difference of the input padded with ``n`` zeros on both sides, which is
    ``n`` longer than the input (so the gradient of a difference whose order
    exceeds the length, an empty result, has the wrong length).
    """

    __props__ = ("n", "axis", "transposed")

    def __init__(self, n: int, axis: int, transposed: bool = False):
        self.n, self.axis, self.transposed = int(n), int(axis), bool(transposed)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        one_axis(self.axis, x, "diff")
        length = x.type.shape[self.axis]
        if length is not None:
            length = length + self.n if self.transposed else max(length - self.n, 0)
        return Apply(self, [x], [_with_length(x, self.axis, length)()])

    def _apply(self, xp: Any, x: Any) -> Any:
        if not self.transposed:
            return xp.diff(x, n=self.n, axis=self.axis)
        pad = [(0, 0)] * xp.ndim(x)
        pad[self.axis] = (self.n, self.n)
        return (-1) ** self.n * xp.diff(xp.pad(x, pad), n=self.n, axis=self.axis)

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        result = self._apply(np, np.asarray(inputs[0]))
        output_storage[0][0] = np.asarray(result, dtype=node.outputs[0].dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        shp = list(input_shapes[0])
        n = constant(self.n, dtype="int64")
        shp[self.axis] = shp[self.axis] + n if self.transposed else maximum(shp[self.axis] - n, 0)
        return [tuple(shp)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [Diff(self.n, self.axis, not self.transposed)(output_grads[0])]


@jax_funcify.register(Diff)
def _jax_diff(op: Diff, node: Apply) -> Callable[..., Any]:
    dtype = node.outputs[0].dtype
    return lambda x: jnp.asarray(op._apply(jnp, x), dtype=dtype)


def diff(x: Any, n: int = 1, axis: int = -1) -> TensorVariable:
    """The ``n``-th discrete difference along ``axis``, as ``numpy.diff``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> gt.diff(x).eval({x: np.array([1.0, 4.0, 9.0])})
    array([3., 5.])
    """
    x = as_tensor_variable(x)
    if not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"diff: the order n must be a non-negative int, got {n!r}")
    if x.ndim == 0:
        raise ValueError(f"diff: {x.describe()} is a scalar; diff needs at least one dimension")
    axis = one_axis(axis, x, "diff")
    return x if n == 0 else Diff(n, axis)(x)


# ---------------------------------------------------------------------------
# repeat and tile


def _int64_values(name: str, what: str, values: Any) -> Any:
    """Python or numpy integers as an int64 array (so they stay constants); variables as they are."""
    if isinstance(values, Variable) or (
        isinstance(values, list | tuple) and any(isinstance(v, Variable) for v in values)
    ):
        return values
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name}: {what} must be integers, got {values!r}")
    return arr.astype("int64")


class Repeat(Op):
    """Repeat each slice of ``x`` along ``axis`` (``repeats``: an int, or one int per slice).

    ``repeats`` decides the output's length, so its value must be known at
    trace time (a constant, or an input the function treats as static).
    ``transposed=True`` sums each run of repeated slices back into one (the
    gradient); it needs one count per output slice.
    """

    __props__ = ("axis", "transposed")
    static_inputs = (1,)
    length_inputs = (1,)  # one bounded count: ragged rows (graph2jax.ops.ragged_sources)

    def __init__(self, axis: int, transposed: bool = False):
        self.axis, self.transposed = int(axis), bool(transposed)

    def make_node(self, x: Any, repeats: Any) -> Apply:
        x = as_tensor_variable(x)
        repeats = as_tensor_variable(repeats)
        one_axis(self.axis, x, "repeat")
        if repeats.dtype not in int_dtypes + uint_dtypes or repeats.ndim > 1:
            raise TypeError(
                f"repeat: repeats {repeats.describe()} must be an int scalar or vector, got "
                f"dtype {repeats.dtype} with {repeats.ndim} dimensions"
            )
        if self.transposed and repeats.ndim != 1:
            raise TypeError(f"{self}: repeats {repeats.describe()} must be a vector, got a scalar")
        length = x.type.shape[self.axis]
        out_length = None
        if self.transposed:
            out_length = repeats.type.shape[0]
        elif isinstance(repeats, Constant):
            reps = np.asarray(repeats.data)
            if (reps < 0).any():
                raise ValueError(f"repeat: repeats must be non-negative, got {reps}")
            if reps.ndim == 1 and length is not None and len(reps) != length:
                raise ValueError(
                    f"repeat: {len(reps)} repeats for {length} slices of {x.describe()} along "
                    f"axis {self.axis}"
                )
            if reps.ndim == 1:
                out_length = int(reps.sum())
            elif length is not None:
                out_length = length * int(reps)
        return Apply(self, [x, repeats], [_with_length(x, self.axis, out_length)()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        x, repeats = np.asarray(inputs[0]), np.asarray(inputs[1])
        if not self.transposed:
            output_storage[0][0] = np.repeat(x, repeats, axis=self.axis)
            return
        # the transpose: slice i of the input goes to output slice ids[i]
        ids = np.repeat(np.arange(len(repeats)), repeats)
        out = np.zeros((len(repeats),) + np.moveaxis(x, self.axis, 0).shape[1:], dtype=x.dtype)
        np.add.at(out, ids, np.moveaxis(x, self.axis, 0))
        output_storage[0][0] = np.moveaxis(out, 0, self.axis)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        reps = cast(node.inputs[1], "int64")
        shp = list(input_shapes[0])
        if self.transposed:
            shp[self.axis] = shape_of(reps)[0]
        else:
            shp[self.axis] = reduce_sum(reps) if reps.ndim else shp[self.axis] * reps
        return [tuple(shp)]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        x, repeats = inputs
        if repeats.ndim == 0:  # one count per slice: the transpose needs the number of slices
            repeats = alloc(repeats, x.shape[self.axis])
        return [Repeat(self.axis, not self.transposed)(output_grads[0], repeats), disconnected()]


@jax_funcify.register(Repeat)
def _jax_repeat(op: Repeat, node: Apply) -> Callable[..., Any]:
    axis = op.axis

    def repeat_(x: Any, repeats: Any) -> Any:
        repeats = np.asarray(repeats)  # static: known while tracing
        if not op.transposed:
            return jnp.repeat(x, repeats if repeats.ndim else int(repeats), axis=axis)
        ids = np.repeat(np.arange(len(repeats)), repeats)
        out = jax.ops.segment_sum(jnp.moveaxis(x, axis, 0), ids, num_segments=len(repeats))
        return jnp.moveaxis(out, 0, axis)

    return repeat_


def repeat(a: Any, repeats: Any, axis: int | None = None) -> TensorVariable:
    """Repeat the elements of ``a`` along ``axis`` (of the flattened ``a`` when None).

    Parameters
    ----------
    a : tensor-like
    repeats : int or int vector
        One count for all slices or one per slice: python ints, constants, or
        inputs the function then treats as static (one compilation per
        distinct value); computed from values, it is read by a first stage
        (:mod:`graph2jax.linker.staging`), one count along the first axis
        compiled once per power-of-two capacity.
    axis : int, optional

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> gt.repeat(x, 2).eval({x: np.array([1.0, 2.0])})
    array([1., 1., 2., 2.])
    """
    x = as_tensor_variable(a)
    repeats = _int64_values("repeat", "repeats", repeats)
    if isinstance(repeats, np.ndarray) and repeats.shape == (1,):
        repeats = repeats.reshape(())
    repeats = as_tensor_variable(repeats)
    if repeats.ndim == 1 and repeats.type.shape[0] == 1:
        repeats = dimshuffle(repeats, ())
    if repeats.dtype != "int64" and repeats.dtype in int_dtypes + uint_dtypes:
        repeats = cast(repeats, "int64")
    if axis is None or x.ndim == 0:
        x, axis = flatten(x), 0
    return Repeat(one_axis(axis, x, "repeat"))(x, repeats)


class Tile(Op):
    """``x`` repeated ``reps[i]`` times along each axis ``i`` (``len(reps) == x.ndim``).

    ``reps`` must be known at trace time.
    """

    static_inputs = (1,)

    def make_node(self, x: Any, reps: Any) -> Apply:
        x, reps = as_tensor_variable(x), as_tensor_variable(reps)
        if reps.dtype not in int_dtypes + uint_dtypes or reps.type.shape != (x.ndim,):
            raise TypeError(
                f"tile: reps {reps.describe()} must be an int vector of length {x.ndim} (the "
                f"dimensions of {x.describe()}), got {reps.type}"
            )
        shp = [None] * x.ndim
        if isinstance(reps, Constant):
            for i, (n, r) in enumerate(zip(x.type.shape, reps.data.tolist(), strict=True)):
                if r < 0:
                    raise ValueError(f"tile: reps must be non-negative, got {reps.data}")
                shp[i] = None if n is None else n * r
        return Apply(self, [x, reps], [TensorType(x.dtype, tuple(shp))()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = np.tile(inputs[0], [int(r) for r in inputs[1]])

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        reps = node.inputs[1]
        return [tuple(s * reps[i] for i, s in enumerate(input_shapes[0]))]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        x, reps = inputs
        # axis i of the output is (reps[i], x.shape[i]) once reshaped: sum over the tiles
        split = [d for i in range(x.ndim) for d in (reps[i], x.shape[i])]
        tiles = reshape(output_grads[0], split, ndim=2 * x.ndim)
        return [reduce_sum(tiles, axis=tuple(range(0, 2 * x.ndim, 2))), disconnected()]


@jax_funcify.register(Tile)
def _jax_tile(op: Tile, node: Apply) -> Callable[..., Any]:
    return lambda x, reps: jnp.tile(x, [int(r) for r in np.asarray(reps)])


def tile(A: Any, reps: Sequence[int] | Any) -> TensorVariable:  # noqa: N803 (PyTensor's name)
    """``A`` repeated ``reps[i]`` times along axis ``i``, as ``numpy.tile``.

    ``reps`` shorter than ``A.ndim`` is padded with ones on the left; longer,
    ``A`` gets leading length-1 axes. Its values must be known at trace time.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> gt.tile(x, (2, 2)).eval({x: np.array([1.0, 2.0])})
    array([[1., 2., 1., 2.],
           [1., 2., 1., 2.]])
    """
    x = as_tensor_variable(A)
    if isinstance(reps, int | np.integer):
        reps = (reps,)
    reps = _int64_values("tile", "reps", reps)
    if isinstance(reps, np.ndarray):
        reps = reps.reshape(-1)
        reps = np.concatenate([np.ones(max(x.ndim - len(reps), 0), dtype="int64"), reps])
    reps = as_tensor_variable(reps)
    if reps.ndim != 1 or reps.type.shape[0] is None:
        raise ValueError(
            f"tile: reps must be a sequence or vector of known length, got {reps.describe()}"
        )
    d = reps.type.shape[0]
    if d < x.ndim:
        reps = concatenate([np.ones(x.ndim - d, dtype="int64"), cast(reps, "int64")])
    elif d > x.ndim:
        x = dimshuffle(x, ("x",) * (d - x.ndim) + tuple(range(x.ndim)))
    return Tile()(x, cast(reps, "int64"))


__all__ = [
    "CumOp",
    "Diff",
    "Repeat",
    "Tile",
    "cumprod",
    "cumsum",
    "diff",
    "repeat",
    "tile",
]
