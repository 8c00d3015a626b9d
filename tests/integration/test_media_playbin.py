"""audiocastsink inside GStreamer media apps: playbin, playbin3, gst-play and
gst-launch descriptions, flushing seeks and position queries, judged on the
monitor of the sink played to, side by side with pulsesink where a figure is
compared.

The media is a float32 48 kHz stereo WAV of noise, the format of `speaker`,
so every frame heard can be found in the file: the file frame heard at any
moment is the media position then.
"""

import subprocess
import time

import numpy as np
import pytest

import analysis
import audio_signals
import sound_servers
from captures import Capture
from gstreamer import Gst
from sound_servers import SPEAKER, VIRTUAL_MIC

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")

RATE = 48000
SECONDS = 6.0
SHORT_SECONDS = 2.0
# A flushing seek empties the device; the restart's lead-in and the periods
# pushed before the server plays them come to a few periods: a seek is heard
# within five, plus the server's own period.
DEVICE_PERIODS = 5


def write_media(tmp_path_factory, seconds):
    frames = audio_signals.noise(seconds, RATE, 2, amplitude=0.5, seed=77)
    path = tmp_path_factory.mktemp("media") / "noise.wav"
    audio_signals.write_float_wav(path, frames, RATE)
    return path, frames


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return write_media(tmp_path_factory, SECONDS)


@pytest.fixture(scope="module")
def short_media(tmp_path_factory):
    """For the apps that play a file from end to end: every frame of it is
    judged, and 2 s of it hold several of the device's buffers."""
    return write_media(tmp_path_factory, SHORT_SECONDS)


class FileMap:
    """Where each captured frame comes from in the file (-1: not from it)."""

    def __init__(self, cap, frames):
        self.cap = cap
        index = {int(k): i for i, k in enumerate(analysis.frame_keys(frames))}
        self.source = np.array([index.get(int(k), -1)
                                for k in analysis.frame_keys(cap.data)])
        self.sound = np.flatnonzero(analysis.nonsilent_mask(cap.data))

    def runs(self):
        """(first captured frame, first file frame, length) of each run of
        consecutive file frames heard."""
        src = self.source[self.sound]
        breaks = np.flatnonzero((np.diff(src) != 1)
                                | (np.diff(self.sound) != 1))
        starts = np.r_[0, breaks + 1]
        ends = np.r_[breaks + 1, len(src)]
        return [(int(self.sound[a]), int(src[a]), int(b - a))
                for a, b in zip(starts, ends)]

    def file_frame_heard_at(self, t):
        """The file frame the capture held last by monotonic time ``t``."""
        n = self.cap.frames_arrived_by(t)
        heard = self.sound[self.sound < n]
        return int(self.source[heard[-1]]) if len(heard) else None


def make_sink(desc):
    return (Gst.parse_bin_from_description(desc, True) if " " in desc
            else Gst.ElementFactory.make(desc))


def start_playbin(path, sink_desc):
    pb = Gst.ElementFactory.make("playbin")
    pb.set_property("uri", path.as_uri())
    pb.set_property("audio-sink", make_sink(sink_desc))
    pb.set_property("video-sink", Gst.ElementFactory.make("fakesink"))
    assert pb.set_state(Gst.State.PLAYING) != Gst.StateChangeReturn.FAILURE
    assert pb.get_state(10 * Gst.SECOND)[0] == Gst.StateChangeReturn.SUCCESS
    return pb


def bus_errors(pb):
    bus = pb.get_bus()
    out = []
    while True:
        msg = bus.pop_filtered(Gst.MessageType.ERROR | Gst.MessageType.WARNING)
        if msg is None:
            return out
        out.append(msg.parse_error()[0].message
                   if msg.type == Gst.MessageType.ERROR
                   else msg.parse_warning()[0].message)


def wait_playing(pb, seconds):
    """Lets ``seconds`` of the media play (by the pipeline's position)."""
    deadline = time.monotonic() + seconds + 10.0
    while True:
        ok, pos = pb.query_position(Gst.Format.TIME)
        if ok and pos >= seconds * Gst.SECOND:
            return
        assert time.monotonic() < deadline, f"{seconds} s never played"
        time.sleep(0.01)


def accurate_seek(pb, seconds):
    """A flushing, sample-accurate seek to ``seconds``."""
    return pb.seek_simple(Gst.Format.TIME,
                          Gst.SeekFlags.FLUSH | Gst.SeekFlags.ACCURATE,
                          int(seconds * Gst.SECOND))


# -------------------------------------------------------------------------
# Descriptions: gst-launch-1.0 and gst-play-1.0
# -------------------------------------------------------------------------

@pytest.mark.parametrize("argv, sink", [
    (["gst-launch-1.0", "playbin", "uri={uri}", "audio-sink=audiocastsink"],
     SPEAKER),
    (["gst-launch-1.0", "playbin3", "uri={uri}", "audio-sink=audiocastsink"],
     SPEAKER),
    (["gst-launch-1.0", "playbin", "uri={uri}",
      "audio-sink=audiocastsink device=Virtual-Mic buffer-time=500000"],
     VIRTUAL_MIC),
    (["gst-launch-1.0", "filesrc", "location={path}", "!", "decodebin", "!",
      "bin.(", "audioconvert", "!", "audiocastsink", ")"], SPEAKER),
    (["gst-play-1.0", "--no-interactive",
      "--audiosink=audiocastsink device=speaker", "{path}"], SPEAKER),
], ids=["playbin", "playbin3", "playbin-description", "bin", "gst-play"])
def test_media_apps_play_the_file(short_media, argv, sink):
    path, frames = short_media
    argv = [a.format(uri=path.as_uri(), path=path) for a in argv]
    with Capture(sink) as cap:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                           env=sound_servers.server_env())
        cap.stop(settle=0.1)
    print(r.stdout[-2000:], r.stderr[-2000:])
    assert r.returncode == 0, r.stdout + r.stderr
    for word in ("CRITICAL", "WARNING", "ERROR"):
        assert word not in r.stdout + r.stderr, r.stdout + r.stderr
    data = cap.data
    start = analysis.first_nonzero(data)
    assert start is not None, "nothing was heard"
    n = analysis.last_nonzero(data) + 1 - start
    if sink is SPEAKER:  # the file's own format: every frame, exactly
        analysis.assert_heard_exactly(data[start:], frames, "the file")
    else:  # resampled to 22050 Hz mono: all of it, and no more
        expected = SHORT_SECONDS * sink.rate
        assert abs(n - expected) <= sound_servers.period_frames(sink.rate), (
            n, expected)


# -------------------------------------------------------------------------
# Seeks and position
# -------------------------------------------------------------------------

def check_seek(pb, cap, frames, target_s, t_seek):
    """The first frame heard after the seek is the target's; nothing from
    before the seek after it; heard within DEVICE_PERIODS periods."""
    cap.stop(settle=0.1)
    fm = FileMap(cap, frames)
    runs = fm.runs()
    print("runs (captured at, file frame, frames):", runs)
    target = int(target_s * RATE)
    after = [i for i, r in enumerate(runs) if r[1] == target]
    assert after, f"the target frame {target} never started a run: {runs}"
    i = after[0]
    assert all(r[1] >= target for r in runs[i:]), (
        f"audio from before the seek heard after it: {runs}")
    heard_ms = (cap.arrival_time(runs[i][0]) - t_seek) * 1e3
    bound_ms = (DEVICE_PERIODS * sound_servers.period_frames(RATE) / RATE
                + sound_servers.period_seconds(sound_servers.server_kind_from_env())) * 1e3
    print(f"the new position was heard {heard_ms:.1f} ms after the seek "
          f"(bound {bound_ms:.1f} ms)")
    assert heard_ms <= bound_ms
    return fm


@pytest.mark.parametrize("target_s", [4.0, 0.5], ids=["forward", "backward"])
def test_flushing_seek_while_playing(media, target_s):
    path, frames = media
    Gst.init(None)
    with Capture(SPEAKER) as cap:
        pb = start_playbin(path, "audiocastsink")
        try:
            wait_playing(pb, 1.5)
            t_seek = time.monotonic()
            assert accurate_seek(pb, target_s)
            time.sleep(0.5)
            assert not bus_errors(pb)
        finally:
            pb.set_state(Gst.State.NULL)
        check_seek(pb, cap, frames, target_s, t_seek)


def test_flushing_seek_while_paused_plays_the_target_first(media):
    path, frames = media
    Gst.init(None)
    with Capture(SPEAKER) as cap:
        pb = start_playbin(path, "audiocastsink")
        try:
            wait_playing(pb, 1.0)
            pb.set_state(Gst.State.PAUSED)
            pb.get_state(5 * Gst.SECOND)
            assert accurate_seek(pb, 3.0)
            pb.get_state(5 * Gst.SECOND)
            t_play = time.monotonic()
            pb.set_state(Gst.State.PLAYING)
            time.sleep(0.5)
        finally:
            pb.set_state(Gst.State.NULL)
        check_seek(pb, cap, frames, 3.0, t_play)


def position_s(pb):
    ok, pos = pb.query_position(Gst.Format.TIME)
    assert ok, "no position"
    return pos / Gst.SECOND


@pytest.mark.parametrize("sink_desc", ["audiocastsink", "pulsesink"])
def test_position_follows_the_sound(media, sink_desc):
    """While playing the position is the media position heard (within 30 ms
    of the captured one), frozen while paused, right after a seek."""
    path, frames = media
    Gst.init(None)
    samples = []   # (monotonic time, position reported)
    with Capture(SPEAKER) as cap:
        pb = start_playbin(path, sink_desc)
        try:
            wait_playing(pb, 0.5)
            for _ in range(10):
                samples.append((time.monotonic(), position_s(pb)))
                time.sleep(0.05)
            pb.set_state(Gst.State.PAUSED)
            pb.get_state(5 * Gst.SECOND)
            time.sleep(0.2)
            paused = []
            for _ in range(3):
                paused.append(position_s(pb))
                time.sleep(0.1)
            pb.set_state(Gst.State.PLAYING)
            pb.get_state(5 * Gst.SECOND)
            time.sleep(0.3)
            assert accurate_seek(pb, 4.0)
            time.sleep(0.3)
            for _ in range(6):
                samples.append((time.monotonic(), position_s(pb)))
                time.sleep(0.05)
        finally:
            pb.set_state(Gst.State.NULL)
        cap.stop(settle=0.1)
    fm = FileMap(cap, frames)
    errors = []
    for t, pos in samples:
        heard = fm.file_frame_heard_at(t)
        errors.append((pos - heard / RATE) * 1e3)
    print(f"{sink_desc}: position − media heard, ms: "
          f"{', '.join(f'{e:+.1f}' for e in errors)}; paused {paused}")
    assert max(abs(e) for e in errors) <= 30.0
    assert max(paused) - min(paused) < 1e-9, f"position moved while paused: {paused}"


# -------------------------------------------------------------------------
# An application pipeline: appsrc ! audiocastsink
# -------------------------------------------------------------------------

def test_clear_eos_seek_then_more_data_plays():
    """clear(), EOS with nothing after it, a flushing seek, more data: the
    new data plays (the EOS that went to the device is flushed away), and
    drain() with G_MAXINT64 waits for it instead of overflowing."""
    first = audio_signals.noise(0.5, RATE, 2, amplitude=0.5, seed=81)
    second = audio_signals.noise(0.5, RATE, 2, amplitude=0.5, seed=82)
    Gst.init(None)
    with Capture(SPEAKER) as cap:
        p = Gst.parse_launch(
            "appsrc name=src format=time stream-type=seekable "
            "caps=audio/x-raw,format=F32LE,rate=48000,channels=2,"
            "layout=interleaved ! audiocastsink name=sink device=speaker")
        src, sink = p.get_by_name("src"), p.get_by_name("sink")
        src.connect("seek-data", lambda appsrc, offset: True)
        try:
            p.set_state(Gst.State.PLAYING)
            p.get_state(5 * Gst.SECOND)
            src.emit("push-buffer", audio_signals.float_buffer(first, 0))
            deadline = time.monotonic() + 10
            while sink.get_property("frames-played") < RATE // 10:
                assert time.monotonic() < deadline, "nothing was played"
                time.sleep(0.005)
            sink.emit("clear")
            src.emit("end-of-stream")
            msg = p.get_bus().timed_pop_filtered(5 * Gst.SECOND,
                                                 Gst.MessageType.EOS)
            assert msg is not None, "no EOS after the clear"
            assert p.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH, 0)
            written = sink.get_property("frames-written")
            assert src.emit("push-buffer", audio_signals.float_buffer(second, 0)) \
                == Gst.FlowReturn.OK
            # appsrc hands the buffer on from its own thread
            deadline = time.monotonic() + 10
            while sink.get_property("frames-written") < written + len(second):
                assert time.monotonic() < deadline, "the data never arrived"
                time.sleep(0.005)
            assert sink.emit("drain", 2**63 - 1) is True
            assert sink.get_property("buffered-frames") == 0
            assert not bus_errors(p)
        finally:
            p.set_state(Gst.State.NULL)
        cap.stop(settle=0.1)
    data = cap.data
    key = analysis.frame_keys(second[:1])[0]
    at = np.flatnonzero(analysis.frame_keys(data) == key)
    assert len(at) == 1, "the data after the seek was not heard"
    # whole and in order (the server's own xruns and holes stepped over)
    analysis.assert_heard_exactly(data[at[0]:], second,
                                  "the data after the seek", followed=True)


# -------------------------------------------------------------------------
# A/V: the pipeline clock over many seeks
# -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def av_file(tmp_path_factory):
    """5 s of Matroska: 30 fps JPEG video and Vorbis audio."""
    path = tmp_path_factory.mktemp("av") / "av.mkv"
    r = subprocess.run(
        ["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=150", "!",
         "video/x-raw,width=64,height=48,framerate=30/1", "!", "jpegenc", "!",
         "queue", "!", "mux.", "audiotestsrc", "num-buffers=235",
         "samplesperbuffer=1024", "!", "audio/x-raw,rate=48000,channels=2",
         "!", "audioconvert", "!", "vorbisenc", "!", "queue", "!", "mux.",
         "matroskamux", "name=mux", "!", "filesink", f"location={path}"],
        capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return path


def test_pipeline_clock_never_jumps_and_video_never_freezes_over_100_seeks(
        av_file):
    """playbin with a synchronised video sink: after every flushing seek
    the video goes on, and the pipeline clock (audiocastsink's own, of the
    audio heard) moves as wall time does: a clock that jumped (libpulse's
    can, by some 10^5 hours after a flush) or stood still would freeze the
    video for good."""
    Gst.init(None)
    pb = Gst.ElementFactory.make("playbin")
    pb.set_property("uri", av_file.as_uri())
    pb.set_property("audio-sink", Gst.ElementFactory.make("audiocastsink"))
    video = Gst.ElementFactory.make("fakesink")
    video.set_property("sync", True)
    video.set_property("signal-handoffs", True)
    shown = [0]
    video.connect("handoff", lambda *args: shown.__setitem__(0, shown[0] + 1))
    pb.set_property("video-sink", video)
    frozen, jumps, resumed = [], [], []
    try:
        pb.set_state(Gst.State.PLAYING)
        assert pb.get_state(10 * Gst.SECOND)[0] == Gst.StateChangeReturn.SUCCESS
        clock = pb.get_clock()
        for i in range(100):
            before, c0, t0 = shown[0], clock.get_time(), time.monotonic()
            assert pb.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH,
                                  (i % 3) * Gst.SECOND)
            # the video goes on: two new frames within a second
            deadline = t0 + 1.0
            while shown[0] - before < 2 and time.monotonic() < deadline:
                time.sleep(0.005)
            if shown[0] - before < 2:
                frozen.append(i)
            else:
                resumed.append(time.monotonic() - t0)
            time.sleep(max(0.0, t0 + 0.15 - time.monotonic()))
            c1, t1 = clock.get_time(), time.monotonic()
            drift = (c1 - c0) / Gst.SECOND - (t1 - t0)
            if abs(drift) > 0.1:
                jumps.append((i, drift))
        assert not bus_errors(pb)
    finally:
        pb.set_state(Gst.State.NULL)
    resumed.sort()
    if resumed:
        print(f"two video frames after a seek: median "
              f"{resumed[len(resumed) // 2] * 1e3:.0f} ms, max "
              f"{resumed[-1] * 1e3:.0f} ms")
    print(f"clock {clock.get_name()}; video frozen after seeks {frozen}; "
          f"clock jumps {jumps}")
    assert not frozen, f"the video stood still after seeks {frozen}"
    assert not jumps, f"the pipeline clock jumped: {jumps}"
