"""What ``make bench`` leaves to look at: a chart of every workload's ratio to hand-written JAX
(PNG and SVG, with matplotlib) and a markdown table of every section's rows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import Section

#: the name of the hand-written JAX row every ratio is taken against (its ratio is 1)
BASE = "jax"


def markdown(sections: Sequence[Section], header: str = "") -> str:
    """One table per section: each row's figure and its ratio."""
    lines = [f"# graph2jax benchmarks\n\n{header}\n" if header else "# graph2jax benchmarks\n"]
    for section in sections:
        lines += [
            f"\n## {section.title}\n",
            f"| workload | {section.unit} | ratio |",
            "| --- | ---: | ---: |",
        ]
        lines += [f"| {name} | {value:.2f} | {ratio:.2f} |" for name, value, ratio in section.rows]
    return "\n".join(lines) + "\n"


def chart(sections: Sequence[Section], paths: Sequence[Path]) -> None:
    """A horizontal bar per workload (its ratio to JAX), one colour per section, parity marked.

    Only sections timed against hand-written JAX (those with a ``jax`` row) are drawn, without
    their base rows and counts; the others (a memory ratio) are in the table.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    bars = [
        (f"{section.title.split(' (')[0].split(',')[0]}: {name}", ratio, k)
        for k, section in enumerate(s for s in sections if any(r[0] == BASE for r in s.rows))
        for name, _, ratio in section.rows
        # the bases themselves (``jax``, ``jax, device array``) and counts are not timings
        if not name.startswith(BASE) and not name.endswith("(count)")
    ]
    fig, ax = plt.subplots(figsize=(10, 0.4 * len(bars) + 1.5))
    colours = plt.get_cmap("tab10")
    ax.barh(
        range(len(bars)),
        [ratio for _, ratio, _ in bars],
        color=[colours(k % 10) for _, _, k in bars],
    )
    for y, (_, ratio, _) in enumerate(bars):
        ax.text(ratio, y, f" x{ratio:.2f}", va="center", fontsize=8)
    ax.set_yticks(range(len(bars)), [label for label, _, _ in bars], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(1.0, color="black", linewidth=1, linestyle="--")
    ax.set_xlabel("time relative to hand-written JAX (1.0 = parity, lower is better)", fontsize=9)
    ax.set_title("graph2jax over hand-written JAX (medians of interleaved rounds)", fontsize=10)
    fig.tight_layout()
    for path in paths:
        fig.savefig(path)
    plt.close(fig)


def write_report(sections: Sequence[Section], directory: Path, header: str = "") -> list[Path]:
    """Write ``ratios.png``, ``ratios.svg`` and ``results.md`` into ``directory``; their paths.

    Without matplotlib only the table is written (and the chart's absence is said).
    """
    directory.mkdir(parents=True, exist_ok=True)
    table = directory / "results.md"
    table.write_text(markdown(sections, header))
    written = [table]
    try:
        images = [directory / "ratios.png", directory / "ratios.svg"]
        chart(sections, images)
        written += images
    except ImportError:
        print("no chart: matplotlib is not installed (pip install -e '.[examples]')")
    return written
