"""The special gradient results an op's ``L_op`` may return instead of a tensor.

- :func:`disconnected`: the output does not depend on this input at all
  (``grad`` raises or returns zeros per ``disconnected_inputs``/``return_disconnected``).
- :func:`grad_undefined`: the gradient does not exist (an integer index, a
  random seed); asking for it raises :class:`NullTypeGradError`.
- :func:`grad_not_implemented`: it exists but this op cannot compute it.
"""

from __future__ import annotations

from typing import Any

from graph2jax.graph.basic import Type, Variable


class _ValuelessGradientType(Type):
    """A gradient type with no values; all its instances are equal."""

    def filter(self, data: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        raise TypeError(f"a {self} gradient has no value{self._reason()}")

    def _reason(self) -> str:
        return ""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __str__(self) -> str:
        return type(self).__name__


_ValuelessGradientType.variable_type = Variable


class DisconnectedType(_ValuelessGradientType):
    """The type of a gradient that is structurally zero (no path from input to cost)."""


class NullType(_ValuelessGradientType):
    """The type of a gradient that is undefined or not implemented; ``why_null`` says which."""

    def __init__(self, why_null: str = "(no explanation given)"):
        self.why_null = why_null

    def _reason(self) -> str:
        return f": {self.why_null}"


def disconnected() -> Variable:
    """A gradient term meaning "this input does not influence the output"."""
    return DisconnectedType()()


def is_disconnected(var: Any) -> bool:
    """Whether ``var`` is a disconnected gradient term (see :func:`disconnected`)."""
    return isinstance(getattr(var, "type", None), DisconnectedType)


def is_null(var: Any) -> bool:
    """Whether ``var`` is an undefined or not implemented gradient (a ``NullType`` variable)."""
    return isinstance(getattr(var, "type", None), NullType)


def grad_undefined(op: Any, x_pos: int, x: Variable, comment: str = "") -> Variable:
    """The gradient of ``op`` with respect to input ``x_pos`` (``x``) is mathematically undefined."""
    return NullType(
        f"the gradient of {op} with respect to input {x_pos} ({x}) is undefined. {comment}"
    )()


def grad_not_implemented(op: Any, x_pos: int, x: Variable, comment: str = "") -> Variable:
    """The gradient of ``op`` with respect to input ``x_pos`` exists but is not implemented."""
    return NullType(
        f"the gradient of {op} with respect to input {x_pos} ({x}) is not implemented. {comment}"
    )()
