"""Scale-out benchmarks: the MLP training step on an 8-device mesh (data parallel).

JAX reads the simulated device count when it starts, so the timing runs in a
subprocess with ``XLA_FLAGS=--xla_force_host_platform_device_count=8``
(``python benchmarks/sharding.py ROUNDS`` is that subprocess). On a CPU the
eight "devices" share the machine's cores: the figures are a record of the
overhead of the sharded call against hand-written ``jax.jit`` with the same
shardings, not a speed-up target.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.common import Section, interleaved, ratio_rows

HERE = Path(__file__).resolve().parent


def bench_sharded_mlp_step(rounds: int) -> Section:
    """The spine's MLP step (batch 256 split on 'data', parameters replicated) on 8 simulated devices,
    against one device and against hand-written ``jax.jit`` with the same shardings and donation."""
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=8",
        JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"),
        PYTHONPATH=str(HERE.parent),
    )
    out = subprocess.run(
        [sys.executable, str(HERE / "sharding.py"), str(rounds)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    times = json.loads(out.stdout.strip().splitlines()[-1])
    return Section(
        "MLP training step, data parallel on 8 simulated devices (ratio to jax.jit, same shardings)",
        "us",
        ratio_rows(times, 1e6, base="jax 8 devices"),
    )


SECTIONS = [bench_sharded_mlp_step]


def _measure(rounds: int) -> dict[str, float]:
    """In the 8-device process: median seconds per step of each way of running it."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    import graph2jax as g
    import graph2jax.tensor as gt
    from graph2jax.sharding import NamedSharding, PartitionSpec, make_mesh, replicated

    mesh = make_mesh({"data": 8})
    batch, whole = NamedSharding(mesh, PartitionSpec("data")), replicated(mesh)
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

    def graph2jax_step(sharded: bool):
        params = [g.shared(v.copy(), name=f"p{k}") for k, v in enumerate(init)]
        X, y = gt.fmatrix("X"), gt.fvector("y")
        pred = gt.dot(gt.tanh(gt.dot(X, params[0]) + params[1]), params[2]) + params[3]
        loss = gt.mean((pred - y) ** 2)
        updates = [
            (p, p - np.float32(lr) * gp) for p, gp in zip(params, g.grad(loss, params), strict=True)
        ]
        if sharded:
            inputs = [g.In(X, sharding=batch), g.In(y, sharding=batch)]
            return g.function(inputs, loss, updates=updates)
        return g.function([X, y], loss, updates=updates, device="cpu:0")

    def jax_loss(ps, xb, yb):
        hidden = jnp.tanh(xb @ ps[0] + ps[1])
        return jnp.mean((hidden @ ps[2] + ps[3] - yb) ** 2)

    def _jax_step(ps, xb, yb):
        value, gs = jax.value_and_grad(jax_loss)(ps, xb, yb)
        return value, [p - lr * gp for p, gp in zip(ps, gs, strict=True)]

    def jax_runner(sharded: bool):
        if sharded:
            placed = ([whole] * 4, batch, batch)
            step = jax.jit(_jax_step, donate_argnums=0, in_shardings=placed)
            state = {"ps": [jax.device_put(v, whole) for v in init]}
        else:
            step = jax.jit(_jax_step, donate_argnums=0)
            state = {"ps": [jax.device_put(v, jax.devices()[0]) for v in init]}

        def run():
            value, state["ps"] = step(state["ps"], *data)
            return np.asarray(value)

        return run

    sharded_step, single_step = graph2jax_step(True), graph2jax_step(False)
    return interleaved(
        {
            "jax 8 devices": jax_runner(True),
            "graph2jax 8 devices": lambda: sharded_step(*data),
            "jax 1 device": jax_runner(False),
            "graph2jax 1 device": lambda: single_step(*data),
        },
        rounds=rounds,
        calls=20,
    )


if __name__ == "__main__":
    print(json.dumps(_measure(int(sys.argv[1]))))
