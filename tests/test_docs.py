"""The documentation's own checks: every public name has a docstring, and the
op-coverage table of ``docs/ops.rst`` matches the code (the rst pages' examples
run as doctests through ``--doctest-glob``)."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest

import graph2jax

DOCS = Path(__file__).resolve().parent.parent / "docs"

#: modules whose every public (non-underscore) callable or class is checked
PUBLIC_MODULES = (
    "graph2jax",
    "graph2jax.tensor",
    "graph2jax.tensor.linalg",
    "graph2jax.tensor.special",
    "graph2jax.tensor.random",
    "graph2jax.gradient",
    "graph2jax.sharding",
)

#: further names of /work/shared/API.md: module attributes and methods ("module:Class.attr");
#: each must exist and be documented
API_NAMES = (
    "graph2jax.tensor.random.utils:RandomStream",
    "graph2jax.compile.io:In",
    "graph2jax.compile.io:Out",
    "graph2jax.compile.function:function",
    "graph2jax.compile.function:function_dump",
    "graph2jax.compile.sharedvalue:shared",
    "graph2jax.compile.function.types:UnusedInputError",
    "graph2jax.compile:get_mode",
    "graph2jax.compile:Mode",
    "graph2jax.compile:Mode.including",
    "graph2jax.compile:Mode.excluding",
    "graph2jax.compile:ProfileStats.summary",
    "graph2jax.compile:Function.__call__",
    "graph2jax.compile:Function.copy",
    "graph2jax.compile:Function.free",
    "graph2jax.compile:Function.jax_fn",
    "graph2jax.compile:Function.lower",
    "graph2jax.config:Config.change_flags",
    "graph2jax.linker.dispatch:jax_funcify",
    "graph2jax.linker.dispatch:unsupported_ops",
    "graph2jax.tensor.sharedvar:SharedVariable.get_value",
    "graph2jax.tensor.sharedvar:SharedVariable.set_value",
    "graph2jax.tensor.sharedvar:SharedVariable.clone",
    "graph2jax.tensor.type:TensorType",
    "graph2jax.printing:debugprint",
    "graph2jax.printing:pp",
    "graph2jax.printing:jax_source",
    "graph2jax.printing:pydotprint",
    "graph2jax.d3viz:d3viz",
    "graph2jax:dprint",
    "graph2jax:export",
    "graph2jax:load_exported",
    "graph2jax.compile.exporting:ExportedFunction.call",
    "graph2jax.compile.exporting:ExportedFunction.save",
    "graph2jax.compile.exporting:ExportedFunction.state",
    *(
        f"graph2jax.tensor:TensorVariable.{m}"
        for m in (
            "T shape ndim dtype sum mean max min prod std var argmax argmin all any "
            "reshape flatten dimshuffle transpose astype clip round eval"
        ).split()
    ),
)


def _resolve(entry: str) -> Any:
    """The object named ``module:Class.attr`` (ImportError or AttributeError when missing)."""
    module_name, _, path = entry.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in path.split("."):
        obj = inspect.getattr_static(obj, part) if inspect.isclass(obj) else getattr(obj, part)
    if isinstance(obj, staticmethod | classmethod):
        obj = obj.__func__
    return obj


def _doc(obj: Any) -> str:
    """The object's own docstring: a class's is not inherited, an instance's may be its class's."""
    if isinstance(obj, property):
        obj = obj.fget
    if inspect.isclass(obj):
        return obj.__dict__.get("__doc__") or ""
    return inspect.getdoc(obj) or ""


def _is_trivial(name: str, doc: str) -> bool:
    text = doc.strip()
    short = name.rsplit(".", 1)[-1]
    return len(text) < 15 or text.rstrip(".").lower() in {short.lower(), f"the {short.lower()}"}


def _public_objects() -> dict[str, Any]:
    """Qualified name → object, each object once (under its first name)."""
    found: dict[str, Any] = {}
    seen: set[int] = set()

    def add(name: str, obj: Any) -> None:
        if id(obj) not in seen:
            seen.add(id(obj))
            found[name] = obj

    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in sorted(dir(module)):
            obj = getattr(module, name)
            if name.startswith("_") or inspect.ismodule(obj) or not callable(obj):
                continue
            add(f"{module_name}.{name}", obj)
    for entry in API_NAMES:
        add(entry.replace(":", "."), _resolve(entry))
    return found


@pytest.mark.parametrize("entry", API_NAMES)
def test_intended_api_name_exists(entry: str) -> None:
    try:
        _resolve(entry)
    except (ImportError, AttributeError) as err:
        raise AssertionError(f"{entry} does not exist: {err}") from err


def test_every_public_name_has_a_docstring() -> None:
    offenders = [
        f"{name} (defined in {getattr(obj, '__module__', None) or type(obj).__module__})"
        for name, obj in _public_objects().items()
        if _is_trivial(name, _doc(obj))
    ]
    assert not offenders, (
        f"{len(offenders)} public names lack a docstring (numpy style, one summary "
        "line at least):\n  " + "\n  ".join(offenders)
    )


def test_the_check_sees_the_main_names() -> None:
    names = _public_objects()
    for expected in (
        "graph2jax.function",
        "graph2jax.tensor.exp",
        "graph2jax.grad",
        "graph2jax.compile.Function.copy",
        "graph2jax.tensor.TensorVariable.sum",
    ):
        assert expected in names
    assert _is_trivial("f", "f.") and not _is_trivial("f", "Compile a graph into a Function.")


def _coverage_module() -> Any:
    spec = importlib.util.spec_from_file_location("graph2jax_docs_coverage", DOCS / "coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_op_coverage_table_is_current() -> None:
    current = _coverage_module().coverage_table()
    stored = (DOCS / "op_coverage.txt").read_text()
    assert stored == current, (
        "docs/op_coverage.txt is stale (an op was added, removed or changed); regenerate it "
        "with: .venv/bin/python docs/coverage.py > docs/op_coverage.txt"
    )


def test_op_coverage_table_lists_every_op_family() -> None:
    table = (DOCS / "op_coverage.txt").read_text()
    for op in ("Elemwise", "CAReduce", "Subtensor", "Cholesky", "Softmax", "Dot"):
        assert f"\n{op} " in table


def _listed_functions() -> dict[str, list[str]]:
    """The ``:functions:`` fields of docs/ops.rst: namespace -> the names listed there."""
    text = (DOCS / "ops.rst").read_text()
    fields = re.finditer(r"^:functions(?: in (\S+))?: ((?:.*\n)(?: +.*\n)*)", text, re.MULTILINE)
    listed: dict[str, list[str]] = {}
    for field in fields:
        names = re.search(r"``(.*?)``", field.group(2), re.DOTALL)
        assert names, f"a :functions: field of docs/ops.rst lists no ``names``: {field.group(0)!r}"
        listed.setdefault(field.group(1) or "graph2jax.tensor", []).extend(names.group(1).split())
    return listed


def test_the_op_families_of_ops_rst_list_existing_functions() -> None:
    listed = _listed_functions()
    assert len(listed["graph2jax.tensor"]) > 100 and "graph2jax.tensor.linalg" in listed
    missing = [
        f"{namespace}.{name}"
        for namespace, names in listed.items()
        for name in names
        if not hasattr(importlib.import_module(namespace), name)  # mgrid is an object
    ]
    assert not missing, f"docs/ops.rst lists functions that do not exist: {missing}"


def test_api_page_covers_every_module() -> None:
    modules = [
        info.name
        for info in pkgutil.walk_packages(graph2jax.__path__, "graph2jax.")
        if not any(part.startswith("_") for part in info.name.split("."))
    ]
    api = (DOCS / "api.rst").read_text()
    missing = [m for m in modules if f".. automodule:: {m}\n" not in api]
    assert not missing, (
        "modules missing from docs/api.rst (add an '.. automodule::' entry, with "
        f"':members:' where the module defines public names): {missing}"
    )
