"""Device meshes and shardings for graph2jax functions, over ``jax.sharding``.

A function runs on several devices when its shared variables, ``In`` or
``Out`` are given a ``jax.sharding.Sharding``; JAX's SPMD partitioner splits
the computation, with no change to the graph (see the user guide's sharding
page). This module builds the mesh; ``NamedSharding``, ``PartitionSpec`` and
``Mesh`` are JAX's, re-exported for convenience.

Examples
--------
>>> import jax
>>> from graph2jax.sharding import make_mesh, replicated, NamedSharding, PartitionSpec
>>> mesh = make_mesh({"data": len(jax.devices())})
>>> mesh.axis_names
('data',)
>>> batch = NamedSharding(mesh, PartitionSpec("data"))
>>> replicated(mesh).spec
P()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jax
from jax.sharding import AxisType as _AxisType
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from graph2jax.types.placement import describe_devices

__all__ = ["Mesh", "NamedSharding", "PartitionSpec", "make_mesh", "replicated"]


def make_mesh(axes: Mapping[str, int], devices: Sequence[jax.Device] | None = None) -> Mesh:
    """A mesh of devices with named axes, such as ``{'data': 4, 'model': 2}``.

    Parameters
    ----------
    axes : mapping of str to int
        Each axis's name and length, in order (the last axis varies fastest
        over the devices, so devices close together share it).
    devices : sequence of jax.Device, optional
        The devices to arrange; default: the first ``prod(lengths)`` of
        ``jax.devices()`` (every process's, under ``jax.distributed``).

    Returns
    -------
    jax.sharding.Mesh
        With ``Auto`` axes: XLA's partitioner lays out intermediate values.

    Raises
    ------
    ValueError
        No axis, a length below 1, or more devices asked for than there are.
    """
    names, lengths = tuple(axes), tuple(axes.values())
    if not names or any(not isinstance(n, int) or n < 1 for n in lengths):
        raise ValueError(f"make_mesh: axes must map names to lengths >= 1, got {dict(axes)}")
    available = list(jax.devices() if devices is None else devices)
    needed = 1
    for n in lengths:
        needed *= n
    if needed > len(available):
        raise ValueError(
            f"make_mesh({dict(axes)}) needs {needed} devices; there are {len(available)}: "
            f"{describe_devices(available)}"
        )
    return jax.make_mesh(
        lengths, names, axis_types=(_AxisType.Auto,) * len(names), devices=available[:needed]
    )


def replicated(mesh: Mesh) -> NamedSharding:
    """A whole copy of a value on every device of ``mesh`` (parameters under data parallelism)."""
    return NamedSharding(mesh, PartitionSpec())
