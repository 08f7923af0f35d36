"""Sorting, as PyTensor's ``pytensor.tensor.sort``: ``sort`` and ``argsort``.

``sort``'s gradient puts each output gradient back where its element came
from: a :class:`PermuteAlongAxis` by the inverse of the sorting permutation.
An axis of ``None`` sorts the flattened input, as numpy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.gradtypes import disconnected
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.elemwise import cast
from graph2jax.ops.extra import one_axis
from graph2jax.ops.reshape import flatten
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import int_dtypes, uint_dtypes
from graph2jax.types.variable import TensorVariable

_SORT_KINDS = ("quicksort", "mergesort", "heapsort", "stable")


def _sort_kind(name: str, kind: str | None, order: Any, stable: bool | None) -> str:
    """PyTensor's sorting arguments: ``stable=True`` means ``kind='stable'``, None 'quicksort'."""
    if order is not None:
        raise ValueError(f"{name}: order is for structured arrays, which tensors are not")
    if stable is not None and kind is not None:
        raise ValueError(f"{name}: give kind or stable, not both (got {kind!r} and {stable!r})")
    kind = "stable" if stable else kind or "quicksort"
    if kind not in _SORT_KINDS:
        raise ValueError(f"{name}: kind must be one of {_SORT_KINDS}, got {kind!r}")
    return kind


class SortOp(Op):
    """The values of ``x`` sorted along ``axis`` (NaNs last).

    Every ``kind`` gives the same values; JAX always sorts stably. XLA
    flushes subnormal floats to zero, so under JAX they compare equal to 0.
    """

    __props__ = ("axis", "kind")

    def __init__(self, axis: int, kind: str = "quicksort"):
        self.axis, self.kind = int(axis), kind

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        one_axis(self.axis, x, "sort")
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = np.sort(inputs[0], axis=self.axis, kind=self.kind)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (x,), (gz,) = inputs, output_grads
        # element i of x went to position rank[i] of the output
        rank = ArgSortOp(self.axis)(ArgSortOp(self.axis)(x))
        return [PermuteAlongAxis(self.axis)(gz, rank)]


@jax_funcify.register(SortOp)
def _jax_sort(op: SortOp, node: Apply) -> Callable[..., Any]:
    axis = op.axis
    return lambda x: jnp.sort(x, axis=axis)


class ArgSortOp(Op):
    """The int64 indices that sort ``x`` along ``axis``; ties keep their order (stable)."""

    __props__ = ("axis", "kind")
    differentiable = False

    def __init__(self, axis: int, kind: str = "quicksort"):
        self.axis, self.kind = int(axis), kind

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        one_axis(self.axis, x, "argsort")
        return Apply(self, [x], [x.type.clone(dtype="int64")()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        # stable whatever the kind, so that ties are ordered as in JAX
        result = np.argsort(inputs[0], axis=self.axis, kind="stable")
        output_storage[0][0] = result.astype("int64")

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes


@jax_funcify.register(ArgSortOp)
def _jax_argsort(op: ArgSortOp, node: Apply) -> Callable[..., Any]:
    axis = op.axis
    return lambda x: jnp.argsort(x, axis=axis, stable=True).astype("int64")


class PermuteAlongAxis(Op):
    """``x`` reordered along ``axis`` by ``perm``, a permutation per slice (``take_along_axis``).

    Its gradient assumes ``perm`` is a permutation (it applies the inverse one).
    """

    __props__ = ("axis",)

    def __init__(self, axis: int):
        self.axis = int(axis)

    def make_node(self, x: Any, perm: Any) -> Apply:
        x, perm = as_tensor_variable(x), as_tensor_variable(perm)
        if perm.dtype not in int_dtypes + uint_dtypes or perm.ndim != x.ndim:
            raise TypeError(
                f"PermuteAlongAxis: {perm.describe()} must be integers with {x.ndim} dimensions "
                f"(those of {x.describe()}), got dtype {perm.dtype} with {perm.ndim}"
            )
        return Apply(self, [x, perm], [x.type()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        x, perm = inputs
        output_storage[0][0] = np.take_along_axis(np.asarray(x), perm, axis=self.axis)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes[:1]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return [
            PermuteAlongAxis(self.axis)(output_grads[0], ArgSortOp(self.axis)(inputs[1])),
            disconnected(),
        ]


@jax_funcify.register(PermuteAlongAxis)
def _jax_permute(op: PermuteAlongAxis, node: Apply) -> Callable[..., Any]:
    axis = op.axis
    return lambda x, perm: jnp.take_along_axis(x, perm, axis=axis)


def _sort_node(
    op_class: type, name: str, a: Any, axis: int | None, kind: Any, order: Any, stable: Any
) -> TensorVariable:
    """``op_class(axis, kind)`` applied to ``a`` (flattened when ``axis`` is None), after
    checking PyTensor's sorting arguments."""
    kind = _sort_kind(name, kind, order, stable)
    a = as_tensor_variable(a)
    if axis is None:
        a, axis = flatten(a), 0
    elif a.ndim == 0:
        raise np.exceptions.AxisError(f"{name}: {a.describe()} is a scalar; it has no axis {axis}")
    return op_class(one_axis(axis, a, name), kind)(a)


def sort(
    a: Any,
    axis: int | None = -1,
    kind: str | None = None,
    order: Any = None,
    *,
    stable: bool | None = None,
) -> TensorVariable:
    """``a`` sorted along ``axis`` (the flattened ``a`` when None), as ``numpy.sort``.

    Parameters
    ----------
    a : tensor-like
    axis : int or None
    kind : {'quicksort', 'mergesort', 'heapsort', 'stable'}, optional
        Every kind gives the same values ('quicksort' when None).
    order : None
        For numpy's signature; anything else is a ValueError.
    stable : bool, optional
        Same as ``kind='stable'``; not together with ``kind``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> gt.sort(x).eval({x: np.array([3.0, 1.0, 2.0])})
    array([1., 2., 3.])
    """
    return _sort_node(SortOp, "sort", a, axis, kind, order, stable)


def argsort(
    a: Any,
    axis: int | None = -1,
    kind: str | None = None,
    order: Any = None,
    stable: bool | None = None,
) -> TensorVariable:
    """The int64 indices that sort ``a`` along ``axis`` (the flattened ``a`` when None).

    Ties keep their order (a stable sort, whatever ``kind``); the arguments are
    those of :func:`sort`. Its gradient is zeros, as PyTensor's.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> gt.argsort(x).eval({x: np.array([3.0, 1.0, 2.0])})
    array([1, 2, 0])
    """
    return _sort_node(ArgSortOp, "argsort", a, axis, kind, order, stable)


def inverse_permutation(perm: Any) -> TensorVariable:
    """The inverse of the permutation ``perm`` (of each permutation along its last axis):
    ``inverse_permutation(p)[p] == arange(len(p))``.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.inverse_permutation(gt.constant([2, 0, 1])).eval()
    array([1, 2, 0])
    """
    perm = as_tensor_variable(perm)
    if not perm.dtype.startswith(("int", "uint")):
        raise TypeError(f"inverse_permutation: {perm.describe()} must hold integers")
    return cast(argsort(perm, axis=-1), perm.dtype)


__all__ = ["inverse_permutation", "ArgSortOp", "PermuteAlongAxis", "SortOp", "argsort", "sort"]
