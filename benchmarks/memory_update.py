"""Peak memory and call times of an in-place update of a parameter created from a numpy array.

Usage: ``python memory_update.py N_ELEMENTS STEPS BORROW`` — prints the peak RSS in
bytes, the first call's seconds, its compilation's seconds and the median later
call's seconds. The parameter is created as users do,
``shared(np.ones(n, "float32"), borrow=BORROW)`` with the user keeping the numpy
array, and updated as ``p <- 0.9 * p + 1``; with donation the update reuses
the device buffer.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time

import numpy as np

import graph2jax as g


def main() -> None:
    n, steps, borrow = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
    value = np.ones(n, dtype="float32")
    p = g.shared(value, name="p", borrow=borrow)
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
