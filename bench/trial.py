"""One trial of one peer, in a process of its own:

    python3 -m bench.trial PEER SCENARIO [JSON-PARAMETERS]

Prints one JSON line (time.monotonic() timestamps, counters) once its audio
was handed over, then keeps the player open until the parent, which records
the sink's monitor, sends a line on stdin (it has heard what it needed).
Timestamps are comparable with the parent's: CLOCK_MONOTONIC is system-wide.
"""

import time

T_STARTED = time.monotonic()  # the interpreter is up (start-up phases)

import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

from bench.audio import CHUNK_SECONDS, DEVICE, noise_chunks  # noqa: E402
from bench.peers import load  # noqa: E402


def opened(Peer, p):
    """The peer on the default server, or on p["server"] (bench/servers.py:
    a server reached over TCP) when given."""
    if p.get("server"):
        return Peer(DEVICE, server=p["server"])
    return Peer(DEVICE)


def prepared(peer, seconds):
    return [peer.prepare(c) for c in noise_chunks(seconds)]


class Feeder(threading.Thread):
    """The application's feeder thread: blocking writes of 10 ms chunks until
    the list ends or the application is interrupted (barge-in)."""

    def __init__(self, peer, chunks):
        super().__init__(name="feeder", daemon=True)
        self.peer = peer
        self.chunks = chunks
        self.interrupted = threading.Event()
        self.started = threading.Event()
        self.t_first_write = None

    def run(self):
        self.t_first_write = time.monotonic()
        self.started.set()
        for c in self.chunks:
            if self.interrupted.is_set():
                break
            self.peer.write(c)

    def wait_until(self, seconds_after_start):
        self.started.wait()
        time.sleep(max(0.0, self.t_first_write + seconds_after_start - time.monotonic()))


def onset(Peer, p):
    """Open, stay idle, then write; the parent finds the first sound."""
    peer = opened(Peer, p)
    chunks = prepared(peer, p["seconds"])
    time.sleep(p["idle"])
    t = time.monotonic()
    for c in chunks:
        peer.write(c)
    return peer, {"t_write": t}


def after_an_utterance(Peer, p):
    """The peer opened, p["first"] s played and p["idle"] s idle after it;
    and the next utterance (p["seconds"]) prepared."""
    peer = opened(Peer, p)
    first = prepared(peer, p["first"])
    chunks = prepared(peer, p["seconds"])
    for c in first:
        peer.write(c)
    time.sleep(p["first"] + p["idle"])
    return peer, chunks


def reonset(Peer, p):
    """Open, play a first utterance, stay idle, then write the next one:
    the parent finds the first sound of the second (the answer after the
    first, in a voice assistant)."""
    peer, chunks = after_an_utterance(Peer, p)
    t = time.monotonic()
    for c in chunks:
        peer.write(c)
    return peer, {"t_write": t}


def scheduled(Peer, p):
    """Open, play a first utterance, stay idle, then ask for the next one
    to start p["ahead"] s from now: the parent finds when it was heard.
    audiocast schedules it (play(at=...)); a library without scheduling
    sleeps until then and writes, as its users do."""
    peer, chunks = after_an_utterance(Peer, p)
    t_at = time.monotonic() + p["ahead"]
    if hasattr(peer, "play_at"):
        peer.play_at(chunks, t_at)
    else:
        time.sleep(max(0.0, t_at - time.monotonic()))
        for c in chunks:
            peer.write(c)
    return peer, {"t_at": t_at}


def bargein(Peer, p):
    """A feeder keeps the player full; another thread clears it. "heard":
    what the clear returned (audiocast: frames heard; the others: None)."""
    peer = opened(Peer, p)
    feeder = Feeder(peer, prepared(peer, p["seconds"]))
    time.sleep(p["idle"])
    feeder.start()
    feeder.wait_until(p["clear_after"])
    feeder.interrupted.set()  # the application stops feeding...
    t0 = time.monotonic()
    heard = peer.clear()      # ...and drops what is queued
    t1 = time.monotonic()
    feeder.join()
    return peer, {"t_clear": t0, "clear_s": t1 - t0, "heard": heard}


def drainstop(Peer, p):
    """Write a short clip, wait until it was played (the peer's finish():
    audiocast's drain(), appsrc's EOS and its EOS message), then close at
    once, as an application leaving its `with` block does; the parent looks
    for what of the clip is missing at the end."""
    peer = opened(Peer, p)
    chunks = prepared(peer, p["seconds"])
    t = time.monotonic()
    for c in chunks:
        peer.write(c)
    peer.finish()
    t_drained = time.monotonic()
    peer.close()
    return None, {"t_write": t, "t_drained": t_drained}


BUSY = "import time\nt = time.monotonic() + {}\nwhile time.monotonic() < t: pass"


def gil(Peer, p):
    """While a feeder streams, the main thread holds the GIL in one C call:
    list.sort() of a shuffled list of floats (sized by the parent). With
    p["hog_seconds"] instead, the control: another process keeps a core busy
    that long and the GIL stays free."""
    peer = Peer(DEVICE)
    rng = random.Random(2)
    hog = [rng.random() for _ in range(p.get("hog_items", 0))]
    feeder = Feeder(peer, prepared(peer, p["seconds"]))
    feeder.start()
    feeder.wait_until(p["hog_after"])
    t0 = time.monotonic()
    if hog:
        hog.sort()
    else:
        subprocess.run([sys.executable, "-c", BUSY.format(p["hog_seconds"])])
    t1 = time.monotonic()
    feeder.join()
    peer.finish()
    return peer, {"t_hog": t0, "hog_s": t1 - t0}


def startup(Peer, p):
    """The whole process is timed by the parent, from spawn to the first
    100 ms heard: interpreter, import, open, write. It streams 0.5 s, not
    just 100 ms: pulsesink starts a stream only on its prebuffer or EOS."""
    peer = Peer(DEVICE)
    t_opened = time.monotonic()
    for c in prepared(peer, p["seconds"]):
        peer.write(c)
    return peer, {"t_opened": t_opened}


def cpu(Peer, p):
    """Streams p['seconds'] of audio paced by the blocking writes; CPU time
    (getrusage) and peak RSS of this process."""
    peer = Peer(DEVICE)
    second = prepared(peer, 1.0)
    n = round(p["seconds"] / CHUNK_SECONDS)
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    for i in range(n):
        peer.write(second[i % len(second)])
    peer.finish()
    t1 = time.monotonic()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return peer, {"audio_s": n * CHUNK_SECONDS, "wall_s": t1 - t0,
                  "cpu_s": (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime),
                  "peak_rss_kb": peak_rss_kb(), "threads": thread_cpu()}


def steady(Peer, p):
    """Streams p['seconds'] in blocking 10 ms writes with the peer at its
    lowest latency; the time each write was called, so the parent can tell
    when each chunk was heard."""
    peer = Peer(DEVICE, low_latency=True)
    chunks = prepared(peer, p["seconds"])
    times = []
    for c in chunks:
        times.append(time.monotonic())
        peer.write(c)
    peer.finish()
    return peer, {"times": times}


def cpumany(Peer, p):
    """p['players'] peers in this process, each streaming p['seconds'] from
    a thread of its own in blocking 10 ms writes; CPU time of the process
    per second of audio per player."""
    peers = [Peer(DEVICE) for _ in range(p["players"])]
    second = prepared(peers[0], 1.0)
    n = round(p["seconds"] / CHUNK_SECONDS)

    def stream(peer):
        for i in range(n):
            peer.write(second[i % len(second)])
        peer.finish()

    threads = [threading.Thread(target=stream, args=(peer,)) for peer in peers]
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    for peer in peers[1:]:
        peer.close()
    cpu_s = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return peers[0], {"cpu_s": cpu_s, "player_audio_s": n * CHUNK_SECONDS * len(peers)}


def peak_rss_kb():
    """VmHWM: this process's own peak. ru_maxrss is not: Linux carries the
    forking parent's peak over exec into it."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def thread_cpu():
    """CPU seconds of this process's live threads, summed by thread name:
    where a peer spends its CPU."""
    out = {}
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/stat") as f:
                stat = f.read()
        except OSError:  # the thread ended meanwhile
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        out[name] = out.get(name, 0.0) + ticks / os.sysconf("SC_CLK_TCK")
    return out


def writecost(Peer, p):
    from bench import writecost as wc  # numpy: only this scenario needs it
    return None, wc.measure(Peer, p)


SCENARIOS = {f.__name__: f for f in (onset, reonset, scheduled, bargein, gil, startup, cpu,
                                     writecost, drainstop, steady, cpumany)}


def main(argv):
    peer_name, scenario = argv[1], argv[2]
    params = json.loads(argv[3]) if len(argv) > 3 else {}
    Peer = load(peer_name)
    t_imported = time.monotonic()
    peer, result = SCENARIOS[scenario](Peer, params)
    result.update(t_started=T_STARTED, t_imported=t_imported)
    print(json.dumps(result), flush=True)
    sys.stdin.readline()
    if peer is not None:
        peer.close()


if __name__ == "__main__":
    main(sys.argv)
