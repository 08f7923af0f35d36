"""Derivatives built on :func:`~graph2jax.gradient.reverse.grad`: ``Lop``, ``Rop``, ``jacobian``,
``hessian``, ``hessian_vector_product``, ``subgraph_grad``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graph2jax.gradient.reverse import (
    _as_list,
    _check_term,
    _disconnected_result,
    _float_zeros_like,
    _like_input,
    disconnected_type,
    grad,
)
from graph2jax.graph.basic import Constant, Variable, ancestors, graph_inputs
from graph2jax.graph.fg import FunctionGraph
from graph2jax.graph.gradtypes import is_disconnected
from graph2jax.graph.replace import graph_replace
from graph2jax.ops.jacobian import JacobianRows
from graph2jax.ops.join import stack
from graph2jax.ops.math import add
from graph2jax.ops.reduce import sum as reduce_sum
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.tensor_type import TensorType


def _one_point_each(
    name: str, what: str, xs: Any, eval_points: Any, points_name: str = "eval_points"
) -> tuple[list, list]:
    """``xs`` and ``eval_points`` as lists of the same length; a ValueError naming ``name`` if not."""
    xs, points = _as_list(xs), _as_list(eval_points)
    if len(xs) != len(points):
        raise ValueError(f"{name}: {len(xs)} {what} but {len(points)} {points_name}")
    return xs, points


def Lop(
    f: Variable | Sequence[Variable],
    wrt: Variable | Sequence[Variable],
    eval_points: Variable | Sequence[Variable],
    consider_constant: Sequence[Variable] | None = None,
    disconnected_inputs: str = "raise",
    return_disconnected: str = "zero",
) -> Any:
    """The vector-Jacobian product: ``eval_points`` (one per ``f``) times the Jacobian of ``f`` wrt ``wrt``.

    Each eval point has the type of its ``f``; the result has the form of
    ``wrt``. ``consider_constant``, ``disconnected_inputs`` and
    ``return_disconnected`` are those of :func:`grad`.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x, v = gt.dvector("x"), gt.dvector("v")
    >>> Lop(x * x, x, v).eval({x: np.array([1.0, 2.0]), v: np.array([1.0, 10.0])})
    array([ 2., 40.])
    """
    fs, points = _one_point_each("Lop", "expressions", f, eval_points)
    known = dict(zip(fs, points, strict=True))
    results = grad(
        None,
        _as_list(wrt),
        consider_constant=consider_constant,
        disconnected_inputs=disconnected_inputs,
        known_grads=known,
        return_disconnected=return_disconnected,
    )
    return _like_input(wrt, results)


def Rop(
    f: Variable | Sequence[Variable],
    wrt: Variable | Sequence[Variable],
    eval_points: Variable | Sequence[Variable],
    disconnected_outputs: str = "raise",
    return_disconnected: str = "zero",
    use_op_rop_implementation: bool = False,
) -> Any:
    """The Jacobian-vector product: the Jacobian of ``f`` wrt ``wrt`` times ``eval_points`` (one per ``wrt``).

    Computed with two reverse passes (ops define no forward-mode rule): with a
    dummy cotangent ``u`` of ``f``'s type, ``Lop(f, wrt, u)`` is linear in
    ``u``, and its ``Lop`` with respect to ``u`` at ``eval_points`` is ``J v``.
    The result has the form of ``f``.

    Raises
    ------
    DisconnectedInputError
        When an ``f`` does not depend on any ``wrt`` and ``disconnected_outputs='raise'``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x, v = gt.dvector("x"), gt.dvector("v")
    >>> Rop(x * x, x, v).eval({x: np.array([1.0, 2.0]), v: np.array([1.0, 10.0])})
    array([ 2., 40.])
    """
    if use_op_rop_implementation:
        raise ValueError(
            "Rop: graph2jax ops define no R_op; leave use_op_rop_implementation=False "
            "(the Jacobian-vector product is computed with two reverse passes)"
        )
    fs = _as_list(f)
    wrts, points = _one_point_each("Rop", "variables in wrt", wrt, eval_points)
    points = [
        _check_term(p, w, f"the eval point of {w.describe()}")
        for w, p in zip(wrts, points, strict=True)
    ]
    dummies = [TensorType(y.dtype, y.type.shape)(name="rop_cotangent") for y in fs]
    vjps = grad(
        None,
        wrts,
        known_grads=dict(zip(fs, dummies, strict=True)),
        disconnected_inputs="ignore",
        return_disconnected="disconnected",
    )
    known = {g: p for g, p in zip(vjps, points, strict=True) if not is_disconnected(g)}
    jvps = (
        grad(
            None,
            dummies,
            known_grads=known,
            disconnected_inputs="ignore",
            return_disconnected="disconnected",
        )
        if known
        else [disconnected_type() for _ in dummies]
    )
    # J v does not depend on the dummy (the Lop is linear in it) unless an L_op
    # kept a structural reference to it; then any value of its shape will do
    fill = {
        u: _float_zeros_like(y)
        for u, y, r in zip(dummies, fs, jvps, strict=True)
        if not is_disconnected(r) and _depends_on(r, u)
    }
    if fill:
        jvps = graph_replace(jvps, fill, strict=False)
    # an f that reaches wrt in the first pass (its cotangent is used) but whose J v is
    # disconnected (zero_grad in the path) is connected: zeros, as PyTensor, no error
    reached = {id(u) for g in vjps if not is_disconnected(g) for u in ancestors([g])}
    results = [
        _disconnected_result(
            y,
            "ignore" if id(u) in reached else disconnected_outputs,
            return_disconnected,
            f"Rop: {y.describe()} does not depend on any variable of wrt; pass "
            "disconnected_outputs='ignore' or 'warn' to get zeros",
        )
        if is_disconnected(r)
        else r
        for y, u, r in zip(fs, dummies, jvps, strict=True)
    ]
    return _like_input(f, results)


def _depends_on(var: Variable, leaf: Variable) -> bool:
    return any(a is leaf for a in ancestors([var]))


#: jacobian unrolls one backward pass per element up to this many elements
#: (a graph that can be differentiated again); longer or unknown lengths are batched
_UNROLL_LIMIT = 32


def jacobian(
    expression: Variable,
    wrt: Variable | Sequence[Variable],
    consider_constant: Sequence[Variable] | None = None,
    disconnected_inputs: str = "raise",
    vectorize: bool = False,
) -> Any:
    """The Jacobian of ``expression`` with respect to ``wrt``: shape ``expression.shape + wrt.shape``.

    A scalar expression gives its gradient. Up to 32 elements of static
    length (and ``vectorize=False``) the Jacobian is built from one backward
    pass per element, a graph that can be differentiated again; otherwise one
    backward pass is evaluated for every element at once (``jax.vmap`` of a
    :class:`~graph2jax.ops.jacobian.JacobianRows` node), which works for any
    length, known or not, but cannot be differentiated again.

    Parameters
    ----------
    expression : tensor variable
    wrt : variable or list/tuple of variables
        The result has the same form.
    consider_constant, disconnected_inputs
        As :func:`grad`.
    vectorize : bool
        Always batch the backward passes.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> jacobian(x**2, x).eval({x: np.array([1.0, 2.0])})
    array([[2., 0.],
           [0., 4.]])
    """
    expression = as_tensor_variable(expression)
    wrts = _as_list(wrt)
    options = dict(consider_constant=consider_constant, disconnected_inputs=disconnected_inputs)
    if expression.ndim == 0:
        return _like_input(wrt, grad(expression, wrts, **options))
    static = expression.type.shape
    size = int(np.prod(static)) if None not in static else None
    if not vectorize and size is not None and 0 < size <= _UNROLL_LIMIT:
        results = _unrolled_jacobian(expression, wrts, options)
    else:
        results = _batched_jacobian(expression, wrts, options)
    return _like_input(wrt, results)


def _unrolled_jacobian(expression: Variable, wrts: list[Variable], options: dict) -> list:
    """One backward pass per element, seeded with the element's one-hot array, stacked."""
    shape = expression.type.shape
    per_element = []
    for i in range(int(np.prod(shape))):
        seed = np.zeros(shape, dtype=expression.dtype)
        seed.flat[i] = 1
        per_element.append(grad(None, wrts, known_grads={expression: seed}, **options))
    results = []
    for k in range(len(wrts)):
        rows = [r[k] for r in per_element]
        # stack the last axis first so that the rows end up in expression's shape
        for length in reversed(shape):
            rows = [stack(rows[j : j + length]) for j in range(0, len(rows), length)]
        results.append(rows[0])
    return results


def _batched_jacobian(expression: Variable, wrts: list[Variable], options: dict) -> list:
    """All the backward passes at once: one :class:`JacobianRows` node."""
    seed = TensorType(expression.dtype, expression.type.shape)(name="jacobian_seed")
    vjps = grad(None, wrts, known_grads={expression: seed}, **options)
    # the inner graph's inputs: every wrt (the rows' trailing shapes), then the other leaves
    free: list[Variable] = []
    for v in [*wrts, *graph_inputs(vjps, blockers=wrts)]:
        new_leaf = v is not seed and not (isinstance(v, Constant) and all(v is not w for w in wrts))
        if new_leaf and all(v is not f for f in free):
            free.append(v)
    positions = [next(p for p, f in enumerate(free) if f is w) for w in wrts]
    op = JacobianRows(FunctionGraph([seed, *free], vjps), positions)
    out = op(expression, *free)
    return list(out) if isinstance(out, list) else [out]


def hessian(
    cost: Variable,
    wrt: Variable | Sequence[Variable],
    consider_constant: Sequence[Variable] | None = None,
    disconnected_inputs: str = "raise",
) -> Any:
    """The Hessian of the scalar ``cost``: the :func:`jacobian` of its gradient, per ``wrt``.

    Each result has shape ``wrt.shape + wrt.shape``; the result has the form of ``wrt``.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dvector("x")
    >>> y = (x**3).sum()
    >>> hessian(y, x).eval({x: np.array([1.0, 2.0])})
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    cost = as_tensor_variable(cost)
    if cost.ndim != 0:
        raise TypeError(
            f"hessian: cost must be a scalar, but {cost.describe()} has type {cost.type}"
        )
    results = []
    for w in _as_list(wrt):
        g = grad(
            cost, w, consider_constant=consider_constant, disconnected_inputs=disconnected_inputs
        )
        results.append(
            jacobian(
                g, w, consider_constant=consider_constant, disconnected_inputs=disconnected_inputs
            )
        )
    return _like_input(wrt, results)


def hessian_vector_product(
    cost: Variable, wrt: Variable | Sequence[Variable], p: Any, **grad_kwargs: Any
) -> Any:
    """The Hessian of the scalar ``cost`` times ``p``, without forming the Hessian.

    Two reverse passes: the gradient of ``sum(grad(cost, wrt) * p)``.

    Parameters
    ----------
    cost : scalar tensor variable
    wrt : variable or list/tuple of variables
    p : tensor-like or list of them
        One per ``wrt``, of its shape.
    **grad_kwargs
        Passed to both :func:`grad` calls.

    Returns
    -------
    One variable per ``wrt`` (a single variable when ``wrt`` is one).

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x, p = gt.dvector("x"), gt.dvector("p")
    >>> hvp = hessian_vector_product(gt.sum(x**3), x, p)
    >>> hvp.eval({x: np.array([1.0, 2.0]), p: np.array([1.0, 1.0])})
    array([ 6., 12.])
    """
    wrts, points = _one_point_each("hessian_vector_product", "variables in wrt", wrt, p, "in p")
    grads = grad(cost, wrts, **grad_kwargs)
    projected = add(*[reduce_sum(gw * q) for gw, q in zip(grads, points, strict=True)])
    return _like_input(wrt, grad(projected, wrts, **grad_kwargs))


def subgraph_grad(
    wrt: list[Variable],
    end: list[Variable],
    start: dict[Variable, Variable] | None = None,
    cost: Variable | None = None,
    details: bool = False,
) -> tuple:
    """One stage of a backward pass split into stages (PyTensor's ``subgraph_grad``).

    The gradients flow from ``cost`` and/or the ``start`` seeds (``{variable:
    its gradient}``, typically the previous stage's ``end`` gradients) back to
    ``wrt`` and ``end``, stopping at ``end`` (treated as constants).

    Returns
    -------
    (wrt_grads, end_grads), or with ``details=True``
    (wrt_grads, end_grads, start_grads, cost_grads), the last two being the
    contributions of ``start`` and of ``cost`` (None when not given), each a
    list over ``wrt + end`` without repetitions.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x = gt.dscalar("x")
    >>> h = x * 3.0
    >>> (g_h,), _ = subgraph_grad([h], [], cost=h**2)
    >>> (g_x,), _ = subgraph_grad([x], [], start={h: g_h})
    >>> float(g_x.eval({x: 1.0}))
    18.0
    """
    if cost is None and start is None:
        raise ValueError("subgraph_grad needs a cost or start")
    if not isinstance(wrt, list) or not isinstance(end, list):
        raise TypeError("subgraph_grad: wrt and end must be lists of variables")
    if start is not None and not isinstance(start, dict):
        raise TypeError("subgraph_grad: start must be a dict {variable: its gradient}")
    params = []
    for v in [*wrt, *end]:
        if all(v is not p for p in params):
            params.append(v)
    options = dict(consider_constant=end, disconnected_inputs="ignore")
    start_grads = None if start is None else grad(None, params, known_grads=start, **options)
    cost_grads = None if cost is None else grad(cost, params, **options)
    if start_grads is None:
        total = cost_grads
    elif cost_grads is None:
        total = start_grads
    else:
        total = [a + b for a, b in zip(start_grads, cost_grads, strict=True)]
    of = {id(p): t for p, t in zip(params, total, strict=True)}
    wrt_grads, end_grads = [of[id(v)] for v in wrt], [of[id(v)] for v in end]
    if details:
        return wrt_grads, end_grads, start_grads, cost_grads
    return wrt_grads, end_grads
