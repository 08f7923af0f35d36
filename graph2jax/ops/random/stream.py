"""PyTensor's ``RandomStream``: draws whose generators advance on every call of a function.

Each draw gets its own shared generator, seeded from the stream's
``np.random.SeedSequence`` (``gen_seedgen``), whose ``default_update`` is the
draw's next state; ``seed(n)`` reseeds them all, also for functions already
compiled (the keys are arguments of the jitted call).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from graph2jax.graph.basic import Variable
from graph2jax.ops.random import continuous, discrete
from graph2jax.types.sharedvar import SharedVariable, shared

__all__ = ["RandomStream"]


class RandomStream:
    """A source of random draws with numpy ``Generator``-like methods (``srng.normal(...)``).

    Parameters
    ----------
    seed : int, optional
        Seeds the stream's ``SeedSequence``; the same seed gives the same sequence of draws.
    namespace : module, optional
        Where the distribution functions are looked up (default: ``graph2jax.tensor.random``'s).
    rng_ctor : callable
        ``SeedSequence -> np.random.Generator`` for each draw's generator.

    Attributes
    ----------
    state_updates : list of (shared generator, next state)
    gen_seedgen : np.random.SeedSequence

    Examples
    --------
    >>> import graph2jax as g
    >>> from graph2jax.tensor.random.utils import RandomStream
    >>> srng = RandomStream(seed=234)
    >>> f = g.function([], srng.uniform(0, 1, size=(2,)))
    >>> a, b = f(), f()
    >>> bool((a != b).all())
    True
    >>> srng.seed(234); bool((f() == a).all())
    True
    """

    def __init__(
        self,
        seed: int | None = None,
        namespace: ModuleType | None = None,
        rng_ctor: Callable[[np.random.SeedSequence], np.random.Generator] = np.random.default_rng,
    ):
        self.namespaces = (
            [(ns, set(ns.__all__)) for ns in (continuous, discrete)]
            if namespace is None
            else [(namespace, set(namespace.__all__))]
        )
        self.default_instance_seed = seed
        self.state_updates: list[tuple[SharedVariable, Variable]] = []
        self.gen_seedgen = np.random.SeedSequence(seed)
        self.rng_ctor = rng_ctor

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__") or name in ("namespaces",):
            raise AttributeError(name)
        fn = next((getattr(ns, name) for ns, names in self.namespaces if name in names), None)
        if fn is None:
            raise AttributeError(f"RandomStream has no distribution {name!r}")

        @functools.wraps(fn)
        def draw(*args: Any, **kwargs: Any) -> Any:
            return self.gen(fn, *args, **kwargs)

        setattr(self, name, draw)
        return draw

    def updates(self) -> list[tuple[SharedVariable, Variable]]:
        """The ``(shared generator, next state)`` pairs of every draw made so far."""
        return list(self.state_updates)

    def seed(self, seed: int | None = None) -> None:
        """Reseed every generator of the stream (``None``: the stream's own seed), as PyTensor."""
        if seed is None:
            seed = self.default_instance_seed
        self.gen_seedgen = np.random.SeedSequence(seed)
        for (rng, _), child in zip(
            self.state_updates, self.gen_seedgen.spawn(len(self.state_updates)), strict=True
        ):
            rng.set_value(self.rng_ctor(child), borrow=True)

    def gen(self, op: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A draw of ``op`` from a new shared generator whose ``default_update`` advances it.

        Raises
        ------
        ValueError
            When ``rng`` is given (the stream owns its generators).
        """
        if "rng" in kwargs:
            raise ValueError("The `rng` option cannot be used with a variate in a `RandomStream`")
        (child,) = self.gen_seedgen.spawn(1)
        rng = shared(self.rng_ctor(child), borrow=True)
        return_next = kwargs.pop("return_next_rng", False)
        next_rng, out = op(*args, **kwargs, rng=rng, return_next_rng=True)
        self.state_updates.append((rng, next_rng))
        rng.default_update = next_rng
        return (next_rng, out) if return_next else out
