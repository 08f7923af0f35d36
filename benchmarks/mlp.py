"""The small float32 MLP training step several benchmarks time, in graph2jax and in JAX.

Two layers (128 inputs, 512 tanh units, one output), batch 256, squared
error, plain SGD: parameters created from numpy arrays, numpy batches in and
the loss out, the case users meet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import graph2jax as g
import graph2jax.tensor as gt

LEARNING_RATE = 0.01


def problem() -> tuple[list[np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The initial parameters and one batch ``(X, y)``, seeded."""
    rng = np.random.default_rng(0)
    n_in, n_hidden, n_batch = 128, 512, 256
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
    return init, data


def graph2jax_step(init: list[np.ndarray], inputs: Any = None, **kwargs: Any) -> g.Function:
    """The compiled step ``step(X, y) -> loss``; ``inputs`` wraps ``[X, y]`` (e.g. in ``In``)."""
    params = [g.shared(v.copy(), name=f"p{k}") for k, v in enumerate(init)]
    X, y = gt.fmatrix("X"), gt.fvector("y")
    pred = gt.dot(gt.tanh(gt.dot(X, params[0]) + params[1]), params[2]) + params[3]
    loss = gt.mean((pred - y) ** 2)
    lr = np.float32(LEARNING_RATE)
    updates = [(p, p - lr * gp) for p, gp in zip(params, g.grad(loss, params), strict=True)]
    return g.function(inputs(X, y) if inputs else [X, y], loss, updates=updates, **kwargs)


def jax_step(ps: list[Any], xb: Any, yb: Any) -> tuple[Any, list[Any]]:
    """The same step by hand: ``(loss, new parameters)`` (jit it with the options to compare)."""

    def loss(ps: list[Any]) -> Any:
        hidden = jnp.tanh(xb @ ps[0] + ps[1])
        return jnp.mean((hidden @ ps[2] + ps[3] - yb) ** 2)

    value, gs = jax.value_and_grad(loss)(ps)
    return value, [p - LEARNING_RATE * gp for p, gp in zip(ps, gs, strict=True)]


def jax_runner(jitted: Callable, params: list[Any], data: tuple) -> Callable[[], np.ndarray]:
    """A call of the jitted hand-written step carrying its parameters, the loss as numpy."""
    state = {"ps": params}

    def run() -> np.ndarray:
        value, state["ps"] = jitted(state["ps"], *data)
        return np.asarray(value)

    return run
