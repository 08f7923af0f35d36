"""The JAX linker: a FunctionGraph becomes one pure python function over JAX arrays, jitted once.

The function is generated as python source, one line per apply node, so the
traced program can be read (``JaxCompiled.source``). Each line calls the
node's registered JAX implementation, except when all of a node's inputs are
known at trace time (constants, static inputs, static shapes): then the node
is evaluated with its numpy reference, so shape arithmetic stays concrete and
``reshape(x, (x.shape[0], -1))`` never meets a tracer.
"""

from __future__ import annotations

import itertools
import keyword
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import jax
import numpy as np

from graph2jax.config import config
from graph2jax.graph.basic import Apply, Constant, Variable
from graph2jax.graph.fg import FunctionGraph
from graph2jax.linker import checks, compile_cache
from graph2jax.linker.compiled import BucketedCompiled, DonationRule, JaxCompiled, Shardings
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.linker.numpy_linker import run_perform
from graph2jax.linker.ragged import (
    BoundedMask,
    Ragged,
    call_with_ragged,
    is_ragged,
    ragged_funcify,
    starts_ragged,
)
from graph2jax.linker.staging import Counted, Operand, StagedCompiled, needs_stage


def known_while_tracing(value: Any) -> bool:
    """Whether a value a node's JAX implementation receives is known while tracing.

    Such a value (a constant, a static input, a shape) arrives as a numpy array
    or scalar; any other value is a JAX tracer, known only while running.
    """
    return isinstance(value, np.ndarray | np.generic)


def static_input_indices(
    fgraph: FunctionGraph, staged: Sequence[Operand] = (), bucketed: bool = False
) -> tuple[int, ...]:
    """Indices of the fgraph inputs whose values some op needs at trace time.

    An op lists in ``static_inputs`` the inputs whose values shape its result
    (a reshape's target shape, ``arange``'s bounds). Walking back from those
    inputs, a ``shape_only`` op (``shape(x)``) stops the walk: its value
    depends on ``x``'s shape, never on ``x``'s values. Inner graphs count
    too: a value a body needs at trace time comes from the node input that
    feeds that body input unchanged (:meth:`~graph2jax.graph.basic.Op.inner_input_origins`),
    found the same way, recursively. The ``staged`` operands (computed by a
    first stage, :mod:`graph2jax.linker.staging`) make no input static; with
    ``bucketed``, neither do the operands an op can take as run-time values
    (``Op.length_inputs``) of the outer graph (see :func:`length_input_indices`).
    """
    skip = {(id(node), k) for node, k, _ in staged}
    operands = [
        node.inputs[k]
        for node, k in static_operands(fgraph)
        if (id(node), k) not in skip and not (bucketed and k in node.op.length_inputs)
    ]
    return _inputs_reached(fgraph, operands)


def length_input_indices(fgraph: FunctionGraph) -> tuple[int, ...]:
    """Integer scalar inputs feeding only length operands: passed as a bounded value.

    Such an input (a scan's symbolic ``n_steps``) is given to the linked
    function as a :class:`~graph2jax.linker.ragged.BoundedInt`, compiled once
    per capacity (see :mod:`graph2jax.linker.ragged`).
    """
    operands = [node.inputs[k] for node in fgraph.apply_nodes for k in node.op.length_inputs]
    static = set(static_input_indices(fgraph, bucketed=True))
    return tuple(
        i
        for i in _inputs_reached(fgraph, operands)
        if i not in static and _integer_scalar(fgraph.inputs[i])
    )


def _integer_scalar(var: Variable) -> bool:
    return getattr(var.type, "ndim", None) == 0 and str(getattr(var.type, "dtype", "")).startswith(
        ("int", "uint")
    )


def _inputs_reached(fgraph: FunctionGraph, stack: list) -> tuple[int, ...]:
    """The positions of the fgraph inputs ``stack``'s values are computed from (not via shapes)."""
    reached = _reached(stack)
    return tuple(i for i, var in enumerate(fgraph.inputs) if id(var) in reached)


def _reached(stack: list) -> set[int]:
    """The ids of ``stack``'s variables and of those their values are computed from (not via shapes)."""
    seen: set[int] = set()
    while stack:
        var = stack.pop()
        if id(var) in seen:
            continue
        seen.add(id(var))
        if var.owner is not None and not var.owner.op.shape_only:
            stack.extend(var.owner.inputs)
    return seen


def large_constants(fgraph: FunctionGraph) -> list[Constant]:
    """The array constants above ``config.trace_fold_limit`` elements that no op needs at trace time.

    The linker passes them to the executable as arguments, so they are not
    embedded in the XLA program (whose size and compile time would grow with them).
    """
    needed = _reached([node.inputs[k] for node, k in static_operands(fgraph)])
    found: dict[int, Constant] = {}
    for var in [i for node in fgraph.apply_nodes for i in node.inputs] + list(fgraph.outputs):
        if (
            isinstance(var, Constant)
            and id(var) not in needed
            and isinstance(var.data, np.ndarray)
            and var.data.size > config.trace_fold_limit
        ):
            found[id(var)] = var
    return list(found.values())


def static_operands(fgraph: FunctionGraph) -> list[tuple[Apply, int]]:
    """Every ``(node, input position)`` whose value the node's op or inner graphs need at trace time."""
    found = []
    for node in fgraph.toposort():
        op = node.op
        operands = list(op.static_inputs)
        for k, body in enumerate(op.inner_fgraphs):
            origins = op.inner_input_origins(k)
            # an inner input the op makes (a seed, a loop carry) cannot be made static from outside
            operands += [origins[j] for j in static_input_indices(body) if origins[j] is not None]
        found += [(node, k) for k in dict.fromkeys(operands)]
    return found


def staged_operands(fgraph: FunctionGraph) -> list[Operand]:
    """The static operands computed from values (:func:`~graph2jax.linker.staging.needs_stage`)."""
    return [
        (node, k, k in node.op.counted_inputs)
        for node, k in static_operands(fgraph)
        if needs_stage(node.inputs[k], fgraph)
    ]


def _node_thunk(node: Apply) -> Callable[..., Any]:
    """The callable for one node: the JAX implementation, or ``perform`` on known values."""
    try:
        impl = jax_funcify(node.op, node)
    except NotImplementedError as err:
        err.add_note(f"while linking node {node}")
        raise
    single = len(node.outputs) == 1
    foldable = node.op.foldable

    def thunk(*args: Any) -> Any:
        if foldable and all(known_while_tracing(a) for a in args):
            outs = run_perform(node, args)
            if all(np.size(o) <= config.trace_fold_limit for o in outs):
                return outs[0] if single else tuple(outs)
        if any(is_ragged(a) for a in args):
            return call_with_ragged(node, impl, args)
        result = impl(*args)
        _check_result(node, (result,) if single else tuple(result))
        return result

    thunk.__name__ = type(node.op).__name__
    return thunk


def _check_result(node: Apply, results: Sequence[Any]) -> None:
    """At trace time: the implementation must produce exactly the graph's types."""
    for out, res in zip(node.outputs, results, strict=True):
        if isinstance(res, Ragged):  # a trace of a value-dependent length (an until loop's)
            continue
        typ = out.type
        dtype = getattr(typ, "dtype", None)
        if dtype is None:
            continue
        if (
            str(res.dtype) != dtype
            or np.ndim(res) != typ.ndim
            or any(s is not None and s != r for s, r in zip(typ.shape, np.shape(res), strict=True))
        ):
            raise TypeError(
                f"the JAX implementation of {node.op} returned dtype {res.dtype} shape "
                f"{tuple(np.shape(res))} for an output of type {typ} (node {node})"
            )


def _identifier(var: Variable, prefix: str, counter: itertools.count) -> str:
    base = "".join(c if c.isalnum() else "_" for c in (var.name or ""))
    if not base or not base[0].isalpha() or keyword.iskeyword(base):
        base = prefix
    return f"{base}_{next(counter)}"


def _thunk_name(node: Apply, counter: itertools.count) -> str:
    """The generated source's name of a node's callable: after its op (``exp_3``)."""
    # the op's printed name up to its parameters: ``Sum{axis=0}`` gives ``sum``
    match = re.match(r"[A-Za-z]\w*", str(node.op))
    base = match.group().lower() if match else ""
    if not base or keyword.iskeyword(base):
        base = type(node.op).__name__.lower()
    return f"{base}_{next(counter)}"


def fgraph_to_python(
    fgraph: FunctionGraph,
    static_argnums: Sequence[int] = (),
    staged: Sequence[bool] = (),
    uses: dict[tuple[int, int], int] | None = None,
    constant_arguments: Sequence[Constant] = (),
    bounded: Sequence[tuple[Apply, int]] = (),
    lengths: Collection[int] = (),
) -> tuple[Callable, str]:
    """Generate ``py_fn(*inputs, *constant_arguments) -> tuple(outputs)`` for ``fgraph``.

    Every name of the source (inputs, thunks, results, constants) ends with a
    number drawn from one counter, so no two names can collide. ``staged``:
    one trailing static argument per node operand computed by a first stage
    (True: the operand's count; False: its value), then, for each counted
    one, the first stage's values of it (traced); ``uses`` maps each
    ``(id(node), input position)`` to its index in ``staged``.
    The constants of ``constant_arguments`` are parameters of the function
    (after all of those); the others are its globals.
    Each ``bounded`` operand (a mask whose count decides a shape) reaches its node
    as a :class:`~graph2jax.linker.ragged.BoundedMask`; the staged operands at
    ``lengths`` (indices into ``staged``) are not static but given as a
    :class:`~graph2jax.linker.ragged.BoundedInt` (a length bucketed by its capacity).
    """
    counter = itertools.count()
    names: dict[int, str] = {}
    env: dict[str, Any] = {"Counted": Counted, "BoundedMask": BoundedMask}
    for var in fgraph.inputs:
        names[id(var)] = _identifier(var, "i", counter)
    staged_names = [f"staged_{next(counter)}" for _ in staged]
    # a counted operand's values: the first stage's, so that they agree with its count
    counted_names = {j: f"counted_{next(counter)}" for j, counted in enumerate(staged) if counted}
    for var in constant_arguments:
        names[id(var)] = f"c_{next(counter)}"
    arguments = (
        [names[id(v)] for v in fgraph.inputs]
        + staged_names
        + list(counted_names.values())
        + [names[id(v)] for v in constant_arguments]
    )
    lines = [f"def linked({', '.join(arguments)}):"]
    for k in static_argnums:
        name = names[id(fgraph.inputs[k])]
        lines.append(f"    {name} = {name}.value  # static: its value decides shapes")
    for j, name in enumerate(staged_names):
        if j not in lengths:
            lines.append(f"    {name} = {name}.value  # static: computed by the first stage")
    uses = uses or {}
    masks = {(id(node), k) for node, k in bounded}

    def ref(var: Variable) -> str:
        if id(var) not in names:
            if not isinstance(var, Constant):
                raise ValueError(f"{var} is used before it is computed")
            names[id(var)] = f"c_{next(counter)}"
            env[names[id(var)]] = var.data
        return names[id(var)]

    def operand(node: Apply, k: int) -> str:
        j = uses.get((id(node), k))
        if (id(node), k) in masks:
            return f"BoundedMask({ref(node.inputs[k])})"
        if j is None:
            return ref(node.inputs[k])
        if staged[j]:  # its count is static, its values stay traced
            return f"Counted({counted_names[j]}, {staged_names[j]})"
        return staged_names[j]

    for node in fgraph.toposort():
        thunk = _node_thunk(node)
        args = ", ".join(operand(node, k) for k in range(len(node.inputs)))
        fn_name = _thunk_name(node, counter)
        env[fn_name] = thunk
        outs = [_identifier(o, "v", counter) for o in node.outputs]
        for o, name in zip(node.outputs, outs, strict=True):
            names[id(o)] = name
        target = outs[0] if len(outs) == 1 else ", ".join(outs)
        comment = str(node).replace("\n", " ")[:120]
        lines.append(f"    {target} = {fn_name}({args})  # {comment}")
    lines.append(f"    return ({''.join(ref(o) + ', ' for o in fgraph.outputs)})")
    source = "\n".join(lines)
    exec(compile(source, "<graph2jax linked function>", "exec"), env)
    return env["linked"], source


def link_inner(fgraph: FunctionGraph, checked: bool = False) -> Callable[..., Any]:
    """The pure function of an op's inner graph, for the op's JAX implementation to call.

    This is the one way an op links a body (a jacobian's backward pass, and
    scan, ifelse and while bodies): ``fn(*inputs) -> tuple(outputs)`` over
    JAX arrays, not jitted, traced as part of the outer function (inside
    ``jax.vmap``, ``lax.scan``, ``lax.cond``, ...). Inputs passed as numpy
    arrays stay known while tracing, so the body's shape arithmetic over
    them is evaluated with numpy, as in the outer graph.

    With ``checked``, the body's run-time checks leave it:
    ``fn(*inputs) -> (tuple(outputs), ok)``, ``ok`` the traced flag of the
    body's reports, None when the outer graph is not checked or the body
    reported nothing (:func:`graph2jax.linker.checks.reporting`); the op
    carries it out of its loop or branch and reports it with
    :func:`~graph2jax.linker.checks.require`. Unchecked, the body reports nothing.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x, y = gt.dvectors("x", "y")
    >>> body = link_inner(FunctionGraph([x, y], [x * y, x + y]))
    >>> [np.asarray(v).tolist() for v in body(np.array([2.0]), np.array([3.0]))]
    [[6.0], [5.0]]
    >>> (second,), ok = link_inner(FunctionGraph([x], [x[1]]), checked=True)(np.array([2.0, 3.0]))
    >>> float(second), ok  # not traced in a checked graph: no flag
    (3.0, None)
    """
    fn, _ = fgraph_to_python(fgraph)
    if checked:
        return checks.reporting(fn)

    def body(*args: Any) -> tuple:
        with checks.suspended():
            return fn(*args)

    return body


def link(
    fgraph: FunctionGraph,
    donate_argnums: Sequence[int] = (),
    usable_donations: DonationRule | None = None,
    shardings: Shardings | None = None,
    check_indices: bool = False,
    updated: Mapping[int, int] | None = None,
) -> JaxCompiled | BucketedCompiled | StagedCompiled:
    """Build the compiled callable of ``fgraph``.

    Parameters
    ----------
    fgraph : FunctionGraph
        Inputs are the call's arguments in order (explicit inputs, then
        shared values); outputs are returned as a tuple in order.
    donate_argnums : sequence of int
        Inputs whose buffers XLA may reuse for outputs (decided by the
        compile layer's donation policy); static inputs are never donated.
    usable_donations : callable, optional
        The policy's rule saying, while a call is traced, which donations an
        output can reuse (see :class:`~graph2jax.linker.compiled.JaxCompiled`).
    shardings : (in_shardings, out_shardings), optional
        A sharding per argument and per result (the compile layer's placement plan).
    check_indices : bool
        Raise ``IndexError`` for out-of-range indices known only at run time
        (:mod:`graph2jax.linker.checks`); a graph without such an index pays nothing.
    updated : mapping of int to int, optional
        Input position → position of the output holding its new value (what a
        failed check restores).

    With ``config.compile_cache_dir`` set, the callable loads and stores its
    executables in the compile cache (:mod:`graph2jax.linker.compile_cache`).
    Large constants (:func:`large_constants`) are placed on the device once
    and passed to every call as arguments.

    Returns
    -------
    JaxCompiled, BucketedCompiled or StagedCompiled
        A :class:`BucketedCompiled` when a loop's length, or the count of a
        computed boolean mask, is known only while running
        (:mod:`graph2jax.linker.ragged`; its fallback for a mask is staged); a
        :class:`~graph2jax.linker.staging.StagedCompiled` when a value that
        decides a shape is computed from values (:mod:`graph2jax.linker.staging`).
    """
    checked = check_indices and any(_may_check(node) for node in fgraph.apply_nodes)

    # large constants are arguments (placed once), unless a placement plan places the call
    hoisted = large_constants(fgraph) if shardings is None else []
    constants = [jax.device_put(c.data, config.placement()) for c in hoisted]

    def compiled(
        static: tuple[int, ...],
        staged: Sequence[bool] = (),
        uses: dict[tuple[int, int], int] | None = None,
        bounded: Sequence[tuple[Apply, int]] = (),
        ragged: bool = False,
        lengths: Collection[int] = (),
        host_checks: checks.HostChecks | None = None,
    ) -> JaxCompiled:
        py_fn, source = fgraph_to_python(fgraph, static, staged, uses, hoisted, bounded, lengths)
        on_device = checked
        if host_checks is not None:  # the nodes it checks report nothing while traced
            nodes = host_checks.nodes
            on_device = any(_may_check(n) and id(n) not in nodes for n in fgraph.apply_nodes)
        n = len(fgraph.inputs)
        # the staged values are static too, but for the bucketed lengths
        static = static + tuple(n + j for j in range(len(staged)) if j not in lengths)
        donate = tuple(i for i in donate_argnums if i not in static)
        return JaxCompiled(
            fgraph,
            py_fn,
            source,
            static,
            donate,
            usable_donations,
            shardings,
            # a ragged form's rules may check its lengths (a loop's steps, a max of nothing)
            on_device or (ragged and check_indices),
            updated,
            compile_cache.for_graph(fgraph, donate, shardings or config.placement()),
            constants,
            host_checks,
        )

    operands = staged_operands(fgraph)
    loops = any(starts_ragged(node.op) for node in fgraph.apply_nodes)
    lengths = length_input_indices(fgraph) if loops else ()
    # masks bounded by their sizes: computed ones (instead of a first stage) and inputs (instead
    # of one compilation per mask), when every op they reach has a ragged rule
    masks = [(node, k) for node, k, counted in operands if counted] + given_masks(fgraph)
    bounded = (
        bool(masks)
        and all(counted for _, _, counted in operands)
        and all(ragged_funcify(node.op, node) is not None for node, _ in masks)
    )

    def staged() -> StagedCompiled:
        return _link_staged(fgraph, operands, compiled, shardings, check_indices)

    if operands and not bounded:
        return staged()
    if not bounded:  # every shape is known while tracing: one jitted call
        static = static_input_indices(fgraph)
        if not loops:
            # indices that are arguments are checked on the host, before the call
            host = checks.HostChecks(fgraph) if checked else None
            return compiled(static, host_checks=host if host and host.nodes else None)
        bounded_static = static_input_indices(fgraph, bucketed=True)
        if not lengths and bounded_static == static:
            return compiled(static)
        # lengths known only while running: one compilation per capacity, or per value if a
        # node cannot take them (then the static form is compiled; see graph2jax.linker.ragged)
        return BucketedCompiled(
            compiled(bounded_static, ragged=True), lengths, lambda: compiled(static)
        )
    # one compilation per input shape, the selections ragged (graph2jax.linker.ragged); when a
    # node downstream has no rule, staged (computed masks) or static (masks given as inputs)
    static = static_input_indices(fgraph, [(n, k, True) for n, k in masks], bucketed=loops)
    bucketed = compiled(static, bounded=masks, ragged=True)
    if operands:
        return BucketedCompiled(bucketed, lengths, staged)
    return BucketedCompiled(bucketed, lengths, lambda: compiled(static_input_indices(fgraph)))


def given_masks(fgraph: FunctionGraph) -> list[tuple[Apply, int]]:
    """The operands of ops' ``counted_inputs`` (masks, ``nonzero``'s) that are inputs of ``fgraph``."""
    inputs = set(map(id, fgraph.inputs))
    return [
        (node, k)
        for node, k in static_operands(fgraph)
        if k in node.op.counted_inputs and id(node.inputs[k]) in inputs
    ]


def _link_staged(
    fgraph: FunctionGraph,
    operands: Sequence[Operand],
    compiled: Callable[..., JaxCompiled],
    shardings: Shardings | None,
    check_indices: bool,
) -> StagedCompiled:
    """``fgraph`` compiled in two stages: the staged ``operands``, then the graph with them static."""
    # the first stage computes each staged variable once; each use gets its value or its count
    variables = list({id(node.inputs[k]): node.inputs[k] for node, k, _ in operands}.values())
    position = {id(v): j for j, v in enumerate(variables)}
    first = link(
        FunctionGraph(fgraph.inputs, variables, clone=False),
        shardings=None if shardings is None else (shardings[0], (None,) * len(variables)),
        check_indices=check_indices,
    )
    static = static_input_indices(fgraph, operands)
    counted = [c for _, _, c in operands]
    uses = {(id(node), k): j for j, (node, k, _) in enumerate(operands)}
    reads = [(position[id(node.inputs[k])], node, k, c) for node, k, c in operands]

    def exact() -> JaxCompiled:
        return compiled(static, counted, uses)

    # lengths (an arange's stop, a zeros' first dimension) are bucketed: one compilation per
    # capacity, the results ragged; when a node takes no ragged value, one per exact value
    lengths = [
        j
        for j, (node, k, c) in enumerate(operands)
        if not c and k in node.op.length_inputs and _integer_scalar(node.inputs[k])
    ]
    if not lengths:
        return StagedCompiled(fgraph, first, exact(), reads)
    bucketed = compiled(static, counted, uses, ragged=True, lengths=lengths)
    n = len(fgraph.inputs)
    second = BucketedCompiled(bucketed, tuple(n + j for j in lengths), exact)
    return StagedCompiled(fgraph, first, second, reads)


def _may_check(node: Apply) -> bool:
    """Whether ``node`` may report a run-time index (one is not a constant), itself or in a body."""
    if node.op.checks_indices and not all(isinstance(v, Constant) for v in node.inputs[1:]):
        return True
    return any(_may_check(n) for body in node.op.inner_fgraphs for n in body.apply_nodes)
