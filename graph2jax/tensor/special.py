"""PyTensor's ``pytensor.tensor.special`` namespace: ``softmax``, ``log_softmax``, ``logsumexp``."""

from graph2jax.ops.special import LogSoftmax, LogSumExp, Softmax, log_softmax, logsumexp, softmax

__all__ = ["LogSoftmax", "LogSumExp", "Softmax", "log_softmax", "logsumexp", "softmax"]
