"""Train a two-layer perceptron on synthetic data with graph2jax (the ``make demo`` job).

The script is written exactly as a PyTensor script would be; only the imports
differ. The parameters are shared variables living on the device; each call of
``train`` makes one jitted XLA computation that returns the loss and updates
the parameters in place (their buffers are donated).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import graph2jax as pytensor
import graph2jax.tensor as pt


def make_data(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals: a problem a linear model cannot solve."""
    t = rng.uniform(0.25, 3.0, size=n) * np.pi
    label = rng.integers(0, 2, size=n)
    sign = np.where(label == 1, 1.0, -1.0)
    x = np.stack([sign * t * np.cos(t), sign * t * np.sin(t)], axis=1) / np.pi
    x += rng.normal(scale=0.05, size=x.shape)
    return x.astype("float64"), label.astype("float64")


def build(n_hidden: int, rng: np.random.Generator, lr: float):
    """The model graph and its two compiled functions: a training step and a predictor."""
    X = pt.dmatrix("X")
    y = pt.dvector("y")
    W1 = pytensor.shared(rng.normal(scale=1.0, size=(2, n_hidden)), name="W1")
    b1 = pytensor.shared(np.zeros(n_hidden), name="b1")
    W2 = pytensor.shared(rng.normal(scale=1.0 / np.sqrt(n_hidden), size=n_hidden), name="W2")
    b2 = pytensor.shared(0.0, name="b2")
    params = [W1, b1, W2, b2]

    hidden = pt.tanh(pt.dot(X, W1) + b1)
    logit = pt.dot(hidden, W2) + b2
    # binary cross-entropy written with softplus, which is stable for large |logit|
    loss = pt.mean(pt.softplus(logit) - y * logit)
    accuracy = pt.mean(pt.eq(pt.gt(logit, 0), pt.gt(y, 0.5)))
    grads = pytensor.grad(loss, params)
    train = pytensor.function(
        [X, y],
        [loss, accuracy],
        updates=[(p, p - lr * g) for p, g in zip(params, grads, strict=True)],
        name="train",
    )
    predict = pytensor.function([X], pt.gt(logit, 0), name="predict")
    return train, predict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1.0)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x_train, y_train = make_data(512, rng)
    x_test, y_test = make_data(512, rng)
    t0 = time.perf_counter()
    train, predict = build(args.hidden, rng, args.lr)
    first_loss, _ = train(x_train, y_train)
    print(f"compiled and ran the first step in {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    for step in range(1, args.steps + 1):
        loss, acc = train(x_train, y_train)
        if step % (args.steps // 10) == 0:
            print(f"step {step:4d}  loss {float(loss):.4f}  train accuracy {float(acc):.3f}")
    per_step = (time.perf_counter() - t0) / args.steps * 1e6
    test_acc = float(np.mean(predict(x_test) == (y_test > 0.5)))
    print(f"{per_step:.0f} us per training step; test accuracy {test_acc:.3f}")
    print(f"loss fell from {float(first_loss):.4f} to {float(loss):.4f}")
    if not float(loss) < float(first_loss):
        raise SystemExit("the loss did not fall")


if __name__ == "__main__":
    main()
