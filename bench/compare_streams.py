"""audiocast's two device streams on PulseAudio-protocol servers, side by
side with PyAudio: GStreamer's pulsesink (AUDIOCAST_PULSE_STREAM=0; the
default on PulseAudio) and audiocast's own stream (AUDIOCAST_PULSE_STREAM=1;
the default on PipeWire), docs/design.md, The device stream.

Runs bench/scenarios.py's own scenarios on a private server of each kind
asked for, each round played by the three in turn (audiocast with
pulsesink, audiocast with its stream, PyAudio), and prints each metric's
median and every run:

    meson devenv -C build /usr/bin/python3 $PWD/bench/compare_streams.py \\
        --servers pulse,pulse-rewinds,pipewire \\
        --scenarios onset,reonset,cpu --runs 6

A comparison for the design notes, not a row of docs/benchmarks.md.
"""

import argparse
import os
import statistics
import sys
import tempfile
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import scenarios  # noqa: E402
from bench.server import Server  # noqa: E402
from bench.trials import Runner  # noqa: E402

# (label, bench peer, AUDIOCAST_PULSE_STREAM)
VARIANTS = [("pulsesink", "audiocast", "0"), ("own stream", "audiocast", "1"),
            ("PyAudio", "pyaudio", "0")]


def variant_rounds(runs, one, peers=None):
    """scenarios._rounds, with audiocast played once per stream: each child
    inherits this process's environment (Server.child_env)."""
    out = {}
    for _ in range(runs):
        for label, peer, own in VARIANTS:
            if peers is not None and peer not in peers:
                continue
            os.environ["AUDIOCAST_PULSE_STREAM"] = own
            for metric, value in one(peer).items():
                out.setdefault(metric, {}).setdefault(label, []).append(value)
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--servers", default="pulse",
                    help="comma-separated: pulse, pulse-rewinds, pipewire")
    ap.add_argument("--scenarios", default="onset,reonset,cpu",
                    help="comma-separated names of bench/scenarios.py's")
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--cpu-seconds", type=float, default=20.0)
    ap.add_argument("--variants", default=",".join(v[0] for v in VARIANTS),
                    help="comma-separated: " + ", ".join(v[0] for v in VARIANTS))
    ap.add_argument("--steady-seconds", type=float, default=20.0,
                    help="the lowlatency scenario's stream")
    args = ap.parse_args(argv)

    cfg = types.SimpleNamespace(runs=args.runs, cpu_runs=args.runs,
                                cpu_seconds=args.cpu_seconds,
                                steady_seconds=args.steady_seconds, gil_runs=1, quick=False)
    wanted = args.variants.split(",")
    unknown = set(wanted) - {v[0] for v in VARIANTS}
    if unknown:
        ap.error(f"unknown variants {sorted(unknown)}; the variants are "
                 + ", ".join(v[0] for v in VARIANTS))
    VARIANTS[:] = [v for v in VARIANTS if v[0] in wanted]
    scenarios._rounds = variant_rounds
    for kind in args.servers.split(","):
        root = tempfile.mkdtemp(prefix="audiocast-compare-")
        server = Server(root, kind)
        server.start(default=True)
        try:
            runner = Runner(server, Path(root) / "logs")
            for name in args.scenarios.split(","):
                for metric, per in getattr(scenarios, name)(runner, cfg).items():
                    for label, values in per.items():
                        if not (isinstance(values, list) and values
                                and isinstance(values[0], (int, float))):
                            continue  # cpu_threads: seconds by thread
                        print(f"{kind:14s} {metric:18s} {label:11s} median "
                              f"{statistics.median(values):8.2f}  all "
                              f"{[round(v, 2) for v in values]}", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
