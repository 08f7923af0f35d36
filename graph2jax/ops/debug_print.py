"""``Print``: the identity, printing its input when the compiled function runs.

As PyTensor's ``pytensor.printing.Print``: ``Print("x")(x)`` returns a
variable equal to ``x`` and, each time a function computing it runs, prints
``x __str__ = [...]`` (or one line per attribute in ``attrs``, calling those
that are callable). Under JAX the print happens inside the jitted call, through
``jax.debug.callback(..., ordered=True)``, so several prints appear in the
order the graph computes them, once per call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from graph2jax.graph.basic import Apply, Op
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.types.as_tensor import as_tensor_variable


def _print_fn(op: Print, value: Any) -> None:
    """PyTensor's printer: one ``message attr = value`` line per attribute."""
    for attr in op.attrs:
        found = getattr(value, attr)
        print(op.message, attr, "=", found() if callable(found) else found)  # noqa: T201


class Print(Op):
    """The identity, printing ``message`` and ``attrs`` of its input at run time.

    Parameters
    ----------
    message : str
        Printed before each attribute.
    attrs : sequence of str
        Attributes of the input's value (a numpy array) to print; callable ones
        are called (the default ``'__str__'`` prints the value).
    global_fn : callable, optional
        ``global_fn(op, value)`` does the printing instead (PyTensor's hook).

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as gt
    >>> from graph2jax.printing import Print
    >>> x = gt.dvector("x")
    >>> f = g.function([x], Print("x is", attrs=("shape", "__str__"))(x) * 2)
    >>> out = f(np.array([1.0, 2.0]))
    x is shape = (2,)
    x is __str__ = [1. 2.]
    """

    __props__ = ("message", "attrs", "global_fn")
    view_map = {0: [0]}
    foldable = False  # a side effect: never evaluated while tracing nor folded away

    def __init__(
        self,
        message: str = "",
        attrs: Sequence[str] = ("__str__",),
        global_fn: Callable[[Print, Any], None] = _print_fn,
    ):
        self.message = message
        self.attrs = tuple(attrs)
        self.global_fn = global_fn

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        self.global_fn(self, inputs[0])
        output_storage[0][0] = inputs[0]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        return list(output_grads)


@jax_funcify.register(Print)
def _jax_print(op: Print, node: Apply) -> Callable[..., Any]:
    def show(value: Any) -> None:
        op.global_fn(op, np.asarray(value))

    def print_identity(x: Any) -> Any:
        jax.debug.callback(show, x, ordered=True)
        return x

    return print_identity
