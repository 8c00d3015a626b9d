"""(c) clear: everything not yet heard is dropped, silence follows within one
period plus the fade, the return value says what was heard, and the next
write plays at once without any of the old audio."""

import threading
import time

import numpy as np
import pytest

import analysis
import appsrc_player
import audio_signals
from appsrc_player import Player
from captures import Capture
from sound_servers import SPEAKER, VIRTUAL_MIC

pytestmark = pytest.mark.usefixtures("cast_plugin", "pulse_log")

LATENCY_US = 10_000


def test_clear_then_write_speaker():
    rate = 48000
    old = audio_signals.noise(3.0, rate, 2, amplitude=0.5, seed=111)
    new = audio_signals.noise(1.0, rate, 2, amplitude=0.25, seed=222)
    with Capture(SPEAKER) as cap:
        with Player("F32LE", rate, 2, device="speaker", buffer_time=4_000_000,
                    latency_time=LATENCY_US) as p:
            fade_us = p.prop("fade-time")
            p.start()
            p.write(old)
            p.wait_played(rate // 2)
            before = p.stats()
            assert before["buffered-frames"] >= 2 * rate, (
                f"expected >= 2 s queued at the clear, stats {before}")
            t_clear = time.monotonic()
            heard = p.clear()
            t_ret = time.monotonic()
            after = p.stats()
            p.write(new)
            ok, _ = p.drain(20_000_000)
            t_drained = time.monotonic()
            assert ok, "drain after clear+write returned FALSE"
            s = appsrc_player.check_stats_consistent(p)
        cap.stop(settle=0.2)
    print(f"clear returned {heard} frames heard ({heard / rate * 1000:.1f} ms), "
          f"call took {(t_ret - t_clear) * 1000:.2f} ms; fade-time={fade_us} us")
    print("stats before/after clear, end:", before, after, s)

    assert heard >= before["frames-played"], (heard, before)
    assert heard <= len(old)
    assert s["frames-cleared"] == len(old) - heard, s
    assert s["frames-played"] == heard + len(new), s
    assert s["frames-written"] == len(old) + len(new), s

    data = cap.data
    start = analysis.first_nonzero(data)
    assert start is not None, "nothing captured"
    # where the new signal begins (exact match of a window well inside it)
    probe = 4800
    hits = analysis.find_exact(data, new[probe:probe + 32], start)
    assert len(hits) == 1, f"new signal window found {len(hits)} times"
    new_at = hits[0] - probe
    assert new_at > start

    # old audio: exact prefix for everything said to be heard ...
    region = data[start:new_at]
    n_old = analysis.last_nonzero(region) + 1
    exact, _, _ = analysis.follow_written(region[:n_old], old,
                                          "the old audio before the clear")
    clear_to_silence_ms = (n_old - heard) / rate * 1000
    print(f"old audio: {n_old} non-silent frames captured, {exact} exact; "
          f"silence came {clear_to_silence_ms:.2f} ms after the heard point")
    period = LATENCY_US * rate // 1_000_000
    fade = fade_us * rate // 1_000_000
    assert n_old >= heard - period, (
        f"clear() said {heard} frames were heard but only {n_old} were captured")
    assert n_old <= heard + period + fade, (
        f"audio went on for {n_old - heard} frames after the heard point "
        f"({clear_to_silence_ms:.2f} ms), allowed {period + fade} "
        f"(latency-time {LATENCY_US} us + fade-time {fade_us} us)")
    assert exact >= min(heard, n_old) - period, (
        f"old audio differs from the input from frame {exact} on (heard {heard}): "
        f"the capture's frames from there are old frames "
        f"{analysis.find_exact(old, region[exact:exact + 16])[:3]}; "
        + analysis.describe_departure(region, exact, old, exact))
    # ... silence between old and new, and never any old audio again
    assert not analysis.nonsilent_mask(region[n_old:]).any()
    tail = data[new_at:]
    # the new signal may be faded in over at most fade-time; exact afterwards
    body = slice(fade, len(new))
    assert len(tail) >= len(new), "new signal cut short"
    last = analysis.last_nonzero(data)
    print(f"new signal: {last + 1 - new_at} of {len(new)} frames captured; the "
          f"last arrived {(cap.arrival_time(last) - t_drained) * 1000:+.1f} ms "
          "after drain returned")
    analysis.assert_heard_exactly(tail[body], new[body],
                                  "the new signal after the clear")
    assert np.all(np.abs(tail[:fade]) <= np.abs(new[:fade]) + 1e-7)
    extra = analysis.nonsilent_mask(tail[len(new):])
    assert not extra.any(), (
        f"{int(extra.sum())} non-silent frames after the new signal (old audio replayed?)")
    # the old audio appears nowhere after the clear point
    for k in (heard + 2 * period + fade + 100, len(old) - 200):
        if k + 32 <= len(old):
            assert not analysis.find_exact(data, old[k:k + 32], start), (
                f"discarded old frame {k} was played")


def test_clear_with_conversion_virtual_mic():
    """48 kHz stereo float into the 22050 Hz mono S16 sink: the heard count
    is in input frames; silence follows within a period plus fade."""
    rate = 48000
    dev = VIRTUAL_MIC.rate
    old = audio_signals.noise(3.0, rate, 2, amplitude=0.5, seed=333)
    with Capture(VIRTUAL_MIC) as cap:
        with Player("F32LE", rate, 2, device="Virtual-Mic", buffer_time=4_000_000,
                    latency_time=LATENCY_US) as p:
            fade_us = p.prop("fade-time")
            p.start()
            p.write(old)
            p.wait_played(rate // 2)
            heard = p.clear()
            ok, _ = p.drain(5_000_000)
            assert ok, "drain after clear (nothing pending) returned FALSE"
            s = appsrc_player.check_stats_consistent(p)
            time.sleep(0.2)
        cap.stop(settle=0.1)
    data = cap.data
    start = analysis.first_nonzero(data)
    assert start is not None
    n_old = analysis.last_nonzero(data) + 1 - start
    heard_dev = heard * dev / rate
    period = LATENCY_US * dev / 1e6
    fade = fade_us * dev / 1e6
    filt = 64  # resampler filter length slack, in device frames
    print(f"heard {heard} input frames = {heard_dev:.0f} device frames; "
          f"captured {n_old}; silence {(n_old - heard_dev) / dev * 1000:.2f} ms "
          f"after the heard point; stats {s}")
    assert s["frames-cleared"] == len(old) - heard, s
    assert n_old >= heard_dev - period - filt, (n_old, heard_dev)
    assert n_old <= heard_dev + period + fade + filt, (
        f"{n_old - heard_dev:.0f} device frames after the heard point, allowed "
        f"{period + fade + filt:.0f}")


def test_clear_interrupts_drain_and_returns_at_once():
    rate = 48000
    x = audio_signals.noise(2.0, rate, 2, seed=444)
    with Capture(SPEAKER) as cap:
        with Player("F32LE", rate, 2, device="speaker") as p:
            p.start()
            p.write(x)
            result = {}

            def drainer():
                result["ret"] = p.drain(-1)

            th = threading.Thread(target=drainer)
            th.start()
            p.wait_played(rate // 4)
            time.sleep(0.05)
            assert th.is_alive(), "drain returned before the audio was heard"
            heard = p.clear()
            th.join(10)
            assert not th.is_alive(), "drain did not return after clear"
            ok, took = result["ret"]
            assert ok is False, "drain interrupted by clear must return FALSE"
            # empty after the clear: drain is TRUE at once
            ok, took2 = p.drain(-1)
            assert ok is True, "drain on an empty element returned FALSE"
            assert took2 < 1.0, f"empty drain took {took2:.3f}s"
            appsrc_player.check_stats_consistent(p)
        cap.stop(settle=0.1)
    n = analysis.nonsilent_mask(analysis.trimmed(cap.data)).sum()
    assert n < len(x) // 2, f"{n} frames heard though cleared after {heard}"
