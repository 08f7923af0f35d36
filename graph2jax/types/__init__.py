"""The leaf layer of tensors: ``TensorType``, ``TensorVariable``, constants, ``as_tensor_variable``
and shared variables.

It imports the IR (:mod:`graph2jax.graph`) and :mod:`graph2jax.config` only, never an op: a
variable's operators reach the op library at call time, through :func:`_ops`.
PyTensor's paths (``graph2jax.tensor.type``, ``.variable``, ``.basic``, ``.sharedvar``)
re-export these modules. This ``__init__`` imports no module of graph2jax, so importing one
module of the package loads only what that module needs.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def _ops(module: str = "graph2jax.tensor") -> ModuleType:
    """The op library (by default its namespace :mod:`graph2jax.tensor`), imported at call time.

    The one place where this layer reaches the ops above it: a variable's
    operators (``x + y``, ``x[0]``, ``x.sum()``), ``as_tensor_variable``'s
    stack, squeeze and cast cases and ``TensorType.convert_variable``'s
    ``specify_shape`` build op nodes, yet the op modules import this layer.
    """
    return importlib.import_module(module)
