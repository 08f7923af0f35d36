"""PyTensor's ``pytensor.tensor.special`` namespace: softmax and its relatives, and the
special functions PyTensor keeps there (``beta``, ``logit``, ``xlogy`` ...)."""

from graph2jax.ops.special import LogSoftmax, LogSumExp, Softmax, log_softmax, logsumexp, softmax
from graph2jax.ops.special_functions import (
    beta,
    betaln,
    factorial,
    logit,
    poch,
    xlog1py,
    xlogy,
)

__all__ = [
    "LogSoftmax",
    "LogSumExp",
    "Softmax",
    "beta",
    "betaln",
    "factorial",
    "log_softmax",
    "logit",
    "logsumexp",
    "poch",
    "softmax",
    "xlog1py",
    "xlogy",
]
