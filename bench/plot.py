"""docs/benchmarks.png: one panel per results row, median bars with every
run as a dot, and the target as a dashed line where it is a number."""

import math
from statistics import median

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bench.peers import LABELS, NAMES  # noqa: E402

COLORS = {"audiocast": "#2a7ab0", "pyaudio": "#d08a2c", "appsrc": "#6a9f4b",
          "memcpy": "#999999"}


def _target_line(e, metrics):
    """The highest passing value for audiocast, or None."""
    m, med = e["row"].metric, e["medians"]
    others = [med[p] for p in NAMES[1:] if p in med]
    best_plus_1 = (min(others) + 1) if others else None
    return {"onset_ms": best_plus_1, "reonset_ms": best_plus_1,
            "scheduled_ms": min(abs(v) for v in others) if others else None,
            "tail_ms": 5.0, "clear_ms": 0.3, "gap_ms": 0.0,
            "write_10ms": 3 * metrics.get("memcpy_10ms", 0),
            "write_1s": 2 * metrics.get("memcpy_1s", 0),
            "cpu_ms_per_s": 0.8 * min(others) if others else None,
            "startup_ms": med.get("pyaudio"),
            "steady_ms": min(20.0, med.get("pyaudio", 20.0)),
            "steady_gap_ms": 0.0,
            "cpu4_ms_per_s": 0.8 * min(others) if others else None,
            "cpu16_ms_per_s": 0.8 * min(others) if others else None}.get(m)


def write(path, rows, metrics):
    cols = 3
    fig, axes = plt.subplots(math.ceil(len(rows) / cols), cols,
                             figsize=(13, 3.4 * math.ceil(len(rows) / cols)))
    for ax, e in zip(axes.flat, rows):
        runs = dict(e["runs"])
        if e["row"].metric.startswith("write_"):
            runs["memcpy"] = [metrics["memcpy_" + e["row"].metric[6:]]]
        names = list(runs)
        for i, p in enumerate(names):
            vals = runs[p]
            ax.bar(i, median(vals), color=COLORS[p], alpha=0.8)
            ax.plot([i] * len(vals), vals, "k.", ms=4)
        line = _target_line(e, metrics)
        if line is not None:
            ax.axhline(line, color="crimson", ls="--", lw=1, label="target")
        ax.axhline(0, color="black", lw=0.5)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels([LABELS.get(p, p).replace(" ! ", "\n! ") for p in names],
                           fontsize=8)
        status = {True: "met", False: "MISSED", None: "no target"}[e["met"]]
        ax.set_title(f"{e['row'].title}\n({status})", fontsize=9,
                     color={False: "crimson"}.get(e["met"], "black"))
        ax.set_ylabel(e["row"].unit, fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
    for ax in list(axes.flat)[len(rows):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
