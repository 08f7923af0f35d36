"""PyTensor's ``pytensor.link.c`` path (its C linkers stand for the jitted JAX call)."""
