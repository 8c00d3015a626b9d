"""(j) AudioCast.play_file(): decodes a file through playbin into
audiocastsink, returns once it was heard, maps failures to the AudioCast
error domain and stops at once when cancelled."""

import ctypes
import os
import threading
import time

import pytest

import analysis
import sound_servers
from audiocast_pkg import REPO
from captures import Capture
from gstreamer import Gst
from sound_servers import SPEAKER, VIRTUAL_MIC

import gi

# Run by hand without the meson test environment: the build tree's typelib,
# and its library loaded by path so that GI's dlopen by soname finds it.
_GIR_DIR = REPO / "build" / "gir"
if "GI_TYPELIB_PATH" not in os.environ and _GIR_DIR.is_dir():
    os.environ["GI_TYPELIB_PATH"] = str(_GIR_DIR)
    ctypes.CDLL(str(_GIR_DIR / "libaudiocast-1.0.so.0"), mode=ctypes.RTLD_GLOBAL)

gi.require_version("AudioCast", "1.0")
from gi.repository import AudioCast, Gio, GLib  # noqa: E402

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")

FREQ = 440
SECONDS = 1.0
SAMPLES_PER_BUFFER = 4410


def make_file(path, encoder, seconds=SECONDS, freq=FREQ, rate=44100,
              channels=2):
    """Encodes a sine of ``seconds`` with GStreamer (exact length: whole
    buffers of 0.1 s)."""
    buffers = int(round(seconds * rate / SAMPLES_PER_BUFFER))
    assert buffers * SAMPLES_PER_BUFFER == round(seconds * rate)
    desc = (f"audiotestsrc wave=sine freq={freq} volume=0.5 "
            f"samplesperbuffer={SAMPLES_PER_BUFFER} num-buffers={buffers} ! "
            f"audio/x-raw,format=S16LE,rate={rate},channels={channels} ! "
            f"audioconvert ! {encoder} ! filesink location=\"{path}\"")
    pipeline = Gst.parse_launch(desc)
    pipeline.set_state(Gst.State.PLAYING)
    msg = pipeline.get_bus().timed_pop_filtered(
        30 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    assert msg is not None and msg.type == Gst.MessageType.EOS, (
        f"encoding {path} failed: "
        + (msg.parse_error()[0].message if msg else "timeout"))
    return path


def make_video(path):
    pipeline = Gst.parse_launch(
        "videotestsrc num-buffers=30 ! video/x-raw,width=160,height=120 ! "
        f"theoraenc ! oggmux ! filesink location=\"{path}\"")
    pipeline.set_state(Gst.State.PLAYING)
    msg = pipeline.get_bus().timed_pop_filtered(
        30 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    assert msg is not None and msg.type == Gst.MessageType.EOS
    return path


ENCODERS = {
    "wav": "wavenc",
    "flac": "flacenc",
    "ogg": "vorbisenc ! oggmux",
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("play-file")
    out = {ext: make_file(d / f"tone.{ext}", enc) for ext, enc in ENCODERS.items()}
    out["long"] = make_file(d / "long.wav", "wavenc", seconds=20.0)
    out["mono"] = make_file(d / "mono.flac", "flacenc", freq=1000,
                            rate=22050, channels=1)
    (d / "garbage.wav").write_bytes(b"this is not a sound file\n" * 100)
    out["garbage"] = d / "garbage.wav"
    (d / "truncated.ogg").write_bytes(out["ogg"].read_bytes()[:100])
    out["truncated"] = d / "truncated.ogg"
    out["video"] = make_video(d / "video.ogg")
    return out


def play_and_capture(target, path, device):
    with Capture(target) as cap:
        t0 = time.monotonic()
        ok = AudioCast.play_file(str(path), device, None)
        returned = time.monotonic()
        cap.stop(settle=0.3)
    return ok, t0, returned, cap


def check_tone(cap, spec, freq, seconds, tolerance_s):
    data = cap.data
    got = analysis.trimmed(data)
    sound = int(analysis.nonsilent_mask(got).sum())
    expected = seconds * spec.rate
    gaps = [r for r in analysis.silent_runs(got, 0, len(got))
            if r > 0.002 * spec.rate]
    f = analysis.as_float(got)
    edge = int(0.05 * spec.rate)
    ests = [analysis.frequency(f[edge:-edge, ch], spec.rate)
            for ch in range(spec.channels)]
    print(f"{len(got)} frames from first to last sound ({sound} sound), "
          f"expected {expected:.0f}; frequency {ests}; dropouts {gaps}")
    assert not gaps, f"dropouts of {gaps} frames"
    assert abs(len(got) - expected) <= tolerance_s * spec.rate, (
        f"{len(got)} frames of tone, expected {expected:.0f}")
    for ch, est in enumerate(ests):
        assert abs(est - freq) <= 0.005 * freq, f"channel {ch}: {est:.2f} Hz"
    level = analysis.rms(f[edge:-edge])
    assert 0.25 < level < 0.45, f"rms {level:.3f}, expected ~0.354"


@pytest.mark.parametrize("ext,tolerance_s", [
    ("wav", 0.005),
    ("flac", 0.005),
    ("ogg", 0.015),     # lossy: the codec's edges are not sample-exact
])
def test_play_file_into_speaker(files, ext, tolerance_s):
    ok, t0, returned, cap = play_and_capture(SPEAKER, files[ext], "speaker")
    assert ok is True
    check_tone(cap, SPEAKER, FREQ, SECONDS, tolerance_s)
    # It returns once the audio was heard: not before the last sound reached
    # the monitor, and not long after.
    last = cap.arrival_time(analysis.last_nonzero(cap.data))
    took = returned - t0
    print(f"returned {returned - last:+.3f}s after the last sound arrived; "
          f"call took {took:.3f}s")
    assert returned >= last - 0.030, "returned before the audio was heard"
    assert returned - last < 0.300, "returned long after the audio ended"
    assert SECONDS <= took < SECONDS + 2.0


def test_play_file_other_device_and_format(files):
    """22.05 kHz mono FLAC onto the 22.05 kHz mono sink, by description."""
    with Capture(SPEAKER) as other:
        ok, _, _, cap = play_and_capture(VIRTUAL_MIC, files["mono"],
                                         "Virtual Microphone")
        other.stop()
    assert ok
    check_tone(cap, VIRTUAL_MIC, 1000, SECONDS, 0.005)
    assert not analysis.nonsilent_mask(other.data).any(), "audio leaked to speaker"


def test_play_file_longer_than_start_timeout(files, tmp_path):
    """Files play past the 10 s within which a local file's audio must have
    started (the guard against decodebin swallowing an error)."""
    path = make_file(tmp_path / "eleven.flac", "flacenc", seconds=11.0)
    ok, t0, returned, cap = play_and_capture(SPEAKER, path, "speaker")
    assert ok
    check_tone(cap, SPEAKER, FREQ, 11.0, 0.005)


def test_play_file_relative_path_and_uri(files, monkeypatch):
    monkeypatch.chdir(files["wav"].parent)
    ok, _, _, cap = play_and_capture(SPEAKER, "tone.wav", None)
    assert ok
    check_tone(cap, SPEAKER, FREQ, SECONDS, 0.005)

    uri = files["flac"].as_uri()
    ok, _, _, cap = play_and_capture(SPEAKER, uri, "speaker")
    assert ok
    check_tone(cap, SPEAKER, FREQ, SECONDS, 0.005)


def assert_audiocast_error(excinfo, code):
    e = excinfo.value
    assert e.matches(AudioCast.error_quark(), code), (
        f"{e.domain} {e.code} {e.message!r}, expected AudioCast {code}")
    return e.message


def test_missing_file_is_format_error(tmp_path):
    path = tmp_path / "no-such-file.wav"
    with pytest.raises(GLib.Error) as excinfo:
        AudioCast.play_file(str(path), None, None)
    msg = assert_audiocast_error(excinfo, AudioCast.Error.FORMAT)
    print(msg)
    assert str(path) in msg
    assert not sound_servers.sink_inputs(), "a stream was opened for a missing file"


def test_missing_relative_file_names_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GLib.Error) as excinfo:
        AudioCast.play_file("missing.ogg", "speaker", None)
    msg = assert_audiocast_error(excinfo, AudioCast.Error.FORMAT)
    assert "missing.ogg" in msg


def test_undecodable_file_is_format_error(files):
    with pytest.raises(GLib.Error) as excinfo:
        AudioCast.play_file(str(files["garbage"]), "speaker", None)
    msg = assert_audiocast_error(excinfo, AudioCast.Error.FORMAT)
    print(msg)
    assert "garbage.wav" in msg


@pytest.mark.parametrize("name", ["truncated", "video"])
def test_broken_or_silent_file_is_format_error(files, name):
    """A truncated file (GStreamer's decodebin may swallow the demuxer's
    error for it; the call must still end) and a file without audio."""
    for _ in range(5):
        t0 = time.monotonic()
        with pytest.raises(GLib.Error) as excinfo:
            AudioCast.play_file(str(files[name]), "speaker", None)
        took = time.monotonic() - t0
        msg = assert_audiocast_error(excinfo, AudioCast.Error.FORMAT)
        print(f"{msg} (after {took:.3f}s)")
        assert files[name].name in msg
        assert took < 12.0
    if name == "video":
        assert "no audio" in msg


def test_empty_path_is_invalid_argument():
    with pytest.raises(GLib.Error) as excinfo:
        AudioCast.play_file("", None, None)
    assert_audiocast_error(excinfo, AudioCast.Error.INVALID_ARGUMENT)


def test_unknown_device(files):
    t0 = time.monotonic()
    with pytest.raises(GLib.Error) as excinfo:
        AudioCast.play_file(str(files["wav"]), "no-such-device-xyz", None)
    took = time.monotonic() - t0
    msg = assert_audiocast_error(excinfo, AudioCast.Error.DEVICE_NOT_FOUND)
    print(f"{msg} (after {took:.3f}s)")
    assert msg.startswith("Device not found:"), msg
    for name in ("speaker", "Virtual-Mic"):
        assert name in msg, f"{name!r} not listed in {msg!r}"
    assert took < 5.0


def test_cancel_from_another_thread(files):
    cancellable = Gio.Cancellable()
    result = {}

    def play():
        try:
            result["ok"] = AudioCast.play_file(str(files["long"]), "speaker",
                                               cancellable)
        except GLib.Error as e:
            result["error"] = e
        result["returned"] = time.monotonic()

    with Capture(SPEAKER) as cap:
        t = threading.Thread(target=play)
        t.start()
        # Cancel once the tone is audible.
        deadline = time.monotonic() + 10
        while not analysis.nonsilent_mask(cap.data).any():
            assert time.monotonic() < deadline, "the file never started playing"
            time.sleep(0.01)
            cap._data = None
        time.sleep(0.3)
        cancelled_at = time.monotonic()
        cancellable.cancel()
        t.join(10)
        assert not t.is_alive(), "play_file did not return after cancel"
        cap.stop(settle=0.3)

    took = result["returned"] - cancelled_at
    print(f"returned {took * 1000:.1f} ms after cancel")
    assert "error" in result, f"returned {result.get('ok')} instead of an error"
    e = result["error"]
    assert e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED), e
    assert took < 0.25, f"took {took:.3f}s to return after cancel"
    # The sound stops with the call: nothing is heard after it returned.
    last = cap.arrival_time(analysis.last_nonzero(cap.data))
    print(f"last sound arrived {(last - cancelled_at) * 1000:+.1f} ms after cancel")
    assert last < result["returned"] + 0.050, "sound went on after the call returned"
    assert not sound_servers.sink_inputs(), "the stream was left open"


def test_cancelled_before_start(files):
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    t0 = time.monotonic()
    with pytest.raises(GLib.Error) as excinfo:
        AudioCast.play_file(str(files["wav"]), "speaker", cancellable)
    assert excinfo.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    assert time.monotonic() - t0 < 0.1
