"""(e) Conversion to the device's rate, format and channels."""

import pytest

import analysis
import appsrc_player
import audio_signals
from appsrc_player import Player
from captures import Capture
from sound_servers import SPEAKER, VIRTUAL_MIC

pytestmark = pytest.mark.usefixtures("cast_plugin", "pulse_log")


def play(spec, fmt, rate, channels, x, device):
    with Capture(spec) as cap:
        with Player(fmt, rate, channels, device=device) as p:
            p.start()
            p.write(x)
            ok, _ = p.drain(20_000_000)
            assert ok, "drain returned FALSE"
            s = appsrc_player.check_stats_consistent(p)
            assert s["frames-played"] == len(x), s
        cap.stop(settle=0.1)
    return cap.data


def check_tone(data, spec, freq, seconds, min_amp):
    got = analysis.trimmed(data)
    expected = seconds * spec.rate
    period = 0.010 * spec.rate
    print(f"{spec.name}: {len(got)} frames from first to last sound, "
          f"expected {expected:.0f}")
    assert abs(len(got) - expected) <= period, (len(got), expected)
    f = analysis.as_float(got)
    # skip 20 ms at both ends (resampler ramp)
    edge = int(0.02 * spec.rate)
    body = f[edge:-edge]
    for ch in range(spec.channels):
        est = analysis.frequency(body[:, ch], spec.rate)
        amp = analysis.rms(body[:, ch]) * 2 ** 0.5
        print(f"  channel {ch}: {est:.2f} Hz, amplitude {amp:.3f}")
        assert abs(est - freq) <= 0.01 * freq, f"channel {ch}: {est:.2f} Hz"
        assert amp >= min_amp, f"channel {ch}: amplitude {amp:.3f}"


def test_22050_mono_s16_into_48k_stereo_float():
    x = audio_signals.sine(440, 1.5, rate=22050, channels=1, amplitude=0.5,
                    dtype="<i2")
    data = play(SPEAKER, "S16LE", 22050, 1, x, "speaker")
    check_tone(data, SPEAKER, 440, 1.5, min_amp=0.2)


def test_48k_stereo_float_into_22050_mono_s16():
    x = audio_signals.sine(1000, 1.5, rate=48000, channels=2, amplitude=0.5)
    data = play(VIRTUAL_MIC, "F32LE", 48000, 2, x, "Virtual-Mic")
    check_tone(data, VIRTUAL_MIC, 1000, 1.5, min_amp=0.2)


def test_44100_s32_stereo_into_speaker():
    x = audio_signals.sine(3000, 1.0, rate=44100, channels=2, amplitude=0.5,
                    dtype="<i4")
    data = play(SPEAKER, "S32LE", 44100, 2, x, "speaker")
    check_tone(data, SPEAKER, 3000, 1.0, min_amp=0.2)
