"""(h) The ALSA path without hardware: alsasink as the inner sink, on PCMs of
the pulse ALSA plugin (libasound2-plugins) that lead to the private server's
null sinks (defined in the private HOME's ~/.asoundrc by conftest.py)."""

import numpy as np
import pytest

import analysis
import appsrc_player
import audio_signals
from appsrc_player import Player
from captures import Capture
from gstreamer import Gst
from sound_servers import SPEAKER, VIRTUAL_MIC

pytestmark = pytest.mark.usefixtures("cast_plugin", "pulse_log")


def alsasink(pcm):
    s = Gst.ElementFactory.make("alsasink", None)
    assert s is not None, "alsasink missing (gstreamer1.0-alsa)"
    s.set_property("device", pcm)
    return s


@pytest.mark.parametrize("pcm,spec,freq", [
    ("audiocast_speaker", SPEAKER, 440),
    ("audiocast_mic", VIRTUAL_MIC, 1000),
])
def test_alsasink_inner_sink(pcm, spec, freq):
    rate = 48000
    seconds = 1.0
    x = audio_signals.sine(freq, seconds, rate, 2, amplitude=0.5)
    other = VIRTUAL_MIC if spec is SPEAKER else SPEAKER
    with Capture(spec) as cap, Capture(other) as cap_other:
        with Player("F32LE", rate, 2, audio_sink=alsasink(pcm)) as p:
            p.start()
            p.write(x)
            ok, took = p.drain(20_000_000)
            assert ok, "drain returned FALSE"
            s = appsrc_player.check_stats_consistent(p)
        cap.stop(settle=0.2)
        cap_other.stop()
    got = analysis.trimmed(cap.data)
    expected = seconds * spec.rate
    period = 0.010 * spec.rate
    sound = int(analysis.nonsilent_mask(got).sum())
    gaps = [r for r in analysis.silent_runs(got, 0, len(got)) if r > 0.002 * spec.rate]
    print(f"{pcm}: {len(got)} frames from first to last sound, {sound} of "
          f"them sound, expected {expected:.0f}; dropouts {gaps}; "
          f"drain took {took:.3f}s; stats {s}")
    assert s["frames-played"] == len(x), s
    assert not gaps, f"dropouts of {gaps} frames inside the tone"
    assert sound >= expected - period, f"{expected - sound:.0f} frames missing"
    assert len(got) <= expected + period, "more audio than written"
    f = analysis.as_float(got)
    edge = int(0.02 * spec.rate)
    for ch in range(spec.channels):
        est = analysis.frequency(f[edge:-edge, ch], spec.rate)
        assert abs(est - freq) <= 0.01 * freq, f"channel {ch}: {est:.2f} Hz"
    assert not analysis.nonsilent_mask(cap_other.data).any(), \
        f"audio leaked to {other.name}"


def test_alsasink_bit_exact():
    """F32 48 kHz stereo all the way (alsasink -> pulse plugin -> speaker):
    every frame arrives unchanged, none lost, none repeated."""
    x = audio_signals.noise(1.0, 48000, 2, amplitude=0.5, seed=77)
    with Capture(SPEAKER) as cap:
        with Player("F32LE", 48000, 2,
                    audio_sink=alsasink("audiocast_speaker")) as p:
            p.start()
            p.write(x)
            ok, _ = p.drain(20_000_000)
            assert ok, "drain returned FALSE"
            appsrc_player.check_stats_consistent(p)
        cap.stop(settle=0.2)
    got = analysis.trimmed(cap.data)
    # where each 10 ms period of the capture came from in the input
    origin = []
    for k in range(0, len(got), 480):
        h = analysis.find_exact(x, got[k:k + 16])
        origin.append(h[0] if h else None)
    wrong = [(k * 480, o) for k, o in enumerate(origin) if o != k * 480]
    print(f"{len(got)} frames captured; periods out of place "
          f"(capture frame, input frame or None=not input): {wrong[:10]}")
    assert not wrong, (
        f"{len(wrong)} periods out of place, first (capture frame, input "
        f"frame): {wrong[:6]}")
    assert len(got) == len(x)
    assert np.array_equal(got.view(np.uint32), x.view(np.uint32))
