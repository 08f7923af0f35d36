"""graph2jax benchmarks against hand-written JAX, interleaved in one run (``make bench``).

Each benchmark times graph2jax and the equivalent hand-written JAX in
alternating rounds and prints medians and their ratio (graph2jax / JAX; lower
is better, 1.0 is parity). The machine may be shared and noisy: read medians
and ratios, not single timings. Benchmarks live by topic in the modules of
``MODULES``; each exposes ``SECTIONS`` (see :mod:`benchmarks.common`).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jax  # noqa: E402

from benchmarks.common import Section  # noqa: E402
from benchmarks.report import write_report  # noqa: E402

MODULES = [
    "benchmarks.spine",
    "benchmarks.control_flow",
    "benchmarks.control_flow_symbolic",
    "benchmarks.linker_checks",
    "benchmarks.linker_build",
    "benchmarks.sharding",
]

#: where the chart and the table are written (gitignored)
RESULTS = Path(__file__).resolve().parent / "results"


def print_section(section: Section) -> None:
    """Print one section: its title and one line per row."""
    print(f"\n{section.title} ({section.unit})")
    for name, value, ratio in section.rows:
        print(f"  {name:38s} {value:10.2f} {section.unit:3s}  x{ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--only", default="", help="run only the benchmarks whose function name contains this"
    )
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="where the chart (ratios.png, ratios.svg) and the table (results.md) go",
    )
    args = parser.parse_args()
    header = (
        f"jax {jax.__version__} on {jax.devices()[0].platform}; "
        f"medians of {args.rounds} interleaved rounds"
    )
    print(header)
    sections = []
    for module in MODULES:
        for bench in importlib.import_module(module).SECTIONS:
            if args.only not in bench.__name__:
                continue
            if args.skip_memory and "memory" in bench.__name__:
                continue
            sections.append(bench(args.rounds))
            print_section(sections[-1])
    for path in write_report(sections, args.results, header):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
