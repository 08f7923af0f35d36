"""Print the op-coverage tables of docs/ops.rst (``docs/op_coverage.txt``).

First every :class:`~graph2jax.graph.basic.Op` subclass defined in graph2jax,
with its module, whether it has a JAX implementation (``jax_funcify``), a
numpy reference (``perform``) and a gradient (``L_op``/``grad``, unless the op
sets ``differentiable = False``); then every scalar function the
:class:`~graph2jax.ops.elemwise.Elemwise` op applies, with its arity and
whether it has a gradient. Regenerate the file after adding an op::

    .venv/bin/python docs/coverage.py > docs/op_coverage.txt

``tests/test_docs.py`` fails when the file differs from this script's output.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import graph2jax
from graph2jax.graph.basic import Op
from graph2jax.linker.dispatch import has_jax_impl
from graph2jax.ops.scalar import SCALAR_OPS


def op_classes() -> list[type[Op]]:
    """Every concrete Op subclass defined in graph2jax, sorted by module then name.

    Private bases of other ops (``_SolveBase``) are abstract and left out; a
    module needing a missing optional third-party package is skipped.
    """
    for info in pkgutil.walk_packages(graph2jax.__path__, "graph2jax."):
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as err:
            if (err.name or "").split(".")[0] == "graph2jax":
                raise
    found, todo = set(), [Op]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    ours = [
        c
        for c in found
        # defined in a module (not in a doctest run with that module's name), and concrete
        if getattr(sys.modules.get(c.__module__), c.__qualname__, None) is c
        and c.__module__.startswith("graph2jax.")
        and not (c.__name__.startswith("_") and c.__subclasses__())
    ]
    return sorted(ours, key=lambda c: (c.__module__, c.__qualname__))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """``rows`` as a reStructuredText simple table."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()

    rule = "  ".join("=" * w for w in widths)
    return "\n".join([rule, line(header), rule, *map(line, rows), rule]) + "\n"


def coverage_table() -> str:
    """Both tables as text: the Op classes, then the elementwise scalar functions."""
    ops = [
        (
            cls.__qualname__,
            cls.__module__,
            _yes(has_jax_impl(cls)),
            _yes(cls.perform is not Op.perform),
            _yes(cls.differentiable and (cls.L_op is not Op.L_op or cls.grad is not Op.grad)),
        )
        for cls in op_classes()
    ]
    scalars = [
        (sop.name, str(sop.nin), _yes(sop.grad is not None))
        for sop in sorted(SCALAR_OPS.values(), key=lambda s: s.name)
    ]
    return (
        _table(("op", "module", "jax", "perform", "grad"), ops)
        + "\n"
        + _table(("elementwise function", "inputs", "grad"), scalars)
    )


if __name__ == "__main__":
    print(coverage_table(), end="")
