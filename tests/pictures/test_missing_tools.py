"""The errors of drawing without what it needs, or with what it cannot draw: each names the
fix. They run without Graphviz (but one needs the ``graphviz`` package)."""

from __future__ import annotations

import sys

import pytest

import graph2jax.tensor as pt
from graph2jax.printing import pydotprint
from tests.pictures import needs


@needs.GRAPHVIZ
def test_bad_arguments_raise():
    with pytest.raises(TypeError, match="cannot draw 3 of type int"):
        pydotprint(3)
    with pytest.raises(NotImplementedError, match="cond_highlight"):
        pydotprint(pt.vector("x") * 2, cond_highlight=True)


def test_without_dot_the_error_says_what_to_install(monkeypatch):
    pytest.importorskip("graphviz", reason="the dot-less error comes from the graphviz package")
    monkeypatch.setenv("PATH", "")
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        pydotprint(pt.vector("x") * 2, return_image=True)


def test_without_the_graphviz_package_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # ``import graphviz`` raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'graph2jax\[viz\]'"):
        pydotprint(pt.vector("x") * 2)
