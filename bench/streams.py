"""Several sounds: what mixing costs, side by side in one run on a private
PulseAudio.

* CPU per second of audio played with N sounds at once (N = 1, 4, 16): one
  player with N streams (audiocast's mixer), against N players of their
  own (each a device stream of its own, as an application without a mixer
  does it, and as rtmixer-like use of separate outputs would), and against
  one player alone. Counted: this process (user + system: the writers, the
  library's threads) and the sound server's process, whose mixing the N
  players hand over to it.
* The same with the N streams at 22050 Hz mono (resampled in the mix).

Each sound is 48 kHz stereo float32 noise (or 22050 Hz mono), written in
0.25 s blocks by a thread of its own; 8 s measured after 1 s of warm-up.

Writes docs/streams-bench.md. Command (from the repository, after a build):

    tools/run-bench --streams
"""

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

import sound_servers  # noqa: E402

RATE = 48000
WARM_UP = 1.0
MEASURE = 8.0
BLOCK_SECONDS = 0.25
COUNTS = (1, 4, 16)


def server_cpu_seconds(pid):
    """User + system CPU of process ``pid`` so far (s)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def block(rate, channels, seed):
    rng = np.random.default_rng(seed)
    n = int(rate * BLOCK_SECONDS)
    return (rng.uniform(-0.02, 0.02, (n, channels))).astype(np.float32)


def measure(outputs, rate, channels, server_pid):
    """Feeds every output (anything with write()) from a thread of its own
    and returns (this process, the server) in ms of CPU per second of audio
    each output played (counted from what was written in the window: a
    null sink may run ahead of the wall clock)."""
    stop = threading.Event()
    counting = threading.Event()
    blocks = [block(rate, channels, i) for i in range(len(outputs))]
    written = [0] * len(outputs)

    def feed(k, out, data):
        while not stop.is_set():
            n = out.write(data)
            if counting.is_set():
                written[k] += n

    threads = [threading.Thread(target=feed, args=(k, o, b), daemon=True)
               for k, (o, b) in enumerate(zip(outputs, blocks))]
    for t in threads:
        t.start()
    time.sleep(WARM_UP)
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    s0 = server_cpu_seconds(server_pid)
    counting.set()
    time.sleep(MEASURE)
    counting.clear()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    s1 = server_cpu_seconds(server_pid)
    stop.set()
    # audio seconds per output (blocks straddling the window's ends
    # average out over 8 s)
    elapsed = sum(written) / len(written) / rate
    for o in outputs:
        o.clear()
    for t in threads:
        t.join()
    own = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return own / elapsed * 1000, (s1 - s0) / elapsed * 1000


class MonitorReader:
    """parec on ``speaker.monitor`` into /dev/null, as a real consumer
    would read it: a null sink nobody reads renders ahead of real time. A
    process of its own, not counted."""

    def __enter__(self):
        self.proc = subprocess.Popen(
            ["parec", "-d", "speaker.monitor", "--latency-msec=10",
             "--format=float32le", "--rate=48000", "--channels=2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait()


def run_streams(audiocast, n, rate, channels, pid):
    with MonitorReader(), audiocast.AudioPlayer("speaker", RATE, 2) as player:
        streams = [player.open_stream(rate, channels) for _ in range(n)]
        return measure(streams, rate, channels, pid)


def run_players(audiocast, n, rate, channels, pid):
    with MonitorReader():
        players = [audiocast.AudioPlayer("speaker", rate, channels)
                   for _ in range(n)]
        try:
            return measure(players, rate, channels, pid)
        finally:
            for p in players:
                p.stop()


def main():
    root = Path(tempfile.mkdtemp(prefix="audiocast-streams-bench-"))
    server = sound_servers.make_server("pulse", root)
    server.start()
    os.environ.update(server.env())
    import audiocast
    pid = server.proc.pid
    rows = []
    try:
        for n in COUNTS:
            rows.append((n, "48 kHz stereo",
                         run_streams(audiocast, n, RATE, 2, pid),
                         run_players(audiocast, n, RATE, 2, pid)))
        for n in COUNTS:
            rows.append((n, "22050 Hz mono",
                         run_streams(audiocast, n, 22050, 1, pid),
                         run_players(audiocast, n, 22050, 1, pid)))
    finally:
        server.stop()
    write_report(rows)


def write_report(rows):
    lines = [
        "# Several sounds: benchmarks",
        "",
        "<!-- Generated by `tools/run-bench --streams` (bench/streams.py): "
        "edits are lost; re-run the command instead. -->",
        "",
        f"Generated on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"on a private PulseAudio (null sink, 48 kHz stereo float32). CPU in "
        f"ms per second of audio played by each sound (what was written over "
        f"{MEASURE:.0f} s), with a reader on `speaker.monitor` keeping the "
        "null sink in real time: this process (the writers' threads, the "
        "library) + the sound server's process (which also serves that "
        "reader). The reader (parec, a process of its own) is not counted.",
        "",
        "| sounds | format | one player, N streams: process + server | "
        "N players: process + server | streams against players (total) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for n, fmt, (s_own, s_srv), (p_own, p_srv) in rows:
        lines.append(
            f"| {n} | {fmt} | {s_own:.1f} + {s_srv:.1f} = {s_own + s_srv:.1f}"
            f" | {p_own:.1f} + {p_srv:.1f} = {p_own + p_srv:.1f} | "
            f"{(s_own + s_srv) / (p_own + p_srv):.2f}× |")
    base = {fmt: own + srv for n, fmt, (own, srv), _ in rows if n == 1}
    lines += ["", "How the cost grows (one player, N streams, total against "
              "one stream):", ""]
    for n, fmt, (own, srv), _ in rows:
        lines.append(f"- {fmt}, {n}: {(own + srv) / base[fmt]:.2f}×")
    lines += ["", "Each sound is written by a thread of its own in 0.25 s "
              "blocks, so the Python writing costs the same on both sides; "
              "N players are N device streams the server mixes, N streams "
              "one device stream the library mixes."]
    out = REPO / "docs" / "streams-bench.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
