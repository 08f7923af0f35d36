"""``JacobianRows``: every row of a Jacobian from one vector-Jacobian product graph.

:func:`graph2jax.gradient.jacobian` builds the gradient graph ``G(seed, *free)``
of ``sum(seed * expression)`` once, with a symbolic ``seed`` of the
expression's type; ``G`` is linear in ``seed``, and its value at the one-hot
seed of element ``i`` is row ``i`` of the Jacobian. This op evaluates ``G`` at
every one-hot seed: with ``jax.vmap`` over an identity matrix in JAX (one
batched computation, whatever the expression's length, which need not be
known before tracing), with a loop in the numpy reference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op, Variable
from graph2jax.graph.fg import FunctionGraph
from graph2jax.graph.gradtypes import disconnected, grad_not_implemented
from graph2jax.linker import jax_linker, numpy_linker
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType


class JacobianRows(Op):
    """Stack the outputs of ``fgraph`` evaluated at each one-hot seed of ``expression``'s shape.

    Parameters
    ----------
    fgraph : FunctionGraph
        Inputs ``(seed, *free)``, outputs linear in ``seed``.
    wrt_positions : sequence of int
        For each output, the position among ``free`` of the variable it is
        the gradient of (its shape is the output's trailing shape).

    The node's inputs are ``(expression, *free)``; output ``k`` has shape
    ``expression.shape + free[wrt_positions[k]].shape``.
    """

    __props__ = ("wrt_positions",)

    def __init__(self, fgraph: FunctionGraph, wrt_positions: Sequence[int]):
        self.fgraph = fgraph
        self.wrt_positions = tuple(wrt_positions)

    @property
    def inner_fgraphs(self) -> tuple[FunctionGraph, ...]:
        """The backward pass ``G(seed, *free)``, the op's one inner graph."""
        return (self.fgraph,)

    def with_inner_fgraphs(self, fgraphs: Sequence[FunctionGraph]) -> JacobianRows:
        (fgraph,) = fgraphs
        return JacobianRows(fgraph, self.wrt_positions)

    def inner_input_origins(self, k: int) -> tuple[int | None, ...]:
        # the seed is made by the op (one-hot rows); each free input is passed through
        return (None, *range(1, len(self.fgraph.inputs)))

    def __str__(self) -> str:
        return f"JacobianRows{{{len(self.fgraph.outputs)} outputs}}"

    def make_node(self, expression: Any, *free: Variable) -> Apply:
        expression = as_tensor_variable(expression)
        seed, *inner_free = self.fgraph.inputs
        if expression.type.ndim != seed.type.ndim or expression.dtype != seed.dtype:
            raise TypeError(
                f"{self}: expression {expression.describe()} of type {expression.type} does not "
                f"match the seed type {seed.type}"
            )
        if len(free) != len(inner_free):
            raise TypeError(f"{self} takes {1 + len(inner_free)} inputs, got {1 + len(free)}")
        outputs = [
            TensorType(o.dtype, expression.type.shape + o.type.shape)() for o in self.fgraph.outputs
        ]
        return Apply(self, [expression, *free], outputs)

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        backward = numpy_linker.link_inner(self.fgraph)
        expression, *free = inputs
        shape, dtype = np.shape(expression), node.inputs[0].dtype
        rows = []
        for i in range(int(np.prod(shape))):
            seed = np.zeros(shape, dtype=dtype)
            seed.flat[i] = 1
            rows.append(backward(seed, *free))
        for k, out in enumerate(output_storage):
            trailing = np.shape(free[self.wrt_positions[k]])
            stacked = [r[k] for r in rows] or np.zeros((0, *trailing))
            out[0] = np.reshape(np.asarray(stacked), shape + trailing)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        free_shapes = input_shapes[1:]
        return [tuple(input_shapes[0]) + tuple(free_shapes[p]) for p in self.wrt_positions]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        # the rows depend on the expression's shape only, not on its values
        return [disconnected()] + [
            grad_not_implemented(
                self,
                k + 1,
                x,
                "a Jacobian computed by batching cannot be differentiated again; give the "
                "expression a small static length (specify_shape) so that jacobian unrolls it",
            )
            for k, x in enumerate(inputs[1:])
        ]


@jax_funcify.register(JacobianRows)
def _jax_jacobian_rows(op: JacobianRows, node: Apply) -> Callable[..., Any]:
    inner = jax_linker.link_inner(op.fgraph)
    single = len(node.outputs) == 1
    positions = op.wrt_positions

    def rows(expression: Any, *free: Any) -> Any:
        shape = tuple(np.shape(expression))  # static while tracing
        n = int(np.prod(shape))
        if n == 0:  # nothing to batch; the rows are empty
            outs = tuple(
                jnp.zeros(shape + np.shape(free[p]), dtype=o.dtype)
                for p, o in zip(positions, node.outputs, strict=True)
            )
            return outs[0] if single else outs
        seeds = jnp.eye(n, dtype=node.inputs[0].dtype).reshape((n, *shape))
        stacked = jax.vmap(lambda seed: inner(seed, *free))(seeds)
        outs = tuple(jnp.reshape(o, shape + o.shape[1:]) for o in stacked)
        return outs[0] if single else outs

    return rows


__all__ = ["JacobianRows"]
