"""Peak memory and call times of an in-place update of a large float32 parameter.

Usage: ``python memory_update.py N_ELEMENTS STEPS BORROW SOURCE`` — prints the
peak RSS in bytes, the first call's seconds, its compilation's seconds and the
median later call's seconds. The parameter is updated as ``p <- 0.9 * p + 1``;
with donation the update reuses the device buffer. ``SOURCE`` says how it is
created (:func:`make_parameter`).
"""

from __future__ import annotations

import resource
import statistics
import sys
import time

import jax.numpy as jnp
import numpy as np

import graph2jax as g


def _aligned_ones(n: int) -> np.ndarray:
    """A float32 array of ones whose buffer starts on a 64-byte boundary (JAX's CPU client
    then uses it without a copy)."""
    raw = np.ones(n + 16, dtype="float32")
    start = (-raw.ctypes.data % 64) // 4
    return raw[start : start + n]


def make_parameter(source: str, n: int, borrow: bool) -> tuple[g.SharedVariable, object]:
    """The shared variable of ``n`` ones made as ``source`` says, and what the user keeps.

    ``numpy kept``: ``a = np.ones(n); p = shared(a, borrow=borrow)``, the user
    keeping ``a``; ``aligned numpy kept``: the same with a buffer JAX adopts
    without a copy; ``numpy temporary``: ``shared(np.ones(n), borrow=borrow)``,
    nobody else holding the numpy array; ``device``: ``shared(jnp.ones(n),
    borrow=borrow)``, no numpy array at all.
    """
    kept = None
    if source == "device":
        value = jnp.ones(n, dtype="float32")
    elif source == "numpy temporary":
        value = np.ones(n, dtype="float32")
    else:
        kept = value = np.ones(n, "float32") if source == "numpy kept" else _aligned_ones(n)
    p = g.shared(value, name="p", borrow=borrow)
    del value
    return p, kept


def main() -> None:
    n, steps, borrow = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
    p, kept = make_parameter(sys.argv[4], n, borrow)  # kept alive to the end, as in a script
    step = g.function([], [], updates=[(p, np.float32(0.9) * p + 1)], profile=True)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        p.get_value(borrow=True, return_internal_type=True).block_until_ready()
        times.append(time.perf_counter() - start)
    result = float(p.get_value(borrow=True, return_internal_type=True)[0])
    assert abs(result - (10 - 9 * 0.9**steps)) < 1e-3, result
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(peak, times[0], step.profile.linker_time, statistics.median(times[1:]))


if __name__ == "__main__":
    main()
