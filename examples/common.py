"""What the examples share: scikit-learn's bundled digits, split, and a training loop with a
tqdm progress bar showing the running loss."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from tqdm import tqdm


def digits(seed: int = 0, test_fraction: float = 0.25) -> tuple[np.ndarray, ...]:
    """The 8x8 digits (1797 images shipped with scikit-learn: no download), scaled to [0, 1].

    Returns ``x_train, x_test, y_train, y_test``: float32 images of 64 pixels, int64 labels.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    x = (data.data / 16.0).astype("float32")
    return tuple(
        train_test_split(
            x,
            data.target.astype("int64"),
            test_size=test_fraction,
            random_state=seed,
            stratify=data.target,
        )
    )


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Index arrays of shuffled minibatches, forever (a new shuffle each epoch)."""
    while True:
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            yield order[start : start + batch_size]


def train(
    step: Callable[..., object],
    arrays: tuple[np.ndarray, ...],
    steps: int,
    batch_size: int,
    seed: int = 0,
    desc: str = "training",
) -> list[float]:
    """Call ``step(*batch)`` ``steps`` times on shuffled minibatches of ``arrays``.

    ``step`` returns the batch loss (or a tuple starting with it). The progress bar shows the
    running loss (an exponential average); returns the loss of every step.
    """
    batches = minibatches(len(arrays[0]), batch_size, np.random.default_rng(seed))
    losses: list[float] = []
    running = None
    with tqdm(range(steps), desc=desc, unit="step", mininterval=0.5) as bar:
        for _ in bar:
            index = next(batches)
            result = step(*(a[index] for a in arrays))
            loss = float(result[0] if isinstance(result, list | tuple) else result)
            losses.append(loss)
            running = loss if running is None else 0.95 * running + 0.05 * loss
            bar.set_postfix(loss=f"{running:.4f}", refresh=False)
    return losses


def report_loss(losses: list[float], parts: int = 5) -> None:
    """Print the mean loss over ``parts`` equal stretches of training: the loss falling."""
    size = max(1, len(losses) // parts)
    for k in range(0, len(losses), size):
        chunk = losses[k : k + size]
        print(f"  steps {k + 1:5d}-{k + len(chunk):5d}: mean loss {np.mean(chunk):.4f}")
