"""The ``canonicalize``, ``stabilize`` and ``specialize`` rewrite sets.

``stabilize`` replaces expressions that lose precision or overflow by their
stable forms; ``canonicalize`` removes work that does nothing; ``specialize``
(compiled functions only, never the copy :func:`grad` differentiates) drops
what only a gradient needed. Each rewrite is
a function of one apply node returning the replacement outputs, or None.
"""

from __future__ import annotations

import numpy as np

from graph2jax.graph.basic import Apply, Constant, Variable
from graph2jax.ops.elemwise import DimShuffle, dimshuffle
from graph2jax.ops.grad_modifiers import GradModifier
from graph2jax.ops.math import expm1, log1p, sigmoid, softplus
from graph2jax.ops.special import Softmax, log_softmax
from graph2jax.rewrite.engine import register


def _elemwise(var: Variable, name: str) -> Apply | None:
    """``var``'s owner when it is the elementwise function ``name``."""
    node = var.owner
    if node is not None and getattr(getattr(node.op, "scalar_op", None), "name", None) == name:
        return node
    return None


def _is_constant(var: Variable, value: float) -> bool:
    """Whether ``var`` is a constant (possibly broadcast by dimshuffle) equal to ``value`` everywhere."""
    while var.owner is not None and isinstance(var.owner.op, DimShuffle):
        var = var.owner.inputs[0]
    return isinstance(var, Constant) and bool(np.all(np.asarray(var.data) == value))


@register("stabilize")
def log_of_one_plus(node: Apply) -> list[Variable] | None:
    """``log(1 + x)`` → ``log1p(x)`` and ``log(1 - x)`` → ``log1p(-x)``: exact for tiny ``x``."""
    if _elemwise(node.outputs[0], "log") is None:
        return None
    (arg,) = node.inputs
    if (add := _elemwise(arg, "add")) is not None:
        a, b = add.inputs
        x = b if _is_constant(a, 1) else a if _is_constant(b, 1) else None
        return None if x is None else [log1p(x)]
    if (sub := _elemwise(arg, "sub")) is not None and _is_constant(sub.inputs[0], 1):
        x = sub.inputs[1]
        if (sig := _elemwise(x, "sigmoid")) is not None:  # log(1 - sigmoid(z)) = -softplus(z)
            return [-softplus(sig.inputs[0])]
        return [log1p(-x)]
    if (sig := _elemwise(arg, "sigmoid")) is not None:  # log(sigmoid(z)) = -softplus(-z)
        return [-softplus(-sig.inputs[0])]
    if arg.owner is not None and isinstance(arg.owner.op, Softmax):
        return [log_softmax(arg.owner.inputs[0], axis=arg.owner.op.axis)]
    return None


@register("stabilize")
def reciprocal_one_plus_exp(node: Apply) -> list[Variable] | None:
    """``1 / (1 + exp(t))`` → ``sigmoid(-t)``: the logistic function, which never overflows."""
    if _elemwise(node.outputs[0], "true_div") is None or not _is_constant(node.inputs[0], 1):
        return None
    if (add := _elemwise(node.inputs[1], "add")) is None:
        return None
    a, b = add.inputs
    exp = (
        _elemwise(b, "exp")
        if _is_constant(a, 1)
        else _elemwise(a, "exp")
        if _is_constant(b, 1)
        else None
    )
    if exp is None:
        return None
    (t,) = exp.inputs
    inner = _elemwise(t, "neg")
    return [sigmoid(inner.inputs[0] if inner is not None else -t)]


@register("stabilize")
def exp_minus_one(node: Apply) -> list[Variable] | None:
    """``exp(x) - 1`` → ``expm1(x)``: exact for tiny ``x``."""
    if _elemwise(node.outputs[0], "sub") is None:
        return None
    a, b = node.inputs
    if (exp := _elemwise(a, "exp")) is not None and _is_constant(b, 1):
        return [expm1(exp.inputs[0])]
    return None


@register("canonicalize")
def useless_identity(node: Apply) -> list[Variable] | None:
    """``x * 1``, ``1 * x``, ``x + 0``, ``0 + x``, ``x - 0`` and ``--x`` → ``x`` (when the type is unchanged)."""
    out = node.outputs[0]
    name = getattr(getattr(node.op, "scalar_op", None), "name", None)
    if name == "neg" and (inner := _elemwise(node.inputs[0], "neg")) is not None:
        x = inner.inputs[0]
        return [x] if x.type == out.type else None
    neutral = {"mul": 1, "add": 0, "sub": 0}.get(name)
    if neutral is None:
        return None
    a, b = node.inputs
    candidates = [a] if _is_constant(b, neutral) else []
    if name != "sub" and _is_constant(a, neutral):
        candidates.append(b)
    for x in candidates:
        if x.type == out.type:
            return [x]
    return None


@register("canonicalize")
def merge_dimshuffles(node: Apply) -> list[Variable] | None:
    """Two consecutive dimshuffles → one; an identity dimshuffle → its input."""
    op = node.op
    if not isinstance(op, DimShuffle):
        return None
    (x,) = node.inputs
    if op.new_order == tuple(range(op.input_ndim)):
        return [x]
    if x.owner is None or not isinstance(x.owner.op, DimShuffle):
        return None
    inner = x.owner.op
    order = tuple("x" if o == "x" else inner.new_order[o] for o in op.new_order)
    base = x.owner.inputs[0]
    if any(a not in order for a in range(inner.input_ndim) if base.type.shape[a] != 1):
        return None
    return [dimshuffle(base, order)]


@register("specialize")
def remove_grad_modifiers(node: Apply) -> list[Variable] | None:
    """``zero_grad(x)``, ``grad_clip(x, ...)`` and the other gradient modifiers → ``x``.

    They are identities whose work is done once the gradient is built (as PyTensor,
    a compiled function holds none of them)."""
    return [node.inputs[0]] if isinstance(node.op, GradModifier) else None
