"""Random variables: ops drawing with ``jax.random`` from a generator-state input.

:mod:`~graph2jax.ops.random.basic` is the op and its size rules,
:mod:`~graph2jax.ops.random.continuous` and :mod:`~graph2jax.ops.random.discrete`
the distributions, :mod:`~graph2jax.ops.random.stream` PyTensor's ``RandomStream``.
"""
