"""``IfElse``: lazy conditional evaluation, one branch of two inner graphs.

PyTensor's ``IfElse`` takes the branches' outputs as inputs and is lazy
because its virtual machine skips the nodes only the untaken branch needs.
A traced JAX program has no such machine, so here the branches *are* graphs
of the op (:attr:`~graph2jax.graph.basic.Op.inner_fgraphs`): each branch's
whole computation, from the variables it reads (the node's operands), lives
in a body. The JAX implementation is ``jax.lax.cond`` over the two linked
bodies, and ``perform`` runs the taken body only, so the untaken branch is
never evaluated, in every mode.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.config import config
from graph2jax.graph.basic import (
    Apply,
    Constant,
    Op,
    Variable,
    ancestors,
    graph_inputs,
)
from graph2jax.graph.fg import FunctionGraph
from graph2jax.graph.gradtypes import disconnected, is_disconnected, is_null
from graph2jax.graph.replace import clone_replace
from graph2jax.linker import checks, jax_linker, numpy_linker
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.creation import zeros_like
from graph2jax.types.as_tensor import as_tensor_variable, constant
from graph2jax.types.tensor_type import TensorType, continuous_dtypes


def _output_type(then_out: Variable, else_out: Variable, k: int) -> TensorType:
    """The type of output ``k``: the branches' dtype and ndim, the static sizes they agree on."""
    t, f = then_out.type, else_out.type
    if type(t) is not type(f):
        raise TypeError(f"Input types {type(t)} and {type(f)} do not match.")
    if t.dtype != f.dtype:
        raise TypeError(
            "IfElse requires compatible dtypes for both branches: got "
            f"true_branch={t.dtype}, false_branch={f.dtype} (output {k})"
        )
    if t.ndim != f.ndim:
        raise TypeError(
            "IfElse requires compatible ndim values for both branches: got "
            f"true_branch={t.ndim}, false_branch={f.ndim} (output {k})"
        )
    # a size known in one branch only is unknown: the output may take either
    shape = tuple(a if a == b else None for a, b in zip(t.shape, f.shape, strict=True))
    return TensorType(t.dtype, shape)


class IfElse(Op):
    """The outputs of ``then_fgraph`` when the condition is nonzero, else those of ``else_fgraph``.

    The node's inputs are the scalar condition followed by the operands,
    the values both bodies take. Build it with :func:`ifelse`.

    Parameters
    ----------
    then_fgraph, else_fgraph : FunctionGraph
        The branches: the same inputs' types (the node's operands), as many
        outputs, pairwise of one dtype and ndim.
    name : str, optional
        Shown by ``str`` (``if{name}``); not part of equality, as in PyTensor.
    """

    __props__ = ("n_outs",)

    def __init__(
        self, then_fgraph: FunctionGraph, else_fgraph: FunctionGraph, name: str | None = None
    ):
        if len(then_fgraph.outputs) != len(else_fgraph.outputs):
            raise ValueError(
                "The number of values on the `then` branch must match the `else` branch: got "
                f"{len(then_fgraph.outputs)} for `then`, and {len(else_fgraph.outputs)} for `else`."
            )
        if [i.type for i in then_fgraph.inputs] != [i.type for i in else_fgraph.inputs]:
            raise TypeError("IfElse: both branches must take inputs of the same types")
        self.then_fgraph = then_fgraph
        self.else_fgraph = else_fgraph
        self.name = name
        self.n_outs = len(then_fgraph.outputs)
        self.output_types = [
            _output_type(t, f, k)
            for k, (t, f) in enumerate(zip(then_fgraph.outputs, else_fgraph.outputs, strict=True))
        ]

    @property
    def inner_fgraphs(self) -> tuple[FunctionGraph, ...]:
        """The two branches, ``(then_fgraph, else_fgraph)``."""
        return (self.then_fgraph, self.else_fgraph)

    def with_inner_fgraphs(self, fgraphs: Sequence[FunctionGraph]) -> IfElse:
        then_fgraph, else_fgraph = fgraphs
        return IfElse(then_fgraph, else_fgraph, self.name)

    def inner_input_origins(self, k: int) -> tuple[int | None, ...]:
        # both bodies receive the operands unchanged (node input 0 is the condition)
        return tuple(range(1, 1 + len(self.inner_fgraphs[k].inputs)))

    def __str__(self) -> str:
        return f"if{{{self.name or ''}}}"

    def make_node(self, condition: Any, *operands: Any) -> Apply:
        condition = as_tensor_variable(condition)
        if not isinstance(condition.type, TensorType) or condition.type.ndim > 0:
            raise TypeError(
                "The condition argument must be a truthy scalar value: got "
                f"{condition.describe()} of type {condition.type}"
            )
        expected = [i.type for i in self.then_fgraph.inputs]
        operands = tuple(as_tensor_variable(o) for o in operands)
        # a more precise operand (a rewrite's specify_shape) is still a value of the body's input
        if len(operands) != len(expected) or not all(
            t.is_super(o.type) for t, o in zip(expected, operands, strict=True)
        ):
            raise TypeError(
                f"{self} takes operands of types {expected}, got {[o.type for o in operands]}"
            )
        return Apply(self, [condition, *operands], [t() for t in self.output_types])

    def perform(self, node: Apply, inputs: list, output_storage: list) -> None:
        condition, *operands = inputs
        body = self.then_fgraph if condition != 0 else self.else_fgraph
        values = numpy_linker.link_inner(body)(*operands)
        for out, var, value in zip(output_storage, node.outputs, values, strict=True):
            out[0] = np.array(value, dtype=var.dtype)  # a copy: never an operand's buffer

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: list) -> list:
        # a size known statically is a constant; the others are each branch's sizes over the
        # outer operands, chosen by an ifelse of its own (lazy: a size computed from the
        # branch's values is computed in the taken branch only)
        condition, *operands = node.inputs
        unknown = [
            (k, d)
            for k, o in enumerate(node.outputs)
            for d, s in enumerate(o.type.shape)
            if s is None
        ]
        sides = []
        for body in self.inner_fgraphs:
            outs = clone_replace(list(body.outputs), dict(zip(body.inputs, operands, strict=True)))
            sides.append([outs[k].shape[d] for k, d in unknown])
        chosen = dict(
            zip(unknown, ifelse(condition, *sides, name="shape") if unknown else [], strict=True)
        )
        return [
            tuple(
                chosen[(k, d)] if s is None else constant(s, dtype="int64")
                for d, s in enumerate(o.type.shape)
            )
            for k, o in enumerate(node.outputs)
        ]

    def L_op(self, inputs: list, outputs: list, output_grads: list) -> list:
        # as PyTensor: each operand's gradient is an ifelse of the branches' gradients, and
        # the condition's is zero (a small change of it never changes the branch taken)
        condition, *operands = inputs
        wrt = [o for o in operands if o.dtype in continuous_dtypes]
        per_branch = [
            self._branch_grads(body, operands, wrt, output_grads) for body in self.inner_fgraphs
        ]
        picked, result = [], {}
        for w, then_g, else_g in zip(wrt, *per_branch, strict=True):
            for g in (then_g, else_g):
                if is_null(g):
                    result[id(w)] = g
            if id(w) in result or (is_disconnected(then_g) and is_disconnected(else_g)):
                continue
            picked.append(
                (w, *(zeros_like(w) if is_disconnected(g) else g for g in (then_g, else_g)))
            )
        if picked:
            name = None if self.name is None else f"{self.name}_grad"
            chosen = ifelse(condition, [p[1] for p in picked], [p[2] for p in picked], name=name)
            result.update((id(p[0]), g) for p, g in zip(picked, chosen, strict=True))
        cond_dtype = condition.dtype if condition.dtype in continuous_dtypes else config.floatX
        return [zeros_like(condition, dtype=cond_dtype)] + [
            result.get(id(o), disconnected()) for o in operands
        ]

    @staticmethod
    def _branch_grads(
        body: FunctionGraph, operands: list, wrt: list, output_grads: list
    ) -> list[Variable]:
        """The gradients of one branch's outputs (seeded with ``output_grads``) wrt ``wrt``."""
        # the gradient module sits above ops/: reached at call time, here only
        from graph2jax.gradient import grad

        outs = clone_replace(list(body.outputs), dict(zip(body.inputs, operands, strict=True)))
        known: dict[Variable, Variable] = {}
        for o, g in zip(outs, output_grads, strict=True):
            if isinstance(o, Constant) or o.dtype not in continuous_dtypes or is_disconnected(g):
                continue
            # a value returned as two outputs gets both outputs' gradients
            known[o] = known[o] + g if o in known else g
        if not known or not wrt:
            return [disconnected() for _ in wrt]
        return grad(
            None,
            wrt,
            known_grads=known,
            disconnected_inputs="ignore",
            return_disconnected="disconnected",
            null_gradients="return",
        )


@jax_funcify.register(IfElse)
def _jax_ifelse(op: IfElse, node: Apply) -> Callable[..., Any]:
    branches = [jax_linker.link_inner(body, checked=True) for body in op.inner_fgraphs]
    single = len(node.outputs) == 1

    def run_ifelse(condition: Any, *operands: Any) -> Any:
        if jax_linker.known_while_tracing(
            condition
        ):  # the branch is chosen while tracing: only it is traced
            outs, ok = branches[0 if condition != 0 else 1](*operands)
            checks.require(ok)
            return outs[0] if single else tuple(outs)
        # known operands are closed over, not passed through lax.cond, so that they stay
        # known inside the bodies (a reshape's target shape)
        traced = [k for k, v in enumerate(operands) if not jax_linker.known_while_tracing(v)]

        def with_traced(body: Callable[..., tuple]) -> Callable[..., tuple]:
            def run(*values: Any) -> tuple:
                args = list(operands)
                for k, v in zip(traced, values, strict=True):
                    args[k] = v
                outs, ok = body(*args)
                # both branches return a flag when the graph is checked: the taken one's holds
                if ok is None and checks.checking():
                    ok = jnp.asarray(True)
                return tuple(outs), ok

            return run

        then_fn, else_fn = (with_traced(b) for b in branches)
        values = [operands[k] for k in traced]
        try:
            outs, ok = jax.lax.cond(condition != 0, then_fn, else_fn, *values)
        except TypeError as err:
            _raise_shape_mismatch(node, then_fn, else_fn, values, err)
            raise
        checks.require(ok)
        return outs[0] if single else tuple(outs)

    return run_ifelse


def _raise_shape_mismatch(
    node: Apply, then_fn: Callable, else_fn: Callable, values: list, err: TypeError
) -> None:
    """Raise a ValueError naming the outputs whose shapes differ between the branches, if any."""
    shapes = [[o.shape for o in jax.eval_shape(fn, *values)[0]] for fn in (then_fn, else_fn)]
    differ = [
        f"output {k} ({out.describe()}): {t} when true, {f} when false"
        for k, (out, t, f) in enumerate(zip(node.outputs, *shapes, strict=True))
        if t != f
    ]
    if differ:
        raise ValueError(
            f"{node.op}: jax.lax.cond needs both branches' outputs to have one shape, but "
            + "; ".join(differ)
            + ". When the condition is known at trace time (a constant, a shape) only the "
            "taken branch is traced; otherwise give both branches the same shapes (pad, or move the "
            "shape-changing part after the ifelse)"
        ) from err


def ifelse(
    condition: Any,
    then_branch: Any | Sequence[Any],
    else_branch: Any | Sequence[Any],
    name: str | None = None,
) -> Any:
    """Evaluate ``then_branch`` when ``condition`` is nonzero, else ``else_branch``; only that one.

    Unlike ``switch``, which computes both of its branches and picks values
    elementwise, ``ifelse`` picks a whole branch with a scalar condition and
    evaluates only the branch it picks (a ``jax.lax.cond``).

    Parameters
    ----------
    condition : scalar tensor-like
        Of any numeric or bool dtype; nonzero means true.
    then_branch, else_branch : tensor-like or list/tuple of them
        As many values on each side, pairwise of one dtype and ndim. Python
        numbers become constants.
    name : str, optional
        Shown in printed graphs (``if{name}``).

    Returns
    -------
    A variable, or a list (tuple) of them when the branches are a list (tuple).

    Raises
    ------
    ValueError
        When the branches have different numbers of values.
    TypeError
        When the condition is not a scalar, or two paired values differ in dtype or ndim.

    Examples
    --------
    >>> import graph2jax as g, graph2jax.tensor as gt
    >>> from graph2jax.ifelse import ifelse
    >>> a, b = gt.dscalars("a", "b")
    >>> f = g.function([a, b], ifelse(gt.lt(a, b), a * 10, b - 1))
    >>> float(f(1.0, 2.0)), float(f(3.0, 2.0))
    (10.0, 1.0)
    """
    as_list = isinstance(then_branch, list | tuple)
    then_outs = [as_tensor_variable(v) for v in (then_branch if as_list else [then_branch])]
    else_list = else_branch if isinstance(else_branch, list | tuple) else [else_branch]
    else_outs = [as_tensor_variable(v) for v in else_list]
    if len(then_outs) != len(else_outs):
        raise ValueError(
            "The number of values on the `then` branch must match the `else` branch: got "
            f"{len(then_outs)} for `then`, and {len(else_outs)} for `else`."
        )
    for k, (t, f) in enumerate(zip(then_outs, else_outs, strict=True)):
        _output_type(t, f, k)  # the type errors, before any graph is built
    condition = as_tensor_variable(condition)
    # what the condition needs is computed anyway: the bodies read it rather than redo it
    computed = ancestors([condition])
    leaves = graph_inputs(then_outs + else_outs, blockers=computed)
    operands = [v for v in leaves if not isinstance(v, Constant)]
    op = IfElse(FunctionGraph(operands, then_outs), FunctionGraph(operands, else_outs), name)
    out = op(condition, *operands)
    outs = out if isinstance(out, list) else [out]
    if not as_list:
        return outs[0]
    return tuple(outs) if isinstance(then_branch, tuple) else list(outs)


__all__ = ["IfElse", "ifelse"]
