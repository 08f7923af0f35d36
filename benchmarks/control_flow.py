"""Control flow and randomness: a scan RNN with its gradient, a sampler step."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import graph2jax as g
import graph2jax.tensor as gt
from benchmarks.common import Section, interleaved, ratio_rows


def rnn_setup(n_steps: int = 100) -> tuple[list, tuple, object]:
    """The tanh RNN's float32 values, its symbolic inputs ``(W, U, X, h0)`` and its step."""
    rng = np.random.default_rng(0)
    n_batch, n_in, n_hidden = 32, 64, 256
    values = [
        (rng.normal(size=(n_hidden, n_hidden)) * 0.05).astype("float32"),
        (rng.normal(size=(n_in, n_hidden)) * 0.05).astype("float32"),
        rng.normal(size=(n_steps, n_batch, n_in)).astype("float32"),
        np.zeros((n_batch, n_hidden), dtype="float32"),
    ]
    inputs = gt.fmatrix("W"), gt.fmatrix("U"), gt.ftensor3("X"), gt.fmatrix("h0")
    return values, inputs, lambda x, h, W, U: gt.tanh(gt.dot(h, W) + gt.dot(x, U))


def jax_rnn_loss(w: Any, u: Any, xs: Any, h: Any) -> Any:
    """The RNN's loss by hand: ``lax.scan`` of the tanh step, mean square of the states."""

    def step(h: Any, x: Any) -> tuple[Any, Any]:
        h = jnp.tanh(h @ w + x @ u)
        return h, h

    return jnp.mean(jax.lax.scan(step, h, xs)[1] ** 2)


def bench_rnn_scan(rounds: int) -> Section:
    """Forward and gradient of a 100-step tanh RNN (hidden 256, batch 32, float32) through scan."""
    values, (W, U, X, h0), step = rnn_setup()
    hs, _ = g.scan(step, sequences=X, outputs_info=h0, non_sequences=[W, U])
    loss = gt.mean(hs**2)
    f = g.function([W, U, X, h0], [loss, *g.grad(loss, [W, U])])

    jax_fn = jax.jit(jax.value_and_grad(jax_rnn_loss, argnums=(0, 1)))

    def run_jax():
        value, (gw, gu) = jax_fn(*values)
        return np.asarray(value), np.asarray(gw), np.asarray(gu)

    times = interleaved({"jax": run_jax, "graph2jax": lambda: f(*values)}, rounds=rounds, calls=5)
    return Section(
        "100-step tanh RNN through scan, loss and gradient (ratio to lax.scan + jax.grad)",
        "ms",
        ratio_rows(times, 1e3),
    )


def bench_sampler_step(rounds: int) -> Section:
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
    return Section(
        "sampler step, 10**6 normal draws (ratio to jax.random.normal jitted)",
        "us",
        ratio_rows(times, 1e6),
    )


SECTIONS = [bench_rnn_scan, bench_sampler_step]
