"""audiocast through its Python package: the library under test."""

from array import array

import audiocast

from bench.audio import CHANNELS, RATE


class Peer:
    def __init__(self, device, buffer_seconds=None, server=None,
                 low_latency=False):
        # None: the default 2 s ring, as users get it
        tuning = {} if buffer_seconds is None else {"buffer_time": buffer_seconds}
        if low_latency:  # its documented low-latency mode
            tuning["latency"] = "low"
        if server is not None:  # a server other than the default (TCP)
            tuning["server"] = server
        self.player = audiocast.AudioPlayer(device=device, sample_rate=RATE,
                                            channels=CHANNELS, **tuning)

    def prepare(self, chunk):
        a = array("f")  # without numpy, array('f') is how float32 is written
        a.frombytes(chunk)
        return a

    def write(self, data):
        self.player.write(data)  # returns early once cleared

    def play_at(self, chunks, t):
        """The chunks as one sound started at time.monotonic() ``t``."""
        whole = array("f")
        for c in chunks:
            whole.extend(c)
        self.sound = self.player.play(whole, at=t)

    def clear(self):
        return self.player.clear()  # frames heard, by the library's count

    def finish(self):
        self.player.drain()

    def close(self):
        self.player.stop()
