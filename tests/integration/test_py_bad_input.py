"""(r4) Bad input to the Python package: every bad call gives a clear error
(its type, and a message naming the problem and what is accepted) or the
documented behaviour, and nothing already queued is lost through it.

Each case of test_bad_call_keeps_queued_audio runs with 0.3 s of noise
queued on a ``speaker`` player; the bad call comes from another thread (a
second caller). Afterwards frames-written and frames-cleared are unchanged
(or grown by what the call documentedly wrote) and the queued noise is
captured bit-exact, once, with nothing but silence after it.
"""

import array
import re
import threading

import numpy as np
import pytest

import analysis
import audio_signals
from audiocast_pkg import audiocast
from captures import Capture
import sound_servers
from sound_servers import SPEAKER
from test_py_player import DEVICE_BUFFER_PERIODS

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")

RATE = 48000
A = audiocast.AudioPlayer
InvalidArg = audiocast.InvalidArgumentError
NotFound = audiocast.DeviceNotFoundError
Closed = audiocast.PlayerClosedError
NAN, INF = float("nan"), float("inf")

# what every "cannot play" TypeError lists
ACCEPTS = r"write\(\) accepts bytes or bytearray \(int16 little-endian\).*list/tuple of floats"
NOT_FOUND = r'^Device not found: ".*"\. Available devices: .*speaker \(Speaker Output\)'


def stopped_player():
    """A stopped player on the other sink (what it plays is not captured)."""
    p = A("Virtual-Mic")
    p.write(np.zeros(100, np.int16))
    p.stop()
    return p


def after_with(p):
    with A("Virtual-Mic") as q:
        q.write(np.zeros(100, np.int16))
    return q.write(b"\x00\x00")


def write_from_gen():
    return (x for x in (0.1, 0.2))


# (id, call(p), expected exception or None, regex on the message / result)
# A None exception means the documented behaviour: the call returns the value
# (the last element), and for writes the frames written grow by it.
CASES = [
    # -- byte counts -------------------------------------------------------
    ("odd-bytes", lambda p: p.write(b"\x00" * 5), ValueError,
     r"int16 samples, so their length must be even \(got 5\)"),
    ("odd-bytearray", lambda p: p.write(bytearray(7)), ValueError, r"even \(got 7\)"),
    ("odd-memoryview", lambda p: p.write(memoryview(b"\x01\x02\x03")), ValueError,
     r"even \(got 3\)"),
    ("partial-frame-bytes", lambda p: p.write(b"\x00" * 6), InvalidArg,
     r"6 bytes is not a whole number of frames: a frame of 2 channels is 4 bytes"),
    ("partial-frame-float32", lambda p: p.write(np.zeros(3, np.float32)), InvalidArg,
     r"12 bytes is not a whole number of frames: a frame of 2 channels is 8 bytes"),
    ("partial-frame-list", lambda p: p.write([0.1, 0.2, 0.3]), InvalidArg,
     r"not a whole number of frames"),
    ("partial-frame-array-d", lambda p: p.write(array.array("d", [0.1] * 3)),
     InvalidArg, r"24 bytes is not a whole number of frames: .* 16 bytes"),
    # -- empty writes: 0 frames, nothing happens ----------------------------
    ("empty-bytes", lambda p: p.write(b""), None, 0),
    ("empty-bytearray", lambda p: p.write(bytearray()), None, 0),
    ("empty-memoryview", lambda p: p.write(memoryview(b"")), None, 0),
    ("empty-numpy-1d", lambda p: p.write(np.zeros(0, np.float32)), None, 0),
    ("empty-numpy-2d", lambda p: p.write(np.zeros((0, 2), np.int16)), None, 0),
    ("empty-list", lambda p: p.write([]), None, 0),
    ("empty-tuple", lambda p: p.write(()), None, 0),
    ("empty-array", lambda p: p.write(array.array("h")), None, 0),
    # -- NaN / Inf: documented to play as silence ----------------------------
    ("nan-float32", lambda p: p.write(np.full((480, 2), NAN, np.float32)), None, 480),
    ("inf-float64", lambda p: p.write(np.full(960, INF)), None, 480),
    ("minus-inf-list", lambda p: p.write([-INF] * 960), None, 480),
    ("nan-inf-array-f", lambda p: p.write(array.array("f", [NAN, INF] * 480)),
     None, 480),
    # -- wrong dtypes and types ----------------------------------------------
    ("complex64", lambda p: p.write(np.zeros(4, np.complex64)), TypeError,
     r"cannot play a numpy array of dtype complex64; " + ACCEPTS),
    ("complex128", lambda p: p.write(np.zeros((2, 2), complex)), TypeError,
     r"dtype complex128; " + ACCEPTS),
    ("object", lambda p: p.write(np.array([0.1, None])), TypeError, r"dtype object; "),
    ("bool", lambda p: p.write(np.ones(4, bool)), TypeError, r"dtype bool; "),
    ("uint8", lambda p: p.write(np.zeros(4, np.uint8)), TypeError, r"dtype uint8; "),
    ("int8", lambda p: p.write(np.zeros(4, np.int8)), TypeError, r"dtype int8; "),
    ("uint16", lambda p: p.write(np.zeros(4, np.uint16)), TypeError, r"dtype uint16; "),
    ("int64", lambda p: p.write(np.zeros(4, np.int64)), TypeError, r"dtype int64; "),
    ("float16", lambda p: p.write(np.zeros(4, np.float16)), TypeError, r"dtype float16; "),
    ("numpy-str", lambda p: p.write(np.array(["ab", "cd"])), TypeError, r"dtype <U2; "),
    ("numpy-scalar", lambda p: p.write(np.float32(0.5)), TypeError,
     r"cannot play float32; " + ACCEPTS),
    ("str", lambda p: p.write("\x00\x00\x00\x00"), TypeError, r"cannot play str; " + ACCEPTS),
    ("None", lambda p: p.write(None), TypeError, r"cannot play NoneType; "),
    ("int", lambda p: p.write(5), TypeError, r"cannot play int; "),
    ("float", lambda p: p.write(0.5), TypeError, r"cannot play float; "),
    ("dict", lambda p: p.write({"a": 0.1}), TypeError, r"cannot play dict; "),
    ("generator", lambda p: p.write(write_from_gen()), TypeError, r"cannot play generator; "),
    ("list-of-str", lambda p: p.write(["0.1", "0.2"]), TypeError,
     r"a list or tuple must hold floats \(samples in \[-1, 1\]\); " + ACCEPTS),
    ("list-with-None", lambda p: p.write([0.1, None]), TypeError, r"must hold floats"),
    ("nested-list", lambda p: p.write([[0.1, 0.2], [0.3, 0.4]]), TypeError,
     r"must hold floats"),
    ("array-b", lambda p: p.write(array.array("b", [0, 0])), TypeError,
     r"cannot play an array.array of type code 'b'; " + ACCEPTS),
    ("array-q", lambda p: p.write(array.array("q", [0, 0])), TypeError,
     r"type code 'q' \(8 bytes\); "),
    ("memoryview-int64", lambda p: p.write(memoryview(np.zeros(4, np.int64))),
     TypeError, r"cannot play a memoryview of format '[lq]'; " + ACCEPTS),
    # -- shapes ------------------------------------------------------------------
    ("0-d", lambda p: p.write(np.array(0.5, np.float32)), ValueError,
     r"numpy array must be 1-D \(interleaved\) or 2-D \(frames x channels\), not 0-D"),
    ("3-d", lambda p: p.write(np.zeros((4, 2, 2), np.float32)), ValueError,
     r"must be 1-D \(interleaved\) or 2-D \(frames x channels\), not 3-D"),
    ("4-d", lambda p: p.write(np.zeros((1, 4, 2, 1), np.int16)), ValueError, r"not 4-D"),
    ("2-d-3-columns", lambda p: p.write(np.zeros((4, 3), np.float32)), ValueError,
     r"numpy array has 3 columns \(channels\) but the player has 2 channels"),
    ("2-d-1-column", lambda p: p.write(np.zeros((4, 1), np.int16)), ValueError,
     r"has 1 columns \(channels\) but the player has 2 channels"),
    ("memoryview-2-d-3-columns",
     lambda p: p.write(memoryview(np.zeros((4, 3), np.float32))), ValueError,
     r"memoryview has 3 columns \(channels\) but the player has 2 channels"),
    # -- drain's timeout --------------------------------------------------------
    ("drain-negative", lambda p: p.drain(-1), ValueError,
     r"timeout must be a finite number of seconds >= 0, got -1"),
    ("drain-nan", lambda p: p.drain(NAN), ValueError, r"timeout must be a finite .* got nan"),
    ("drain-inf", lambda p: p.drain(INF), ValueError, r"timeout must be a finite .* got inf"),
    ("drain-str", lambda p: p.drain("1"), TypeError,
     r"timeout must be a number of seconds or None, not str"),
    # -- construction: rates, channels, times --------------------------------
    ("rate-0", lambda p: A(sample_rate=0), ValueError,
     r"sample_rate must be positive or None \(the device's\), got 0"),
    ("rate-negative", lambda p: A(sample_rate=-48000), ValueError, r"sample_rate .* got -48000"),
    ("rate-absurd", lambda p: A(sample_rate=10**9), InvalidArg,
     r"sample rate 1000000000 Hz is out of range: use 1 to 384000 Hz"),
    ("rate-beyond-guint", lambda p: A(sample_rate=2**40), InvalidArg,
     r"sample rate 1099511627776 Hz is out of range: use 1 to 384000 Hz"),
    ("rate-float", lambda p: A(sample_rate=44100.0), TypeError,
     r"sample_rate must be an int or None, not float"),
    ("rate-str", lambda p: A(sample_rate="48000"), TypeError, r"sample_rate .* not str"),
    ("channels-0", lambda p: A(channels=0), ValueError, r"channels must be positive .* got 0"),
    ("channels-1000", lambda p: A(channels=1000), InvalidArg,
     r"1000 channels is out of range: use 1 to \d+, or 0 for the device.s own count"),
    ("channels-negative", lambda p: A(channels=-1), ValueError, r"channels .* got -1"),
    ("channels-beyond-guint", lambda p: A(channels=2**33), InvalidArg,
     r"8589934592 channels is out of range: use 1 to \d+"),
    ("channels-bool", lambda p: A(channels=True), TypeError, r"channels must be an int"),
    ("buffer-time-0", lambda p: A(buffer_time=0), InvalidArg,
     r"buffer_time of 0 s is out of range: use 0.001 to "),
    ("buffer-time-nan", lambda p: A(buffer_time=NAN), ValueError,
     r"buffer_time must be a finite number of seconds >= 0, got nan"),
    ("buffer-time-str", lambda p: A(buffer_time="2"), TypeError,
     r"buffer_time must be a number of seconds or None, not str"),
    ("latency-time-5s", lambda p: A(latency_time=5), InvalidArg,
     r"latency_time of 5 s is out of range: use 0.001 to 1 s"),
    ("latency-over-buffer", lambda p: A(buffer_time=0.01, latency_time=0.02), InvalidArg,
     r"latency-time \(20000 µs\) is longer than buffer-time \(10000 µs\)"),
    ("fade-time-inf", lambda p: A(fade_time=INF), ValueError, r"fade_time must be a finite"),
    ("fade-time-2s", lambda p: A(fade_time=2.0), InvalidArg,
     r"fade_time of 2.0 s is out of range: use 0 to 1 s"),
    # -- device names ----------------------------------------------------------
    ("device-quotes", lambda p: A(device='sp"eak\'er'), NotFound, NOT_FOUND),
    ("device-newline", lambda p: A(device="spea\nker"), NotFound, NOT_FOUND),
    ("device-format-chars", lambda p: A(device="%s%n%x%p"), NotFound,
     r'^Device not found: "%s%n%x%p"'),
    ("device-emoji", lambda p: A(device="🔊 speaker 🔊"), NotFound,
     r'^Device not found: "🔊 speaker 🔊"'),
    ("device-10k", lambda p: A(device="x" * 10_000), NotFound,
     r'^Device not found: "x{10000}"\. Available devices: '),
    ("device-nul", lambda p: A(device="spe\0aker"), ValueError,
     r"device name 'spe\\x00aker' contains a NUL character"),
    ("device-surrogate", lambda p: A(device="spe\udcffaker"), ValueError,
     r"device name .* is not valid Unicode text"),
    ("device-bytes", lambda p: A(device=b"speaker"), TypeError,
     r"device must be a str \(a device name\) or None, not bytes"),
    ("device-int", lambda p: A(device=0), TypeError, r"device must be a str .* not int"),
    # -- a stopped player --------------------------------------------------------
    ("write-after-stop", lambda p: stopped_player().write(b"\x00" * 4), Closed,
     r"the player is closed: it was stopped"),
    ("write-numpy-after-stop",
     lambda p: stopped_player().write(np.zeros((10, 1), np.float32)), Closed, r"closed"),
    ("write-after-with", lambda p: after_with(p), Closed, r"closed"),
    ("clear-stopped", lambda p: stopped_player().clear(), None, 0),
    ("drain-stopped", lambda p: stopped_player().drain(), None, False),
    ("drain-timeout-stopped", lambda p: stopped_player().drain(1.0), None, False),
    ("stop-stopped", lambda p: stopped_player().stop(), None, None),
    ("stats-stopped", lambda p: stopped_player().stats()["buffered_frames"], None, 0),
]


@pytest.mark.parametrize("call, exc, expected",
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_call_keeps_queued_audio(call, exc, expected):
    queued = audio_signals.noise(0.3, RATE, 2, amplitude=0.5, seed=99)
    outcome = {}

    def caller():
        try:
            outcome["result"] = call(p)
        except BaseException as e:  # judged below
            outcome["error"] = e

    with Capture(SPEAKER) as cap:
        with A("speaker", RATE, 2) as p:
            assert p.write(queued) == len(queued)
            before = p.stats()
            th = threading.Thread(target=caller)
            th.start()
            th.join(30)
            assert not th.is_alive(), "the call did not return"
            after = p.stats()
            assert p.drain(timeout=10.0) is True
            end = p.stats()
        cap.stop(settle=0.05)

    err = outcome.get("error")
    if exc is None:
        assert err is None, f"raised {type(err).__name__}: {err}"
        assert outcome["result"] == expected, outcome
    else:
        assert err is not None, f"no error; returned {outcome['result']!r}"
        assert isinstance(err, exc), f"{type(err).__name__}: {err}"
        assert re.search(expected, str(err), re.S), f"message: {str(err)[:300]!r}"
        if issubclass(exc, audiocast.AudioCastError):
            assert isinstance(err, RuntimeError)
    print(f"{type(err).__name__}: {str(err)[:160]!r}" if err else
          f"returned {outcome['result']!r}")

    # nothing queued was lost; only a documented write added frames
    grown = expected if exc is None and isinstance(expected, int) \
        and not isinstance(expected, bool) else 0
    assert after["frames_written"] == before["frames_written"] + grown, (before, after)
    assert after["frames_cleared"] == before["frames_cleared"] == 0, after
    assert end["frames_played"] == len(queued) + grown, end
    data = cap.data
    start = analysis.first_nonzero(data)
    assert start is not None, "the queued audio was not heard"
    got = data[start:]
    analysis.assert_heard_exactly(got, queued, "the queued audio")


def test_huge_single_write_blocks_then_plays_everything_exactly():
    """One write of 3 s into a ring of 0.25 s: it blocks until all but the
    ring's worth and what the device holds was heard, accepts every frame
    and all of it plays."""
    x = audio_signals.noise(3.0, RATE, 2, amplitude=0.5, seed=3)
    with Capture(SPEAKER) as cap:
        with A("speaker", RATE, 2, buffer_time=0.25) as p:
            assert p.write(x) == len(x)
            s = p.stats()
            assert p.drain(timeout=10.0) is True
            end = p.stats()
        cap.stop(settle=0.05)
    print(f"write returned with {s['buffered_frames']} frames unheard; end {end}")
    assert s["frames_played"] >= (len(x) - RATE // 4
                                  - DEVICE_BUFFER_PERIODS * (RATE // 100)), s
    assert end["frames_played"] == len(x) and end["frames_cleared"] == 0, end
    data = cap.data
    start = analysis.first_nonzero(data)
    analysis.assert_heard_exactly(data[start:], x, "the huge write")


def test_writes_from_eight_threads_are_each_played_whole():
    """Concurrent writes never interleave (documented): each thread writes
    marked chunks; every chunk is heard complete and in one piece, once."""
    n_threads, per_thread = 8, 6
    rng = np.random.default_rng(8)
    sizes = rng.integers(1, 4800, (n_threads, per_thread))
    barrier = threading.Barrier(n_threads)
    results = []

    with Capture(SPEAKER) as cap:
        with A("speaker", RATE, 2, buffer_time=0.2) as p:
            def writer(t):
                barrier.wait()
                for k in range(per_thread):
                    ident = t * per_thread + k
                    results.append((ident, p.write(
                        analysis.marker_chunk(ident, sizes[t, k]))))

            threads = [threading.Thread(target=writer, args=(t,))
                       for t in range(n_threads)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert not any(t.is_alive() for t in threads)
            assert p.drain(timeout=20.0) is True
            s = p.stats()
        cap.stop(settle=0.05)
    assert sorted(results) == [(t * per_thread + k, int(sizes[t, k]))
                               for t in range(n_threads) for k in range(per_thread)]
    assert s["frames_written"] == s["frames_played"] == int(sizes.sum()), s
    ids = analysis.decode_markers(cap.data)
    assert not np.any(ids == -2), "changed audio"
    _, lengths, values = analysis.runs(ids[ids >= 0])
    assert len(values) == len(set(values.tolist())) == n_threads * per_thread, (
        "a chunk was split or lost", values)
    for ident, n in zip(values, lengths):
        assert n == sizes.ravel()[ident], (ident, n)
    for t in range(n_threads):  # each thread's chunks in its own order
        mine = [v for v in values if v // per_thread == t]
        assert mine == sorted(mine)


def test_bad_calls_from_many_threads_while_one_streams():
    """Eight threads make bad calls in a loop while one thread streams 2 s of
    noise: every bad call raises, the stream plays bit-exact."""
    x = audio_signals.noise(2.0, RATE, 2, amplitude=0.5, seed=12)
    bad = [c for c in CASES if c[2] is not None and not c[0].startswith(
        ("device", "write-after", "write-numpy-after", "rate", "channels",
         "buffer", "latency", "fade"))]
    stop = threading.Event()
    wrong = []
    count = [0]

    with Capture(SPEAKER) as cap:
        with A("speaker", RATE, 2, buffer_time=0.3) as p:
            def pest(t):
                i = t
                while not stop.is_set():
                    name, call, exc, _ = bad[i % len(bad)]
                    try:
                        call(p)
                        wrong.append((name, "no error"))
                    except exc:
                        count[0] += 1
                    except Exception as e:
                        wrong.append((name, repr(e)))
                    i += 1

            pests = [threading.Thread(target=pest, args=(t,)) for t in range(8)]
            for t in pests:
                t.start()
            try:
                # a cushion first: the writer shares the GIL with eight
                # busy threads, and may wait its turn for tens of ms
                cushion = int(0.2 * RATE)
                assert p.write(x[:cushion]) == cushion
                for i in range(cushion, len(x), 960):
                    assert p.write(x[i:i + 960]) == len(x[i:i + 960])
                assert p.drain(timeout=10.0) is True
            finally:
                stop.set()
                for t in pests:
                    t.join(30)
            s = p.stats()
        cap.stop(settle=0.05)
    print(f"{count[0]} bad calls from 8 threads during the stream; {s}")
    assert not wrong, wrong[:5]
    assert s["frames_written"] == s["frames_played"] == len(x), s
    data = cap.data
    start = analysis.first_nonzero(data)
    # a writer kept from the GIL longer than the cushion is an underrun the
    # player reports; its gap is recorded as the server's dropouts are
    analysis.assert_heard_exactly(
        data[start:], x, "the stream",
        dry_period=sound_servers.period_frames(RATE) if s["underruns"] else None)
