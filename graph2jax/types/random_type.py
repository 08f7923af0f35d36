"""Random generator state: a JAX typed PRNG key standing for PyTensor's ``np.random.Generator``.

A graph's generator is a variable of :class:`RandomGeneratorType`. Inside a
compiled function its value is a ``jax.random.key`` (threefry2x32), an
ordinary argument and result of the jitted call, so reseeding a shared
generator after compiling changes what the function draws. Users meet numpy
generators at the edges, as in PyTensor: ``shared(np.random.default_rng(0))``,
``get_value()`` and ``set_value(np.random.default_rng(1))``.

A numpy ``Generator`` becomes a key through its bit generator's state: for
``PCG64`` (``default_rng``) the low 64 bits of its 128-bit state (the rule
PyTensor's JAX backend uses), for other bit generators two 32-bit words drawn
from a copy of it. A key becomes a ``PCG64`` generator whose state is the
key's 64 bits, so ``set_value(get_value())`` restores the same key. Values
drawn from the same seed therefore differ from numpy's own draws; their
distributions and their reproducibility do not.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from graph2jax.config import config
from graph2jax.graph.basic import Type, Variable
from graph2jax.types import _ops
from graph2jax.types.sharedvar import SharedVariable, shared, shared_constructor

#: the PRNG implementation of every generator state (fixed, so the type has one dtype)
KEY_IMPL = "threefry2x32"
_MASK32 = (1 << 32) - 1


def is_key(value: Any) -> bool:
    """Whether ``value`` is a single JAX typed key of :data:`KEY_IMPL`."""
    return (
        isinstance(value, jax.Array)
        and jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key)
        and value.shape == ()
        and str(jax.random.key_impl(value)) == KEY_IMPL
    )


def key_from_generator(gen: np.random.Generator) -> jax.Array:
    """The JAX key standing for a numpy generator's state (the generator is not advanced)."""
    state = gen.bit_generator.state
    if state.get("bit_generator") == "PCG64":
        low = int(state["state"]["state"]) & ((1 << 64) - 1)
        words = (low & _MASK32, low >> 32)
    else:
        words = tuple(copy.deepcopy(gen).integers(0, 1 << 32, size=2, dtype=np.uint64))
    data = np.asarray(words, dtype=np.uint32)
    return jax.random.wrap_key_data(jnp.asarray(data, device=config.placement()), impl=KEY_IMPL)


def generator_from_key(key: jax.Array) -> np.random.Generator:
    """A ``PCG64`` generator whose state :func:`key_from_generator` maps back to ``key``."""
    lo, hi = (int(w) for w in np.asarray(jax.random.key_data(key)))
    bit_generator = np.random.PCG64()
    state = bit_generator.state
    state["state"]["state"] = lo | (hi << 32)
    state["has_uint32"], state["uinteger"] = 0, 0
    bit_generator.state = state
    return np.random.Generator(bit_generator)


class RandomGeneratorType(Type):
    """The type of a random generator's state (PyTensor's ``RandomGeneratorType``).

    Accepts a ``np.random.Generator`` or a JAX typed key (threefry2x32);
    holds a JAX key. It has no ``dtype`` or ``shape``, so the donation policy
    never pairs a generator with an output (the key is 8 bytes: nothing to save).

    Examples
    --------
    >>> import numpy as np
    >>> from graph2jax.tensor.random.type import random_generator_type
    >>> rng = random_generator_type("rng")
    >>> rng.type
    RandomGeneratorType
    >>> key = rng.type.filter(np.random.default_rng(0))
    >>> rng.type.values_eq(key, rng.type.filter(np.random.default_rng(0)))
    True
    """

    def __repr__(self) -> str:
        return "RandomGeneratorType"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def filter(self, data: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        """``data`` (a numpy ``Generator`` or a JAX key) as a JAX key; ``TypeError`` otherwise."""
        if is_key(data):
            return data
        if isinstance(data, np.random.Generator) and not strict:
            return key_from_generator(data)
        raise TypeError(
            f"{self} expects a numpy random Generator or a jax.random.key of impl {KEY_IMPL}"
            f"{'' if not strict else ' (strict: a key only)'}, got {type(data).__name__}: {data!r}"
        )

    def to_device(self, value: Any, placement: Any = None) -> jax.Array:
        """A new key with the same bits as ``value`` (a key or a numpy generator).

        Placed by ``placement`` (a ``jax.Device`` or a replicated
        ``jax.sharding.Sharding``); None is ``config.device``.
        """
        if isinstance(value, np.random.Generator):
            value = key_from_generator(value)
            if placement is None:
                return value
        data = jax.random.key_data(value)
        data = jnp.array(
            data, copy=True, device=placement if placement is not None else config.placement()
        )
        return jax.random.wrap_key_data(data, impl=KEY_IMPL)

    def to_host(self, value: Any, borrow: bool = False) -> np.random.Generator:
        """The key as a numpy ``Generator`` (what PyTensor's ``get_value`` returns); a generator as it is."""
        return value if isinstance(value, np.random.Generator) else generator_from_key(value)

    def to_pickle(self, value: Any) -> Any:
        """A key as its two uint32 words (a numpy array)."""
        return np.asarray(jax.random.key_data(value)) if is_key(value) else value

    def from_pickle(self, data: Any) -> Any:
        """Pickled words back as a key."""
        if isinstance(data, np.ndarray):
            return jax.random.wrap_key_data(
                jnp.asarray(data, device=config.placement()), impl=KEY_IMPL
            )
        return data

    def to_array(self, value: Any) -> Any:
        """A key (traced too) as its two uint32 words, the form JAX alone can hold."""
        return jax.random.key_data(value)

    def from_array(self, data: Any) -> Any:
        """Two uint32 words (traced too) as a key of :data:`KEY_IMPL`."""
        return jax.random.wrap_key_data(data, impl=KEY_IMPL)

    def values_eq(self, a: Any, b: Any) -> bool:
        """Whether two states (keys or generators) hold the same bits."""
        words = [np.asarray(jax.random.key_data(self.filter(v))) for v in (a, b)]
        return bool(np.array_equal(*words))

    def make_variable(self, name: str | None = None) -> Variable:
        return RandomGeneratorVariable(self, None, name=name)


class _GeneratorMethods:
    """``rng.normal(...)``: every distribution as a method returning ``(next_rng, draw)`` (PyTensor's)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        # the one upward reach of this module, at call time: the distributions are ops
        modules = [_ops(f"graph2jax.ops.random.{m}") for m in ("continuous", "discrete")]
        fn = next((getattr(m, name) for m in modules if name in m.__all__), None)
        if fn is None:
            raise AttributeError(f"{type(self).__name__} has no attribute or distribution {name!r}")

        @functools.wraps(fn)
        def draw(*args: Any, **kwargs: Any) -> tuple:
            return fn(*args, rng=self, return_next_rng=True, **kwargs)

        return draw


class RandomGeneratorVariable(_GeneratorMethods, Variable):
    """A symbolic random generator state (PyTensor's ``RandomGeneratorVariable``).

    Its distribution methods draw from it and return ``(next_rng, draw)``:

    >>> import numpy as np, graph2jax as g
    >>> from graph2jax.tensor.random import rng
    >>> r = rng("r")
    >>> next_r, x = r.normal(0.0, 1.0, size=2)
    >>> g.function([r], x)(np.random.default_rng(0)).shape
    (2,)
    """


class RandomGeneratorSharedVariable(_GeneratorMethods, SharedVariable):
    """A shared random generator: ``get_value()`` gives a numpy ``Generator``.

    Examples
    --------
    >>> import numpy as np, graph2jax as g
    >>> rng = g.shared(np.random.default_rng(42))
    >>> type(rng).__name__, type(rng.get_value()).__name__
    ('RandomGeneratorSharedVariable', 'Generator')
    """


#: PyTensor's ``random_generator_type``: call it to make a symbolic generator input
random_generator_type = RandomGeneratorType()


def rng(name: str | None = None) -> RandomGeneratorVariable:
    """A symbolic generator, for a function input (PyTensor's ``pt.random.rng``).

    Parameters
    ----------
    name : str, optional

    Returns
    -------
    RandomGeneratorVariable
    """
    return random_generator_type(name)


def shared_rng(
    value: np.random.Generator | None = None,
    *,
    seed: int | None = None,
    name: str | None = None,
    borrow: bool = False,
) -> RandomGeneratorSharedVariable:
    """A shared generator holding ``value`` (default ``np.random.default_rng(seed)``; PyTensor's).

    Examples
    --------
    >>> from graph2jax.tensor.random import shared_rng
    >>> r = shared_rng(seed=0)
    >>> next_r, x = r.uniform(size=3)
    >>> x.eval().shape
    (3,)
    """
    if value is None:
        value = np.random.default_rng(seed)
    return shared(value, name=name, borrow=borrow)


@shared_constructor
def random_generator_constructor(
    value: Any,
    name: str | None = None,
    strict: bool = False,
    allow_downcast: bool | None = None,
    borrow: bool = False,
    **kwargs: Any,
) -> RandomGeneratorSharedVariable | None:
    """Shared variables for numpy ``Generator`` values and JAX typed keys."""
    if not (isinstance(value, np.random.Generator) or is_key(value)):
        return None
    return RandomGeneratorSharedVariable(
        random_generator_type,
        value,
        strict=strict,
        allow_downcast=allow_downcast,
        name=name,
        borrow=borrow,
        sharding=kwargs.get("sharding"),
    )
