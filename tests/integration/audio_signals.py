"""What the tests play: noise, sines, float WAV files, stamped buffers."""

import struct

import numpy as np

from gstreamer import Gst

def write_float_wav(path, frames, rate):
    """A WAVE_FORMAT_IEEE_FLOAT file (what wavparse reads as F32LE)."""
    data = np.ascontiguousarray(frames, dtype="<f4").tobytes()
    channels = frames.shape[1]
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 3, channels, rate,
                                    rate * channels * 4, channels * 4, 32)
    header += b"data" + struct.pack("<I", len(data))
    path.write_bytes(header + data)


def float_buffer(frames, pts, rate=48000):
    """A Gst.Buffer of float32 frames stamped at ``pts``."""
    buf = Gst.Buffer.new_wrapped(np.ascontiguousarray(
        frames, dtype="<f4").tobytes())
    buf.pts = pts
    buf.duration = len(frames) * Gst.SECOND // rate
    return buf


def noise(seconds, rate=48000, channels=2, amplitude=0.5, seed=1234,
          dtype="<f4"):
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    x = rng.uniform(-amplitude, amplitude, (n, channels))
    return to_dtype(x, dtype)


def sine(freq, seconds, rate=48000, channels=2, amplitude=0.5, phase=0.3,
         dtype="<f4", start=0):
    """A sine that is never exactly 0 (phase chosen so)."""
    n = int(round(seconds * rate))
    t = (np.arange(n) + start) / rate
    x = amplitude * np.sin(2 * np.pi * freq * t + phase)
    x = np.repeat(x[:, None], channels, axis=1)
    return to_dtype(x, dtype)


def to_dtype(x, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return x.astype(dtype)
    scale = float(np.iinfo(dtype).max)
    return np.clip(np.round(x * scale), np.iinfo(dtype).min,
                   np.iinfo(dtype).max).astype(dtype)
