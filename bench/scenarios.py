"""The benchmarks, parent side: which trials to run and what to read from
their recordings. Each returns {metric: {peer: [one value per run]}}.

Peers take turns within each round, so that load from elsewhere on the
machine spreads over all of them alike.
"""

import random
import subprocess
import sys
import time

import numpy as np

from bench.audio import CHANNELS, noise_chunks
from bench.measure import has_heard
from bench.peers import NAMES
from bench.trials import TrialError

WRITE_INPUTS = {  # peer -> input types of its write(), see bench/writecost.py
    "audiocast": ["bytes (int16)", "numpy int16", "numpy float32",
                  "numpy float64", "list of float"],
    "appsrc": ["bytes (float32)"],  # push_buffer takes bytes; PyAudio: see docs
}


def _rounds(runs, one, peers=NAMES):
    out = {}
    for _ in range(runs):
        for peer in peers:
            for metric, value in one(peer).items():
                out.setdefault(metric, {p: [] for p in peers})[peer].append(value)
    return out


def _heard(seconds):
    return lambda capture: has_heard(capture, seconds)


def onset(runner, cfg):
    """Open, 0.5 s idle, write 0.5 s: first write -> first sound, and how
    much of the stream's beginning was never heard."""
    written = np.frombuffer(b"".join(noise_chunks(0.5)),
                            dtype=np.float32).reshape(-1, CHANNELS)

    def one(peer):
        res, rec = runner.run(peer, "onset", {"idle": 0.5, "seconds": 0.5},
                              until=_heard(0.2))
        return {"onset_ms": rec.start_ms(res["t_write"]),
                "onset_lost_ms": rec.lost_at_start_ms(written)}
    return _rounds(cfg.runs, one)


def reonset(runner, cfg):
    """Open, 0.2 s of sound, 0.5 s idle, write 0.5 s: that write -> its
    first sound (a stream that has played before and stood idle)."""
    params = {"first": 0.2, "idle": 0.5, "seconds": 0.5}

    def one(peer):
        res, rec = runner.run(peer, "reonset", params,
                              until=_heard(params["first"] + params["idle"]
                                           + 0.2))
        return {"reonset_ms": rec.start_after_silence_ms(
            res["t_write"], params["idle"] * 0.8)}
    # appsrc's timestamps run on from the first utterance's: pulsesink plays
    # the second one at once after the first, late, with no silence between
    return _rounds(cfg.runs, one, peers=[p for p in NAMES if p != "appsrc"])


def scheduled(runner, cfg):
    """Open, 0.2 s of sound, 0.5 s idle, then a 0.5 s sound asked to start
    0.2 s later: its first sound, in ms after the moment asked (audiocast
    schedules it with play(at=...); PyAudio sleeps until then and
    writes)."""
    params = {"first": 0.2, "idle": 0.5, "seconds": 0.5, "ahead": 0.2}

    def one(peer):
        res, rec = runner.run(peer, "scheduled", params,
                              until=_heard(params["first"] + params["idle"]
                                           + params["ahead"] + 0.2))
        return {"scheduled_ms": rec.start_after_silence_ms(
            res["t_at"], params["idle"] * 0.8)}
    # appsrc: as in reonset, its timestamps run on from the first utterance
    return _rounds(cfg.runs, one, peers=["audiocast", "pyaudio"])


def lowlatency(runner, cfg):
    """cfg.steady_seconds streamed in blocking 10 ms writes by each peer at
    its lowest latency (audiocast latency="low", PyAudio's smallest working
    buffer) while another process keeps a core busy: write -> heard of each
    chunk (the median), and the silence inside the stream."""
    chunks = noise_chunks(cfg.steady_seconds)

    def one(peer):
        hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            res, rec = runner.run(peer, "steady", {"seconds": cfg.steady_seconds},
                                  settle=0.3, timeout=cfg.steady_seconds + 60)
        finally:
            hog.kill()
            hog.wait()
        heard = rec.chunk_heard_ms(chunks, res["times"])
        if len(heard) < len(chunks) * 0.9:
            raise TrialError(f"{peer} steady: {len(heard)} of {len(chunks)} "
                             "chunks found in the capture")
        return {"steady_ms": float(np.median(heard)),
                "steady_gap_ms": sum(length for _, length
                                     in rec.gaps(res["times"][0]))}
    return _rounds(1, one, peers=["audiocast", "pyaudio"])


def bargein(runner, cfg):
    """3.5 s streamed by a feeder thread, clear() 1 s in (>= 2 s queued):
    clear call -> end of the last sound, and the call's own duration."""
    def one(peer):
        res, rec = runner.run(peer, "bargein", {"seconds": 3.5, "idle": 0.3,
                                                "clear_after": 1.0}, settle=0.6)
        if rec.sound_seconds < 0.5:
            raise TrialError(f"{peer} bargein: only {rec.sound_seconds:.2f} s "
                             "of sound before the clear")
        return {"tail_ms": rec.end_ms(res["t_clear"]),
                "clear_ms": res["clear_s"] * 1e3}
    return _rounds(cfg.runs, one)


def gil(runner, cfg):
    """4 s streamed by a feeder thread; 1 s in, the main thread sorts a
    list for ~1 s holding the GIL: silence inside the played audio. The
    control: the same, but another process keeps a core busy for 1 s and the
    GIL stays free, which tells CPU contention from GIL pressure. Also, under
    "gil_gaps", {test: {peer: [[(ms after the hog began, ms long), ...], one
    list per run]}}."""
    gaps = {}

    def one(peer):
        out = {}
        for test, hog in (("gap_ms", {"hog_items": cfg.hog_items}),
                          ("control_gap_ms", {"hog_seconds": 1.0})):
            res, rec = runner.run(peer, "gil", dict(hog, seconds=4.0, hog_after=1.0),
                                  settle=0.3)
            found = rec.gaps(res["t_hog"])
            gaps.setdefault(test, {}).setdefault(peer, []).append(found)
            out[test] = sum(length for _, length in found)
            out[test.replace("gap", "hog")] = res["hog_s"] * 1e3
        return out
    out = _rounds(cfg.gil_runs, one)
    out["gil_gaps"] = gaps
    return out


STARTUP_PHASES = ("interpreter", "import", "open", "first 100 ms heard")


def startup(runner, cfg):
    """Spawn -> first 100 ms heard, for the whole process. One untimed round
    first (page cache, GStreamer registry). Also, under "startup_phases",
    {peer: {phase: [ms, one per run]}} for STARTUP_PHASES."""
    phases = {}

    def one(peer):
        res, rec = runner.run(peer, "startup", {"seconds": 0.5}, until=_heard(0.1))
        heard = res["t_spawn"] + rec.heard_ms(res["t_spawn"], 0.1) / 1e3
        marks = [res[k] for k in ("t_spawn", "t_started", "t_imported", "t_opened")]
        for name, a, b in zip(STARTUP_PHASES, marks, marks[1:] + [heard]):
            phases.setdefault(peer, {}).setdefault(name, []).append((b - a) * 1e3)
        return {"startup_ms": (heard - res["t_spawn"]) * 1e3}
    _rounds(1, one)
    phases.clear()
    out = _rounds(cfg.runs, one)
    out["startup_phases"] = phases
    return out


def cpu(runner, cfg):
    """cfg.cpu_seconds streamed in 10 ms blocking writes: CPU time of the
    process per second of audio, and its peak RSS; also, under
    "cpu_threads", {peer: {thread name: CPU seconds}} of the last run."""
    threads = {}

    def one(peer):
        # recorded only to keep a reader on the monitor: a null sink
        # nobody reads mixes ahead in big blocks, and the stream's costs
        # are then not what a real device gives it
        res, _ = runner.run(peer, "cpu", {"seconds": cfg.cpu_seconds},
                            record=True, timeout=cfg.cpu_seconds + 60)
        threads[peer] = res["threads"]
        return {"cpu_ms_per_s": res["cpu_s"] / res["audio_s"] * 1e3,
                "rss_mb": res["peak_rss_kb"] / 1024}
    out = _rounds(cfg.cpu_runs, one)
    out["cpu_threads"] = threads
    return out


MANY_PLAYERS = (4, 16)


def cpumany(runner, cfg):
    """4 and 16 players in one process, each streamed cfg.many_seconds by
    a thread of its own in blocking 10 ms writes: CPU time of the process
    per second of audio per player (how the cost grows with players)."""
    def one(peer):
        out = {}
        for players in MANY_PLAYERS:
            # recorded for the reader on the monitor, as in cpu()
            res, _ = runner.run(peer, "cpumany", {"players": players,
                                                  "seconds": cfg.many_seconds},
                                record=True, timeout=cfg.many_seconds + 120)
            out[f"cpu{players}_ms_per_s"] = res["cpu_s"] / res["player_audio_s"] * 1e3
        return out
    return _rounds(cfg.cpu_runs, one)


def writecost(runner, cfg):
    """{peer: {input type: {bytes, peer_10ms, memcpy_10ms, peer_1s,
    memcpy_1s}}}, seconds per second of audio (medians in the child)."""
    out = {}
    for peer, inputs in WRITE_INPUTS.items():
        res, _ = runner.run(peer, "writecost", {"inputs": inputs, "reps": cfg.reps},
                            record=False, timeout=300)
        out[peer] = res["inputs"]
    return {"writecost": out}


def hog_items(seconds=1.0):
    """How many floats list.sort() takes ``seconds`` to sort here, from the
    fastest of a few sorts (a busy moment must not shrink the hog)."""
    n = 1_000_000
    for _ in range(2):  # n log n: a second pass corrects the first guess
        rng = random.Random(2)
        data = [rng.random() for _ in range(n)]
        fastest = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            sorted(data)
            fastest = min(fastest, time.perf_counter() - t0)
        n = int(n * seconds / fastest)
    return n
