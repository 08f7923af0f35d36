"""Shared test settings: a capped hypothesis profile keeps the suite fast."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "graph2jax", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("graph2jax")
