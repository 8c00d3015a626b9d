"""Callback mode (issue 12): the library asks the application for each
block from a thread of its own, keeping a lead of blocks queued; judged on
the capture of ``speaker.monitor``."""

import threading
import time

import numpy as np
import pytest

import analysis
import audio_signals
from audiocast_pkg import audiocast
from captures import Capture
from sound_servers import SPEAKER

pytestmark = [pytest.mark.usefixtures("pulse_server", "pulse_log"),
              pytest.mark.timeout(300)]

RATE = 48000
BLOCK = RATE // 100


class Blocks:
    """Hands out ``x`` block by block; ``sleep_at``: the block before which
    the callback sleeps ``sleep`` seconds once."""

    def __init__(self, x, sleep_at=None, sleep=0.0):
        self.x, self.at, self.sleep_at, self.sleep = x, 0, sleep_at, sleep
        self.done = threading.Event()
        self.calls = 0

    def __call__(self, frames):
        self.calls += 1
        if self.sleep_at is not None and self.at >= self.sleep_at:
            self.sleep_at = None
            time.sleep(self.sleep)
        block = self.x[self.at:self.at + frames]
        self.at += len(block)
        if len(block) < frames:
            self.done.set()
        return block


def wait_for_callback_error(owner):
    """Until the callback mode of ``owner`` (a player or a stream) kept an
    exception, for 5 s at most."""
    deadline = time.monotonic() + 5
    while owner.callback_error is None and time.monotonic() < deadline:
        time.sleep(0.01)


def wait_for_last_block(owner, blocks):
    """Until the callback's last (short) block went into ``owner`` (a
    player or a stream): the callback hands it over only after it returns,
    and a drain before that has nothing left to wait for."""
    deadline = time.monotonic() + 5
    while owner.stats()["frames_written"] < len(blocks.x) \
            and time.monotonic() < deadline:
        time.sleep(0.005)


def play_by_callback(blocks, lead_blocks):
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2, callback=blocks,
                                   blocksize=BLOCK,
                                   lead_blocks=lead_blocks) as p:
            assert blocks.done.wait(20.0), "the callback was not asked"
            wait_for_last_block(p, blocks)
            assert p.drain(timeout=10.0) is True
            stats = p.stats()
            assert p.callback_error is None
            p.stop_callback()
            assert not p.callback_active
        cap.stop(settle=0.1)
    return cap, stats


def test_the_callback_is_heard_bit_for_bit():
    x = audio_signals.noise(3.0, RATE, 2, amplitude=0.5, seed=130)
    x = x[:len(x) - 123]                 # the last block is short: the end
    blocks = Blocks(x)
    # 100 ms ahead: this machine stalls for up to 40 ms now and then
    cap, stats = play_by_callback(blocks, 10)
    assert stats["frames_written"] == len(x)
    assert stats["underruns"] == 0, stats
    analysis.assert_heard_exactly(analysis.trimmed(cap.data), x,
                                  "the callback's blocks")


def test_a_callback_late_by_200ms_causes_no_gap_with_a_300ms_lead():
    x = audio_signals.noise(3.0, RATE, 2, amplitude=0.5, seed=131)
    blocks = Blocks(x, sleep_at=RATE, sleep=0.2)
    cap, stats = play_by_callback(blocks, 30)
    assert stats["underruns"] == 0, stats
    analysis.assert_heard_exactly(analysis.trimmed(cap.data), x,
                                  "the callback's blocks")


def test_a_callback_later_than_its_lead_is_an_underrun():
    x = audio_signals.noise(2.0, RATE, 2, amplitude=0.5, seed=132)
    blocks = Blocks(x, sleep_at=RATE // 2, sleep=0.3)
    with audiocast.AudioPlayer("speaker", RATE, 2, callback=blocks,
                               blocksize=BLOCK, lead_blocks=3) as p:
        assert blocks.done.wait(20.0)
        assert p.drain(timeout=10.0) is True
        stats = p.stats()
    assert stats["underruns"] >= 1, stats
    assert stats["frames_played"] == len(x)


def test_raising_or_returning_the_wrong_type_ends_it_cleanly():
    def boom(frames):
        raise RuntimeError("synthesis failed")

    with audiocast.AudioPlayer("speaker", RATE, 2) as p:
        p.start_callback(boom, BLOCK)
        wait_for_callback_error(p)
        assert isinstance(p.callback_error, RuntimeError)
        p.stop_callback()
        p.start_callback(lambda frames: "not audio", BLOCK)
        wait_for_callback_error(p)
        assert isinstance(p.callback_error, TypeError)
        p.stop_callback()
        # the player works on
        assert p.write(np.zeros((BLOCK, 2), np.float32)) == BLOCK
        assert p.drain(timeout=5.0) is True


def test_bad_callback_arguments():
    with audiocast.AudioPlayer("speaker", RATE, 2) as p:
        with pytest.raises(audiocast.InvalidArgumentError, match="blocks of"):
            p.start_callback(lambda n: None, 0)
        with pytest.raises(audiocast.InvalidArgumentError, match="blocks of"):
            p.start_callback(lambda n: None, BLOCK, lead_blocks=1000)
        silence = np.zeros((BLOCK, 2), np.float32)
        p.start_callback(lambda n: silence, BLOCK)
        with pytest.raises(audiocast.BusyError):
            p.start_callback(lambda n: silence, BLOCK)
        p.stop_callback()
        p.stop_callback()
    with pytest.raises(audiocast.PlayerClosedError):
        p.start_callback(lambda n: None, BLOCK)


# A stream of the player's (issue 12: "and the same on a stream"): mixed
# over the player's own audio, here silent, so at volume 1 and the
# player's rate the device gets its samples bit for bit.

def play_stream_by_callback(blocks, lead_blocks):
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            s = p.open_stream()
            s.start_callback(blocks, BLOCK, lead_blocks)
            assert s.callback_active
            assert blocks.done.wait(20.0), "the stream's callback was not asked"
            wait_for_last_block(s, blocks)
            assert s.drain(timeout=10.0) is True
            stats = s.stats()
            assert s.callback_error is None
            s.stop_callback()
            assert not s.callback_active
            s.close()
        cap.stop(settle=0.1)
    return cap, stats


def test_a_streams_callback_is_heard_bit_for_bit():
    x = audio_signals.noise(3.0, RATE, 2, amplitude=0.5, seed=133)
    x = x[:len(x) - 77]
    blocks = Blocks(x)
    cap, stats = play_stream_by_callback(blocks, 10)
    assert stats["frames_written"] == len(x), stats
    assert stats["frames_played"] == len(x), stats
    analysis.assert_heard_exactly(analysis.trimmed(cap.data), x,
                                  "the stream's callback's blocks")


def test_a_streams_callback_late_by_200ms_causes_no_gap_with_a_300ms_lead():
    x = audio_signals.noise(3.0, RATE, 2, amplitude=0.5, seed=134)
    blocks = Blocks(x, sleep_at=RATE, sleep=0.2)
    cap, _stats = play_stream_by_callback(blocks, 30)
    analysis.assert_heard_exactly(analysis.trimmed(cap.data), x,
                                  "the stream's callback's blocks")


def test_a_streams_callback_ends_cleanly_and_leaves_the_player_alone():
    silence = np.zeros((BLOCK, 2), np.float32)
    with audiocast.AudioPlayer("speaker", RATE, 2) as p:
        s = p.open_stream()
        with pytest.raises(audiocast.InvalidArgumentError, match="blocks of"):
            s.start_callback(lambda n: None, 0)
        s.start_callback(lambda n: silence, BLOCK)
        with pytest.raises(audiocast.BusyError):
            s.start_callback(lambda n: silence, BLOCK)
        # the player's own audio has a callback slot of its own
        p.start_callback(lambda n: silence, BLOCK)
        p.stop_callback()
        # closing the stream ends its callback
        s.close()
        s.stop_callback()
        assert not s.callback_active
        with pytest.raises(audiocast.StreamClosedError):
            s.start_callback(lambda n: silence, BLOCK)

        def boom(frames):
            raise RuntimeError("synthesis failed")

        t = p.open_stream()
        t.start_callback(boom, BLOCK)
        wait_for_callback_error(t)
        assert isinstance(t.callback_error, RuntimeError)
        t.stop_callback()
        assert t.write(silence) == BLOCK
        assert t.drain(timeout=5.0) is True
        assert p.write(silence) == BLOCK
        assert p.drain(timeout=5.0) is True
