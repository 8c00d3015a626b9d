"""(f) Gaps in the input: silence and an underrun, nothing lost, and the
next data plays at once."""

import time

import pytest

import analysis
import appsrc_player
import audio_signals
from appsrc_player import Player
from captures import Capture
from sound_servers import SPEAKER

pytestmark = pytest.mark.usefixtures("cast_plugin", "pulse_log")

RATE = 48000


def test_gap_plays_both_parts():
    part = 0.3
    x1 = audio_signals.sine(440, part, RATE, 2, amplitude=0.5, phase=0.3)
    x2 = audio_signals.sine(440, part, RATE, 2, amplitude=0.5, phase=0.3,
                     start=len(x1))
    with Capture(SPEAKER) as cap:
        with Player("F32LE", RATE, 2, device="speaker") as p:
            p.start()
            p.write(x1)
            time.sleep(part + 0.5)
            s_gap = p.stats()
            t2 = time.monotonic()
            p.write(x2)
            ok, _ = p.drain(10_000_000)
            assert ok, "drain returned FALSE"
            s = appsrc_player.check_stats_consistent(p)
        cap.stop(settle=0.1)
    print("stats during the gap:", s_gap, "after drain:", s)
    assert s["underruns"] >= 1, s
    assert s["frames-played"] == len(x1) + len(x2), s
    data = cap.data
    heard = int(analysis.nonsilent_mask(data).sum())
    expected = len(x1) + len(x2)
    period = RATE // 100
    print(f"non-silent frames: {heard}, expected {expected}")
    assert abs(heard - expected) <= period, (heard, expected)
    segs = analysis.segments(data, min_gap=RATE // 100)
    print("segments:", [(a, b - a) for a, b in segs])
    assert len(segs) == 2, f"expected 2 sound segments, got {segs}"
    (a1, e1), (a2, e2) = segs
    assert abs((e1 - a1) - len(x1)) <= period
    assert abs((e2 - a2) - len(x2)) <= period
    # the second part started soon after it was written (not after
    # re-filling a buffer): 200 ms slack for scheduling
    lag = cap.arrival_time(a2) - t2
    print(f"second part reached the capture {lag * 1000:.1f} ms after its write")
    assert lag <= 0.2, f"second part started {lag * 1000:.0f} ms after its write"


def test_underrun_mid_stream_many_small_writes():
    """Writes of 20 ms with 30 ms pauses: every frame is played."""
    chunk = int(0.020 * RATE)
    n = 15
    x = audio_signals.sine(523.25, chunk * n / RATE, RATE, 2, amplitude=0.4, phase=1.0)
    with Capture(SPEAKER) as cap:
        with Player("F32LE", RATE, 2, device="speaker", chunk_frames=chunk) as p:
            p.start()
            for i in range(n):
                p.write(x[i * chunk:(i + 1) * chunk])
                time.sleep(0.030)
            ok, _ = p.drain(10_000_000)
            assert ok
            s = appsrc_player.check_stats_consistent(p)
        cap.stop(settle=0.1)
    heard = int(analysis.nonsilent_mask(cap.data).sum())
    print(f"heard {heard} of {len(x)} frames; stats {s}")
    assert s["underruns"] >= 1, s
    assert abs(heard - len(x)) <= RATE // 100, (heard, len(x))
    assert s["frames-played"] == len(x), s
