"""The NUMPY linker: evaluates a FunctionGraph node by node with each op's ``perform``.

This is the reference the tests compare JAX results against (mode ``'NUMPY'``).
It is slow and exact; it never jits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from graph2jax.graph.basic import Apply, Constant
from graph2jax.graph.fg import FunctionGraph


def run_perform(node: Apply, args: Sequence[Any]) -> list[np.ndarray]:
    """Run ``node.op.perform`` on numpy values; outputs are cast to the graph's dtypes."""
    storage: list[list[Any]] = [[None] for _ in node.outputs]
    node.op.perform(node, [np.asarray(a) for a in args], storage)
    results = []
    for out, (value,) in zip(node.outputs, storage, strict=True):
        if value is None:
            raise RuntimeError(f"perform of {node.op} did not set output {out.index}")
        dtype = getattr(out.type, "dtype", None)
        results.append(np.asarray(value, dtype=dtype) if dtype else value)
    return results


def link_numpy(fgraph: FunctionGraph) -> Callable[..., tuple]:
    """``fn(*inputs) -> tuple(outputs)`` evaluating ``fgraph`` with numpy, node by node.

    An exception inside an op's ``perform`` gets a note naming the node.
    """
    order = fgraph.toposort()
    inputs, outputs = list(fgraph.inputs), list(fgraph.outputs)

    def run(*args: Any) -> tuple:
        values: dict[int, Any] = {id(v): np.asarray(a) for v, a in zip(inputs, args, strict=True)}

        def get(var: Any) -> Any:
            return var.data if isinstance(var, Constant) else values[id(var)]

        for node in order:
            try:
                results = run_perform(node, [get(i) for i in node.inputs])
            except Exception as err:
                err.add_note(f"while evaluating node {node} with numpy (perform)")
                raise
            for out, res in zip(node.outputs, results, strict=True):
                values[id(out)] = res
        return tuple(get(o) for o in outputs)

    return run
