"""A multilayer perceptron classifying scikit-learn's bundled digits (the ``make demo`` job).

Run with ``python -m examples.digits_mlp [--steps N]``. The script is written as a PyTensor
script would be; only the imports differ. The model is float32, its parameters and momentum
buffers shared variables living on the device; each ``train`` call is one jitted XLA
computation that returns the minibatch loss and updates them in place (their buffers are
donated). A progress bar shows the running loss; the test accuracy is printed at the end.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import graph2jax as pytensor
import graph2jax.tensor as pt
from examples.common import digits, report_loss, train


def build(n_hidden: int = 128, lr: float = 0.05, momentum: float = 0.9, seed: int = 0):
    """``train(x, y) -> loss`` (SGD with momentum) and ``predict(x) -> labels``."""
    rng = np.random.default_rng(seed)
    # as in PyTensor, a python float that float32 cannot hold exactly (0.9) is a float64
    # constant and would make the updates float64: give the rates as float32
    lr, momentum = np.float32(lr), np.float32(momentum)

    def weights(n_in: int, n_out: int) -> np.ndarray:
        return (rng.normal(size=(n_in, n_out)) * np.sqrt(2.0 / n_in)).astype("float32")

    x = pt.matrix("x", dtype="float32")
    y = pt.lvector("y")
    W1 = pytensor.shared(weights(64, n_hidden), name="W1")
    b1 = pytensor.shared(np.zeros(n_hidden, dtype="float32"), name="b1")
    W2 = pytensor.shared(weights(n_hidden, 10), name="W2")
    b2 = pytensor.shared(np.zeros(10, dtype="float32"), name="b2")
    params = [W1, b1, W2, b2]
    velocities = [pytensor.shared(np.zeros_like(p.get_value()), name=f"v_{p.name}") for p in params]

    hidden = pt.maximum(x @ W1 + b1, 0)  # relu
    log_p = pt.special.log_softmax(hidden @ W2 + b2, axis=1)
    loss = -log_p[pt.arange(y.shape[0]), y].mean()
    updates = []
    for p, v, g in zip(params, velocities, pytensor.grad(loss, params), strict=True):
        new_v = momentum * v - lr * g
        updates += [(v, new_v), (p, p + new_v)]
    step = pytensor.function([x, y], loss, updates=updates, name="train")
    predict = pytensor.function([x], log_p.argmax(axis=1), name="predict")
    return step, predict


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=128)
    args = parser.parse_args(argv)
    x_train, x_test, y_train, y_test = digits()
    print(f"digits: {len(y_train)} training and {len(y_test)} test images of 8x8 pixels")
    step, predict = build(args.hidden)
    start = time.perf_counter()
    losses = train(step, (x_train, y_train), args.steps, args.batch, desc="digits MLP")
    seconds = time.perf_counter() - start
    report_loss(losses)
    accuracy = float(np.mean(predict(x_test) == y_test))
    print(f"{seconds / args.steps * 1e6:.0f} us per step (compilation included)")
    print(f"loss fell from {losses[0]:.4f} to {np.mean(losses[-20:]):.4f}")
    print(f"test accuracy {accuracy:.3f}")
    return {"test_accuracy": accuracy, "first_loss": losses[0], "last_loss": losses[-1]}


if __name__ == "__main__":
    main()
