"""Mode ``'DebugMode'``: the jitted JAX function, checked node by node against the numpy reference.

Each call runs the function's jitted callable (its results are what the call
returns), then walks the graph once: every node is evaluated with its numpy
``perform`` and with its JAX implementation (un-jitted) on the same reference
input values. The first node whose two results differ raises
:class:`BadThunkOutput`, naming the node and showing both values; finally the
jitted results are compared with the reference outputs. Slow: for debugging.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Constant
from graph2jax.linker.compiled import JaxCompiled
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


def _same(reference: Any, value: Any, typ: Any = None) -> bool:
    if typ is not None and not hasattr(typ, "dtype"):  # a non-tensor value (a generator's key)
        return typ.values_eq(reference, value)
    ref, val = np.asarray(reference), np.asarray(value)
    if ref.shape != val.shape or ref.dtype != val.dtype:
        return False
    if ref.dtype.kind in "fc":
        tol = _tolerance(ref.dtype)
        return bool(np.allclose(ref, val, rtol=tol, atol=tol, equal_nan=True))
    return bool(np.array_equal(ref, val))


class DebugCompiled:
    """The DebugMode compiled callable: the JAX linker's, with every call checked node by node.

    It satisfies :class:`~graph2jax.linker.compiled.Compiled`; everything but
    ``call`` is the wrapped JAX callable's.

    Parameters
    ----------
    jax_compiled : JaxCompiled
        What the JAX linker returned for the same graph.
    """

    single = None  #: no single-output route (see Compiled)

    def __init__(self, jax_compiled: JaxCompiled):
        self._jax = jax_compiled
        self.fgraph = jax_compiled.fgraph
        self.source = jax_compiled.source
        self.static_argnums = jax_compiled.static_argnums
        self.donate_argnums = jax_compiled.donate_argnums
        self.order = self.fgraph.toposort()
        self.impls = {node: jax_funcify(node.op, node) for node in self.order}

    @property
    def trace_count(self) -> int:
        """The wrapped JAX callable's trace count."""
        return self._jax.trace_count

    @property
    def compile_count(self) -> int:
        """The wrapped JAX callable's compile count."""
        return self._jax.compile_count

    def lower(self, *args: Any) -> Any:
        """The wrapped JAX callable's lowering of a call on ``args``."""
        return self._jax.lower(*args)

    def pure(self) -> Callable[..., tuple]:
        """The wrapped JAX callable's jitted function, donating nothing (unchecked)."""
        return self._jax.pure()

    def export(
        self,
        wrap: Callable[[Callable[..., tuple]], Callable],
        *specs: Any,
        platforms: Sequence[str] | None = None,
    ) -> Any:
        """The wrapped JAX callable's export (unchecked)."""
        return self._jax.export(wrap, *specs, platforms=platforms)

    def call(self, *args: Any) -> tuple:
        """The jitted call, then the node-by-node check against the numpy reference."""
        # host copies first: the jitted call may consume donated buffers
        types = [v.type for v in self.fgraph.inputs]
        reference = [t.to_host(a) for t, a in zip(types, args, strict=True)]
        results = self._jax.call(*args)
        expected = self.check_nodes(reference)
        for k, (ref, got) in enumerate(zip(expected, results, strict=True)):
            if not _same(ref, got, self.fgraph.outputs[k].type):
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
            jax_args = [
                x
                if k in static
                else jnp.asarray(x)
                if hasattr(i.type, "dtype")
                else i.type.to_device(x)
                for k, (i, x) in enumerate(zip(node.inputs, inputs, strict=True))
            ]
            got = self.impls[node](*jax_args)
            got = [got] if len(node.outputs) == 1 else list(got)
            for k, (r, v) in enumerate(zip(ref, got, strict=True)):
                if not _same(r, v, node.outputs[k].type):
                    raise BadThunkOutput(node, k, r, np.asarray(v))
            for out, r in zip(node.outputs, ref, strict=True):
                values[id(out)] = r
        return [get(o) for o in self.fgraph.outputs]


def link_debug(jax_compiled: JaxCompiled) -> DebugCompiled:
    """The DebugMode callable checking ``jax_compiled``, the JAX linker's result for a graph."""
    return DebugCompiled(jax_compiled)
