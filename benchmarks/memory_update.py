"""Peak resident memory of an in-place shared-parameter update loop (run by benchmarks/run.py).

Usage: ``python memory_update.py N_ELEMENTS STEPS`` — prints the peak RSS in bytes.
The parameter is created on the device (no host copy) and updated as
``p <- 0.9 * p + 1``; with donation the update reuses the parameter's buffer.
"""

from __future__ import annotations

import resource
import sys

import jax.numpy as jnp
import numpy as np

import graph2jax as g


def main() -> None:
    n, steps = int(sys.argv[1]), int(sys.argv[2])
    p = g.shared(jnp.zeros(n, dtype="float32"), name="p", borrow=True)
    step = g.function([], [], updates=[(p, np.float32(0.9) * p + 1)])
    for _ in range(steps):
        step()
    p.get_value(borrow=True, return_internal_type=True).block_until_ready()
    assert (
        abs(float(p.get_value(borrow=True, return_internal_type=True)[0]) - (1 - 0.9**steps) / 0.1)
        < 1e-3
    )
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


if __name__ == "__main__":
    main()
