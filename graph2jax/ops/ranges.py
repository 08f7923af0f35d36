"""Evenly spaced values beyond ``arange`` and ``linspace`` (which are ops of
:mod:`graph2jax.ops.creation`): ``logspace``, ``geomspace`` and the ``mgrid``/``ogrid`` grids.

Each is a graph of existing ops; the number of samples decides the shapes, so it is a static
input, as ``linspace``'s.
"""

from __future__ import annotations

from typing import Any

from graph2jax.config import config
from graph2jax.ops.axes import moveaxis
from graph2jax.ops.broadcast import broadcast_arrays, broadcast_to
from graph2jax.ops.creation import arange, linspace
from graph2jax.ops.elemwise import cast
from graph2jax.ops.math import exp, log, sign
from graph2jax.ops.reshape import reshape
from graph2jax.ops.shape import shape_i
from graph2jax.ops.subtensor import set_subtensor
from graph2jax.types.as_tensor import as_tensor_variable
from graph2jax.types.variable import TensorVariable


class _NdGrid:
    """``mgrid`` (dense) and ``ogrid`` (sparse, broadcastable) grids, indexed by slices."""

    def __init__(self, sparse: bool):
        self.sparse = sparse

    def __getitem__(self, key: slice | tuple[slice, ...]) -> TensorVariable | list[TensorVariable]:
        if isinstance(key, slice):
            return self._range(key)
        ranges = [self._range(k) for k in key]
        n = len(ranges)
        # each range along its own axis, length 1 along the others
        grids = [
            reshape(r, tuple(shape_i(r, 0) if j == i else 1 for j in range(n)), ndim=n)
            for i, r in enumerate(ranges)
        ]
        if self.sparse:
            return grids
        full = tuple(shape_i(r, 0) for r in ranges)
        return [broadcast_to(grid, full) for grid in grids]

    @staticmethod
    def _range(key: slice) -> TensorVariable:
        if not isinstance(key, slice):
            raise TypeError(f"mgrid/ogrid take slices, not {key!r}")
        if isinstance(key.step, complex):
            raise NotImplementedError("mgrid/ogrid: slices with a complex step (a count)")
        return arange(
            0 if key.start is None else key.start,
            key.stop,
            1 if key.step is None else key.step,
        )


mgrid = _NdGrid(sparse=False)

"""Dense grids: ``mgrid[0:5, 0:3]`` is a list of two (5, 3) int64 matrices (as numpy's)."""

ogrid = _NdGrid(sparse=True)

"""Open grids: ``ogrid[0:5, 0:3]`` is a (5, 1) and a (1, 3) matrix (as numpy's)."""


def _resolve_deprecated(stop: Any, end: Any, num: Any, steps: Any) -> tuple[Any, Any]:
    # PyTensor's deprecated spellings of stop and num
    return (stop if end is None else end), (num if steps is None else steps)


def logspace(
    start: Any,
    stop: Any,
    num: int = 50,
    base: float = 10.0,
    endpoint: bool = True,
    dtype: str | None = None,
    axis: int = 0,
    end: Any = None,
    steps: Any = None,
) -> TensorVariable:
    """``base ** linspace(start, stop, num)``: ``num`` samples evenly spaced on a log scale,
    of ``dtype`` (floatX by default).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.logspace(0, 2, 3).eval()
    array([  1.,  10., 100.])
    """
    stop, num = _resolve_deprecated(stop, end, num, steps)
    samples = linspace(start, stop, num, endpoint=endpoint, dtype="float64", axis=axis)
    return cast(as_tensor_variable(base) ** samples, dtype or config.floatX)


def geomspace(
    start: Any,
    stop: Any,
    num: int = 50,
    base: float = 10.0,
    endpoint: bool = True,
    dtype: str | None = None,
    axis: int = 0,
    end: Any = None,
    steps: Any = None,
) -> TensorVariable:
    """``num`` samples in geometric progression from ``start`` to ``stop`` (as
    ``numpy.geomspace``: both of one sign, neither 0), of ``dtype`` (floatX by default).

    ``base`` is accepted for PyTensor's signature; it does not change the result.
    The first (and, with ``endpoint``, last) sample is exactly ``start`` (``stop``).

    Examples
    --------
    >>> import graph2jax.tensor as gt
    >>> gt.geomspace(1, 1000, 4).eval()
    array([   1.,   10.,  100., 1000.])
    """
    stop, num = _resolve_deprecated(stop, end, num, steps)
    start, stop = (cast(v, "float64") for v in broadcast_arrays(start, stop))
    log_samples = linspace(log(abs(start)), log(abs(stop)), num, endpoint, dtype="float64")
    result = sign(start) * exp(log_samples)
    count = num if isinstance(num, int) else None
    if count is None or count > 0:
        result = set_subtensor(result[0], start)
    if endpoint and (count is None or count > 1):
        result = set_subtensor(result[-1], stop)
    return cast(moveaxis(result, 0, axis), dtype or config.floatX)


__all__ = ["geomspace", "logspace", "mgrid", "ogrid"]
