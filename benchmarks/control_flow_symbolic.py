"""Loops of a length known only while running: the tanh RNN over a symbolic number of steps."""

from __future__ import annotations

import jax
import numpy as np

import graph2jax as g
import graph2jax.tensor as gt
from benchmarks.common import Section, interleaved, ratio_rows
from benchmarks.control_flow import jax_rnn_loss, rnn_setup


def bench_rnn_symbolic_length(rounds: int) -> Section:
    """The RNN over lengths 50 to 150 (symbolic ``n_steps``), against exact-length lax.scan."""
    values, (W, U, X, h0), step = rnn_setup(n_steps=150)
    L = gt.iscalar("L")
    hs, _ = g.scan(step, sequences=X, outputs_info=h0, non_sequences=[W, U], n_steps=L)
    loss = gt.mean(hs**2)
    f = g.function([W, U, X, h0, L], [loss, *g.grad(loss, [W, U])])

    jax_fn = jax.jit(jax.value_and_grad(jax_rnn_loss, argnums=(0, 1)))
    lengths = list(range(50, 151, 10))
    state = {"k": 0}

    def next_length() -> int:
        state["k"] = (state["k"] + 1) % len(lengths)
        return lengths[state["k"]]

    def run_jax():  # exact length: compiled once per length (warmed below)
        n = next_length()
        value, (gw, gu) = jax_fn(values[0], values[1], values[2][:n], values[3])
        return np.asarray(value), np.asarray(gw), np.asarray(gu)

    def run_g2j():
        return f(*values, next_length())

    for n in lengths:  # compile every length for JAX, every capacity for graph2jax
        jax_fn(values[0], values[1], values[2][:n], values[3])
        f(*values, n)
    times = interleaved({"jax": run_jax, "graph2jax": run_g2j}, rounds=rounds, calls=len(lengths))
    rows = ratio_rows(times, 1e3)
    # a count, not a time: its "ratio" is to the number of lengths (1.0: one per length)
    count = f.compile_count
    rows.append((f"compilations for {len(lengths)} lengths (count)", count, count / len(lengths)))
    return Section(
        "tanh RNN, symbolic length 50..150, loss and gradient (ratio to exact-length lax.scan)",
        "ms",
        rows,
    )


SECTIONS = [bench_rnn_symbolic_length]
