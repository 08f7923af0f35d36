"""Reverse-mode differentiation: :func:`grad` and the exceptions it raises.

:func:`grad` walks the apply nodes between the cost and the variables asked
for in reverse topological order and asks each node's op for its ``L_op``
(the vector-Jacobian product); contributions to a variable used several times
are summed. An op marks an input through which no gradient flows with
:func:`~graph2jax.graph.gradtypes.disconnected`, and a gradient that does not
exist with ``grad_undefined`` / ``grad_not_implemented`` (a ``NullType``
variable): the first is zero or an error per ``disconnected_inputs``, the
second raises :class:`NullTypeGradError` when it reaches a requested variable.

The ``output_grads`` an ``L_op`` receives, as in PyTensor: the summed
gradient of each output the cost uses, a ``disconnected()`` term for an
output it does not use (an op with several outputs must handle those, e.g.
``eigh`` used for its eigenvalues only), and zeros of ``floatX`` for a
discrete output the cost depends on. ``grad`` calls an ``L_op`` only when some
input leads to a requested variable and some output gradient is not
disconnected.

Discrete (integer, bool) variables have float gradients, as in PyTensor: an
op with a continuous output gives a discrete input the gradient it would
give a continuous one (``x * i``, ``cast(i, 'float64')``, ``X @ W`` for an
integer ``X``), and ``grad(i, i)`` is 1. Through discrete outputs the
gradient is zero: an op with ``differentiable = False`` (``argmax``,
``argsort``), comparisons, casts to integers and integer arithmetic give
their inputs zeros; only an op whose ``L_op`` says ``disconnected()``
(``shape``) disconnects its input. A discrete ``wrt`` the cost depends on only
through such ops gets zeros of ``floatX``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from graph2jax.config import config
from graph2jax.graph.basic import Variable, toposort
from graph2jax.graph.gradtypes import DisconnectedType, is_disconnected, is_null
from graph2jax.ops.creation import ones_like, zeros_like
from graph2jax.ops.elemwise import cast
from graph2jax.ops.shape import specify_shape
from graph2jax.rewrite.engine import stabilized
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType, continuous_dtypes

disconnected_type = DisconnectedType()


class DisconnectedInputError(ValueError):
    """A variable asked for in ``grad`` does not influence the cost."""


class NullTypeGradError(TypeError):
    """A requested gradient is undefined or not implemented (a ``NullType`` term reached it)."""


def _carries_gradient(var: Variable) -> bool:
    """Tensors have gradients, discrete ones too (a float gradient, computed as if continuous
    where an op upcasts them, as PyTensor); random generators have none."""
    return isinstance(var.type, TensorType)


def _continuous(var: Variable) -> bool:
    return isinstance(var.type, TensorType) and var.dtype in continuous_dtypes


def _float_zeros_like(var: Variable) -> Variable:
    """Zeros of ``var``'s shape; of ``var``'s dtype when it is continuous, else of floatX."""
    dtype = var.dtype if var.dtype in continuous_dtypes else config.floatX
    return zeros_like(var, dtype=dtype)


def _seed_ones(cost: Variable) -> Variable:
    """d cost / d cost: ones of the (scalar) cost's type, floatX for a discrete cost.

    ``fill(cost, 1)`` as PyTensor, not a constant: the gradient's graph then
    uses the cost's inputs, so ``function([x], grad(2 * x, x))`` does not
    reject ``x`` as unused (XLA drops the unused value)."""
    dtype = cost.dtype if cost.dtype in continuous_dtypes else config.floatX
    return ones_like(cost, dtype=dtype)


def _as_list(x: Any) -> list:
    return list(x) if isinstance(x, list | tuple) else [x]


def _like_input(template: Any, results: list) -> Any:
    """``results`` in the form of ``template``: a list, a tuple, or a single value."""
    if isinstance(template, tuple):
        return tuple(results)
    if isinstance(template, list):
        return results
    return results[0]


def _check_term(term: Any, var: Variable, where: str) -> Variable:
    """A non-special gradient term of ``var``, checked against ``var``'s type and cast to its dtype."""
    if not isinstance(term, Variable):
        term = as_tensor_variable(term)
    if not isinstance(term.type, TensorType):
        raise TypeError(f"{where} is {term} of type {term.type}, expected a tensor")
    static = zip(term.type.shape, var.type.shape, strict=False)
    if term.ndim != var.ndim or any(a is not None and b is not None and a != b for a, b in static):
        raise ValueError(
            f"{where} has type {term.type} (shape {term.type.shape}) but {var.describe()} "
            f"has type {var.type} (shape {var.type.shape})"
        )
    if var.dtype in continuous_dtypes:
        return term if term.dtype == var.dtype else cast(term, var.dtype)
    # a gradient is never an integer, even for an integer variable (PyTensor's contract)
    return term if term.dtype in continuous_dtypes else cast(term, config.floatX)


def _total(terms: list[Variable]) -> Variable:
    """The sum of a variable's gradient terms (one null term makes it null)."""
    for t in terms:
        if is_null(t):
            return t
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def _check_options(disconnected_inputs: str, return_disconnected: str, null_gradients: str) -> None:
    for name, value, valid in (
        ("disconnected_inputs", disconnected_inputs, ("ignore", "warn", "raise")),
        ("return_disconnected", return_disconnected, ("zero", "none", "disconnected")),
        ("null_gradients", null_gradients, ("raise", "return")),
    ):
        if value not in valid:
            raise ValueError(
                f"invalid value {value!r} for {name}; valid values are {', '.join(map(repr, valid))}"
            )


def _seeds(cost: Variable | None, known_grads: dict | None) -> list[tuple[Variable, Variable]]:
    """The backward pass's starting points: (variable, its gradient) pairs."""
    if cost is None and not known_grads:
        raise ValueError("grad needs a cost or known_grads")
    seeds: list[tuple[Variable, Variable]] = []
    if cost is not None:
        if not isinstance(cost, Variable) or not isinstance(cost.type, TensorType):
            raise TypeError(f"grad: cost must be a scalar tensor variable, got {cost!r}")
        if cost.ndim != 0:
            raise TypeError(
                f"grad: cost must be a scalar, but {cost.describe()} has type {cost.type}; "
                "reduce it first (e.g. .sum()) or pass its gradient through known_grads"
            )
        if all(k is not cost for k in known_grads or ()):  # a known gradient of the cost wins
            seeds.append((cost, _seed_ones(cost)))
    for var, g in (known_grads or {}).items():
        if not isinstance(var, Variable):
            raise TypeError(f"grad: known_grads keys must be variables, got {var!r}")
        g = g if isinstance(g, Variable) else as_tensor_variable(g)
        if isinstance(g.type, TensorType) and g.dtype not in continuous_dtypes:
            raise TypeError(
                f"grad: gradients are always continuous, but known_grads gives {var.describe()} "
                f"the gradient {g} of type {g.type}"
            )
        if not (is_null(g) or is_disconnected(g)):
            if isinstance(g.type, TensorType) and g.ndim == 0 and getattr(var, "ndim", 0) > 0:
                g = (
                    ones_like(var, dtype=g.dtype) * g
                )  # a scalar gradient, broadcast (PyTensor takes it)
            g = _check_term(g, var, f"the known gradient of {var.describe()}")
        if not is_disconnected(g):
            seeds.append((var, g))
    return seeds


def _backprop(
    seeds: list[tuple[Variable, Variable]],
    wrt: list[Variable],
    blocked: set[int],
) -> tuple[dict[int, list[Variable]], set[int]]:
    """Gradient terms of every variable between ``wrt`` and the seeded variables.

    ``seeds`` pairs a variable with its known gradient; ``blocked`` holds the
    ids of variables whose gradient must not flow to their owner. Returns
    ``id(var) -> [terms]`` (continuous variables only) and the ids of the
    variables the seeds depend on (not through a blocked one).
    """
    outputs = [v for v, _ in seeds]
    nodes = toposort([], outputs)
    # forward: which variables depend on some wrt (only their owners need an L_op)
    reach = {id(w) for w in wrt}
    for node in nodes:
        pattern = _connection_pattern(node)
        for j, o in enumerate(node.outputs):
            if id(o) not in blocked and any(
                id(i) in reach and pattern[k][j] for k, i in enumerate(node.inputs)
            ):
                reach.add(id(o))

    terms: dict[int, list[Variable]] = {}
    connected = {id(v) for v in outputs}
    for var, g in seeds:
        if _carries_gradient(var):
            terms.setdefault(id(var), []).append(g)

    for node in reversed(nodes):
        live = [id(o) in connected and id(o) not in blocked for o in node.outputs]
        if not any(live):
            continue
        connected.update(id(i) for i in node.inputs)
        wanted = [k for k, i in enumerate(node.inputs) if id(i) in reach and _carries_gradient(i)]
        if not wanted:
            continue
        out_grads = [
            _output_grad(o, is_live, terms) for o, is_live in zip(node.outputs, live, strict=True)
        ]
        if all(map(is_disconnected, out_grads)):  # e.g. an output used only for its shape
            continue
        nulls = [g for g in out_grads if is_null(g)]
        if nulls:
            input_grads = [nulls[0]] * len(node.inputs)
        elif not node.op.differentiable:  # PyTensor's rule: a zero gradient, not a disconnection
            input_grads = [
                _float_zeros_like(i) if _continuous(i) else disconnected_type() for i in node.inputs
            ]
        else:  # the terms were cast to their variable's dtype when recorded
            input_grads = node.op.L_op(list(node.inputs), list(node.outputs), out_grads)
            if not isinstance(input_grads, list | tuple):  # PyTensor's TypeError
                raise TypeError(
                    f"{node.op}.L_op returned {input_grads!r}, expected a list of "
                    f"{len(node.inputs)} gradient terms (node {node})"
                )
            if len(input_grads) != len(node.inputs):
                raise ValueError(
                    f"{node.op}.L_op returned {len(input_grads)} gradient terms for "
                    f"{len(node.inputs)} inputs (node {node})"
                )
        for k in wanted:
            term, inp = input_grads[k], node.inputs[k]
            if term is None:
                raise TypeError(
                    f"{node.op}.L_op returned None as the gradient of input {k}; return "
                    "disconnected(), grad_undefined(...) or zeros instead"
                )
            if is_disconnected(term):
                continue
            if not is_null(term):
                term = _check_term(term, inp, f"the gradient of {node.op} for input {k}")
            terms.setdefault(id(inp), []).append(term)
    return terms, connected


def _connection_pattern(node: Any) -> list[list[bool]]:
    """``[input][output]``: whether the output depends on the input, by the op's
    ``connection_pattern(node)`` where it has one (PyTensor's hook), else always."""
    if hasattr(node.op, "connection_pattern"):
        return node.op.connection_pattern(node)
    return [[True] * len(node.outputs) for _ in node.inputs]


def _output_grad(out: Variable, live: bool, terms: dict[int, list[Variable]]) -> Variable:
    """What an ``L_op`` receives for ``out``: its gradient, zeros for a discrete output the
    cost depends on, else a disconnected term (an unused output, a random generator's state)."""
    if live and id(out) in terms and (_continuous(out) or any(map(is_null, terms[id(out)]))):
        return _total(terms[id(out)])  # an undefined gradient stays undefined, discrete or not
    if live and isinstance(out.type, TensorType) and not _continuous(out):
        # ops never differentiate through a discrete output (PyTensor's ops return zeros)
        return _float_zeros_like(out)
    return disconnected_type()


def grad(
    cost: Variable | None,
    wrt: Variable | Sequence[Variable],
    consider_constant: Sequence[Variable] | None = None,
    disconnected_inputs: str = "raise",
    add_names: bool = True,
    known_grads: dict[Variable, Any] | None = None,
    return_disconnected: str = "zero",
    null_gradients: str = "raise",
) -> Any:
    """The symbolic gradient of ``cost`` with respect to ``wrt``.

    Parameters
    ----------
    cost : scalar tensor variable or None
        What to differentiate; None when ``known_grads`` gives the seeds.
    wrt : variable or list/tuple of variables
        The result has the same form: one gradient, or a list (tuple) of them.
    consider_constant : list of variables, optional
        Gradients stop at these variables (they are treated as constants).
    disconnected_inputs : {'raise', 'warn', 'ignore'}
        What to do when a ``wrt`` does not influence the cost. A ``wrt``
        reaching the cost only through non-differentiable ops (``argmax``,
        comparisons, rounding to integers) is connected: its gradient is zeros.
    add_names : bool
        Name the gradients ``(dcost/dwrt)`` when both are named.
    known_grads : dict, optional
        ``{variable: its gradient}``: extra seeds of the backward pass, added
        to the cost's.
    return_disconnected : {'zero', 'none', 'disconnected'}
        The gradient of a disconnected ``wrt``: zeros, None or a
        ``DisconnectedType`` variable.
    null_gradients : {'raise', 'return'}
        Raise :class:`NullTypeGradError` for an undefined gradient, or return
        the ``NullType`` variable.

    Returns
    -------
    A variable of ``wrt``'s type (floatX for a discrete ``wrt``), or a list/tuple of them.

    Raises
    ------
    TypeError
        When ``cost`` is not a scalar, or a ``wrt`` is not a variable.
    DisconnectedInputError
        When a ``wrt`` does not influence the cost and ``disconnected_inputs='raise'``.
    NullTypeGradError
        When a requested gradient is undefined or not implemented.

    Examples
    --------
    >>> import numpy as np, graph2jax as g, graph2jax.tensor as gt
    >>> x = gt.dscalar("x")
    >>> y = x**3 + 2 * x
    >>> y.name = "y"
    >>> gx = g.grad(y, x)
    >>> gx.name
    '(dy/dx)'
    >>> float(gx.eval({x: 2.0}))
    14.0
    """
    _check_options(disconnected_inputs, return_disconnected, null_gradients)
    seeds = _seeds(cost, known_grads)

    wrt_list = _as_list(wrt)
    for w in wrt_list:
        if not isinstance(w, Variable) or not isinstance(w.type, TensorType):
            raise TypeError(
                f"grad: wrt must be tensor variables, got {w!r} of type {type(w).__name__}"
            )
    for c in consider_constant or ():
        if not isinstance(c, Variable):
            raise TypeError(f"grad: consider_constant must contain variables, got {c!r}")
    blocked = {id(c) for c in consider_constant or ()}
    if (
        cost is not None
        and not known_grads
        and all(v.owner is None for v in [*wrt_list, *(consider_constant or ())])
    ):
        # differentiate the stable form of the cost (log(1/(1+exp(-z))) -> -softplus(-z)): its
        # gradient stays finite where the naive one is inf * 0; wrt and constants are leaves,
        # which the stabilized copy keeps
        stable = stabilized([cost])[0]
        seeds = [(stable, _seed_ones(stable))]

    terms, connected = _backprop(seeds, wrt_list, blocked)
    cost_name = cost.name if cost is not None else None
    results = []
    for w in wrt_list:
        if id(w) in terms:
            g = _total(terms[id(w)])
            if not is_null(g) and g.type.shape != w.type.shape:
                # the documented contract, as PyTensor: the gradient has wrt's static shape
                g = specify_shape(g, w.type.shape)
            if is_null(g):
                if null_gradients == "raise":
                    raise NullTypeGradError(
                        f"grad: the gradient with respect to {w.describe()} is null: "
                        f"{g.type.why_null}"
                    )
            elif add_names and cost_name and w.name and g.owner is not None and g.name is None:
                g.name = f"(d{cost_name}/d{w.name})"
            results.append(g)
        elif not _continuous(w) and id(w) in connected:  # zero where the cost depends on it
            results.append(_float_zeros_like(w))
        else:
            results.append(_disconnected_result(w, disconnected_inputs, return_disconnected))
    return _like_input(wrt, results)


def _disconnected_result(
    w: Variable, disconnected_inputs: str, return_disconnected: str, message: str | None = None
) -> Any:
    """Raise, warn or not about the disconnected ``w``; then its zeros, None or a disconnected term."""
    if disconnected_inputs != "ignore":
        message = message or (
            f"grad was asked for the gradient with respect to {w.describe()}, which is not part "
            "of the cost's graph or reaches it only through disconnected paths (its shape, "
            "disconnected_grad, consider_constant); pass disconnected_inputs='ignore' or 'warn' "
            "to get zeros"
        )
        if disconnected_inputs == "raise":
            raise DisconnectedInputError(message)
        warnings.warn(message, stacklevel=3)
    if return_disconnected == "zero":
        return _float_zeros_like(w)
    if return_disconnected == "none":
        return None
    return disconnected_type()
