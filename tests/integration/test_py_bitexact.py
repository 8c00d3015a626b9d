"""(r1) Bit-exact through the Python package: 60 s of noise in the device's
format (float32, 48 kHz, stereo: the ``speaker`` sink) is captured identical
from the first frame — none lost, changed or duplicated — and with random
clears from another thread every captured frame is an in-order prefix of a
written segment, written = played + cleared exactly, and frames-played is
what the capture holds (give or take a period per clear).

AUDIOCAST_LONG_TESTS=1 (meson -Dlong-tests=true) makes the random-clears run
2 minutes instead of 20 s.
"""

import threading
import time

import numpy as np
import pytest

import analysis
import audio_signals
import dropouts
import sound_servers
from audiocast_pkg import audiocast
from captures import Capture
from sound_servers import SPEAKER

pytestmark = [pytest.mark.usefixtures("pulse_server", "pulse_log"),
              pytest.mark.timeout(600)]

RATE = 48000
PERIOD = RATE // 100  # the default latency-time, 10 ms
CUT_TIME = 0.05  # see test_py_races.py


def frame_counts(stats):
    """A player's stats() without its push counters (periods_pushed,
    device_waits), which depend on timing: what must add up exactly."""
    return {k: v for k, v in stats.items()
            if k not in ("periods_pushed", "device_waits")}


def xfail_server_glitches(glitches):
    """Bit-exactness could not be seen through the server's own xruns: an
    expected failure that says where they were; anything else they could not
    explain has failed the test before this."""
    pytest.xfail(f"{len(glitches)} graph xruns of the server (capture "
                 f"offset, silent frames inserted, written frames skipped): "
                 f"{glitches[:10]}")


def segment_lookup(segments):
    """A function from frame bit patterns to the index of the segment (of
    ``segments``) holding that frame, -1 for none."""
    keys = np.concatenate([analysis.frame_keys(x) for x in segments])
    owner = np.repeat(np.arange(len(segments)), [len(x) for x in segments])
    order = np.argsort(keys)
    keys, owner = keys[order], owner[order]

    def segment_of(k):
        at = np.minimum(np.searchsorted(keys, k), len(keys) - 1)
        return np.where(keys[at] == k, owner[at], -1)
    return segment_of


def replayed_gap(stretch, at, x, heard, k, segment_of):
    """Where segment ``k`` goes on after a gap at ``at`` in its ``stretch``
    of the capture that the server filled with silence, audio never
    written, or older segments' audio (dropouts.py: pipewire-pulse before
    1.3.81 plays its ring's old bytes where a write jumps forward), as (gap
    frames, the written frame it goes on with, None if it ends there); None
    for anything else: its own audio repeated, a later segment's, a gap or
    a loss of its audio longer than a hole (dropouts.MAX_HOLE_FRAMES)."""
    if sound_servers.server_kind_from_env() != "pipewire":
        return None
    gap = stretch[at:at + dropouts.MAX_HOLE_FRAMES + 1]
    owners = segment_of(analysis.frame_keys(gap))
    own = np.flatnonzero(owners == k)
    end = int(own[0]) if len(own) else len(gap)
    if (owners[:end] > k).any():
        return None
    if not len(own):  # the segment ends in the gap (a clear)
        tail = analysis.nonsilent_mask(stretch[at + end:])
        return (end, None) if not tail.any() else None
    found = analysis.find_exact(x, stretch[at + end:at + end + 16], start=heard)
    if not found or found[0] - heard > dropouts.MAX_HOLE_FRAMES:
        return None
    return end, found[0]


def follow_segment(stretch, x, k, segment_of, offset):
    """analysis.follow_written() of segment ``k``'s ``stretch`` of the
    capture (from capture ``offset``), stepping over the gaps of
    replayed_gap() (recorded)."""
    c = r = 0
    glitches = []
    while True:
        m, seen, bad = analysis.follow_written(stretch[c:], x[r:])
        glitches += [(c + at, inserted, skipped) for at, inserted, skipped in seen]
        if bad is None:
            return r + m, glitches, None
        replay = replayed_gap(stretch, c + bad, x, r + m, k, segment_of)
        if replay is None:
            return r + m, glitches, c + bad
        gap, goes_on = replay
        dropouts.record_replay(f"segment {k}", offset + c + bad, gap)
        if goes_on is None:
            return r + m, glitches, None
        c, r = c + bad + gap, goes_on


@pytest.mark.steady
def test_60_seconds_of_noise_bit_exact():
    seconds = 60.0
    x = audio_signals.noise(seconds, RATE, 2, amplitude=0.5, seed=60)
    sizes = np.random.default_rng(61).integers(1, 4801, 10_000)  # 1 frame-0.1 s
    t0 = time.monotonic()
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            i = k = 0
            while i < len(x):
                n = int(sizes[k])
                assert p.write(x[i:i + n]) == len(x[i:i + n])
                i += n
                k += 1
            assert p.drain(timeout=30.0) is True
            s = p.stats()
        cap.stop(settle=0.1)
    took = time.monotonic() - t0
    print(f"{len(x)} frames in {k} writes of 1 to 4800 frames; {took:.1f} s; "
          f"stats {s}")
    if s["underruns"] and sound_servers.server_kind_from_env() == "pipewire":
        # On PipeWire the device buffer is four periods (40 ms, see
        # audiocast-sink-timing.c), and this machine stalls up to 40 ms now
        # and then: the device ran dry and restarted (a gap). Nothing may be
        # lost from the counts all the same.
        assert frame_counts(s) == dict(
            frames_written=len(x), frames_played=len(x), frames_cleared=0,
            buffered_frames=0, underruns=s["underruns"]), s
        pytest.xfail(f"a machine stall ran the PipeWire device dry "
                     f"{s['underruns']} time(s) in 60 s")
    assert frame_counts(s) == dict(
        frames_written=len(x), frames_played=len(x), frames_cleared=0,
        buffered_frames=0, underruns=0), s

    data = cap.data
    start = analysis.first_nonzero(data)
    assert start is not None, "nothing was captured"
    got = data[start:]
    heard, glitches, bad = analysis.follow_written(got, x)
    if bad is not None:
        where = analysis.find_exact(data, x[heard:heard + 16], start)
        raise AssertionError(
            f"the capture departs from what was written at capture offset "
            f"{bad}, after {heard} written frames heard in order: got "
            f"{got[bad]}, next written {x[heard] if heard < len(x) else None};"
            f" written frame {heard} is at capture offsets "
            f"{[w - start for w in where]}")
    assert heard == len(x), f"heard {heard} of {len(x)} written frames"
    end = len(x) + sum(inserted - skipped for _, inserted, skipped in glitches)
    extra = analysis.nonsilent_mask(got[end:])
    assert not extra.any(), (
        f"{int(extra.sum())} non-silent frames after the last written one "
        "(duplicated audio)")
    if glitches:
        xfail_server_glitches(glitches)
    print(f"{len(x)} frames compared: 0 lost, 0 changed, 0 duplicated")


def test_random_clears_every_frame_heard_is_an_exact_prefix():
    """Segments of noise (0.1-1 s, each one write()) are written back to back
    by one thread while the test thread clears at random moments. What is
    heard of a segment is its beginning, exactly, in the order written, and
    nothing of it after a clear that discarded it."""
    seconds = 120.0 if sound_servers.long_tests() else 20.0
    rng = np.random.default_rng(7)
    lengths = []    # seconds of every segment (regenerated by seg())
    done = []       # (offset, accepted, time write() returned)
    clears = []     # (time clear() was called, heard, frames-cleared after,
    #                  time it returned)

    def seg(k):
        return audio_signals.noise(lengths[k], RATE, 2, amplitude=0.5, seed=1000 + k)
    stop = threading.Event()
    errors = []

    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2) as p:
            def writer():
                offset = 0
                try:
                    while not stop.is_set():
                        k = len(lengths)
                        lengths.append(float(rng.uniform(0.1, 1.0)))
                        x = seg(k)
                        n = p.write(x)
                        done.append((offset, n, time.monotonic()))
                        offset += n
                except Exception as e:  # reported below
                    errors.append(e)

            th = threading.Thread(target=writer)
            th.start()
            end = time.monotonic() + seconds
            pauses = np.random.default_rng(8).uniform(0.02, 1.2, 10_000)
            i = 0
            while time.monotonic() < end:
                time.sleep(pauses[i])
                i += 1
                t = time.monotonic()
                heard = p.clear()
                clears.append((t, heard, p.frames_cleared, time.monotonic()))
            stop.set()
            th.join(30)
            assert not th.is_alive(), "writer stuck"
            assert not errors, errors
            assert p.drain(timeout=30.0) is True
            t = time.monotonic()
            clears.append((t, p.clear(), p.frames_cleared, time.monotonic()))
            s = p.stats()
        cap.stop(settle=0.1)

    written = sum(n for _, n, _ in done)
    print(f"{len(lengths)} segments, {len(clears)} clears over {seconds:.0f} s; "
          f"stats {s}")
    assert s["frames_written"] == written, (s, written)
    assert s["frames_written"] == s["frames_played"] + s["frames_cleared"], s
    assert s["buffered_frames"] == 0, s
    assert sum(c[1] for c in clears) == s["frames_played"], (
        "the clears' heard counts do not add up to frames-played")

    # where each segment starts in the capture: the first frame heard of it
    # (its first one unless a server xrun took it)
    data = cap.data
    segment_of = segment_lookup([seg(k)[:n] for k, (_, n, _) in enumerate(done)])
    which = segment_of(analysis.frame_keys(data))
    ids, pos = np.unique(which, return_index=True)
    ids, pos = ids[ids >= 0], pos[ids >= 0]
    ids, pos = [int(k) for k in ids[np.argsort(pos)]], np.sort(pos)
    assert all(a < b for a, b in zip(ids, ids[1:])), (
        f"segments heard out of order or twice: {ids}")
    lead = data[:pos[0]] if len(pos) else data
    assert not analysis.nonsilent_mask(lead).any(), "sound before the first segment"

    heard = {}      # segment -> how far into it sound was heard
    changed = []    # (segment, exact frames, frames of other sound after them)
    glitches = []   # the server's own xruns (see sound_servers.server_xrun_quantum())
    for j, (q, k) in enumerate(zip(pos, ids)):
        nxt = pos[j + 1] if j + 1 < len(pos) else len(data)
        x = seg(k)[:done[k][1] if k < len(done) else 0]
        m, seen, bad = follow_segment(data[q:nxt], x, k, segment_of, q)
        glitches += [(q + at, inserted, skipped) for at, inserted, skipped in seen]
        heard[k] = m  # the exact prefix, with what the server's xruns skipped
        if bad is not None:
            tail = analysis.nonsilent_mask(data[q + bad:nxt])
            changed.append((k, m, int(tail.sum())))
            owners = segment_of(analysis.frame_keys(data[q + bad:nxt][tail]))
            print(f"segment {k} departs after {m} exact frames: "
                  + analysis.describe_departure(data[q:nxt], bad, x, m)
                  + f"; the {int(tail.sum())} frames of sound after it are of "
                  f"segments {sorted(set(owners.tolist()))} (-1: none)")
            heard[k] = min(len(x), m + int(np.flatnonzero(tail)[-1]) + 1)
    total = sum(heard.values())
    print(f"{len(heard)} segments heard, {total} frames; frames-played "
          f"{s['frames_played']} ({total - s['frames_played']:+d})")

    # nothing that a clear reported discarded was heard after it returned
    heads = analysis.clear_heads([c[1] for c in clears], [c[2] for c in clears])
    start_of = dict(zip(ids, pos))
    v, lag = analysis.cleared_but_heard(
        dict(enumerate(done)), [(c[0], h, c[3]) for c, h in zip(clears, heads)],
        heard, lambda k, f: cap.arrival_time(start_of[k] + f), PERIOD, CUT_TIME)
    print(f"heard past a clear's reported head but not after it returned: up "
          f"to {lag} frames ({lag / RATE * 1e3:.1f} ms)")
    # frames-played is what was heard: each clear's count may be off by what
    # the device held when it came (within a period; on PipeWire a graph
    # quantum more, in which pipewire-pulse takes the flush: measured +484
    # frames a clear on average there once, +511 another time)
    quantum = sound_servers.server_xrun_quantum() or 0
    assert abs(total - s["frames_played"]) <= (PERIOD + quantum) * len(clears), (
        f"the capture holds {total} frames of the segments, frames-played "
        f"says {s['frames_played']}: the heard counts are off by "
        f"{(total - s['frames_played']) / len(clears):+.0f} frames per clear")
    if changed and quantum and all(other <= quantum for _, _, other in changed):
        # open (docs/servers.md): now and then one graph quantum of other
        # sound after a clear on pipewire-pulse; more than that still fails
        pytest.xfail(f"{len(changed)} of {len(clears)} clears followed by "
                     f"at most a quantum of other sound on PipeWire: {changed}")
    assert not changed, (
        "segments not heard as an exact prefix (segment, frames exact, frames "
        f"of other sound after them before the next segment): {changed}")
    assert not v, (
        "discarded audio was heard after clear() returned (segment, frames "
        "past the clear's head, seconds after it returned, clear): "
        + str([(k, p, round(t, 3), i) for k, p, t, i in v]))
    if glitches:
        xfail_server_glitches(glitches)
