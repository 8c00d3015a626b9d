"""(d) drain returns only once the audio was heard."""

import time

import pytest

import analysis
import appsrc_player
import audio_signals
import sound_servers
from appsrc_player import Player
from captures import Capture
from sound_servers import SPEAKER

pytestmark = pytest.mark.usefixtures("cast_plugin", "pulse_log")

RATE = 48000


def test_drain_waits_for_playout():
    a = audio_signals.sine(440, 1.0, RATE, 2, amplitude=0.5, phase=0.3)
    b = audio_signals.sine(880, 0.5, RATE, 2, amplitude=0.3, phase=0.7)
    with Capture(SPEAKER) as cap:
        with Player("F32LE", RATE, 2, device="speaker") as p:
            p.start()
            t_write = time.monotonic()
            p.write(a)
            t_call = time.monotonic()
            ok, took = p.drain(-1)
            t_ret = time.monotonic()
            assert ok, "drain returned FALSE"
            s1 = appsrc_player.check_stats_consistent(p)
            p.write(b)
            ok2, took2 = p.drain(-1)
            assert ok2
            s2 = appsrc_player.check_stats_consistent(p)
        cap.stop(settle=0.1)
    data = cap.data
    start = analysis.first_nonzero(data)
    assert start is not None, "nothing captured"
    # A, exactly, up to where B's sound begins (the server's own xruns
    # stepped over, see sound_servers.server_xrun_quantum)
    heard_a, glitches, after_a = analysis.follow_written(
        data[start:], a, "tone A")
    assert heard_a == len(a), "tone A not captured exactly"
    assert after_a is not None, "tone B not captured"
    if glitches:
        print(f"server xruns stepped over in A: {glitches}")
    a_end = start + after_a
    last_a_arrival = cap.arrival_time(a_end - 1)
    print(f"drain took {took:.3f}s (called {t_call - t_write:.3f}s after the "
          f"first write); returned {(t_ret - last_a_arrival) * 1000:+.1f} ms "
          f"after the last frame of A reached the capture; stats {s1} {s2}")
    assert s1["frames-played"] == len(a), s1
    assert s2["frames-played"] == len(a) + len(b), s2
    assert t_ret - t_write >= len(a) / RATE, (
        f"drain returned {t_ret - t_write:.3f}s after the write of "
        f"{len(a) / RATE:.3f}s of audio")
    b_at = analysis.first_nonzero(data, a_end)
    assert b_at is not None, "tone B not captured"
    gap = b_at - a_end
    print(f"silent gap between A and B: {gap} frames ({gap / RATE * 1000:.2f} ms)")
    assert gap >= RATE // 1000, (
        f"only {gap} silent frames between A and B: drain returned before A "
        "was heard")
    # the Player feeds 1024-frame chunks through appsrc's thread: when a
    # stall held that thread back longer than the ring held, the sink played
    # whole periods of silence (an underrun) before the rest of B
    late = s2["underruns"] > s1["underruns"]
    analysis.assert_heard_exactly(
        data[b_at:], b, "tone B",
        dry_period=sound_servers.period_frames(RATE) if late else None)
    # A had reached the monitor by the time drain returned (50 ms slack for
    # the capture's own latency and thread scheduling)
    assert last_a_arrival <= t_ret + 0.050, (
        f"the end of A arrived {(last_a_arrival - t_ret) * 1000:.1f} ms after "
        "drain returned")


def test_drain_timeout_and_empty():
    x = audio_signals.sine(440, 1.0, RATE, 2)
    with Capture(SPEAKER) as cap:
        with Player("F32LE", RATE, 2, device="speaker") as p:
            p.start()
            ok, took = p.drain(-1)
            assert ok is True, "drain on an empty element must be TRUE"
            assert took < 1.0, f"empty drain took {took:.3f}s"
            p.write(x)
            ok, took = p.drain(100_000)
            assert ok is False, "drain(100 ms) with 1 s queued returned TRUE"
            assert took >= 0.1 - 0.005, f"drain(100 ms) returned after {took:.3f}s"
            assert took < 0.9, f"drain(100 ms) returned after {took:.3f}s"
            ok, took = p.drain(10_000_000)
            assert ok is True
            appsrc_player.check_stats_consistent(p)
        cap.stop(settle=0.1)
    got = analysis.trimmed(cap.data)
    assert len(got) == len(x), f"{len(got)} frames captured, {len(x)} written"
