"""The rows of the per-server table (docs/servers-bench.md): for each
server, each metric's audiocast and hand-pipeline figures, the target (from
the server-matrix issue) and whether audiocast meets it.

A figure is the median of the runs, or for losses the worst run (max) and
the sum over the runs (total): one lost frame in one run is a miss.
"""

from statistics import median


def _signed(v):
    return "—" if v is None else f"{v:+.2f}"


def _frames(v):
    return "—" if v is None else f"{v:.0f}"


class Row:
    """``agg`` picks the figure from a peer's runs; ``check(ac, hand,
    period_ms, ac_runs)`` says whether audiocast meets ``target`` (text,
    may use {period}); None when it cannot tell (no runs)."""

    def __init__(self, metric, title, unit, agg, target, check, fmt=None):
        self.metric = metric
        self.title = title
        self.unit = unit
        self.agg = agg
        self.target = target
        self.check = check
        self.fmt = fmt

    def evaluate(self, result):
        runs = result["metrics"].get(self.metric, {})
        ac_runs = runs.get("audiocast") or []
        hand_runs = runs.get("appsrc") or []
        ac = self.agg(ac_runs) if ac_runs else None
        hand = self.agg(hand_runs) if hand_runs else None
        period = result["period_ms"]
        met = None
        if ac is not None and period is not None:
            met = self.check(ac, hand, period, ac_runs)
            # numpy's bools are not `False`: make the verdict a plain bool
            met = None if met is None else bool(met)
        return {"row": self, "audiocast": ac, "hand": hand, "runs": runs,
                "ac_runs": ac_runs, "met": met,
                "target": self.target.format(period=period or 0)}


def _with_hand(f):
    """A check against the hand pipeline: undecided without its figure."""
    return lambda ac, hand, period, runs: None if hand is None else f(ac, hand, period)


def _range(runs):
    return min(runs), max(runs)


ROWS = [
    Row("onset_ms", "Onset: first write → first sound", "ms", median,
        "≤ hand + 2 ms",
        _with_hand(lambda ac, hand, period: ac <= hand + 2)),
    Row("onset_lost_frames", "Onset: frames lost at the head (worst run)",
        "frames", max, "0 frames",
        lambda ac, hand, period, runs: ac == 0, fmt=_frames),
    Row("tail_ms", "Clear: clear call → end of the last old sound", "ms",
        median, "≤ hand + 3 ms and ≤ one period + 2 ms ({period:.1f} + 2 ms)",
        _with_hand(lambda ac, hand, period: ac <= hand + 3 and ac <= period + 2)),
    # captured - reported: positive, more was heard than clear() said;
    # negative, clear() counted frames that never reached the capture
    Row("heard_err_ms", "Clear: heard-count error, captured − reported "
        "(median; every run below)", "ms", median,
        "0 … +one period ({period:.1f} ms) in every run, never negative",
        lambda ac, hand, period, runs: all(0 <= v <= period for v in runs),
        fmt=_signed),
    Row("reappear_ms", "Clear: old audio after a silent gap in the tail "
        "(worst run)", "ms", max, "0 ms (never)",
        lambda ac, hand, period, runs: ac == 0),
    Row("drain_lost_frames", "Drain-then-stop: frames of the clip lost "
        "(worst run)", "frames", max, "0 frames",
        lambda ac, hand, period, runs: ac == 0, fmt=_frames),
    Row("drain_lost_frames", "Drain-then-stop: frames of the clip lost "
        "(total over the runs)", "frames", sum, "0 frames",
        lambda ac, hand, period, runs: ac == 0, fmt=_frames),
]

# metrics listed under "All runs" only
DETAILS = {"drain_head_frames": ("Drain-then-stop: of those, frames lost "
                                 "at the head", "frames")}


def evaluate(results):
    """{server name: [evaluated rows]} in ROWS order."""
    return {name: [r.evaluate(res) for r in ROWS] for name, res in results.items()}


def heard_range(e):
    """The heard-error row's spread over the runs, with signs, as text."""
    if not e["ac_runs"]:
        return ""
    lo, hi = _range(e["ac_runs"])
    return f" ({_signed(lo)} … {_signed(hi)})"
