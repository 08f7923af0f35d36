"""The spine's benchmarks: call overhead, an MLP training step, in-place update memory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import graph2jax as g
import graph2jax.tensor as gt
from benchmarks import mlp
from benchmarks.common import Section, interleaved, ratio_rows

HERE = Path(__file__).parent


def bench_call_overhead(rounds: int) -> Section:
    """``f(x)`` for ``2 * x`` on a float64 scalar against the bare jitted JAX function.

    numpy in / numpy out against ``np.asarray(jitted(x))`` on a numpy ``x``; a
    device array in and out (``trust_input=True``, ``Out(borrow=True)``) against
    the jitted function on a device array.
    """
    x = gt.dscalar("x")
    f = g.function([x], 2 * x)
    f_trusted = g.function([x], g.Out(2 * x, borrow=True))
    f_trusted.trust_input = True
    bare = jax.jit(lambda v: 2 * v)
    value = np.asarray(3.0)
    device_value = jnp.asarray(value)
    times = interleaved(
        {
            "jax": lambda: np.asarray(bare(value)),
            "graph2jax": lambda: f(value),
            "jax, device array": lambda: bare(device_value),
            "graph2jax trust_input, Out(borrow)": lambda: f_trusted(device_value),
        },
        rounds=rounds,
        calls=500,
    )
    host = {k: times[k] for k in ("jax", "graph2jax")}
    device = {k: times[k] for k in ("jax, device array", "graph2jax trust_input, Out(borrow)")}
    return Section(
        "call overhead, f(x) = 2 * x on a float64 scalar (ratio to bare jax.jit on the same input)",
        "us",
        ratio_rows(host, 1e6) + ratio_rows(device, 1e6, base="jax, device array"),
    )


def bench_mlp_step(rounds: int) -> Section:
    """One SGD step of the float32 MLP of :mod:`benchmarks.mlp`, parameters created from numpy
    arrays and updated in place, numpy batches in and the loss out (the common case)."""
    init, data = mlp.problem()
    step = mlp.graph2jax_step(init)
    run_jax = mlp.jax_runner(
        jax.jit(mlp.jax_step, donate_argnums=0), [jnp.asarray(v) for v in init], data
    )
    times = interleaved({"jax": run_jax, "graph2jax": lambda: step(*data)}, rounds=rounds, calls=50)
    return Section(
        "MLP training step with updates (ratio to hand-written jax.jit + donation)",
        "us",
        ratio_rows(times, 1e6),
    )


def bench_update_memory(rounds: int) -> Section:
    """Updating a 1 GiB float32 parameter: peak RSS above a tiny run's, for parameters created
    from a numpy array the user keeps (``borrow`` False and True; an aligned one JAX adopts),
    from a temporary numpy array and on the device; the first call against a later one plus
    its compilation."""

    def run(n: int, borrow: bool, source: str) -> list[float]:
        out = subprocess.run(
            [sys.executable, str(HERE / "memory_update.py"), str(n), "6", str(int(borrow)), source],
            check=True,
            capture_output=True,
            text=True,
        )
        return [float(v) for v in out.stdout.split()[-4:]]

    size = 1 << 30
    rows = []
    for borrow, source in [
        (False, "numpy kept"),
        (True, "numpy kept"),
        (True, "aligned numpy kept"),
        (True, "numpy temporary"),
        (True, "device"),
    ]:
        base = run(2, borrow, source)[0]
        peak, first, compile_s, later = run(size // 4, borrow, source)
        label = f"{source}, borrow={borrow}"
        rows.append(
            (f"peak, {label} (x parameter size)", (peak - base) / 2**20, (peak - base) / size)
        )
        if source == "numpy kept":
            rows.append(
                (
                    f"first call, {label} (x later + compile)",
                    first * 1e3,
                    first / (later + compile_s),
                )
            )
    return Section(
        "1 GiB parameter, 6 in-place updates (MiB or ms; ratios as named)",
        "",
        rows,
    )


SECTIONS = [bench_call_overhead, bench_mlp_step, bench_update_memory]
