"""The doctests that draw (pydotprint, d3viz, docs/pictures.rst) need Graphviz: where it is
missing they are skipped, the reason saying what to install."""

from __future__ import annotations

from pathlib import Path

from _pytest.doctest import DoctestItem

from tests.pictures.needs import GRAPHVIZ

ROOT = Path(__file__).resolve().parent
DRAWING = {
    ROOT / "graph2jax" / "printing" / "picture.py",
    ROOT / "graph2jax" / "d3viz" / "__init__.py",
    ROOT / "docs" / "pictures.rst",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if isinstance(item, DoctestItem) and item.path in DRAWING:
            item.add_marker(GRAPHVIZ)
