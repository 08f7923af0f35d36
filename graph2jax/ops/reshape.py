"""Reshaping: the ``Reshape`` op, ``reshape`` and ``flatten``.

A target shape is a static input: built from constants and ``x.shape`` it is
known while tracing (:func:`~graph2jax.ops.join.static_vector_entries` reads
the lengths a stacked shape vector already fixes); taken from a function's
inputs, the function compiles once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Constant, Op, Variable
from graph2jax.graph.gradtypes import disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.elemwise import cast, dimshuffle
from graph2jax.ops.join import stack, static_vector_entries
from graph2jax.ops.math import eq, int_div, maximum, switch
from graph2jax.ops.shape import shape, shape_i, specify_shape
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.tensor_type import TensorType, int_dtypes, uint_dtypes
from graph2jax.types.variable import TensorVariable


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
        shp, static = node.inputs[1], node.outputs[0].type.shape
        entries = [shp[i] for i in range(self.ndim)]
        # a -1 entry is the input's size over the other entries' product
        size = constant(1, dtype="int64")
        for length in input_shapes[0]:
            size = size * length
        given = constant(1, dtype="int64")
        for e in entries:
            given = given * switch(eq(e, -1), 1, e)
        missing = int_div(size, maximum(given, 1))
        return [
            tuple(
                constant(n, dtype="int64") if n is not None else switch(eq(e, -1), missing, e)
                for e, n in zip(entries, static, strict=True)
            )
        ]

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
            parts = [as_tensor_variable(e) for e in entries]
            for part in parts:
                _check_integer_shape(part)
            shp = stack(
                [
                    constant(p.data, dtype="int64") if isinstance(p, Constant) else cast(p, "int64")
                    for p in parts
                ]
            )
    _check_integer_shape(shp)
    if ndim is None:
        if shp.type.shape[0] is None:
            raise ValueError("reshape: the length of a symbolic shape must be known; pass ndim=")
        ndim = shp.type.shape[0]
    if shp.dtype != "int64":
        shp = cast(shp, "int64")
    return Reshape(ndim)(x, shp)


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


__all__ = ["Reshape", "flatten", "reshape"]
