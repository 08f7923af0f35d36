"""The op library: one module per op family (op classes, numpy reference, JAX implementation, gradient)."""
