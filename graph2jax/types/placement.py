"""Where a value lives: the checks of a ``jax.sharding.Sharding`` given for a buffer.

``shared(value, sharding=...)``, ``In(x, sharding=...)`` and ``Out(y,
sharding=...)`` take any ``jax.sharding.Sharding``; this module checks it
against the buffer it places (its number of dimensions, the lengths it
splits), so a bad one fails where it is given, not at the first call.
graph2jax partitions automatically (XLA's SPMD partitioner): the axes of a
mesh built with ``AxisType.Explicit`` (``jax.make_mesh``'s default) are taken
as ``Auto`` axes, so the graph's operations need no sharding annotations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jax.sharding import AxisType, NamedSharding, Sharding


def as_sharding(sharding: Any, what: str, ndim: int | None) -> Sharding:
    """``sharding`` checked for a buffer of ``ndim`` dimensions (None: not known).

    Parameters
    ----------
    sharding : jax.sharding.Sharding
    what : str
        The buffer, for error messages (``"shared variable W"``).
    ndim : int or None

    Returns
    -------
    jax.sharding.Sharding
        ``sharding``, its mesh's axes made ``Auto`` for a ``NamedSharding``.

    Raises
    ------
    TypeError
        ``sharding`` is not a ``jax.sharding.Sharding``.
    ValueError
        A ``PartitionSpec`` with more entries than ``ndim``, or naming an axis
        its mesh lacks.
    """
    if not isinstance(sharding, Sharding):
        raise TypeError(
            f"{what}: sharding must be a jax.sharding.Sharding (such as "
            f"NamedSharding(mesh, PartitionSpec('data'))), got {type(sharding).__name__}: "
            f"{sharding!r}"
        )
    if not isinstance(sharding, NamedSharding):
        return sharding
    mesh, spec = sharding.mesh, sharding.spec
    named = [axis for entry in spec if entry is not None for axis in _axes(entry)]
    missing = [axis for axis in named if axis not in mesh.axis_names]
    if missing:
        raise ValueError(
            f"{what}: PartitionSpec {spec} names the axis {missing[0]!r}, which its mesh "
            f"lacks; the mesh's axes: {mesh.axis_names}"
        )
    if ndim is not None and len(spec) > ndim:
        raise ValueError(
            f"{what}: PartitionSpec {spec} has {len(spec)} entries, the value {ndim} dimensions"
        )
    if any(t != AxisType.Auto for t in mesh.axis_types):
        auto = mesh.update(axis_types=(AxisType.Auto,) * len(mesh.axis_names))
        return NamedSharding(auto, spec, memory_kind=sharding.memory_kind)
    return sharding


def check_divides(sharding: Sharding, shape: Sequence[int | None], what: str) -> None:
    """``ValueError`` unless ``sharding`` splits every known length of ``shape`` evenly.

    Parameters
    ----------
    sharding : jax.sharding.Sharding
    shape : sequence of int or None
        None marks a length not known yet (checked by JAX when a call gives it).
    what : str
        The buffer, for error messages.
    """
    if not isinstance(sharding, NamedSharding):
        known = tuple(shape)
        if None in known:
            return
        try:
            sharding.shard_shape(known)
        except ValueError as err:
            raise ValueError(f"{what}: {sharding} does not divide shape {known}: {err}") from None
        return
    sizes = dict(zip(sharding.mesh.axis_names, sharding.mesh.axis_sizes, strict=True))
    for dim, entry in enumerate(sharding.spec):
        if entry is None or dim >= len(shape) or shape[dim] is None:
            continue
        parts = 1
        for axis in _axes(entry):
            parts *= sizes[axis]
        if shape[dim] % parts:
            raise ValueError(
                f"{what}: dimension {dim} of shape {tuple(shape)} is split {parts} ways by "
                f"PartitionSpec {sharding.spec} over mesh {dict(sizes)}; expected a length "
                f"divisible by {parts}, received {shape[dim]}"
            )


def is_placed(value: Any, placement: Sharding) -> bool:
    """Whether the ``jax.Array`` ``value`` is laid out as ``placement`` says."""
    return value.sharding.is_equivalent_to(placement, value.ndim)


def describe_devices(devices: Any) -> str:
    """``'cpu:0, cpu:1'``: devices as ``config.device`` names them."""
    return ", ".join(f"{d.platform}:{d.id}" for d in sorted(devices, key=lambda d: d.id))


def _axes(entry: Any) -> tuple[str, ...]:
    return tuple(entry) if isinstance(entry, tuple | list) else (entry,)
