"""(r2) Races: 10,000 cycles of write / clear / drain / stop from three
threads under a watchdog — no deadlock, no crash, no replay of cleared audio.

A cycle: three threads (writer, clearer, drainer) each make one call on the
same AudioPlayer, after a random delay of up to 0.3 ms, and then meet at a
barrier, so the calls of one cycle overlap in every order and the calls of
different cycles are ordered:

* writer: writes chunk ``c`` (the cycle's number): 1 to 240 frames
  (5 ms) of a constant frame that encodes ``c`` (analysis.marker_chunk);
* clearer: clear() with a probability that changes every 250 cycles (50 %,
  10 %, 2 %, 0 %), so the ring is sometimes cleared every few cycles and
  sometimes fills (the ring holds 50 ms: writes block and clear or stop
  release them) and plays for a while;
* drainer: drain() with a random timeout of 0 to 3 ms; every 1000th cycle
  stop() instead (cycles 500, 1500, ...), after which the barrier opens a
  new player (11 players).

The child process (worker_tasks.races) runs this under faulthandler's watchdog and
a barrier timeout: a stuck call dumps every thread's stack and fails the
test. The parent records the sink's monitor throughout and checks:

* every captured frame is silence or the marker of a chunk (nothing was
  changed); chunks are heard in the order written, each at most once, in
  one piece, no longer than write() accepted;
* no replay of cleared audio: of a chunk whose write() returned before a
  clear() was called, the frames more than a period past where that clear
  said the heard position was (analysis.clear_heads) were reported discarded;
  none of them may reach the monitor later than 50 ms after the clear
  returned (analysis.cleared_but_heard). The capture's arrival times tell
  audio heard before the clear (the heard count lagging) from audio heard
  after it; the test prints the largest lag;
* the counters add up for every player: written = accepted, written =
  played + cleared + buffered; and frames-played is what the capture holds,
  give or take a period per clear.
"""

import numpy as np
import pytest

import analysis
import workers
from captures import Capture
from sound_servers import SPEAKER

pytestmark = [pytest.mark.usefixtures("pulse_server", "pulse_log"),
              pytest.mark.timeout(900)]

RATE = 48000
PERIOD = RATE // 100  # the default latency-time, 10 ms
# Cleared audio heard: frames more than a period past what clear() said was
# heard, arriving at the monitor more than CUT_TIME after clear() returned
# (a period, parec's 5 ms and scheduling). See analysis.cleared_but_heard.
CUT_TIME = 0.05
CYCLES = 10_000


def test_write_clear_drain_stop_from_three_threads():
    with Capture(SPEAKER) as cap:
        r = workers.run_worker(
            "races", timeout=600, cycles=CYCLES, stop_every=1000, seed=2026,
            chunk_max=240, buffer_time=0.05, drain_max_ms=3.0,
            clear_phases=[0.5, 0.1, 0.02, 0.0], phase_len=250,
            barrier_timeout=20.0, watchdog=500.0)
        cap.stop(settle=0.2)
    assert r["event"] == "done", r
    assert not r["problems"], f"unexpected errors: {r['problems'][:10]}"
    chunks = {c[0]: c for c in r["chunks"]}  # id, inst, cycle, req, acc, off
    assert len(chunks) == CYCLES

    # -- the counters of every player ---------------------------------------
    accepted = {}
    for c in r["chunks"]:
        accepted[c[1]] = accepted.get(c[1], 0) + c[4]
    for s in r["instances"]:
        assert s["frames_written"] == accepted.get(s["instance"], 0), s
        assert s["frames_written"] == (s["frames_played"] + s["frames_cleared"]
                                       + s["buffered_frames"]), s
        assert s["buffered_frames"] == 0, s
    last = r["instances"][-1]
    assert last["drained"] is True, last

    # -- what was heard --------------------------------------------------------
    ids = analysis.decode_markers(cap.data)
    bad = np.flatnonzero(ids == -2)
    assert len(bad) == 0, (
        f"{len(bad)} captured frames are neither silence nor a chunk's "
        f"marker, first at {bad[0]}: {cap.data[bad[0]]}")
    heard_at = np.flatnonzero(ids >= 0)  # capture frame of every heard one
    starts, lengths, values = analysis.runs(ids[heard_at])
    heard = dict(zip(values.tolist(), lengths.tolist()))
    where = dict(zip(values.tolist(), heard_at[starts].tolist()))
    order = np.diff(values)
    assert np.all(order > 0), (
        "chunks heard out of order, twice or in pieces: "
        + ", ".join(f"{a} then {b}" for a, b in
                    zip(values[:-1][order <= 0][:10], values[1:][order <= 0][:10])))
    too_long = [(i, n, chunks[i][4]) for i, n in heard.items() if n > chunks[i][4]]
    assert not too_long, f"heard more than accepted (id, heard, accepted): {too_long[:10]}"

    # per player: frames-played against the capture; each clear's heard count
    # may be off by what the device held when it came (within a period)
    off = []
    for s in r["instances"]:
        got = sum(n for i, n in heard.items() if chunks[i][1] == s["instance"])
        n_cl = sum(1 for c in r["clears"] if c[0] == s["instance"]) + 1
        off.append((s["instance"], got - s["frames_played"], n_cl))
    print("per player: captured - played frames (clears):", off)
    wrong = [o for o in off if abs(o[1]) > PERIOD * o[2]]
    assert not wrong, (
        "frames-played is off from what the capture holds by more than a "
        f"period per clear (player, frames, clears): {wrong}")

    # -- no replay of cleared audio --------------------------------------------
    def arrival(ident, k):
        return cap.arrival_time(where[ident] + k)

    violations = []
    lag = 0
    n_clears = 0
    for inst in sorted({c[1] for c in r["chunks"]}):
        cl = [c for c in r["clears"] if c[0] == inst]
        heads = analysis.clear_heads([c[2] for c in cl], [c[3] for c in cl])
        valid = [(c, h) for c, h in zip(cl, heads) if not c[4]]  # no stop() racing
        n_clears += len(valid)
        mine = {i: (chunks[i][5], chunks[i][4], chunks[i][2])
                for i in chunks if chunks[i][1] == inst}
        v, inst_lag = analysis.cleared_but_heard(
            mine, [(c[1], h, c[6]) for c, h in valid],
            {i: n for i, n in heard.items() if i in mine}, arrival,
            PERIOD, CUT_TIME)
        violations += [(i, past, late, valid[k][0][1]) for i, past, late, k in v]
        lag = max(lag, inst_lag)
        if inst == r["instances"][-1]["instance"]:
            final = r["instances"][-1]
            assert sum(c[2] for c in cl) == final["frames_played"], (
                "the clears' heard counts do not add up to frames-played", final)
    print(f"{r['took']:.1f} s for {CYCLES} cycles; {n_clears} clears, "
          f"{len(r['instances'])} players, drains {r['drains']}; "
          f"{len(heard)} chunks heard ({sum(heard.values())} frames), "
          f"{sum(c[4] for c in r['chunks'])} frames written; heard past a "
          f"clear's reported head but not after it returned: up to {lag} "
          f"frames ({lag / RATE * 1e3:.1f} ms)")
    assert not violations, (
        "cleared audio was heard after clear() returned (chunk, frames past "
        "the clear's head, seconds after it returned, cycle of the clear): "
        + str([(i, p, round(t, 3), c) for i, p, t, c in violations[:10]]))
    assert len(heard) > 100, "too little was heard for the test to mean much"
