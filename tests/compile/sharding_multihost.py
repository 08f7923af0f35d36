"""One process of the two-process ``jax.distributed`` run of docs/sharding.rst's recipe.

``python sharding_multihost.py PROCESS_ID PORT``, started twice by
``sharding_checks.py`` (two CPU devices each, a coordinator on 127.0.0.1).
Each process builds the same data-parallel SGD step, feeds its half of the
batch as a global array, and prints one JSON line: the losses, ``get_value``
of the weights (a collective: both processes call it) and the numpy
reference of the same steps.
"""

from __future__ import annotations

import json
import sys

import jax
import numpy as np


def main(process_id: int, port: str) -> None:
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(
        coordinator_address=f"127.0.0.1:{port}", num_processes=2, process_id=process_id
    )
    import graph2jax as g
    import graph2jax.tensor as gt
    from graph2jax.sharding import NamedSharding, PartitionSpec, make_mesh

    mesh = make_mesh({"data": jax.device_count()})
    batch = NamedSharding(mesh, PartitionSpec("data"))
    rng = np.random.default_rng(0)  # the same everywhere: same parameters, same full batch
    w0 = rng.normal(size=(3, 2))
    xs, ys = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    W = g.shared(w0, name="W")
    x, y = gt.dmatrices("x", "y")
    loss = ((x @ W - y) ** 2).mean()
    step = g.function(
        [g.In(x, sharding=batch), g.In(y, sharding=batch)],
        loss,
        updates=[(W, W - 0.1 * g.grad(loss, W))],
    )
    rows = slice(4 * process_id, 4 * process_id + 4)  # this process's half of the batch
    global_x = jax.make_array_from_process_local_data(batch, xs[rows])
    global_y = jax.make_array_from_process_local_data(batch, ys[rows])
    losses = [float(step(global_x, global_y)) for _ in range(3)]

    w, reference = w0.copy(), []
    for _ in range(3):
        residual = xs @ w - ys
        reference.append(float((residual**2).mean()))
        w = w - 0.1 * 2 * xs.T @ residual / residual.size
    report = {
        "process": jax.process_index(),
        "processes": jax.process_count(),
        "devices": jax.device_count(),
        "local_devices": jax.local_device_count(),
        "losses": losses,
        "reference_losses": reference,
        "W": W.get_value().tolist(),
        "reference_W": w.tolist(),
    }
    print(json.dumps(report), flush=True)
    jax.distributed.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
