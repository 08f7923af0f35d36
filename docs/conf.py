"""Sphinx configuration for the graph2jax documentation (``make docs``)."""

project = "graph2jax"
author = "the graph2jax developers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.doctest"]
napoleon_numpy_docstring = True
autodoc_member_order = "bysource"
exclude_patterns = ["_build"]
html_theme = "alabaster"
