"""The placement plan: on which devices a function runs, and how each buffer is laid out there.

Decided once, when :func:`graph2jax.function` builds the function, from
``function(device=...)`` (or ``config.device``) and the shardings given to
``shared``, ``In`` and ``Out``; the linker receives the result as the jitted
callable's ``in_shardings`` and ``out_shardings``. The rules:

1. **The function's devices**: the named device, when there is one; then
   every sharding given must lie on that device alone. Otherwise the devices
   of the shardings given, which must all be the same set; with no device and
   no sharding there is no plan (JAX places everything on its default device).
2. **Arguments**: an input or shared variable with a sharding keeps it; the
   others are placed whole on the named device, or replicated over the
   function's devices.
3. **Results**: an ``Out`` with a sharding gets it; a shared variable's new
   value gets the variable's sharding (so it stays where it was, and its
   buffer can be donated: one copy of each shard); other outputs are placed
   on the named device, or laid out as XLA's partitioner chooses.
4. **Shared values move once**: a shared variable without a sharding of its
   own is moved to the function's devices now, not at each call; it stays
   there (``set_value`` puts new values there too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec, Sharding

from graph2jax.compile.io import In, Out
from graph2jax.config import config, find_device
from graph2jax.graph.basic import Type, Variable
from graph2jax.types.placement import check_divides, describe_devices
from graph2jax.types.random_type import RandomGeneratorType
from graph2jax.types.sharedvar import SharedVariable


class Placement(NamedTuple):
    """A function's shardings: one per argument of the jitted call, one per result.

    ``arguments`` holds the explicit inputs' shardings, then the shared
    variables' (None: a value JAX does not place); ``results`` the outputs',
    then the shared variables' new values', then stateful inputs' (None: as
    XLA chooses).
    """

    arguments: tuple[Sharding | None, ...]
    results: tuple[Sharding | None, ...]

    def jit_shardings(
        self, subset: Sequence[int] | None, n_outputs: int
    ) -> tuple[tuple[Sharding | None, ...], tuple[Sharding | None, ...]]:
        """``(in_shardings, out_shardings)`` of the callable computing outputs ``subset``."""
        if subset is None:
            return self.arguments, self.results
        kept = tuple(self.results[i] for i in subset) + self.results[n_outputs:]
        return self.arguments, kept


def plan(
    inputs: Sequence[In],
    outputs: Sequence[Out],
    shared: Sequence[SharedVariable],
    shared_updates: Sequence[tuple[SharedVariable, Variable]],
    device: Any = None,
) -> Placement | None:
    """The placement of a function (None: no device named and no sharding given).

    Parameters
    ----------
    inputs, outputs : sequences of In and Out
    shared : sequence of SharedVariable
        The implicit inputs, in argument order.
    shared_updates : sequence of (SharedVariable, Variable)
        The updated ones, in the order of their new values among the results.
    device : str or jax.Device, optional
        ``function(device=...)``; None: ``config.device``.

    Raises
    ------
    ValueError
        A device that does not exist, a sharding on devices the function does
        not run on, shardings over different devices, or a sharding that does
        not divide an input's or output's static shape.
    """
    named = _named_device(device)
    given = [(f"input {s.variable.describe()}", s.sharding) for s in inputs if s.sharding]
    given += [(f"shared variable {sv.describe()}", sv.sharding) for sv in shared if sv.pinned]
    given += [(f"output {o.variable.describe()}", o.sharding) for o in outputs if o.sharding]
    if named is None and not given:
        return None
    if named is not None:
        for what, sharding in given:
            if sharding.device_set != {named}:
                raise ValueError(
                    f"{what} is placed on {describe_devices(sharding.device_set)}, but the "
                    f"function runs on {named.platform}:{named.id} only; give function() no "
                    "device (it then runs on the shardings' devices) or a sharding on that device"
                )
        default: Sharding = jax.sharding.SingleDeviceSharding(named)
    else:
        first_what, first = given[0]
        for what, sharding in given[1:]:
            if sharding.device_set != first.device_set:
                raise ValueError(
                    f"{what} is placed on {describe_devices(sharding.device_set)} and "
                    f"{first_what} on {describe_devices(first.device_set)}: a function runs "
                    "on one set of devices; build every sharding over the same mesh"
                )
        default = replicated_like(first)
    for spec in inputs:
        if spec.sharding is not None:
            check_divides(spec.sharding, spec.variable.type.shape, f"In({spec.variable})")
    for out in outputs:
        if out.sharding is not None:
            check_divides(out.sharding, out.variable.type.shape, f"Out({out.variable})")
    arguments = [spec.sharding or _default(spec.variable.type, default) for spec in inputs]
    arguments += [sv.sharding if sv.pinned else _default(sv.type, default) for sv in shared]
    of_shared = {id(sv): arguments[len(inputs) + k] for k, sv in enumerate(shared)}
    results = [o.sharding or (default if named is not None else None) for o in outputs]
    results += [of_shared[id(sv)] for sv, _ in shared_updates]
    results += [arguments[k] for k, spec in enumerate(inputs) if spec.update is not None]
    return Placement(tuple(arguments), tuple(results))


def place_shared(
    placement: Placement | None, n_inputs: int, shared: Sequence[SharedVariable]
) -> None:
    """Rule 4: move each shared variable without a sharding of its own to the function's devices.

    Raises
    ------
    ValueError
        A variable with a sharding of its own that differs from the plan's
        (a ``swap`` bringing a variable sharded another way).
    """
    if placement is None:
        return
    for sv, sharding in zip(shared, placement.arguments[n_inputs:], strict=True):
        if sharding is None:
            continue
        if not sv.pinned:
            sv.place(sharding)
        elif not sv.sharding.is_equivalent_to(sharding, getattr(sv.type, "ndim", 0)):
            raise ValueError(
                f"shared variable {sv.describe()} is sharded as {sv.sharding}; this function "
                f"takes that argument as {sharding}"
            )


def replicated_like(sharding: Sharding) -> Sharding:
    """A whole copy of a value on each device of ``sharding``."""
    if isinstance(sharding, NamedSharding):
        return NamedSharding(sharding.mesh, PartitionSpec())
    devices = np.array(sorted(sharding.device_set, key=lambda d: d.id))
    return NamedSharding(Mesh(devices, ("devices",)), PartitionSpec())


def _default(typ: Type, default: Sharding) -> Sharding | None:
    """The placement of a buffer given none: arrays and random keys only (JAX holds nothing else)."""
    return default if hasattr(typ, "dtype") or isinstance(typ, RandomGeneratorType) else None


def _named_device(device: Any) -> jax.Device | None:
    if device is None:
        return config.placement()
    if isinstance(device, str):
        return find_device(device, "function(device=...)")
    if isinstance(device, jax.Device):
        return device
    raise TypeError(
        f"function(device=...) takes a device name ('cpu', 'gpu:1') or a jax.Device, got "
        f"{type(device).__name__}: {device!r}"
    )
