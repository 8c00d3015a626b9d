"""Runs every benchmark and writes docs/benchmarks.md and docs/benchmarks.png.

With --servers, runs the per-server benchmarks instead (bench/servers.py):
audiocast and appsrc ! pulsesink on PulseAudio, PulseAudio with rewinds,
PipeWire, and a PulseAudio and a PipeWire server over TCP; writes
docs/servers-bench.md.

Use tools/run-bench, which installs what is missing, builds, and runs this
inside `meson devenv` (so the build tree's library, typelib and package are
the ones measured):

    meson devenv -C build /usr/bin/python3 $PWD/bench/run.py [--quick] [--servers]
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/

from bench import machine, plot, report, scenarios  # noqa: E402
from bench import server_targets, servers, servers_report  # noqa: E402
from bench.server import REPO, Server  # noqa: E402
from bench.targets import ROWS, write_metrics  # noqa: E402
from bench.trials import Runner  # noqa: E402


def options(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="fewer runs and a 10 s CPU stream, for development")
    ap.add_argument("--servers", action="store_true",
                    help="the per-server benchmarks (docs/servers-bench.md) "
                    "instead of the main ones")
    ap.add_argument("--runs", type=int, help="runs per peer (default 5, quick 2)")
    ap.add_argument("--drain-runs", type=int,
                    help="--servers: drain-then-stop runs per peer and server "
                    "(default 20, quick 2)")
    ap.add_argument("--only", action="append",
                    choices=[t.name for t in servers.SERVERS],
                    help="--servers: only this server (repeatable)")
    ap.add_argument("--cpu-seconds", type=float,
                    help="length of the CPU stream (default 60, quick 10)")
    ap.add_argument("--docs", type=Path, default=REPO / "docs",
                    help="where benchmarks.md and benchmarks.png (--servers: "
                    "servers-bench.md) go")
    ap.add_argument("--results", type=Path,
                    help="also write the raw results (JSON); with --servers, "
                    "to NAME-servers.json next to it")
    ap.add_argument("--report-from", type=Path,
                    help="write docs/benchmarks.md and the plot from the raw "
                    "results a run saved (--results) instead of measuring: "
                    "for a change to the report's own text")
    ap.add_argument("--command", default="tools/run-bench",
                    help="the command line to cite in the report")
    cfg = ap.parse_args(argv)
    cfg.runs = cfg.runs or (2 if cfg.quick else 5)
    cfg.gil_runs = 1 if cfg.quick else 5
    cfg.cpu_runs = 1
    cfg.cpu_seconds = cfg.cpu_seconds or (10.0 if cfg.quick else 60.0)
    cfg.reps = 5 if cfg.quick else 15
    cfg.steady_seconds = 10.0 if cfg.quick else 60.0
    cfg.many_seconds = 5.0 if cfg.quick else 20.0
    cfg.drain_runs = cfg.drain_runs or (2 if cfg.quick else 20)
    # meson devenv runs this in the build directory: a relative path is
    # the repository's, where tools/run-bench is run from
    if cfg.report_from is not None and not cfg.report_from.is_absolute():
        cfg.report_from = REPO / cfg.report_from
    return cfg


def main_servers(cfg):
    """tools/run-bench --servers: every server of bench/servers.py, one
    after another, each started and stopped here."""
    root = Path(tempfile.mkdtemp(prefix="audiocast-bench-servers-"))
    # the children's GStreamer registry: our own, warm after the first
    os.environ["GST_REGISTRY_1_0"] = str(root / "registry.bin")
    facts = dict(machine.facts(), **machine.server_facts())
    facts.pop("pyaudio", None)  # not a peer here
    t0 = time.monotonic()
    results = servers.run_all(root, cfg)
    elapsed = time.monotonic() - t0
    evaluated = server_targets.evaluate(results)
    failed = any(r["errors"] for r in results.values())
    if cfg.results:  # not over the main benchmarks' results
        raw = cfg.results.with_name(f"{cfg.results.stem}-servers.json")
        raw.write_text(json.dumps(
            {"facts": facts, "servers": results, "seconds": elapsed}, indent=1))
    servers_report.write(cfg.docs / "servers-bench.md", evaluated=evaluated,
                         results=results, facts=facts, cfg=cfg,
                         command=cfg.command)
    print(servers_report.results_table(evaluated, results))
    print(f"bench: {elapsed:.0f} s of measuring; wrote "
          f"{cfg.docs / 'servers-bench.md'}")
    if failed:
        print(f"bench: some measurements failed; logs in {root / 'logs'}",
              file=sys.stderr)
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 0


def write_reports(cfg, rows, metrics, writecost, threads, gaps, phases,
                  facts):
    plot.write(cfg.docs / "benchmarks.png", rows, metrics)
    report.write(cfg.docs / "benchmarks.md", rows=rows, metrics=metrics,
                 writecost=writecost, threads=threads, gaps=gaps,
                 phases=phases, facts=facts, cfg=cfg,
                 command=cfg.command, plot="benchmarks.png")
    print(report.results_table(rows))
    print(f"bench: wrote {cfg.docs / 'benchmarks.md'} and benchmarks.png")


def report_from(cfg):
    """The reports of a past run, from its --results file: measured then,
    described as the rows describe them now."""
    saved = json.loads(cfg.report_from.read_text())
    metrics = saved["metrics"]
    rows = [e for e in (r.evaluate(metrics) for r in ROWS) if e is not None]
    write_reports(cfg, rows, metrics, saved["writecost"], saved["cpu_threads"],
                  saved["gil_gaps"], saved["startup_phases"], saved["facts"])
    return 0


def main(argv):
    cfg = options(argv)
    if cfg.servers:
        return main_servers(cfg)
    if cfg.report_from:
        return report_from(cfg)
    root = Path(tempfile.mkdtemp(prefix="audiocast-bench-"))
    server = Server(root).start()
    ok = False
    try:
        facts = machine.facts()
        cfg.hog_items = scenarios.hog_items(1.0)
        print(f"bench: GIL hog sorts {cfg.hog_items} floats", flush=True)
        runner = Runner(server, root / "logs")
        metrics = {"period_ms": server.period_seconds() * 1000}
        for name in ("writecost", "onset", "reonset", "scheduled", "bargein", "gil",
                     "startup", "cpu", "cpumany", "lowlatency"):
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
    write_reports(cfg, rows, metrics, writecost, threads, gaps, phases, facts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
