"""Identity ops that change only the gradient: PyTensor's ``consider_constant``, ``zero_grad``,
``disconnected_grad``, ``undefined_grad``, ``grad_clip`` and ``grad_scale``.

Each is one :class:`GradModifier` op with a ``rule``: the value passes through
unchanged (JAX compiles the identity away); :func:`graph2jax.gradient.grad`
meets the op and applies the rule to the gradient flowing back through it.
They are exported from :mod:`graph2jax.gradient`, PyTensor's path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from graph2jax.graph.basic import Apply, Op
from graph2jax.graph.gradtypes import disconnected, grad_undefined
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.creation import zeros_like
from graph2jax.ops.math import clip
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.variable import TensorVariable

_RULES = ("zero", "disconnected", "undefined", "clip", "scale")


class GradModifier(Op):
    """The identity, whose gradient follows ``rule``.

    Parameters
    ----------
    rule : {'zero', 'disconnected', 'undefined', 'clip', 'scale'}
        ``'zero'``: the gradient is zeros (the input is still connected);
        ``'disconnected'``: no gradient flows (the input counts as
        disconnected); ``'undefined'``: asking for the gradient raises;
        ``'clip'``: the gradient is clipped to ``[params[0], params[1]]``;
        ``'scale'``: the gradient is multiplied by ``params[0]``.
    params : tuple of float
    """

    __props__ = ("rule", "params")
    view_map = {0: [0]}

    def __init__(self, rule: str, params: tuple = ()):
        if rule not in _RULES:
            raise ValueError(f"GradModifier: unknown rule {rule!r}; expected one of {_RULES}")
        self.rule = rule
        self.params = tuple(float(p) for p in params)

    def __str__(self) -> str:
        return f"{self.rule}_grad" + (
            f"{{{', '.join(map(str, self.params))}}}" if self.params else ""
        )

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        output_storage[0][0] = inputs[0]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        return input_shapes

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        (x,), (gz,) = inputs, output_grads
        if self.rule == "zero":
            return [zeros_like(gz)]
        if self.rule == "disconnected":
            return [disconnected()]
        if self.rule == "undefined":
            return [grad_undefined(self, 0, x, "undefined_grad marks it so")]
        if self.rule == "clip":
            return [clip(gz, *self.params)]
        return [gz * np.asarray(self.params[0], dtype=gz.dtype)]

    def connection_pattern(self, node: Apply) -> list[list[bool]]:
        """Whether the output depends on the input for ``grad``: False only for ``'disconnected'``."""
        return [[self.rule != "disconnected"]]


class ZeroGrad(GradModifier):
    """PyTensor's op of :func:`zero_grad`."""

    def __init__(self) -> None:
        super().__init__("zero")


class DisconnectedGrad(GradModifier):
    """PyTensor's op of :func:`disconnected_grad`."""

    def __init__(self) -> None:
        super().__init__("disconnected")


class UndefinedGrad(GradModifier):
    """PyTensor's op of :func:`undefined_grad`."""

    def __init__(self) -> None:
        super().__init__("undefined")


class GradClip(GradModifier):
    """PyTensor's op of :func:`grad_clip`: the gradient clipped to ``[lower, upper]``."""

    def __init__(self, clip_lower_bound: float, clip_upper_bound: float) -> None:
        super().__init__("clip", (clip_lower_bound, clip_upper_bound))


class GradScale(GradModifier):
    """PyTensor's op of :func:`grad_scale`: the gradient times ``multiplier``."""

    def __init__(self, multiplier: float) -> None:
        super().__init__("scale", (multiplier,))


#: PyTensor's instances of the parameterless ops
zero_grad_ = ZeroGrad()
disconnected_grad_ = DisconnectedGrad()
undefined_grad_ = UndefinedGrad()


@jax_funcify.register(GradModifier)
def _jax_grad_modifier(op: GradModifier, node: Apply) -> Callable[..., Any]:
    return lambda x: x


def zero_grad(x: Any) -> TensorVariable:
    """``x``, whose gradient is zeros: the gradient does not flow back, but ``x`` stays connected.

    Examples
    --------
    >>> import graph2jax as g, graph2jax.tensor as gt
    >>> x = gt.dscalar("x")
    >>> float(g.grad(x * zero_grad(x), x).eval({x: 3.0}))
    3.0
    """
    return zero_grad_(x)


def consider_constant(x: Any) -> TensorVariable:
    """``x`` treated as a constant by ``grad`` (its gradient is zeros), as :func:`zero_grad`."""
    return zero_grad_(x)


def disconnected_grad(x: Any) -> TensorVariable:
    """``x``, through which no gradient flows: ``grad`` sees it as disconnected from its inputs."""
    return disconnected_grad_(x)


def undefined_grad(x: Any) -> TensorVariable:
    """``x``, whose gradient is undefined: ``grad`` through it raises ``NullTypeGradError``."""
    return undefined_grad_(x)


def grad_clip(x: Any, lower_bound: float, upper_bound: float) -> TensorVariable:
    """``x``, whose gradient is clipped elementwise to ``[lower_bound, upper_bound]``.

    Raises
    ------
    ValueError
        When ``lower_bound > upper_bound``.
    """
    if lower_bound > upper_bound:
        raise ValueError(
            f"grad_clip: lower_bound {lower_bound} is greater than upper_bound {upper_bound}"
        )
    return GradClip(lower_bound, upper_bound)(x)


def grad_scale(x: Any, multiplier: float) -> TensorVariable:
    """``x``, whose gradient is multiplied by ``multiplier`` (a negative one reverses it)."""
    return GradScale(multiplier)(x)


__all__ = [
    "DisconnectedGrad",
    "GradClip",
    "GradModifier",
    "GradScale",
    "UndefinedGrad",
    "ZeroGrad",
    "consider_constant",
    "disconnected_grad",
    "disconnected_grad_",
    "grad_clip",
    "grad_scale",
    "undefined_grad",
    "undefined_grad_",
    "zero_grad",
    "zero_grad_",
]
