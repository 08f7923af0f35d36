"""Seconds from defining a float32 784-512-512-10 MLP training step to its first result.

Usage: ``python build_first_result.py jax|graph2jax [CACHE_DIR]`` — prints the
seconds, measured after the imports and the backend's start, from building the model (parameters from
numpy arrays, the loss, its gradient, the SGD step) to the first step's loss
on the host. With ``CACHE_DIR``, graph2jax uses it as ``config.compile_cache_dir``.
Run by ``benchmarks/linker_build.py``, each time in a fresh process.
"""

from __future__ import annotations

import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

import graph2jax as g
import graph2jax.compile  # noqa: F401 (loaded lazily by graph2jax.function: an import, not the build)
import graph2jax.tensor as gt
from graph2jax.config import config

SIZES, BATCH, LR = (784, 512, 512, 10), 128, np.float32(0.01)


def initial() -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        params += [
            (rng.normal(size=(n_in, n_out)) / np.sqrt(n_in)).astype("float32"),
            np.zeros(n_out, dtype="float32"),
        ]
    x = rng.normal(size=(BATCH, SIZES[0])).astype("float32")
    labels = rng.integers(0, SIZES[-1], size=BATCH)
    return params, x, np.eye(SIZES[-1], dtype="float32")[labels]


def graph2jax_step(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    shared = [g.shared(p, name=f"p{k}") for k, p in enumerate(params)]
    X, Y = gt.fmatrix("X"), gt.fmatrix("Y")
    h = X
    for k in range(0, len(shared) - 2, 2):
        h = gt.tanh(gt.dot(h, shared[k]) + shared[k + 1])
    logits = gt.dot(h, shared[-2]) + shared[-1]
    loss = -gt.mean(gt.sum(Y * gt.special.log_softmax(logits, axis=1), axis=1))
    grads = g.grad(loss, shared)
    step = g.function(
        [X, Y], loss, updates=[(p, p - LR * gp) for p, gp in zip(shared, grads, strict=True)]
    )
    return float(step(x, y))


def jax_step(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    def loss(ps, xb, yb):
        h = xb
        for k in range(0, len(ps) - 2, 2):
            h = jnp.tanh(h @ ps[k] + ps[k + 1])
        logits = h @ ps[-2] + ps[-1]
        return -jnp.mean(jnp.sum(yb * jax.nn.log_softmax(logits, axis=1), axis=1))

    @jax.jit
    def step(ps, xb, yb):
        value, gs = jax.value_and_grad(loss)(ps, xb, yb)
        return value, [p - LR * gp for p, gp in zip(ps, gs, strict=True)]

    value, _ = step([jnp.asarray(p) for p in params], x, y)
    return float(value)


def main() -> None:
    which = sys.argv[1]
    if len(sys.argv) > 2:
        config.compile_cache_dir = sys.argv[2]
    params, x, y = initial()
    jax.devices()  # the backend's start-up is the process's, not the build's
    start = time.perf_counter()
    value = (jax_step if which == "jax" else graph2jax_step)(params, x, y)
    seconds = time.perf_counter() - start
    assert np.isfinite(value)
    print(seconds, value)


if __name__ == "__main__":
    main()
