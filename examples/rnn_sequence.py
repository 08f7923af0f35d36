"""A recurrent network, looped with ``pytensor.scan``, learning a synthetic sequence task.

Run with ``python -m examples.rnn_sequence [--steps N]``. Each sequence is 20 numbers drawn
from a standard normal; its label says whether their running sum ends positive, so the network
has to carry a count through time. An Elman cell ``h = tanh(x_t W_x + h W_h + b)`` is scanned
over the time axis (one ``lax.scan`` in the compiled call), a logistic read-out classifies the
last state, and ``pytensor.grad`` differentiates through the loop. Trained with momentum SGD on
minibatches with a progress bar; the test accuracy on fresh sequences is reported.
"""

from __future__ import annotations

import argparse

import numpy as np

import graph2jax as pytensor
import graph2jax.tensor as pt
from examples.common import report_loss, train

LENGTH = 20


def sequences(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of shape (LENGTH, 1) and whether each one's sum is positive."""
    x = rng.normal(size=(n, LENGTH, 1)).astype("float32")
    return x, (x.sum(axis=(1, 2)) > 0).astype("float32")


def build(n_hidden: int = 16, lr: float = 0.01, momentum: float = 0.9, seed: int = 0):
    """``train(x, y) -> loss`` and ``predict(x) -> labels`` for batches of shape (n, LENGTH, 1)."""
    rng = np.random.default_rng(seed)
    lr, momentum = np.float32(lr), np.float32(momentum)  # float32 constants keep the model float32

    def weights(*shape: int) -> np.ndarray:
        return (rng.normal(size=shape) / np.sqrt(shape[0])).astype("float32")

    x = pt.tensor3("x", dtype="float32")
    y = pt.vector("y", dtype="float32")
    Wx = pytensor.shared(weights(1, n_hidden), name="Wx")
    Wh = pytensor.shared(weights(n_hidden, n_hidden), name="Wh")
    b = pytensor.shared(np.zeros(n_hidden, dtype="float32"), name="b")
    w_out = pytensor.shared(weights(n_hidden), name="w_out")
    b_out = pytensor.shared(np.float32(0), name="b_out")
    params = [Wx, Wh, b, w_out, b_out]

    def cell(x_t, h, Wx, Wh, b):
        return pt.tanh(x_t @ Wx + h @ Wh + b)

    h0 = pt.zeros((x.shape[0], n_hidden), dtype="float32")
    states, _ = pytensor.scan(
        cell, sequences=x.dimshuffle(1, 0, 2), outputs_info=h0, non_sequences=[Wx, Wh, b]
    )
    logit = states[-1] @ w_out + b_out
    loss = (pt.softplus(logit) - y * logit).mean()  # binary cross-entropy, stable
    velocities = [pytensor.shared(np.zeros_like(p.get_value()), name=f"v_{p.name}") for p in params]
    updates = []
    for p, v, g in zip(params, velocities, pytensor.grad(loss, params), strict=True):
        new_v = momentum * v - lr * g
        updates += [(v, new_v), (p, p + new_v)]
    step = pytensor.function([x, y], loss, updates=updates, name="train")
    predict = pytensor.function([x], logit > 0, name="predict")
    return step, predict


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    x_train, y_train = sequences(4096, rng)
    x_test, y_test = sequences(1024, rng)
    step, predict = build()
    losses = train(step, (x_train, y_train), args.steps, args.batch, desc="RNN")
    report_loss(losses)
    accuracy = float(np.mean(predict(x_test) == (y_test > 0.5)))
    print(f"test accuracy {accuracy:.3f} on {len(y_test)} fresh sequences")
    return {"test_accuracy": accuracy, "first_loss": losses[0], "last_loss": losses[-1]}


if __name__ == "__main__":
    main()
