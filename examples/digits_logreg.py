"""Multinomial logistic regression on scikit-learn's bundled digits, written as in PyTensor.

Run with ``python -m examples.digits_logreg [--steps N]``. One compiled ``train`` call per
minibatch computes the cross-entropy and moves the weights (shared variables on the device,
their buffers donated to the update); ``predict`` gives the test accuracy.
"""

from __future__ import annotations

import argparse

import numpy as np

import graph2jax as pytensor
import graph2jax.tensor as pt
from examples.common import digits, report_loss, train


def build(lr: float = 0.5):
    """The compiled training step ``train(x, y) -> loss`` and ``predict(x) -> labels``."""
    x = pt.matrix("x", dtype="float32")
    y = pt.lvector("y")
    W = pytensor.shared(np.zeros((64, 10), dtype="float32"), name="W")
    b = pytensor.shared(np.zeros(10, dtype="float32"), name="b")
    log_p = pt.special.log_softmax(x @ W + b, axis=1)
    loss = -log_p[pt.arange(y.shape[0]), y].mean()
    gW, gb = pytensor.grad(loss, [W, b])
    step = pytensor.function([x, y], loss, updates=[(W, W - lr * gW), (b, b - lr * gb)])
    predict = pytensor.function([x], log_p.argmax(axis=1))
    return step, predict


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args(argv)
    x_train, x_test, y_train, y_test = digits()
    step, predict = build()
    losses = train(step, (x_train, y_train), args.steps, args.batch, desc="logistic regression")
    report_loss(losses)
    accuracy = float(np.mean(predict(x_test) == y_test))
    print(f"test accuracy {accuracy:.3f} on {len(y_test)} held-out digits")
    return {"test_accuracy": accuracy, "first_loss": losses[0], "last_loss": losses[-1]}


if __name__ == "__main__":
    main()
