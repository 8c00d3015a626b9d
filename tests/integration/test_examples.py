"""examples/ (issue 13): each program runs as a user would run it, against
the private server, and is judged on what it printed and on the capture of
``speaker.monitor``. The "user" who barges in is a tone played into
Virtual-Mic, whose monitor the examples listen to.

(examples/pyaudio/ is run by test_py_pyaudio.py.)"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import analysis
import audio_signals
from audiocast_pkg import audiocast
from captures import Capture
from sound_servers import SPEAKER, VIRTUAL_MIC

pytestmark = [pytest.mark.usefixtures("pulse_server", "pulse_log"),
              pytest.mark.timeout(300)]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MIC = f"{VIRTUAL_MIC.name}.monitor"
RATE = 48000


def run(program, *args, timeout=120):
    """Runs examples/PROGRAM with ARGS; its stdout, once it exited 0."""
    path = EXAMPLES / program
    argv = ([sys.executable, str(path)] if program.endswith(".py")
            else ["sh", str(path)]) + [str(a) for a in args]
    proc = subprocess.run(argv, env=dict(os.environ), capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (program, proc.stdout, proc.stderr)
    return proc.stdout


def heard_seconds(captured):
    on = np.flatnonzero(analysis.nonsilent_mask(captured))
    return 0.0 if len(on) == 0 else (on[-1] + 1 - on[0]) / RATE


class UserTalks:
    """Plays a tone into Virtual-Mic ``after`` seconds from now: the user
    starting to talk, as the examples' voice detectors hear it."""

    def __init__(self, after):
        self.player = audiocast.AudioPlayer(VIRTUAL_MIC.name, VIRTUAL_MIC.rate, 1)
        self.started = None
        self._timer = threading.Timer(after, self._talk)
        self._timer.start()

    def _talk(self):
        self.started = time.monotonic()
        self.player.write(audio_signals.sine(300.0, 3.0, VIRTUAL_MIC.rate, 1,
                                             amplitude=0.3))

    def stop(self):
        self._timer.cancel()
        self.player.stop()


def test_tts_stream_speaks_everything():
    with Capture(SPEAKER) as cap:
        out = run("tts_stream.py", "Streaming speech from espeak-ng.",
                  "--device", SPEAKER.name)
        cap.stop(settle=0.1)
    spoke = float(out.split()[1])
    assert spoke > 1.0, out
    # everything written was heard: the speech on the capture lasts as long
    # (within what espeak-ng's leading and trailing silence leave out)
    assert 0.5 * spoke < heard_seconds(cap.data) <= spoke + 0.05, out


@pytest.mark.parametrize("program", ["barge_in.py", "barge_in_async.py"])
def test_barge_in_examples_stop_when_the_user_talks(program):
    """The answer plays until the tone starts on the microphone, then stops
    within the detector's 60 ms plus a period or two; the heard count
    printed matches what the capture holds."""
    with Capture(SPEAKER) as cap:
        user = UserTalks(after=2.0)
        try:
            out = run(program, "--speaker", SPEAKER.name, "--mic", MIC)
        finally:
            user.stop()
        cap.stop(settle=0.1)
    assert out.startswith("barge-in: heard "), out
    heard = float(out.split()[2])
    assert 1.0 < heard < 3.5, out
    captured_s = heard_seconds(cap.data)
    # the capture starts at the first sound, the heard count at the first
    # frame (espeak-ng starts with a little silence)
    assert abs(captured_s - heard) < 0.3, (out, captured_s)


def test_level_meter_reads_the_level_of_a_tone():
    talk = UserTalks(after=0.0)
    try:
        out = run("level_meter.py", "--device", MIC, "--seconds", "2")
    finally:
        talk.stop()
    levels = [float(line.split()[0]) for line in out.splitlines()]
    assert len(levels) == 20
    # a sine of amplitude 0.3: -13.5 dBFS RMS
    assert max(levels) == pytest.approx(-13.5, abs=0.5), levels


def test_gst_launch_lines_play(tmp_path):
    wav = tmp_path / "tone.wav"
    import wave
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((audio_signals.sine(1000.0, 1.0, RATE, 1) * 20000)
                      .astype("<i2").tobytes())
    with Capture(SPEAKER) as cap:
        run("gst_launch.sh", wav, SPEAKER.name)
        cap.stop(settle=0.1)
    data = cap.data[:, 0]
    # the two processes run one after the other: the second one's start-up
    # is the silence between them (44 ms seen with the other core busy)
    runs = analysis.segments(cap.data, min_gap=RATE // 200)
    assert len(runs) == 2, runs
    (a0, a1), (b0, b1) = runs
    # audiotestsrc: 50 buffers of 1024 samples at 440 Hz; then the file
    assert abs((a1 - a0) - 50 * 1024 * RATE // 44100) < RATE // 100, runs
    assert analysis.frequency(data[a0 + 2400:a1 - 2400], RATE) == pytest.approx(440, abs=1)
    assert abs((b1 - b0) - RATE) < RATE // 100, runs
    assert analysis.frequency(data[b0 + 2400:b1 - 2400], RATE) == pytest.approx(1000, abs=1)


def test_gst_app_clears_then_drains():
    with Capture(SPEAKER) as cap:
        out = run("gst_app.py", "--device", SPEAKER.name)
        cap.stop(settle=0.1)
    lines = out.splitlines()
    assert lines[0].startswith("cleared: "), out
    cleared_after = float(lines[0].split()[1])
    assert 0.3 < cleared_after < 1.0, out
    assert lines[1] == "the 660 Hz tone was heard to the end", out
    data = cap.data[:, 0]
    on = np.flatnonzero(analysis.nonsilent_mask(cap.data))
    first, last = on[0], on[-1] + 1
    # the 440 Hz tone from the first sound, the 660 Hz tone to the last
    assert analysis.frequency(data[first + 480:first + RATE // 4], RATE) == \
        pytest.approx(440, abs=2)
    assert analysis.frequency(data[last - RATE // 2:last - 480], RATE) == \
        pytest.approx(660, abs=2)
    # what was heard of the first, then all of the second (and the device's
    # restart between them)
    heard = (last - first) / RATE
    assert cleared_after + 1.0 - 0.02 < heard < cleared_after + 1.0 + 0.3, \
        (out, heard)
