"""A hand-written GStreamer pipeline, ``appsrc ! pulsesink``, fed with
push_buffer() and interrupted by a flush (FLUSH_START + FLUSH_STOP sent to the
pipeline); ``server`` is pulsesink's own property.

appsrc queues up to ``buffer_seconds`` (default 2 s, as audiocast's ring) and
blocks the writer beyond that. The pipeline goes to READY when opened and to
PLAYING on the first write: left PAUSED or PLAYING while idle, pulsesink holds
the first buffer back by the time it was idle (measured: 0.5 s idle, 0.5 s
before the first sound), a pitfall this peer is spared.
"""

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
from gi.repository import Gst, GstApp  # noqa: E402,F401

from bench.audio import BYTES_PER_SECOND, CHANNELS, FRAME_BYTES, RATE  # noqa: E402

Gst.init(None)


class Peer:
    def __init__(self, device, buffer_seconds=2.0, server=None):
        max_bytes = int((buffer_seconds or 0) * BYTES_PER_SECOND)  # 0: no limit
        self.pipeline = Gst.parse_launch(
            f"appsrc name=src format=time block=true max-bytes={max_bytes} "
            f"caps=audio/x-raw,format=F32LE,rate={RATE},channels={CHANNELS},"
            f"layout=interleaved ! pulsesink name=sink device={device}")
        self.src = self.pipeline.get_by_name("src")
        if server is not None:  # a server other than the default (TCP)
            self.pipeline.get_by_name("sink").set_property("server", server)
        self.frames = 0
        self.playing = False
        self._set_state(Gst.State.READY)

    def _set_state(self, state):
        if self.pipeline.set_state(state) == Gst.StateChangeReturn.FAILURE:
            raise RuntimeError(f"appsrc ! pulsesink: cannot go to {state}")

    def prepare(self, chunk):
        return chunk

    def write(self, data):
        if not self.playing:
            self.playing = True
            self._set_state(Gst.State.PLAYING)
        n = len(data) // FRAME_BYTES
        buf = Gst.Buffer.new_wrapped(data)
        buf.pts = Gst.util_uint64_scale(self.frames, Gst.SECOND, RATE)
        buf.duration = Gst.util_uint64_scale(n, Gst.SECOND, RATE)
        self.frames += n
        self.src.push_buffer(buf)  # FLUSHING once cleared: the writer stops

    def clear(self):
        self.pipeline.send_event(Gst.Event.new_flush_start())
        self.pipeline.send_event(Gst.Event.new_flush_stop(True))
        self.frames = 0  # reset_time: the next buffer starts at running time 0

    def finish(self):
        self.src.end_of_stream()
        self.pipeline.get_bus().timed_pop_filtered(
            30 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)

    def close(self):
        self.pipeline.set_state(Gst.State.NULL)
