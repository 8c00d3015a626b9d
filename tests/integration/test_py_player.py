"""(p2) audiocast (Python): AudioPlayer against the private PulseAudio
server — construction and errors, NaN/Inf, cross-thread clear and stop,
clear-then-write, drain and resampling, checked on the sinks' monitors."""

import math
import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import analysis
import audio_signals
import audiocast_pkg
import sound_servers
from audiocast_pkg import audiocast
from captures import Capture
from sound_servers import SPEAKER

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")

RATE = 48000
PERIOD = RATE // 100  # the default latency-time, 10 ms, in frames
# The platform sink's buffer, in periods (DEVICE_BUFFER_PERIODS in
# gir/audiocast/audiocast-sink-timing.c): what the device may hold beyond
# the ring.
DEVICE_BUFFER_PERIODS = 16


def wait_for(cond, what, timeout=15.0):
    """Waits for a player counter to reach a value (there is no signal for
    it); fails with ``what`` after ``timeout`` seconds (a watchdog only)."""
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.002)


def stats(p, still=True):
    """The counters; ``still``: nothing is playing, so that the four reads
    (one property each) agree with each other."""
    s = dict(written=p.frames_written, played=p.frames_played,
             cleared=p.frames_cleared, buffered=p.buffered_frames)
    if still:
        assert s["written"] == s["played"] + s["cleared"] + s["buffered"], s
    return s


# -------------------------------------------------------------------------
# Construction, properties, errors
# -------------------------------------------------------------------------

def test_default_device_format_and_properties():
    with audiocast.AudioPlayer() as p:
        assert (p.sample_rate, p.channels) == (48000, 2)
        assert (p.device_sample_rate, p.device_channels) == (48000, 2)
        assert p.is_active is True
        assert p.device is None
        assert isinstance(p.latency, float) and p.latency >= 0.0
        assert (p.frames_written, p.frames_played, p.frames_cleared,
                p.buffered_frames, p.underruns) == (0, 0, 0, 0, 0)
        r = repr(p)
        assert "48000 Hz 2 ch" in r and "active" in r, r
    assert p.is_active is False
    assert "stopped" in repr(p)


def test_named_device_and_requested_format():
    with audiocast.AudioPlayer(device="Virtual-Mic") as p:
        assert (p.sample_rate, p.channels) == (22050, 1)
        assert (p.device_sample_rate, p.device_channels) == (22050, 1)
        assert "Virtual-Mic" in repr(p)
    with audiocast.AudioPlayer(sample_rate=22050, channels=1) as p:
        assert (p.sample_rate, p.channels) == (22050, 1)
        assert (p.device_sample_rate, p.device_channels) == (48000, 2)
    # a part of the description, any case
    with audiocast.AudioPlayer("virtual microphone") as p:
        assert p.device_sample_rate == 22050


def test_unknown_device():
    with pytest.raises(audiocast.DeviceNotFoundError) as e:
        audiocast.AudioPlayer(device="no-such-device")
    err = e.value
    assert isinstance(err, audiocast.AudioCastError)
    assert isinstance(err, RuntimeError)
    assert isinstance(err, LookupError)
    assert str(err).startswith("Device not found:"), str(err)
    assert "no-such-device" in str(err)
    assert "speaker" in str(err) and "Virtual-Mic" in str(err), str(err)
    assert isinstance(err.__cause__, audiocast_pkg.audiocast._gi.GLib.Error)


@pytest.mark.parametrize("kwargs, exc, text", [
    (dict(sample_rate=0), ValueError, "sample_rate"),
    (dict(sample_rate=-1), ValueError, "sample_rate"),
    (dict(channels=0), ValueError, "channels"),
    (dict(sample_rate=44100.0), TypeError, "sample_rate"),
    (dict(channels=True), TypeError, "channels"),
    (dict(sample_rate=10_000_000), audiocast.InvalidArgumentError, "sample rate"),
    (dict(channels=1000), audiocast.InvalidArgumentError, "channels"),
    (dict(buffer_time=0.1, latency_time=0.2), audiocast.InvalidArgumentError,
     "latency-time"),
    (dict(buffer_time=-1), ValueError, "buffer_time"),
])
def test_invalid_arguments(kwargs, exc, text):
    with pytest.raises(exc, match=text):
        audiocast.AudioPlayer(**kwargs)


def test_write_hands_the_library_the_callers_buffer():
    """write() goes through ctypes with a pointer to the caller's samples
    (python/audiocast/_native.py), not through PyGObject's copying
    marshalling; a contiguous little-endian array is not copied in Python."""
    from audiocast import _convert

    x = audio_signals.noise(0.01, RATE, 2, seed=3).astype("<f4")
    pcm = _convert.to_pcm(x, 2)[1]
    assert pcm.ctypes.data == x.ctypes.data, "the array was copied"
    with audiocast.AudioPlayer("speaker", RATE, 2) as p:
        assert p._native_write is not None
        assert p.write(x) == len(x)


def test_invalid_argument_is_also_value_error():
    assert issubclass(audiocast.InvalidArgumentError, ValueError)
    assert issubclass(audiocast.InvalidArgumentError, audiocast.AudioCastError)


def test_write_after_stop_and_idempotent_stop():
    p = audiocast.AudioPlayer()
    assert p.write([0.0, 0.0]) == 1
    p.stop()
    p.stop()
    assert p.is_active is False
    with pytest.raises(audiocast.PlayerClosedError) as e:
        p.write(b"\x00\x00\x00\x00")
    assert isinstance(e.value, RuntimeError)
    assert "closed" in str(e.value), str(e.value)
    assert p.drain() is False
    assert p.clear() == 0


def test_context_manager_stops_on_exception():
    with pytest.raises(KeyError):
        with audiocast.AudioPlayer() as p:
            raise KeyError("boom")
    assert p.is_active is False
    with pytest.raises(audiocast.PlayerClosedError):
        p.write([0.0, 0.0])


def test_partial_frame_is_value_error():
    with audiocast.AudioPlayer(channels=2) as p:
        with pytest.raises(ValueError, match="whole number of frames") as e:
            p.write(b"\x00" * 6)  # 3 int16 samples, 2 channels
        assert isinstance(e.value, audiocast.InvalidArgumentError)
        with pytest.raises(ValueError, match="even"):
            p.write(b"\x00" * 5)
        with pytest.raises(ValueError, match="channels"):
            p.write(np.zeros((4, 3), np.float32))
        with pytest.raises(TypeError, match="int16"):
            p.write(np.zeros(4, dtype=object))
        assert p.write(b"") == 0
        assert p.write(np.zeros((0, 2), np.float32)) == 0
        assert p.frames_written == 0


def test_drain_timeout_argument():
    with audiocast.AudioPlayer() as p:
        assert p.drain() is True  # nothing queued
        assert p.drain(0) is True
        with pytest.raises(ValueError, match="timeout"):
            p.drain(-1)
        p.write(np.zeros((RATE, 2), np.float32))
        assert p.drain(timeout=0.05) is False  # 1 s queued
        assert p.drain(timeout=10.0) is True


# -------------------------------------------------------------------------
# What reaches the device
# -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["float32", "float64", "list"])
def test_nan_and_inf_play_as_silence(kind):
    x = audio_signals.noise(0.2, RATE, 2, amplitude=0.5, seed=5).astype(np.float64)
    x[:, :] = np.where(np.abs(x) < 0.01, 0.25, x)  # no zeros of its own
    bad = {1000: np.nan, 1001: np.inf, 2500: -np.inf, 4000: np.nan}
    for frame, value in bad.items():
        x[frame, frame % 2] = value
    expected = np.where(np.isfinite(x), x, 0.0).astype(np.float32)
    data = {"float32": x.astype(np.float32), "float64": x,
            "list": x.astype(np.float32).ravel().tolist()}[kind]
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            assert p.write(data) == len(x)
            assert p.drain(10.0)
        cap.stop(settle=0.1)
    got = cap.data
    start = analysis.first_nonzero(got)
    got = got[start:start + len(x)]
    assert len(got) == len(x)
    assert np.all(np.isfinite(got)), "NaN/Inf reached the device"
    for frame in bad:
        assert got[frame, frame % 2] == 0.0, (frame, got[frame])
    if kind == "float64":
        assert np.max(np.abs(got - expected)) <= 2 ** -23
    else:
        assert np.array_equal(got, expected)


def test_22050_mono_to_48k_stereo_keeps_frequency():
    rate, freq, seconds = 22050, 1000.0, 1.0
    n = int(rate * seconds)
    x = (0.5 * np.sin(2 * np.pi * freq * np.arange(n) / rate + 0.3)).astype(np.float32)
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer(sample_rate=rate, channels=1) as p:
            assert (p.device_sample_rate, p.device_channels) == (48000, 2)
            assert p.write(x) == n
            assert p.drain(10.0)
            assert p.frames_played == n
        cap.stop(settle=0.1)
    got = analysis.trimmed(cap.data)
    print(f"{len(got)} frames from first to last sound, expected {seconds * RATE:.0f}")
    assert abs(len(got) - seconds * RATE) <= PERIOD
    body = got[960:-960].astype(np.float64)  # 20 ms off both ends
    for ch in range(2):
        est = analysis.frequency(body[:, ch], RATE)
        print(f"channel {ch}: {est:.2f} Hz")
        assert abs(est - freq) <= 0.005 * freq, est
        assert analysis.rms(body[:, ch]) * math.sqrt(2) > 0.2
    assert np.array_equal(body[:, 0], body[:, 1]), "mono not copied to both channels"


def test_drain_returns_after_the_audio_was_heard():
    """Right after drain() returns, B is written: if drain had returned
    before A was heard, B would follow A's last frame without a gap."""
    a = audio_signals.noise(1.0, RATE, 2, amplitude=0.5, seed=21)
    b = audio_signals.noise(0.2, RATE, 2, amplitude=0.3, seed=22)
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            p.write(a)
            assert p.drain() is True
            t_ret = time.monotonic()
            s = stats(p)
            assert s["played"] == len(a) and s["buffered"] == 0, s
            p.write(b)
            assert p.drain() is True
        cap.stop(settle=0.1)
    data = cap.data
    start = analysis.first_nonzero(data)
    assert analysis.find_exact(data, a[:64], start) == [start]
    heard_a, glitches, after_a = analysis.follow_written(data[start:], a, "A")
    assert heard_a == len(a), f"A not played exactly: {heard_a} frames heard"
    assert after_a is not None, "B not heard"
    a_end = start + after_a
    b_at = analysis.find_exact(data, b[:64], a_end)
    assert len(b_at) == 1, "B not found after A"
    gap = b_at[0] - a_end
    print(f"silence between A and B: {gap} frames ({gap / RATE * 1000:.2f} ms); "
          f"A's last frame reached the monitor "
          f"{(cap.arrival_time(a_end - 1) - t_ret) * 1000:+.1f} ms after drain returned")
    assert not analysis.nonsilent_mask(data[a_end:b_at[0]]).any()
    assert gap >= RATE // 1000, f"drain returned {gap} frames before A was heard"


@pytest.mark.parametrize("dtype", ["float32", "int16"])
def test_each_write_after_idle_is_heard_whole_and_soon(dtype):
    """Three times, a player stands idle (new, then drained) and is written
    to: every utterance is heard from its first frame, bit-exact (after the
    flush of the idle silence the device resumes past where it reads, behind
    the restart's lead-in; a device stream that prebuffers is let run dry
    instead, and has nothing to flush), and its first sound does not wait
    behind the silence the device was fed while idle (up to its whole
    buffer, 100 ms)."""
    utterances = []
    for k in range(3):
        x = audio_signals.noise(0.2, RATE, 2, amplitude=0.5, seed=70 + k)
        if dtype == "int16":
            x = np.round(x * 32767).astype(np.int16)
        utterances.append(x)
    times = []
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            for x in utterances:
                time.sleep(0.4)
                times.append(time.monotonic())
                assert p.write(x) == len(x)
                assert p.drain(timeout=10.0) is True
        cap.stop(settle=0.1)
    data = cap.data
    heard = analysis.segments(data, min_gap=RATE // 10)
    assert len(heard) == 3, f"expected 3 utterances, heard {heard}"
    onsets = []
    for (start, end), x, t in zip(heard, utterances, times):
        played = (x.astype(np.float32) / 32768 if dtype == "int16"
                  else x.astype(np.float32))
        analysis.assert_heard_exactly(data[start:end], played,
                                      f"utterance at capture offset {start}")
        onsets.append((cap.arrival_time(start) - t) * 1e3)
    print("write -> first sound reached the capture (ms):",
          [round(o, 1) for o in onsets])
    # the restart's lead-in (5 ms on PulseAudio, two periods on PipeWire),
    # the two periods past the read position where the device resumes after
    # a flush, and one more for the server to mix it and the capture to get it
    on_pipewire = sound_servers.server_kind_from_env() == "pipewire"
    bound = (2 * 10 if on_pipewire else 5) + 3 * 10
    assert sorted(onsets)[1] <= bound, (
        f"median onset {sorted(onsets)[1]:.1f} ms after idle: behind the "
        "idle silence")
    # A new player's stream runs before its first write, in float32 (the
    # format the stream opens in); an int16 first write renegotiates, and
    # must not wait behind the 100 ms of silence queued meanwhile either.
    assert onsets[0] <= bound + 2 * 10, (
        f"the new player's first onset {onsets[0]:.1f} ms: behind the idle "
        "silence")


def own_sink_inputs():
    """How many of the server's playback streams this process opened."""
    listing = sound_servers.pactl("list", "sink-inputs")
    return listing.count(f'application.process.id = "{os.getpid()}"')


def plays_our_stream():
    """Whether a player plays through audiocast's own device stream here: on
    PipeWire; pulsesink plays on PulseAudio (docs/design.md, The device
    stream)."""
    return sound_servers.server_kind_from_env() == "pipewire"


def test_the_device_stream_opens_with_the_player_not_at_its_first_write():
    """The first write finds the device stream open and running, so it does
    not wait for the server to make one (bench/: first write → first
    sound), and the sound is heard whole. That is audiocast's own stream;
    pulsesink opens at the first write."""
    if not plays_our_stream():
        pytest.skip("pulsesink plays on PulseAudio")
    assert own_sink_inputs() == 0
    x = audio_signals.noise(0.1, RATE, 2, amplitude=0.5, seed=77)
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            wait_for(lambda: own_sink_inputs() == 1,
                     "the player's device stream, before any write")
            assert stats(p)["played"] == 0
            assert p.write(x) == len(x)
            assert p.drain(timeout=10.0) is True
        cap.stop(settle=0.1)
    heard = analysis.segments(cap.data, min_gap=RATE // 100)
    assert len(heard) == 1, heard
    start, end = heard[0]
    analysis.assert_heard_exactly(cap.data[start:end], x, "the sound")


def test_an_idle_player_lets_a_stream_that_prebuffers_run_dry():
    """Where the device stream prebuffers (audiocast's own), an idle player
    gives it its own buffer's worth of silence after the last sound and then
    nothing: over 0.5 s idle (50 periods) the device takes a few periods, so
    the next write finds no silence queued to wait behind or to flush
    (docs/design.md, Starting after idle). Each sound is still heard whole
    and each drain returns: the silence given is what plays out the tail
    pipewire-pulse holds back."""
    if not plays_our_stream():
        pytest.skip("pulsesink plays on PulseAudio, and is kept fed")
    sounds = [audio_signals.noise(0.2, RATE, 2, amplitude=0.5, seed=90 + k)
              for k in range(3)]
    idle_periods = []
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            for x in sounds:
                assert p.write(x) == len(x)
                assert p.drain(timeout=10.0) is True
                before = p.stats()["periods_pushed"]
                time.sleep(0.5)
                idle_periods.append(p.stats()["periods_pushed"] - before)
                # the stream, run dry, waits for a period before it plays
                assert p.latency >= 0.010, p.latency
        cap.stop(settle=0.1)
    # the device's buffer (4 periods on PipeWire, 16 for our stream on
    # PulseAudio), and 4 more for where the drain returned
    assert max(idle_periods) <= 20, (
        f"periods pushed while idle: {idle_periods}: the device was kept fed")
    data = cap.data
    heard = analysis.segments(data, min_gap=RATE // 10)
    assert len(heard) == len(sounds), heard
    for k, ((start, end), x) in enumerate(zip(heard, sounds)):
        analysis.assert_heard_exactly(data[start:end], x,
                                      f"sound {k} at capture offset {start}")


def test_every_new_player_is_heard_from_its_first_frame():
    """Twenty players, one after another, each opened for one short sound:
    each sound is heard whole from its first frame. A new device stream is
    where a head gets lost: a server that reads through a stream before its
    first write reaches it, or a sink that rewinds to mix it in
    (docs/design.md, The device stream). Without the lead-ins, this lost
    the heads on a sink with rewinds."""
    sounds = [audio_signals.noise(0.05, RATE, 2, amplitude=0.5, seed=400 + k)
              for k in range(20)]
    with Capture(SPEAKER) as cap:
        for x in sounds:
            with audiocast.AudioPlayer("speaker", RATE, 2) as p:
                assert p.write(x) == len(x)
                assert p.drain(timeout=10.0) is True
            time.sleep(0.05)
        cap.stop(settle=0.1)
    data = cap.data
    heard = analysis.segments(data, min_gap=RATE // 100)
    assert len(heard) == len(sounds), (
        f"{len(heard)} sounds heard of {len(sounds)}: {heard}")
    for k, ((start, end), x) in enumerate(zip(heard, sounds)):
        analysis.assert_heard_exactly(data[start:end], x,
                                      f"sound {k} at capture offset {start}")


def test_clear_then_write_never_replays_and_heard_matches_capture():
    old = audio_signals.noise(3.0, RATE, 2, amplitude=0.5, seed=31)
    new = audio_signals.noise(0.5, RATE, 2, amplitude=0.25, seed=32)
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2, buffer_time=4.0) as p:
            assert p.write(old) == len(old)
            wait_for(lambda: p.frames_played >= RATE // 2, "0.5 s to be heard")
            t0 = time.perf_counter()
            heard = p.clear()
            took = time.perf_counter() - t0
            s = stats(p)
            assert p.write(new) == len(new)
            assert p.drain(10.0) is True
            s2 = stats(p)
        cap.stop(settle=0.1)
    print(f"clear() took {took * 1e3:.3f} ms and said {heard} frames heard "
          f"({heard / RATE:.3f} s); stats after clear {s}, at the end {s2}")
    assert RATE // 2 <= heard < len(old)
    assert s["cleared"] == len(old) - heard and s["buffered"] == 0, s
    assert s2["played"] == heard + len(new), s2

    data = cap.data
    start = analysis.first_nonzero(data)
    hits = analysis.find_exact(data, new[:64], start)
    assert len(hits) == 1, f"the new audio was found {len(hits)} times"
    new_at = hits[0]
    # the old audio up to the new: an exact prefix of what was written (the
    # server's own xruns and dropouts stepped over), then silence
    n_old, glitches, bad = analysis.follow_written(
        data[start:new_at], old, "the old audio")
    print(f"old audio heard: {n_old} frames; clear said {heard}: "
          f"{n_old - heard:+d} frames ({(n_old - heard) / RATE * 1e3:+.2f} ms)"
          f"; server xruns stepped over: {glitches}")
    assert bad is None, f"old audio not exact: departs at capture offset {bad}"
    # within a period; on PipeWire a graph quantum more, in which
    # pipewire-pulse takes the flush (as test_py_bitexact allows per clear)
    slack = PERIOD + (sound_servers.server_xrun_quantum() or 0)
    assert abs(n_old - heard) <= slack, (
        f"clear() said {heard} frames heard, the capture has {n_old} "
        f"(tolerance {slack})")
    analysis.assert_heard_exactly(data[new_at:], new, "the new audio")
    for k in range(heard + 2 * PERIOD, len(old) - 64, RATE // 4):
        assert not analysis.find_exact(data, old[k:k + 64], start), \
            f"discarded old frame {k} was played"


def test_clear_from_another_thread_unblocks_a_blocked_write():
    x = audio_signals.noise(3.0, RATE, 2, amplitude=0.4, seed=41)
    after = audio_signals.noise(0.2, RATE, 2, amplitude=0.2, seed=42)
    result = {}
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2, buffer_time=0.2) as p:
            def writer():
                result["accepted"] = p.write(x)

            th = threading.Thread(target=writer)
            th.start()
            wait_for(lambda: p.frames_played >= RATE // 2, "0.5 s to be heard")
            assert th.is_alive(), "write of 3 s into a 0.2 s ring did not block"
            heard = p.clear()
            th.join(10)
            assert not th.is_alive(), "write still blocked after clear()"
            accepted = result["accepted"]
            s = stats(p)
            print(f"write returned {accepted} of {len(x)} frames; heard {heard}; {s}")
            assert heard <= accepted < len(x)
            assert s["written"] == accepted and s["cleared"] == accepted - heard
            # the rest of x is dropped, not played later
            assert p.write(after) == len(after)
            assert p.drain(10.0) is True
        cap.stop(settle=0.1)
    data = cap.data
    hits = analysis.find_exact(data, after[:64])
    assert len(hits) == 1
    assert not analysis.nonsilent_mask(data[hits[0] + len(after):]).any()
    for k in range(accepted, len(x) - 64, RATE // 4):
        assert not analysis.find_exact(data, x[k:k + 64]), f"dropped frame {k} played"


def test_clear_from_another_thread_unblocks_a_blocked_drain():
    x = audio_signals.noise(2.0, RATE, 2, seed=51)
    result = {}
    with audiocast.AudioPlayer("speaker", RATE, 2) as p:
        p.write(x)

        def drainer():
            result["ok"] = p.drain()

        th = threading.Thread(target=drainer)
        th.start()
        wait_for(lambda: p.frames_played >= RATE // 4, "0.25 s to be heard")
        assert th.is_alive(), "drain returned before the audio was heard"
        heard = p.clear()
        th.join(10)
        assert not th.is_alive(), "drain still blocked after clear()"
        assert result["ok"] is False
        assert heard < len(x)
        assert p.drain() is True  # nothing left


def test_stop_from_another_thread_unblocks_write_and_drain():
    x = audio_signals.noise(3.0, RATE, 2, seed=61)
    result = {}
    with audiocast.AudioPlayer("speaker", RATE, 2, buffer_time=0.2) as p:
        w = threading.Thread(target=lambda: result.setdefault("w", p.write(x)))
        w.start()
        wait_for(lambda: p.frames_played >= RATE // 4, "0.25 s to be heard")
        d = threading.Thread(target=lambda: result.setdefault("d", p.drain()))
        d.start()
        p.stop()
        w.join(10)
        d.join(10)
        assert not w.is_alive() and not d.is_alive(), "stop() did not unblock"
        assert 0 < result["w"] < len(x)
        assert result["d"] is False
        assert p.is_active is False


def test_buffer_time_bounds_what_write_queues():
    """write() returns once no more than buffer_time plus what the device
    holds (its buffer and the period being pushed) is left unheard."""
    x = audio_signals.noise(1.0, RATE, 2, seed=71)
    with audiocast.AudioPlayer("speaker", RATE, 2, buffer_time=0.25,
                               latency_time=0.02) as p:
        assert p.write(x) == len(x)
        s = stats(p, still=False)
        print(f"write returned with {s['buffered']} frames unheard: {s}")
        assert s["buffered"] <= (RATE // 4
                                 + (DEVICE_BUFFER_PERIODS + 1) * (RATE // 50)), s
        assert p.drain() is True


def test_the_server_holds_enough_to_ride_out_a_stall():
    """An application's stream keeps more than four periods queued in the
    server (a ten-period device buffer, of which the server keeps about
    half), so a stall of the whole machine of a few periods is no underrun.
    With four periods PulseAudio held 20-25 ms, and each stall of 20 ms or
    more lost 5 ms of audio."""
    x = audio_signals.noise(3.0, RATE, 2, seed=91)
    with audiocast.AudioPlayer("speaker", RATE, 2) as p:
        writer = threading.Thread(target=p.write, args=(x,))
        writer.start()
        wait_for(lambda: p.frames_played >= RATE // 2, "0.5 s to be heard")
        queued = []
        for _ in range(15):
            queued += sound_servers.queued_by_server_us()
            time.sleep(0.05)
        p.clear()
        writer.join()
    if sound_servers.server_kind_from_env() == "pipewire" and not any(queued):
        pytest.skip("pipewire-pulse reports no queue for its streams "
                    "(Buffer and Sink Latency 0)")
    queued.sort()
    median_ms = queued[len(queued) // 2] / 1000
    print(f"queued in the server: {[q // 1000 for q in queued]} ms")
    assert median_ms > 4 * PERIOD * 1000 / RATE, (
        f"the server held {median_ms:.0f} ms of the stream (median)")


def test_fade_time_still_silences_and_counts():
    x = audio_signals.noise(2.0, RATE, 2, seed=81)
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2, fade_time=0.02) as p:
            p.write(x)
            wait_for(lambda: p.frames_played >= RATE // 2, "0.5 s to be heard")
            heard = p.clear()
            assert p.drain(5.0) is True
            s = stats(p)
            assert s["cleared"] == len(x) - heard and s["played"] == heard, s
        cap.stop(settle=0.2)
    n = len(analysis.trimmed(cap.data))
    print(f"fade clear: heard {heard}, captured {n} frames")
    # the device plays out what it holds (its buffer at most), then the fade
    assert n <= heard + (DEVICE_BUFFER_PERIODS + 1) * PERIOD + RATE // 50, (
        n, heard)


def test_pyaudiocast_readme_examples_run_unchanged(tmp_path):
    """The examples of PyAudioCast's README, after ``import audiocast as
    pyaudiocast``."""
    import audiocast as pyaudiocast

    audio_bytes = audio_signals.noise(0.1, RATE, 2, dtype="<i2").tobytes()
    tts_audio = audio_signals.noise(0.1, 22050, 2, dtype="<i2").tobytes()
    samples = audio_signals.noise(0.1, 22050, 1, dtype="<f4")[:, 0]

    with pyaudiocast.AudioPlayer() as player:
        print(f"Using: {player.sample_rate}Hz, {player.channels}ch")
        player.write(audio_bytes)  # bytes, numpy array, or list[float]
        player.drain()  # wait for playback to finish
    with pyaudiocast.AudioPlayer(sample_rate=22050) as player:
        player.write(tts_audio)
        player.drain()
    with pyaudiocast.AudioPlayer(device="Virtual-Mic") as player:
        player.write(samples)
        player.drain()

    with pyaudiocast.AudioPlayer(sample_rate=22050) as player:
        for chunk in (tts_audio, tts_audio):
            player.write(chunk)
        threading.Thread(target=player.clear).start()
        player.drain()

    with pyaudiocast.AudioPlayer() as player:
        player.write(b"\x00\x00" * 100)  # bytes (int16 LE)
        player.write(np.zeros(100, dtype=np.int16))  # numpy int16
        player.write(np.zeros(100, dtype=np.float32))  # numpy float32 (fastest)
        player.write(np.zeros(100, dtype=np.float64))  # numpy float64
        player.write(np.zeros(100, dtype=np.int32))  # numpy int32
        player.write([0.0] * 100)  # list[float]
        assert player.frames_written == 6 * 50
        assert player.drain() is True

    try:
        pyaudiocast.AudioPlayer(device="no-such-device")
    except RuntimeError as e:  # what PyAudioCast raises
        assert "Device not found" in str(e)


def test_ctrl_c_interrupts_drain_in_the_main_thread():
    """A drain() in the main thread does not hold off Ctrl-C: the
    KeyboardInterrupt leaves the ``with`` block, which stops the audio."""
    child = textwrap.dedent("""
        import os, signal, sys, threading
        import audiocast
        with audiocast.AudioPlayer("speaker", 48000, 2, buffer_time=6.0) as p:
            p.write([0.25, -0.25] * 48000 * 5)  # 5 s, into the ring at once
            threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
            try:
                p.drain()
            except KeyboardInterrupt:
                print("interrupted", p.frames_played, flush=True)
                raise
    """)
    with Capture(SPEAKER) as cap:
        r = subprocess.run([sys.executable, "-c", child], env=audiocast_pkg.child_env(),
                           capture_output=True, text=True, timeout=60)
        cap.stop(settle=0.2)
    print(r.stdout, r.stderr[-500:])
    assert r.returncode != 0 and "KeyboardInterrupt" in r.stderr
    assert r.stdout.startswith("interrupted"), r.stdout
    n = len(analysis.trimmed(cap.data))
    print(f"{n / RATE:.3f} s of 5 s played")
    assert 0 < n < 2.5 * RATE


def test_stats_snapshot_adds_up_while_playing():
    """stats() reads every counter at one moment: the sum holds mid-stream,
    where reading the properties one by one cannot promise it."""
    x = audio_signals.noise(1.0, RATE, 2, amplitude=0.2, seed=5)
    with audiocast.AudioPlayer(device="speaker", sample_rate=RATE,
                               channels=2) as p:
        p.write(x)
        seen_playing = 0
        while True:
            s = p.stats()
            assert s["frames_written"] == (s["frames_played"]
                                           + s["frames_cleared"]
                                           + s["buffered_frames"]), s
            if 0 < s["frames_played"] < len(x):
                seen_playing += 1
            if s["frames_played"] == len(x):
                break
            time.sleep(0.005)
        assert seen_playing > 0, "never sampled the counters mid-stream"
        heard = p.clear()
        s = p.stats()
        assert s["frames_written"] == s["frames_played"] + s["frames_cleared"]
        assert heard == len(x)


def test_write_takes_the_c_fast_path_the_build_made():
    """When the build made the write fast path (build/python/audiocast/
    _fastwrite*.so, with Python's headers), the package finds it from the
    source tree and write() goes through it: bytes, numpy buffers and lists
    of floats in one C call, anything else through the Python path."""
    built = list((audiocast_pkg.BUILD_DIR / "python" / "audiocast").glob("_fastwrite*.so"))
    if not built:
        pytest.skip("the build has no _fastwrite (no Python headers)")
    with audiocast.AudioPlayer("speaker", 48000, 2) as p:
        assert p._fast_write is not None
        assert p._fast_write(b"\x00\x00" * 2 * 480, True) == 480
        assert p._fast_write(np.zeros((480, 2), np.float32), True) == 480
        assert p._fast_write([0.0] * 960, True) == 480
        assert p._fast_write(np.zeros(480 * 2, ">f4"), True) is None   # big-endian
        assert p._fast_write(b"\x00" * 3, True) is None                # partial frame
        assert p.frames_written == 3 * 480
