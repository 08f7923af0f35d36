"""The dispatch registry: Op class → a function returning the node's JAX callable.

Each op family registers its implementation next to the op::

    @jax_funcify.register(Softmax)
    def _(op, node):
        axis = op.axis                      # read parameters outside the closure
        return lambda x: jax.nn.softmax(x, axis=axis)

The returned callable takes the node's inputs as JAX arrays (numpy arrays
for values known at trace time) and returns one array, or a tuple when the
node has several outputs. Registration is keyed by class: a subclass inherits
its parent's implementation unless it registers its own, and a class is
registered once (a second registration raises, naming both). An op with inner
graphs links them with :func:`graph2jax.linker.jax_linker.link_inner`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import singledispatch
from typing import Any

from graph2jax.graph.basic import Apply, Op, Variable, walk_nodes
from graph2jax.graph.fg import FunctionGraph

JaxImpl = Callable[[Op, Apply], Callable[..., Any]]


class NoJaxImplementationError(NotImplementedError):
    """An op of the graph has no JAX implementation registered."""


@singledispatch
def jax_funcify(op: Op, node: Apply) -> Callable[..., Any]:
    """Return the JAX callable computing ``node`` (an application of ``op``).

    Register an implementation with ``@jax_funcify.register(OpClass)``; a
    second registration for the same class raises ``ValueError``.
    """
    raise NoJaxImplementationError(
        f"no JAX implementation for op {op} ({type(op).__module__}.{type(op).__qualname__}); "
        f"register one with @graph2jax.linker.dispatch.jax_funcify.register({type(op).__name__})"
    )


_default_impl = jax_funcify.dispatch(object)
_register_impl = jax_funcify.register


def _definition(impl: Any) -> tuple:
    """Where ``impl`` is defined: its module, name and first line."""
    code = getattr(impl, "__code__", None)
    line = code.co_firstlineno if code is not None else None
    return (getattr(impl, "__module__", None), getattr(impl, "__qualname__", None), line)


def _register_once(op_class: type, impl: JaxImpl | None = None) -> Any:
    """``jax_funcify.register``, refusing a class that already has its own implementation.

    Running the same definition again is allowed: the doctest run may import
    a module a second time, which re-runs its registrations.
    """
    if not isinstance(op_class, type):
        raise TypeError(f"jax_funcify.register takes an Op class, got {op_class!r}")

    def register(impl: JaxImpl) -> JaxImpl:
        previous = jax_funcify.registry.get(op_class)
        if previous is not None and _definition(previous) != _definition(impl):
            module, name, line = _definition(previous)
            raise ValueError(
                f"{op_class.__module__}.{op_class.__qualname__} already has a JAX implementation "
                f"({name} in {module}, line {line}); an op class is registered once: change "
                "that implementation, or register this one for a subclass"
            )
        return _register_impl(op_class, impl)

    return register if impl is None else register(impl)


jax_funcify.register = _register_once


def has_jax_impl(op_class: type) -> bool:
    """Whether ``op_class`` (or a parent) has a registered JAX implementation."""
    return jax_funcify.dispatch(op_class) is not _default_impl


def unsupported_ops(outputs: Variable | Iterable[Variable]) -> list[Op]:
    """Every distinct op in the graph of ``outputs`` that has no JAX implementation.

    Inner graphs (scan bodies, a batched jacobian's backward pass) are
    searched too, so an op used only inside a body is listed.

    Examples
    --------
    >>> import graph2jax as g, graph2jax.tensor as gt
    >>> g.unsupported_ops(gt.exp(gt.dvector("x")))
    []
    """
    outs = [outputs] if isinstance(outputs, Variable) else list(outputs)
    found: dict[Op, None] = {}
    for node in walk_nodes([], outs):
        if not has_jax_impl(type(node.op)):
            found.setdefault(node.op)
    return list(found)


def check_supported(fgraph: FunctionGraph) -> None:
    """Raise before linking if some op of ``fgraph`` (inner graphs included) has no JAX implementation.

    Raises
    ------
    NoJaxImplementationError
        Naming every such op at once, and what to do.
    """
    missing = unsupported_ops(fgraph.outputs)
    if missing:
        raise NoJaxImplementationError(
            f"{len(missing)} op(s) of this graph have no JAX implementation: "
            f"{', '.join(f'{op} ({type(op).__module__}.{type(op).__qualname__})' for op in missing)}; "
            "register one with @graph2jax.linker.dispatch.jax_funcify.register(OpClass), "
            "or compile with mode='NUMPY'"
        )
