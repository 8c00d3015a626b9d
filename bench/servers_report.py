"""docs/servers-bench.md from the evaluated per-server rows
(bench/server_targets.py), in the style of bench/report.py."""

from bench.report import closing_sections, num, verdict
from bench.server_targets import DETAILS, heard_range
from bench.servers import CLIP_SECONDS, SERVERS, TAIL_WINDOW_MS

LABELS = {t.name: t.label for t in SERVERS}
PEER_LABELS = {"audiocast": "audiocast", "appsrc": "hand pipeline"}


def _cell(e, which):
    v = e[which]
    if v is None:
        return "—"
    text = e["row"].fmt(v) if e["row"].fmt else num(v)
    if which == "audiocast" and e["row"].metric == "heard_err_ms":
        text += heard_range(e)
    return text


def _verdict(e, result):
    if e["met"] is None and result["errors"]:
        return "**NOT MEASURED**"
    return verdict(e["met"])


def results_table(evaluated, results):
    head = ["server", "metric", "unit", "audiocast", "hand pipeline",
            "target", "verdict"]
    out = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, rows in evaluated.items():
        for e in rows:
            cells = [LABELS[name], e["row"].title, e["row"].unit,
                     _cell(e, "audiocast"), _cell(e, "hand"), e["target"],
                     _verdict(e, results[name])]
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def summary(evaluated, results):
    judged = [e for rows in evaluated.values() for e in rows if e["met"] is not None]
    missed = sum(1 for e in judged if e["met"] is False)
    lines = [f"audiocast misses {missed} of the {len(judged)} targets judged "
             "in this run." if missed else
             f"audiocast meets all {len(judged)} targets judged in this run.", ""]
    for name, rows in evaluated.items():
        missed = [e["row"].title for e in rows if e["met"] is False]
        errors = results[name]["errors"]
        if missed:
            lines.append(f"- **{LABELS[name]}**: audiocast misses "
                         + "; ".join(f"“{t}”" for t in missed) + ".")
        elif not errors:
            lines.append(f"- **{LABELS[name]}**: audiocast meets every target.")
        for why in errors:
            lines.append(f"- **{LABELS[name]}**: not measured: {why}")
    return "\n".join(lines)


def servers_table(results):
    out = ["| server | address played to | period | restarts |",
           "| --- | --- | --- | --- |"]
    for name, r in results.items():
        period = "—" if r["period_ms"] is None else f"{r['period_ms']:.1f} ms"
        address = f"`server={r['address']}`" if r["address"] else "default (unix socket, PULSE_SERVER)"
        out.append(f"| {LABELS[name]} | {address} | {period} | {r['restarts']} |")
    return "\n".join(out)


def _values(row_fmt, vals):
    return ", ".join(row_fmt(v) if row_fmt else num(v) for v in vals)


def runs_section(evaluated, results):
    out = []
    for name, rows in evaluated.items():
        seen = set()
        for e in rows:
            metric = e["row"].metric
            if metric in seen or not e["runs"]:
                continue
            seen.add(metric)
            per = "; ".join(f"{PEER_LABELS[p]}: {_values(e['row'].fmt, v)}"
                            for p, v in e["runs"].items() if v)
            title = e["row"].title.split(" (")[0]
            out.append(f"- {LABELS[name]}, {title} ({e['row'].unit}): {per}")
        for metric, (title, unit) in DETAILS.items():
            runs = results[name]["metrics"].get(metric)
            if runs:
                per = "; ".join(f"{PEER_LABELS[p]}: " + ", ".join(f"{v:.0f}" for v in vals)
                                for p, vals in runs.items() if vals)
                out.append(f"- {LABELS[name]}, {title} ({unit}): {per}")
    return "\n".join(out)


METHOD = f"""\
Each server is private, started by the command for itself (the user's sound
server is never contacted), with the tests' null sinks
(tests/integration/sound_servers.py): `speaker` (float32, 48 kHz, stereo) is the
default sink, and its monitor is recorded with `parec` through that server's
environment while a trial runs; every trial is a process of its own
(`python3 -m bench.trial PEER SCENARIO`), and the two peers take turns
within each round. The servers:

- **PulseAudio 16 (norewinds)**: null sinks made with `norewinds=1`, as
  the tests and docs/benchmarks.md use.
- **PulseAudio 16 (rewinds, default options)**: null sinks with
  PulseAudio's default options (rewinds on), each monitor read by a `parec`
  as a real consumer would.
- **PipeWire (pipewire-pulse)**: PipeWire + WirePlumber + pipewire-pulse,
  headless, on a private D-Bus; the sinks made with `pactl load-module
  module-null-sink`.
- **… over TCP (server=)**: a second private server of that kind, also
  listening on 127.0.0.1 on a free port, while a first one of the same kind
  is the clients' default (PULSE_SERVER): audiocast is opened with
  `server="tcp:127.0.0.1:PORT"` and the hand pipeline's pulsesink gets its
  own `server` property, so the audio goes where `server=` says, not where
  the environment points.

Peers (bench/peers/): **audiocast**, `audiocast.AudioPlayer(device="speaker",
sample_rate=48000, channels=2[, server=…])` with its defaults, `write()` of
10 ms `array('f')` chunks, `clear()`, `drain()`, `stop()`; the **hand
pipeline**, `appsrc ! pulsesink device=speaker [server=…]` fed with
timestamped 10 ms `push_buffer()`s, interrupted by a flush (`FLUSH_START`,
`FLUSH_STOP` with reset-time), drained by `end_of_stream()` and a wait for
the EOS message, closed by going to NULL. Times are those of the chunks of
the capture holding a frame, as in docs/benchmarks.md (bench/measure.py),
so a server's own block size (5 ms for PulseAudio here, the quantum for
PipeWire) quantizes them. A period is the element's latency-time, 10 ms, on
every server (`sound_servers.period_seconds`): PulseAudio takes audio in it, and
pipewire-pulse makes it the stream's node.latency, so the graph runs in
quanta no longer than that (256 frames at 48 kHz).

1. **Onset**: open, 0.5 s idle, write 0.5 s of noise; first write call →
   first non-silent frame, and how many frames of the stream's head never
   reached the capture (the first captured frame found bit for bit in the
   stream).
2. **Clear**: a feeder thread streams 3.5 s (a 2 s queue); 1 s in, the main
   thread stops it and calls the peer's clear. *Tail*: start of the call →
   end of the last captured (old) sound; it can be negative, the sink
   mixing ahead. *Heard-count error* (audiocast only; the hand pipeline has
   no heard count): the frames the capture holds, first to last sound,
   minus what `clear()` returned, in ms: positive, more was heard than
   reported; negative, `clear()` counted frames that were never heard.
   *Old audio after a gap*: sound captured after a silence of ≥ 1 ms that
   began no earlier than {TAIL_WINDOW_MS:.0f} ms before the call (audio that
   stopped, then came back).
3. **Drain-then-stop**: write {CLIP_SECONDS} s of noise, wait until it was
   played (audiocast: `drain()`; the hand pipeline: EOS and its EOS
   message), then stop/close at once, as an application leaving its `with`
   block does; frames of the clip missing from the capture (the clip's
   length minus the capture's first-to-last-sound length), worst run and
   total over the runs. Frames lost at the head, which count too, are under
   “All runs”.
"""


def write(path, *, evaluated, results, facts, cfg, command):
    lines = [
        "# Benchmarks per sound server",
        "",
        "<!-- Generated by tools/run-bench --servers (bench/run.py, "
        "bench/servers.py): edits are lost; re-run the command instead. -->",
        "",
        f"Generated by `{command}` on {facts['date']} (commit "
        f"`{facts['commit']}`). audiocast and the hand-written "
        "`appsrc ! pulsesink` pipeline on each server, in the same run: "
        f"medians of {cfg.runs} runs per peer and server (drain-then-stop: "
        f"{cfg.drain_runs} runs); all runs are listed below. The general "
        "benchmarks are in [benchmarks.md](benchmarks.md).",
        "",
        "## Results",
        "",
        results_table(evaluated, results),
        "",
        "## Summary",
        "",
        summary(evaluated, results),
        "",
        "## Servers",
        "",
        servers_table(results),
    ] + closing_sections(METHOD, runs_section(evaluated, results), facts,
                         {"pipewire": "PipeWire", "wireplumber": "WirePlumber"},
                         command)
    path.write_text("\n".join(lines))
