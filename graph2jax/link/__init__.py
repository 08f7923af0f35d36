"""PyTensor's ``pytensor.link`` paths: linker classes a ported script builds (see :mod:`graph2jax.compile.linkers`)."""
