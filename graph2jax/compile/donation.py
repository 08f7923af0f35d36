"""Buffer donation that never asks XLA for a donation it cannot use.

XLA reuses a donated input's buffer for an output of the same shape and
dtype; a donated input with no such output is only a wasted copy, and JAX
warns ("Some donated buffers were not usable"). The maker first drops the
donations the graph's types rule out (:func:`static_donations`: a mutable
input nothing of its type is computed from); :class:`DonationGuard` handles
the shapes known only at call time (an update that grows its shared
variable): the trace checks the donations, and a signature whose donations
cannot all be used is compiled once more, donating only those that can.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import jax

from graph2jax.graph.fg import FunctionGraph
from graph2jax.linker import jax_linker


def static_donations(fgraph: FunctionGraph, candidates: Sequence[int]) -> tuple[int, ...]:
    """The inputs among ``candidates`` for which some output may have the same dtype and shape.

    Outputs are claimed one per input, in input order (as XLA pairs them).
    """
    free = list(fgraph.outputs)
    kept = []
    for i in candidates:
        typ = fgraph.inputs[i].type
        for k, out in enumerate(free):
            if _may_alias(typ, out.type):
                kept.append(i)
                del free[k]
                break
    return tuple(kept)


def _may_alias(a: Any, b: Any) -> bool:
    shape_a, shape_b = getattr(a, "shape", None), getattr(b, "shape", None)
    dtype = getattr(a, "dtype", None)
    if dtype is None or dtype != getattr(b, "dtype", None) or shape_a is None or shape_b is None:
        return False
    return len(shape_a) == len(shape_b) and all(
        x is None or y is None or x == y for x, y in zip(shape_a, shape_b, strict=True)
    )


def usable_donations(
    args: Sequence[Any], outputs: Sequence[Any], donated: Sequence[int]
) -> tuple[int, ...]:
    """The donated arguments XLA can alias to an output (same shape and dtype), as XLA pairs them."""
    free = Counter((tuple(o.shape), o.dtype) for o in outputs if hasattr(o, "shape"))
    usable = []
    for i in donated:
        key = (tuple(args[i].shape), args[i].dtype)
        if free[key]:
            free[key] -= 1
            usable.append(i)
    return tuple(usable)


class _Unusable(Exception):
    """Raised while tracing: only ``usable`` of the donated arguments have an output to reuse."""

    def __init__(self, usable: tuple[int, ...]):
        super().__init__(usable)
        self.usable = usable


class DonationGuard:
    """The jitted call of a linked function that donates arguments, minus the unusable donations.

    Calls go to one ``jax.jit`` donating every argument in ``linked.donate_argnums``
    until a signature (argument shapes and dtypes) appears for which some of
    them cannot be reused; from then on each signature is routed once to the
    jitted variant donating exactly the usable ones.
    """

    def __init__(self, linked: Any):
        self._linked = linked
        self._variants: dict[tuple[int, ...], Callable[..., tuple]] = {}
        self._full = self._variant(tuple(linked.donate_argnums))
        self._routes: dict[Any, Callable[..., tuple]] | None = None  # set by the first miss

    def _variant(self, donate: tuple[int, ...]) -> Callable[..., tuple]:
        jitted = self._variants.get(donate)
        if jitted is None:
            linked, py_fn = self._linked, self._linked.py_fn

            def traced(*args: Any) -> tuple:
                linked.trace_count += 1  # runs only while JAX traces
                outputs = py_fn(*args)
                usable = usable_donations(args, outputs, donate)
                if usable != donate:
                    raise _Unusable(usable)  # before lowering: JAX caches and warns nothing
                return outputs

            jitted = jax.jit(traced, donate_argnums=donate, static_argnums=linked.static_argnums)
            self._variants[donate] = jitted
        return jitted

    def __call__(self, *args: Any) -> tuple:
        routes = self._routes
        if routes is None:
            try:
                return self._full(*args)
            except _Unusable:
                routes = self._routes = {}
        key = tuple((a.shape, a.dtype) if hasattr(a, "shape") else a for a in args)
        jitted = routes.get(key)
        if jitted is not None:
            return jitted(*args)
        try:
            outputs = self._full(*args)
            routes[key] = self._full
        except _Unusable as miss:
            routes[key] = self._variant(miss.usable)
            outputs = routes[key](*args)
        return outputs

    def lower(self, *args: Any) -> Any:
        """The lowering of the variant a call on ``args`` runs."""
        try:
            return self._full.lower(*args)
        except _Unusable as miss:
            return self._variant(miss.usable).lower(*args)


def link_jax(fgraph: FunctionGraph, donated: Sequence[int]) -> Any:
    """``jax_linker.link`` donating the arguments among ``donated`` that some output can reuse."""
    linked = jax_linker.link(fgraph, static_donations(fgraph, donated))
    if linked.donate_argnums:
        linked.jitted = DonationGuard(linked)
    return linked
