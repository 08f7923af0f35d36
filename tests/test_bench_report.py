"""``make bench``'s report: the chart files and the markdown table hold every workload."""

from __future__ import annotations

import pytest

from benchmarks.common import Section
from benchmarks.report import markdown, write_report

SECTIONS = [
    Section(
        "call overhead, f(x) (ratio to bare jax.jit)",
        "us",
        [("jax", 10.0, 1.0), ("graph2jax", 12.5, 1.25)],
    ),
    Section("scan RNN", "ms", [("jax", 4.0, 1.0), ("graph2jax", 3.6, 0.9)]),
    Section("peak memory (ratio to the parameter)", "MiB", [("1 GiB parameter", 1100.0, 1.07)]),
]


def test_the_table_lists_every_row_with_its_ratio():
    table = markdown(SECTIONS, "jax on cpu")
    assert "## scan RNN" in table and "| graph2jax | 12.50 | 1.25 |" in table
    assert "| 1 GiB parameter | 1100.00 | 1.07 |" in table and "jax on cpu" in table


def test_the_chart_draws_each_workload_timed_against_jax(tmp_path):
    pytest.importorskip("matplotlib", reason="the chart needs matplotlib (the examples extra)")
    written = write_report(SECTIONS, tmp_path / "results")
    assert sorted(p.name for p in written) == ["ratios.png", "ratios.svg", "results.md"]
    assert (tmp_path / "results" / "ratios.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (tmp_path / "results" / "ratios.svg").read_text()
    assert "x1.25" in svg and "x0.90" in svg  # the two graph2jax bars, labelled
    assert "x1.07" not in svg  # a memory ratio is not a ratio to JAX: table only
