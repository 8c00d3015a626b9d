"""Several sounds on one player (issue 12): streams of their own formats
mixed with the player's own audio into the one device stream, each with its
own clear, drain, volume and heard count, judged on the capture of
``speaker.monitor`` (float32, 48 kHz, stereo).

Noise is written as float32 at the device's format, so every frame is
recognisable by its bit pattern where it plays alone.
"""

import threading
import time

import numpy as np
import pytest

import analysis
import audio_signals
import dropouts
from audiocast_pkg import audiocast
from captures import Capture
import sound_servers
from sound_servers import SPEAKER
from test_py_bitexact import frame_counts

pytestmark = [pytest.mark.usefixtures("pulse_server", "pulse_log"),
              pytest.mark.timeout(300)]

RATE = 48000
PERIOD = RATE // 100


def positions(captured, written):
    """For each captured frame, the index of the written frame with its bit
    pattern (-1: none); written frames are distinct (noise)."""
    keys = analysis.frame_keys(written)
    order = np.argsort(keys)
    sorted_keys = keys[order]
    got = analysis.frame_keys(captured)
    at = np.minimum(np.searchsorted(sorted_keys, got), len(keys) - 1)
    return np.where(sorted_keys[at] == got, order[at], -1)


def first_alone(captured, written, since):
    """The first frame of ``written``, at or after frame ``since``, that
    the capture holds bit for bit (where it plays alone), and where."""
    pos = positions(captured, written)
    at = np.flatnonzero(pos >= since)
    assert len(at), f"none of frames {since}.. was heard exactly"
    return int(pos[at[0]]), int(at[0])


def assert_exact_from(captured, written, first, at, what):
    """Every written frame from ``first`` (at capture offset ``at``) to the
    end is in the capture, in order, one after the other: bit for bit, but
    for what the server itself did (a PipeWire graph xrun's whole quanta,
    a hole of silence it played in place of late audio), which
    analysis.follow_written() steps over and dropouts.py reports."""
    analysis.assert_heard_exactly(captured[at:], written[first:], what,
                                  followed=True)


def test_a_stream_alone_reaches_the_device_bit_for_bit():
    x = audio_signals.noise(5.0, RATE, 2, amplitude=0.5, seed=120)
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            music = p.open_stream(RATE, 2)
            assert music.write(x) == len(x)
            assert music.drain(timeout=20.0) is True
            s = music.stats()
        cap.stop(settle=0.1)
    assert s == dict(frames_written=len(x), frames_played=len(x),
                     frames_cleared=0, buffered_frames=0)
    analysis.assert_heard_exactly(analysis.trimmed(cap.data), x, "the stream")


def test_clearing_the_voice_leaves_the_music_exact():
    """Barge-in over music: the player's own audio (the voice) is cleared,
    which flushes the device; the music goes on from its first frame not
    heard, none lost or played twice."""
    music_x = audio_signals.noise(4.0, RATE, 2, amplitude=0.2, seed=121)
    voice_x = audio_signals.noise(2.0, RATE, 2, amplitude=0.3, seed=122)
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            music = p.open_stream(RATE, 2)
            writer = threading.Thread(target=music.write, args=(music_x,))
            writer.start()
            p.write(voice_x)
            time.sleep(0.8)
            voice_heard = p.clear()
            music_heard = music.stats()["frames_played"]
            writer.join()
            assert music.drain(timeout=20.0) is True
            s = music.stats()
            voice = p.stats()
        cap.stop(settle=0.1)
    assert s == dict(frames_written=len(music_x), frames_played=len(music_x),
                     frames_cleared=0, buffered_frames=0)
    assert voice["frames_played"] == voice_heard
    assert 0 < voice_heard < len(voice_x)
    # where the voice stopped, the music plays alone: exact from then on
    captured = cap.data
    # the voice was heard over the music until about its clear: no music
    # frame alone in between, up to what the music had been heard of at the
    # clear (which of the two writers' first frames the output thread took
    # first, and how many periods apart, is up to the threads; the music may
    # also start a period before the voice, and play alone then)
    pos = positions(captured, music_x)
    alone = pos[(pos >= 10 * PERIOD) & (pos < music_heard - 2 * PERIOD)]
    assert len(alone) == 0, (
        f"the music was heard alone at its frames {alone[:5]}.. while the "
        f"voice played (cleared after {voice_heard} of its frames and "
        f"{music_heard} of the music's)")
    # where the voice stopped, the music plays alone: exact from then on
    first, at = first_alone(captured, music_x, music_heard - 2 * PERIOD)
    assert first - music_heard <= 30 * PERIOD, (first, music_heard)
    assert_exact_from(captured, music_x, first, at, "the music")
    print(f"voice heard {voice_heard} frames, the music {music_heard}; the "
          f"music alone and exact from its frame {first} to the end")


def test_clearing_a_stream_leaves_the_voice_exact():
    voice_x = audio_signals.noise(3.0, RATE, 2, amplitude=0.3, seed=123)
    chime_x = audio_signals.noise(2.0, RATE, 2, amplitude=0.2, seed=124)
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            chime = p.open_stream(RATE, 2)
            chime.write(chime_x)
            writer = threading.Thread(target=p.write, args=(voice_x,))
            writer.start()
            time.sleep(0.7)
            heard = chime.clear()
            writer.join()
            assert p.drain(timeout=20.0) is True
            assert chime.drain(timeout=5.0) is True
            chime_stats = chime.stats()
            voice = p.stats()
        cap.stop(settle=0.1)
    assert frame_counts(voice) == dict(frames_written=len(voice_x),
                         frames_played=len(voice_x), frames_cleared=0,
                         buffered_frames=0, underruns=0)
    assert 0 < heard < len(chime_x)
    assert chime_stats["frames_played"] == heard
    assert chime_stats["frames_played"] + chime_stats["frames_cleared"] \
        == len(chime_x)
    captured = cap.data
    first, at = first_alone(captured, voice_x, heard - 2 * PERIOD)
    assert_exact_from(captured, voice_x, first, at, "the voice")
    # the chime's tail that the device held when it was cleared: a few
    # periods of the device buffer at most
    late = first - heard
    print(f"chime heard {heard} frames; the voice alone and exact from its "
          f"frame {first} ({late} frames after the chime's clear)")
    assert late <= 30 * PERIOD, late


def test_a_22050_hz_mono_stream_is_resampled_at_its_pitch():
    tone = audio_signals.sine(1000.0, 1.0, 22050, 1, amplitude=0.5)
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            s = p.open_stream(22050, 1, "float32")
            assert s.write(tone) == len(tone)
            assert s.drain(timeout=10.0) is True
            stats = s.stats()
        cap.stop(settle=0.1)
    assert stats["frames_played"] == len(tone)
    sound = analysis.as_float(analysis.trimmed(cap.data))
    left, right = sound[:, 0], sound[:, 1]
    assert np.array_equal(left, right)
    f = analysis.frequency(left[RATE // 10:-RATE // 10], RATE)
    print(f"{f:.2f} Hz from {len(sound)} frames")
    assert abs(f - 1000.0) <= 5.0, f"{f:.1f} Hz"
    level = analysis.rms(left[RATE // 10:-RATE // 10])
    assert abs(20 * np.log10(level / (0.5 / np.sqrt(2)))) < 0.5, level
    # the length heard: a second, give or take the resampler's edges
    assert abs(len(sound) - RATE) <= PERIOD, len(sound)


def test_volume_is_ramped_to_its_level():
    """The volume acts on what plays from the moment it is set (a fader,
    not a mark in the stream): 0.2 reached over half a second, no step."""
    x = audio_signals.sine(440.0, 3.0, RATE, 2, amplitude=0.5)
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            s = p.open_stream()
            s.write(x[:RATE * 12 // 10])
            time.sleep(0.8)
            s.ramp_volume(0.2, 0.5)
            assert s.volume == pytest.approx(0.2)
            s.write(x[RATE * 12 // 10:])
            assert s.drain(timeout=10.0) is True
        cap.stop(settle=0.1)
    captured = analysis.as_float(analysis.trimmed(cap.data))
    sound = captured[:, 0]
    server_holes = record_server_holes(captured, "the stream")
    envelope = np.sqrt(2 * np.convolve(sound ** 2, np.ones(480) / 480, "same"))
    full = float(np.median(envelope[RATE // 10:RATE * 6 // 10]))
    low = float(np.median(envelope[-RATE * 8 // 10:-RATE // 10]))
    change = 20 * np.log10(low / full)
    print(f"level {full:.3f}, then {low:.3f}: {change:+.2f} dB")
    assert abs(full - 0.5) < 0.01, full
    assert abs(change - 20 * np.log10(0.2)) < 0.2, f"{change:.2f} dB"
    # the ramp: from one 10 ms block to the next the level moves by its
    # share of 0.4 over 0.5 s (8 ms of it), never by a step
    # (between the two windows: the sound's own start and end are steps)
    lo, hi = RATE * 6 // 10, len(envelope) - RATE * 8 // 10
    middle = envelope[lo:hi]
    blocks = middle[: len(middle) // PERIOD * PERIOD].reshape(-1, PERIOD)
    steps = np.abs(np.diff(blocks.mean(axis=1)))
    # a hole the server left is a step of its own making (recorded above:
    # the test then ends as an expected failure that names it)
    for start, length in server_holes:
        first = max(0, (start - lo) // PERIOD - 1)
        steps[first:max(first, (start + length - lo) // PERIOD + 2)] = 0
    assert steps.max() < 2 * 0.4 / 50, steps.max()
    falling = np.flatnonzero(steps > 0.4 / 50 / 4)
    ramp_s = (falling[-1] - falling[0] + 1) * PERIOD / RATE
    print(f"ramp over {ramp_s:.2f} s, largest step {steps.max():.4f}")
    assert 0.4 <= ramp_s <= 0.6, ramp_s


def record_server_holes(captured, what):
    """Stretches of a continuous sound where the server played silence in
    place of it, in every channel or some (a PipeWire graph xrun leaves its
    planar buffers unfilled), recorded with dropouts.py; returned as
    (capture offset, frames). A sound's own samples are exactly 0 for a
    frame now and then, never for a run of them."""
    holes = []
    starts, lengths, values = analysis.runs(np.any(captured == 0, axis=1))
    for start, length, zero in zip(starts, lengths, values):
        if not zero or length < 8:
            continue
        assert length <= dropouts.MAX_HOLE_FRAMES, (
            f"{what}: {length} frames of silence at capture offset {start}")
        if np.all(captured[start:start + length] == 0):
            dropouts.record(what, start, length)
        else:
            dropouts.record_channel_hole(what, start, length)
        holes.append((int(start), int(length)))
    return holes


def tone_levels(sound, freq, block):
    """The amplitude of the ``freq`` Hz sine in each ``block`` of frames."""
    n = len(sound) // block
    blocks = sound[:n * block].reshape(n, block)
    window = np.hanning(block)
    spectrum = np.abs(np.fft.rfft(blocks * window, axis=1))
    k = int(round(freq * block / RATE))
    return 2 * spectrum[:, k] / window.sum()


def test_the_voice_ducks_the_music():
    """player.duck(): the music (a stream) goes down while the player's own
    audio (the voice) plays, with the ramp asked, and back up after it."""
    music_x = audio_signals.sine(500.0, 4.0, RATE, 2, amplitude=0.4)
    voice_x = audio_signals.sine(3000.0, 1.0, RATE, 2, amplitude=0.3)
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            p.duck(others=0.25, ramp=0.05)
            music = p.open_stream()
            threading.Thread(target=music.write, args=(music_x,)).start()
            time.sleep(1.0)
            p.write(voice_x)
            assert p.drain(timeout=10.0) is True
            assert music.drain(timeout=10.0) is True
        cap.stop(settle=0.1)
    sound = analysis.as_float(analysis.trimmed(cap.data))[:, 0]
    block = RATE // 50                                 # 20 ms
    music = tone_levels(sound, 500.0, block)
    voice = tone_levels(sound, 3000.0, block)
    talking = voice > 0.15
    spans = np.flatnonzero(talking)
    assert len(spans), "the voice was not heard"
    start, end = spans[0], spans[-1]
    before = np.median(music[5:start - 5])
    under = np.median(music[start + 5:end - 5])
    after = np.median(music[end + 10:-5])
    print(f"music {before:.3f}, under the voice {under:.3f}, after "
          f"{after:.3f}")
    assert abs(before - 0.4) < 0.02 and abs(after - 0.4) < 0.02
    assert abs(under - 0.1) < 0.01, under
    # the way down: within the ramp (50 ms) and a period of who played
    down = np.flatnonzero(music[start:] < 0.11)[0] * block / RATE
    assert down <= 0.05 + 0.04, f"ducked {down * 1000:.0f} ms in"


def click(frames=48, level=0.8):
    x = np.zeros((frames, 2), np.float32)
    x[0] = level
    return x


def test_scheduled_sounds_start_at_their_frame():
    """Two clicks started at timeline positions 12345 frames apart are
    heard exactly 12345 frames apart (the impulse test), and each says when
    it started and ended."""
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            tl = p.timeline()
            first = tl.earliest + RATE // 5
            a = p.play(click(), at=first)
            b = p.play(click(level=0.6), at=first + 12345)
            time.sleep(0.2 + 12345 / RATE + 0.3)
            assert a.frames_heard == 48 and b.frames_heard == 48
            assert a.started is not None and a.ended is not None
            assert b.started - a.started == pytest.approx(12345 / RATE,
                                                          abs=0.003)
            # a moment of time.monotonic() as the start
            when = time.monotonic() + 0.2
            c = p.play(click(level=0.4), at=when)
            time.sleep(0.5)
            assert c.started == pytest.approx(when, abs=0.02)
        cap.stop(settle=0.1)
    left = cap.data[:, 0]
    hits = np.flatnonzero(left > 0.3)
    assert len(hits) == 3, hits
    assert hits[1] - hits[0] == 12345, f"{hits[1] - hits[0]} frames apart"
    assert left[hits[0]] == np.float32(0.8) and left[hits[1]] == np.float32(0.6)


def test_a_loop_plays_until_cancelled():
    tick = np.zeros((RATE // 10, 2), np.float32)
    tick[:480] = audio_signals.sine(1000.0, 0.01, RATE, 2, amplitude=0.3)
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            thinking = p.play(tick, loop=True)
            time.sleep(0.75)
            heard = thinking.cancel()
            time.sleep(0.3)
            assert thinking.frames_heard == heard
            s = thinking.stats()
        cap.stop(settle=0.1)
    assert s["frames_written"] == s["frames_played"] + s["frames_cleared"]
    # seamless: the tick over and over from its first frame, bit for bit
    # (the server's own xruns and holes stepped over, as everywhere); and
    # cancelled with the player's own audio silent: the device was flushed,
    # so nothing plays past a period after what it had heard
    looped = np.tile(tick, (heard // len(tick) + 2, 1))[:heard + PERIOD]
    data = cap.data
    start = analysis.first_nonzero(data)
    assert start is not None, "nothing was heard"
    m, glitches, bad = analysis.follow_written(data[start:], looped, "the loop")
    assert bad is None, (
        f"the loop departs after {m} frames (it had heard {heard}): "
        + analysis.describe_departure(data[start:], bad, looped, m))
    ticks = -(-m // len(tick))
    print(f"loop: {ticks} ticks, {heard} frames heard, the sound followed "
          f"the loop for {m} frames; server xruns stepped over: {glitches}")
    assert 6 <= ticks <= 9, ticks


def test_cancel_says_how_much_was_heard():
    """What a cancelled stream says it was heard is what was heard, to
    within a period: the player's own audio is silent, so the cancel
    flushes the device, and the count is taken from the device's position
    at the cancel. The stream's count used to be the output thread's last
    (a period or two old): on PulseAudio the capture held up to 1025 frames
    past what cancel() said. A continuous sound, so that every frame played
    past the cancel shows, cancelled at four phases of the periods."""
    x = audio_signals.noise(0.1, RATE, 2, amplitude=0.3, seed=131)
    # PipeWire's heard counts are late by less than a quantum, never early
    late = sound_servers.server_xrun_quantum() or 0
    for phase in range(4):
        with Capture(SPEAKER) as cap:
            with audiocast.AudioPlayer("speaker", RATE, 2) as p:
                sound = p.play(x, loop=True)
                time.sleep(0.5 + phase * PERIOD / RATE / 4)
                heard = sound.cancel()
                time.sleep(0.2)
            cap.stop(settle=0.1)
        played = len(analysis.trimmed(cap.data))
        assert played, "nothing was heard"
        print(f"cancel at phase {phase}/4: {heard} frames said heard, "
              f"{played} played")
        assert heard <= played <= heard + PERIOD + late, (
            f"the cancel said {heard} frames were heard; {played} were "
            f"played (phase {phase}/4 of a period)")


def test_a_long_sound_started_later_is_taken_at_once():
    """play() never waits: a sound longer than the player's buffer, started
    a second from now, is taken whole before any of it plays."""
    x = audio_signals.noise(2.0, RATE, 2, amplitude=0.1, seed=127)
    with audiocast.AudioPlayer("speaker", RATE, 2, buffer_time=0.5) as p:
        tl = p.timeline()
        sound = p.play(x, at=tl.earliest + RATE)
        assert sound.started is None and sound.frames_heard == 0
        assert sound.stats()["frames_written"] == len(x)
        assert sound.drain(timeout=10.0) is True
        assert sound.frames_heard == len(x) and sound.ended is not None


def test_scheduling_in_the_past_is_refused():
    with audiocast.AudioPlayer("speaker", RATE, 2) as p:
        p.write(np.zeros((RATE // 5, 2), np.float32))
        p.drain(timeout=5.0)
        tl = p.timeline()
        assert tl.earliest > PERIOD
        with pytest.raises(audiocast.InvalidArgumentError, match="has passed"):
            p.play(click(), at=max(0, tl.earliest - PERIOD))
        with pytest.raises(ValueError, match="negative"):
            p.play(click(), at=-5)
        with pytest.raises(TypeError, match="loop"):
            p.play(click(), loop=1)
        with pytest.raises(audiocast.InvalidArgumentError, match="frame"):
            p.play(np.zeros((0, 2), np.float32))
        # nothing was left playing
        assert p.write(np.zeros((480, 2), np.float32)) == 480


def test_sixteen_streams_at_once():
    tones = [audio_signals.sine(200.0 + 100 * i, 1.0, RATE, 2, amplitude=0.03)
             for i in range(16)]
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            streams = [p.open_stream(RATE, 2) for _ in tones]
            for s, t in zip(streams, tones):
                assert s.write(t) == len(t)
            for s in streams:
                assert s.drain(timeout=10.0) is True
            stats = [s.stats() for s in streams]
        cap.stop(settle=0.1)
    assert all(s["frames_played"] == RATE for s in stats)
    sound = analysis.as_float(analysis.trimmed(cap.data))[:, 0]
    spectrum = np.abs(np.fft.rfft(sound[:RATE]))
    freqs = np.fft.rfftfreq(RATE, 1 / RATE)
    for i in range(16):
        f = 200.0 + 100 * i
        peak = spectrum[np.abs(freqs - f) < 3].max()
        assert peak > 0.3 * spectrum.max(), f"the {f:.0f} Hz stream is missing"


def test_bad_input_gives_clear_errors():
    with audiocast.AudioPlayer("speaker", RATE, 2) as p:
        with pytest.raises(ValueError, match="dtype"):
            p.open_stream(dtype="int8")
        with pytest.raises(audiocast.InvalidArgumentError, match="sample rate"):
            p.open_stream(10_000_000, 2)
        with pytest.raises(audiocast.InvalidArgumentError, match="channels"):
            p.open_stream(RATE, 64)
        s = p.open_stream(RATE, 2, "int16")
        with pytest.raises(audiocast.InvalidArgumentError, match="whole number"):
            s.write(b"\x00\x00")
        with pytest.raises(audiocast.InvalidArgumentError, match="volume"):
            s.ramp_volume(11.0, 0.1)
        with pytest.raises(TypeError):
            s.ramp_volume(float("nan"), 0.1)
        with pytest.raises(audiocast.InvalidArgumentError, match="ducking"):
            s.duck(others=1.5)
        with pytest.raises(audiocast.InvalidArgumentError, match="ducking"):
            p.duck(others=-0.1)
        assert s.write(b"\x00\x00" * 2 * 480) == 480
        assert s.drain(timeout=5.0) is True
        # other dtypes are converted: float32 into an int16 stream
        assert s.write(np.zeros((480, 2), np.float32)) == 480
        s.close()
        s.close()
        with pytest.raises(audiocast.StreamClosedError):
            s.write(b"\x00\x00" * 2)
        assert s.clear() == 0
        survivor = p.open_stream(RATE, 2, "int16")
        # the player's own audio is untouched by all of it
        assert p.write(np.zeros((480, 2), np.float32)) == 480
        assert p.drain(timeout=5.0) is True
    with pytest.raises(audiocast.PlayerClosedError):
        p.open_stream()
    # a stream of a stopped player is closed too
    with pytest.raises(audiocast.StreamClosedError, match="stopped"):
        survivor.write(b"\x00\x00" * 2)


def test_a_clear_ends_a_blocked_stream_write():
    x = audio_signals.noise(4.0, RATE, 2, amplitude=0.1, seed=125)
    with audiocast.AudioPlayer("speaker", RATE, 2, buffer_time=0.5) as p:
        s = p.open_stream(RATE, 2)
        done = []
        t = threading.Thread(target=lambda: done.append(s.write(x)))
        t.start()
        time.sleep(0.3)
        s.clear()
        t.join(timeout=5.0)
        assert not t.is_alive(), "the write did not return after clear()"
        assert 0 < done[0] < len(x)
        st = s.stats()
        assert st["frames_written"] == done[0]
        assert st["frames_played"] + st["frames_cleared"] \
            + st["buffered_frames"] == st["frames_written"]
