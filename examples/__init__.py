"""Runnable examples: ``python -m examples.digits_mlp`` (``make demo``), and the others."""
