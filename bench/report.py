"""docs/benchmarks.md from the evaluated rows."""

from statistics import median

from bench.peers import LABELS, NAMES
from bench.scenarios import WRITE_INPUTS


def num(v):
    if v is None:
        return "—"
    a = abs(v)
    return f"{v:.0f}" if a >= 100 else f"{v:.1f}" if a >= 10 else f"{v:.2f}"


def verdict(met):
    return "—" if met is None else "met" if met else "**MISSED**"


def results_table(rows):
    head = (["benchmark", "unit"] + [LABELS[p] for p in NAMES]
            + ["audiocast / best peer", "audiocast from the limit", "target",
               "verdict"])
    out = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for e in rows:
        med = e["medians"]
        ratio = (f"{e['ratio']:.2f} ({LABELS[e['best']]})"
                 if e["ratio"] is not None and e["ratio"] > 0 else "—")
        cells = ([e["row"].title, e["row"].unit]
                 + [num(med.get(p)) if p in med else "n/a" for p in NAMES]
                 + [ratio, e["from_limit"], e["target"], verdict(e["met"])])
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def writecost_table(writecost):
    head = ["peer", "input", "bytes per s", "10 ms calls", "memcpy",
            "ratio", "1 s call", "memcpy", "ratio"]
    out = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for peer, inputs in WRITE_INPUTS.items():
        for name in inputs:
            r = writecost[peer][name]
            cells = [LABELS[peer], name, str(r["bytes"])]
            for calls in ("10ms", "1s"):
                mine, ref = r["peer_" + calls] * 1e6, r["memcpy_" + calls] * 1e6
                cells += [f"{mine:.0f} µs", f"{ref:.0f} µs", f"{mine / ref:.1f}×"]
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def list_write_note(writecost):
    """What the table says of a list of floats against its target: no more
    than 5x a memcpy of the float32 array it becomes."""
    r = writecost["audiocast"]["list of float"]
    ratios = [r["peer_" + c] / r["memcpy_" + c] for c in ("10ms", "1s")]
    per_sample_ns = r["peer_1s"] / (r["bytes"] / 4) * 1e9
    verdict = ("met" if max(ratios) <= 5 else "**MISSED**")
    return (f"A list of floats, against ≤ 5× a memcpy of the float32 array it "
            f"becomes: {ratios[0]:.1f}× in 10 ms calls, {ratios[1]:.1f}× in "
            f"one call ({verdict}). Its samples are Python float objects, each "
            f"read and narrowed to float32 in C (python/audiocast/_fastwrite.c): "
            f"{per_sample_ns:.1f} ns per sample in the one call, where the "
            f"memcpy moves 4 bytes in {r['memcpy_1s'] / (r['bytes'] / 4) * 1e9:.2f} ns; "
            f"in 10 ms calls each call's own cost (the method call, the ring's "
            f"lock) comes on top.")


def runs_section(rows, metrics, threads, gaps, phases):
    out = []
    for e in rows:
        per = "; ".join(f"{LABELS[p]}: " + ", ".join(num(v) for v in vals)
                        for p, vals in e["runs"].items())
        out.append(f"- {e['row'].title} ({e['row'].unit}): {per}")
    for key, what in (("hog_ms", "the sort holding the GIL"),
                      ("control_hog_ms", "the control's busy process")):
        out.append(f"- Measured duration of {what} (ms): " + "; ".join(
            f"{LABELS[p]}: " + ", ".join(num(v) for v in vals)
            for p, vals in metrics[key].items()))
    for test, per_peer in gaps.items():
        for peer, per_run in per_peer.items():
            found = [f"run {i + 1}: " + ", ".join(
                f"{num(a)} ms long at {num(t)} ms" for t, a in run)
                for i, run in enumerate(per_run) if run]
            if found:
                out.append(f"- {'Control' if 'control' in test else 'GIL test'}, "
                           f"silences in {LABELS[peer]} (time after the hog "
                           "began): " + "; ".join(found))
    for peer, per_phase in phases.items():
        out.append(f"- Start-up phases, {LABELS[peer]} (median ms): " + ", ".join(
            f"{name} {num(median(v))}" for name, v in per_phase.items()))
    for peer, split in threads.items():
        top = sorted(split.items(), key=lambda kv: -kv[1])[:6]
        out.append(f"- CPU by thread, {LABELS[peer]} (s over the stream): "
                   + ", ".join(f"`{name}` {sec:.2f}" for name, sec in top))
    return "\n".join(out)


METHOD = """\
Every peer plays the same stream, 48 kHz stereo float32 noise written in
10 ms chunks, into the `speaker` null sink (float32, 48 kHz, stereo, so no
peer converts anything) of one private PulseAudio server that the command
starts for itself; the user's sound server is never contacted. Each trial runs
in a process of its own, and the parent records the sink's monitor with
`parec` (tests/integration/captures.py's `Capture`) while it runs.

"audiocast from the limit" says how far audiocast's median is from what is
physically possible here, where there is such a limit: the server takes a
stream's audio once per period (the 10 ms period every peer plays in), so a
first write is heard within one period of it at best (sooner or later in the
period, by chance), and a write costs no less than copying its bytes (memcpy
of the same bytes, timed in the same process). The other rows have no such
limit (—): CPU and start-up are costs to compare with the peers, the
low-latency row plays in periods of its own, and one period is barge-in's
bound rather than its floor.

Peers:
- **audiocast**: `audiocast.AudioPlayer(device="speaker", sample_rate=48000,
  channels=2)` with its defaults (2 s ring, 10 ms periods), `write()` of
  `array('f')` chunks, `clear()`, `drain()`.
- **PyAudio** (Debian's python3-pyaudio): `paFloat32` stream on the default
  ALSA device, which libasound2-plugins routes to PulseAudio (PULSE_SERVER
  points at the private server), `frames_per_buffer=480` (10 ms); a feeder
  thread does blocking `stream.write()` of 10 ms chunks. PortAudio is not
  thread-safe, and calling `stream.stop_stream()` from the interrupting
  thread while the feeder was blocked in `write()` hung the process on this
  busy machine; so barge-in asks the feeder to stop, and once its write in
  progress returns it calls `stop_stream()`, PyAudio's only public stop
  (PortAudio's discarding Pa_AbortStream has no public method; through the
  ALSA pulse plugin it drops what the plugin holds). The clear call is then
  only setting that request. Its "drain" (`finish`) is also `stop_stream()`
  (Pa_StopStream, documented to play pending buffers out).
- **appsrc ! pulsesink**: `appsrc format=time block=true max-bytes=<2 s>
  caps=F32LE,48000,2 ! pulsesink device=speaker`, written with
  `push_buffer()` of timestamped 10 ms buffers; barge-in is a flush sent to
  the pipeline (`FLUSH_START`, then `FLUSH_STOP` with reset-time). The
  pipeline is taken to READY when opened and to PLAYING by the first write:
  a pipeline left PAUSED or PLAYING while idle holds its first buffer back
  by as long as it was idle (0.5 s idle gave 0.5 s of onset), a pitfall the
  peer is spared.

A frame's time is when the chunk holding it was captured: the null sink mixes
and the monitor delivers audio in blocks (5 ms here), so that is the first
moment the frame existed for a listener. To remove the capture reader's
scheduling jitter, a chunk's time is its end position at 48 kHz plus the
capture's median delay over the surrounding second. The same clock serves
every peer, so the capture path's own latency cancels in comparisons, but
absolute values include it, and the sink's 5 ms blocks quantize them. A
barge-in tail can be negative: the sink mixes ahead of time, so the last block
with sound may have been mixed and captured before the clear call began.
Ratios are given
only where both values are positive. Silence is exact zeros (float32 sink,
nothing else playing on the server), so "sound" is unambiguous.

1. **Onset**: open, 0.5 s idle, then write 0.5 s; first write call → first
   non-silent frame. **Onset of the next utterance**: open, write 0.2 s,
   wait until it played and 0.5 s more, then write 0.5 s; that write call →
   the first non-silent frame after the silence (not for appsrc ! pulsesink,
   whose timestamps run on from the first utterance: pulsesink plays the
   second at once after the first, with no silence between).
2. **Barge-in**: a feeder thread streams 3.5 s; 1 s in (≥ 2 s queued in
   every peer) the main thread stops the feeder and calls the peer's clear;
   start of the call → end of the last non-silent frame, and how long the
   call took.
3. **GIL pressure**: a feeder thread streams 4 s; 1 s in, the main thread
   calls `list.sort()` on a shuffled list of floats sized to take about 1 s
   here (one C call that never releases the GIL); total silence (runs of
   ≥ 1 ms) between the first and last sound. The control runs the same
   stream while another process busy-loops for 1 s: CPU load without GIL
   pressure.
4. **write() cost**: in audiocast's process, 1 s of audio of each input type
   written as 100 calls of 10 ms or as one call, against `ctypes.memmove` of
   the bytes the library keeps (same pieces, into a preallocated buffer).
   The player holds 4 s and is cleared before each timed second, so nothing
   waits for playback, then given one untimed 10 ms piece, so the stream is
   in progress (the first write into an idle audiocast player also flushes
   the silence queued in the device, one ~0.4 ms round trip to the server
   that belongs to onset); median of the repetitions after a warm-up. appsrc's
   `push_buffer()` of `Gst.Buffer.new_wrapped(bytes)` is timed the same way
   (unbounded queue). PyAudio's `write()` is not: it returns only when
   PortAudio's 10 ms buffer has room, i.e. it measures playback.
5. **CPU and RSS**: a stream of blocking 10 ms writes paced by the peer,
   then its drain; user + system CPU of the process (`getrusage`) per second
   of audio, and `ru_maxrss`. The server's CPU is not counted. With 4 and
   16 players in one process, each fed by a thread of its own for 20 s: the
   process's CPU per second of audio per player. The monitor is recorded
   meanwhile, as in every other row: a null sink that nobody reads mixes
   ahead in big blocks, and its clients then wake far less often than a
   real device makes them (16 audiocast players cost a third as much
   without the reader before pushes were paced: docs/design.md, Pacing).
6. **Start-up**: a new process (`python3 -m bench.trial PEER startup`)
   imports its library, opens the output and streams 0.5 s; spawn → the
   first 100 ms of sound captured (pulsesink starts a stream only once its
   prebuffer is full or on EOS, hence more than 100 ms written). One
   untimed round first.
7. **Low latency**: 60 s of noise in blocking 10 ms writes, audiocast with
   `latency="low"` and PyAudio opened with 32-frame buffers (the smallest
   tried: 32 and 64 frames stream without a gap here, 11 ms behind), while another process busy-loops on
   the second core; for every chunk, its write call → its first frame
   captured (found bit for bit), the median; and the total silence (runs of
   ≥ 1 ms) between the first and last sound. appsrc ! pulsesink is not run:
   it has no setting of the kind.
"""


MACHINE_FACTS = {"cpu": "CPU", "load": "load average at start",
                 "kernel": "kernel", "gstreamer": "GStreamer",
                 "pulseaudio": "PulseAudio", "python": "Python",
                 "date": "date", "commit": "commit"}


def machine_section(facts, extra_names):
    """The "Machine" table of a report: the facts bench/machine.py took that
    MACHINE_FACTS or ``extra_names`` name, in their order."""
    names = dict(MACHINE_FACTS, **extra_names)
    return (["## Machine", "", "| | |", "| --- | --- |"]
            + [f"| {names[k]} | {v} |" for k, v in facts.items() if k in names])


def closing_sections(method, runs, facts, extra_names, command):
    """The end every report has: how it is measured, all runs, the machine
    and the command that wrote it."""
    return (["", "## How it is measured", "", method, "## All runs", "", runs,
             ""] + machine_section(facts, extra_names)
            + ["", f"Command: `{command}` (from the repository root).", ""])


def write(path, *, rows, metrics, writecost, threads, gaps, phases, facts, cfg,
          command, plot):
    missed = [e for e in rows if e["met"] is False]
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by tools/run-bench (bench/run.py): edits are lost; "
        "re-run the command instead. -->",
        "",
        f"Generated by `{command}` on {facts['date']} (commit "
        f"`{facts['commit']}`). Medians of {cfg.runs} runs per peer "
        f"({cfg.gil_runs} for the GIL test, {cfg.cpu_runs} stream of "
        f"{cfg.cpu_seconds:.0f} s for CPU/RSS); all runs are listed below.",
        "",
        "## Results",
        "",
        results_table(rows),
        "",
        f"![audiocast against PyAudio and appsrc ! pulsesink]({plot})",
        "",
        "## write() cost by input type (per second of 48 kHz stereo)",
        "",
        writecost_table(writecost),
        "",
        list_write_note(writecost),
        "",
        "## Closing note",
        "",
    ]
    if missed:
        lines.append("audiocast misses "
                     + ", ".join(f"“{e['row'].title}”" for e in missed) + ".")
        lines.append("")
        lines += [f"- **{e['row'].title}**: {e['row'].why}" for e in missed]
    else:
        lines.append("audiocast meets every target in this run.")
    lines += closing_sections(METHOD, runs_section(rows, metrics, threads,
                                                   gaps, phases),
                              facts, {"pyaudio": "PyAudio (PortAudio)"},
                              command)
    path.write_text("\n".join(lines))
