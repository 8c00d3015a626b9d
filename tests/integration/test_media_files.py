"""Encoded files through playbin, audiocastsink side by side with pulsesink:
WAV and FLAC (lossless: every decoded frame heard, exactly, in order) and
Ogg Vorbis and Opus (lossy: heard as long as the file, at its pitch, within
a few ms of what pulsesink makes of the same file), sync on as playbin has
it.

The reference for each file is what GStreamer decodes it to, in the
speaker's format (float32, 48 kHz, stereo), written next to it.
"""

import subprocess
import time

import numpy as np
import pytest

import analysis
from captures import Capture
from gstreamer import Gst
from sound_servers import SPEAKER

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")

RATE = 48000
SECONDS = 3
TONE_HZ = 1000.0
ENCODERS = {
    "wav": ["wavenc"],
    "flac": ["flacenc"],
    "vorbis": ["vorbisenc", "!", "oggmux"],
    "opus": ["opusenc", "!", "oggmux"],
}
LOSSLESS = ("wav", "flac")


def gst_launch(*argv):
    r = subprocess.run(["gst-launch-1.0", "-q", *argv], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def encode(path, codec):
    """3 s of S16 stereo: noise for the lossless codecs (every frame tells
    where it came from), a 1 kHz tone for the lossy ones."""
    wave = (["wave=white-noise", "volume=0.5"] if codec in LOSSLESS
            else ["wave=sine", f"freq={TONE_HZ}", "volume=0.5"])
    gst_launch("audiotestsrc", *wave, "samplesperbuffer=480",
               f"num-buffers={100 * SECONDS}", "!",
               f"audio/x-raw,format=S16LE,rate={RATE},channels=2", "!",
               "audioconvert", "!", *ENCODERS[codec], "!", "filesink",
               f"location={path}")


def decode(path):
    raw = path.with_suffix(".raw")
    gst_launch("filesrc", f"location={path}", "!", "decodebin", "!",
               "audioconvert", "!", "audioresample", "!",
               f"audio/x-raw,format=F32LE,rate={RATE},channels=2", "!",
               "filesink", f"location={raw}")
    return np.fromfile(raw, dtype="<f4").reshape(-1, 2)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("encoded")
    out = {}
    for codec in ENCODERS:
        path = d / f"media.{codec}"
        encode(path, codec)
        out[codec] = (path, decode(path))
    return out


def play(path, sink_desc):
    """Plays ``path`` through playbin to the end; the capture of it."""
    Gst.init(None)
    pb = Gst.ElementFactory.make("playbin")
    pb.set_property("uri", path.as_uri())
    pb.set_property("audio-sink", Gst.ElementFactory.make(sink_desc))
    pb.set_property("video-sink", Gst.ElementFactory.make("fakesink"))
    with Capture(SPEAKER) as cap:
        try:
            assert pb.set_state(Gst.State.PLAYING) \
                != Gst.StateChangeReturn.FAILURE
            msg = pb.get_bus().timed_pop_filtered(
                (SECONDS + 15) * Gst.SECOND,
                Gst.MessageType.EOS | Gst.MessageType.ERROR)
            assert msg is not None, "no EOS"
            assert msg.type == Gst.MessageType.EOS, msg.parse_error()
        finally:
            pb.set_state(Gst.State.NULL)
        time.sleep(0.05)
        cap.stop(settle=0.1)
    return cap.data


def sound_span(data):
    """(first, one past the last) non-silent captured frame."""
    first = analysis.first_nonzero(data)
    assert first is not None, "nothing was heard"
    return first, analysis.last_nonzero(data) + 1


def dominant_hz(x):
    spectrum = np.abs(np.fft.rfft(x[:, 0] * np.hanning(len(x))))
    k = int(np.argmax(spectrum[1:])) + 1
    # the peak between bins, from its neighbours (a parabola through them)
    a, b, c = np.log(spectrum[k - 1:k + 2] + 1e-12)
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * RATE / len(x)


@pytest.mark.parametrize("codec", LOSSLESS)
def test_lossless_file_heard_exactly(files, codec):
    path, ref = files[codec]
    data = play(path, "audiocastsink")
    first, _ = sound_span(data)
    analysis.assert_heard_exactly(data[first:], ref, codec)


@pytest.mark.parametrize("codec", ("vorbis", "opus"))
def test_lossy_file_heard_whole_at_its_pitch_like_pulsesink(files, codec):
    path, ref = files[codec]
    spans = {}
    for sink in ("pulsesink", "audiocastsink"):
        data = play(path, sink)
        a, b = sound_span(data)
        spans[sink] = (b - a) / RATE
        hz = dominant_hz(data[a:b])
        print(f"{codec} {sink}: heard {spans[sink]:.4f} s at {hz:.2f} Hz")
        assert abs(hz - TONE_HZ) <= 0.005 * TONE_HZ, (sink, hz)
    ours, theirs = spans["audiocastsink"], spans["pulsesink"]
    ref_a, ref_b = sound_span(ref)
    print(f"{codec}: decoded {(ref_b - ref_a) / RATE:.4f} s")
    # a period either side: where the tone's first and last frames fall
    assert abs(ours - (ref_b - ref_a) / RATE) <= 0.010, (ours, ref_b - ref_a)
    assert abs(ours - theirs) <= 0.010, spans
