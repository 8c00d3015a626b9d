"""The rows of the results table: what each benchmark is judged against,
and why audiocast misses a target (shown only when it does)."""

from statistics import median

from bench.peers import NAMES

OTHERS = [p for p in NAMES if p != "audiocast"]
F32 = "numpy float32"  # the input type the write() target is about


def write_metrics(writecost):
    """write() cost of float32 input as table metrics, µs per s of audio."""
    out = {}
    for calls in ("10ms", "1s"):
        out[f"write_{calls}"] = {
            "audiocast": [writecost["audiocast"][F32]["peer_" + calls] * 1e6],
            "appsrc": [writecost["appsrc"]["bytes (float32)"]["peer_" + calls] * 1e6]}
        out[f"memcpy_{calls}"] = writecost["audiocast"][F32]["memcpy_" + calls] * 1e6
    return out


def within_best_peer(ms):
    """The check of a row won when audiocast is at most ``ms`` behind the
    best other peer."""
    return lambda ac, med, m: ac <= min(med[p] for p in OTHERS if p in med) + ms


def below_best_peer(factor):
    """The check of a row won when audiocast is at most ``factor`` times
    the best other peer."""
    return lambda ac, med, m: ac <= factor * min(med[p] for p in OTHERS if p in med)


class Row:
    def __init__(self, metric, title, unit, target, check, why):
        self.metric = metric
        self.title = title
        self.unit = unit
        self.target = target  # text; may use {memcpy} and {pyaudio}
        self.check = check    # (audiocast, medians, metrics) -> bool; None: no target
        self.why = why

    def from_limit(self, ac, metrics, memcpy):
        """How far audiocast's median is from the row's physical limit
        (LIMITS)."""
        limit = LIMITS.get(self.metric)
        if limit == "period" and metrics.get("period_ms"):
            period = metrics["period_ms"]
            return f"{ac - period:+.1f} ms from one period ({period:.0f} ms)"
        if limit == "memcpy" and memcpy:
            return f"{ac / memcpy:.1f}× memcpy"
        return "—"

    def evaluate(self, metrics):
        runs = metrics.get(self.metric)
        if not runs:
            return None
        med = {p: median(v) for p, v in runs.items() if v}
        ac = med["audiocast"]
        best = min((p for p in OTHERS if p in med), key=med.get, default=None)
        ratio = ac / med[best] if best and med[best] > 0 else None
        met = None if self.check is None else bool(self.check(ac, med, metrics))
        memcpy = (metrics["memcpy_" + self.metric[len("write_"):]]
                  if self.metric.startswith("write_") else None)
        return {"row": self, "runs": runs, "medians": med, "best": best,
                "ratio": ratio, "met": met,
                "from_limit": self.from_limit(ac, metrics, memcpy),
                "target": self.target.format(memcpy=memcpy or 0,
                                             pyaudio=med.get("pyaudio", 0))}


ROWS = [
    Row("onset_ms", "1. Onset: first write → first sound", "ms",
        "≤ best peer + 1 ms", within_best_peer(1),
        "audiocast opens every PulseAudio stream with 5 ms of silence, "
        "because without it a new stream there sometimes loses exactly its "
        "first 5 ms (240 frames; docs/design.md, Clear); that lead-in is "
        "most of the difference. Its stream also starts at the first "
        "write, which sets the sample format, whereas PyAudio's is "
        "connected when opened. audiocast's own stream opens with the "
        "player and prebuffers instead, with no lead-in (the default on "
        "PipeWire: 11.2 ms there against PyAudio's 8.8, "
        "bench/compare_streams.py); it could play here only because this "
        "null sink never rewinds, as no sound card's sink does, and is not "
        "the default on PulseAudio (docs/design.md, The device stream)."),
    Row("reonset_ms", "1. Onset of the next utterance: write after 0.5 s "
        "idle → first sound", "ms", "≤ best peer + 1 ms", within_best_peer(1),
        "An idle player keeps the device fed with silence (some 80 ms of it "
        "queued in the server here); the write flushes it (a restart, as "
        "clear() does). The first buffer after the flush goes to the "
        "server's read index rounded up to a period (pulsesink's segment "
        "count) and opens with the 5 ms restart lead-in: the first sound "
        "comes the lead-in and up to a period after the write, plus the "
        "server's mixing block. By hand, one write of 0.3 s: 9.2 ms with "
        "the default 10 ms period, 12.6 ms on a sink with rewinds (19-29 ms "
        "when the sink resumed two periods on); this row's 10 ms writes "
        "gave 10-29 ms from run to run. Without the lead-in the sound came 4 ms "
        "after the write, but pulsesink uncorks the stream before its first "
        "write reaches the server when it finds no room to write, the read "
        "index runs on meanwhile, and a sink with rewinds lost the first "
        "frames of the audio. On PipeWire, where the player's own stream "
        "is let run dry while idle and needs no flush, this is 8.7 ms "
        "against PyAudio's 9.1 (bench/compare_streams.py; docs/design.md, "
        "Starting after idle)."),
    Row("scheduled_ms", "1. A sound asked for 0.2 s ahead, after 0.5 s idle: "
        "first sound − the moment asked", "ms",
        "|error| ≤ best peer's", lambda ac, med, m: abs(ac) <= min(
            abs(med[p]) for p in OTHERS if p in med),
        "audiocast places the sound on its timeline by the device clock "
        "(play(at=...)); a library without scheduling sleeps until the "
        "moment and writes, and is heard its onset later. A negative figure "
        "is a sound captured before the moment asked: the null sink renders "
        "ahead of its own clock, and the monitor delivers what it rendered."),
    Row("onset_lost_ms", "1. Onset: start of the stream never heard", "ms",
        "0 ms", lambda ac, med, m: ac == 0,
        "The lead-in silence was shorter than what the server dropped."),
    Row("tail_ms", "2. Barge-in: clear → end of sound", "ms", "≤ 5 ms",
        lambda ac, med, m: ac <= 5,
        "Audio kept playing after clear(): the flush did not reach the "
        "server before its next mixing block."),
    Row("clear_ms", "2. Barge-in: the clear call", "ms", "≤ 0.3 ms",
        lambda ac, med, m: ac <= 0.3,
        "clear() reads the device position (pulsesink's clock, under "
        "libpulse's lock) to count what was heard, discards the ring and "
        "wakes the flusher thread, which sends FLUSH_START to pulsesink; "
        "pulsesink's cork and its round trip to the server (0.5-1 ms here) "
        "are no longer in the call. A busy machine delays the lock."),
    Row("gap_ms", "3. Silence under a 1 s GIL hog", "ms", "0 ms",
        lambda ac, med, m: ac == 0,
        "The silences are listed under “All runs”, timed from the start of "
        "the hog. Compare the control row: when a busy process (no GIL "
        "involved) brings the same kind of silences, they come from CPU "
        "contention, not from the GIL: audiocast keeps 16 periods "
        "(160 ms, of which the server keeps 70-100 ms queued) in pulsesink, so its output thread (C, it never "
        "takes the GIL) must run every few tens of ms, and on 2 cores with "
        "the hog on one and other load on the other it sometimes does not "
        "(appsrc ! pulsesink keeps pulsesink's default 200 ms). A silence "
        "that begins about 2 s after the sort began, while it still runs, is "
        "the ring running dry: the sort outlasted the 2 s ring."),
    Row("control_gap_ms", "3. Control: silence under a 1 s CPU hog in "
        "another process", "ms", "—", None, ""),
    Row("write_10ms", "4. write() float32, 100 calls of 10 ms", "µs per s",
        "≤ 3× memcpy ({memcpy:.0f} µs)",
        lambda ac, med, m: ac <= 3 * m["memcpy_10ms"],
        "With 10 ms chunks the cost is per call, not per byte: each write() "
        "goes through the package's C extension (python/audiocast/"
        "_fastwrite.c: the buffer protocol straight into the library), where "
        "the reference is one ctypes.memmove of 3.8 kB. The data path "
        "itself (a NaN/Inf scan and one copy into the ring) is the one-call "
        "row."),
    Row("write_1s", "4. write() float32, one call per second", "µs per s",
        "≤ 2× memcpy ({memcpy:.0f} µs)",
        lambda ac, med, m: ac <= 2 * m["memcpy_1s"],
        "One call copies the samples once, into the ring, after scanning "
        "them for NaN and infinity (gir/audiocast/audiocast-player.c, "
        "sanitize_floats)."),
    Row("cpu_ms_per_s", "5. CPU per second of audio streamed",
        "ms per s", "≤ 0.8 × best peer", below_best_peer(0.8),
        "Streaming through audiocast takes three threads (their split is "
        "under “All runs”): the writing thread, where each 10 ms write() "
        "goes through the Python package and a ctypes call that copies it "
        "into the ring; the output thread (`ring:src`), which pushes a GstBuffer per "
        "10 ms period through audioconvert, audioresample and a capsfilter "
        "into pulsesink and reads the device clock after each push, so that "
        "drain() and the counters know what was heard; and libpulse's "
        "`threaded-ml`. PyAudio has no output thread: its blocking write "
        "hands the samples through PortAudio and the ALSA pulse plugin to "
        "libpulse (whose `threaded-ml` it has too) in the writing thread. "
        "The output thread wakes once per two periods, when the device has "
        "room for both (docs/design.md, Pacing); bursts of four periods "
        "took one player to 15.7 ms per s by hand, but were not kept (the "
        "device buffer they need cost scheduled sounds 5 ms of accuracy). "
        "The cost follows the server's period more than the pushes: by "
        "hand, each burst in one buffer left it as it was (17.9-18.6 "
        "against 18.3-19.8 ms per s), 20 ms periods halved it (9.7-11.0), "
        "at the price of where a restart places the audio (docs/design.md, "
        "Pacing)."),
    Row("cpu4_ms_per_s", "5. CPU per second of audio per player, 4 players "
        "in one process", "ms per s", "≤ 0.8 × best peer", below_best_peer(0.8),
        "Each player has its own pipeline and output thread, which pushes "
        "two periods at a time through audioconvert, audioresample and "
        "pulsesink and reads the device clock. pulsesink shares one "
        "libpulse mainloop, its thread, lock and condition, among all the "
        "players of a process, where the ALSA pulse plugin gives each "
        "PyAudio stream its own: a push into a full pulsesink waits on the "
        "shared condition, which every server request broadcasts. The "
        "output threads wait for their device's room in their own "
        "conditions instead (docs/design.md, Pacing); pushing into the "
        "device, 4 players cost 22 ms per s each and 16 players 44.5 "
        "(appsrc ! pulsesink, not paced, shows that cost). See the "
        "one-player row for where a player spends its CPU."),
    Row("cpu16_ms_per_s", "5. CPU per second of audio per player, 16 "
        "players in one process", "ms per s", "≤ 0.8 × best peer",
        below_best_peer(0.8),
        "As with 4: paced, the cost per player falls with more players, as "
        "PyAudio's does (the mainloop thread serves them all in one wake-up "
        "more often). What is left is a wake-up of each output thread per "
        "two periods, the writers' own, and the server's requests. Several "
        "sounds on one device stream (player.open_stream(), "
        "docs/several-sounds.md) share one output thread instead."),
    Row("rss_mb", "5. Peak RSS", "MB", "—", None, ""),
    Row("startup_ms", "6. Start-up: spawn → first 100 ms heard", "ms",
        "≤ PyAudio ({pyaudio:.0f} ms)",
        lambda ac, med, m: ac <= med["pyaudio"],
        "The phases are under “All runs”. `import audiocast` loads "
        "PyGObject, GStreamer and the AudioCast typelib, more than PyAudio's "
        "import. Opening a player returns before its PulseAudio stream "
        "exists (the first write sets the format; see row 1), so connecting "
        "the stream falls in the last phase, whereas PyAudio's open connects "
        "it (and probes the ALSA devices) before returning."),
    Row("steady_ms", "7. Low latency: write → heard, 10 ms writes, the other "
        "core busy", "ms", "≤ 20 ms and ≤ PyAudio ({pyaudio:.1f} ms)",
        lambda ac, med, m: ac <= 20 and ac <= med["pyaudio"],
        "With latency=\"low\" a frame waits behind the ring (one 2.5 ms "
        "period) and the device buffer (four periods, of which the server "
        "keeps 7-8 ms queued), and reaches the capture with the server's "
        "mixing block. PyAudio, through the ALSA pulse plugin, keeps about "
        "11 ms queued in the server at 32, 64 frames per buffer alike. "
        "Measured by hand with the other core busy: latency_time=0.002 "
        "(2 ms periods) is heard 12.0 ms after the write, but with a 12 ms "
        "gap in 20 s; 1.5 ms periods 7.5 ms, with gaps every few seconds."),
    Row("steady_gap_ms", "7. Low latency: silence inside 60 s, the other "
        "core busy", "ms", "0 ms", lambda ac, med, m: ac == 0,
        "The output thread, or the writer, ran later than the device buffer "
        "(10 ms) allowed."),
]

# The rows with a physical limit here, by metric (Row.from_limit): "period"
# (the server takes audio once a period, so a first write is heard within
# one period of it at best), "memcpy" (a write costs no less than copying its
# bytes). The low-latency row plays in periods of its own, and barge-in's
# period is its bound rather than its floor.
LIMITS = {"onset_ms": "period", "reonset_ms": "period",
          "write_10ms": "memcpy", "write_1s": "memcpy"}
