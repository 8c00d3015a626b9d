"""write() cost per second of 48 kHz stereo audio, against a plain memcpy
of the bytes the library keeps (ctypes.memmove into a preallocated buffer,
in the same pieces).

The player is never full: it holds 4 s and is cleared (untimed) before each
timed second, so only the call itself is timed, never a wait for playback.
After the clear one untimed 10 ms piece is written: the first write into an
idle audiocast player also flushes the silence queued in the device (one
round trip to the server, ~0.4 ms; that cost is part of the onset row), and
this row is about the steady cost of streaming.
Each input type gets a fresh player, so every write is in the stream's own
format. Timed both as one call per second and as 100 calls of 10 ms, in turns
with the memcpy.
"""

import ctypes
import statistics
import time

import numpy as np

from bench.audio import CHANNELS, DEVICE, RATE


def _inputs():
    """name -> (object holding 1 s of audio, the bytes the library stores)."""
    x = np.random.default_rng(7).uniform(-0.5, 0.5, (RATE, CHANNELS))
    i16 = np.round(x * 32767).astype("<i2")
    f32 = x.astype("<f4")
    return {
        "bytes (int16)": (i16.tobytes(), i16.tobytes()),
        "numpy int16": (i16, i16.tobytes()),
        "numpy float32": (f32, f32.tobytes()),
        "numpy float64": (x, x.tobytes()),
        "list of float": (f32.ravel().tolist(), f32.tobytes()),
        "bytes (float32)": (f32.tobytes(), f32.tobytes()),
    }


def _pieces(obj, frames):
    """``obj`` (1 s: bytes, list or frames x channels array) in pieces of
    ``frames`` frames."""
    unit = len(obj) // RATE  # items per frame
    return [obj[i * unit:(i + frames) * unit] for i in range(0, RATE, frames)]


def _timed(call, pieces, reps, before, ref_call, ref_pieces):
    """Medians of (call over pieces, ref_call over ref_pieces), timed in
    turns so that load from elsewhere weighs on both alike."""
    mine, ref = [], []
    for _ in range(reps + 1):  # the first is a warm-up
        before()
        for out, fn, ps in ((mine, call, pieces), (ref, ref_call, ref_pieces)):
            t0 = time.perf_counter()
            for p in ps:
                fn(p)
            out.append(time.perf_counter() - t0)
    return statistics.median(mine[1:]), statistics.median(ref[1:])


def measure(Peer, p):
    reps = p["reps"]
    inputs = _inputs()
    out = {}
    for name in p["inputs"]:
        obj, stored = inputs[name]
        dst = ctypes.create_string_buffer(len(stored))
        peer = Peer(DEVICE, 4.0)

        prime = _pieces(obj, RATE // 100)[0]

        def before():
            peer.clear()
            time.sleep(0.05)  # let the output thread settle, off the clock
            peer.write(prime)  # a stream in progress, as when streaming

        row = {"bytes": len(stored)}
        try:
            for label, frames in (("10ms", RATE // 100), ("1s", RATE)):
                row["peer_" + label], row["memcpy_" + label] = _timed(
                    peer.write, _pieces(obj, frames), reps, before,
                    lambda b: ctypes.memmove(dst, b, len(b)),
                    _pieces(stored, frames))
        finally:
            peer.close()
        out[name] = row
    return {"inputs": out}
