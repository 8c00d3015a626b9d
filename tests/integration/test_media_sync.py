"""audiocastsink as a synchronised media sink (sync=true, the default):
A/V offset side by side with pulsesink, audio that starts late in the file,
gaps in timestamps, gapless track changes, live latency, preroll.

The A/V file has a tick of sound every second and video at 30 fps; the
offset is when a tick is heard (on the monitor) less when the video frame
of the same media time is rendered by a synchronised fakesink.
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
from sound_servers import SPEAKER

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")

RATE = 48000


def make_av_file(path, audio_offset_s=0.0, seconds=4):
    """Matroska: 30 fps JPEG video and raw S16 audio with a tick of sound
    each second of its own timeline, which starts ``audio_offset_s`` into
    the file."""
    r = subprocess.run(
        ["gst-launch-1.0", "-q", "videotestsrc", f"num-buffers={30 * seconds}",
         "!", "video/x-raw,width=64,height=48,framerate=30/1", "!", "jpegenc",
         "!", "queue", "!", "mux.", "audiotestsrc", "wave=ticks",
         "samplesperbuffer=480", f"num-buffers={100 * seconds}",
         f"timestamp-offset={int(audio_offset_s * Gst.SECOND)}", "!",
         "audio/x-raw,format=S16LE,rate=48000,channels=2", "!", "queue", "!",
         "mux.", "matroskamux", "name=mux", "!", "filesink",
         f"location={path}"],
        capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return path


@pytest.fixture(scope="module")
def av_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("avsync")
    return {0.0: make_av_file(d / "av.mkv"),
            0.5: make_av_file(d / "late.mkv", audio_offset_s=0.5)}


def wait_eos(pipeline, seconds):
    msg = pipeline.get_bus().timed_pop_filtered(
        int(seconds * Gst.SECOND), Gst.MessageType.EOS | Gst.MessageType.ERROR)
    assert msg is not None and msg.type == Gst.MessageType.EOS, msg


def heard_at(cap, frame):
    """Monotonic time at which captured frame ``frame`` was heard."""
    cap.data
    _, ends, times = cap._data
    i = min(int(np.searchsorted(ends, frame, side="right")), len(times) - 1)
    return float(times[i]) - (int(ends[i]) - frame) / cap.rate


def tick_onsets(cap):
    """Captured frames where a tick starts (sound after >= 0.3 s of quiet)."""
    sound = np.flatnonzero(analysis.nonsilent_mask(cap.data))
    if len(sound) == 0:
        return []
    starts = [sound[0]] + [b for a, b in zip(sound[:-1], sound[1:])
                           if b - a > 0.3 * cap.rate]
    return [int(s) for s in starts]


def av_offsets(path, sink_desc, audio_offset_s, seek_to=None, pause=False):
    """(tick heard − video frame of its time rendered) in ms, per tick."""
    Gst.init(None)
    shown = {}     # video pts (ms) -> monotonic time rendered
    pb = Gst.ElementFactory.make("playbin")
    pb.set_property("uri", path.as_uri())
    sink = (Gst.parse_bin_from_description(sink_desc, True)
            if " " in sink_desc else Gst.ElementFactory.make(sink_desc))
    pb.set_property("audio-sink", sink)
    video = Gst.ElementFactory.make("fakesink")
    video.set_property("sync", True)
    video.set_property("signal-handoffs", True)
    video.connect("handoff", lambda s, buf, pad: shown.setdefault(
        round(buf.pts / Gst.MSECOND), time.monotonic()))
    pb.set_property("video-sink", video)
    with Capture(SPEAKER) as cap:
        try:
            pb.set_state(Gst.State.PLAYING)
            assert pb.get_state(10 * Gst.SECOND)[0] \
                == Gst.StateChangeReturn.SUCCESS
            if pause:
                time.sleep(0.8)
                pb.set_state(Gst.State.PAUSED)
                pb.get_state(5 * Gst.SECOND)
                time.sleep(0.4)
                pb.set_state(Gst.State.PLAYING)
            if seek_to is not None:
                time.sleep(0.8)
                shown.clear()
                assert pb.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH
                                      | Gst.SeekFlags.ACCURATE,
                                      int(seek_to * Gst.SECOND))
                t_seek = time.monotonic()
            wait_eos(pb, 15)
        finally:
            pb.set_state(Gst.State.NULL)
        cap.stop(settle=0.1)
    offsets = []
    for onset in tick_onsets(cap):
        t_heard = heard_at(cap, onset)
        # After a seek the video shows the target frame as soon as the
        # pipeline plays, before any sink's audio of it is heard: the offset
        # is judged from the next tick on, for either sink.
        if seek_to is not None and (t_heard < t_seek + 0.5):
            continue
        # the video frame rendered nearest before the tick: its media time
        # is the tick's (ticks are on whole seconds of the audio's timeline)
        candidates = [(abs(t_heard - t), pts) for pts, t in shown.items()
                      if (pts - audio_offset_s * 1000) % 1000 == 0]
        if not candidates or min(candidates)[0] > 0.5:
            continue        # a tick past the last video frame
        _, pts = min(candidates)
        offsets.append((pts, (t_heard - shown[pts]) * 1e3))
    # The first video frame is the prerolled one, shown as soon as the
    # pipeline plays, before any sink's audio of it is heard: judged from
    # the next tick on, for either sink.
    return offsets[1:] if seek_to is None else offsets


@pytest.mark.parametrize("case", ["start", "late-start", "seek", "pause"])
def test_av_offset_matches_pulsesink(av_files, case):
    """The A/V offset with audiocastsink is within ±10 ms of pulsesink's on
    the same file, from the start, when the audio starts 0.5 s late in the
    file, after a seek and after a pause."""
    offset_s = 0.5 if case == "late-start" else 0.0
    kw = {"seek_to": 2.0} if case == "seek" else {}
    if case == "pause":
        kw["pause"] = True
    results = {}
    for sink in ("pulsesink", "audiocastsink"):
        try:
            results[sink] = av_offsets(av_files[offset_s], sink, offset_s,
                                       **kw)
        except AssertionError:
            if sink == "pulsesink" and sound_servers.server_kind_from_env() \
                    == "pulse-rewinds":
                # libpulse's clock, which pulsesink gives the pipeline, can
                # stand still after a cork when the sink rewinds: the video
                # then never ends and there is nothing to compare with
                pytest.xfail("the pulsesink reference never reached EOS "
                             "(libpulse's clock stood still)")
            raise
        print(f"{case} {sink}: A/V offsets (video pts ms, audio − video ms)",
              [(p, round(o, 1)) for p, o in results[sink]])
    for sink, offs in results.items():
        assert len(offs) >= 1, f"{sink}: no tick heard against the video"
    # pipewire-pulse times every stream in whole graph quanta (256 frames,
    # 5.3 ms): on PipeWire each sink's offset is known to one quantum less
    # well (measured: ours -15 ms, pulsesink's -4 to -6 after a seek).
    quantum = sound_servers.server_xrun_quantum()
    slack_ms = 1e3 * quantum / RATE if quantum else 0.0
    # the media pipeline's device buffer: four periods
    bound_ms = 4 * sound_servers.period_seconds(
        sound_servers.server_kind_from_env()) * 1e3 + slack_ms
    theirs_offs = [o for _, o in results["pulsesink"]]
    if case == "pause" and (len(theirs_offs) < 2
                            or abs(float(np.median(theirs_offs))) > bound_ms):
        # After a pause pulsesink can lose its own clock against the video:
        # on PulseAudio with rewinds only its last tick is heard against it
        # (+179 ms, 2 of 2 CI-like runs), on PipeWire its ticks came
        # +182 ms late once. No reference then: ours must still be steady
        # and within the device buffer of the video (both sinks sit near
        # -15 ms in the other cases).
        ours = [o for _, o in results["audiocastsink"]]
        assert len(ours) >= 2 and max(ours) - min(ours) <= 10.0 + slack_ms, ours
        assert all(abs(o) <= bound_ms for o in ours), (ours, bound_ms)
        pytest.xfail(f"the pulsesink reference lost its clock after the pause "
                     f"(its ticks: {[round(o, 1) for o in theirs_offs]} ms)")
    ours = float(np.median([o for _, o in results["audiocastsink"]]))
    theirs = float(np.median([o for _, o in results["pulsesink"]]))
    print(f"{case}: median A/V offset audiocastsink {ours:+.1f} ms, "
          f"pulsesink {theirs:+.1f} ms")
    assert abs(ours - theirs) <= 10.0 + slack_ms
    assert max(abs(o - theirs) for _, o in results["audiocastsink"]) \
        <= 20.0 + slack_ms


@pytest.mark.parametrize("sync", [True, False])
def test_timestamp_gap_plays_as_silence_only_with_sync(sync):
    """Two runs of noise 0.2 s apart in their timestamps: with sync the gap
    is heard as 0.2 s of silence; without, the second follows at once."""
    a = audio_signals.noise(0.3, RATE, 2, amplitude=0.5, seed=91)
    b = audio_signals.noise(0.3, RATE, 2, amplitude=0.5, seed=92)
    Gst.init(None)
    with Capture(SPEAKER) as cap:
        p = Gst.parse_launch(
            "appsrc name=src format=time caps=audio/x-raw,format=F32LE,"
            "rate=48000,channels=2,layout=interleaved ! audiocastsink "
            f"name=sink device=speaker sync={'true' if sync else 'false'}")
        src = p.get_by_name("src")
        try:
            p.set_state(Gst.State.PLAYING)
            src.emit("push-buffer", audio_signals.float_buffer(a, 0))
            src.emit("push-buffer",
                     audio_signals.float_buffer(b, int(0.5 * Gst.SECOND)))
            src.emit("end-of-stream")
            wait_eos(p, 10)
        finally:
            p.set_state(Gst.State.NULL)
        cap.stop(settle=0.1)
    keys = analysis.frame_keys(cap.data)
    at_a = np.flatnonzero(keys == analysis.frame_keys(a[:1])[0])
    at_b = np.flatnonzero(keys == analysis.frame_keys(b[:1])[0])
    assert len(at_a) == 1 and len(at_b) == 1, "a run was not heard once"
    analysis.assert_heard_exactly(cap.data[at_a[0]:], a, "run a", followed=True)
    analysis.assert_heard_exactly(cap.data[at_b[0]:], b, "run b")
    gap = (at_b[0] - at_a[0] - len(a)) / RATE
    print(f"sync={sync}: gap heard {gap * 1e3:.1f} ms")
    if sync:
        assert abs(gap - 0.2) <= 1.5 / RATE
    else:
        assert gap == 0


@pytest.mark.parametrize("sink_desc", ["audiocastsink", "pulsesink"])
def test_gapless_track_change_posts_stream_start_per_track(tmp_path,
                                                           sink_desc):
    Gst.init(None)
    tracks = []
    for i in range(2):
        path = tmp_path / f"t{i}.wav"
        audio_signals.write_float_wav(path, audio_signals.noise(0.5, RATE, 2, seed=95 + i),
                               RATE)
        tracks.append(path.as_uri())
    pb = Gst.ElementFactory.make("playbin")
    pb.set_property("uri", tracks[0])
    pb.set_property("audio-sink", Gst.ElementFactory.make(sink_desc))
    pb.set_property("video-sink", Gst.ElementFactory.make("fakesink"))
    queued = [tracks[1]]
    pb.connect("about-to-finish", lambda p: queued and p.set_property(
        "uri", queued.pop()))
    starts = 0
    try:
        pb.set_state(Gst.State.PLAYING)
        bus = pb.get_bus()
        while True:
            msg = bus.timed_pop_filtered(
                10 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR
                | Gst.MessageType.STREAM_START)
            assert msg is not None, "neither EOS nor an error"
            assert msg.type != Gst.MessageType.ERROR, msg.parse_error()
            if msg.type == Gst.MessageType.EOS:
                break
            if msg.src == pb:
                starts += 1
    finally:
        pb.set_state(Gst.State.NULL)
    print(f"{sink_desc}: {starts} STREAM_START messages from playbin")
    assert starts == 2


@pytest.mark.parametrize("sink_desc", ["audiocastsink", "pulsesink"])
def test_live_source_latency_is_live_with_the_device_in_it(sink_desc):
    Gst.init(None)
    p = Gst.parse_launch(f"audiotestsrc is-live=true ! {sink_desc}")
    try:
        p.set_state(Gst.State.PLAYING)
        assert p.get_state(10 * Gst.SECOND)[0] == Gst.StateChangeReturn.SUCCESS
        q = Gst.Query.new_latency()
        assert p.query(q)
        live, lmin, lmax = q.parse_latency()
    finally:
        p.set_state(Gst.State.NULL)
    print(f"{sink_desc}: live {live}, min {lmin / 1e6:.1f} ms, "
          f"max {lmax / 1e6 if lmax != Gst.CLOCK_TIME_NONE else 'none'} ms")
    assert live
    # audiotestsrc's own is one buffer (10 ms); the device adds its buffer
    assert lmin > 20 * Gst.MSECOND
    assert lmax == Gst.CLOCK_TIME_NONE or lmax >= lmin


def test_duration_is_known_right_after_paused(av_files):
    """PAUSED completes once the sink prerolled: the duration is known."""
    Gst.init(None)
    for _ in range(4):
        pb = Gst.ElementFactory.make("playbin")
        pb.set_property("uri", av_files[0.0].as_uri())
        pb.set_property("audio-sink", Gst.ElementFactory.make("audiocastsink"))
        pb.set_property("video-sink", Gst.ElementFactory.make("fakesink"))
        try:
            pb.set_state(Gst.State.PAUSED)
            assert pb.get_state(10 * Gst.SECOND)[0] \
                == Gst.StateChangeReturn.SUCCESS
            ok, duration = pb.query_duration(Gst.Format.TIME)
        finally:
            pb.set_state(Gst.State.NULL)
        assert ok and abs(duration - 4 * Gst.SECOND) < 0.1 * Gst.SECOND
