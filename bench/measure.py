"""Reading a capture of the sink's monitor.

A frame's time is when the chunk holding it was captured: the null sink mixes
and the monitor delivers audio in blocks (5 ms here), so that is the earliest
moment the frame existed for a listener. To take out the reader's scheduling
jitter, a chunk's time is its end position at 48 kHz plus the capture's
median delay over the second around it, rather than its own arrival time.
The same clock serves every peer, so the capture path's latency cancels in
comparisons; absolute times include it. The end of a cut sound can come
before the call that cut it: the sink mixes ahead of time, so the last block
with sound may have been mixed and captured before the call began.
"""

import numpy as np

from bench.audio import FRAME_BYTES, RATE
from bench.server import analysis

WINDOW_FRAMES = RATE          # delay estimated over 1 s around a frame
MIN_GAP_FRAMES = RATE // 1000  # a silent run of 1 ms or more is a gap


class NoSound(RuntimeError):
    pass


class Recording:
    def __init__(self, capture):
        data, ends, times = capture._build()
        self.data = data
        self.ends = ends
        self.offsets = times - ends / RATE
        self.first = analysis.first_nonzero(data)
        self.last = analysis.last_nonzero(data)
        if self.first is None:
            raise NoSound("nothing but silence was captured")

    def time_of(self, frame):
        """time.monotonic() at which frame ``frame`` was captured."""
        chunk = min(np.searchsorted(self.ends, frame, side="right"),
                    len(self.ends) - 1)
        lo = np.searchsorted(self.ends, frame - WINDOW_FRAMES)
        hi = max(np.searchsorted(self.ends, frame + WINDOW_FRAMES), lo + 1)
        return float(np.median(self.offsets[lo:hi])) + self.ends[chunk] / RATE

    @property
    def sound_frames(self):
        """Frames from the first sound to the last (the trimmed capture)."""
        return self.last + 1 - self.first

    @property
    def sound_seconds(self):
        return self.sound_frames / RATE

    def start_ms(self, t):
        """First sound, in ms after ``t``."""
        return (self.time_of(self.first) - t) * 1e3

    def end_ms(self, t):
        """Last sound, in ms after ``t``."""
        return (self.time_of(self.last) - t) * 1e3

    def heard_ms(self, t, seconds):
        """When the first ``seconds`` of sound had been heard, ms after ``t``."""
        frame = self.first + round(seconds * RATE) - 1
        if frame > self.last:
            raise NoSound(f"only {self.sound_seconds * 1e3:.0f} ms of sound captured")
        return (self.time_of(frame) - t) * 1e3

    def lost_at_start_frames(self, written):
        """How many frames of ``written`` (float32 frames, the stream
        played) were never heard before the first captured frame: the first
        captured frame is found among the written ones, bit for bit."""
        first = self.data[self.first]
        match = np.flatnonzero((written == first).all(axis=1))
        return int(match[0]) if len(match) else len(written)

    def lost_at_start_ms(self, written):
        return self.lost_at_start_frames(written) / RATE * 1e3

    def _gap_frames(self):
        """Silent runs of >= 1 ms between the first and last sound, as
        [start, end) capture frames."""
        sound = analysis.nonsilent_mask(self.data[self.first:self.last + 1])
        edges = np.diff(np.concatenate(([1], sound.astype(np.int8), [1])))
        starts, ends = np.flatnonzero(edges == -1), np.flatnonzero(edges == 1)
        return [(self.first + a, self.first + b)
                for a, b in zip(starts, ends) if b - a >= MIN_GAP_FRAMES]

    def chunk_heard_ms(self, chunks, times):
        """For each written chunk (float32 bytes) found in the capture, when
        its first frame was heard, in ms after its time in ``times``."""
        heads = np.array([np.frombuffer(c[:FRAME_BYTES], dtype="<f4")
                          for c in chunks])
        return [(self.time_of(int(at)) - t) * 1e3
                for at, t in zip(analysis.frame_positions(self.data, heads), times)
                if at >= 0]

    def gaps(self, t):
        """Silences of >= 1 ms between the first and last sound, as
        (start in ms after ``t``, length in ms)."""
        return [((self.time_of(a) - t) * 1e3, (b - a) / RATE * 1e3)
                for a, b in self._gap_frames()]

    def start_after_silence_ms(self, t, silence_s):
        """The first sound after the first silence of ``silence_s`` or more
        between the first and last sound, in ms after ``t``."""
        for a, b in self._gap_frames():
            if b - a >= silence_s * RATE:
                return (self.time_of(b) - t) * 1e3
        raise NoSound(f"no silence of {silence_s} s between two sounds")

    def sound_after_gap_ms(self, t, since_ms):
        """Sound captured after the first silence of >= 1 ms that began at
        most ``since_ms`` before ``t`` (or after it), in ms: audio that came
        back after it had stopped. 0 when there is none."""
        for a, b in self._gap_frames():
            if (self.time_of(a) - t) * 1e3 >= -since_ms:
                sound = analysis.nonsilent_mask(self.data[b:self.last + 1])
                return int(np.count_nonzero(sound)) / RATE * 1e3
        return 0.0


def has_heard(capture, seconds):
    """Whether ``capture`` holds ``seconds`` of sound (for polling)."""
    data = capture._build()[0]
    first = analysis.first_nonzero(data)
    return first is not None and analysis.last_nonzero(data) - first >= seconds * RATE
