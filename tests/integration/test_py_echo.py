"""Echo cancellation in a simulated room (room.py), on PulseAudio and
PipeWire: the assistant speaks through ``speaker``, its echo reaches the
microphone (``room.monitor``) 60 ms later at -6 dB, and the user speaks
into the room, once over the assistant and once alone.

One conversation is recorded twice at once, from the same microphone:
plainly, and with ``echo_cancel=assistant``. Along the way the assistant
drains, stays idle, changes the sample format of its writes, and is
cleared (barge-in), all of which the canceller must ride through.

The targets (issue 11), each measured on that conversation:

* echo return loss enhancement >= 25 dB: the median over 100 ms blocks of
  echo only, after 2 s of convergence, leaving out the second after each
  stretch of double talk;
* the user's speech kept: correlation >= 0.9 with the user's own signal
  where only the user talks, and its level within 6 dB where both talk;
* an energy VAD on the cancelled signal fires within 100 ms of the user
  starting to talk, and never in echo-only stretches.
"""

import time

import numpy as np
import pytest

import room
from audiocast_pkg import audiocast

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")
# a test that fails runs again on a new conversation (conftest.py)
RECORDED_ONCE = ("conversation",)

RATE = 16000
BLOCK = RATE // 10              # 100 ms: ERLE and level blocks
VAD_FRAME = RATE // 50          # 20 ms: the VAD's frames
CONVERGENCE_S = 2.0
AFTER_DOUBLE_TALK_S = 1.0

ASSISTANT = [
    "Good morning. Today the weather will be sunny with a light breeze "
    "from the west, and temperatures will reach twenty two degrees.",
    "Tomorrow brings clouds, and some rain in the evening, so remember to "
    "take an umbrella when you go out, and maybe a warm coat as well.",
    "The week ends dry and bright, with a gentle wind along the coast.",
]
USER = "Wait, stop. What about the weekend? Will it rain on Saturday?"


@pytest.fixture(scope="module")
def voices(tmp_path_factory):
    d = tmp_path_factory.mktemp("voices")
    assistant = [room.speak(t, "en-us", d / f"a{i}.wav", speed=165)
                 for i, t in enumerate(ASSISTANT)]
    user = room.speak(USER, "en-gb+f3", d / "user.wav", speed=150, pitch=70)
    return assistant, user


class Conversation:
    """What was recorded and when things were heard."""

    def __init__(self, raw, cancelled, events, user_clip, user_rate):
        self.events = events
        self.raw = raw.audio()
        self.t0 = raw.start
        cancelled_audio = cancelled.audio()
        # line the cancelled recording up with the plain one: first by
        # capture times, then exactly, on the user talking alone (which the
        # canceller lets through)
        coarse = round((cancelled.start - raw.start) * RATE)
        shifted = np.zeros_like(self.raw)
        src = cancelled_audio[max(0, -coarse):]
        dst = max(0, coarse)
        n = min(len(src), len(shifted) - dst)
        shifted[dst:dst + n] = src[:n]
        u2 = self.index(events["u2"])
        span = slice(u2, u2 + 2 * RATE)
        lag = room.best_lag(self.raw[span], shifted[u2 - RATE // 20:],
                            RATE // 10) - RATE // 20
        self.cancelled = np.roll(shifted, -lag)
        self.alignment_lag = lag

        # where the user talks, block by block: the clip's own activity,
        # put where each of its two plays was heard
        clip = room.resample_index(user_clip, user_rate, RATE)
        self.user_len = len(clip)
        talking = np.abs(clip) > 0.02 * 32768
        self.user_onset = int(np.flatnonzero(talking)[0])
        self.user_active = np.zeros(len(self.raw), bool)
        for key in ("u1", "u2"):
            i = self.index(events[key])
            n = min(len(clip), len(self.raw) - i)
            self.user_active[i:i + n] = talking[:n]
        self.user_active = self._smear(self.user_active, RATE // 5)

    @staticmethod
    def _smear(mask, frames):
        """Extends every active stretch by ``frames`` on both sides (the
        gaps between syllables count as talking)."""
        kernel = np.ones(2 * frames + 1)
        return np.convolve(mask.astype(float), kernel, "same") > 0

    def index(self, t):
        return int(round((t - self.t0) * RATE))

    def blocks(self, mask):
        n = len(mask) // BLOCK
        return mask[:n * BLOCK].reshape(n, BLOCK)

    def echo_only_blocks(self):
        """Blocks with the assistant's echo and no user, after convergence
        and away from double talk."""
        raw_db = room.db(room.block_power(self.raw, BLOCK))
        n = len(raw_db)
        ok = np.zeros(n, bool)
        ok[self.index(self.events["a1"] + CONVERGENCE_S) // BLOCK:] = True
        user = self.blocks(self.user_active).any(axis=1)
        ok &= ~user[:n]
        end_u1 = self.index(self.events["u1"]) + self.user_len
        skip = slice(end_u1 // BLOCK,
                     (end_u1 + int(AFTER_DOUBLE_TALK_S * RATE)) // BLOCK + 1)
        ok[skip] = False
        ok &= raw_db > raw_db.max() - 40      # there is echo to cancel
        return ok


@pytest.fixture(scope="module")
def conversation(voices):
    (a_clips, user_clip) = voices
    a_rate = a_clips[0][1]
    user_data, user_rate = user_clip
    events = {}
    with room.Room(), \
            audiocast.AudioPlayer("speaker", a_rate, 1) as assistant, \
            audiocast.AudioPlayer(room.ROOM.name, user_rate, 1) as user:
        assistant.write(np.zeros(a_rate // 10, "<i2"))
        assistant.drain()
        # The user is a voice in the room, not a client that comes and
        # goes: its stream is open from the start, as the room's sound
        # server would otherwise rearrange its graph (on PipeWire, the
        # assistant's sound is placed tens of milliseconds otherwise) just
        # as the user starts to talk.
        user.write(np.zeros(user_rate // 10, "<i2"))
        user.drain()
        plain = room.Recording(audiocast.AudioRecorder(
            f"{room.ROOM.name}.monitor", RATE, 1), RATE // 100)
        cancelled = room.Recording(audiocast.AudioRecorder(
            f"{room.ROOM.name}.monitor", RATE, 1, echo_cancel=assistant),
            RATE // 100)
        plain.thread.start()
        cancelled.thread.start()
        time.sleep(0.3)

        # the assistant speaks, is heard out (drain), and goes idle
        t, events["a1"] = room.play_and_time(assistant, a_clips[0][0])
        t.join()
        assistant.drain()
        time.sleep(1.2)
        # then speaks in float32 now, the user talks over it, and the
        # assistant is cut off (barge-in)
        speech = a_clips[1][0].astype(np.float32) / 32768
        t, events["a2"] = room.play_and_time(assistant, speech)
        time.sleep(1.5)
        tu, events["u1"] = room.play_and_time(user, user_data)
        tu.join()
        user.drain()
        events["cleared_frames"] = assistant.clear()
        t.join()
        time.sleep(1.0)
        # int16 again, heard out; then the user alone
        t, events["a3"] = room.play_and_time(assistant, a_clips[2][0])
        t.join()
        assistant.drain()
        time.sleep(0.8)
        tu, events["u2"] = room.play_and_time(user, user_data)
        tu.join()
        user.drain()
        time.sleep(0.5)
        plain.recorder.stop()
        cancelled.recorder.stop()
        plain.thread.join()
        cancelled.thread.join()
        stats = cancelled.recorder.stats()
    assert stats["frames_dropped"] == 0, stats
    return Conversation(plain, cancelled, events, user_data, user_rate)


def test_cancelled_audio_is_stamped_when_it_was_captured(conversation):
    """The two recordings, lined up by their capture times, hold the user
    at nearly the same place, so that an application can tell what the
    assistant was saying when the user began. Each recorder's capture times
    are smoothed on their own: the two were -3.6 to +5.4 ms apart (15 runs
    on PipeWire and PulseAudio, one of them in CI); webrtcdsp holds the
    audio back 7 ms and keeps its input's times, which the canceller
    corrects (tests/check/libs/echo_dsp_delay.c checks that to the frame).
    The bound is half a VAD frame."""
    lag_ms = conversation.alignment_lag * 1000 / RATE
    print(f"the cancelled recording against the plain one, by capture "
          f"times: {lag_ms:+.2f} ms")
    assert abs(lag_ms) <= VAD_FRAME * 1000 / RATE / 2, (
        f"the echo-cancelled recording's capture times are {lag_ms:+.2f} ms "
        "off the plain recording's")


def test_echo_return_loss_enhancement(conversation):
    c = conversation
    raw = room.block_power(c.raw, BLOCK)
    cancelled = room.block_power(c.cancelled, BLOCK)
    ok = c.echo_only_blocks()
    erle = (room.db(raw) - room.db(cancelled))[ok]
    assert len(erle) >= 50, f"only {len(erle)} echo-only blocks"
    median = float(np.median(erle))
    print(f"ERLE: median {median:.1f} dB over {len(erle)} blocks of 100 ms "
          f"(10th percentile {np.percentile(erle, 10):.1f} dB)")
    assert median >= 25, (
        f"echo return loss enhancement {median:.1f} dB (median over "
        f"{len(erle)} echo-only blocks); the target is 25 dB")


def test_user_speech_is_kept(conversation):
    c = conversation
    # alone: the plain recording is the user's own signal
    u2 = c.index(c.events["u2"])
    alone = slice(u2, u2 + c.user_len)
    r = np.corrcoef(c.raw[alone], c.cancelled[alone])[0, 1]
    # over the assistant: the user's own signal is the same clip as
    # recorded alone, put where it was heard the first time
    u1 = c.index(c.events["u1"])
    own = np.zeros_like(c.raw)
    own[u1:u1 + c.user_len] = c.raw[alone]
    talking = c.blocks(c.user_active[u1:u1 + c.user_len]).mean(axis=1) > 0.9
    own_db = room.db(room.block_power(own[u1:u1 + c.user_len], BLOCK))
    kept_db = room.db(room.block_power(c.cancelled[u1:u1 + c.user_len], BLOCK))
    voiced = talking[:len(own_db)] & (own_db > own_db.max() - 30)
    change = float(np.median(kept_db[voiced] - own_db[voiced]))
    print(f"user alone: correlation {r:.3f}; over the assistant: level "
          f"{change:+.1f} dB (median over {int(voiced.sum())} blocks)")
    assert r >= 0.9, f"the user's voice alone correlates {r:.3f} (target 0.9)"
    assert abs(change) <= 6, (
        f"the user's voice over the assistant is {change:+.1f} dB from its "
        "own level (target within 6 dB)")


def test_vad_fires_on_the_user_and_never_on_the_echo(conversation):
    c = conversation
    frames = len(c.cancelled) // VAD_FRAME
    level = room.db(room.block_power(c.cancelled, VAD_FRAME))
    # the threshold: 20 dB below the user's voice alone
    u2 = c.index(c.events["u2"])
    alone = room.db(room.block_power(c.raw[u2:u2 + c.user_len], VAD_FRAME))
    threshold = float(np.percentile(alone, 90)) - 20
    fires = level > threshold

    for key in ("u1", "u2"):
        onset = c.index(c.events[key]) + c.user_onset
        first = np.flatnonzero(fires[onset // VAD_FRAME:])
        assert len(first), f"the VAD never fired for the user ({key})"
        late = first[0] * VAD_FRAME / RATE
        print(f"VAD ({key}): fired {late * 1000:.0f} ms after the user began")
        assert late <= 0.1, (
            f"the VAD fired {late * 1000:.0f} ms after the user began ({key}); "
            "the target is 100 ms")

    echo_only = np.repeat(c.echo_only_blocks(), BLOCK // VAD_FRAME)[:frames]
    residual = level[:len(echo_only)][echo_only]
    print(f"VAD threshold {threshold:.1f} dBFS; the echo left: loudest 20 ms "
          f"{residual.max():.1f} dBFS, 99th percentile "
          f"{np.percentile(residual, 99):.1f} dBFS")
    wrong = np.flatnonzero(fires[:len(echo_only)] & echo_only)
    starts = {k: round(t - c.t0, 2) for k, t in c.events.items()
              if k[0] in "au"}
    print(f"the VAD fired on the echo alone at (s): "
          f"{[round(w * VAD_FRAME / RATE, 2) for w in wrong]}; "
          f"the assistant and user started at (s): {starts}")
    assert len(wrong) == 0, (
        f"the VAD fired on the echo alone at {len(wrong)} frames of 20 ms, "
        f"the first {wrong[0] * VAD_FRAME / RATE:.2f} s into the recording "
        f"(threshold {threshold:.1f} dBFS, the echo left up to "
        f"{residual.max():.1f} dBFS)")
