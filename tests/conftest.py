"""Shared test settings: a capped, derandomized hypothesis profile keeps the suite fast and repeatable.

Each property test draws the same examples on every run (``derandomize``), so
CI never fails on an example no earlier run has seen.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "graph2jax",
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("graph2jax")


def pytest_terminal_summary(terminalreporter):
    """List the screenshots tests took (``record_property("screenshot", path)``), xdist too."""
    shots = [
        value
        for report in terminalreporter.stats.get("passed", [])
        + terminalreporter.stats.get("failed", [])
        for name, value in getattr(report, "user_properties", ())
        if name == "screenshot" and report.when == "call"
    ]
    if shots:
        terminalreporter.write_sep("-", "screenshots")
        for path in shots:
            terminalreporter.write_line(f"screenshot: {path}")
