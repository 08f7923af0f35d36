"""d3viz's page as a person sees it: opened in headless chromium (Playwright driving Debian's
``/usr/bin/chromium``), counted, clicked, collapsed, zoomed and photographed.

One browser for the module. The screenshots go to ``build/screenshots/`` at the
repository's root; the end of the test log lists them ("screenshots:").
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from graph2jax.d3viz import d3viz
from tests.pictures import needs
from tests.pictures.svg import read

pytestmark = [needs.GRAPHVIZ, needs.BROWSER]

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=needs.CHROMIUM,
            args=ARGS,
            viewport={"width": 1400, "height": 800},
        )
        yield context
        context.close()


class Opened:
    """A page of ``browser`` showing ``path``, with what it logged and requested."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.picture = read(path.read_text())

    def visible(self, what: str) -> int:
        return self.page.locator(f"#canvas g.{what}:visible").count()

    def field(self, name: str) -> str:
        return self.page.locator(f'#fields dd[data-field="{name}"]').inner_text()

    def view_box(self) -> list[float]:
        return [float(v) for v in self.page.locator("#canvas svg").get_attribute("viewBox").split()]

    def screenshot(self, name: str, record_property) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / name
        self.page.screenshot(path=str(path))
        record_property("screenshot", str(path))
        print(f"screenshot: {path}")
        return path


@pytest.fixture(scope="module")
def branchy_opened(browser, branchy, tmp_path_factory):
    opened = Opened(browser, d3viz(branchy, tmp_path_factory.mktemp("browser") / "branchy.html"))
    yield opened
    opened.page.close()


def test_every_node_and_edge_is_shown_without_error_or_request(branchy_opened):
    o = branchy_opened
    assert (o.visible("node"), o.visible("edge"), o.visible("cluster")) == (25, 24, 3)
    assert (len(o.picture.nodes), len(o.picture.edges)) == (25, 24)
    assert o.errors == []
    assert o.requests == [o.page.url]  # the page itself, nothing else


def test_clicking_a_node_shows_its_details_and_hovering_another_previews_it(branchy_opened):
    o = branchy_opened
    scan = next(k for k, v in o.picture.nodes.items() if v[0].startswith("Scan"))
    o.page.click(f"#{scan}")
    assert (o.field("op"), o.field("class"), o.field("outputs")) == (
        "Scan{scan, for, 1 states}", "Scan", "float64 (?, ?)",
    )  # fmt: skip
    assert "selected" in o.page.get_attribute(f"#{scan}", "class")
    x = o.picture.node_with("x", "float64 (?,)", "input 1")
    o.page.hover(f"#{x}")
    assert (o.field("kind"), o.field("dtype"), o.field("shape")) == ("input", "float64", "(?,)")
    o.page.mouse.move(5, 5)  # off the node: the clicked one is shown again
    assert o.field("op") == "Scan{scan, for, 1 states}"
    assert o.errors == []


def test_an_inner_graph_collapses_and_expands(branchy_opened, record_property):
    o = branchy_opened
    cid, title = next((k, v[0]) for k, v in o.picture.clusters.items() if v[0].startswith("Scan"))
    inside = [k for k in o.picture.nodes if o.picture.inside(k, cid)]
    o.page.click(f"#{cid} text")
    assert o.page.locator(f"#{cid} text").text_content() == f"▸ {title}"
    assert o.visible("node") == 25 - len(inside) and len(inside) == 4
    assert all(not o.page.locator(f"#{k}").is_visible() for k in inside)
    o.screenshot("d3viz-collapsed.png", record_property)
    o.page.click(f"#{cid} text")
    assert o.visible("node") == 25 and o.page.locator(f"#{cid} text").text_content() == f"▾ {title}"
    assert o.errors == []


def test_the_wheel_zooms_and_a_drag_pans(branchy_opened, record_property):
    o = branchy_opened
    x, y, w, h = o.view_box()
    o.page.mouse.move(500, 400)
    o.page.mouse.wheel(0, -300)  # zoom in: a smaller part of the graph fills the canvas
    o.page.wait_for_function(f"document.querySelector('#canvas svg').viewBox.baseVal.width < {w}")
    zoomed = o.view_box()
    assert zoomed[2] < w and zoomed[3] < h
    o.page.mouse.move(500, 400)
    o.page.mouse.down()
    o.page.mouse.move(400, 350)
    o.page.mouse.up()
    panned = o.view_box()
    assert panned[0] > zoomed[0] and panned[1] > zoomed[1] and panned[2:] == zoomed[2:]
    scan = next(k for k, v in o.picture.nodes.items() if v[0].startswith("Scan"))
    o.page.click(f"#{scan}")
    shot = o.screenshot("d3viz-branchy.png", record_property)
    assert shot.stat().st_size > 10_000
    assert o.errors == []


def test_a_profiled_functions_page_gives_its_times(browser, step, tmp_path, record_property):
    o = Opened(browser, d3viz(step, tmp_path / "step.html"))
    assert o.page.inner_text("#profile").startswith("Profiled: 2 calls")
    sub = o.picture.node_with("sub")
    o.page.click(f"#{sub}")
    assert o.field("op") == "sub"
    assert o.field("time").startswith("not measured per node: the call is one XLA computation")
    new_w = o.picture.node_with("float64 (?,)", "update of W")
    o.page.click(f"#{new_w}")
    assert (o.field("kind"), o.field("role")) == ("update", "update of W")
    o.screenshot("d3viz-step.png", record_property)
    assert o.errors == [] and o.requests == [o.page.url]
    o.page.close()
