"""(b) Bit-exact playback when the input already has the device's format."""

import numpy as np
import pytest

import analysis
import appsrc_player
import audio_signals
from appsrc_player import Player
from captures import Capture
from sound_servers import SPEAKER

pytestmark = pytest.mark.usefixtures("cast_plugin", "pulse_log")


def test_noise_bit_exact_and_stats():
    x = audio_signals.noise(3.0, rate=48000, channels=2, amplitude=0.5, seed=20240501)
    with Capture(SPEAKER) as cap:
        with Player("F32LE", 48000, 2, device="speaker") as p:
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
    seg = got[:len(x)]
    diff = np.flatnonzero(np.any(seg.view(np.uint32) != x.view(np.uint32), axis=1))
    if len(diff):
        where = analysis.find_exact(data, x[1000:1016])
        raise AssertionError(
            f"{len(diff)} of {len(x)} frames differ; first at frame {diff[0]}: "
            f"got {seg[diff[0]]}, expected {x[diff[0]]}; input frame 1000 "
            f"found at capture offsets {[w - start for w in where]} (1000 "
            f"expected); {n_heard} non-silent frames captured")
    # and nothing after it
    tail = got[len(x):]
    assert not analysis.nonsilent_mask(tail).any(), (
        f"{int(analysis.nonsilent_mask(tail).sum())} non-silent frames after the end")
