"""graph2jax benchmarks against hand-written JAX, interleaved in one run (``make bench``).

Each benchmark times graph2jax and the equivalent hand-written JAX in
alternating rounds and prints medians and their ratio (graph2jax / JAX; lower
is better, 1.0 is parity). The machine may be shared and noisy: read medians
and ratios, not single timings.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import graph2jax as g
import graph2jax.tensor as gt

HERE = Path(__file__).parent


def interleaved(
    candidates: dict[str, Callable[[], object]], rounds: int, calls: int
) -> dict[str, float]:
    """Median seconds per call of each candidate, timing them in rotating order each round."""
    for fn in candidates.values():  # warm up: compile and fill caches
        for _ in range(3):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    names = list(candidates)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fn = candidates[name]
            t0 = time.perf_counter()
            for _ in range(calls):
                fn()
            samples[name].append((time.perf_counter() - t0) / calls)
    return {name: statistics.median(s) for name, s in samples.items()}


def bench_call_overhead(rounds: int) -> list[tuple[str, float, float]]:
    """``f(x)`` for ``2 * x`` on a scalar against the bare jitted JAX function."""
    x = gt.dscalar("x")
    f = g.function([x], 2 * x)
    f_trusted = g.function([x], 2 * x)
    f_trusted.trust_input = True
    bare = jax.jit(lambda v: 2 * v)
    value = np.asarray(3.0)
    times = interleaved(
        {
            "jax": lambda: np.asarray(bare(value)),
            "graph2jax": lambda: f(value),
            "graph2jax trust_input": lambda: f_trusted(value),
        },
        rounds=rounds,
        calls=500,
    )
    base = times["jax"]
    return [(name, t * 1e6, t / base) for name, t in times.items()]


def bench_mlp_step(rounds: int) -> list[tuple[str, float, float]]:
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
    base = times["jax"]
    return [(name, t * 1e6, t / base) for name, t in times.items()]


def bench_rnn_scan(rounds: int) -> list[tuple[str, float, float]]:
    """Forward and gradient of a 100-step tanh RNN (hidden 256, batch 32, float32) through scan."""
    rng = np.random.default_rng(0)
    n_steps, n_batch, n_in, n_hidden = 100, 32, 64, 256
    values = [
        (rng.normal(size=(n_hidden, n_hidden)) * 0.05).astype("float32"),
        (rng.normal(size=(n_in, n_hidden)) * 0.05).astype("float32"),
        rng.normal(size=(n_steps, n_batch, n_in)).astype("float32"),
        np.zeros((n_batch, n_hidden), dtype="float32"),
    ]
    W, U, X, h0 = gt.fmatrix("W"), gt.fmatrix("U"), gt.ftensor3("X"), gt.fmatrix("h0")
    hs, _ = g.scan(
        lambda x, h, W, U: gt.tanh(gt.dot(h, W) + gt.dot(x, U)),
        sequences=X,
        outputs_info=h0,
        non_sequences=[W, U],
    )
    loss = gt.mean(hs**2)
    f = g.function([W, U, X, h0], [loss, *g.grad(loss, [W, U])])

    def jax_loss(w, u, xs, h):
        def step(h, x):
            h = jnp.tanh(h @ w + x @ u)
            return h, h

        return jnp.mean(jax.lax.scan(step, h, xs)[1] ** 2)

    jax_fn = jax.jit(jax.value_and_grad(jax_loss, argnums=(0, 1)))

    def run_jax():
        value, (gw, gu) = jax_fn(*values)
        return np.asarray(value), np.asarray(gw), np.asarray(gu)

    times = interleaved({"jax": run_jax, "graph2jax": lambda: f(*values)}, rounds=rounds, calls=5)
    base = times["jax"]
    return [(name, t * 1e3, t / base) for name, t in times.items()]


def bench_sampler_step(rounds: int) -> list[tuple[str, float, float]]:
    """10**6 normal draws per call from a ``RandomStream`` function, against ``jax.random.normal``.

    Both return the draws as a numpy array; the JAX side splits its key in the
    jitted step and carries the next key, as the stream's generator update does.
    """
    from graph2jax.tensor.random.utils import RandomStream

    n = 10**6
    x = RandomStream(seed=0).normal(0.0, 1.0, size=(n,))
    draw = g.function([], x)
    # the default output is a writable host copy (np.array), jax's side a view (np.asarray):
    # the borrowed output makes the same view, so the row isolates the random op's cost
    draw_borrowed = g.function([], g.Out(x, borrow=True))

    @jax.jit
    def jax_step(key):
        next_key, sub = jax.random.split(key)
        return next_key, jax.random.normal(sub, (n,), dtype=jnp.float64)

    state = {"key": jax.random.key(0)}

    def run_jax():
        state["key"], x = jax_step(state["key"])
        return np.asarray(x)

    times = interleaved(
        {
            "jax": run_jax,
            "graph2jax": draw,
            "graph2jax Out(borrow=True)": lambda: np.asarray(draw_borrowed()),
        },
        rounds=rounds,
        calls=20,
    )
    base = times["jax"]
    return [(name, t * 1e6, t / base) for name, t in times.items()]


def bench_update_memory() -> list[tuple[str, float, float]]:
    """Peak RSS of updating a 1 GiB float32 shared parameter in place, above an 8-byte baseline."""

    def peak(n: int) -> int:
        out = subprocess.run(
            [sys.executable, str(HERE / "memory_update.py"), str(n), "20"],
            check=True,
            capture_output=True,
            text=True,
        )
        return int(out.stdout.split()[-1])

    size = 1 << 30
    above = peak(size // 4) - peak(2)
    return [("1 GiB parameter, 20 in-place updates", above / 2**20, above / size)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    print(
        f"jax {jax.__version__} on {jax.devices()[0].platform}; medians of {args.rounds} interleaved rounds"
    )
    print("\ncall overhead, f(x) = 2 * x on a float64 scalar (us per call; ratio to bare jax.jit)")
    for name, us, ratio in bench_call_overhead(args.rounds):
        print(f"  {name:24s} {us:9.2f} us   x{ratio:.2f}")
    print(
        "\nMLP training step with updates (us per step; ratio to hand-written jax.jit + donation)"
    )
    for name, us, ratio in bench_mlp_step(args.rounds):
        print(f"  {name:24s} {us:9.1f} us   x{ratio:.2f}")
    print(
        "\n100-step tanh RNN through scan, loss and gradient (ms per call; ratio to lax.scan + jax.grad)"
    )
    for name, ms, ratio in bench_rnn_scan(args.rounds):
        print(f"  {name:24s} {ms:9.2f} ms   x{ratio:.2f}")
    print("\nsampler step, 10**6 normal draws (us per call; ratio to jax.random.normal jitted)")
    for name, us, ratio in bench_sampler_step(args.rounds):
        print(f"  {name:28s} {us:9.1f} us   x{ratio:.2f}")
    if not args.skip_memory:
        print(
            "\npeak resident memory above the 8-byte baseline (MiB; ratio to the parameter's size)"
        )
        for name, mib, ratio in bench_update_memory():
            print(f"  {name:38s} {mib:8.0f} MiB  x{ratio:.2f}")


if __name__ == "__main__":
    main()
