"""The per-server benchmarks (tools/run-bench --servers), parent side:
audiocast and the hand-written ``appsrc ! pulsesink`` pipeline side by side
on every kind of private sound server, and on two servers reached over TCP.

For each server, in the same run (the peers take turns within each round,
bench/scenarios.py's _rounds):

* onset: open, 0.5 s idle, write 0.5 s: first write -> first sound, and the
  frames of the stream's head never heard (as bench/scenarios.py's onset);
* clear: a feeder streams 3.5 s, the main thread clears 1 s in (as the
  bargein scenario): clear call -> end of the last old sound; what
  audiocast's clear() counted as heard against the old frames captured; old
  audio that came back after a silence in the tail;
* drain-then-stop: write 0.25 s, wait until it was played (audiocast's
  drain(), appsrc's EOS message), close at once: frames of the clip missing
  from the capture.

Returns, per server, {metric: {peer: [one value per run]}} and facts about
the server (its period, its address, restarts, or the error that stopped it).
"""

import sys
import traceback

import numpy as np

from bench.audio import CHANNELS, RATE, noise_chunks
from bench.measure import NoSound
from bench.scenarios import _heard, _rounds
from bench.server import Remote, Server, free_tcp_port
from bench.trials import Runner, TrialError

PEERS = ("audiocast", "appsrc")  # PyAudio has no server= and is skipped here


class Target:
    """One server of the table: ``name`` and ``label`` for the report,
    ``kind`` (sound_servers.make_server), and whether clients reach it over
    TCP (``remote``: a second private server of that kind, played to with
    server=, while a first one of the same kind is their default)."""

    def __init__(self, name, label, kind, remote=False):
        self.name = name
        self.label = label
        self.kind = kind
        self.remote = remote


SERVERS = [  # report order
    Target("pulse", "PulseAudio 16 (norewinds)", "pulse"),
    Target("pulse-rewinds", "PulseAudio 16 (rewinds, default options)",
           "pulse-rewinds"),
    Target("pipewire", "PipeWire (pipewire-pulse)", "pipewire"),
    Target("remote-pulse", "PulseAudio over TCP (server=)", "pulse", remote=True),
    Target("remote-pipewire", "PipeWire over TCP (server=)", "pipewire",
           remote=True),
]

CLIP_SECONDS = 0.25        # drain-then-stop: the clip
TAIL_WINDOW_MS = 100.0     # a silence this long before the clear is the tail's


def _frames(chunks):
    return np.frombuffer(b"".join(chunks), dtype=np.float32).reshape(-1, CHANNELS)


def onset(runner, cfg, params):
    written = _frames(noise_chunks(0.5))

    def one(peer):
        res, rec = runner.run(peer, "onset", dict(params, idle=0.5, seconds=0.5),
                              until=_heard(0.2))
        return {"onset_ms": rec.start_ms(res["t_write"]),
                "onset_lost_frames": rec.lost_at_start_frames(written)}
    return _rounds(cfg.runs, one, PEERS)


def clear(runner, cfg, params):
    def one(peer):
        res, rec = runner.run(peer, "bargein", dict(params, seconds=3.5, idle=0.3,
                                                    clear_after=1.0), settle=0.6)
        if rec.sound_seconds < 0.5:
            raise TrialError(f"{peer} bargein: only {rec.sound_seconds:.2f} s "
                             "of sound before the clear")
        out = {"tail_ms": rec.end_ms(res["t_clear"]),
               "reappear_ms": rec.sound_after_gap_ms(res["t_clear"],
                                                     TAIL_WINDOW_MS)}
        if res["heard"] is not None:  # audiocast's count; appsrc has none
            out["heard_err_ms"] = (rec.sound_frames - res["heard"]) / RATE * 1e3
        return out
    return _rounds(cfg.runs, one, PEERS)


def drainstop(runner, cfg, params):
    clip = _frames(noise_chunks(CLIP_SECONDS))

    def one(peer):
        res, rec = runner.run(peer, "drainstop", dict(params, seconds=CLIP_SECONDS),
                              settle=0.3)
        try:
            head, frames = rec.lost_at_start_frames(clip), rec.sound_frames
        except NoSound:
            head, frames = len(clip), 0
        return {"drain_lost_frames": len(clip) - frames,  # trimmed vs the clip
                "drain_head_frames": head}
    return _rounds(cfg.drain_runs, one, PEERS)


SCENARIOS = (onset, clear, drainstop)


def measure(target, server, cfg, logdir):
    """Every scenario on ``server`` (a Server or Remote); a scenario that
    fails is reported, and the next one still runs."""
    params = {"server": server.address} if server.address else {}
    runner = Runner(server, logdir)
    out = {"metrics": {}, "errors": [], "address": server.address,
           "period_ms": server.period_seconds() * 1e3}
    for scenario in SCENARIOS:
        print(f"bench: {target.name}: {scenario.__name__}...", flush=True)
        try:
            out["metrics"].update(scenario(runner, cfg, params))
        except Exception as e:  # noqa: BLE001 (the report says what failed)
            traceback.print_exc()
            out["errors"].append(f"{scenario.__name__}: "
                                 f"{str(e).splitlines()[0] if str(e) else type(e).__name__}")
    out["restarts"] = server.restarts
    return out


def _failed(why):
    print(f"bench: {why}", file=sys.stderr)
    return {"metrics": {}, "errors": [why], "address": None, "period_ms": None,
            "restarts": 0}


def run_all(root, cfg):
    """{target name: measure()'s result}, for SERVERS (or cfg.only). Each
    local kind is started once; its remote twin runs while it is up, so that
    the clients' default server is a live one other than the remote."""
    wanted = [t for t in SERVERS if not cfg.only or t.name in cfg.only]
    results = {}
    for kind in dict.fromkeys(t.kind for t in wanted):
        targets = [t for t in wanted if t.kind == kind]
        local = Server(root / "servers", kind)
        try:
            local.start(default=False)
        except Exception as e:  # noqa: BLE001
            for t in targets:
                results[t.name] = _failed(f"{kind} did not start: {e}")
            continue
        try:
            for t in targets:
                if not t.remote:
                    results[t.name] = measure(t, local, cfg, root / "logs" / t.name)
                    continue
                remote = Server(root / "servers" / "remote", kind,
                                tcp_port=free_tcp_port())
                try:
                    remote.start(default=False)
                except Exception as e:  # noqa: BLE001
                    results[t.name] = _failed(f"remote {kind} did not start: {e}")
                    continue
                try:
                    results[t.name] = measure(t, Remote(local, remote), cfg,
                                              root / "logs" / t.name)
                finally:
                    remote.stop()
        finally:
            local.stop()
    return {t.name: results[t.name] for t in wanted if t.name in results}
