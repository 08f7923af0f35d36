"""Symbolic differentiation, as PyTensor's ``pytensor.gradient``.

- :mod:`~graph2jax.gradient.reverse`: :func:`grad` (reverse mode over the
  ops' ``L_op``) and its exceptions;
- :mod:`~graph2jax.gradient.derived`: :func:`Lop`, :func:`Rop`,
  :func:`jacobian`, :func:`hessian`, :func:`hessian_vector_product`,
  :func:`subgraph_grad`;
- :mod:`~graph2jax.gradient.verify`: :func:`verify_grad` against finite differences;
- :mod:`graph2jax.ops.grad_modifiers`: identities that change only the
  gradient (``zero_grad``, ``disconnected_grad``, ``grad_clip``, ...).

Gradients are graphs: they compile with :func:`graph2jax.function` and may be
used in ``updates``.
"""

from graph2jax.gradient.derived import (
    Lop,
    Rop,
    hessian,
    hessian_vector_product,
    jacobian,
    subgraph_grad,
)
from graph2jax.gradient.reverse import (
    DisconnectedInputError,
    NullTypeGradError,
    disconnected_type,
    grad,
)
from graph2jax.gradient.verify import GradientError, verify_grad
from graph2jax.graph.gradtypes import (
    DisconnectedType,
    NullType,
    grad_not_implemented,
    grad_undefined,
)
from graph2jax.ops.grad_modifiers import (
    DisconnectedGrad,
    GradClip,
    GradScale,
    UndefinedGrad,
    ZeroGrad,
    consider_constant,
    disconnected_grad,
    disconnected_grad_,
    grad_clip,
    grad_scale,
    undefined_grad,
    undefined_grad_,
    zero_grad,
    zero_grad_,
)

#: PyTensor 3's names of :func:`Lop` and :func:`Rop`
pullback, pushforward = Lop, Rop

__all__ = [
    "DisconnectedGrad",
    "DisconnectedInputError",
    "DisconnectedType",
    "GradClip",
    "GradScale",
    "GradientError",
    "Lop",
    "NullType",
    "NullTypeGradError",
    "Rop",
    "UndefinedGrad",
    "ZeroGrad",
    "consider_constant",
    "disconnected_grad",
    "disconnected_grad_",
    "disconnected_type",
    "grad",
    "grad_clip",
    "grad_not_implemented",
    "grad_scale",
    "grad_undefined",
    "hessian",
    "hessian_vector_product",
    "pullback",
    "pushforward",
    "jacobian",
    "subgraph_grad",
    "undefined_grad",
    "undefined_grad_",
    "verify_grad",
    "zero_grad",
    "zero_grad_",
]
