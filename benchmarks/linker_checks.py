"""The linker's run-time work: index checks (on / off), masked selections and staged shapes."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

import graph2jax as g
import graph2jax.tensor as gt
from benchmarks.common import Section, interleaved, ratio_rows
from benchmarks.control_flow import jax_rnn_loss, rnn_setup
from graph2jax.compile.mode import Mode
from graph2jax.linker.compiled import RecompileWarning

UNCHECKED = Mode(check_index_bounds=False)


def bench_gather_sgd_step(rounds: int) -> Section:
    """An embedding SGD step: 50k x 256 float32 table, 1024 int indices, loss = sum of the rows
    (its gradient scatters into the table), numpy indices in, the loss out, the table donated."""
    rng = np.random.default_rng(0)
    n_rows, width, batch, lr = 50_000, 256, 1024, np.float32(0.01)
    table = (rng.normal(size=(n_rows, width)) * 0.05).astype("float32")
    index = rng.integers(0, n_rows, size=batch)

    def step_of(mode: Mode | None) -> g.Function:
        emb = g.shared(table.copy(), name="emb")
        idx = gt.lvector("idx")
        loss = (emb[idx] ** 2).sum()
        return g.function([idx], loss, updates=[(emb, emb - lr * g.grad(loss, emb))], mode=mode)

    checked, unchecked = step_of(None), step_of(UNCHECKED)

    def jax_loss(e, i):
        return (e[i] ** 2).sum()

    def _jax_step(e, i):
        value, ge = jax.value_and_grad(jax_loss)(e, i)
        return value, e - lr * ge

    jax_step = jax.jit(_jax_step, donate_argnums=0)
    state = {"e": jnp.asarray(table)}

    def run_jax():
        value, state["e"] = jax_step(state["e"], index)
        return np.asarray(value)

    times = _on_off(run_jax, checked, unchecked, (index,), rounds, calls=20)
    return Section(
        "embedding SGD step, 50k x 256 float32, batch 1024 (ratio to hand-written jax.jit)",
        "us",
        ratio_rows(times, 1e6),
    )


def _on_off(
    run_jax: Callable[[], object],
    checked: g.Function,
    unchecked: g.Function,
    args: tuple,
    rounds: int,
    calls: int,
) -> dict[str, float]:
    """Interleaved medians of the JAX runner and the function with checks on and off."""
    return interleaved(
        {
            "jax": run_jax,
            "graph2jax checks on": lambda: checked(*args),
            "graph2jax checks off": lambda: unchecked(*args),
        },
        rounds=rounds,
        calls=calls,
    )


def bench_sparse_update(rounds: int) -> Section:
    """The same table updated in place at the batch's rows only (``inc_subtensor``): the check
    must keep XLA's in-place scatter (the call waits for the flag; the jax row blocks too)."""
    rng = np.random.default_rng(0)
    table = rng.normal(size=(50_000, 256)).astype("float32")
    index = rng.integers(0, 50_000, size=1024)
    scale = np.float32(-0.01)

    def step_of(mode: Mode | None) -> g.Function:
        emb, idx = g.shared(table.copy(), name="emb"), gt.lvector("idx")
        rows = emb[idx]
        return g.function(
            [idx], [], updates=[(emb, gt.inc_subtensor(rows, scale * rows))], mode=mode
        )

    checked, unchecked = step_of(None), step_of(UNCHECKED)
    jax_step = jax.jit(lambda e, i: e.at[i].add(scale * e[i]), donate_argnums=0)
    state = {"e": jnp.asarray(table)}

    def run_jax():
        state["e"] = jax_step(state["e"], index)
        state["e"].block_until_ready()

    times = _on_off(run_jax, checked, unchecked, (index,), rounds, calls=50)
    return Section(
        "in-place row update of the 50k x 256 table, batch 1024 (ratio to jax.jit, blocking)",
        "us",
        ratio_rows(times, 1e6),
    )


def bench_tiny_index_call(rounds: int) -> Section:
    """``f(v, i) = v[i]`` on a length-3 vector: the check's cost on a call that does nothing else."""
    v, i = gt.dvector("v"), gt.lscalar("i")
    checked = g.function([v, i], v[i])
    unchecked = g.function([v, i], v[i], mode=UNCHECKED)
    bare = jax.jit(lambda a, k: a[k])
    value, k = np.array([1.0, 2.0, 3.0]), np.int64(1)
    times = _on_off(
        lambda: np.asarray(bare(value, k)), checked, unchecked, (value, k), rounds, calls=500
    )
    return Section("tiny call v[i] (ratio to bare jax.jit)", "us", ratio_rows(times, 1e6))


def bench_embedding_rnn_scan(rounds: int) -> Section:
    """The 100-step tanh RNN reading its inputs from an embedding inside the step
    (``E[tokens[t]]``: 32 run-time indices a step, checked in the body), loss and gradient."""
    values, (W, U, _, h0), step = rnn_setup()
    rng = np.random.default_rng(1)
    table = (rng.normal(size=(1000, 64)) * 0.05).astype("float32")
    tokens = rng.integers(0, 1000, size=(100, 32))
    E, T = gt.fmatrix("E"), gt.lmatrix("T")
    args = (values[0], values[1], table, tokens, values[3])

    def function_of(mode: Mode | None) -> g.Function:
        hs, _ = g.scan(
            lambda t, h, W, U, E: step(E[t], h, W, U),
            sequences=T,
            outputs_info=h0,
            non_sequences=[W, U, E],
        )
        loss = gt.mean(hs**2)
        return g.function([W, U, E, T, h0], [loss, *g.grad(loss, [W, U, E])], mode=mode)

    def jax_loss(w, u, e, t, h):
        return jax_rnn_loss(w, u, e[t], h)

    jax_fn = jax.jit(jax.value_and_grad(jax_loss, argnums=(0, 1, 2)))

    def run_jax():
        value, grads = jax_fn(*args)
        return np.asarray(value), *map(np.asarray, grads)

    checked, unchecked = function_of(None), function_of(UNCHECKED)
    times = _on_off(run_jax, checked, unchecked, args, rounds, calls=5)
    return Section(
        "100-step tanh RNN, inputs E[tokens[t]] read in the step (1000 x 64 table), loss and "
        "gradient (ratio to lax.scan + jax.grad, the embedding gathered outside)",
        "ms",
        ratio_rows(times, 1e3),
    )


def bench_long_scan_of_reads(rounds: int) -> Section:
    """``acc + v[i]`` over 10,000 run-time indices: the body does nothing else, so the row is
    the checks' worst case in a loop (a compare and an and in the carry per step)."""
    v, idx = gt.dvector("v"), gt.lvector("idx")
    total, _ = g.scan(
        lambda i, acc, v: acc + v[i],
        sequences=idx,
        outputs_info=gt.constant(np.float64(0.0)),
        non_sequences=v,
    )
    checked = g.function([v, idx], total[-1])
    unchecked = g.function([v, idx], total[-1], mode=UNCHECKED)
    values = np.arange(100.0)
    index = np.random.default_rng(0).integers(0, 100, size=10_000)

    def sums(a, i):
        return jax.lax.scan(lambda acc, k: (acc + a[k], None), jnp.float64(0.0), i)[0]

    bare = jax.jit(sums)
    times = _on_off(
        lambda: np.asarray(bare(values, index)), checked, unchecked, (values, index), rounds, 20
    )
    return Section("10k-step scan of v[i] (ratio to lax.scan)", "us", ratio_rows(times, 1e6))


def bench_value_shape_compilations(rounds: int) -> Section:
    """Shapes decided by values over 40 sizes in 1 ... 1000: compilations made.

    ``x[x > t].sum()``: the selection is a ragged value bounded by the mask's size
    (one compilation per input shape); ``cumsum`` has no ragged rule, so that graph
    falls back to the staged form (a first stage counts, one compilation per count).
    ``arange(x.sum())`` (returned, and summed) and ``zeros(k)``: a first stage reads
    the length, the rest compiles once per capacity (a power of two), plus the first
    stage's. ``unique(x)`` (returned, and summed) over 1000 entries taking n distinct
    values: bounded by the input's size, one compilation.
    """
    x, t = gt.dvector("x"), gt.dscalar("t")
    length = gt.cast(x.sum(), "int64")
    count = gt.cast((x > t).sum(), "int64")
    masked = {
        "x[x > t].sum()": g.function([x, t], x[x > t].sum()),
        "cumsum(x[x > t])[-1], staged": g.function([x, t], gt.cumsum(x[x > t])[-1]),
        "zeros(k), k = (x > t).sum()": g.function([x, t], gt.zeros(count)),
    }
    summed = {
        "arange(x.sum())": g.function([x], gt.arange(length)),
        "arange(x.sum()).sum()": g.function([x], gt.arange(length).sum()),
    }
    distinct = {
        "unique(x)": g.function([x], gt.unique(x)),
        "unique(x).sum()": g.function([x], gt.unique(x).sum()),
    }
    values = np.arange(1000.0)
    sizes = np.unique(np.geomspace(1, 1000, 40).astype(int))
    with warnings.catch_warnings():  # the staged form warns past the recompile limit
        warnings.simplefilter("ignore", RecompileWarning)
        for size in sizes:
            for f in masked.values():
                f(values, 999.5 - size)
            for f in summed.values():
                f(np.array([float(size)]))
            for f in distinct.values():
                f(values % size)
    rows = []
    for name, f in {**masked, **summed, **distinct}.items():
        linked = f.maker.linked()
        rows.append((f"{name}: compilations", float(linked.compile_count), linked.compile_count))
    return Section(
        f"compilations over {len(sizes)} sizes in 1...1000 (counts, not a ratio)",
        "n",
        rows,
    )


def bench_masked_sum_call(rounds: int) -> Section:
    """A call of ``x[x > t].sum()`` (1000 entries): one jitted call, against ``where`` in JAX."""
    x, t = gt.dvector("x"), gt.dscalar("t")
    f = g.function([x, t], x[x > t].sum())
    bare = jax.jit(lambda a, b: jnp.where(a > b, a, 0.0).sum())
    values, threshold = np.arange(1000.0), np.float64(500.0)
    times = interleaved(
        {
            "jax": lambda: np.asarray(bare(values, threshold)),
            "graph2jax": lambda: f(values, threshold),
        },
        rounds=rounds,
        calls=300,
    )
    return Section("call of x[x > t].sum() (ratio to jax where-sum)", "us", ratio_rows(times, 1e6))


SECTIONS = [
    bench_gather_sgd_step,
    bench_sparse_update,
    bench_tiny_index_call,
    bench_embedding_rnn_scan,
    bench_long_scan_of_reads,
    bench_value_shape_compilations,
    bench_masked_sum_call,
]
