"""(b) Bit-exact playback when the input already has the device's format."""

import pytest

import analysis
import appsrc_player
import audio_signals
from appsrc_player import Player
from captures import Capture
from sound_servers import SPEAKER

pytestmark = pytest.mark.usefixtures("cast_plugin", "pulse_log")


@pytest.mark.parametrize("latency_mode", ["default", "low"])
def test_noise_bit_exact_and_stats(latency_mode):
    x = audio_signals.noise(3.0, rate=48000, channels=2, amplitude=0.5, seed=20240501)
    with Capture(SPEAKER) as cap:
        with Player("F32LE", 48000, 2, device="speaker",
                    latency_mode=latency_mode) as p:
            p.start()
            p.write(x)
            ok, took = p.drain(-1)
            assert ok, "drain(-1) returned FALSE"
            s = appsrc_player.check_stats_consistent(p)
            print("stats after drain:", s, f"drain took {took:.3f}s")
            assert s["frames-written"] == len(x), s
            assert s["frames-played"] == len(x), s
            assert s["frames-cleared"] == 0, s
        cap.stop(settle=0.1)

    data = cap.data
    start = analysis.first_nonzero(data)
    assert start is not None, "nothing was captured"
    got = data[start:]
    n_heard = int(analysis.nonsilent_mask(got).sum())
    assert len(got) >= len(x), (
        f"captured only {len(got)} frames from the first non-zero one, "
        f"expected {len(x)}")
    # A gap the sink counted as an underrun is the producer's (appsrc's
    # thread, fed from Python) lateness, not lost audio: whole periods of
    # silence, the audio going on after them where it stopped. The low
    # mode's device buffer (10 ms) rides out less of it than the default's.
    period = 120 if latency_mode == "low" else 480
    heard, glitches, bad = analysis.follow_written(
        got, x, dry_period=period if s["underruns"] else None)
    if bad is not None:
        raise AssertionError(
            f"the capture departs from what was written after {heard} frames: "
            + analysis.describe_departure(got, bad, x, heard)
            + f"; {n_heard} non-silent frames captured")
    assert heard == len(x), f"heard {heard} of {len(x)} written frames"
    if glitches:
        pytest.xfail(f"{len(glitches)} graph xruns of the server (capture "
                     f"offset, silent frames inserted, written frames "
                     f"skipped): {glitches[:10]}")
    # and nothing after it
    tail = got[len(x):]
    assert not analysis.nonsilent_mask(tail).any(), (
        f"{int(analysis.nonsilent_mask(tail).sum())} non-silent frames after the end")
