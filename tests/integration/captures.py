"""Capture: what a sink played, recorded from its monitor with parec,
with the arrival time of every chunk."""

import fcntl
import os
import subprocess
import threading
import time

import numpy as np

from sound_servers import SINKS, SPEAKER, _die_with_parent, server_env

# GStreamer format name -> (numpy dtype, PulseAudio / parec format name)
FORMATS = {
    "F32LE": ("<f4", "float32le"),
    "S16LE": ("<i2", "s16le"),
    "S32LE": ("<i4", "s32le"),
}
PA_TO_NP = {pa: np.dtype(dt) for dt, pa in FORMATS.values()}



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
        self._bytes = 0    # in _chunks, for stop()'s settle
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
                self._bytes += len(b)

    def stop(self, settle=0.0):
        """Ends the capture ``settle`` seconds of the monitor's audio after
        the call: counted in frames that arrive, not waited by the clock,
        because on a loaded machine parec can deliver its last fragment a
        good while after the server recorded it."""
        if settle:
            self._wait_for_audio(settle)
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

    def _wait_for_audio(self, seconds, slack=5.0):
        """Until ``seconds`` of audio have arrived since the call (the
        monitor records all the time, silence too); gives up after
        ``slack`` seconds more, and the test judges what it has."""
        with self._lock:
            until = self._bytes + int(seconds * self.rate) * self.frame_bytes
        deadline = time.monotonic() + seconds + slack
        time.sleep(seconds)
        while time.monotonic() < deadline and self.proc is not None \
                and self.proc.poll() is None:
            with self._lock:
                if self._bytes >= until:
                    return
            time.sleep(0.005)

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
