"""``Blockwise`` and ``vectorize_graph``: a graph's inputs replaced by batched ones.

:func:`vectorize_graph` (PyTensor's ``pytensor.graph.replace.vectorize_graph``)
rebuilds a graph whose inputs gained leading batch dimensions. A node whose op
already broadcasts (an :class:`~graph2jax.ops.elemwise.Elemwise`) is simply
applied again to the batched inputs; any other node becomes a
:class:`Blockwise` of its op: ``jax.vmap`` of the node's JAX implementation
once per batch dimension, and a loop over the batch in ``perform``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op, Variable, ancestors, toposort
from graph2jax.graph.gradtypes import is_disconnected, is_null
from graph2jax.graph.replace import clone_replace
from graph2jax.linker import checks
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.broadcast import broadcast_shape_entries
from graph2jax.ops.creation import zeros_like
from graph2jax.ops.elemwise import Elemwise, broadcast_static_shape, dimshuffle, unbroadcast
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.tensor_type import TensorType


class Blockwise(Op):
    """``core_node``'s op applied to each batch entry of its inputs' leading dimensions.

    Parameters
    ----------
    core_node : Apply
        The node of the unbatched graph; its inputs give the core number of
        dimensions of each input, its outputs the core output types.
    """

    __props__ = ("core_node",)

    def __init__(self, core_node: Apply):
        self.core_node = core_node
        self.static_inputs = core_node.op.static_inputs
        self.checks_indices = core_node.op.checks_indices  # each entry's, reduced (see below)

    def __str__(self) -> str:
        return f"Blockwise{{{self.core_node.op}}}"

    def make_node(self, *inputs: Any) -> Apply:
        core = self.core_node
        inputs = [as_tensor_variable(i) for i in inputs]
        if len(inputs) != len(core.inputs):
            raise TypeError(f"{self} takes {len(core.inputs)} inputs, got {len(inputs)}")
        for k, (inp, c) in enumerate(zip(inputs, core.inputs, strict=True)):
            if not isinstance(c.type, TensorType) or inp.ndim < c.ndim or inp.dtype != c.dtype:
                raise TypeError(
                    f"{self}: input {k} must be {c.type} with leading batch dimensions, "
                    f"got {inp.type}"
                )
            if k in self.static_inputs and inp.ndim > c.ndim:
                raise NotImplementedError(
                    f"{self}: input {k} decides the shape of the result and cannot be batched"
                )
        batch = broadcast_static_shape(
            [i.type.shape[: i.ndim - c.ndim] for i, c in zip(inputs, core.inputs, strict=True)],
            str(self),
        )
        outputs = [TensorType(o.dtype, batch + o.type.shape)() for o in core.outputs]
        return Apply(self, inputs, outputs)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        # the batch lengths broadcast from the inputs' (as perform and the JAX code do)
        core = self.core_node
        ndims = [i.ndim - c.ndim for i, c in zip(node.inputs, core.inputs, strict=True)]
        batch = broadcast_shape_entries(
            [i.type.shape[:k] for i, k in zip(node.inputs, ndims, strict=True)],
            [s[:k] for s, k in zip(input_shapes, ndims, strict=True)],
        )
        n = len(batch)
        batch = tuple(
            e if s is None else constant(s, dtype="int64")
            for e, s in zip(batch, node.outputs[0].type.shape[:n], strict=True)
        )
        return [batch + c for c in self._core_shapes(fgraph, node, input_shapes, ndims)]

    def _core_shapes(self, fgraph: Any, node: Apply, input_shapes: list, ndims: list) -> list:
        """The core outputs' shapes: static where known, else the core op's ``infer_shape``."""
        core = self.core_node
        if all(s is not None for o in core.outputs for s in o.type.shape):
            return [tuple(constant(s, dtype="int64") for s in o.type.shape) for o in core.outputs]
        core_shapes = core.op.infer_shape(
            fgraph, core, [s[k:] for s, k in zip(input_shapes, ndims, strict=True)]
        )
        entries = [e for shape in core_shapes for e in shape if isinstance(e, Variable)]
        # the core op may read its own inputs' values: only unbatched ones are the same per entry
        batched = {id(c) for c, k in zip(core.inputs, ndims, strict=True) if k > 0}
        if any(id(v) in batched for v in ancestors(entries, blockers=node.inputs)):
            raise NotImplementedError(f"{self}: the core shape depends on a batched input's values")
        replace = {
            c: i
            for c, i, k in zip(core.inputs, node.inputs, ndims, strict=True)
            if k == 0 and c is not i
        }
        new = iter(clone_replace(entries, replace) if entries and replace else entries)
        return [
            tuple(next(new) if isinstance(e, Variable) else e for e in shape)
            for shape in core_shapes
        ]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        # the core op's gradient graph, vectorized over the batch like the op itself
        core = self.core_node
        core_grads = [o.type() for o in core.outputs]
        terms = core.op.L_op(list(core.inputs), list(core.outputs), core_grads)
        real = [k for k, t in enumerate(terms) if not (is_disconnected(t) or is_null(t))]
        if not real:
            return list(terms)
        replace = dict(zip(core.inputs, inputs, strict=True))
        replace.update(zip(core.outputs, outputs, strict=True))
        replace.update(
            (c, g if not is_disconnected(g) else zeros_like(o))
            for c, g, o in zip(core_grads, output_grads, outputs, strict=True)
        )
        batched = vectorize_graph([terms[k] for k in real], replace=replace)
        result = list(terms)
        for k, g in zip(real, batched, strict=True):
            result[k] = unbroadcast(g, inputs[k])
        return result

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        core = self.core_node
        n = len(node.outputs[0].type.shape) - core.outputs[0].ndim
        batch = _full_batch(inputs, core)
        batched = [
            np.broadcast_to(
                np.asarray(v).reshape((1,) * (n - (np.ndim(v) - c.ndim)) + np.shape(v)),
                batch + np.shape(v)[np.ndim(v) - c.ndim :],
            )
            for v, c in zip(inputs, core.inputs, strict=True)
        ]
        results: list[list[np.ndarray]] = [[] for _ in core.outputs]
        for index in np.ndindex(*batch):
            storage = [[None] for _ in core.outputs]
            core.op.perform(core, [b[index] for b in batched], storage)
            for r, s in zip(results, storage, strict=True):
                r.append(np.asarray(s[0]))
        for out, r, o in zip(output_storage, results, core.outputs, strict=True):
            stacked = np.stack(r) if r else np.zeros((0,), dtype=o.dtype)
            out[0] = stacked.reshape(batch + stacked.shape[1:]).astype(o.dtype)


def _full_batch(values: Sequence[Any], core: Apply) -> tuple[int, ...]:
    """The run-time batch shape: numpy's broadcast of the inputs' (left-padded) batch shapes."""
    shapes = [np.shape(v)[: np.ndim(v) - c.ndim] for v, c in zip(values, core.inputs, strict=True)]
    return tuple(np.broadcast_shapes(*shapes)) if shapes else ()


@jax_funcify.register(Blockwise)
def _jax_blockwise(op: Blockwise, node: Apply) -> Callable[..., Any]:
    core = op.core_node
    # each entry's run-time checks leave the vmap as a flag per entry
    core_fn = checks.reporting(jax_funcify(core.op, core))
    n = node.outputs[0].ndim - core.outputs[0].ndim
    batch_ndims = [i.ndim - c.ndim for i, c in zip(node.inputs, core.inputs, strict=True)]
    batched = [k for k, b in enumerate(batch_ndims) if b > 0]

    def blockwise(*values: Any) -> Any:
        # unbatched inputs (a constant, a static shape) are closed over, not mapped
        shape = jnp.broadcast_shapes(*(jnp.shape(values[k])[: batch_ndims[k]] for k in batched))
        shape = (1,) * (n - len(shape)) + tuple(shape)
        mapped = [
            jnp.broadcast_to(values[k], shape + jnp.shape(values[k])[batch_ndims[k] :])
            for k in batched
        ]

        def one(*entries: Any) -> Any:
            args = list(values)
            for k, e in zip(batched, entries, strict=True):
                args[k] = e
            return core_fn(*args)

        fn = one
        for _ in range(n):
            fn = jax.vmap(fn)
        result, ok = fn(*mapped)
        checks.require(ok)
        return result

    return blockwise


def vectorize_node(node: Apply, *batched_inputs: Variable) -> Apply:
    """``node`` applied to ``batched_inputs``, which may have leading batch dimensions.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> from graph2jax.ops.blockwise import vectorize_node
    >>> x = gt.dvector("x")
    >>> vectorize_node((x * 2).owner, gt.dmatrix("X"), (x * 2).owner.inputs[1]).outputs[0].type
    TensorType(float64, shape=(None, None))
    """
    if all(b.type == c.type for b, c in zip(batched_inputs, node.inputs, strict=True)):
        return node.op.make_node(*batched_inputs)
    pairs = list(zip(batched_inputs, node.inputs, strict=True))
    batch = max(b.ndim - c.ndim for b, c in pairs)
    # an elementwise op broadcasts: its inputs just need aligned batch and core axes
    core_ndim = max(c.ndim for c in node.inputs) if isinstance(node.op, Elemwise) else None
    padded = []
    for b, c in pairs:
        extra = b.ndim - c.ndim
        gap = 0 if core_ndim is None else core_ndim - c.ndim
        # an elementwise op needs every input aligned; a Blockwise leaves unbatched ones alone
        if (extra < batch and (extra > 0 or core_ndim is not None)) or gap:
            axes = list(range(b.ndim))
            b = dimshuffle(b, ["x"] * (batch - extra) + axes[:extra] + ["x"] * gap + axes[extra:])
        padded.append(b)
    if isinstance(node.op, Elemwise):
        return node.op.make_node(*padded)
    return Blockwise(node).make_node(*padded)


def vectorize_graph(
    outputs: Variable | Sequence[Variable], replace: Mapping[Variable, Any]
) -> Variable | list[Variable]:
    """``outputs`` recomputed with the variables of ``replace`` replaced by batched values.

    As PyTensor's ``vectorize_graph``: each replacement may add leading batch
    dimensions to the variable it replaces; every node depending on one is
    vectorized (elementwise ops broadcast, other ops become a :class:`Blockwise`).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> from graph2jax.graph import vectorize_graph
    >>> x = gt.dvector("x")
    >>> y = gt.exp(x).sum()
    >>> X = gt.dmatrix("X")
    >>> yb = vectorize_graph(y, replace={x: X})
    >>> yb.eval({X: np.zeros((3, 2))}).tolist()
    [2.0, 2.0, 2.0]
    """
    outs = [outputs] if isinstance(outputs, Variable) else list(outputs)
    new: dict[Variable, Variable] = {}
    for old, value in replace.items():
        value = as_tensor_variable(value)
        if value.dtype != old.dtype:
            raise TypeError(
                f"vectorize_graph: {old.describe()} has dtype {old.dtype}, its replacement "
                f"{value} has {value.dtype}"
            )
        if value.ndim < old.ndim:
            raise ValueError(
                f"vectorize_graph: the replacement {value} of {old.describe()} has {value.ndim} "
                f"dimensions, fewer than {old.ndim}"
            )
        new[old] = value
    for node in toposort(list(new), outs):
        inputs = [new.get(i, i) for i in node.inputs]
        if all(i is o for i, o in zip(inputs, node.inputs, strict=True)):
            continue
        vnode = vectorize_node(node, *inputs)
        for o, v in zip(node.outputs, vnode.outputs, strict=True):
            new[o] = v
    result = [new.get(o, o) for o in outs]
    return result[0] if isinstance(outputs, Variable) else result
