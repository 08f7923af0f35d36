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
    # tensors as numpy arrays; values of other types (a generator's key) as they are
    values = [
        np.asarray(a) if hasattr(v.type, "dtype") else a
        for v, a in zip(node.inputs, args, strict=True)
    ]
    node.op.perform(node, values, storage)
    results = []
    for out, (value,) in zip(node.outputs, storage, strict=True):
        if value is None:
            raise RuntimeError(f"perform of {node.op} did not set output {out.index}")
        dtype = getattr(out.type, "dtype", None)
        results.append(np.asarray(value, dtype=dtype) if dtype else value)
    return results


class NodeThunk:
    """One node's storage as ``MonitorMode`` hooks see it: ``inputs``/``outputs`` are ``[value]`` cells."""

    def __init__(self, node: Apply, inputs: list[Any]):
        self.node = node
        self.inputs = [[v] for v in inputs]
        self.outputs: list[list[Any]] = [[None] for _ in node.outputs]


NodeHook = Callable[[FunctionGraph, int, Apply, NodeThunk], Any]


def link_numpy(
    fgraph: FunctionGraph, pre_func: NodeHook | None = None, post_func: NodeHook | None = None
) -> Callable[..., tuple]:
    """``fn(*inputs) -> tuple(outputs)`` evaluating ``fgraph`` with numpy, node by node.

    ``pre_func(fgraph, i, node, thunk)`` and ``post_func(...)`` are called
    before and after the i-th node runs (PyTensor's ``MonitorMode`` hooks).
    An exception inside an op's ``perform`` gets a note naming the node.
    """
    order = fgraph.toposort()
    inputs, outputs = list(fgraph.inputs), list(fgraph.outputs)

    def run(*args: Any) -> tuple:
        values: dict[int, Any] = {
            id(v): v.type.to_host(a, borrow=True) for v, a in zip(inputs, args, strict=True)
        }

        def get(var: Any) -> Any:
            return var.data if isinstance(var, Constant) else values[id(var)]

        for i, node in enumerate(order):
            thunk = NodeThunk(node, [get(v) for v in node.inputs])
            if pre_func is not None:
                pre_func(fgraph, i, node, thunk)
            try:
                results = run_perform(node, [cell[0] for cell in thunk.inputs])
            except Exception as err:
                err.add_note(f"while evaluating node {node} with numpy (perform)")
                raise
            for cell, res in zip(thunk.outputs, results, strict=True):
                cell[0] = res
            if post_func is not None:
                post_func(fgraph, i, node, thunk)
            for out, cell in zip(node.outputs, thunk.outputs, strict=True):
                values[id(out)] = cell[0]
        return tuple(get(o) for o in outputs)

    return run


def link_inner(fgraph: FunctionGraph) -> Callable[..., tuple]:
    """The numpy reference of an op's inner graph, for the op's ``perform`` to call.

    The counterpart of :func:`graph2jax.linker.jax_linker.link_inner`:
    ``fn(*inputs) -> tuple(outputs)`` over numpy arrays, each node evaluated
    with its ``perform``. Linking costs one walk of the graph, so ``perform``
    may link its body on every call rather than keep the function.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> link_inner(FunctionGraph([x], [x * 2]))(np.array([1.0, 2.0]))
    (array([2., 4.]),)
    """
    return link_numpy(fgraph)


class NumpyCompiled:
    """The NUMPY mode's compiled callable: :func:`link_numpy` behind the :class:`Compiled` protocol.

    A call takes and returns values as the JAX linkers do (device arrays in,
    device arrays out, each converted by its type), so the shell does not
    know which linker it runs. Nothing is traced, compiled or donated.

    Parameters
    ----------
    fgraph : FunctionGraph
    pre_func, post_func : callable, optional
        ``MonitorMode``'s hooks (see :func:`link_numpy`).
    """

    single = None  #: no single-output route (see Compiled)
    source = None
    static_argnums: tuple[int, ...] = ()
    donate_argnums: tuple[int, ...] = ()
    trace_count = 0
    compile_count = 0

    def __init__(
        self,
        fgraph: FunctionGraph,
        pre_func: NodeHook | None = None,
        post_func: NodeHook | None = None,
    ):
        self.fgraph = fgraph
        self._run = link_numpy(fgraph, pre_func, post_func)
        self._out_types = [o.type for o in fgraph.outputs]

    def call(self, *args: Any) -> tuple:
        """Evaluate the graph with numpy; the results enter JAX as a jitted call's would."""
        outputs = self._run(*args)
        return tuple(t.to_device(v) for t, v in zip(self._out_types, outputs, strict=True))

    def lower(self, *args: Any) -> Any:
        """Refused: the numpy linker compiles nothing with JAX."""
        raise TypeError("the NUMPY linker does not compile with JAX: nothing to lower")

    def pure(self) -> Callable[..., tuple]:
        """Refused: the numpy linker has no jitted function (no ``jax_fn``)."""
        raise TypeError("the NUMPY linker does not compile with JAX: it has no jax_fn")

    def export(
        self,
        wrap: Callable[[Callable[..., tuple]], Callable],
        *specs: Any,
        platforms: Sequence[str] | None = None,
    ) -> Any:
        """Refused: the numpy linker has nothing for ``jax.export``."""
        raise TypeError(
            "the NUMPY linker does not compile with JAX: nothing to export (compile the "
            "function with mode='JAX')"
        )
