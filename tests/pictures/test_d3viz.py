"""d3viz's page, read as text: the embedded SVG, the details of each node, offline, profiled."""

from __future__ import annotations

import json
import re

import pytest

import graph2jax as g
import graph2jax.tensor as pt
from graph2jax.d3viz import d3viz
from graph2jax.printing import pydotprint
from tests.pictures import needs
from tests.pictures.svg import read

pytestmark = needs.GRAPHVIZ


def page_data(page: str) -> dict:
    (data,) = re.findall(r'<script id="graph-data" type="application/json">(.*?)</script>', page)
    return json.loads(data)


@pytest.fixture(scope="module")
def branchy_page(branchy, tmp_path_factory) -> str:
    return d3viz(branchy, tmp_path_factory.mktemp("d3viz") / "deep" / "branchy.html").read_text()


def test_the_page_holds_the_picture_and_each_nodes_details(branchy, branchy_page):
    p = read(branchy_page)
    same = read(pydotprint(branchy, format="svg", return_image=True).decode())
    assert (len(p.nodes), len(p.edges), len(p.clusters)) == (25, 24, 3)
    assert (p.nodes, p.edges, p.clusters) == (same.nodes, same.edges, same.clusters)
    data = page_data(branchy_page)
    assert data["details"].keys() == p.nodes.keys() | p.clusters.keys()
    assert data["clusters"].keys() == p.clusters.keys()
    scan_box = next(k for k, v in p.nodes.items() if v[0].startswith("Scan"))
    topo = branchy.maker.fgraph.toposort()
    order = next(k for k, node in enumerate(topo) if type(node.op).__name__ == "Scan")
    assert data["details"][scan_box] == {
        "kind": "apply", "op": "Scan{scan, for, 1 states}", "class": "Scan", "family": "Scan",
        "order": str(order), "type": "TensorType(float64, shape=(None, None))", "outputs": "float64 (?, ?)",
    }  # fmt: skip
    x = p.node_with("x", "float64 (?,)", "input 1")
    assert data["details"][x] == {
        "kind": "input", "name": "x", "type": "TensorType(float64, shape=(None,))",
        "dtype": "float64", "shape": "(?,)", "role": "input 1",
    }  # fmt: skip
    assert "Not profiled" in branchy_page
    assert not [d for d in data["details"].values() if "time" in d]


def test_the_page_fetches_nothing(branchy_page):
    """No script, style or image comes from elsewhere: the links are data URLs and the only
    addresses are the SVG's XML namespaces (names, never fetched)."""
    links = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', branchy_page)
    assert links and all(link.startswith("data:") for link in links)
    assert set(re.findall(r"https?://[^\s\"']+", branchy_page)) == {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert branchy_page.count("<script") == 2  # the data and the view's own script
    assert "function setViewBox()" in branchy_page and "#canvas svg" in branchy_page


def test_a_profiled_function_gives_its_call_times(step, tmp_path):
    page = d3viz(step, tmp_path / "step.html").read_text()
    n, total = step.profile.call_count, step.profile.call_time
    assert n == 2 and f"Profiled: 2 calls, {total:.3g} s in calls ({total / n:.3g} s each)" in page
    timed = [d for d in page_data(page)["details"].values() if "time" in d]
    assert len(timed) == 4 and all(d["kind"] == "apply" for d in timed)
    assert timed[0]["time"].startswith("not measured per node: the call is one XLA computation")


def test_drawing_options_and_odd_names_pass_through(tmp_path):
    x = pt.vector("</script><b>x")
    f = g.function([x], x * 2, name="f<1>")
    page = d3viz(f, tmp_path / "odd.html", with_ids=True, copy_deps=False).read_text()
    assert page.count("<script") == 2 and "<title>function f&lt;1&gt;</title>" in page
    assert "id=0" in page
    assert {d.get("name") for d in page_data(page)["details"].values()} >= {"</script><b>x"}
