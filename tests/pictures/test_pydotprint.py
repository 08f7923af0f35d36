"""pydotprint: the SVG Graphviz draws, read back: its nodes, edges, marks, colours and clusters."""

from __future__ import annotations

import pytest

import graph2jax as g
import graph2jax.tensor as pt
from graph2jax.graph.fg import FunctionGraph
from graph2jax.printing import pydotprint
from graph2jax.printing.picture import default_colorCodes, draw
from tests.pictures import needs
from tests.pictures.svg import Picture, read

pytestmark = needs.GRAPHVIZ


def picture(obj, **kwargs) -> Picture:
    return read(pydotprint(obj, format="svg", return_image=True, **kwargs).decode())


@pytest.fixture(scope="module")
def step_picture(step) -> Picture:
    return picture(step)


def test_a_function_draws_each_op_input_output_and_update(step, step_picture):
    """x, W, the constant 0.1, four ops (mul, Sum, mul, sub), the output and W's new value;
    an edge per op input, one into each output, and W's UPDATE edge."""
    p = step_picture
    assert (len(p.nodes), len(p.edges), len(p.clusters)) == (9, 10, 0)
    boxes = sorted(texts[0] for k, texts in p.nodes.items() if k.startswith("a"))
    assert boxes == sorted(str(n.op) for n in step.maker.fgraph.toposort())
    assert boxes == ["Sum{axis=(0,)}", "mul", "mul", "sub"]


def test_shared_variables_updates_and_donated_buffers_are_marked(step_picture):
    p = step_picture
    w = p.node_with("W", "float64 (?,)", "shared, updated", "donated buffer")
    new_w = p.node_with("float64 (?,)", "update of W")
    x = p.node_with("x", "float64 (?,)", "input 0")
    assert "donated buffer" not in p.nodes[x]  # an input the caller keeps
    (update,) = [k for k, texts in p.edges.items() if texts == ["UPDATE"]]
    assert p.ends[update] == (new_w, w)
    out = p.node_with("float64 ()", "output 0")
    assert [p.ends[k][0] for k in p.ends if p.ends[k][1] == out] == [p.node_with("Sum{axis=(0,)}")]


def test_a_function_without_updates_donates_nothing():
    x = pt.vector("x")
    p = picture(g.function([x], pt.exp(x)))
    assert not [k for k, t in p.nodes.items() if "donated buffer" in t or "shared" in t]


def test_ops_are_coloured_by_family_and_variables_by_role(step_picture):
    p = step_picture
    colour = {k: p.fills[p.node_with(*lines)] for k, lines in {
        "mul": ("sub",), "sum": ("Sum{axis=(0,)}",), "x": ("input 0",),
        "W": ("update of W",), "shared": ("shared, updated",),
    }.items()}  # fmt: skip
    assert colour == {
        "mul": default_colorCodes["Elemwise"].lower(),
        "sum": default_colorCodes["CAReduce"].lower(),
        "x": default_colorCodes["Input"],
        "W": default_colorCodes["Output"],
        "shared": default_colorCodes["Shared"],
    }


def test_options_colour_codes_ids_contrast_and_names(step):
    p = picture(step, colorCodes={"Elemwise": "#123456"}, with_ids=True)
    assert {p.fills[k] for k, t in p.nodes.items() if t[0] in ("mul", "sub")} == {"#123456"}
    orders = sorted(t[1] for k, t in p.nodes.items() if k.startswith("a"))
    assert orders == ["id=0", "id=1", "id=2", "id=3"]
    plain = picture(step, high_contrast=False, var_with_name_simple=True)
    assert {plain.fills[k] for k in plain.nodes if k.startswith("a")} == {"none"}
    assert plain.node_with("W") and ["W"] in plain.nodes.values()
    cut = picture(step, max_label_size=8)
    assert ["Sum{a..."] in cut.nodes.values()


def test_compact_false_draws_the_intermediate_variables(step, step_picture):
    p = picture(step, compact=False)
    # the two products, which compact drawing leaves on their edges
    assert (len(p.nodes), len(p.edges)) == (
        len(step_picture.nodes) + 2,
        len(step_picture.edges) + 2,
    )


def test_variables_an_apply_and_a_function_graph_are_drawn():
    x, y = pt.vector("x"), pt.vector("y")
    s, m = x + y, x * y
    for obj in ([s, m], (s, m)):
        p = picture(obj)  # x, y, add, mul and the two outputs
        assert (len(p.nodes), len(p.edges)) == (6, 6)
        assert p.node_with("output 1") and p.node_with("x", "float64 (?,)", "input")
    assert (len(picture(s.owner).nodes), len(picture(s.owner).edges)) == (4, 3)
    p = picture(FunctionGraph([x, y], [s]))
    assert (len(p.nodes), len(p.edges)) == (4, 3)
    p = picture(pt.exp(x) * 2)  # the constant is drawn with its value
    assert (len(p.nodes), len(p.edges)) == (5, 4)
    assert p.node_with("[2]", "int8 (1,)")


def test_inner_graphs_are_clusters_holding_their_nodes(branchy):
    p = picture(branchy)
    titles = sorted(t[0] for t in p.clusters.values())
    assert titles == [
        "Scan{scan, for, 1 states} inner graph",
        "if{} inner graph 0 of 2",
        "if{} inner graph 1 of 2",
    ]
    members = draw(branchy).clusters
    assert members.keys() == p.clusters.keys()
    for cid, ids in members.items():
        nodes = [k for k in ids if k in p.nodes]
        assert nodes and all(p.inside(k, cid) for k in nodes)
        assert not any(p.inside(k, cid) for k in p.nodes.keys() - set(ids) if k.startswith("v"))
    assert [t for t in p.nodes.values() if "*0-x" in t] == [["x", "float64 (?,)", "*0-x"]] * 2
    assert p.node_with("x[t-1]", "float64 (?,)", "*0-x[t-1]")
    joins = [k for k, t in p.edges.items() if t == ["inner graph"]]
    assert sorted(p.nodes[p.ends[k][0]][0] for k in joins) == [
        "Scan{scan, for, 1 states}", "if{}", "if{}",
    ]  # fmt: skip


def test_formats_and_files(step, tmp_path, capsys):
    assert pydotprint(step, format="png", return_image=True)[:8] == b"\x89PNG\r\n\x1a\n"
    assert pydotprint(step, format="pdf", return_image=True)[:5] == b"%PDF-"
    path = pydotprint(step, tmp_path / "step.txt", format="svg")
    assert path == tmp_path / "step.svg" and path.read_text().count('class="node"') == 9
    assert capsys.readouterr().out == f"The output file is available at {path}\n"
    default = pydotprint(step, print_output_file=False)
    assert default.name == "graph2jax.pydotprint.png" and default.read_bytes()[:4] == b"\x89PNG"
    assert capsys.readouterr().out == ""
