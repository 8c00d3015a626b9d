"""Workloads that the reliability tests run in a child process
(``workers.Worker``): ``python3 worker_tasks.py TASK JSON-ARGS``.

A child has its own memory (the soak measures its RSS), may talk to a sound
server of its own (the fault tests kill it) and may hang or crash without
taking the test session along: a watchdog (faulthandler) dumps every
thread's stack to stderr and ends it. Messages to the test are JSON lines
on stdout prefixed with ``@@``; the test answers on stdin.
"""

import faulthandler
import json
import os
import sys
import threading
import time

import numpy as np

import analysis
import audio_signals
import workers
from audiocast_pkg import audiocast

RATE = 48000
PERIOD = RATE // 100  # the default latency-time, 10 ms
# What the paced stall test keeps written ahead of what was heard: less
# than its stall, so that the device runs dry whatever the server took.
STALL_LEAD = RATE // 5


def send(**msg):
    print("@@ " + json.dumps(msg), flush=True)


def recv():
    line = sys.stdin.readline()
    if not line:
        os._exit(3)  # the test is gone
    return json.loads(line)


def error_info(e):
    return {"type": type(e).__name__, "message": str(e),
            "audiocast": isinstance(e, audiocast.AudioCastError)}


class Timed:
    """Runs ``fn`` in a thread and records when it returned or raised, so a
    call that hangs is reported instead of hanging the child."""

    def __init__(self, fn, name):
        self.fn = fn
        self.result = None
        self.error = None
        self.t_end = None
        self.thread = threading.Thread(target=self._run, name=name,
                                       daemon=True)
        self.t_start = time.monotonic()
        self.thread.start()

    def _run(self):
        try:
            self.result = self.fn()
        except Exception as e:  # reported to the test
            self.error = e
        self.t_end = time.monotonic()

    def wait(self, timeout):
        self.thread.join(timeout)
        return self

    def report(self, since=None):
        since = self.t_start if since is None else since
        out = {"returned": self.t_end is not None}
        if self.t_end is not None:
            out["after"] = self.t_end - since
        if self.error is not None:
            out["error"] = error_info(self.error)
        elif self.t_end is not None:
            out["result"] = self.result
        return out


def wait_until(cond, timeout):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


# --------------------------------------------------------------------------
# races: write / clear / drain / stop from three threads
# --------------------------------------------------------------------------

def races(cycles, stop_every, seed, chunk_max, buffer_time, drain_max_ms,
          clear_phases, phase_len, barrier_timeout, watchdog):
    """See test_py_races.py for what a cycle is."""
    faulthandler.dump_traceback_later(watchdog, exit=True)
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, chunk_max + 1, cycles)
    p_clear = np.array(clear_phases)[(np.arange(cycles) // phase_len)
                                     % len(clear_phases)]
    do_clear = rng.random(cycles) < p_clear
    drain_us = rng.integers(0, int(drain_max_ms * 1000) + 1, cycles)
    jitter = rng.uniform(0, 300e-6, (3, cycles))
    stop_at = (np.arange(cycles) % stop_every) == stop_every // 2

    def open_player():
        return audiocast.AudioPlayer("speaker", RATE, 2,
                                     buffer_time=buffer_time)

    st = {"player": open_player(), "instance": 0, "offset": 0,
          "stopped": False}
    chunks = []     # [id, instance, cycle, requested, accepted, offset]
    clears = []     # [instance, cycle, heard, cleared_after, concurrent stop,
    #                  times clear() was called and returned]
    instances = []  # final stats of every player
    drains = {"true": 0, "false": 0}
    problems = []   # unexpected exceptions: [thread, cycle, error]
    current = {"writer": None, "clearer": None, "drainer": None}

    def swap():  # barrier action: runs once all three threads are through
        if st["stopped"]:
            p = st["player"]
            instances.append(dict(p.stats(), instance=st["instance"],
                                  active=p.is_active))
            st["player"] = open_player()
            st["instance"] += 1
            st["offset"] = 0
            st["stopped"] = False

    barrier = threading.Barrier(3, action=swap, timeout=barrier_timeout)

    def writer():
        for c in range(cycles):
            p, inst = st["player"], st["instance"]
            time.sleep(jitter[0, c])
            current["writer"] = ("write", c)
            try:
                n = p.write(analysis.marker_chunk(c, lengths[c]))
            except audiocast.PlayerClosedError:
                n = 0
            except Exception as e:
                problems.append(["writer", c, error_info(e)])
                n = 0
            chunks.append([c, inst, c, int(lengths[c]), n, st["offset"]])
            st["offset"] += n
            current["writer"] = ("barrier", c)
            barrier.wait()

    def clearer():
        for c in range(cycles):
            p, inst = st["player"], st["instance"]
            time.sleep(jitter[1, c])
            current["clearer"] = ("clear", c)
            if do_clear[c]:
                try:
                    t = time.monotonic()
                    heard = p.clear()
                    clears.append([inst, c, heard, p.frames_cleared,
                                   bool(stop_at[c]), t, time.monotonic()])
                except Exception as e:
                    problems.append(["clearer", c, error_info(e)])
            current["clearer"] = ("barrier", c)
            barrier.wait()

    def drainer():
        for c in range(cycles):
            p = st["player"]
            time.sleep(jitter[2, c])
            try:
                if stop_at[c]:
                    current["drainer"] = ("stop", c)
                    p.stop()
                    st["stopped"] = True
                else:
                    current["drainer"] = ("drain", c)
                    ok = p.drain(timeout=drain_us[c] / 1e6)
                    drains["true" if ok else "false"] += 1
            except Exception as e:
                problems.append(["drainer", c, error_info(e)])
            current["drainer"] = ("barrier", c)
            barrier.wait()

    t0 = time.monotonic()
    threads = [threading.Thread(target=f, name=f.__name__, daemon=True)
               for f in (writer, clearer, drainer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(watchdog)
    took = time.monotonic() - t0
    if any(t.is_alive() for t in threads) or barrier.broken:
        faulthandler.dump_traceback(all_threads=True)
        send(event="deadlock", where=current, took=took)
        sys.stdout.flush()
        os._exit(2)

    # the last player: let everything be heard, then one final clear
    p = st["player"]
    drained = p.drain(timeout=30.0)
    t = time.monotonic()
    final_heard = p.clear()
    clears.append([st["instance"], cycles, final_heard, p.frames_cleared,
                   False, t, time.monotonic()])
    instances.append(dict(p.stats(), instance=st["instance"], active=True,
                          drained=drained))
    p.stop()
    send(event="done", took=took, chunks=chunks, clears=clears,
         instances=instances, drains=drains, problems=problems)


# --------------------------------------------------------------------------
# faults: the sound server dies, the device goes away
# --------------------------------------------------------------------------

def faults(seed, buffer_time, limit):
    """Driven step by step by test_py_faults.py; see there."""
    faulthandler.dump_traceback_later(600, exit=True)
    x = audio_signals.noise(4.0, RATE, 2, amplitude=0.4, seed=seed)
    while True:
        msg = recv()
        step = msg["step"]
        if step == "exit":
            send(event="bye")
            sys.stdout.flush()
            os._exit(0)  # threads stuck in the library must not hold us
        try:
            send(**FAULT_STEPS[step](x, buffer_time, limit, **msg.get("args", {})))
        except Exception as e:
            send(event="error", error=error_info(e))


def _player(device, buffer_time):
    return audiocast.AudioPlayer(device, RATE, 2, buffer_time=buffer_time)


def _kill_while(p, call, x, limit, what):
    """Starts ``call`` (a blocking write or drain) in a thread, asks the test
    to kill the server once audio is heard, and reports how the call and then
    write/drain/clear/stop on the dead player behave."""
    blocked = Timed(call, what)
    if not wait_until(lambda: p.frames_played >= RATE // 5, 10):
        return {"event": "error", "error": {"message": "nothing was heard "
                "before the kill", "stats": p.stats()}}
    time.sleep(0.1)
    out = {"blocked_before_kill": blocked.t_end is None}
    send(event="kill-now")
    t_kill = recv()["killed_at"]
    blocked.wait(limit + 5)
    out[what] = blocked.report(since=t_kill)
    # afterwards: every call returns (or raises) at once
    for name, fn in (("write_after", lambda: p.write(x[:4800])),
                     ("drain_after", lambda: p.drain()),
                     ("clear_after", p.clear),
                     ("stop_after", p.stop)):
        out[name] = Timed(fn, name).wait(limit + 5).report()
    out["stats"] = p.stats()
    return out


def _fault_kill_during_write(x, buffer_time, limit, device=None):
    p = _player(device, buffer_time)
    out = _kill_while(p, lambda: p.write(x), x, limit, "write")
    out["event"] = "killed-during-write"
    return out


def _fault_kill_during_drain(x, buffer_time, limit, device=None):
    p = audiocast.AudioPlayer(device, RATE, 2, buffer_time=5.0)
    p.write(x)  # all of it fits: drain has 4 s to wait for
    out = _kill_while(p, p.drain, x, limit, "drain")
    out["event"] = "killed-during-drain"
    return out


def _fault_play(x, buffer_time, limit, device=None, seconds=0.5):
    """A new player after the server came back: plays x[:seconds]."""
    t0 = time.monotonic()
    try:
        p = _player(device, buffer_time)
    except Exception as e:
        return {"event": "played", "open_error": error_info(e),
                "open_after": time.monotonic() - t0}
    n = int(seconds * RATE)
    w = Timed(lambda: p.write(x[:n]), "write").wait(limit + 10)
    d = Timed(lambda: p.drain(10.0), "drain").wait(limit + 10)
    out = {"event": "played", "write": w.report(), "drain": d.report(),
           "stats": p.stats(), "frames": n}
    Timed(p.stop, "stop").wait(limit + 5)
    return out


def _fault_stream(x, buffer_time, limit, device=None):
    """Starts streaming x in a writer thread and reports once it is heard."""
    p = _player(device, buffer_time)
    STREAM["player"] = p
    STREAM["writer"] = Timed(lambda: p.write(x), "write")
    ok = wait_until(lambda: p.frames_played >= RATE // 5, 10)
    return {"event": "streaming", "heard": ok, "stats": p.stats()}


def _fault_after_unload(x, buffer_time, limit, t_unload, watch=1.5):
    """After the test unloaded the sink the stream played to: how the
    blocked write, drain, clear and stop behave, and whether the stream goes
    on (played frames advancing)."""
    p = STREAM["player"]
    w = STREAM["writer"]
    played = []
    t_end = time.monotonic() + watch
    while time.monotonic() < t_end:
        played.append((time.monotonic() - t_unload, p.frames_played))
        time.sleep(0.05)
    out = {"event": "unloaded", "played": played,
           "write": w.report(since=t_unload)}
    d = Timed(lambda: p.drain(timeout=limit), "drain").wait(limit + 5)
    out["drain"] = d.report()
    out["clear"] = Timed(p.clear, "clear").wait(limit + 5).report()
    w.wait(limit + 5)
    out["write_end"] = w.report(since=t_unload)
    out["stop"] = Timed(p.stop, "stop").wait(limit + 5).report()
    out["stats"] = p.stats()
    return out


STREAM = {}
def _fault_stall_then_drain(x, buffer_time, limit, device=None):
    """Streams x (4 s) 10 ms per write from a thread of its own, keeping
    no more than STALL_LEAD written ahead of what was heard (as a
    synthesiser does), asks the test to stop this process for a moment
    once 2.5 s were heard (a stall of the machine: the device runs dry
    meanwhile), then drains and reports the counters. Written at once,
    the 4 s could all be in the server before the stall: a sink with
    rewinds renders far ahead, and then nothing ran dry (seen in CI)."""
    p = audiocast.AudioPlayer(device, RATE, 2, buffer_time=5.0)

    def write_paced():
        for i in range(0, len(x), PERIOD):
            wait_until(lambda: p.buffered_frames <= STALL_LEAD, 30)
            p.write(x[i:i + PERIOD])

    writer = Timed(write_paced, "writer")
    if not wait_until(lambda: p.frames_played >= int(2.5 * RATE), 10):
        return {"event": "error", "error": {"message": "2.5 s were never "
                "heard", "stats": p.stats()}}
    send(event="stall-now")
    recv()  # the test stopped and resumed us
    w = writer.wait(30).report()
    d = Timed(lambda: p.drain(10.0), "drain").wait(15)
    out = {"event": "drained", "write": w, "drain": d.report(),
           "stats": p.stats(), "frames": len(x), "lead": STALL_LEAD}
    Timed(p.stop, "stop").wait(limit + 5)
    return out


def _fault_stall_low_latency(x, buffer_time, limit, device=None):
    """Streams 3 s of x in the low mode, 10 ms per write from a thread of
    its own, as a synthesiser does; once 1 s was heard, asks the test to
    stop this process for longer than the device holds, then writes the
    rest, drains and reports the counters."""
    x = x[:3 * RATE]
    p = audiocast.AudioPlayer(device, RATE, 2, latency="low")

    def write_all():
        for i in range(0, len(x), PERIOD):
            p.write(x[i:i + PERIOD])

    writer = Timed(write_all, "writer")
    if not wait_until(lambda: p.frames_played >= RATE, 10):
        return {"event": "error", "error": {"message": "1 s was never "
                "heard", "stats": p.stats()}}
    send(event="stall-now")
    recv()  # the test stopped and resumed us
    w = writer.wait(30).report()
    d = Timed(lambda: p.drain(10.0), "drain").wait(15)
    out = {"event": "drained", "write": w, "drain": d.report(),
           "stats": p.stats(), "frames": len(x)}
    Timed(p.stop, "stop").wait(limit + 5)
    return out


FAULT_STEPS = {
    "kill-during-write": _fault_kill_during_write,
    "kill-during-drain": _fault_kill_during_drain,
    "play": _fault_play,
    "stream": _fault_stream,
    "after-unload": _fault_after_unload,
    "stall-then-drain": _fault_stall_then_drain,
    "stall-low-latency": _fault_stall_low_latency,
}


# --------------------------------------------------------------------------
# soak: streaming with random clears, RSS sampled
# --------------------------------------------------------------------------

def soak(seconds, warmup, seed, sample_every):
    faulthandler.dump_traceback_later(seconds + 120, exit=True)
    rng = np.random.default_rng(seed)
    # a pool of chunks (20 ms to 200 ms), so the loop allocates nothing of
    # its own that could grow
    pool = [audio_signals.noise(float(d), RATE, 2, amplitude=0.3, seed=seed + i)
            for i, d in enumerate(rng.uniform(0.02, 0.2, 32))]
    picks = rng.integers(0, len(pool), 1 << 16)
    pauses = rng.uniform(0.05, 1.5, 1 << 14)
    stop = threading.Event()
    counts = {"writes": 0, "clears": 0, "drains": 0}
    p = audiocast.AudioPlayer("speaker", RATE, 2, buffer_time=0.5)

    def writer():
        i = 0
        while not stop.is_set():
            p.write(pool[picks[i % len(picks)]])
            counts["writes"] += 1
            i += 1

    def clearer():
        i = 0
        while not stop.wait(pauses[i % len(pauses)]):
            if i % 5 == 4:
                p.drain(timeout=0.05)
                counts["drains"] += 1
            else:
                p.clear()
                counts["clears"] += 1
            i += 1

    threads = [threading.Thread(target=f, daemon=True) for f in (writer, clearer)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    samples = []
    while True:
        now = time.monotonic() - t0
        samples.append((now, workers.rss_bytes()))
        if now >= seconds:
            break
        time.sleep(min(sample_every, max(0.0, seconds - now)))
    stop.set()
    p.clear()  # unblocks the writer
    for t in threads:
        t.join(10)
    alive = [t.name for t in threads if t.is_alive()]
    s = p.stats()
    p.stop()
    send(event="done", samples=samples, warmup=warmup, stats=s,
         counts=counts, alive=alive)


if __name__ == "__main__":
    task, args = sys.argv[1], json.loads(sys.argv[2])
    {"races": races, "faults": faults, "soak": soak}[task](**args)
    sys.stdout.flush()
    os._exit(0)
