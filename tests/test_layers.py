"""The package's layers import one way, top down, and its files stay small.

DESIGN.md's order, top down: ``graph2jax/__init__`` → ``printing`` → ``compile/`` →
``tensor/`` (the user's namespace) → ``gradient/`` → ``rewrite/`` → ``ops/`` → ``linker/`` →
``types/`` → ``graph/`` → ``config``. A module may import, at module level, modules of its
own layer or below; upward calls happen at call time, inside functions. The imports are read
from the source with :mod:`ast`, so a violation is found without importing anything.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "graph2jax"

#: top down; a module belongs to the first layer whose name is a prefix of its own
LAYERS = (
    "graph2jax",
    "graph2jax.printing",
    "graph2jax.compile",
    "graph2jax.tensor",
    "graph2jax.gradient",
    "graph2jax.rewrite",
    "graph2jax.ops",
    "graph2jax.linker",
    "graph2jax.types",
    "graph2jax.graph",
    "graph2jax.utils",
    "graph2jax.config",
)

#: the layers whose modules ``import graph2jax.types.sharedvar`` must not load
ABOVE_TYPES = (
    "graph2jax.ops",
    "graph2jax.gradient",
    "graph2jax.rewrite",
    "graph2jax.compile",
    "graph2jax.tensor",
    "graph2jax.linker",
    "graph2jax.printing",
)

MAX_LINES = 600


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _rank(module: str) -> int:
    """The layer's height: 0 for config, larger is higher."""
    best = max(
        (layer for layer in LAYERS if module == layer or module.startswith(layer + ".")), key=len
    )
    return len(LAYERS) - 1 - LAYERS.index(best)


def _is_type_checking(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.If) and ast.unparse(stmt.test) in (
        "TYPE_CHECKING",
        "typing.TYPE_CHECKING",
    )


def _module_level_statements(body: list[ast.stmt]):
    """Statements run when the module is imported: not those inside functions or under
    ``if TYPE_CHECKING:`` (read by type checkers only)."""
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) or _is_type_checking(stmt):
            continue
        yield stmt
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                yield from _module_level_statements(
                    [s for s in inner if isinstance(s, ast.stmt | ast.excepthandler)]
                )


def _module_level_imports(module: str) -> list[tuple[str, int]]:
    """The graph2jax modules ``module`` imports at module level, with the line of each."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for stmt in _module_level_statements(ast.parse(path.read_text()).body):
        if isinstance(stmt, ast.excepthandler):
            continue
        if isinstance(stmt, ast.Import):
            found += [(alias.name, stmt.lineno) for alias in stmt.names]
        elif isinstance(stmt, ast.ImportFrom):
            base = stmt.module or ""
            if stmt.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - stmt.level + 1]
                    + ([base] if base else [])
                )
            for alias in stmt.names:
                # ``from X import Y`` with Y a submodule imports X.Y
                sub = f"{base}.{alias.name}"
                found.append((sub if sub in MODULES else base, stmt.lineno))
    return [(name, line) for name, line in found if name.split(".")[0] == "graph2jax"]


def _parents(module: str) -> list[str]:
    """The packages whose ``__init__`` runs before ``module`` (the root first)."""
    parts = module.split(".")
    return [".".join(parts[:k]) for k in range(1, len(parts))]


EDGES = {m: _module_level_imports(m) for m in MODULES}


def test_every_module_has_a_layer():
    assert all(_rank(m) >= 0 for m in MODULES)
    assert set(LAYERS) <= set(MODULES)


def test_module_level_imports_point_down():
    """No module imports, at module level, a module of a higher layer.

    Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first, so what those
    import at module level counts as imported by ``a.b.c`` too.
    """
    offending = []
    for module in MODULES:
        imported = [
            (name, f"{MODULES[module].relative_to(ROOT)}:{line}") for name, line in EDGES[module]
        ]
        for parent in _parents(module):
            imported += [
                (
                    name,
                    f"{MODULES[parent].relative_to(ROOT)}:{line} (the parent "
                    f"package {parent} of {module})",
                )
                for name, line in EDGES[parent]
            ]
        offending += [
            f"{where}: {module} imports {name}, a higher layer"
            for name, where in imported
            if _rank(name) > _rank(module)
        ]
    assert not offending, "\n".join(offending)


def test_module_level_imports_have_no_cycle():
    """Families import each other one way: the module-level import graph is acyclic."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for name, _ in EDGES.get(module, ()):
            if state.get(name) == 1:
                return path[path.index(name) :] + [name]
            if name in EDGES and name not in state and (cycle := visit(name)):
                return cycle
        path.pop()
        state[module] = 2
        return None

    for module in MODULES:
        if module not in state and (cycle := visit(module)):
            pytest.fail("import cycle: " + " → ".join(cycle))


def test_the_types_layer_loads_no_op():
    """``import graph2jax.types.sharedvar`` loads the IR and the types only (a lazy root)."""
    above = repr(ABOVE_TYPES)
    code = (
        "import sys, graph2jax.types.sharedvar\n"
        f"print(sorted(m for m in sys.modules if m.startswith({above})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"


def test_importing_graph2jax_keeps_the_public_names():
    import graph2jax

    assert {"function", "shared", "grad", "tensor", "config"} <= set(dir(graph2jax))
    assert graph2jax.function is graph2jax.compile.function


@pytest.mark.parametrize("folder", ["graph2jax", "tests"])
def test_source_files_stay_small(folder: str):
    """A file over the budget is cut by concept, not by size (tinygrad's ``sz.py``)."""
    too_long = {
        str(p.relative_to(ROOT)): n
        for p in sorted((ROOT / folder).rglob("*.py"))
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not too_long, f"files over {MAX_LINES} lines: {too_long}"
