"""The positions of the non-zero entries of a tensor: ``nonzero``, ``flatnonzero``,
``nonzero_values``, and their :class:`Nonzero` op.

How many entries are non-zero decides the result's shape, so the input is a
static input: known when the function is compiled (constants, inputs of the
function), or computed by a first stage that makes its count static
(:mod:`graph2jax.linker.staging`). Indexing with a boolean mask and
``where(cond)`` build on these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.linker.staging import Counted
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType
from graph2jax.types.variable import TensorVariable


class Nonzero(Op):
    """The indices of the non-zero entries of a tensor, as an int64 ``(ndim, count)`` matrix.

    ``count`` depends on the values, so the input is a static input, of which
    only the count is needed.
    """

    static_inputs = (0,)
    counted_inputs = (0,)
    differentiable = False

    def make_node(self, a: Any) -> Apply:
        a = as_tensor_variable(a)
        if a.ndim == 0:
            raise ValueError(f"nonzero: {a.describe()} is a scalar; it needs 1 dimension or more")
        return Apply(self, [a], [TensorType("int64", (a.ndim, None))()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = np.asarray(np.nonzero(inputs[0]), dtype="int64")


@jax_funcify.register(Nonzero)
def _jax_nonzero(op: Nonzero, node: Apply) -> Callable[..., Any]:
    def nonzero_indices(a: Any) -> Any:
        if isinstance(a, Counted):
            return jnp.stack(a.nonzero()).astype("int64")
        if not isinstance(a, np.ndarray | np.generic):
            raise TypeError(
                f"nonzero: {node.inputs[0].describe()} is computed from values known only "
                "while an inner graph runs (a scan body, a vectorized core), and the number "
                "of non-zero entries decides the result's shape. Compute it outside the body "
                "or use switch/where instead"
            )
        return np.asarray(np.nonzero(a), dtype="int64")

    return nonzero_indices


def nonzero(a: Any, return_matrix: bool = False) -> tuple[TensorVariable, ...] | TensorVariable:
    """The indices of the non-zero entries of ``a``: one int64 vector per axis, or the
    ``(a.ndim, count)`` matrix with ``return_matrix``.

    The number of entries decides the shapes: when ``a`` is computed from
    values, the function is compiled once per distinct count (see
    :mod:`graph2jax.linker.staging`).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> rows, cols = gt.nonzero(gt.constant(np.array([[0, 1], [2, 0]])))
    >>> rows.eval(), cols.eval()
    (array([0, 1]), array([1, 0]))
    """
    matrix = Nonzero()(a)
    if return_matrix:
        return matrix
    return tuple(matrix[i] for i in range(matrix.type.shape[0]))


def flatnonzero(a: Any) -> TensorVariable:
    """The int64 indices of the non-zero entries of the flattened ``a`` (see :func:`nonzero`).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.flatnonzero(gt.constant(np.array([[0, 1], [2, 0]]))).eval()
    array([1, 2])
    """
    a = as_tensor_variable(a)
    if a.ndim == 0:
        raise ValueError(f"flatnonzero: {a.describe()} is a scalar; it needs 1 dimension or more")
    return nonzero(a.flatten())[0]


def nonzero_values(a: Any) -> TensorVariable:
    """The non-zero entries of the flattened ``a``, in order (see :func:`nonzero`).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> gt.nonzero_values(gt.constant(np.array([[0, 1], [2, 0]]))).eval()
    array([1, 2])
    """
    a = as_tensor_variable(a)
    return a.flatten()[flatnonzero(a)]


__all__ = ["Nonzero", "flatnonzero", "nonzero", "nonzero_values"]
