"""Bayesian logistic regression sampled with MALA, the whole sampler step written in graph2jax.

Run with ``python -m examples.bayesian_logreg [--steps N]``. The data are scikit-learn's
bundled breast-cancer measurements (569 tumours, 30 features, shipped with the package). The
log-density (a standard normal prior on the weights and the Bernoulli likelihood) and its
gradient (``pytensor.grad``) drive a Metropolis-adjusted Langevin step: a proposal from a
gradient step plus noise drawn from a ``RandomStream``, accepted or rejected with a uniform
draw. One compiled call is one sampler step; the chain's position and the generators are
shared variables, so the state stays on the device between calls. The step size adapts during
burn-in toward an acceptance rate of 0.57; the posterior mean's test accuracy is reported.
"""

from __future__ import annotations

import argparse

import numpy as np
from tqdm import tqdm

import graph2jax as pytensor
import graph2jax.tensor as pt
from graph2jax.tensor.random.utils import RandomStream


def data(seed: int = 0) -> tuple[np.ndarray, ...]:
    """Standardized features with a column of ones, and 0/1 labels: train and test splits."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y.astype("float64"), test_size=0.25, random_state=seed, stratify=y
    )
    mean, std = x_train.mean(0), x_train.std(0)

    def design(a: np.ndarray) -> np.ndarray:
        return np.hstack([np.ones((len(a), 1)), (a - mean) / std])

    return design(x_train), design(x_test), y_train, y_test


def build(x: np.ndarray, y: np.ndarray, seed: int = 0):
    """``step(eps) -> (position, accepted, log density)``: one MALA step, moving the chain."""
    X, Y = pt.as_tensor(x), pt.as_tensor(y)
    position = pytensor.shared(np.zeros(x.shape[1]), name="position")
    eps = pt.dscalar("eps")
    srng = RandomStream(seed=seed)

    def log_density(theta):
        z = X @ theta
        return -0.5 * (theta**2).sum() + (Y * z - pt.softplus(z)).sum()

    def drift(theta):
        return theta + eps * pytensor.grad(log_density(theta), theta)

    def log_q(to, frm):  # the Langevin proposal's log-density, up to a constant
        return -((to - drift(frm)) ** 2).sum() / (4 * eps)

    proposal = drift(position) + pt.sqrt(2 * eps) * srng.normal(0, 1, size=(x.shape[1],))
    log_ratio = (
        log_density(proposal)
        - log_density(position)
        + log_q(position, proposal)
        - log_q(proposal, position)
    )
    accept = pt.log(srng.uniform(0, 1)) < log_ratio
    new = pt.switch(accept, proposal, position)
    return pytensor.function(
        [eps], [new, accept, log_density(new)], updates={position: new}, name="mala_step"
    )


def sample(step, steps: int, burn_in: int, eps: float = 1e-3) -> tuple[np.ndarray, float]:
    """Run the chain; returns the samples after burn-in and their acceptance rate."""
    samples, accepted = [], []
    with tqdm(range(steps), desc="MALA", unit="step", mininterval=0.5) as bar:
        for k in bar:
            theta, ok, logp = step(eps)
            if k < burn_in:  # adapt the step size toward 0.57 acceptance, then freeze it
                eps *= float(np.exp(0.05 * (float(ok) - 0.57)))
            else:
                samples.append(theta)
                accepted.append(bool(ok))
            bar.set_postfix(logp=f"{float(logp):.1f}", eps=f"{eps:.2e}", refresh=False)
    return np.array(samples), float(np.mean(accepted))


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--burn-in", type=int, default=1000)
    args = parser.parse_args(argv)
    x_train, x_test, y_train, y_test = data()
    step = build(x_train, y_train)
    samples, acceptance = sample(step, args.steps, args.burn_in)
    mean = samples.mean(0)
    p_test = 1 / (1 + np.exp(-(x_test @ samples.T)))  # the posterior predictive, per sample
    accuracy = float(np.mean((p_test.mean(1) > 0.5) == (y_test > 0.5)))
    print(f"acceptance rate {acceptance:.2f} over {len(samples)} samples after burn-in")
    print(f"posterior mean of the first weights {np.round(mean[:4], 2)}")
    print(f"posterior sd of the first weights   {np.round(samples.std(0)[:4], 2)}")
    print(f"test accuracy of the posterior predictive {accuracy:.3f}")
    return {"test_accuracy": accuracy, "acceptance": acceptance, "posterior_mean": mean}


if __name__ == "__main__":
    main()
