"""PyTensor's path ``pytensor.tensor.math``: elementwise functions, reductions and products.

Re-exports the op families that PyTensor's ``tensor/math.py`` holds
(``pt.math.sum``, ``pt.math.dot``, ``pt.math.tanh``, ...).
"""

from graph2jax.ops.blas import *
from graph2jax.ops.comparison import *
from graph2jax.ops.contractions import *
from graph2jax.ops.math import *
from graph2jax.ops.reduce import *
from graph2jax.ops.statistics import *
