"""The examples run, with fewer steps than their defaults, and learn: the loss falls and the
test accuracy is what the model should reach after that many steps."""

from __future__ import annotations

import pytest

pytest.importorskip(
    "sklearn", reason="the examples' data come with scikit-learn (the examples extra)"
)

from examples import bayesian_logreg, digits_logreg, digits_mlp, rnn_sequence  # noqa: E402


def test_digits_logistic_regression(capsys):
    result = digits_logreg.main(["--steps", "300"])
    assert result["last_loss"] < result["first_loss"] / 3
    assert result["test_accuracy"] > 0.9
    assert "test accuracy" in capsys.readouterr().out


def test_digits_mlp(capsys):
    result = digits_mlp.main(["--steps", "400"])
    assert result["last_loss"] < result["first_loss"] / 5
    assert result["test_accuracy"] >= 0.95
    out = capsys.readouterr()
    assert "loss fell from" in out.out and "digits MLP" in out.err  # the progress bar


def test_bayesian_logistic_regression_samples_a_useful_posterior():
    result = bayesian_logreg.main(["--steps", "1200", "--burn-in", "400"])
    assert 0.2 < result["acceptance"] < 0.95
    assert result["test_accuracy"] > 0.9
    assert result["posterior_mean"].shape == (31,)


def test_rnn_learns_the_running_sum_sign():
    result = rnn_sequence.main(["--steps", "800"])
    assert result["last_loss"] < result["first_loss"] / 2
    assert result["test_accuracy"] > 0.8
