#!/usr/bin/python3
"""audiocastsink in a Python GStreamer application: appsrc feeds it, the
"clear" action signal cuts the audio at once and says how much was heard,
and the end-of-stream message comes once the last frame was heard.

    python3 examples/gst_app.py [--device NAME]
"""

import argparse
import math
import struct
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

RATE = 48000


def tone(freq: float, seconds: float) -> bytes:
    n = int(RATE * seconds)
    return struct.pack(f"<{n}h", *(int(8000 * math.sin(2 * math.pi * freq * i / RATE))
                                   for i in range(n)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", help="output device")
    args = parser.parse_args()

    Gst.init(None)
    device = f" device={args.device}" if args.device else ""
    pipeline = Gst.parse_launch(
        "appsrc name=src format=time caps=audio/x-raw,format=S16LE,"
        f"rate={RATE},channels=1,layout=interleaved ! audiocastsink name=sink{device}")
    src = pipeline.get_by_name("src")
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)

    # two seconds of 440 Hz, cut after about half a second
    src.emit("push-buffer", Gst.Buffer.new_wrapped(tone(440.0, 2.0)))
    time.sleep(0.5)                                # the user interrupts
    heard = sink.emit("clear")
    print(f"cleared: {heard / RATE:.2f} s of the 440 Hz tone heard")

    # then one second of 660 Hz, heard to the end. appsrc hands buffers to
    # its own streaming thread, so the sink's "drain" signal, which waits for
    # what reached the sink, could come before this buffer does: the
    # end-of-stream goes through the same thread, and audiocastsink posts it
    # once everything before it was heard.
    src.emit("push-buffer", Gst.Buffer.new_wrapped(tone(660.0, 1.0)))
    src.emit("end-of-stream")
    msg = pipeline.get_bus().timed_pop_filtered(
        10 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    ok = msg is not None and msg.type == Gst.MessageType.EOS
    print("the 660 Hz tone was heard to the end" if ok
          else f"no end of stream: {msg.parse_error()[0].message if msg else 'timeout'}")
    pipeline.set_state(Gst.State.NULL)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
