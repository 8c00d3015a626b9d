"""(r5) Soak: streaming with random clears (and a short drain now and then)
for 1 minute — 10 minutes with AUDIOCAST_LONG_TESTS=1 (meson
-Dlong-tests=true) — keeps the resident memory flat.

The stream runs in a child process (worker_tasks.soak) whose RSS is sampled every
second: a writer thread writes 20-200 ms chunks of noise from a fixed pool
into a 0.5 s ring (so it blocks and runs at the device's pace) while a
second thread clears at random moments (0.05-1.5 s apart; every fifth time
it drains for up to 50 ms instead). After the warm-up (15 s; 60 s for the
long run) every sample stays within ±1 MiB of the first one after it.
"""

import pytest

import sound_servers
import workers

pytestmark = [pytest.mark.usefixtures("pulse_server", "pulse_log"),
              pytest.mark.timeout(900), pytest.mark.steady]

MIB = 1 << 20


def test_rss_stays_flat_while_streaming_with_random_clears():
    long = sound_servers.long_tests()
    seconds, warmup = (600.0, 60.0) if long else (60.0, 15.0)
    r = workers.run_worker("soak", timeout=seconds + 120, seconds=seconds,
                        warmup=warmup, seed=31, sample_every=1.0)
    assert not r["alive"], f"threads did not stop: {r['alive']}"
    s = r["stats"]
    assert s["frames_written"] == (s["frames_played"] + s["frames_cleared"]
                                   + s["buffered_frames"]), s
    # it streamed at about the device's pace all along (writes blocked on
    # the ring, clears discarded what was queued)
    assert s["frames_played"] >= 0.3 * 48000 * seconds, s
    samples = r["samples"]
    after = [(t, rss) for t, rss in samples if t >= warmup]
    assert len(after) >= 0.8 * (seconds - warmup), "too few samples"
    base = after[0][1]
    drift = [rss - base for _, rss in after]
    first = samples[0][1]
    print(f"{seconds:.0f} s: {r['counts']}; stats {s}; RSS {first / MIB:.1f} MiB "
          f"at the start, {base / MIB:.2f} MiB after the warm-up, then "
          f"{min(drift) / MIB:+.3f} to {max(drift) / MIB:+.3f} MiB, "
          f"{drift[-1] / MIB:+.3f} MiB at the end; every 30 s (s, MiB): "
          + ", ".join(f"{t:.0f}:{rss / MIB:.2f}" for t, rss in samples[::30]))
    worst = max(drift, key=abs)
    t_worst = after[drift.index(worst)][0]
    assert abs(worst) <= MIB, (
        f"RSS moved {worst / MIB:+.2f} MiB from its post-warm-up value "
        f"({base / MIB:.2f} MiB) at {t_worst:.0f} s; samples (s, MiB): "
        + ", ".join(f"{t:.0f}:{rss / MIB:.2f}" for t, rss in samples[::5]))
