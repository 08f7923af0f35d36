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
from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from graph2jax.config import config
from graph2jax.graph.basic import Apply, Constant, Variable
from graph2jax.graph.fg import FunctionGraph
from graph2jax.linker import compile_cache
from graph2jax.linker.compiled import DonationRule, JaxCompiled
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.linker.numpy_linker import run_perform


def static_input_indices(fgraph: FunctionGraph) -> tuple[int, ...]:
    """Indices of the fgraph inputs whose values some op needs at trace time.

    An op lists in ``static_inputs`` the inputs whose values shape its result
    (a reshape's target shape, ``arange``'s bounds). Walking back from those
    inputs, a ``shape_only`` op (``shape(x)``) stops the walk: its value
    depends on ``x``'s shape, never on ``x``'s values. Inner graphs count
    too: a value a body needs at trace time comes from the node input that
    feeds that body input unchanged (:meth:`~graph2jax.graph.basic.Op.inner_input_origins`),
    found the same way, recursively.
    """
    needed = _needed_at_trace(fgraph)
    return tuple(k for k, var in enumerate(fgraph.inputs) if id(var) in needed)


def _needed_at_trace(fgraph: FunctionGraph) -> set[int]:
    """The ids of the variables whose values some op needs at trace time (see above)."""
    seen: set[int] = set()
    stack = [node.inputs[k] for node in fgraph.apply_nodes for k in _static_operands(node)]
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
    needed = _needed_at_trace(fgraph)
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


def _static_operands(node: Apply) -> list[int]:
    """The positions of ``node``'s inputs whose values its op or its inner graphs need at trace time."""
    op = node.op
    operands = list(op.static_inputs)
    for k, body in enumerate(op.inner_fgraphs):
        origins = op.inner_input_origins(k)
        # an inner input the op makes (a seed, a loop carry) cannot be made static from outside
        operands += [origins[j] for j in static_input_indices(body) if origins[j] is not None]
    return operands


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
        if foldable and all(isinstance(a, np.ndarray | np.generic) for a in args):
            outs = run_perform(node, args)
            if all(np.size(o) <= config.trace_fold_limit for o in outs):
                return outs[0] if single else tuple(outs)
        result = impl(*args)
        _check_result(node, (result,) if single else tuple(result))
        return result

    thunk.__name__ = type(node.op).__name__
    return thunk


def _check_result(node: Apply, results: Sequence[Any]) -> None:
    """At trace time: the implementation must produce exactly the graph's types."""
    for out, res in zip(node.outputs, results, strict=True):
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
    constant_arguments: Sequence[Constant] = (),
) -> tuple[Callable, str]:
    """Generate ``py_fn(*inputs, *constant_arguments) -> tuple(outputs)`` for ``fgraph``.

    Returns the function and its source. Every name of the source (inputs,
    thunks, results, constants) ends with a number drawn from one counter, so
    no two names can collide. The constants of ``constant_arguments`` are
    parameters of the function (after the inputs); the others are its globals.
    """
    counter = itertools.count()
    names: dict[int, str] = {}
    env: dict[str, Any] = {}
    for var in fgraph.inputs:
        names[id(var)] = _identifier(var, "i", counter)
    for var in constant_arguments:
        names[id(var)] = f"c_{next(counter)}"
    params = [names[id(v)] for v in [*fgraph.inputs, *constant_arguments]]
    lines = [f"def linked({', '.join(params)}):"]
    for k in static_argnums:
        name = names[id(fgraph.inputs[k])]
        lines.append(f"    {name} = {name}.value  # static: its value decides shapes")

    def ref(var: Variable) -> str:
        if id(var) not in names:
            if not isinstance(var, Constant):
                raise ValueError(f"{var} is used before it is computed")
            names[id(var)] = f"c_{next(counter)}"
            env[names[id(var)]] = var.data
        return names[id(var)]

    for node in fgraph.toposort():
        thunk = _node_thunk(node)
        args = ", ".join(ref(i) for i in node.inputs)
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


def link_inner(fgraph: FunctionGraph) -> Callable[..., tuple]:
    """The pure function of an op's inner graph, for the op's JAX implementation to call.

    This is the one way an op links a body (a jacobian's backward pass, and
    scan, ifelse and while bodies): ``fn(*inputs) -> tuple(outputs)`` over
    JAX arrays, not jitted, traced as part of the outer function (inside
    ``jax.vmap``, ``lax.scan``, ``lax.cond``, ...). Inputs passed as numpy
    arrays stay known while tracing, so the body's shape arithmetic over
    them is evaluated with numpy, as in the outer graph.

    Examples
    --------
    >>> import numpy as np, graph2jax.tensor as gt
    >>> x, y = gt.dvectors("x", "y")
    >>> body = link_inner(FunctionGraph([x, y], [x * y, x + y]))
    >>> [np.asarray(v).tolist() for v in body(np.array([2.0]), np.array([3.0]))]
    [[6.0], [5.0]]
    """
    fn, _ = fgraph_to_python(fgraph)
    return fn


def link(
    fgraph: FunctionGraph,
    donate_argnums: Sequence[int] = (),
    usable_donations: DonationRule | None = None,
    device: jax.Device | None = None,
) -> JaxCompiled:
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
    device : jax.Device, optional
        Where arguments and results are placed (``config.device``).

    With ``config.compile_cache_dir`` set, the callable loads and stores its
    executables in the compile cache (:mod:`graph2jax.linker.compile_cache`).
    Large constants (:func:`large_constants`) are placed on the device once
    and passed to every call as arguments.

    Returns
    -------
    JaxCompiled
    """
    static = static_input_indices(fgraph)
    hoisted = large_constants(fgraph)
    py_fn, source = fgraph_to_python(fgraph, static, hoisted)
    donate = tuple(i for i in donate_argnums if i not in static)
    cache = compile_cache.for_graph(fgraph, donate, device)
    constants = [jax.device_put(c.data, device) for c in hoisted]
    return JaxCompiled(
        fgraph, py_fn, source, static, donate, usable_donations, device, cache, constants
    )
