"""The random-variable op: ``(rng, *size, *params) -> (next_rng, draw)``, drawn with ``jax.random``.

One op class serves every distribution; its ``name`` picks the sampler from
:data:`SAMPLERS` (filled by :mod:`graph2jax.ops.random.continuous` and :mod:`graph2jax.ops.random.discrete`). The
generator state is an ordinary input and output of the node, so the rng
threads through a graph like any value (``default_update`` makes a shared
generator advance; a scan body can carry it). The size entries are static
inputs: the draw's shape must be known while tracing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.graph.basic import Apply, Op, Variable
from graph2jax.graph.gradtypes import grad_undefined
from graph2jax.linker.dispatch import jax_funcify
from graph2jax.ops.creation import _int_scalar, _static_length, shape_entries
from graph2jax.ops.elemwise import broadcast_static_shape
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.random_type import (
    RandomGeneratorType,
    generator_from_key,
    is_key,
    key_from_generator,
)
from graph2jax.types.sharedvar import shared
from graph2jax.types.tensor_type import TensorType, dtype_name
from graph2jax.types.variable import TensorVariable


class Sampler(NamedTuple):
    """How one distribution draws: ``draw(key, batch_shape, dtype, *params)`` and its support."""

    draw: Callable[..., Any]
    #: ``support(param static shapes) -> static support shape`` (``()`` for scalar draws)
    support: Callable[[Sequence[tuple]], tuple]


#: distribution name -> its sampler (see :mod:`graph2jax.ops.random.continuous` and :mod:`graph2jax.ops.random.discrete`)
SAMPLERS: dict[str, Sampler] = {}


def scalar_support(shapes: Sequence[tuple]) -> tuple:
    return ()


class RandomVariable(Op):
    """A draw from the distribution ``name`` (PyTensor's ``RandomVariable``).

    Inputs: the generator, ``n_size`` integer scalars (absent when
    ``n_size`` is None: the shape comes from the parameters), then the
    parameters, whose last ``ndims_params[i]`` axes are core axes. Outputs:
    the next generator state and the draw, of dtype ``dtype``.
    """

    __props__ = ("name", "ndims_params", "ndim_supp", "dtype", "n_size")
    #: a draw must never be folded into the program as a constant
    foldable = False

    def __init__(
        self, name: str, ndims_params: Sequence[int], ndim_supp: int, dtype: str, n_size: int | None
    ):
        self.name, self.ndims_params, self.ndim_supp = name, tuple(ndims_params), int(ndim_supp)
        self.dtype, self.n_size = dtype, n_size

    @property
    def static_inputs(self) -> tuple[int, ...]:
        return tuple(range(1, 1 + (self.n_size or 0)))

    def __str__(self) -> str:
        return f"{self.name}_rv{{{self.dtype}}}"

    def make_node(self, rng: Any, *rest: Any) -> Apply:
        if not isinstance(getattr(rng, "type", None), RandomGeneratorType):
            raise TypeError(
                f"{self.name}: rng must be a variable of RandomGeneratorType (shared(np.random."
                f"default_rng(seed)) or random_generator_type()), got {rng!r}"
            )
        n_size = self.n_size or 0
        size = [_int_scalar(s, f"{self.name}: a size entry") for s in rest[:n_size]]
        params = [as_tensor_variable(p) for p in rest[n_size:]]
        if len(params) != len(self.ndims_params):
            raise TypeError(
                f"{self.name}: expected {len(self.ndims_params)} parameters, got {len(params)}"
            )
        batches = []
        for k, (p, core) in enumerate(zip(params, self.ndims_params, strict=True)):
            if p.ndim < core:
                raise ValueError(
                    f"{self.name}: parameter {k} ({p.describe()}) must have at least {core} "
                    f"dimensions, got type {p.type}"
                )
            batches.append(p.type.shape[: p.ndim - core])
        support = SAMPLERS[self.name].support([p.type.shape for p in params])
        if self.n_size is None:
            batch = broadcast_static_shape(batches, self.name)
        else:
            batch = tuple(_static_length(s, f"{self.name}: a size entry") for s in size)
            for k, b in enumerate(batches):
                _check_fits(self.name, k, params[k], b, batch)
        draw = TensorType(self.dtype, batch + tuple(support))()
        return Apply(self, [rng, *size, *params], [rng.type(), draw])

    def _draw(self, node: Apply) -> Callable[..., tuple]:
        """``(rng, *size, *params) -> (next_rng, draw)`` over JAX values."""
        sampler, dtype, n_size = SAMPLERS[self.name].draw, self.dtype, self.n_size
        cores = self.ndims_params

        def draw_(rng: Any, *rest: Any) -> tuple:
            # the first key becomes the next state, the second draws (as PyTensor's JAX backend)
            next_rng, key = jax.random.split(rng)
            if n_size is None:
                params = rest
                batch = jnp.broadcast_shapes(
                    *(jnp.shape(p)[: jnp.ndim(p) - c] for p, c in zip(params, cores, strict=True))
                )
            else:
                params = rest[n_size:]
                batch = tuple(int(s) for s in rest[:n_size])
            return next_rng, jnp.asarray(sampler(key, batch, dtype, *params)).astype(dtype)

        return draw_

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: list) -> None:
        # the reference for random ops is JAX's own PRNG, run eagerly on the CPU: the NUMPY and
        # DebugMode linkers must reproduce the JAX linker's bits (numpy's generator would draw
        # other numbers); the distributions' statistics are checked by separate tests
        rng, *rest = inputs
        # the numpy linker holds a generator's state as a numpy Generator (its host form)
        key = rng if is_key(rng) else key_from_generator(rng)
        with jax.default_device(jax.devices("cpu")[0]):
            next_key, draw = self._draw(node)(key, *rest)
        output_storage[0][0] = generator_from_key(next_key)
        output_storage[1][0] = np.asarray(draw)

    def infer_shape(self, fgraph: Any, node: Apply, shapes: Sequence[tuple]) -> list:
        draw = node.outputs[1]
        support = draw.type.shape[draw.ndim - self.ndim_supp :]
        if self.n_size is not None and all(s is not None for s in support):
            return [(), (*node.inputs[1 : 1 + self.n_size], *support)]
        if all(s is not None for s in draw.type.shape):
            return [(), draw.type.shape]
        raise NotImplementedError(f"{self.name}: the draw's shape is only known while tracing")

    def L_op(
        self, inputs: Sequence[Variable], outputs: Sequence[Variable], grads: Sequence
    ) -> list:
        return [
            grad_undefined(self, k, x, "No gradient defined for random variables")
            for k, x in enumerate(inputs)
        ]


def _check_fits(name: str, k: int, param: TensorVariable, batch: tuple, size: tuple) -> None:
    """PyTensor's rule: each parameter's batch axes broadcast to the trailing axes of ``size``."""
    if len(batch) > len(size):
        raise ValueError(
            f"{name}: size length is incompatible with batched dimensions of parameter {k} "
            f"({param.describe()}): len(size) = {len(size)}, len(batched dims) = {len(batch)}. "
            f"Size must be None or have length >= {len(batch)}"
        )
    for n, s in zip(batch, size[len(size) - len(batch) :], strict=True):
        if n is not None and s is not None and n not in (1, s):
            raise ValueError(
                f"{name}: parameter {k} ({param.describe()}) of batch shape {batch} cannot be "
                f"broadcast to size {size}"
            )


@jax_funcify.register(RandomVariable)
def _jax_random_variable(op: RandomVariable, node: Apply) -> Callable[..., tuple]:
    return op._draw(node)


def default_rng() -> Variable:
    """PyTensor's rng for a draw given none: a new unseeded shared generator, never updated.

    So a compiled function draws the same values on every call, as PyTensor's
    (use :class:`~graph2jax.tensor.random.utils.RandomStream` or an explicit
    updated ``rng`` to advance).
    """
    return shared(np.random.default_rng())


def size_entries(size: Any) -> list[Any] | None:
    """``size`` (None, an int, a tuple or an integer vector) as a list of entries, or None."""
    if size is None:
        return None
    entries = shape_entries(size)
    for s in entries:
        if isinstance(s, int | np.integer) and s < 0:
            raise ValueError(f"size must not have negative entries, got {tuple(entries)}")
        if not isinstance(s, int | np.integer | Variable):
            raise TypeError(f"size entries must be integers, got {s!r} in {size!r}")
    return entries


def rv_dtype(name: str, dtype: Any, default: str) -> str:
    """The draw's dtype: ``dtype`` (None: ``default``), of the default's kind (float or integer).

    Raises
    ------
    ValueError
        A float distribution asked for integers or the reverse (PyTensor's rule).
    """
    if dtype is None:
        return default
    resolved, wanted = dtype_name(dtype), dtype_name(default)
    if resolved.startswith("float") != wanted.startswith("float"):
        raise ValueError(f"Cannot change the dtype of a {name} RV from {wanted} to {resolved}")
    return resolved


def random_variable(
    name: str,
    ndims_params: Sequence[int],
    ndim_supp: int,
    dtype: str,
    params: Sequence[Any],
    size: Any = None,
    rng: Any = None,
    return_next_rng: bool = False,
) -> Any:
    """Build one draw: the node ``(rng, *size, *params) -> (next_rng, draw)``; returns the draw.

    ``return_next_rng=True`` returns ``(next_rng, draw)``.
    """
    dtype = dtype_name(dtype)
    entries = size_entries(size)
    op = RandomVariable(
        name, ndims_params, ndim_supp, dtype, None if entries is None else len(entries)
    )
    next_rng, draw = op(default_rng() if rng is None else rng, *(entries or ()), *params)
    return (next_rng, draw) if return_next_rng else draw
