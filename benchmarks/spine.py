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
    """One SGD step of a float32 2-layer MLP (batch 256, 512 hidden units), parameters created
    from numpy arrays and updated in place, numpy batches in and the loss out (the common case)."""
    rng = np.random.default_rng(0)
    n_in, n_hidden, n_batch, lr = 128, 512, 256, 0.01
    init = [
        (rng.normal(size=(n_in, n_hidden)) * 0.05).astype("float32"),
        np.zeros(n_hidden, dtype="float32"),
        (rng.normal(size=(n_hidden,)) * 0.05).astype("float32"),
        np.zeros((), dtype="float32"),
    ]
    data = (
        rng.normal(size=(n_batch, n_in)).astype("float32"),
        rng.normal(size=n_batch).astype("float32"),
    )

    params = [g.shared(v.copy(), name=f"p{k}") for k, v in enumerate(init)]
    X, y = gt.fmatrix("X"), gt.fvector("y")
    pred = gt.dot(gt.tanh(gt.dot(X, params[0]) + params[1]), params[2]) + params[3]
    loss = gt.mean((pred - y) ** 2)
    grads = g.grad(loss, params)
    step = g.function(
        [X, y],
        loss,
        updates=[(p, p - np.float32(lr) * gp) for p, gp in zip(params, grads, strict=True)],
    )

    def jax_loss(ps, xb, yb):
        hidden = jnp.tanh(xb @ ps[0] + ps[1])
        return jnp.mean((hidden @ ps[2] + ps[3] - yb) ** 2)

    @jax.jit
    def _jax_step(ps, xb, yb):
        value, gs = jax.value_and_grad(jax_loss)(ps, xb, yb)
        return value, [p - lr * gp for p, gp in zip(ps, gs, strict=True)]

    jax_step = jax.jit(_jax_step, donate_argnums=0)
    state = {"ps": [jnp.asarray(v) for v in init]}

    def run_jax():
        value, state["ps"] = jax_step(state["ps"], *data)
        return np.asarray(value)

    times = interleaved({"jax": run_jax, "graph2jax": lambda: step(*data)}, rounds=rounds, calls=50)
    return Section(
        "MLP training step with updates (ratio to hand-written jax.jit + donation)",
        "us",
        ratio_rows(times, 1e6),
    )


def bench_update_memory(rounds: int) -> Section:
    """Updating a 1 GiB float32 parameter created from a numpy array (``borrow`` False and True):
    peak RSS above a tiny run's, and the first call against a later one plus its compilation."""

    def run(n: int, borrow: bool) -> list[float]:
        out = subprocess.run(
            [sys.executable, str(HERE / "memory_update.py"), str(n), "6", str(int(borrow))],
            check=True,
            capture_output=True,
            text=True,
        )
        return [float(v) for v in out.stdout.split()[-4:]]

    size = 1 << 30
    rows = []
    for borrow in (False, True):
        base = run(2, borrow)[0]
        peak, first, compile_s, later = run(size // 4, borrow)
        rows.append(
            (
                f"peak, borrow={borrow} (x parameter size)",
                (peak - base) / 2**20,
                (peak - base) / size,
            )
        )
        rows.append(
            (
                f"first call, borrow={borrow} (x later + compile)",
                first * 1e3,
                first / (later + compile_s),
            )
        )
    return Section(
        "1 GiB parameter from a numpy array, 6 in-place updates (MiB or ms; ratios as named)",
        "",
        rows,
    )


SECTIONS = [bench_call_overhead, bench_mlp_step, bench_update_memory]
