"""Mode ``'DebugMode'``: the jitted JAX function, checked node by node against the numpy reference.

Each call runs the function's jitted callable (its results are what the call
returns), then walks the graph once: every node is evaluated with its numpy
``perform`` and with its JAX implementation (un-jitted) on the same reference
input values. The first node whose two results differ raises
:class:`BadThunkOutput`, naming the node and showing both values; finally the
jitted results are compared with the reference outputs. Slow: for debugging.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.compile.donation import link_jax
from graph2jax.graph.basic import Apply, Constant
from graph2jax.graph.fg import FunctionGraph
from graph2jax.linker import jax_linker
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.linker.numpy_linker import run_perform


class DebugModeError(Exception):
    """A check of ``'DebugMode'`` failed."""


class BadThunkOutput(DebugModeError):
    """A node's JAX implementation and its numpy reference disagree (as PyTensor's ``BadThunkOutput``).

    Attributes
    ----------
    node : Apply or None
        The first node whose results differ (None: the jitted function's outputs).
    output_index : int
    reference, jax_value : numpy.ndarray
    """

    def __init__(self, node: Apply | None, output_index: int, reference: Any, jax_value: Any):
        self.node, self.output_index = node, output_index
        self.reference, self.jax_value = reference, jax_value
        where = f"node {node}" if node is not None else "the jitted function"
        super().__init__(
            f"DebugMode: output {output_index} of {where} differs between the numpy reference "
            f"(perform) and JAX.\n  numpy: {reference!r}\n  jax:   {jax_value!r}"
        )


def _tolerance(dtype: np.dtype) -> float:
    return 1e-4 if dtype in (np.float32, np.complex64, np.float16) else 1e-8


def _same(reference: Any, value: Any) -> bool:
    ref, val = np.asarray(reference), np.asarray(value)
    if ref.shape != val.shape or ref.dtype != val.dtype:
        return False
    if ref.dtype.kind in "fc":
        tol = _tolerance(ref.dtype)
        return bool(np.allclose(ref, val, rtol=tol, atol=tol, equal_nan=True))
    return bool(np.array_equal(ref, val))


class DebugLinked:
    """The DebugMode callable, with the interface of a linked JAX function."""

    def __init__(self, fgraph: FunctionGraph, linked: jax_linker.LinkedFunction):
        self.fgraph = fgraph
        self.linked = linked
        self.static_argnums = linked.static_argnums
        self.donate_argnums = linked.donate_argnums
        self.py_fn = linked.py_fn
        self.order = fgraph.toposort()
        self.impls = {node: jax_funcify(node.op, node) for node in self.order}

    def jitted(self, *args: Any) -> tuple:
        # numpy copies first: the jitted call may consume donated buffers
        reference = [
            a.value if isinstance(a, jax_linker.StaticValue) else np.array(a) for a in args
        ]
        results = self.linked.jitted(*args)
        expected = self.check_nodes(reference)
        for k, (ref, got) in enumerate(zip(expected, results, strict=True)):
            if not _same(ref, got):
                raise BadThunkOutput(None, k, ref, np.asarray(got))
        return results

    def check_nodes(self, args: Sequence[Any]) -> list[Any]:
        """Evaluate every node with numpy and JAX; return the reference outputs."""
        values = {id(v): a for v, a in zip(self.fgraph.inputs, args, strict=True)}

        def get(var: Any) -> Any:
            return var.data if isinstance(var, Constant) else values[id(var)]

        for node in self.order:
            inputs = [get(i) for i in node.inputs]
            ref = run_perform(node, inputs)
            static = node.op.static_inputs
            jax_args = [x if k in static else jnp.asarray(x) for k, x in enumerate(inputs)]
            got = self.impls[node](*jax_args)
            got = [got] if len(node.outputs) == 1 else list(got)
            for k, (r, v) in enumerate(zip(ref, got, strict=True)):
                if not _same(r, v):
                    raise BadThunkOutput(node, k, r, np.asarray(v))
            for out, r in zip(node.outputs, ref, strict=True):
                values[id(out)] = r
        return [get(o) for o in self.fgraph.outputs]


def link_debug(fgraph: FunctionGraph, donated: Sequence[int] = ()) -> DebugLinked:
    """The DebugMode callable of ``fgraph`` (``donated``: inputs the jitted call may consume)."""
    return DebugLinked(fgraph, link_jax(fgraph, donated))
