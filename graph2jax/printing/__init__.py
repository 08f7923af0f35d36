"""Views of graphs: text (:func:`debugprint`, a tree, one line per node; :func:`pp`, an
infix expression; :func:`jax_source`, what the JAX linker traces) and pictures
(:func:`pydotprint`, through Graphviz; see also :func:`graph2jax.d3viz.d3viz`).

Examples
--------
>>> import graph2jax.tensor as pt
>>> from graph2jax.printing import debugprint, pp
>>> x = pt.vector("x")
>>> e = pt.exp(x)
>>> _ = debugprint(e + e)
add [id A]
 ├─ exp [id B]
 │  └─ x [id C]
 └─ exp [id B]
    └─ ···
>>> pp(e + e)
'(exp(x) + exp(x))'
"""

from __future__ import annotations

from graph2jax.ops.debug_print import Print
from graph2jax.printing.picture import pydotprint
from graph2jax.printing.text import debugprint, dprint, jax_source, pp

__all__ = ["Print", "debugprint", "dprint", "jax_source", "pp", "pydotprint"]
