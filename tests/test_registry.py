"""Every op of graph2jax has a JAX implementation, a numpy reference and, if differentiable, a gradient."""

from __future__ import annotations

import importlib
import pkgutil

import graph2jax
from graph2jax.graph.basic import Op
from graph2jax.linker.dispatch import has_jax_impl


def _import_all_of_graph2jax() -> None:
    """Import every module of graph2jax (ops live in graph2jax.ops, and scan, ifelse... beside it).

    A module that needs a missing optional third-party package is skipped; a
    missing graph2jax module is an error.
    """
    for info in pkgutil.walk_packages(graph2jax.__path__, prefix="graph2jax."):
        try:
            importlib.import_module(info.name)
        except ModuleNotFoundError as err:
            if (err.name or "").split(".")[0] == "graph2jax":
                raise


def _all_graph2jax_ops() -> list[type]:
    """Every Op subclass defined in a graph2jax module.

    Private bases of other ops (``_SoftmaxBase``) are abstract and skipped; ops
    defined by tests live outside graph2jax and are skipped too.
    """
    _import_all_of_graph2jax()
    found, stack = {}, [Op]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            abstract = sub.__name__.startswith("_") and sub.__subclasses__()
            if sub.__module__.startswith("graph2jax.") and not abstract:
                found[f"{sub.__module__}.{sub.__qualname__}"] = sub
    return [found[name] for name in sorted(found)]


def _overrides(cls: type, *names: str) -> bool:
    """Whether ``cls`` or a parent below Op defines one of ``names``."""
    return any(getattr(cls, n) is not getattr(Op, n) for n in names)


def test_every_op_has_jax_impl_perform_and_gradient():
    ops = _all_graph2jax_ops()
    assert ops, "no op found in graph2jax"
    offenders = []
    for cls in ops:
        name = f"{cls.__module__}.{cls.__qualname__}"
        if not has_jax_impl(cls):
            offenders.append(f"{name}: no JAX implementation (jax_funcify.register)")
        if not _overrides(cls, "perform"):
            offenders.append(f"{name}: no numpy reference (perform)")
        if cls.differentiable and not _overrides(cls, "L_op", "grad"):
            offenders.append(f"{name}: no gradient (L_op or grad; or set differentiable = False)")
    assert not offenders, f"{len(offenders)} problem(s):\n" + "\n".join(offenders)
