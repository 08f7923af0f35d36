"""graph2jax: PyTensor's symbolic graph API, compiled to JAX.

``import graph2jax as pytensor`` and ``import graph2jax.tensor as pt`` port a
PyTensor script. Importing graph2jax turns on JAX's 64-bit mode (see
:mod:`graph2jax.config`).

The public names below load their module on first use (PEP 562): importing one
low layer (``graph2jax.types``, ``graph2jax.graph``) runs this ``__init__`` first,
and must not load the op library with it.
"""

from __future__ import annotations

import importlib
from typing import Any

from graph2jax.config import config  # importing graph2jax turns on x64

__version__ = "0.1.0"

#: public name -> the module that defines it
_PUBLIC = {
    **dict.fromkeys(
        ("Function", "In", "Mode", "Out", "function", "function_dump", "get_mode", "shared"),
        "graph2jax.compile",
    ),
    "ProfileStats": "graph2jax.compile.profiling",
    **dict.fromkeys(("ExportedFunction", "export", "load_exported"), "graph2jax.compile.exporting"),
    **dict.fromkeys(
        (
            "DisconnectedInputError",
            "GradientError",
            "Lop",
            "NullTypeGradError",
            "Rop",
            "grad",
            "hessian",
            "jacobian",
        ),
        "graph2jax.gradient",
    ),
    **dict.fromkeys(("Variable", "clone_replace", "graph_replace"), "graph2jax.graph"),
    **dict.fromkeys(("MissingInputError", "UnusedInputError"), "graph2jax.graph.errors"),
    "unsupported_ops": "graph2jax.linker.dispatch",
    **dict.fromkeys(("dprint", "pp"), "graph2jax.printing"),
    "map": "graph2jax.scan.views",
    "dot": "graph2jax.ops.blas",  # pytensor.dot
    "wrap_jax": "graph2jax.ops.jax_op",  # pytensor.wrap_jax
    "SharedVariable": "graph2jax.types.sharedvar",
}
#: subpackages reachable as attributes without importing them first (``graph2jax.tensor.exp``)
_SUBMODULES = (
    "compile",
    "d3viz",
    "gradient",
    "graph",
    "ifelse",
    "linker",
    "ops",
    "printing",
    "rewrite",
    "scan",
    "sharding",
    "tensor",
    "types",
)


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"graph2jax.{name}")
    else:
        raise AttributeError(f"module 'graph2jax' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC, *_SUBMODULES})


__all__ = ["config", *_PUBLIC, "tensor"]
