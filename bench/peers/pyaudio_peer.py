"""PyAudio (Debian's python3-pyaudio over PortAudio's ALSA host API), reaching
the private PulseAudio through the default ALSA device, which libasound2-plugins
points at PulseAudio while a server answers (PULSE_SERVER).

The stream is opened with 10 ms buffers and fed by blocking ``write()`` of
10 ms chunks, the usual way to stream with PyAudio. For low latency it is
opened with LOW_LATENCY_FRAMES buffers instead, the smallest tried: with the
other core busy, 32, 64 and 128 frames each streamed 20 s here without a gap,
heard 11.1, 11.1 and 15.4 ms after the write (PyAudio's open takes no latency
of its own; PortAudio asks ALSA for its default low latency).
"""

import pyaudio

from bench.audio import CHANNELS, CHUNK_FRAMES, RATE


LOW_LATENCY_FRAMES = 32


class Peer:
    def __init__(self, device, buffer_seconds=None, low_latency=False):
        # device: PyAudio has no PulseAudio sink names; the default ALSA
        # device plays to the server's default sink, which is `device`.
        self.pa = pyaudio.PyAudio()
        self.stream = self.pa.open(format=pyaudio.paFloat32, channels=CHANNELS,
                                   rate=RATE, output=True,
                                   frames_per_buffer=(LOW_LATENCY_FRAMES
                                                      if low_latency
                                                      else CHUNK_FRAMES))
        self.stopping = False

    def prepare(self, chunk):
        return chunk

    def write(self, data):
        self.stream.write(data)
        if self.stopping:
            self.stream.stop_stream()

    def clear(self):
        # PortAudio is not thread-safe: stop_stream() from this thread while
        # the feeder blocks in write() can hang the process (it did here, on
        # a busy machine). So barge-in asks the writing thread to stop: its
        # write() in progress returns, then it calls stop_stream(), PyAudio's
        # only public stop (PortAudio's discarding Pa_AbortStream has no
        # public method; through the ALSA pulse plugin stop_stream() drops
        # what the plugin holds anyway).
        self.stopping = True

    def finish(self):
        # Pa_StopStream: documented to return once pending buffers played
        self.stream.stop_stream()

    def close(self):
        self.stream.close()
        self.pa.terminate()
