"""(g) EOS is posted only after the audio was heard; no cut tail."""

import os
import re
import subprocess
import time

import numpy as np
import pytest

import analysis
import appsrc_player
import audio_signals
import sound_servers
from appsrc_player import Player
from captures import Capture
from gstreamer import Gst
from sound_servers import VIRTUAL_MIC

pytestmark = pytest.mark.usefixtures("cast_plugin", "pulse_log")

BUFFERS = 100
SPB = 1024  # audiotestsrc's default samples per buffer


def test_gst_launch_eos_no_cut_tail():
    with Capture(VIRTUAL_MIC) as cap:
        t0 = time.monotonic()
        r = subprocess.run(
            ["gst-launch-1.0", "-v", "audiotestsrc", f"num-buffers={BUFFERS}",
             "!", "audiocastsink", "device=Virtual-Mic"],
            capture_output=True, text=True, timeout=60, env=os.environ)
        t1 = time.monotonic()
        cap.stop(settle=0.2)
    print(r.stdout[-3000:], r.stderr[-3000:])
    assert r.returncode == 0, f"gst-launch exited {r.returncode}: {r.stderr}"
    m = re.search(r"audiotestsrc0\.GstPad:src: caps = .*?rate=\(int\)(\d+)", r.stdout)
    in_rate = int(m.group(1)) if m else 44100
    duration = BUFFERS * SPB / in_rate
    got = analysis.trimmed(cap.data)
    expected = BUFFERS * SPB * VIRTUAL_MIC.rate / in_rate
    period = 0.010 * VIRTUAL_MIC.rate
    print(f"input rate {in_rate}; captured {len(got)} frames, expected "
          f"{expected:.0f}; gst-launch ran {t1 - t0:.3f}s for {duration:.3f}s")
    assert abs(len(got) - expected) <= period, (len(got), expected)
    assert t1 - t0 >= duration, (t1 - t0, duration)
    edge = int(0.02 * VIRTUAL_MIC.rate)  # resampler ramps at both ends
    # per 0.1 s block: a splice of the server's own (a PipeWire graph xrun)
    # bends the block it falls in, a wrong rate bends them all
    blocks = analysis.block_frequencies(
        analysis.as_float(got)[edge:-edge, 0], VIRTUAL_MIC.rate)
    bent = np.flatnonzero(np.abs(blocks - 440) > 4.4)
    print(f"tone: {np.median(blocks):.2f} Hz (median of {len(blocks)} blocks); "
          f"blocks off pitch: {[round(float(blocks[i]), 1) for i in bent]}")
    assert len(bent) <= (1 if sound_servers.server_xrun_quantum() else 0), (
        f"{len(bent)} of {len(blocks)} blocks of 0.1 s off 440 Hz by more "
        f"than 1 %: {blocks.round(1).tolist()}")


def test_eos_message_after_playout():
    pipe = Gst.parse_launch(
        f"audiotestsrc num-buffers={BUFFERS} ! "
        "audio/x-raw,rate=44100,channels=1,format=S16LE ! "
        "audiocastsink name=cast device=Virtual-Mic")
    cast = pipe.get_by_name("cast")
    bus = pipe.get_bus()
    with Capture(VIRTUAL_MIC) as cap:
        t0 = time.monotonic()
        assert pipe.set_state(Gst.State.PLAYING) != Gst.StateChangeReturn.FAILURE
        m = bus.timed_pop_filtered(30 * Gst.SECOND,
                                   Gst.MessageType.EOS | Gst.MessageType.ERROR)
        t_eos = time.monotonic()
        assert m is not None, "no EOS"
        assert m.type == Gst.MessageType.EOS, m.parse_error()
        stats = {k: cast.get_property(k) for k in (
            "frames-written", "frames-played", "frames-cleared",
            "buffered-frames", "underruns")}
        pipe.set_state(Gst.State.NULL)
        cap.stop(settle=0.2)
    duration = BUFFERS * SPB / 44100
    data = cap.data
    start = analysis.first_nonzero(data)
    end = analysis.last_nonzero(data) + 1
    by_eos = cap.frames_arrived_by(t_eos + 0.050)
    print(f"EOS after {t_eos - t0:.3f}s for {duration:.3f}s of audio; "
          f"{end - start} frames captured, {max(0, min(by_eos, end) - start)} "
          f"had arrived by EOS+50ms; stats {stats}")
    assert t_eos - t0 >= duration, (
        f"EOS after {t_eos - t0:.3f}s, audio lasts {duration:.3f}s")
    assert stats["frames-written"] == BUFFERS * SPB, stats
    assert stats["frames-played"] == BUFFERS * SPB, stats
    assert stats["buffered-frames"] == 0, stats
    expected = BUFFERS * SPB * VIRTUAL_MIC.rate / 44100
    period = 0.010 * VIRTUAL_MIC.rate
    assert abs((end - start) - expected) <= period
    assert by_eos >= end - period, (
        f"{end - by_eos} frames reached the capture more than 50 ms after EOS")


def test_appsrc_eos_after_playout_with_full_ring():
    """More audio than the ring holds: EOS still waits for all of it."""
    rate = 48000
    x = audio_signals.sine(660, 3.0, rate, 2, amplitude=0.4)
    with Capture(sound_servers.SPEAKER) as cap:
        with Player("F32LE", rate, 2, device="speaker") as p:
            p.start()
            t0 = time.monotonic()
            p.write(x, wait=False)
            p.end_of_stream()
            t_eos = p.wait_eos(30)
            s = appsrc_player.check_stats_consistent(p)
        cap.stop(settle=0.1)
    got = analysis.trimmed(cap.data)
    print(f"EOS after {t_eos - t0:.3f}s; {len(got)} frames captured; stats {s}")
    assert t_eos - t0 >= len(x) / rate
    # every frame, in order (a hole the server played for a stall is
    # stepped over and named, dropouts.py); whole periods of silence where
    # the sink counted an underrun are appsrc's thread late, the audio going
    # on where it stopped. The stats go into the message: a rerun shows
    # only the first run's assertion.
    analysis.assert_heard_exactly(
        got, x, f"the audio (stats {s})",
        dry_period=rate // 100 if s["underruns"] else None)
    assert s["frames-played"] == len(x), s
