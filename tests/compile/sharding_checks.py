"""The sharding checks, run on 8 simulated CPU devices by ``test_sharding.py``.

JAX reads ``XLA_FLAGS=--xla_force_host_platform_device_count=8`` when it
starts, so these checks run in a process of their own: this script performs
them all and prints one JSON object of results, which the tests assert on.
It also starts the two-process ``jax.distributed`` run
(``sharding_multihost.py``) and reports its output.
"""

from __future__ import annotations

import doctest
import json
import os
import pathlib
import re
import socket
import subprocess
import sys

import jax
import numpy as np

import graph2jax as g
import graph2jax.tensor as gt
from graph2jax.compile import aliasing
from graph2jax.sharding import NamedSharding, PartitionSpec, make_mesh, replicated

HERE = pathlib.Path(__file__).resolve().parent
P = PartitionSpec
results: dict = {}


def _start_multihost() -> list[subprocess.Popen]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2")
    worker = str(HERE / "sharding_multihost.py")
    return [
        subprocess.Popen(
            [sys.executable, worker, str(i), str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]


def _error(fn) -> list[str] | None:
    try:
        fn()
    except Exception as err:  # the class and message are the result
        return [type(err).__name__, str(err)]
    return None


def _devices(array) -> list[int]:
    return sorted(d.id for d in array.devices())


def _shards(array) -> list[list]:
    return sorted([s.device.id, list(s.data.shape)] for s in array.addressable_shards)


def _pointers(sv) -> list[int]:
    return sorted(
        s.data.unsafe_buffer_pointer()
        for s in sv.get_value(borrow=True, return_internal_type=True).addressable_shards
    )


def _gathered(hlo: str) -> list[str]:
    """The result shapes of the compiled program's all-gathers (``f32[8,4]``)."""
    return re.findall(r"= (\w+\[[\d,]*\])\S* all-gather\(", hlo)


def mlp(rng, n_in=6, n_hidden=8, n_out=4, sharding=None):
    """An MLP regression step (float32) with its parameters; ``sharding`` for W1: None or a mapping."""
    w1 = rng.normal(size=(n_in, n_hidden)).astype("float32")
    w2 = rng.normal(size=(n_hidden, n_out)).astype("float32")
    W1 = g.shared(w1, name="W1", sharding=sharding)
    W2 = g.shared(w2, name="W2")
    b = g.shared(np.zeros(n_out, "float32"), name="b")
    x, y = gt.fmatrices("x", "y")
    loss = ((gt.tanh(x @ W1) @ W2 + b - y) ** 2).mean()
    lr = np.float32(0.05)
    updates = [(p, p - lr * d) for p, d in zip([W1, W2, b], g.grad(loss, [W1, W2, b]), strict=True)]
    return (W1, W2, b), x, y, loss, updates


def data_parallel() -> None:
    mesh = make_mesh({"data": 8})
    batch = NamedSharding(mesh, P("data"))
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(32, 6)).astype("float32")
    ys = rng.normal(size=(32, 4)).astype("float32")
    runs = {}
    for kind in ("single", "sharded"):
        params, x, y, loss, updates = mlp(np.random.default_rng(1))
        if kind == "single":
            step = g.function([x, y], loss, updates=updates, device="cpu:0")
        else:
            step = g.function(
                [g.In(x, sharding=batch), g.In(y, sharding=batch)], loss, updates=updates
            )
        copies, pointers = aliasing.copies.count, _pointers(params[0])
        losses = [float(step(xs, ys)) for _ in range(5)]
        runs[kind] = {
            "losses": losses,
            "params": [p.get_value().tolist() for p in params],
            "copies": aliasing.copies.count - copies,
            "same_buffers": _pointers(params[0]) == pointers,
            "specs": [
                str(p.sharding.spec) if hasattr(p.sharding, "spec") else None for p in params
            ],
            "devices": [
                _devices(p.get_value(borrow=True, return_internal_type=True)) for p in params
            ],
            "shards": _shards(params[0].get_value(borrow=True, return_internal_type=True)),
            "donating": "tf.aliasing_output" in step.lower(xs, ys).as_text(),
        }
        if kind == "sharded":
            out = g.function([g.In(x, sharding=batch)], g.Out(gt.tanh(x @ params[0]), borrow=True))
            h = out(xs)
            runs[kind]["output_shards"] = _shards(h)
            runs[kind]["forward"] = np.asarray(h).tolist()
            runs[kind]["forward_reference"] = np.tanh(xs @ params[0].get_value()).tolist()
            whole = g.Out(gt.tanh(x @ params[0]), borrow=True, sharding=replicated(mesh))
            gathered = g.function([g.In(x, sharding=batch)], whole)(xs)
            runs[kind]["replicated_output"] = [str(gathered.sharding.spec), _shards(gathered)]
    results["data_parallel"] = runs


def model_parallel() -> None:
    mesh = make_mesh({"data": 4, "model": 2})
    columns = NamedSharding(mesh, P(None, "model"))
    rng = np.random.default_rng(2)
    xs = rng.normal(size=(16, 6)).astype("float32")
    ys = rng.normal(size=(16, 4)).astype("float32")
    batch = NamedSharding(mesh, P("data"))
    runs = {}
    for kind in ("single", "sharded"):
        params, x, y, loss, updates = mlp(np.random.default_rng(3), sharding=None)
        if kind == "sharded":
            params, x, y, loss, updates = mlp(np.random.default_rng(3), sharding=columns)
            step = g.function(
                [g.In(x, sharding=batch), g.In(y, sharding=batch)], loss, updates=updates
            )
        else:
            step = g.function([x, y], loss, updates=updates, device="cpu:0")
        copies = aliasing.copies.count
        losses = [float(step(xs, ys)) for _ in range(5)]
        W1 = params[0]
        run = {
            "losses": losses,
            "params": [p.get_value().tolist() for p in params],
            "copies": aliasing.copies.count - copies,
        }
        if kind == "sharded":
            layer = g.function([g.In(x, sharding=batch)], g.Out(gt.tanh(x @ W1), borrow=True))
            h = layer(xs)
            run["layer"] = np.asarray(h).tolist()
            run["layer_reference"] = np.tanh(xs @ W1.get_value()).tolist()
            run["layer_spec"] = str(h.sharding.spec)
            run["layer_hlo_all_gather"] = "all-gather" in layer.lower(xs).compile().as_text()
            run["step_all_gathers"] = _gathered(step.lower(xs, ys).compile().as_text())
            held, copies = (
                W1.get_value(borrow=True, return_internal_type=True),
                aliasing.copies.count,
            )
            step(xs, ys)  # the held buffer is copied, shard by shard, and the copy donated
            now = W1.get_value(borrow=True, return_internal_type=True)
            run["borrowed"] = {
                "copies": aliasing.copies.count - copies,
                "held_alive": not held.is_deleted(),
                "spec": str(now.sharding.spec),
                "shards": _shards(now),
            }
            del held, now
            run["W1_spec"] = str(W1.sharding.spec)
            run["W1_shards"] = _shards(W1.get_value(borrow=True, return_internal_type=True))
            W1.set_value(np.ones((6, 8), "float32"))
            after = W1.get_value(borrow=True, return_internal_type=True)
            run["set_value_spec"] = str(after.sharding.spec)
            run["set_value_shards"] = _shards(after)
            run["get_value"] = [type(W1.get_value()).__name__, list(W1.get_value().shape)]
        runs[kind] = run
    results["model_parallel"] = runs


def placement() -> None:
    w = g.shared(np.ones(3), name="w")
    x = gt.dvector("x")
    f = g.function([x], g.Out(x * w, borrow=True), updates=[(w, w + 1)], device="cpu:3")
    moved = _devices(w.get_value(borrow=True, return_internal_type=True))
    out = f(np.arange(3.0))
    w.set_value(np.zeros(3))
    results["placement"] = {
        "moved": moved,
        "output": _devices(out),
        "after_set_value": _devices(w.get_value(borrow=True, return_internal_type=True)),
        "after_call": [_devices(f(np.arange(3.0))), w.get_value().tolist()],
        "missing": _error(lambda: g.function([x], x * 2, device="tpu:0")),
    }


def bad_input() -> None:
    mesh = make_mesh({"data": 8})
    batch = NamedSharding(mesh, P("data"))
    x = gt.dmatrix("x")
    fixed = gt.tensor("float64", shape=(6, 3), name="fixed")
    sharded = g.shared(np.zeros((8, 3)), name="sharded", sharding=batch)
    first4, last4 = make_mesh({"data": 4}), make_mesh({"data": 4}, jax.devices()[4:])
    results["bad_input"] = {
        "shared_not_divided": _error(lambda: g.shared(np.zeros((6, 3)), sharding=batch)),
        "set_value_not_divided": _error(lambda: sharded.set_value(np.zeros((6, 3)))),
        "in_not_divided": _error(lambda: g.function([g.In(fixed, sharding=batch)], fixed * 2)),
        "axis_missing": _error(lambda: NamedSharding(mesh, P("model"))),
        "spec_too_long": _error(
            lambda: g.In(gt.dvector("v"), sharding=NamedSharding(mesh, P(None, "data")))
        ),
        "not_a_sharding": _error(lambda: g.In(x, sharding="data")),
        "other_device": _error(lambda: g.function([x], x + sharded, device="cpu:0")),
        "two_device_sets": _error(
            lambda: g.function(
                [g.In(x, sharding=NamedSharding(first4, P("data")))],
                g.Out(x * 2, sharding=NamedSharding(last4, P("data"))),
            )
        ),
        "unchanged": sharded.get_value().tolist() == np.zeros((8, 3)).tolist(),
    }


def docs_page() -> None:
    page = HERE.parent.parent / "docs" / "sharding.rst"
    found = doctest.testfile(str(page), module_relative=False, report=False, verbose=False)
    results["docs"] = {"failed": found.failed, "attempted": found.attempted}


def main() -> None:
    workers = _start_multihost()
    results["device_count"] = jax.device_count()
    for check in (data_parallel, model_parallel, placement, bad_input, docs_page):
        check()
    outputs = []
    for proc in workers:
        try:
            out, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        outputs.append({"rc": proc.returncode, "stdout": out, "stderr": err[-2000:]})
    results["multihost"] = outputs
    print(json.dumps(results))


if __name__ == "__main__":
    main()
