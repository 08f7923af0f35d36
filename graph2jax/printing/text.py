"""The text views of graphs: :func:`debugprint`, :func:`pp` and :func:`jax_source`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np

from graph2jax.compile.function_shell import Function
from graph2jax.graph.basic import Apply, Constant, Variable, toposort
from graph2jax.graph.fg import FunctionGraph
from graph2jax.ops.blas import Dot
from graph2jax.ops.elemwise import DimShuffle, Elemwise
from graph2jax.ops.reduce import CAReduce
from graph2jax.ops.subtensor import Subtensor
from graph2jax.ops.subtensor_key import assemble


def debugprint(
    obj: Any,
    depth: int = -1,
    print_type: bool = False,
    file: IO[str] | str | None = None,
    id_type: str = "CHAR",
    stop_on_name: bool = False,
    done: dict | None = None,
    print_destroy_map: bool = False,
    print_view_map: bool = False,
    print_fgraph_inputs: bool = False,
) -> Any:
    """Print a graph as an indented tree, one line per variable, as PyTensor's ``debugprint``.

    Each line shows the op (``op.i`` for output ``i`` of a node with several
    outputs) or the leaf, an id such as ``[id A]``, then optionally the type
    and the variable's name in quotes. A node met again prints its line with
    the same id and ``···`` instead of its inputs, so a shared subgraph
    appears once. For a compiled function (or a FunctionGraph) each node line
    ends with the node's position in the execution order, and the new value
    of a shared variable is marked ``(update of name)``. The inner graphs of
    ops that hold some (``Op.inner_fgraphs``: a batched jacobian, scan
    bodies) are printed after an ``Inner graphs:`` header, each under its
    node's line, its inputs marked ``*k-name``.

    Parameters
    ----------
    obj : Variable, list of Variable, Apply, FunctionGraph or Function
    depth : int
        Print this many levels (the roots are level 1); -1 for all.
    print_type : bool
        Append each variable's type, ``<TensorType(...)>``.
    file : file object, ``'str'`` or None
        Where to write: stdout when None; ``'str'`` returns the text instead.
    id_type : {'CHAR', 'int', 'id', 'auto', ''}
        Ids as letters, numbers, python ``id``, the variable's ``auto_name``, or none.
    stop_on_name : bool
        Do not expand the inputs of named variables.
    done : dict, optional
        ``{node or leaf: id}``, filled in; pass the same dict to several
        calls to share ids and print each subgraph once.
    print_destroy_map, print_view_map : bool
        Append ``d={...}`` / ``v={...}`` for ops that overwrite or view an input.
    print_fgraph_inputs : bool
        For a FunctionGraph or Function, first list its inputs as ``→ x [id A]``.

    Returns
    -------
    The text when ``file='str'``, else the file written to.

    Raises
    ------
    TypeError
        For an object that is not a graph.

    Examples
    --------
    >>> import graph2jax.tensor as pt
    >>> x, y = pt.vector("x"), pt.vector("y")
    >>> print(debugprint(x + y, print_type=True, file="str"), end="")
    add [id A] <TensorType(float64, shape=(None,))>
     ├─ x [id B] <TensorType(float64, shape=(None,))>
     └─ y [id C] <TensorType(float64, shape=(None,))>
    """
    if id_type not in ("CHAR", "int", "id", "auto", ""):
        raise ValueError(
            f"debugprint: id_type must be 'CHAR', 'int', 'id', 'auto' or '', got {id_type!r}"
        )
    outputs, suffixes, fg = _roots(obj)
    order = None if fg is None else {node: k for k, node in enumerate(fg.toposort())}
    printer = _Printer(
        id_type, {} if done is None else done, order, print_type, stop_on_name,
        print_destroy_map, print_view_map,
    )  # fmt: skip
    for inp in fg.inputs if print_fgraph_inputs and fg is not None else ():
        printer.tree(inp, "→ ", "", depth=1)
    for out, suffix in zip(outputs, suffixes, strict=True):
        printer.tree(out, "", " ", depth, suffix)
    printer.print_inner_graphs()
    text = "".join(line + "\n" for line in printer.lines)
    if file == "str":
        return text
    stream = sys.stdout if file is None else file
    stream.write(text)
    return stream


dprint = debugprint


def _roots(obj: Any) -> tuple[list[Variable], list[str], FunctionGraph | None]:
    """The variables to print, each root's suffix, and the compiled graph if ``obj`` is one."""
    if isinstance(obj, Variable):
        return [obj], [""], None
    if isinstance(obj, Apply):
        return list(obj.outputs), [""] * len(obj.outputs), None
    if isinstance(obj, list | tuple) and all(isinstance(v, Variable) for v in obj):
        return list(obj), [""] * len(obj), None
    if isinstance(obj, FunctionGraph):
        return list(obj.outputs), [""] * len(obj.outputs), obj
    if isinstance(obj, Function):
        maker = obj.maker
        suffixes = [""] * len(maker.fgraph.outputs)
        updated = [(maker.shared[k], pos) for k, pos in maker.updates.items()]
        updated += [(maker.inputs[k].variable, pos) for k, pos in maker.input_updates.items()]
        for var, pos in updated:
            suffixes[pos] = f" (update of {var})"
        return list(maker.fgraph.outputs), suffixes, maker.fgraph
    raise TypeError(
        f"debugprint: cannot print {obj!r} of type {type(obj).__name__}; give a Variable, a "
        "list of Variables, an Apply, a FunctionGraph or a compiled Function"
    )


def _letters(n: int) -> str:
    """0 → A, 25 → Z, 26 → BA: the number written in base 26 with letters as digits."""
    digits = ""
    while True:
        n, r = divmod(n, 26)
        digits = chr(ord("A") + r) + digits
        if n == 0:
            return digits


@dataclass
class _Printer:
    """The state of one :func:`debugprint` call: the options, ids given so far, lines written."""

    id_type: str
    done: dict
    order: dict[Apply, int] | None  # a node's position in the execution order (compiled graphs)
    print_type: bool
    stop_on_name: bool
    print_destroy_map: bool
    print_view_map: bool
    lines: list[str] = field(default_factory=list)
    inner: list[Apply] = field(default_factory=list)  # nodes with an inner graph, in the order met
    leaf_labels: dict[Variable, str] = field(default_factory=dict)  # inner inputs: ``*k-name``

    def ident(self, key: Apply | Variable) -> str:
        """`` [id X]`` for a node or a leaf, the same each time it is met."""
        if key not in self.done:
            n = len(self.done)
            var = key.outputs[0] if isinstance(key, Apply) else key
            self.done[key] = {"CHAR": _letters(n), "int": str(n), "id": str(id(key)), "auto": var.auto_name, "": ""}[self.id_type]  # fmt: skip
        return f" [id {self.done[key]}]" if self.id_type else ""

    def tree(self, var: Variable, prefix: str, indent: str, depth: int, suffix: str = "") -> None:
        """Write ``var``'s line after ``prefix``, then its inputs indented by ``indent``.

        Depth first with an explicit stack: a graph deeper than python's
        recursion limit still prints.
        """
        stack = [(var, prefix, indent, depth, suffix)]
        while stack:
            var, prefix, indent, depth, suffix = stack.pop()
            if depth != 0:
                stack += reversed(self._line(var, prefix, indent, depth, suffix))

    def _line(self, var: Variable, prefix: str, indent: str, depth: int, suffix: str) -> list:
        """Write ``var``'s line; return its inputs to print next, as arguments of :meth:`tree`."""
        node = var.owner
        type_str = f" <{var.type}>" if self.print_type else ""
        if node is None:
            label = self.leaf_labels.get(var, str(var))
            self.lines.append(f"{prefix}{label}{self.ident(var)}{type_str}{suffix}")
            return []
        seen = node in self.done
        if not seen and node.op.inner_fgraphs:
            self.inner.append(node)
        line = prefix + str(node.op) + (f".{var.index}" if len(node.outputs) > 1 else "")
        line += self.ident(node) + type_str + (f" '{var.name}'" if var.name else "")
        if self.print_destroy_map and node.op.destroy_map:
            line += f" d={node.op.destroy_map}"
        if self.print_view_map and node.op.view_map:
            line += f" v={node.op.view_map}"
        if self.order is not None and node in self.order:
            line += f" {self.order[node]}"
        self.lines.append(line + suffix)
        if node.inputs and (seen or (self.stop_on_name and var.name is not None)):
            self.lines.append(f"{indent}└─ ···")
            return []
        last = len(node.inputs) - 1
        return [
            (
                inp,
                indent + ("└─ " if k == last else "├─ "),
                indent + ("   " if k == last else "│  "),
                depth - 1,
                "",
            )
            for k, inp in enumerate(node.inputs)
        ]

    def print_inner_graphs(self) -> None:
        """After the outer graph: each inner graph met, its outputs marked ``←``."""
        if not self.inner:
            return
        self.lines += ["", "Inner graphs:"]
        self.order = None  # inner nodes have no place in the outer execution order
        for node in self.inner:  # grows while inner graphs are printed: nested ones follow
            bodies = node.op.inner_fgraphs
            for b, fg in enumerate(bodies):
                which = f" (inner graph {b} of {len(bodies)})" if len(bodies) > 1 else ""
                self.lines += ["", f"{node.op}{self.ident(node)}{which}"]
                self.leaf_labels.update({v: f"*{k}-{v}" for k, v in enumerate(fg.inputs)})
                for out in fg.outputs:
                    self.tree(out, " ← ", "    ", -1)


# ---------------------------------------------------------------------------
# pp: an infix expression

_INFIX = {
    "add": "+", "sub": "-", "mul": "*", "true_div": "/", "int_div": "//", "mod": "%",
    "pow": "**", "gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "==", "neq": "!=",
    "and_": "&", "or_": "|", "xor": "^",
}  # fmt: skip
_PREFIX = {"neg": "-", "invert": "~"}


def pp(var: Variable) -> str:
    """A readable, fully parenthesised infix form of the expression ``var``.

    Arithmetic and comparisons are infix (``(x + (y * 2))``), negation
    prefix, ``x.T`` a transposition, ``x[1:]`` an index, ``(a @ b)`` a
    matrix product, a reduction ``sum(x, axis=0)``; other ops print as
    ``op(args)`` and leaves by name. The axes added to broadcast an operand
    are not shown, and a constant of one element prints as its value.

    Parameters
    ----------
    var : Variable

    Returns
    -------
    str

    Raises
    ------
    TypeError
        When ``var`` is not a Variable.

    Examples
    --------
    >>> import graph2jax.tensor as pt
    >>> x, y, m = pt.vector("x"), pt.vector("y"), pt.matrix("m")
    >>> pp(x + y * 2)
    '(x + (y * 2))'
    >>> pp(pt.sum(m, axis=0) - m[0, 1:])
    '(sum(m, axis=0) - m[0, 1:])'
    """
    if not isinstance(var, Variable):
        raise TypeError(f"pp: expected a Variable, got {var!r} of type {type(var).__name__}")
    memo: dict[Variable, str] = {}  # iterative, in topological order: deep graphs print too
    for node in toposort([], [var]):
        args = [memo[i] if i in memo else _pp_leaf(i) for i in node.inputs]
        memo.update((out, _pp_node(out, args)) for out in node.outputs)
    return memo[var] if var in memo else _pp_leaf(var)


def _pp_leaf(var: Variable) -> str:
    if isinstance(var, Constant) and var.name is None and np.size(var.data) == 1:
        return str(np.asarray(var.data).item())
    return str(var)


def _pp_node(var: Variable, args: Sequence[str]) -> str:
    op = var.owner.op
    if isinstance(op, Elemwise):
        name = op.scalar_op.name
        if name in _INFIX and len(args) == 2:
            return f"({args[0]} {_INFIX[name]} {args[1]})"
        if name in _PREFIX:
            return f"({_PREFIX[name]}{args[0]})"
        return f"{name}({', '.join(args)})"
    if isinstance(op, CAReduce):
        reduced = op.axis
        ndim = var.owner.inputs[0].type.ndim
        axis = (
            "" if len(reduced) == ndim else f", axis={reduced[0] if len(reduced) == 1 else reduced}"
        )
        return f"{op.reducer.name.lower()}({args[0]}{axis})"
    if isinstance(op, DimShuffle):
        pad = len(op.new_order) - op.input_ndim
        if pad > 0 and op.new_order == ("x",) * pad + tuple(range(op.input_ndim)):
            return args[0]  # axes added in front to broadcast: implicit in the expression
        if op.new_order == (1, 0):
            return f"{args[0]}.T"
    if isinstance(op, Subtensor):  # advanced indexing too: its arrays are inputs like the rest
        items = assemble(op.idx_list, args[1:])
        return f"{args[0]}[{', '.join(map(_index_item, items))}]"
    if isinstance(op, Dot):
        return f"({args[0]} @ {args[1]})"
    multi = f".{var.index}" if len(var.owner.outputs) > 1 else ""
    return f"{op}{multi}({', '.join(args)})"


def _index_item(item: Any) -> str:
    """One item of an index whose values are already printed (strings)."""
    if isinstance(item, slice):
        bounds = ["" if b is None else b for b in (item.start, item.stop, item.step)]
        return ":".join(bounds if item.step is not None else bounds[:2])
    return "None" if item is None else "..." if item is Ellipsis else item


# ---------------------------------------------------------------------------
# the linker's source


def jax_source(f: Function) -> str:
    """The python source the JAX linker generated and traced for the compiled function ``f``.

    One line per node of ``f.maker.fgraph`` in execution order, each calling
    the node's JAX implementation and commented with the node.

    Raises
    ------
    TypeError
        When ``f`` is not a compiled Function, or its mode does not use JAX (``'NUMPY'``).

    Examples
    --------
    >>> import graph2jax as g, graph2jax.tensor as pt
    >>> x = pt.vector("x")
    >>> print(jax_source(g.function([x], pt.exp(x))))
    def linked(x_0):
        v_2 = exp_1(x_0)  # exp(x)
        return (v_2, )
    """
    if not isinstance(f, Function):
        raise TypeError(f"jax_source: expected a compiled Function, got {type(f).__name__}")
    source = f.maker.linked().source
    if source is None:
        raise TypeError(f"jax_source: mode {f.maker.mode} does not compile with JAX")
    return source
