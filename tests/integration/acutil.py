"""Helpers for the audiocastsink integration tests.

* The private sound servers (acservers.py: PulseAudio, PipeWire), with two
  null sinks whose monitors we record (the user's own sound server is never
  contacted).
* Capture: records a sink's monitor with parec, keeping the arrival time of
  every chunk.
* Player: an ``appsrc ! audiocastsink`` pipeline with blocking writes.
* Signal generators and analysis (silence detection, exact matching,
  frequency estimation).
"""

import fcntl
import os
import re
import shutil
import struct
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
from gi.repository import Gst, GstApp  # noqa: E402,F401

REPO = Path(__file__).resolve().parents[2]

# GStreamer format name -> (numpy dtype, PulseAudio / parec format name)
FORMATS = {
    "F32LE": ("<f4", "float32le"),
    "S16LE": ("<i2", "s16le"),
    "S32LE": ("<i4", "s32le"),
}
PA_TO_NP = {pa: np.dtype(dt) for dt, pa in FORMATS.values()}


from acservers import (  # noqa: E402,F401  (the tests' names for them)
    SPEAKER, VIRTUAL_MIC, TEST_SINKS, PulseServer, PipeWireServer, SinkSpec,
    _die_with_parent, make_server, null_sink_argv, period_seconds,
    server_kind_from_env)

SINKS = {s.name: s for s in TEST_SINKS}


def server_env(server=None):
    """The environment of a client of ``server`` (a PulseServer), or None
    (this process's own, i.e. the session's server) when it is None."""
    if server is None:
        return None
    env = dict(os.environ)
    env.update(server.env())
    return env


def period_frames(rate, server=None):
    """One period of the server that plays (``server``, or the session's
    when None), in frames at ``rate``: the unit of the timing tolerances."""
    kind = server.kind if server is not None else server_kind_from_env()
    return int(round(period_seconds(kind, server) * rate))


def pactl(*args, check=True, server=None):
    r = subprocess.run(["pactl", *args], capture_output=True, text=True,
                       env=server_env(server))
    if check and r.returncode != 0:
        raise RuntimeError(f"pactl {' '.join(args)} failed: {r.stderr}")
    return r.stdout


def sink_indices():
    """name -> index of the server's sinks."""
    out = {}
    for line in pactl("list", "short", "sinks").splitlines():
        f = line.split("\t")
        if len(f) >= 2:
            out[f[1]] = int(f[0])
    return out


PA_INVALID_INDEX = 0xFFFFFFFF  # a stream not linked to any sink (yet)


def sink_inputs():
    """List of (input index, sink index) of the server's playback streams."""
    out = []
    for line in pactl("list", "short", "sink-inputs").splitlines():
        f = line.split("\t")
        if len(f) >= 2:
            out.append((int(f[0]), int(f[1])))
    return out


def queued_by_server_us():
    """How much audio the server holds ahead of the listener for each
    playback stream, in microseconds: the "Buffer Latency" and "Sink
    Latency" of `pactl list sink-inputs` (PulseAudio counts the stream's
    queue in the first; pipewire-pulse reports 0 there and counts it in the
    second)."""
    out = pactl("list", "sink-inputs")
    buffer = re.findall(r"Buffer Latency: (\d+) usec", out)
    sink = re.findall(r"Sink Latency: (\d+) usec", out)
    return [int(b) + int(s) for b, s in zip(buffer, sink)]


# --------------------------------------------------------------------------
# Capture
# --------------------------------------------------------------------------

class Capture:
    """Records ``<sink>.monitor`` with parec from before the playback starts.

    ``data`` is an array of shape (frames, channels) in the sink's own
    format; ``arrival`` gives the monotonic time at which each chunk came in.
    """

    def __init__(self, sink=SPEAKER, fmt=None, rate=None, channels=None,
                 server=None):
        if isinstance(sink, str):
            sink = SINKS[sink]
        self.spec = sink
        self.pa_format = fmt or sink.pa_format
        self.rate = rate or sink.rate
        self.channels = channels or sink.channels
        self.dtype = PA_TO_NP[self.pa_format]
        self.frame_bytes = self.dtype.itemsize * self.channels
        self._chunks = []  # (monotonic time, bytes)
        self._lock = threading.Lock()
        self.proc = None
        self.thread = None
        self._data = None
        # a PulseServer other than the session's (None: this process's env)
        self.env = server_env(server)

    def start(self, timeout=10.0):
        self.proc = subprocess.Popen(
            ["parec", "-d", f"{self.spec.name}.monitor", "--raw",
             f"--format={self.pa_format}", f"--rate={self.rate}",
             f"--channels={self.channels}", "--latency-msec=5",
             "--client-name=audiocast-test-capture"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent,
            env=self.env)
        try:  # a big pipe, so that a busy reader never makes parec wait
            fcntl.fcntl(self.proc.stdout.fileno(), 1031, 1 << 20)  # F_SETPIPE_SZ
        except OSError:
            pass
        self.thread = threading.Thread(target=self._reader, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if self._chunks:
                    break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode(errors="replace") \
                    if self.proc.poll() is not None else ""
                self.stop()
                raise RuntimeError(f"parec on {self.spec.name} gave no data {err}")
            time.sleep(0.005)
        return self

    def _reader(self):
        fd = self.proc.stdout.fileno()
        while True:
            try:
                b = os.read(fd, 1 << 16)
            except OSError:
                break
            if not b:
                break
            t = time.monotonic()
            with self._lock:
                self._chunks.append((t, b))

    def stop(self, settle=0.0):
        if settle:
            time.sleep(settle)
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.thread is not None:
            self.thread.join(5)
        self._data = None
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _build(self):
        with self._lock:
            chunks = list(self._chunks)
        raw = b"".join(c for _, c in chunks)
        n = len(raw) // self.frame_bytes
        data = np.frombuffer(raw[:n * self.frame_bytes], dtype=self.dtype)
        data = data.reshape(n, self.channels)
        # arrival[i] = time at which frame i had arrived
        ends = np.cumsum([len(c) for _, c in chunks]) // self.frame_bytes
        times = np.array([t for t, _ in chunks])
        return data, ends, times

    @property
    def data(self):
        if self._data is None:
            self._data = self._build()
        return self._data[0]

    def arrival_time(self, frame):
        """Monotonic time at which captured frame ``frame`` had arrived."""
        if self._data is None:
            self._data = self._build()
        _, ends, times = self._data
        i = int(np.searchsorted(ends, frame, side="right"))
        return float(times[min(i, len(times) - 1)])

    def frames_arrived_by(self, t):
        if self._data is None:
            self._data = self._build()
        _, ends, times = self._data
        i = int(np.searchsorted(times, t, side="right"))
        return int(ends[i - 1]) if i > 0 else 0


# --------------------------------------------------------------------------
# Player: appsrc ! audiocastsink
# --------------------------------------------------------------------------

class Player:
    def __init__(self, fmt="F32LE", rate=48000, channels=2, chunk_frames=1024,
                 **props):
        self.fmt = fmt
        self.rate = rate
        self.channels = channels
        self.dtype = np.dtype(FORMATS[fmt][0])
        self.chunk_frames = chunk_frames
        self.pushed = 0
        self.pipeline = Gst.Pipeline.new("player")
        self.src = Gst.ElementFactory.make("appsrc", "src")
        self.sink = Gst.ElementFactory.make("audiocastsink", "cast")
        assert self.sink is not None, (
            "audiocastsink not found (GST_PLUGIN_PATH_1_0="
            f"{os.environ.get('GST_PLUGIN_PATH_1_0')})")
        caps = Gst.Caps.from_string(
            f"audio/x-raw,format={fmt},rate={rate},channels={channels},"
            "layout=interleaved" + (",channel-mask=(bitmask)0x3"
                                    if channels == 2 else ""))
        chunk_bytes = chunk_frames * channels * self.dtype.itemsize
        self.src.set_property("caps", caps)
        self.src.set_property("format", Gst.Format.TIME)
        self.src.set_property("block", True)
        self.src.set_property("max-bytes", 2 * chunk_bytes)
        # An application's stream: written faster than real time and heard
        # as written, whatever the wall clock did in between (an underrun is
        # a pause, not lost audio). Media-app timing (sync, preroll) is
        # tested with pipelines of its own (test_media_*.py).
        props.setdefault("sync", False)
        props.setdefault("async", False)
        for k, v in props.items():
            self.sink.set_property(k.replace("_", "-"), v)
        self.pipeline.add(self.src)
        self.pipeline.add(self.sink)
        assert self.src.link(self.sink)
        self.bus = self.pipeline.get_bus()

    # -- state --
    def start(self):
        ret = self.pipeline.set_state(Gst.State.PLAYING)
        if ret == Gst.StateChangeReturn.FAILURE:
            raise AssertionError("set_state(PLAYING) failed: "
                                 + "; ".join(self.error_texts()))
        return ret

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- writing --
    def write(self, samples, wait=True, timeout=None):
        """Pushes ``samples`` ((frames, channels) array); returns once the
        element has accepted all of them (frames-written) when ``wait``."""
        samples = np.ascontiguousarray(samples, dtype=self.dtype)
        assert samples.ndim == 2 and samples.shape[1] == self.channels
        n = len(samples)
        for i in range(0, n, self.chunk_frames):
            c = samples[i:i + self.chunk_frames]
            buf = Gst.Buffer.new_wrapped(c.tobytes())
            buf.pts = Gst.util_uint64_scale(self.pushed, Gst.SECOND, self.rate)
            buf.duration = Gst.util_uint64_scale(self.pushed + len(c),
                                                 Gst.SECOND, self.rate) - buf.pts
            buf.offset = self.pushed
            buf.offset_end = self.pushed + len(c)
            ret = self.src.push_buffer(buf)
            assert ret == Gst.FlowReturn.OK, f"push-buffer returned {ret}"
            self.pushed += len(c)
        if wait:
            self.wait_written(self.pushed, timeout)
        return n

    def wait_written(self, frames, timeout=None):
        if timeout is None:
            timeout = 15.0 + frames / self.rate
        deadline = time.monotonic() + timeout
        while self.prop("frames-written") < frames:
            self.raise_on_error()
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"frames-written={self.prop('frames-written')} did not "
                    f"reach {frames} within {timeout:.1f}s")
            time.sleep(0.002)

    def wait_played(self, frames, timeout=15.0):
        deadline = time.monotonic() + timeout
        while self.prop("frames-played") < frames:
            self.raise_on_error()
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"frames-played={self.prop('frames-played')} did not "
                    f"reach {frames} within {timeout:.1f}s")
            time.sleep(0.002)

    def end_of_stream(self):
        self.src.end_of_stream()

    # -- element API --
    def prop(self, name):
        return self.sink.get_property(name)

    def stats(self):
        return {k: self.prop(k) for k in (
            "frames-written", "frames-played", "frames-cleared",
            "buffered-frames", "underruns")}

    def drain(self, timeout_us=-1):
        t0 = time.monotonic()
        ok = self.sink.emit("drain", timeout_us)
        return ok, time.monotonic() - t0

    def clear(self):
        return self.sink.emit("clear")

    # -- bus --
    def error_texts(self):
        out = []
        while True:
            m = self.bus.pop_filtered(Gst.MessageType.ERROR)
            if m is None:
                return out
            err, dbg = m.parse_error()
            out.append(f"{err.message} ({dbg})")

    def raise_on_error(self):
        m = self.bus.pop_filtered(Gst.MessageType.ERROR)
        if m is not None:
            err, dbg = m.parse_error()
            raise AssertionError(f"ERROR on the bus: {err.message} ({dbg})")

    def wait_eos(self, timeout=30.0):
        m = self.bus.timed_pop_filtered(
            int(timeout * Gst.SECOND), Gst.MessageType.EOS | Gst.MessageType.ERROR)
        assert m is not None, f"no EOS within {timeout}s"
        if m.type == Gst.MessageType.ERROR:
            err, dbg = m.parse_error()
            raise AssertionError(f"ERROR instead of EOS: {err.message} ({dbg})")
        return time.monotonic()


def check_stats_consistent(p, drained=True):
    s = p.stats()
    assert s["frames-written"] == (s["frames-played"] + s["frames-cleared"]
                                   + s["buffered-frames"]), s
    if drained:
        assert s["buffered-frames"] == 0, s
    return s


# --------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------

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


# --------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------

# Integer captures: audioconvert dithers (TPDF) when it reduces the sample
# depth, so "silence" written by the element reaches an S16 device as +-1 LSB
# noise. Up to this many LSBs counts as silence; float captures must be 0.
SILENCE_LSB = 2


def nonsilent_mask(data):
    if data.dtype.kind in "iu":
        return np.any(np.abs(data.astype(np.int64)) > SILENCE_LSB, axis=1)
    return np.any(data != 0, axis=1)


def first_nonzero(data, start=0):
    idx = np.flatnonzero(nonsilent_mask(data[start:]))
    return None if len(idx) == 0 else int(idx[0]) + start


def last_nonzero(data, end=None):
    idx = np.flatnonzero(nonsilent_mask(data[:end]))
    return None if len(idx) == 0 else int(idx[-1])


def trimmed(data):
    """The capture from its first to its last non-silent frame."""
    a = first_nonzero(data)
    if a is None:
        return data[:0]
    return data[a:last_nonzero(data) + 1]


def segments(data, min_gap):
    """Non-silent runs [start, end) separated by >= min_gap silent frames."""
    idx = np.flatnonzero(nonsilent_mask(data))
    if len(idx) == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > min_gap)
    starts = [idx[0]] + [idx[b + 1] for b in breaks]
    ends = [idx[b] + 1 for b in breaks] + [idx[-1] + 1]
    return [(int(s), int(e)) for s, e in zip(starts, ends)]


def silent_runs(data, start, end):
    """Lengths of the silent runs in data[start:end]."""
    m = nonsilent_mask(data[start:end]).astype(np.int8)
    if len(m) == 0:
        return []
    d = np.diff(np.concatenate(([1], m, [1])))
    s = np.flatnonzero(d == -1)
    e = np.flatnonzero(d == 1)
    return list(e - s)


def find_exact(hay, window, start=0):
    """Offsets (>= start) where ``window`` occurs bit-exactly in ``hay``."""
    h = np.ascontiguousarray(hay[start:])
    w = np.ascontiguousarray(window)
    if len(w) == 0 or len(h) < len(w):
        return []
    hv = h.view(np.uint8).reshape(len(h), -1)
    wv = w[:1].view(np.uint8).reshape(-1)
    cand = np.flatnonzero(np.all(hv == wv, axis=1))
    out = []
    for c in cand:
        if c + len(w) <= len(h) and np.array_equal(
                h[c:c + len(w)].view(np.uint8), w.view(np.uint8)):
            out.append(int(c) + start)
    return out


def as_float(data):
    if data.dtype.kind == "f":
        return data.astype(np.float64)
    return data.astype(np.float64) / float(np.iinfo(data.dtype).max)


def frequency(x, rate):
    """Frequency of a 1-D sine from its interpolated rising zero crossings."""
    x = np.asarray(x, dtype=np.float64)
    x = x - x.mean()
    s = np.signbit(x)
    rising = np.flatnonzero(s[:-1] & ~s[1:])
    if len(rising) < 3:
        return 0.0
    # linear interpolation of the crossing position
    x0 = x[rising]
    x1 = x[rising + 1]
    pos = rising + (-x0) / (x1 - x0)
    return (len(pos) - 1) * rate / (pos[-1] - pos[0])


def rms(x):
    x = np.asarray(x, dtype=np.float64)
    return float(np.sqrt(np.mean(x * x))) if len(x) else 0.0


def which(name):
    return shutil.which(name)


# --------------------------------------------------------------------------
# Marked audio: every chunk a constant frame that encodes its id
# --------------------------------------------------------------------------

MARKER_IDS = 4096 * 64  # ids 0 .. MARKER_IDS - 1


def marker_frame(ident):
    """The float32 stereo frame that stands for chunk ``ident``: exactly
    representable values, never silence, never a noise() frame by chance."""
    ident = int(ident)
    assert 0 <= ident < MARKER_IDS, ident
    return np.array([((ident & 0xFFF) + 1) / 8192.0,
                     -((ident >> 12) + 1) / 64.0], dtype="<f4")


def marker_chunk(ident, frames):
    """``frames`` frames of chunk ``ident``'s marker, shape (frames, 2)."""
    return np.tile(marker_frame(ident), (int(frames), 1))


def decode_markers(data):
    """The chunk id of every frame of a float32 stereo capture: -1 for
    silence, -2 for a frame that is no marker (audio that was changed)."""
    data = np.asarray(data, dtype="<f4")
    lo = np.rint(data[:, 0].astype(np.float64) * 8192.0) - 1
    hi = np.rint(-data[:, 1].astype(np.float64) * 64.0) - 1
    ok = (lo >= 0) & (lo < 4096) & (hi >= 0) & (hi < 64)
    ids = np.where(ok, hi * 4096 + lo, 0).astype(np.int64)
    exact = ok & (data[:, 0] == ((ids & 0xFFF) + 1) / np.float32(8192.0)) \
        & (data[:, 1] == -((ids >> 12) + 1) / np.float32(64.0))
    out = np.where(exact, ids, -2)
    out[~np.any(data != 0, axis=1)] = -1
    return out


def runs(values):
    """Runs of equal values: (starts, lengths, values) as arrays."""
    values = np.asarray(values)
    if len(values) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, values[:0]
    cut = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate(([0], cut))
    lengths = np.diff(np.concatenate((starts, [len(values)])))
    return starts, lengths, values[starts]


def frame_keys(data):
    """One uint64 per float32 stereo frame (its bit pattern), for set
    look-ups of frames."""
    return np.ascontiguousarray(data, dtype="<f4").view("<u8").ravel()


def server_xrun_quantum():
    """The whole frames a server's own graph xrun inserts or skips, or None
    where the server has none to excuse: PipeWire's null sinks are driven by
    a timer, and on a loaded two-core machine the graph misses a cycle now
    and then, for any client (docs/servers.md: pacat's own audio loses a
    quantum a few times a minute there); a PulseAudio null sink never
    misses."""
    return 256 if server_kind_from_env() == "pipewire" else None


def assert_heard_exactly(captured, written, what="the audio"):
    """``captured`` (from the first sound on) holds every frame of
    ``written``, bit-exact and in order, and nothing after it; the server's
    own whole-quantum xruns (server_xrun_quantum) are stepped over and
    returned."""
    heard, glitches, bad = follow_written(captured, written,
                                          server_xrun_quantum())
    assert bad is None, (
        f"{what}: the capture departs from what was written at capture "
        f"offset {bad}, after {heard} of its {len(written)} frames")
    assert heard == len(written), (
        f"{what}: {heard} frames heard of {len(written)}")
    if glitches:
        print(f"{what}: server xruns stepped over: {glitches}")
    return glitches


def follow_written(captured, written, quantum=None):
    """How a stretch of a capture that starts with ``written[0]`` (or with
    the first frame after whole quanta an xrun skipped) follows ``written``,
    compared frame by frame, bit for bit.

    Returns ``(heard, glitches, departure)``: ``heard`` is how far into
    ``written`` the capture got (one past the last written frame heard in
    order); ``glitches`` the server's own graph xruns stepped over, as
    (capture offset, silent frames inserted, written frames skipped), each a
    whole number of ``quantum`` frames (None: none are allowed); and
    ``departure`` the capture offset of the first thing no glitch explains
    (sound that was not written, a frame out of order or twice, a gap that is
    not whole quanta), or None. Silence after the last frame heard is the
    end of the stretch, not a departure."""
    got = frame_keys(captured)
    want = frame_keys(written)
    sound = nonsilent_mask(captured)
    probe = 16  # frames that must agree after a glitch
    c = r = 0
    glitches = []

    def agree(c, r):
        n = min(probe, len(want) - r, len(got) - c)
        return n > 0 and np.array_equal(got[c:c + n], want[r:r + n])

    def step_over(c, r):
        """(inserted, skipped) of whole quanta after which the capture at
        ``c`` agrees with ``written`` again, or None."""
        if quantum is None:
            return None
        for inserted in range(0, 5 * quantum, quantum):
            if sound[c:c + inserted].any():
                break
            for skipped in range(0, 5 * quantum, quantum):
                if (inserted or skipped) and agree(c + inserted, r + skipped):
                    return inserted, skipped
        return None

    while r < len(want) and c < len(got):
        n = min(len(want) - r, len(got) - c)
        differ = np.flatnonzero(got[c:c + n] != want[r:r + n])
        if len(differ) == 0:
            c, r = c + n, r + n
            break
        c, r = c + int(differ[0]), r + int(differ[0])
        over = step_over(c, r)
        if over is None:
            break
        glitches.append((c, *over))
        c, r = c + over[0], r + over[1]
    return r, glitches, c if sound[c:].any() else None


def long_tests():
    """Whether the long variants run (meson -Dlong-tests=true, or
    AUDIOCAST_LONG_TESTS=1 by hand)."""
    return os.environ.get("AUDIOCAST_LONG_TESTS", "0") not in ("", "0", "false")


def clear_heads(heard, cleared_after):
    """Where the heard position stood at each clear, in frames of the
    written stream: heard[i] is what clear i returned (frames heard since the
    previous clear), cleared_after[i] the frames-cleared counter after it.
    Every written frame before the head was heard or cleared, so the head of
    clear i is (frames heard up to it) + (frames cleared before it)."""
    heads = []
    played = 0
    before = 0
    for h, c in zip(heard, cleared_after):
        played += int(h)
        heads.append(played + before)
        before = int(c)
    return heads


def cleared_but_heard(chunks, clears, heard, arrival, slack, cut_time):
    """Audio that a clear reported discarded but that was heard after the
    clear returned.

    ``chunks``: {id: (offset, accepted, done)}: where the chunk starts in the
    written stream, how many frames write() accepted, and when its write()
    returned (any ordered key: a time, a cycle number). ``clears``: list of
    (start, head, returned): when clear() was called (same key as ``done``),
    the head it reported (clear_heads()) and the monotonic time it returned.
    ``heard``: {id: frames heard}; what is heard of a chunk is its beginning.
    ``arrival(id, k)``: the monotonic time frame k of chunk id reached the
    capture.

    Of a chunk written before a clear was called, the frames past that
    clear's head (plus ``slack`` frames) were reported discarded. If the
    last of them arrived more than ``cut_time`` seconds after the clear
    returned, discarded audio was heard: returns those as
    [(id, frames past the head, seconds after the clear returned, clear)].
    Also returns, for the report, the largest number of frames heard past a
    head otherwise (the heard count lagging behind the device, or the cut
    coming late by less than the limits).
    """
    starts = np.array([c[0] for c in clears], dtype=np.float64)
    order = np.argsort(starts, kind="stable")
    starts = starts[order]
    out = []
    lag = 0
    for ident, n in heard.items():
        if n <= 0:
            continue
        offset, accepted, done = chunks[ident]
        i = int(np.searchsorted(starts, done, side="right"))
        if i == len(starts):
            continue  # no clear after it
        k = int(order[i])
        _, head, returned = clears[k]
        past = offset + n - head
        if past <= 0:
            continue
        late = arrival(ident, n - 1) - returned
        if past > slack and late > cut_time:
            out.append((ident, int(past), late, k))
        else:
            lag = max(lag, int(past))
    return out, lag


def rss_bytes(pid="self"):
    """Resident set size of a process (VmRSS), in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")
