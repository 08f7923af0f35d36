"""The leaf layer of tensors: ``TensorType``, ``TensorVariable``, constants, ``as_tensor_variable``
and shared variables.

It imports the IR (:mod:`graph2jax.graph`) and :mod:`graph2jax.config` only, never an op: a
variable's operators reach the op library at call time, through :mod:`graph2jax.tensor`.
PyTensor's paths (``graph2jax.tensor.type``, ``.variable``, ``.basic``, ``.sharedvar``)
re-export these modules. This ``__init__`` imports nothing, so importing one module of the
package loads only what that module needs.
"""
