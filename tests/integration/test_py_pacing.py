"""Several players in one process: each output thread waits for its
device's room in its own condition, not inside pulsesink, where every wait
wakes the threads of all the process's players (docs/design.md, Pacing).
Paced so, they still keep their devices fed: every frame is heard, in order,
with no gap.
"""

import threading

import numpy as np
import pytest

import analysis
import audio_signals
from audiocast_pkg import audiocast
from captures import Capture
from sound_servers import SPEAKER
from test_py_bitexact import xfail_server_glitches

pytestmark = [pytest.mark.usefixtures("pulse_server", "pulse_log"),
              pytest.mark.timeout(300)]

RATE = 48000
CHUNK = RATE // 100                 # each writer writes 10 ms at a time
PLAYERS = 4
SECONDS = 4.0
# The share of the periods a device may take only after its output thread
# waited inside it: the pacing aims at one in seventeen, and a thread
# preempted in a push on a busy machine counts too. Pushed straight into the
# device, nearly every period of a steady stream waits there.
MOST_WAITS = 0.25


def stream(player, x, errors):
    try:
        for k in range(0, len(x), CHUNK):
            player.write(x[k:k + CHUNK])
        if not player.drain(timeout=SECONDS + 10.0):
            errors.append("drain timed out")
    except Exception as e:  # reported by the test, not lost in the thread
        errors.append(repr(e))


def test_players_in_one_process_seldom_wait_inside_the_device():
    """One player streams noise, the others as long a stream of silence
    (it costs them the same pushes, and the monitor then holds the noise
    alone, to be followed bit for bit)."""
    noise = audio_signals.noise(SECONDS, RATE, 2, amplitude=0.5, seed=171)
    silence = np.zeros_like(noise)
    errors = []
    with Capture(SPEAKER) as cap:
        players = [audiocast.AudioPlayer("speaker", RATE, 2)
                   for _ in range(PLAYERS)]
        try:
            threads = [threading.Thread(target=stream, args=(
                p, noise if i == 0 else silence, errors))
                for i, p in enumerate(players)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            stats = [p.stats() for p in players]
        finally:
            for p in players:
                p.stop()
        cap.stop(settle=0.1)
    assert not errors, errors
    for i, s in enumerate(stats):
        print(f"player {i}: {s}")

    for i, s in enumerate(stats):
        assert s["periods_pushed"] >= SECONDS * 100, (
            f"player {i} pushed {s['periods_pushed']} periods for "
            f"{SECONDS} s of audio: {s}")
        assert s["device_waits"] <= MOST_WAITS * s["periods_pushed"], (
            f"player {i}'s output thread waited inside the device for "
            f"{s['device_waits']} of its {s['periods_pushed']} periods: "
            f"pushes are not paced by the device's room ({s})")
        assert s["underruns"] == 0, f"player {i} ran its device dry: {s}"

    data = cap.data
    start = analysis.first_nonzero(data)
    assert start is not None, "nothing was captured"
    heard, glitches, bad = analysis.follow_written(data[start:], noise)
    if bad is not None:
        raise AssertionError(
            f"the capture departs from the noise after {heard} frames: "
            + analysis.describe_departure(data[start:], bad, noise, heard))
    assert heard == len(noise), f"heard {heard} of {len(noise)} frames"
    if glitches:
        xfail_server_glitches(glitches)
