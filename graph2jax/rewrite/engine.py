"""The rewrite engine: local rewrites selected by tags, applied to a FunctionGraph until nothing changes.

A local rewrite looks at one apply node and returns replacement variables for
its outputs (or None). Rewrites are registered with tags; a mode selects them:
``optimizer='fast_run'`` runs the ``canonicalize`` and ``stabilize`` sets,
``'fast_compile'`` runs none, ``mode.including(tag)`` adds the rewrites with
that tag and ``mode.excluding(tag_or_name)`` removes them. XLA fuses and
simplifies arithmetic itself, so these sets hold only what XLA cannot do:
numerically stabler forms (``log(1 + x)`` → ``log1p(x)``) and graph
simplifications that shrink what is traced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from graph2jax.graph.basic import Apply, Constant, Op, Variable, _clone_with_memo, graph_inputs
from graph2jax.graph.fg import FunctionGraph

RewriteFn = Callable[[Apply], "list[Variable] | None"]

#: the tag sets each optimizer level runs
OPTIMIZER_TAGS: dict[str | None, frozenset[str]] = {
    "fast_run": frozenset({"canonicalize", "stabilize", "specialize"}),
    "fast_compile": frozenset(),
    None: frozenset(),
}


@dataclass(frozen=True)
class LocalRewrite:
    """A named node rewrite with its tags."""

    name: str
    fn: RewriteFn
    tags: frozenset[str]


REWRITES: dict[str, LocalRewrite] = {}


def register(*tags: str) -> Callable[[RewriteFn], RewriteFn]:
    """Register a local rewrite under its function name with ``tags``."""

    def decorator(fn: RewriteFn) -> RewriteFn:
        if fn.__name__ in REWRITES and REWRITES[fn.__name__].fn.__module__ != fn.__module__:
            raise ValueError(f"rewrite {fn.__name__!r} is registered twice")
        REWRITES[fn.__name__] = LocalRewrite(fn.__name__, fn, frozenset(tags))
        return fn

    return decorator


def selected_rewrites(mode: Any) -> list[LocalRewrite]:
    """The rewrites a mode runs, in registration order."""
    if mode.optimizer not in OPTIMIZER_TAGS:
        raise ValueError(
            f"unknown optimizer {mode.optimizer!r}; use one of {sorted(map(str, OPTIMIZER_TAGS))}"
        )
    tags = OPTIMIZER_TAGS[mode.optimizer] | set(mode.include)
    excluded = set(mode.exclude)
    return [
        r
        for r in REWRITES.values()
        if (r.tags & tags or r.name in tags) and not (r.tags & excluded) and r.name not in excluded
    ]


def rewrite_graph(
    graph: Variable | Sequence[Variable],
    include: Sequence[str] = ("canonicalize",),
    custom_rewrite: RewriteFn | None = None,
    clone: bool = True,
    exclude: Sequence[str] | None = None,
) -> Variable | list[Variable]:
    """Rewrite the graph of ``graph`` with the rewrites tagged ``include`` (as PyTensor's).

    Parameters
    ----------
    graph : Variable or list of Variable
    include : sequence of str
        Tags (or rewrite names) to run, e.g. ``("canonicalize", "stabilize")``.
    custom_rewrite : callable, optional
        One more local rewrite, ``fn(node) -> list of replacements or None``.
    clone : bool
        Rewrite a copy (default); the graph's leaves are kept either way.
    exclude : sequence of str, optional
        Tags or rewrite names to leave out.

    Returns
    -------
    The rewritten variable(s), in the form ``graph`` was given.

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> from graph2jax.graph import rewrite_graph
    >>> x = gt.dvector("x")
    >>> str(rewrite_graph(gt.log(1 + x), include=("stabilize",)).owner.op)
    'log1p'
    """
    single = isinstance(graph, Variable)
    outputs = [graph] if single else list(graph)
    if clone:
        outputs = _clone_with_memo(outputs, {}, rebuild_strict=True, copy_inputs=False)
    leaves = [v for v in graph_inputs(outputs) if not isinstance(v, Constant)]
    fgraph = FunctionGraph(leaves, outputs, clone=False)
    extra = (
        [LocalRewrite("custom_rewrite", custom_rewrite, frozenset({"custom"}))]
        if custom_rewrite
        else []
    )
    rewrite_fgraph(
        # any object with a mode's rewrite fields selects rewrites; compile.Mode is a layer above
        fgraph,
        SimpleNamespace(optimizer=None, include=tuple(include), exclude=tuple(exclude or ())),
        extra=extra,
    )
    return fgraph.outputs[0] if single else list(fgraph.outputs)


def stabilized(outputs: Sequence[Variable]) -> list[Variable]:
    """Copies of ``outputs`` rewritten by the ``canonicalize`` and ``stabilize`` sets.

    The graph's leaves (inputs, shared variables, constants) are kept as they
    are; only the nodes are copied, so the user's graph is untouched. ``grad``
    differentiates this copy: the gradient of ``log(1 / (1 + exp(-z)))`` is then
    the gradient of ``-softplus(-z)``, finite where the naive one is ``inf * 0``.
    """
    return rewrite_graph(list(outputs), include=("canonicalize", "stabilize"))


def merge_duplicates(fgraph: FunctionGraph) -> list[tuple[str, Apply]]:
    """Compute each expression once: a node with the same op and the same inputs as an
    earlier one (constants compared by value) is replaced by it (PyTensor's merge), in place.

    ``grad`` differentiates a stabilized copy of its cost, so a training step
    holds the forward pass twice until this pass merges them. Ops that are not
    ``foldable`` (random draws, printing) are left alone.

    Returns the ``("merge", removed node)`` pairs.
    """
    seen: dict[tuple, Apply] = {}
    merged: list[tuple[str, Apply]] = []
    for node in fgraph.toposort():
        if not node.op.foldable:
            continue
        inputs = tuple(i.signature() if isinstance(i, Constant) else id(i) for i in node.inputs)
        twin = seen.setdefault((node.op, inputs), node)
        if twin is not node:
            fgraph.replace_all(list(zip(node.outputs, twin.outputs, strict=True)), reason="merge")
            merged.append(("merge", node))
    return merged


def rewrite_fgraph(
    fgraph: FunctionGraph, mode: Any, max_passes: int = 20, extra: Sequence[LocalRewrite] = ()
) -> list[tuple[str, Apply]]:
    """Apply the mode's rewrites (and ``extra`` ones) to ``fgraph`` in place until none applies.

    Inner graphs are rewritten too, by the same rewrites: a node whose op
    holds some (``Op.inner_fgraphs``) is replaced by a node of a new op
    holding rewritten copies (:meth:`~graph2jax.graph.basic.Op.with_inner_fgraphs`),
    never by changing the op's graphs in place, since the user's graph
    holds the same op.

    Returns the ``(rewrite name, rewritten node)`` pairs, in order, those
    inside inner graphs included (their nodes are then inner nodes).
    """
    import graph2jax.rewrite.stabilize  # noqa: F401  (registers the rewrite sets)

    rewrites = selected_rewrites(mode) + list(extra)
    applied: list[tuple[str, Apply]] = []
    if not rewrites:
        return applied
    applied += merge_duplicates(fgraph)
    final_bodies: set[Op] = set()  # ops whose inner graphs are rewritten already (by equality)
    for _ in range(max_passes):
        changed = False
        for node in fgraph.toposort():
            if node not in fgraph.apply_nodes:
                continue
            if node.op.inner_fgraphs and node.op not in final_bodies:
                inner = _rewrite_inner_graphs(node, mode, max_passes, extra, final_bodies)
                if inner is not None:
                    new_outputs, inner_applied = inner
                    fgraph.replace_all(list(zip(node.outputs, new_outputs, strict=True)))
                    applied += inner_applied
                    changed = True
                    continue
            for rewrite in rewrites:
                new = rewrite.fn(node)
                if not new:
                    continue
                if any(n.type != o.type for n, o in zip(new, node.outputs, strict=True)):
                    continue  # a rewrite never changes a type
                fgraph.replace_all(list(zip(node.outputs, new, strict=True)), reason=rewrite.name)
                applied.append((rewrite.name, node))
                changed = True
                break
        if not changed:
            break
    return applied


def _rewrite_inner_graphs(
    node: Apply,
    mode: Any,
    max_passes: int,
    extra: Sequence[LocalRewrite],
    final_bodies: set[Op],
) -> tuple[list[Variable], list[tuple[str, Apply]]] | None:
    """``node``'s outputs recomputed by an op holding rewritten copies of its inner graphs.

    Returns them with the rewrites applied inside, or None when none
    applied. The op with final inner graphs (the new one, or ``node.op``
    when nothing changed) joins ``final_bodies``.
    """
    bodies = [body.clone() for body in node.op.inner_fgraphs]
    applied = [step for body in bodies for step in rewrite_fgraph(body, mode, max_passes, extra)]
    if not applied:
        final_bodies.add(node.op)
        return None
    new_op = node.op.with_inner_fgraphs(bodies)
    final_bodies.add(new_op)
    return new_op.make_node(*node.inputs).outputs, applied
