"""The distinct values of a tensor: ``unique`` and its :class:`Unique` op (PyTensor's ``extra_ops``).

How many values are distinct decides the result's length; it is at most the
input's size, so ``unique`` of a value known only while running (computed,
or an input of the function) is a ragged value of that capacity
(:mod:`graph2jax.ops.ragged_sources`), compiled once per input shape. When
an op downstream takes no ragged value, the linker's first stage counts the
distinct values and the op is compiled once per count
(:mod:`graph2jax.linker.staging`); a constant input is evaluated with numpy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.linker.staging import Counted
from graph2jax.ops.extra import one_axis
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType
from graph2jax.types.variable import TensorVariable


class Unique(Op):
    """The sorted distinct values of ``x`` (of the flattened ``x`` when ``axis`` is None),
    then, as asked, the int64 indices of their first occurrences, the (ravelled) inverse
    indices and the counts, as ``np.unique``."""

    __props__ = ("return_index", "return_inverse", "return_counts", "axis")
    static_inputs = (0,)
    counted_inputs = (0,)
    differentiable = False

    def __init__(
        self,
        return_index: bool = False,
        return_inverse: bool = False,
        return_counts: bool = False,
        axis: int | None = None,
    ):
        self.return_index, self.return_inverse = bool(return_index), bool(return_inverse)
        self.return_counts = bool(return_counts)
        self.axis = axis

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        if self.axis is None:
            values = TensorType(x.dtype, (None,))
        else:
            shape = list(x.type.shape)
            shape[one_axis(self.axis, x, "unique")] = None
            values = TensorType(x.dtype, tuple(shape))
        size = int(np.prod(x.type.shape)) if None not in x.type.shape else None
        inverse_length = size if self.axis is None else x.type.shape[self.axis]
        outputs = [values()]
        if self.return_index:
            outputs.append(TensorType("int64", (None,))())
        if self.return_inverse:
            outputs.append(TensorType("int64", (inverse_length,))())
        if self.return_counts:
            outputs.append(TensorType("int64", (None,))())
        return Apply(self, [x], outputs)

    def _flags(self) -> dict[str, Any]:
        return {prop: getattr(self, prop) for prop in self.__props__}  # np.unique's keywords

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        results = np.unique(inputs[0], **self._flags())
        results = results if isinstance(results, tuple) else (results,)
        for k, (cell, value) in enumerate(zip(output_storage, results, strict=True)):
            cell[0] = value if k == 0 else np.asarray(value, dtype="int64").ravel()

    def static_count(self, k: int, value: Any) -> int:
        """The number of distinct values (of slices along ``axis``): the result's length."""
        return len(np.unique(value, axis=self.axis))


@jax_funcify.register(Unique)
def _jax_unique(op: Unique, node: Apply) -> Callable[..., Any]:
    flags = op._flags()

    def unique_(x: Any) -> Any:
        if isinstance(x, np.ndarray | np.generic):  # static, too large to fold while tracing
            x = Counted(x, op.static_count(0, x))
        if not isinstance(x, Counted):
            raise TypeError(
                f"unique: {node.inputs[0].describe()} is computed from values unknown when "
                "compiling with JAX (inside a scan body, for example), and the number of "
                "distinct values decides the result's length"
            )
        results = jnp.unique(x.value, size=x.count, **flags)
        if len(node.outputs) == 1:
            return results
        return (results[0], *(jnp.ravel(r).astype("int64") for r in results[1:]))

    return unique_


def unique(
    ar: Any,
    return_index: bool = False,
    return_inverse: bool = False,
    return_counts: bool = False,
    axis: int | None = None,
) -> TensorVariable | list[TensorVariable]:
    """The sorted distinct values of ``ar``, as ``np.unique`` (PyTensor's ``extra_ops.unique``).

    With ``return_index``, ``return_inverse`` or ``return_counts``, a list:
    the values, then the int64 indices of first occurrences, the inverse
    indices (ravelled, as PyTensor) and the counts, in that order. The
    number of distinct values decides the length, bounded by ``ar``'s size: a
    function compiles once per shape of ``ar`` (once per distinct count when an
    op downstream cannot take a value of run-time length).

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> f = g.function([x], gt.unique(x * 2))
    >>> f(np.array([3.0, 1.0, 3.0]))
    array([2., 6.])
    >>> values, counts = gt.unique(x, return_counts=True)
    >>> g.function([x], counts)(np.array([3.0, 1.0, 3.0]))
    array([1, 2])
    """
    return Unique(return_index, return_inverse, return_counts, axis)(ar)


__all__ = ["Unique", "unique"]
