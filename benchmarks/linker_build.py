"""The linker's benchmarks: from building a training function to its first result, in a fresh process.

Each run is a new python process (``benchmarks/build_first_result.py``) timing,
after its imports, the definition of a float32 784-512-512-10 MLP training
step and its first call: hand-written ``jax.jit``, graph2jax with no compile
cache (cold), and graph2jax with a warm compile cache (``config.compile_cache_dir``
filled by an earlier process). Runs rotate their order each round.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import Section

HERE = Path(__file__).parent
ROOT = HERE.parent


def _seconds(*args: str) -> float:
    out = subprocess.run(
        [sys.executable, str(HERE / "build_first_result.py"), *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return float(out.stdout.split()[0])


def bench_build_to_first_result(rounds: int) -> Section:
    """Definition to first result, cold and with a warm graph2jax compile cache."""
    with tempfile.TemporaryDirectory(prefix="graph2jax-cache-") as cache:
        _seconds("graph2jax", cache)  # fills the cache
        runs = {
            "jax": ("jax",),
            "graph2jax, cold": ("graph2jax",),
            "graph2jax, warm cache": ("graph2jax", cache),
        }
        samples: dict[str, list[float]] = {name: [] for name in runs}
        names = list(runs)
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                samples[name].append(_seconds(*runs[name]))
    med = {name: statistics.median(s) for name, s in samples.items()}
    return Section(
        "build to first result of a 784-512-512-10 float32 MLP training step, fresh process "
        "(ratios: cold to jax, warm to cold)",
        "ms",
        [
            ("jax", med["jax"] * 1e3, 1.0),
            ("graph2jax, cold", med["graph2jax, cold"] * 1e3, med["graph2jax, cold"] / med["jax"]),
            (
                "graph2jax, warm cache",
                med["graph2jax, warm cache"] * 1e3,
                med["graph2jax, warm cache"] / med["graph2jax, cold"],
            ),
        ],
    )


SECTIONS = [bench_build_to_first_result]
