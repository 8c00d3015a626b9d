"""audiocast.AudioRecorder on the server of the session (each of the
matrix), recording the monitor of the sink the player plays into:

* recording is exact: 60 s of noise come back with no frame lost, changed
  or duplicated (int16 through a float32 sink: no dither, no rounding);
* a reader that stalls longer than the ring holds loses exactly what the
  overflow counts, told by the next read, and nothing else;
* the format asked for is what comes back: resampled and down-mixed in
  GStreamer (22050 Hz mono from a 48 kHz stereo monitor, pitch within
  0.5 %), in each dtype;
* capture times are on time.monotonic()'s clock;
* chunks() and record() deliver contiguous audio; stop() ends them;
* bad input is refused with errors that say what is accepted, and nothing
  queued is lost for anyone else (read(0), a wrong dtype, an output given
  as an input, two readers, reads after stop).

Tolerances come from the server's period (sound_servers.period_frames).
"""

import threading
import time

import numpy as np
import pytest

import analysis
import audio_signals
import sound_servers
from audiocast_pkg import audiocast
from sound_servers import SPEAKER

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")

RATE = SPEAKER.rate
MONITOR = f"{SPEAKER.name}.monitor"
# A rewinding PulseAudio sink plays a new stream's first frames into a past
# its monitor has already delivered (PulseAudio cannot take back what a
# record stream was given): the played signal starts after a lead-in of
# silence, so that what a rewind moves is silence.
LEAD_IN_S = 0.2


def lead_in(channels=2, dtype="<i2"):
    return np.zeros((int(LEAD_IN_S * RATE), channels), dtype=dtype)


def play_in_thread(player, data):
    """Writes ``data`` from a thread of its own (write blocks while the
    ring is full) and returns the thread."""
    t = threading.Thread(target=player.write, args=(data,), daemon=True)
    t.start()
    return t


def from_first_sound(captured):
    start = analysis.first_nonzero(captured)
    assert start is not None, "the recording holds only silence"
    return captured[start:]


# ---------------------------------------------------------------------------
# exactness
# ---------------------------------------------------------------------------

@pytest.mark.steady
def test_recording_is_exact():
    """60 s of int16 noise played into the float32 speaker and recorded
    from its monitor as int16: every frame, in order, unchanged."""
    # the two servers of "done when" in full, the rewinding variant shorter
    seconds = 20 if sound_servers.server_kind_from_env() == "pulse-rewinds" \
        and not sound_servers.long_tests() else 60
    noise = audio_signals.noise(seconds, dtype="<i2", seed=11)
    with audiocast.AudioRecorder(MONITOR, RATE, 2, "int16") as rec, \
            audiocast.AudioPlayer(SPEAKER.name, RATE, 2) as player:
        writer = play_in_thread(player, np.concatenate((lead_in(), noise)))
        parts = []
        total = int((LEAD_IN_S + seconds + 1.0) * RATE)
        got = 0
        while got < total:
            part = rec.read(4800)
            assert rec.last_read.dropped_before == 0
            parts.append(part)
            got += len(part)
        writer.join()
        stats = rec.stats()
    captured = np.concatenate(parts)
    assert stats["frames_dropped"] == 0 and stats["overflows"] == 0, stats
    # holes the server played for a late player are stepped over (and make
    # the test an expected failure); a frame the recorder lost is not
    analysis.assert_heard_exactly(from_first_sound(captured), noise,
                                  "the recorded noise", followed=True)


def test_a_stalled_reader_loses_exactly_what_the_overflow_counts():
    """A 2 s ring and a reader that stands still for 3 s: the frames
    dropped are counted, the next read reports them, and the audio on
    either side of the gap is the played noise, exact, with exactly that
    many frames between them."""
    noise = audio_signals.noise(7.0, dtype="<i2", seed=12)
    with audiocast.AudioRecorder(MONITOR, RATE, 2, "int16",
                                 buffer_time=2.0) as rec, \
            audiocast.AudioPlayer(SPEAKER.name, RATE, 2) as player:
        writer = play_in_thread(player, np.concatenate((lead_in(), noise)))
        before = rec.read(int((LEAD_IN_S + 1.0) * RATE))
        assert rec.last_read.dropped_before == 0
        time.sleep(3.0)
        stats = rec.stats()
        after = rec.read(int(2.5 * RATE))
        dropped = rec.last_read.dropped_before
        writer.join()
        final = rec.stats()

    capacity = 2 * RATE
    period = sound_servers.period_frames(RATE)
    # the ring was full for the last second of the stall: about a second
    # went, all of it counted and reported by the read after the stall; the
    # ring was still full between stats() and that read, so the capture
    # blocks that came in between were dropped too (one, on PipeWire)
    assert stats["available"] == capacity, stats
    assert 0 < stats["frames_dropped"] <= dropped \
        <= stats["frames_dropped"] + 4 * period, (dropped, stats)
    assert final["frames_dropped"] == dropped, final
    assert final["overflows"] >= 1
    assert final["frames_captured"] == (final["frames_read"]
                                        + final["frames_dropped"]
                                        + final["available"]), final
    assert abs(dropped - RATE) <= 4 * period + RATE // 10, dropped

    head = from_first_sound(before)
    analysis.assert_heard_exactly(head, noise[:len(head)], "before the stall")
    resume = len(head) + dropped
    analysis.assert_heard_exactly(after, noise[resume:resume + len(after)],
                                  "after the stall")


# ---------------------------------------------------------------------------
# formats
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["int16", "int32", "float32", "float64"])
def test_resampled_and_downmixed_in_each_dtype(dtype):
    """22050 Hz mono from the 48 kHz stereo monitor: a 1 kHz tone comes back
    at 1 kHz (within 0.5 %), at the level played, in the dtype asked
    for."""
    tone = audio_signals.sine(1000, 2.0, amplitude=0.5)
    with audiocast.AudioRecorder(MONITOR, 22050, 1, dtype) as rec, \
            audiocast.AudioPlayer(SPEAKER.name, RATE, 2) as player:
        assert (rec.sample_rate, rec.channels, rec.dtype) == (22050, 1, dtype)
        assert (rec.device_sample_rate, rec.device_channels) == (RATE, 2)
        writer = play_in_thread(player, tone)
        audio = rec.record(2.5)
        writer.join()
    assert audio.dtype == np.dtype(dtype) and audio.shape == (int(2.5 * 22050), 1)
    tone_part = analysis.trimmed(audio)
    assert len(tone_part) > 22050, "the tone was not recorded"
    body = analysis.as_float(tone_part[2205:-2205, 0])
    blocks = analysis.block_frequencies(body, 22050)
    f = float(np.median(blocks))
    assert abs(f - 1000) <= 5, (
        f"pitch {f:.1f} Hz for a 1000 Hz tone (median of {len(blocks)} "
        f"blocks of 0.1 s, from {blocks.min():.1f} to {blocks.max():.1f})")
    level = analysis.rms(body)
    assert abs(level - 0.5 / np.sqrt(2)) < 0.02, level


def test_device_format_by_default():
    """No rate, channels or device: the default input in its own format
    (the session's default source is the speaker's monitor)."""
    with audiocast.AudioRecorder() as rec:
        default = [d for d in audiocast.list_input_devices() if d["is_default"]]
        assert default, "the server has no default input"
        assert rec.sample_rate == default[0]["sample_rate"]
        assert rec.channels == default[0]["channels"]
        assert rec.dtype == "float32"
        block = rec.read(480)
        assert block.shape == (480, rec.channels) and block.dtype == np.float32


# ---------------------------------------------------------------------------
# timing
# ---------------------------------------------------------------------------

def test_capture_times_are_on_the_monotonic_clock():
    """A read that waits for fresh audio returns within a period or two of
    its last frame's capture, by time.monotonic(); consecutive reads'
    capture times are as far apart as their frames last."""
    period = sound_servers.period_frames(RATE)
    with audiocast.AudioRecorder(MONITOR, RATE, 2) as rec:
        rec.read(rec.read_available() or 1)
        lags, steps = [], []
        previous = None
        for _ in range(20):
            block = rec.read(period)
            returned = time.monotonic()
            info = rec.last_read
            assert info.capture_time is not None
            end = info.capture_time + len(block) / RATE
            lags.append(returned - end)
            if previous is not None:
                steps.append(info.capture_time - previous)
            previous = info.capture_time
        latency = rec.latency
    bound = latency + 3 * period / RATE
    lag = float(np.median(lags))
    assert -period / RATE <= lag <= bound, (
        f"a read returned {lag * 1000:.1f} ms after its last frame was "
        f"captured (median); bound {bound * 1000:.1f} ms")
    for step in steps:
        assert abs(step - period / RATE) < 0.002, steps


# ---------------------------------------------------------------------------
# chunks, record, stop
# ---------------------------------------------------------------------------

def test_chunks_overlap_and_end_at_stop():
    """chunks(frames, overlap) yields blocks that each begin with the end of
    the block before, contiguous noise, until stop()."""
    noise = audio_signals.noise(3.0, dtype="<i2", seed=13)
    with audiocast.AudioRecorder(MONITOR, RATE, 2, "int16") as rec, \
            audiocast.AudioPlayer(SPEAKER.name, RATE, 2) as player:
        writer = play_in_thread(player, np.concatenate((lead_in(), noise)))
        blocks = []
        threading.Timer(LEAD_IN_S + 3.5, rec.stop).start()
        for block in rec.chunks(4800, overlap=1200):
            blocks.append(block)
        writer.join()
        assert not rec.is_active
    assert all(len(b) == 4800 for b in blocks[:-1])
    for a, b in zip(blocks, blocks[1:]):
        assert np.array_equal(a[-1200:], b[:1200])
    stream = np.concatenate([blocks[0]] + [b[1200:] for b in blocks[1:]])
    analysis.assert_heard_exactly(from_first_sound(stream), noise,
                                  "noise through chunks()", followed=True)


def test_stop_releases_a_blocked_read_and_keeps_what_was_captured():
    with audiocast.AudioRecorder(MONITOR, RATE, 2) as rec:
        rec.read(rec.read_available() or 1)
        result = {}

        def reader():
            result["block"] = rec.read(10 * RATE)

        t = threading.Thread(target=reader)
        t.start()
        time.sleep(0.3)
        rec.stop()
        t.join(5)
        assert not t.is_alive(), "stop() did not release the read"
        # what the read got before the stop, and no more than was captured
        n = len(result["block"])
        assert 0 < n < 10 * RATE
        leftover = rec.stats()["available"]
        if leftover:
            assert len(rec.read(leftover)) == leftover
        with pytest.raises(audiocast.RecorderClosedError, match="stopped"):
            rec.read(1)
        rec.stop()  # idempotent


def test_timeout_returns_what_there_is():
    with audiocast.AudioRecorder(MONITOR, RATE, 2) as rec:
        rec.read(rec.read_available() or 1)
        t0 = time.monotonic()
        block = rec.read(10 * RATE, timeout=0.2)
        waited = time.monotonic() - t0
        assert 0 < len(block) < 10 * RATE
        assert waited >= 0.2
        assert rec.last_read.frames == len(block)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

def test_bad_arguments_say_what_is_accepted():
    with pytest.raises(ValueError, match="int16, int32, float32, float64"):
        audiocast.AudioRecorder(MONITOR, dtype="uint8")
    with pytest.raises(ValueError, match="positive"):
        audiocast.AudioRecorder(MONITOR, sample_rate=0)
    with pytest.raises(audiocast.InvalidArgumentError, match="out of range"):
        audiocast.AudioRecorder(MONITOR, channels=100000)
    with audiocast.AudioRecorder(MONITOR, RATE, 2) as rec:
        for frames, error in ((0, ValueError), (-5, ValueError),
                              (1.5, TypeError), ("480", TypeError)):
            with pytest.raises(error, match="frames"):
                rec.read(frames)
        with pytest.raises(audiocast.InvalidArgumentError, match="fewer frames"):
            rec.read(10 ** 15)
        with pytest.raises(ValueError, match="overlap"):
            next(rec.chunks(480, overlap=480))
        with pytest.raises(ValueError, match="timeout"):
            rec.read(480, timeout=-1)
        # nothing was lost by the bad calls: the ring still reads on
        assert rec.stats()["frames_dropped"] == 0
        assert len(rec.read(480)) == 480


def test_device_names():
    with pytest.raises(audiocast.DeviceNotFoundError) as e:
        audiocast.AudioRecorder(SPEAKER.name)
    message = str(e.value)
    assert "is an output device" in message and f'"{MONITOR}"' in message
    with pytest.raises(audiocast.DeviceNotFoundError) as e:
        audiocast.AudioRecorder("no-such-microphone")
    assert "Available input devices:" in str(e.value) and MONITOR in str(e.value)
    # a part of a description selects the input it belongs to
    with audiocast.AudioRecorder("monitor of speaker") as rec:
        assert (rec.device_sample_rate, rec.device_channels) == (RATE, 2)


def test_two_readers_one_is_refused_and_the_other_loses_nothing():
    noise = audio_signals.noise(2.0, dtype="<i2", seed=14)
    with audiocast.AudioRecorder(MONITOR, RATE, 2, "int16") as rec, \
            audiocast.AudioPlayer(SPEAKER.name, RATE, 2) as player:
        result = {}

        def first_reader():
            result["audio"] = rec.read(int((LEAD_IN_S + 2.5) * RATE))

        t = threading.Thread(target=first_reader)
        t.start()
        time.sleep(0.1)
        writer = play_in_thread(player, np.concatenate((lead_in(), noise)))
        with pytest.raises(audiocast.BusyError, match="one thread at a time"):
            rec.read(480)
        t.join()
        writer.join()
    analysis.assert_heard_exactly(from_first_sound(result["audio"]), noise,
                                  "the first reader's noise", followed=True)


# ---------------------------------------------------------------------------
# full duplex
# ---------------------------------------------------------------------------

def test_playrec_aligns_the_recording_with_what_was_heard():
    """playrec() through the speaker into its monitor: frame i of the
    recording is frame i of what was played, give or take less than one
    server period (the two streams' positions are each known to within
    their device's timing), and then exact; the offset reported is how
    long after the write the first frame was heard.

    A rewinding PulseAudio null sink renders ahead and hands audio to its
    monitor in bursts as it renders, a hundred milliseconds and more
    before the sink's clock says it is heard: its monitor is no record of
    when things were heard, so there only the content is judged."""
    period = sound_servers.period_frames(RATE)
    noise = audio_signals.noise(2.0, dtype="<i2", seed=15)
    played = np.concatenate((lead_in(), noise))
    recording, offset = audiocast.playrec(played, RATE, 2, SPEAKER.name,
                                          MONITOR, with_offset=True)
    assert recording.shape == played.shape and recording.dtype == played.dtype
    assert 0 < offset < 1.0, offset
    # where the noise's frame 1000 landed in the recording
    at = len(lead_in()) + 1000
    found = analysis.find_exact(recording, played[at:at + 32])
    assert len(found) == 1, "the played noise is not in the recording"
    error = found[0] - at
    if sound_servers.server_kind_from_env() != "pulse-rewinds":
        assert abs(error) <= period, (
            f"the recording is {error} frames off what was heard (bound: "
            f"one period, {period} frames)")
    start = len(lead_in()) + max(0, -error)
    end = len(played) - max(0, error)
    assert np.array_equal(recording[start + error:end + error],
                          played[start:end])
