"""What every benchmark module shares: interleaved timing and the section a benchmark reports.

A benchmark module exposes ``SECTIONS``, a list of functions ``bench(rounds) ->
Section``; ``benchmarks/run.py`` runs them in order and prints each section.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Section:
    """One benchmark's result: a title, the unit of its figures and its rows.

    Each row is ``(name, value in unit, ratio)``; the ratio is graph2jax's
    figure over the hand-written JAX one (lower is better, 1.0 is parity),
    or a plain quantity where the title says so.
    """

    title: str
    unit: str
    rows: list[tuple[str, float, float]] = field(default_factory=list)


def interleaved(
    candidates: dict[str, Callable[[], object]], rounds: int, calls: int
) -> dict[str, float]:
    """Median seconds per call of each candidate, timing them in rotating order each round."""
    for fn in candidates.values():  # warm up: compile and fill caches
        for _ in range(3):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in candidates}
    names = list(candidates)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fn = candidates[name]
            t0 = time.perf_counter()
            for _ in range(calls):
                fn()
            samples[name].append((time.perf_counter() - t0) / calls)
    return {name: statistics.median(s) for name, s in samples.items()}


def ratio_rows(
    times: dict[str, float], scale: float, base: str = "jax"
) -> list[tuple[str, float, float]]:
    """Rows of ``times`` (seconds) scaled to the section's unit, each with its ratio to ``base``."""
    return [(name, t * scale, t / times[base]) for name, t in times.items()]
