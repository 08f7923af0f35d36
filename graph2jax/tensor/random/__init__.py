"""PyTensor's ``pytensor.tensor.random``: the distributions (``pt.random.normal(...)``).

Re-exports :mod:`graph2jax.ops.random`'s distribution functions;
``.utils`` has ``RandomStream``, ``.type`` the generator type, ``.var`` the
shared generator variable.
"""

from graph2jax.ops.random.continuous import *  # noqa: F403
from graph2jax.ops.random.discrete import *  # noqa: F403
from graph2jax.tensor.random import basic, type, utils, var  # noqa: F401  (PyTensor's submodules)
from graph2jax.tensor.random.utils import RandomStream
from graph2jax.types.random_type import rng, shared_rng
