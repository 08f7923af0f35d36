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

    import graph2jax as g
    from benchmarks import mlp
    from graph2jax.sharding import NamedSharding, PartitionSpec, make_mesh, replicated

    mesh = make_mesh({"data": 8})
    batch, whole = NamedSharding(mesh, PartitionSpec("data")), replicated(mesh)
    init, data = mlp.problem()

    def graph2jax_step(sharded: bool):
        if sharded:
            return mlp.graph2jax_step(
                init, lambda X, y: [g.In(X, sharding=batch), g.In(y, sharding=batch)]
            )
        return mlp.graph2jax_step(init, device="cpu:0")

    def jax_runner(sharded: bool):
        if sharded:
            placed = ([whole] * 4, batch, batch)
            step = jax.jit(mlp.jax_step, donate_argnums=0, in_shardings=placed)
            return mlp.jax_runner(step, [jax.device_put(v, whole) for v in init], data)
        step = jax.jit(mlp.jax_step, donate_argnums=0)
        return mlp.jax_runner(step, [jax.device_put(v, jax.devices()[0]) for v in init], data)

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
