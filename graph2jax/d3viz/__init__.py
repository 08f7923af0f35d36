"""An interactive view of a graph in one HTML file, as PyTensor's ``pytensor.d3viz``.

Graphviz lays the graph out (the drawing of :func:`graph2jax.printing.pydotprint`)
and writes it as SVG; the page embeds that SVG, the details of each node as
JSON, and a small script of its own (``view.js`` beside this module) for
panning, zooming, collapsing inner graphs and showing a node's details. The
page fetches nothing: it works offline.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from graph2jax.compile.function_shell import Function
from graph2jax.printing.picture import Drawing, draw, render

__all__ = ["d3viz"]


def _profile_text(fct: Any, drawing: Drawing) -> str:
    """The header's line on timings; each op's details get the per-call time it is part of."""
    profile = getattr(fct, "profile", None) if isinstance(fct, Function) else None
    if profile is None or not profile.call_count:
        return "Not profiled: compile with profile=True and call the function to see its times."
    mean = profile.call_time / profile.call_count
    for info in drawing.details.values():
        if info["kind"] == "apply":
            info["time"] = f"not measured per node: the call is one XLA computation ({mean:.3g} s)"
    return (
        f"Profiled: {profile.call_count} calls, {profile.call_time:.3g} s in calls "
        f"({mean:.3g} s each), compiled in {profile.linker_time:.3g} s. The whole call runs as "
        "one XLA computation, so no time is measured per node."
    )


def d3viz(fct: Any, outfile: Path | str, copy_deps: bool = True, **kwargs: Any) -> Path:
    """Write an interactive HTML view of a graph to ``outfile``, as PyTensor's ``d3viz``.

    The page shows the graph as :func:`graph2jax.printing.pydotprint` draws
    it; drag to pan, turn the wheel to zoom, hover or click a node to read
    its op, type, dtype, static shape and role (input, shared, update,
    donated buffer), click an inner graph's title (scan, ifelse) to collapse
    or expand it. For a function compiled with ``profile=True`` and called,
    the header gives the call count and times. Everything is inside the one
    file: it opens offline, with nothing fetched.

    Parameters
    ----------
    fct : Function, FunctionGraph, Apply, Variable or list of Variable
    outfile : path
        The HTML file to write; its folder is created if missing.
    copy_deps : bool
        Accepted for PyTensor's scripts: there are no files to copy, the
        script and style are inside the page.
    **kwargs
        :func:`~graph2jax.printing.pydotprint`'s drawing options
        (``compact``, ``with_ids``, ``colorCodes``, ``max_label_size``...).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ImportError, RuntimeError
        Without the ``graphviz`` package, or Graphviz's ``dot`` program.

    Notes
    -----
    PyTensor's view lays the graph out in the browser with dagre-d3 and lets
    nodes be dragged and relabelled; here Graphviz computes the layout once,
    so nodes keep their places and collapsing an inner graph hides its
    contents without laying the rest out again.

    Examples
    --------
    >>> import tempfile, pathlib, graph2jax as g, graph2jax.tensor as pt
    >>> x = pt.vector("x")
    >>> page = d3viz(g.function([x], pt.exp(x)), pathlib.Path(tempfile.mkdtemp()) / "f.html")
    >>> text = page.read_text()
    >>> text.count('class="node"'), "<script src" in text
    (3, False)
    """
    del copy_deps  # nothing to copy: the page holds its script and style
    drawing = draw(fct, **kwargs)
    profile = _profile_text(fct, drawing)
    svg = render(drawing, "svg").decode()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: the SVG is inline
    data = json.dumps({"details": drawing.details, "clusters": drawing.clusters})
    files = resources.files(__name__)
    values = {
        "TITLE": html.escape(drawing.title),
        "PROFILE": html.escape(profile),
        "CSS": files.joinpath("view.css").read_text(),
        "DATA": data.replace("</", "<\\/"),
        "JS": files.joinpath("view.js").read_text(),
        "SVG": svg,
    }
    page = re.sub("@([A-Z]+)@", lambda m: values[m[1]], files.joinpath("page.html").read_text())
    path = Path(outfile)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page)
    return path
