"""Player: an ``appsrc ! audiocastsink`` pipeline with blocking writes, and
the check that its counters add up."""

import os
import time

import numpy as np

from captures import FORMATS
from gstreamer import Gst

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
            if isinstance(v, str):  # as gst-launch would: enums by nick
                Gst.util_set_object_arg(self.sink, k.replace("_", "-"), v)
            else:
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
