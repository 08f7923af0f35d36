"""The scalar functions :class:`~graph2jax.ops.elemwise.Elemwise` applies: the :class:`ScalarOp`
record (name, arity, numpy reference, JAX function, dtype rule, gradient), its registry, and
PyTensor's dtype rules (``upcast``, ``upgrade_to_float``, ``real_of``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# ---------------------------------------------------------------------------
# dtype rules: ``rule(*input_dtypes) -> output dtype``, raising TypeError for dtypes
# the function refuses (as PyTensor's ``output_types_preference``)


def upcast(*dtypes: str) -> str:
    """numpy's promotion of ``dtypes`` (bool with bool stays bool)."""
    return str(np.result_type(*[np.dtype(d) for d in dtypes]))


_TO_FLOAT = {
    "bool": "float32",
    "int8": "float32",
    "int16": "float32",
    "uint8": "float32",
    "uint16": "float32",
    "int32": "float64",
    "int64": "float64",
    "uint32": "float64",
    "uint64": "float64",
}


def upgrade_to_float(*dtypes: str) -> str:
    """PyTensor's ``upgrade_to_float``: the upcast, with integers and bool turned into floats."""
    return upcast(*[_TO_FLOAT.get(d, d) for d in dtypes])


def real_of(*dtypes: str) -> str:
    """The real dtype of complex inputs (``abs``, ``real``, ``imag``); other dtypes stay."""
    d = upcast(*dtypes)
    return {"complex64": "float32", "complex128": "float64"}.get(d, d)


# ---------------------------------------------------------------------------
# scalar ops


@dataclass(frozen=True, eq=False)
class ScalarOp:
    """One elementwise function.

    Attributes
    ----------
    name : str
    nin : int
        Number of inputs.
    np_fn, jax_fn : callable
        The numpy reference and the JAX implementation, on arrays.
    dtype_rule : callable
        ``dtype_rule(*input_dtypes) -> output dtype``; raises TypeError for refused dtypes.
    compute : str
        What the inputs are cast to before the function runs: ``'out'`` (the
        output dtype), ``'common'`` (their upcast, for comparisons) or ``'keep'``.
    grad : callable or None
        ``grad(inputs, output, gz) -> [g_input, ...]`` as graph expressions of
        the broadcast shape (a None term is a disconnected gradient); None marks
        a function without gradient.
    holomorphic : bool
        Whether ``grad`` is the complex derivative's chain rule (``exp``,
        ``mul`` ...), which :class:`Elemwise` conjugates for complex outputs;
        False for ``abs``, ``real``, ``imag``, ``conj`` and ``complex``, whose
        ``grad`` is written in PyTensor's convention for complex gradients
        (``df/dRe + i df/dIm``).
    module : str or None
        The module whose import defines it, imported again when unpickling.
    """

    name: str
    nin: int
    np_fn: Callable[..., Any]
    jax_fn: Callable[..., Any]
    dtype_rule: Callable[..., str] = upcast
    compute: str = "out"
    grad: Callable[..., list] | None = None
    holomorphic: bool = True
    module: str | None = None

    def __str__(self) -> str:
        return self.name

    def __reduce__(self) -> tuple:
        return (_scalar_op_by_name, (self.name, self.module))


SCALAR_OPS: dict[str, ScalarOp] = {}


def _scalar_op_by_name(name: str, module: str | None = None) -> ScalarOp:
    if module is not None:  # a fresh process may not have imported the defining table yet
        importlib.import_module(module)
    return SCALAR_OPS[name]


def scalar_op(name: str, nin: int, np_fn: Callable, jax_fn: Callable, **kwargs: Any) -> ScalarOp:
    """Define and register a :class:`ScalarOp` (``kwargs`` are its other attributes).

    Raises
    ------
    ValueError
        When a scalar op named ``name`` already exists (names identify them when pickled).
    """
    if name in SCALAR_OPS:
        raise ValueError(f"scalar op {name!r} is defined twice")
    op = ScalarOp(name, nin, np_fn, jax_fn, **kwargs)
    SCALAR_OPS[name] = op
    return op


# the framework's own helpers (scalar_op, real_of) are imported by name by the op modules
__all__ = ["ScalarOp", "upcast", "upgrade_to_float"]
