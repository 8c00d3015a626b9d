"""Runs every benchmark and writes docs/benchmarks.md and docs/benchmarks.png.

Use tools/run-bench, which installs what is missing, builds, and runs this
inside `meson devenv` (so the build tree's library, typelib and package are
the ones measured):

    meson devenv -C build /usr/bin/python3 $PWD/bench/run.py [--quick]
"""

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/

from bench import machine, plot, report, scenarios  # noqa: E402
from bench.server import REPO, Server  # noqa: E402
from bench.targets import ROWS, write_metrics  # noqa: E402
from bench.trials import Runner  # noqa: E402


def options(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="fewer runs and a 10 s CPU stream, for development")
    ap.add_argument("--runs", type=int, help="runs per peer (default 5, quick 2)")
    ap.add_argument("--cpu-seconds", type=float,
                    help="length of the CPU stream (default 60, quick 10)")
    ap.add_argument("--docs", type=Path, default=REPO / "docs",
                    help="where benchmarks.md and benchmarks.png go")
    ap.add_argument("--results", type=Path, help="also write the raw results (JSON)")
    ap.add_argument("--command", default="tools/run-bench",
                    help="the command line to cite in the report")
    cfg = ap.parse_args(argv)
    cfg.runs = cfg.runs or (2 if cfg.quick else 5)
    cfg.gil_runs = 1 if cfg.quick else 5
    cfg.cpu_runs = 1
    cfg.cpu_seconds = cfg.cpu_seconds or (10.0 if cfg.quick else 60.0)
    cfg.reps = 5 if cfg.quick else 15
    return cfg


def main(argv):
    cfg = options(argv)
    root = Path(tempfile.mkdtemp(prefix="audiocast-bench-"))
    server = Server(root).start()
    ok = False
    try:
        facts = machine.facts()
        cfg.hog_items = scenarios.hog_items(1.0)
        print(f"bench: GIL hog sorts {cfg.hog_items} floats", flush=True)
        runner = Runner(server, root / "logs")
        metrics = {}
        for name in ("writecost", "onset", "bargein", "gil", "startup", "cpu"):
            print(f"bench: {name}...", flush=True)
            metrics.update(getattr(scenarios, name)(runner, cfg))
        ok = True
    finally:
        server.stop()
        if ok:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"bench: failed; logs in {root / 'logs'}", file=sys.stderr)

    writecost = metrics.pop("writecost")
    metrics.update(write_metrics(writecost))
    rows = [e for e in (r.evaluate(metrics) for r in ROWS) if e is not None]
    threads = metrics.pop("cpu_threads")
    gaps = metrics.pop("gil_gaps")
    phases = metrics.pop("startup_phases")
    if cfg.results:
        cfg.results.write_text(json.dumps(
            {"facts": facts, "metrics": metrics, "writecost": writecost,
             "cpu_threads": threads, "gil_gaps": gaps,
             "startup_phases": phases}, indent=1))
    plot.write(cfg.docs / "benchmarks.png", rows, metrics)
    report.write(cfg.docs / "benchmarks.md", rows=rows, metrics=metrics,
                 writecost=writecost, threads=threads, gaps=gaps,
                 phases=phases, facts=facts, cfg=cfg,
                 command=cfg.command, plot="benchmarks.png")
    print(report.results_table(rows))
    print(f"bench: wrote {cfg.docs / 'benchmarks.md'} and benchmarks.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
