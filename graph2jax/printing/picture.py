"""Pictures of graphs through Graphviz: :func:`pydotprint`, and :func:`draw`, the drawing that
:func:`graph2jax.d3viz.d3viz` lays out too.

A drawing holds a ``graphviz.Digraph`` (ops as boxes coloured by family,
variables as ellipses, inner graphs as clusters) and, for each element, the
fields an interactive view shows: its kind, op, type, dtype, shape.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from graph2jax.compile.function_shell import Function
from graph2jax.graph.basic import Apply, Constant, Variable, graph_inputs, toposort
from graph2jax.graph.fg import FunctionGraph
from graph2jax.types.sharedvar import SharedVariable

__all__ = ["Drawing", "default_colorCodes", "draw", "pydotprint", "render"]

#: op class name (the class or one of its bases) -> fill colour; the key is the op's family
default_colorCodes: dict[str, str] = {
    "Scan": "yellow",
    "IfElse": "magenta",
    "Elemwise": "#FFAABB",
    "CAReduce": "#FFD28C",
    "DimShuffle": "#D9C7B0",
    "Reshape": "#D9C7B0",
    "Shape": "#C8A27A",
    "Subtensor": "#FFAAFF",
    "IncSubtensor": "#E08CE0",
    "Alloc": "#FFAA22",
    "Dot": "#9CC9FF",
    "Blockwise": "#B8E0F0",
    "RandomVariable": "#B5E8B5",
    "Output": "dodgerblue",
    "Input": "limegreen",
    "Shared": "cyan",
}

#: how to install each missing piece
_NEED_PACKAGE = (
    "the Python package graphviz: pip install 'graph2jax[viz]' (or pip install graphviz)"
)
_NEED_DOT = (
    "Graphviz's `dot` program: apt-get install graphviz (Debian, Ubuntu), brew install graphviz "
    "(macOS), or see graphviz.org/download"
)


def _graphviz() -> Any:
    """The ``graphviz`` package, or an ImportError saying how to install it."""
    try:
        import graphviz
    except ImportError as err:
        raise ImportError(f"Drawing a graph needs {_NEED_PACKAGE}") from err
    return graphviz


@dataclass
class Drawing:
    """A graph drawn for Graphviz, with what an interactive view shows of each element.

    Attributes
    ----------
    graph : graphviz.Digraph
    details : dict
        ``{element id: {field: text}}`` for each node (the SVG ``<g>`` of the same id).
    clusters : dict
        ``{cluster id: [ids of the nodes and edges inside, nested clusters' included]}``.
    title : str
        What was drawn: the function's name or the kind of object.
    """

    graph: Any
    details: dict[str, dict[str, str]] = field(default_factory=dict)
    clusters: dict[str, list[str]] = field(default_factory=dict)
    title: str = ""


def _type_text(var: Variable) -> tuple[str, str]:
    """``(dtype, static shape)`` as text, ``?`` for an unknown length."""
    dtype = getattr(var.type, "dtype", None)
    shape = getattr(var.type, "shape", None)
    shape_text = "" if shape is None else "(" + ", ".join("?" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"  # fmt: skip
    return ("" if dtype is None else str(dtype)), shape_text


def _family(op: Any, colors: Mapping[str, str]) -> str:
    """The first class of ``op``'s MRO with a colour, or ``'other'``."""
    return next((c.__name__ for c in type(op).__mro__ if c.__name__ in colors), "other")


@dataclass
class _Roles:
    """What the top graph's variables are to a compiled function: labels and marks."""

    marks: dict[Variable, list[str]] = field(default_factory=dict)  # extra label lines
    kinds: dict[Variable, str] = field(default_factory=dict)  # input, shared, output...
    updates: list[tuple[Variable, Variable]] = field(default_factory=list)  # (new value, shared)

    def mark(self, var: Variable, kind: str, text: str) -> None:
        self.kinds.setdefault(var, kind)
        self.marks.setdefault(var, []).append(text)


def _function_roles(f: Function) -> _Roles:
    maker = f.maker
    fg = maker.fgraph
    roles = _Roles()
    donated = set(maker.linked().donate_argnums)
    n_in = len(maker.inputs)
    updated = {k: fg.outputs[pos] for k, pos in maker.updates.items()}
    for k, var in enumerate(fg.inputs):
        if k < n_in:
            roles.mark(var, "input", f"input {k}")
        else:
            roles.mark(var, "shared", "shared, updated" if k - n_in in updated else "shared")
        if k in donated:
            roles.mark(var, roles.kinds[var], "donated buffer")
    for k, out in enumerate(fg.outputs[: maker.n_outputs]):
        roles.mark(out, "output", f"output {k}")
    for k, new in updated.items():
        roles.mark(new, "update", f"update of {maker.shared[k]}")
        roles.updates.append((new, fg.inputs[n_in + k]))
    for k, pos in maker.input_updates.items():
        roles.mark(fg.outputs[pos], "update", f"update of {maker.inputs[k].variable}")
        roles.updates.append((fg.outputs[pos], fg.inputs[k]))
    return roles


def _plain_roles(inputs: Sequence[Variable], outputs: Sequence[Variable]) -> _Roles:
    roles = _Roles()
    for var in inputs:
        if isinstance(var, SharedVariable):
            roles.mark(var, "shared", "shared")
        elif not isinstance(var, Constant):
            roles.mark(var, "input", "input")
    for k, out in enumerate(outputs):
        roles.mark(out, "output", f"output {k}")
    return roles


@dataclass
class _Builder:
    """The state of one drawing: options, ids given so far, the drawing filled in."""

    drawing: Drawing
    colors: Mapping[str, str]
    compact: bool
    with_ids: bool
    high_contrast: bool
    max_label_size: int
    var_with_name_simple: bool
    count: int = 0
    open_clusters: list[str] = field(default_factory=list)

    def new_id(self, prefix: str) -> str:
        self.count += 1
        for cluster in self.open_clusters:
            self.drawing.clusters[cluster].append(f"{prefix}{self.count}")
        return f"{prefix}{self.count}"

    def cut(self, text: str) -> str:
        size = self.max_label_size
        return text if len(text) <= size else text[: size - 3] + "..."

    def fill(self, color: str) -> dict[str, str]:
        return {"style": "filled", "fillcolor": color} if self.high_contrast else {"color": color}

    def draw_var(self, g: Any, var: Variable, kind: str, marks: Sequence[str]) -> str:
        """A variable's ellipse: its name (or value), dtype and shape, and its role."""
        vid = self.new_id("v")
        dtype, shape = _type_text(var)
        if isinstance(var, Constant) and var.name is None and np.size(var.data) <= 8:
            name = str(np.asarray(var.data).tolist())
            kind = "constant"
        else:
            name = var.name or (str(var) if var.owner is None else "")
        type_line = f"{dtype} {shape}".strip()
        lines = [name] if self.var_with_name_simple and var.name else [name, type_line, *marks]
        color = {"input": "Input", "shared": "Shared", "output": "Output", "update": "Output"}
        attrs = self.fill(self.colors[color[kind]]) if kind in color else {}
        if kind == "constant":
            attrs = {"fontsize": "10", "color": "grey40"}
        g.node(vid, "\n".join(self.cut(t) for t in lines if t), id=vid, shape="ellipse", **attrs)
        self.drawing.details[vid] = {
            "kind": kind, "name": name, "type": str(var.type), "dtype": dtype, "shape": shape,
            "role": ", ".join(marks),
        }  # fmt: skip
        return vid

    def draw_graph(
        self, g: Any, nodes: Sequence[Apply], outputs: Sequence[Variable], roles: _Roles
    ) -> dict[Variable, str]:
        """Draw ``nodes`` (in execution order) and ``outputs`` into ``g``; return the drawn variables."""
        drawn: dict[Variable, str] = {}
        producer: dict[Variable, str] = {}  # a node output not drawn: the box computing it

        def source(var: Variable) -> tuple[str, str]:
            """The element an edge reading ``var`` starts from, and the edge's type text."""
            if var in drawn:
                return drawn[var], ""
            if var in producer and self.compact and not var.name and var not in roles.kinds:
                return producer[var], " ".join(_type_text(var)).strip()
            kind = roles.kinds.get(var, "constant" if isinstance(var, Constant) else "variable")
            drawn[var] = self.draw_var(g, var, kind, roles.marks.get(var, []))
            if var in producer:
                self.edge(g, producer[var], drawn[var], "")
            return drawn[var], ""

        for order, node in enumerate(nodes):
            aid = self.draw_apply(g, node, order)
            for k, inp in enumerate(node.inputs):
                tail, type_text = source(inp)
                label = " ".join(
                    t for t in (str(k) if len(node.inputs) > 1 else "", type_text) if t
                )
                self.edge(g, tail, aid, label)
            producer.update(dict.fromkeys(node.outputs, aid))
            for k, body in enumerate(node.op.inner_fgraphs):
                self.draw_inner(g, node, aid, k, body)
        for out in outputs:
            source(out)
        return drawn

    def edge(self, g: Any, tail: str, head: str, label: str, **attrs: str) -> None:
        eid = self.new_id("e")
        g.edge(tail, head, label=self.cut(label), id=eid, **attrs)

    def draw_apply(self, g: Any, node: Apply, order: int) -> str:
        aid = self.new_id("a")
        family = _family(node.op, self.colors)
        label = str(node.op) + (f"\nid={order}" if self.with_ids else "")
        attrs = self.fill(self.colors[family]) if family in self.colors else {}
        style = ",".join(s for s in (attrs.pop("style", ""), "rounded") if s)
        g.node(aid, self.cut(label), id=aid, shape="box", style=style, **attrs)
        outs = [" ".join(_type_text(o)).strip() for o in node.outputs]
        self.drawing.details[aid] = {
            "kind": "apply", "op": str(node.op), "class": type(node.op).__name__,
            "family": family, "order": str(order), "type": "; ".join(str(o.type) for o in node.outputs),
            "outputs": "; ".join(outs),
        }  # fmt: skip
        return aid

    def draw_inner(self, g: Any, node: Apply, aid: str, k: int, body: FunctionGraph) -> None:
        """Inner graph ``k`` of ``node`` as a cluster, joined to the node's box by a dashed edge."""
        cid = self.new_id("c")  # the SVG id; Graphviz's name of a cluster starts with ``cluster``
        self.drawing.clusters[cid] = []
        n = len(node.op.inner_fgraphs)
        title = f"{node.op} inner graph" + (f" {k} of {n}" if n > 1 else "")
        roles = _Roles()
        for i, var in enumerate(body.inputs):
            roles.mark(var, "input", f"*{i}-{var}")
        for i, out in enumerate(body.outputs):
            roles.mark(out, "output", f"→ output {i}")
        self.open_clusters.append(cid)
        with g.subgraph(name=f"cluster_{cid}") as c:
            c.attr(
                label=title, id=cid, style="dashed,rounded", color="grey30", fontname="Helvetica"
            )
            drawn = self.draw_graph(c, body.toposort(), body.outputs, roles)
        self.open_clusters.pop()
        self.drawing.details[cid] = {"kind": "inner graph", "op": str(node.op), "name": title}
        head = drawn[body.outputs[0]]
        self.edge(
            g, aid, head, "inner graph", lhead=f"cluster_{cid}", style="dashed", color="grey30"
        )


def draw(
    obj: Any,
    compact: bool = True,
    with_ids: bool = False,
    high_contrast: bool = True,
    colorCodes: Mapping[str, str] | None = None,  # noqa: N803 (PyTensor's name)
    max_label_size: int = 70,
    var_with_name_simple: bool = False,
) -> Drawing:
    """The drawing of a Function, a FunctionGraph, an Apply, a variable or a list of variables.

    The arguments are :func:`pydotprint`'s.

    Raises
    ------
    TypeError
        For an object that is not a graph.
    ImportError
        Without the ``graphviz`` package.
    """
    graphviz = _graphviz()
    colors = {**default_colorCodes, **(colorCodes or {})}
    if isinstance(obj, Function):
        fg = obj.maker.fgraph
        nodes, outputs, roles = fg.toposort(), fg.outputs, _function_roles(obj)
        title = f"function {obj.name}" if obj.name else "function"
    elif isinstance(obj, FunctionGraph):
        nodes, outputs = obj.toposort(), obj.outputs
        roles, title = _plain_roles(obj.inputs, outputs), "FunctionGraph"
    else:
        if isinstance(obj, Apply):
            obj = obj.outputs
        outputs = [obj] if isinstance(obj, Variable) else obj
        if not isinstance(outputs, list | tuple) or not all(
            isinstance(v, Variable) for v in outputs
        ):
            raise TypeError(
                f"pydotprint: cannot draw {obj!r} of type {type(obj).__name__}; give a compiled "
                "Function, a FunctionGraph, an Apply, a Variable or a list of Variables"
            )
        inputs = graph_inputs(outputs)
        nodes, roles, title = toposort(inputs, outputs), _plain_roles(inputs, outputs), "graph"
    g = graphviz.Digraph(
        graph_attr={"compound": "true", "rankdir": "TB"},
        node_attr={"fontname": "Helvetica", "fontsize": "12"},
        edge_attr={"fontname": "Helvetica", "fontsize": "10"},
    )
    builder = _Builder(
        Drawing(g, title=title), colors, compact, with_ids, high_contrast, max_label_size,
        var_with_name_simple,
    )  # fmt: skip
    drawn = builder.draw_graph(g, nodes, outputs, roles)
    for new, shared in roles.updates:
        builder.edge(
            g, drawn[new], drawn[shared], "UPDATE", style="dashed", color=colors["Output"],
            fontcolor=colors["Output"], constraint="false",
        )  # fmt: skip
    return builder.drawing


def render(drawing: Drawing, format: str) -> bytes:
    """The drawing laid out by Graphviz's ``dot``, as bytes of ``format`` (``'svg'``, ``'png'``...).

    Raises
    ------
    RuntimeError
        When Graphviz's ``dot`` program is not installed.
    """
    graphviz = _graphviz()
    try:
        return drawing.graph.pipe(format=format, engine="dot")
    except graphviz.ExecutableNotFound as err:
        raise RuntimeError(f"Drawing a graph needs {_NEED_DOT}") from err


def pydotprint(
    fct: Any,
    outfile: Path | str | None = None,
    compact: bool = True,
    format: str = "png",
    with_ids: bool = False,
    high_contrast: bool = True,
    cond_highlight: Any = None,
    colorCodes: Mapping[str, str] | None = None,  # noqa: N803 (PyTensor's name)
    max_label_size: int = 70,
    scan_graphs: bool = False,
    var_with_name_simple: bool = False,
    print_output_file: bool = True,
    return_image: bool = False,
) -> Path | bytes:
    """Draw a graph into an image file through Graphviz, as PyTensor's ``pydotprint``.

    Ops are rounded boxes filled with their family's colour (``colorCodes``,
    looked up by the op's class and its bases: Elemwise pink, reductions
    orange, Scan yellow, IfElse magenta...), variables ellipses with their
    name, dtype and static shape (``?`` for a length known at run time).
    Inputs are green, shared variables cyan (``shared, updated`` when the
    function updates them), outputs blue; a new value of a shared variable
    is an output marked ``update of W`` with a dashed ``UPDATE`` edge back
    to ``W``; an argument whose buffer the call donates to XLA is marked
    ``donated buffer``. The inner graphs of scan and ifelse are dashed
    clusters, joined to their op's box, their inputs marked ``*k-name``.
    An edge into an op with several inputs is labelled with the input's
    position.

    Parameters
    ----------
    fct : Function, FunctionGraph, Apply, Variable or list of Variable
    outfile : path, optional
        Where to write; its suffix becomes ``format``'s. Default
        ``graph2jax.pydotprint.<format>`` in the temporary directory.
    compact : bool
        Leave out the unnamed intermediate variables: the edge between two
        ops then carries the variable's dtype and shape.
    format : str
        Any format of Graphviz's ``dot``: ``'png'``, ``'svg'``, ``'pdf'``...
    with_ids : bool
        Add each op's position in the execution order to its box.
    high_contrast : bool
        Fill the boxes with their colour (else colour their border).
    cond_highlight : None
        PyTensor's highlighting of lazy-if branches: not supported (the
        branches are drawn as clusters instead).
    colorCodes : dict, optional
        ``{op class name: colour}`` merged over :data:`default_colorCodes`
        (keys ``'Input'``, ``'Shared'``, ``'Output'`` colour variables).
    max_label_size : int
        Longer label lines are cut to this length, ending in ``...``.
    scan_graphs : bool
        Accepted for PyTensor's scripts; inner graphs are always drawn, as
        clusters of the same picture (PyTensor writes one file per scan).
    var_with_name_simple : bool
        A named variable shows its name only.
    print_output_file : bool
        Print where the file was written.
    return_image : bool
        Return the image's bytes instead of writing a file.

    Returns
    -------
    The path written, or the image's bytes with ``return_image=True``.

    Raises
    ------
    ImportError
        Without the ``graphviz`` package (the ``viz`` extra).
    RuntimeError
        Without Graphviz's ``dot`` program.
    TypeError
        For an object that is not a graph.
    NotImplementedError
        When ``cond_highlight`` is given.

    Examples
    --------
    >>> import graph2jax as g, graph2jax.tensor as pt
    >>> x = pt.vector("x")
    >>> svg = pydotprint(pt.exp(x) * 2, format="svg", return_image=True).decode()
    >>> svg.count('class="node"'), svg.count('class="edge"')
    (5, 4)
    """
    del scan_graphs  # inner graphs are always drawn
    if cond_highlight is not None:
        raise NotImplementedError(
            "pydotprint: cond_highlight is not supported; ifelse branches are drawn as clusters"
        )
    drawing = draw(
        fct, compact, with_ids, high_contrast, colorCodes, max_label_size, var_with_name_simple
    )
    image = render(drawing, format)
    if return_image:
        return image
    if outfile is None:
        path = Path(tempfile.gettempdir()) / f"graph2jax.pydotprint.{format}"
    else:
        path = Path(outfile).with_suffix(f".{format}")
    path.write_bytes(image)
    if print_output_file:
        print("The output file is available at", path)
    return path
