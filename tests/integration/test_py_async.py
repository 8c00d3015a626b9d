"""asyncio (issue 13): write_async, drain_async, read_async and
chunks_async wait on the library's wakeup descriptor inside the event loop,
without blocking it and without a thread per call; clear() from any task or
thread ends them; a cancelled drain_async clears nothing. Judged on the
capture of ``speaker.monitor`` (float32, 48 kHz, stereo) and on the
counters."""

import asyncio
import threading

import numpy as np
import pytest

import analysis
import audio_signals
from audiocast_pkg import audiocast
from captures import Capture
from sound_servers import SPEAKER

MONITOR = f"{SPEAKER.name}.monitor"

pytestmark = [pytest.mark.usefixtures("pulse_server", "pulse_log"),
              pytest.mark.timeout(300)]

RATE = 48000
RING_S = 0.5                          # buffer_time of the players here
RING = int(RATE * RING_S)


class Ticker:
    """A task that counts how often the event loop let it run."""

    def __init__(self):
        self.ticks = 0
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self):
        while True:
            await asyncio.sleep(0.002)
            self.ticks += 1

    def stop(self):
        self._task.cancel()


def count_wakeups(obj):
    """Counts the library's wakeups of ``obj``'s descriptor seen by the
    loop (wraps the reader callback before anything waits)."""
    counter = {"n": 0}
    wakeup = obj._wakeup
    readable = wakeup._readable

    def counted():
        counter["n"] += 1
        readable()

    wakeup._readable = counted
    return counter


def test_write_async_plays_everything_without_blocking_the_loop():
    """Four rings' worth written with one write_async: the loop kept
    running other tasks, the write returned once the last frame was queued
    (not heard), woke about once per quarter ring, and the drain_async
    after it returned with every frame heard, bit for bit."""
    x = audio_signals.noise(4 * RING_S, RATE, 2, amplitude=0.5, seed=1301)

    async def main(p):
        wakeups = count_wakeups(p)
        ticker = Ticker()
        written = await p.write_async(x)
        ticks_during_write = ticker.ticks
        played_at_return = p.frames_played
        drained = await p.drain_async(timeout=30.0)
        ticker.stop()
        return (written, ticks_during_write, played_at_return, drained,
                p.stats(), wakeups["n"])

    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2,
                                   buffer_time=RING_S) as p:
            written, ticks, played, drained, stats, wakeups = asyncio.run(main(p))
        cap.stop(settle=0.1)
    assert written == len(x)
    assert ticks > 0, "the event loop ran nothing else while write_async waited"
    assert played < len(x), "write_async waited until everything was heard"
    assert drained is True
    assert stats["frames_played"] == len(x) and stats["frames_cleared"] == 0
    # waits for a quarter of the ring at a time, then one per period during
    # the drain: far fewer than one per period over the whole write
    periods = len(x) // (RATE // 100)
    assert wakeups < periods, (wakeups, periods)
    analysis.assert_heard_exactly(analysis.trimmed(cap.data), x, "write_async")


def test_clear_from_another_task_ends_write_and_drain_async():
    """The barge-in: a task clears while another awaits write_async and a
    third awaits drain_async; both return at once (fewer frames, False),
    and what is written next plays whole and alone."""
    x = audio_signals.noise(3.0, RATE, 2, amplitude=0.4, seed=1302)
    after = audio_signals.noise(0.5, RATE, 2, amplitude=0.4, seed=1303)

    async def main(p):
        write = asyncio.create_task(p.write_async(x))
        await asyncio.sleep(0.05)
        # by now a ring's worth is queued: none of it heard by the clear
        drain = asyncio.create_task(p.drain_async())
        await asyncio.sleep(0.2)
        heard = p.clear()
        written = await write
        drained = await drain
        assert await p.write_async(after) == len(after)
        assert await p.drain_async(timeout=10.0) is True
        return heard, written, drained, p.stats()

    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2,
                                   buffer_time=RING_S) as p:
            heard, written, drained, stats = asyncio.run(main(p))
        cap.stop(settle=0.1)
    assert written < len(x), "write_async went on writing after the clear"
    assert drained is False
    assert 0 < heard < written
    assert stats["frames_written"] == written + len(after)
    assert stats["frames_played"] + stats["frames_cleared"] == stats["frames_written"]
    # the new audio, whole, after the cleared audio
    captured = analysis.trimmed(cap.data)
    starts = analysis.find_exact(captured, after[:64])
    assert starts, "the audio written after the clear was not heard"
    analysis.assert_heard_exactly(captured[starts[0]:], after,
                                  "the audio after the clear")


def test_clear_from_another_thread_ends_drain_async():
    x = audio_signals.noise(2.0, RATE, 2, amplitude=0.3, seed=1304)

    async def main(p):
        await p.write_async(x)
        clearer = threading.Timer(0.3, p.clear)
        clearer.start()
        drained = await p.drain_async(timeout=20.0)
        clearer.join()
        return drained, p.stats()

    with audiocast.AudioPlayer("speaker", RATE, 2, buffer_time=3.0) as p:
        drained, stats = asyncio.run(main(p))
    assert drained is False
    assert stats["frames_cleared"] > 0


def test_a_cancelled_drain_async_clears_nothing():
    """asyncio.wait_for cancels the awaiting task when its timeout runs
    out: the audio plays on to its last frame."""
    x = audio_signals.noise(1.5, RATE, 2, amplitude=0.3, seed=1305)

    async def main(p):
        await p.write_async(x)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(p.drain_async(), 0.2)
        buffered = p.buffered_frames
        assert await p.drain_async(timeout=20.0) is True
        return buffered, p.stats()

    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2, buffer_time=3.0) as p:
            buffered, stats = asyncio.run(main(p))
        cap.stop(settle=0.1)
    assert buffered > 0
    assert stats["frames_cleared"] == 0 and stats["frames_played"] == len(x)
    analysis.assert_heard_exactly(analysis.trimmed(cap.data), x,
                                  "the audio after a cancelled drain")


def test_drain_async_timeout_and_stop():
    x = audio_signals.noise(2.0, RATE, 2, amplitude=0.3, seed=1306)

    async def main(p):
        await p.write_async(x)
        timed_out = await p.drain_async(timeout=0.1)
        still = p.buffered_frames
        stopper = asyncio.get_running_loop().call_later(0.1, p.stop)
        drained = await p.drain_async(timeout=20.0)
        stopper.cancel()
        return timed_out, still, drained

    p = audiocast.AudioPlayer("speaker", RATE, 2, buffer_time=3.0)
    timed_out, still, drained = asyncio.run(main(p))
    assert timed_out is False and still > 0
    assert drained is False
    with pytest.raises(audiocast.PlayerClosedError):
        asyncio.run(p.write_async(x[:480]))


def test_write_async_stopped_while_waiting_returns_what_got_in():
    x = audio_signals.noise(3.0, RATE, 2, amplitude=0.3, seed=1307)

    async def main(p):
        asyncio.get_running_loop().call_later(0.3, p.stop)
        return await p.write_async(x)

    p = audiocast.AudioPlayer("speaker", RATE, 2, buffer_time=RING_S)
    written = asyncio.run(main(p))
    assert RING <= written < len(x)


def test_bad_input_to_write_async_is_refused_before_anything_waits():
    async def main(p):
        with pytest.raises(TypeError, match="accepts"):
            await p.write_async({"not": "audio"})
        with pytest.raises(audiocast.InvalidArgumentError):
            await p.write_async(b"\x00" * 6)        # 1.5 stereo int16 frames
        return await p.write_async(np.zeros((480, 2), np.float32))

    with audiocast.AudioPlayer("speaker", RATE, 2) as p:
        assert asyncio.run(main(p)) == 480
        assert p.frames_written == 480


def test_read_async_and_chunks_async_follow_what_is_played():
    """A tone played while a task reads the monitor with read_async and
    chunks_async: blocks of the size asked for, contiguous, carrying the
    tone; the iteration ends when the recorder stops."""
    tone = audio_signals.sine(1000.0, 3.0, 16000, 1, amplitude=0.5)

    async def main(p, rec):
        ticker = Ticker()
        play = asyncio.create_task(p.write_async(tone))
        first = await rec.read_async(1600)
        info = rec.last_read
        sizes, levels = [], []
        async for block in rec.chunks_async(1600, overlap=400):
            sizes.append(len(block))
            levels.append(float(np.sqrt(np.mean(block.astype(np.float64) ** 2))))
            if len(sizes) == 15:
                rec.stop()
        await play
        ticker.stop()
        return first, info, sizes, levels, ticker.ticks

    with audiocast.AudioPlayer("speaker", 16000, 1) as p:
        with audiocast.AudioRecorder(MONITOR, 16000, 1) as rec:
            first, info, sizes, levels, ticks = asyncio.run(main(p, rec))
    assert first.shape == (1600, 1) and info.frames == 1600
    assert info.capture_time is not None
    assert sizes[:15] == [1600] * 15
    assert max(levels) > 0.3, levels       # the tone, at -9 dBFS RMS
    assert ticks > 0


def test_read_async_of_more_than_the_ring_holds():
    async def main(rec):
        return await rec.read_async(3 * 1600)

    with audiocast.AudioRecorder(MONITOR, 16000, 1, buffer_time=0.1) as rec:
        block = asyncio.run(main(rec))
    assert block.shape == (4800, 1)


def test_read_async_timeout_returns_what_there_is():
    async def main(rec):
        return await rec.read_async(16000 * 20, timeout=0.3)

    with audiocast.AudioRecorder(MONITOR, 16000, 1) as rec:
        block = asyncio.run(main(rec))
    assert 0 < len(block) < 16000 * 20
