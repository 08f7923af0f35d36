"""The dispatch registry: Op class → a function returning the node's JAX callable.

Each op family registers its implementation next to the op::

    @jax_funcify.register(Softmax)
    def _(op, node):
        axis = op.axis                      # read parameters outside the closure
        return lambda x: jax.nn.softmax(x, axis=axis)

The returned callable takes the node's inputs as JAX arrays (numpy arrays
for values known at trace time) and returns one array, or a tuple when the
node has several outputs. Registration is keyed by class: a subclass inherits
its parent's implementation unless it registers its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import singledispatch
from typing import Any

from graph2jax.graph.basic import Apply, Op, Variable, toposort


class NoJaxImplementationError(NotImplementedError):
    """An op of the graph has no JAX implementation registered."""


@singledispatch
def jax_funcify(op: Op, node: Apply) -> Callable[..., Any]:
    """Return the JAX callable computing ``node`` (an application of ``op``)."""
    raise NoJaxImplementationError(
        f"no JAX implementation for op {op} ({type(op).__module__}.{type(op).__qualname__}); "
        f"register one with @graph2jax.linker.dispatch.jax_funcify.register({type(op).__name__})"
    )


_default_impl = jax_funcify.dispatch(object)


def has_jax_impl(op_class: type) -> bool:
    """Whether ``op_class`` (or a parent) has a registered JAX implementation."""
    return jax_funcify.dispatch(op_class) is not _default_impl


def unsupported_ops(outputs: Variable | Iterable[Variable]) -> list[Op]:
    """Every distinct op in the graph of ``outputs`` that has no JAX implementation.

    Examples
    --------
    >>> import graph2jax as g, graph2jax.tensor as gt
    >>> g.unsupported_ops(gt.exp(gt.dvector("x")))
    []
    """
    outs = [outputs] if isinstance(outputs, Variable) else list(outputs)
    found: dict[Op, None] = {}
    for node in toposort([], outs):
        if not has_jax_impl(type(node.op)):
            found.setdefault(node.op)
    return list(found)
