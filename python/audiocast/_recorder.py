"""AudioRecorder: a thin wrapper over ``AudioCast.Recorder`` (private)."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Any, AsyncIterator, Dict, Iterator, NamedTuple, Optional, Type

from ._async import Wakeup, chunks_async, read_async
from ._errors import InvalidArgumentError, RecorderClosedError, from_glib, is_cancelled
from ._gi import AudioCast, Gio, GLib
from ._native import native_reader
from ._player import (_GUINT_MAX, AudioPlayer, _device_name, _micros, _positive,
                      call_interruptibly, text_argument)

__all__ = ["AudioRecorder", "ReadInfo"]

Fmt = AudioCast.SampleFormat
# How long the main thread waits for audio in one C call (see
# _wait_in_slices): Ctrl-C is handled within this.
_WAIT_SLICE_US = 50_000

# dtype name -> (sample format, bytes per sample, numpy dtype: little-endian
# like the samples the library returns)
_DTYPES = {
    "int16": (Fmt.S16LE, 2, "<i2"),
    "int32": (Fmt.S32LE, 4, "<i4"),
    "float32": (Fmt.F32LE, 4, "<f4"),
    "float64": (Fmt.F64LE, 8, "<f8"),
}


def _dtype_name(dtype: Any) -> str:
    """"float32", a numpy dtype or a type like ``numpy.int16`` -> its name
    among those accepted; anything else raises naming them."""
    name = dtype if isinstance(dtype, str) else None
    np = sys.modules.get("numpy")
    if name is None and np is not None:
        try:
            name = np.dtype(dtype).name
        except TypeError:
            name = None
    if name not in _DTYPES:
        raise ValueError(f"dtype {dtype!r} is not supported: use one of "
                         + ", ".join(_DTYPES))
    return name


def _frame_count(name: str, frames: Any, minimum: int = 1) -> int:
    if isinstance(frames, bool) or not isinstance(frames, int):
        raise TypeError(f"{name} must be an int, not {type(frames).__name__}")
    if frames < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {frames}")
    return frames


class ReadInfo(NamedTuple):
    """What one read returned: ``frames`` read; ``capture_time``, when the
    first of them was captured, in seconds of :func:`time.monotonic`
    (``None`` when nothing was read or the device gave no time);
    ``dropped_before``, how many frames were dropped just before the first
    one because the reader fell behind by more than the ring holds."""

    frames: int
    capture_time: Optional[float]
    dropped_before: int


class AudioRecorder:
    """Records from an input device.

    ``device`` is an input device name (see :func:`list_input_devices`),
    matched exactly first and then as a case-insensitive part of a name or
    description; ``None`` is the default input. A sink's monitor
    (``"speaker.monitor"``) records what that output plays. ``server`` is
    the sound server, as :class:`AudioPlayer` takes it. ``sample_rate`` and
    ``channels`` are what reads return (``None``: the device's own);
    ``dtype`` is one of ``"int16"``, ``"int32"``, ``"float32"``,
    ``"float64"``. The library converts, resamples and up/down-mixes in
    GStreamer.

    ``echo_cancel`` is an :class:`AudioPlayer` whose sound the microphone
    picks up (open speakers): the recorder removes it from what it records
    (GStreamer's webrtcdsp, fed with exactly what the player's device plays
    and when it is heard), so a voice assistant hears its user and not
    itself. The player must be playing, on the same server.

    Recording starts at once, into a ring of ``buffer_time`` seconds
    (default 2 s) that the reader empties: the capture thread never waits
    for Python. When the reader falls behind by more than the ring holds,
    the oldest audio is dropped; :meth:`stats` counts it and
    :attr:`last_read` says, for the read that follows, how many frames went
    just before its first one. ``latency_time`` is the device period
    (default 10 ms).

    Reads return numpy arrays of shape (frames, channels), or ``bytes``
    when numpy is not installed. One thread reads at a time (another gets
    :class:`BusyError`); :meth:`stop` may be called from any thread.

    >>> import audiocast
    >>> with audiocast.AudioRecorder("speaker.monitor", 16000, 1) as rec:  # doctest: +SKIP
    ...     audio = rec.record(2.0)        # 2 s as float32, shape (32000, 1)

    The arguments are checked before a device is opened:

    >>> audiocast.AudioRecorder(dtype="uint8")
    Traceback (most recent call last):
      ...
    ValueError: dtype 'uint8' is not supported: use one of int16, int32, float32, float64
    """

    def __init__(self, device: Optional[str] = None,
                 sample_rate: Optional[int] = None,
                 channels: Optional[int] = None,
                 dtype: Any = "float32",
                 server: Optional[str] = None,
                 echo_cancel: Optional[AudioPlayer] = None, *,
                 buffer_time: Optional[float] = None,
                 latency_time: Optional[float] = None) -> None:
        device = _device_name(device)
        server = text_argument("server", server, "a server address",
                               "server address")
        rate = _positive("sample_rate", sample_rate)
        chans = _positive("channels", channels)
        self._dtype = _dtype_name(dtype)
        fmt, self._sample_size, self._np_dtype = _DTYPES[self._dtype]
        if echo_cancel is not None and not isinstance(echo_cancel, AudioPlayer):
            raise TypeError("echo_cancel must be an AudioPlayer or None, not "
                            f"{type(echo_cancel).__name__}")
        props: Dict[str, Any] = {
            "device": device, "server": server, "sample_rate": rate,
            "channels": chans, "format": fmt}
        if echo_cancel is not None:
            props["echo_cancel"] = echo_cancel._player
        for key, seconds in (("buffer_time", buffer_time),
                             ("latency_time", latency_time)):
            micros = _micros(key, seconds, key.replace("_", "-"))
            if micros is not None:
                props[key] = micros
        self._device = device
        self._server = server
        # cancelled by Ctrl-C to end a read waiting in the main thread
        self._cancellable = Gio.Cancellable()
        try:
            self._rec = AudioCast.Recorder(**props)
            # it is spec'd through the properties above: init is all GInitable
            self._rec.init(None)
        except GLib.Error as e:
            err = from_glib(e, RecorderClosedError)
            for given, passed in ((sample_rate, rate), (channels, chans)):
                if passed != given and passed == _GUINT_MAX:  # clamped
                    err.args = (str(err).replace(str(passed), str(given), 1),)
            raise err from e
        self._channels = int(self._rec.get_channels())
        self._capacity = int(self._rec.props.buffer_time
                             * self._rec.get_sample_rate() // 1_000_000)
        self._native_read = native_reader(self._rec)
        self._wakeup = Wakeup(self._rec.get_wakeup_fd, self._rec.arm_wakeup,
                              "recorder")
        self.last_read = ReadInfo(0, None, 0)
        """:class:`ReadInfo` of the latest read (any method that reads)."""

    # -- reading ------------------------------------------------------------

    def _new_buffer(self, frames: int) -> Any:
        np: Any = sys.modules.get("numpy")
        if np is None:
            try:
                import numpy as np
            except ImportError:
                return None
        try:
            return np.empty((frames, self._channels), dtype=self._np_dtype)
        except (MemoryError, ValueError) as e:
            raise InvalidArgumentError(
                f"cannot read {frames} frames at once ({e}); read fewer "
                "frames per call", int(AudioCast.Error.INVALID_ARGUMENT)) from None

    def _wait_in_slices(self, frames: int, micros: int) -> None:
        """The main thread waits for ``frames`` in slices of 50 ms, so that
        Ctrl-C gets through between them: handing the call to a helper
        thread, as the player's drain does, cost more CPU than the read."""
        deadline = None if micros < 0 else time.monotonic() + micros / 1e6
        while True:
            left = _WAIT_SLICE_US if deadline is None else min(
                _WAIT_SLICE_US, max(0, int((deadline - time.monotonic()) * 1e6)))
            if self._rec.wait(frames, left, None) or not self._rec.get_active():
                return
            if deadline is not None and time.monotonic() >= deadline:
                return

    def _read_once(self, buffer: Any, frames: int, micros: int) -> Any:
        """One C read of up to ``frames`` frames into ``buffer`` (or new
        bytes when ``buffer`` is None): returns what was read."""
        cancellable = self._cancellable
        if (micros != 0 and frames <= self._capacity
                and threading.current_thread() is threading.main_thread()):
            self._wait_in_slices(frames, micros)
            micros = 0

        def call() -> Any:
            if buffer is not None and self._native_read is not None:
                got, when, dropped = self._native_read(buffer, frames, micros,
                                                       cancellable)
                return buffer[:got], got, when, dropped
            data, when, dropped = self._rec.read(frames, micros, cancellable)
            raw = data.get_data() or b""
            got = len(raw) // (self._sample_size * self._channels)
            if buffer is None:
                return raw, got, when, dropped
            np = sys.modules["numpy"]
            out = np.frombuffer(bytearray(raw), dtype=self._np_dtype)
            return out.reshape(-1, self._channels), got, when, dropped

        def interrupt() -> None:
            cancellable.cancel()

        try:
            # a read that cannot wait needs no help with Ctrl-C
            out, got, when, dropped = call() if micros == 0 \
                else call_interruptibly(call, interrupt)
        except GLib.Error as e:
            if is_cancelled(e):
                raise KeyboardInterrupt from None
            raise from_glib(e, RecorderClosedError) from e
        finally:
            if cancellable.is_cancelled():
                cancellable.reset()
        self.last_read = ReadInfo(got, when / 1e6 if when >= 0 else None,
                                  int(dropped))
        return out

    def read(self, frames: int, timeout: Optional[float] = None) -> Any:
        """Returns the next ``frames`` frames, waiting for them as they are
        captured (the GIL is released meanwhile; Ctrl-C interrupts).

        The array has fewer rows when ``timeout`` (seconds; ``None`` waits
        as long as it takes) ran out first, when the recorder was stopped
        (what was captured before can still be read), or when the frames
        after them were dropped: the frames of one read are always
        contiguous audio, and :attr:`last_read` of the next read says how
        many went. Raises :class:`RecorderClosedError` once the recorder
        was stopped and everything was read, :class:`BackendError` when the
        device failed, :class:`BusyError` when another thread is reading.

        >>> chunk = rec.read(480)        # 10 ms at 48 kHz     # doctest: +SKIP
        >>> chunk.shape                                      # doctest: +SKIP
        (480, 2)
        """
        frames = _frame_count("frames", frames)
        micros = -1 if timeout is None else _micros("timeout", timeout)
        return self._read_once(self._new_buffer(frames), frames, micros)

    def read_available(self) -> int:
        """How many frames :meth:`read` would return now without waiting."""
        return int(self._rec.get_available())

    def chunks(self, frames: int, overlap: int = 0,
               timeout: Optional[float] = None) -> Iterator[Any]:
        """Yields successive blocks of ``frames`` frames as they are
        captured, each beginning with the last ``overlap`` frames of the
        one before (as pastream's ``chunks()``), until the recorder is
        stopped; the last block may be shorter. A ``timeout`` (seconds) that
        runs out ends the iteration too.

        >>> for block in rec.chunks(1024, overlap=512):    # doctest: +SKIP
        ...     spectrum = numpy.fft.rfft(block[:, 0])
        """
        chunker = Chunker(self, frames, overlap)
        while True:
            try:
                block = chunker.joined(self.read(chunker.fresh(), timeout))
            except RecorderClosedError:
                return
            if block is None:
                return
            yield block
            if chunker.was_last(block):
                return

    async def read_async(self, frames: int, timeout: Optional[float] = None) -> Any:
        """:meth:`read` for asyncio: awaits the frames without blocking the
        event loop (the library makes a file descriptor readable once they
        were captured), then reads them. Same results and errors as
        :meth:`read`. Cancelling the awaiting task loses nothing: frames not
        read yet stay in the ring for the next read.

        >>> block = await rec.read_async(1600)             # doctest: +SKIP
        """
        frames = _frame_count("frames", frames)
        if timeout is not None:
            _micros("timeout", timeout)
        return await read_async(self, frames, timeout)

    def chunks_async(self, frames: int, overlap: int = 0,
                     timeout: Optional[float] = None) -> AsyncIterator[Any]:
        """:meth:`chunks` for asyncio: ``async for block in
        rec.chunks_async(1600): ...``, until the recorder is stopped.

        >>> async for block in rec.chunks_async(1600):     # doctest: +SKIP
        ...     if vad.is_speech(block):
        ...         player.clear()
        """
        chunker = Chunker(self, frames, overlap)
        if timeout is not None:
            _micros("timeout", timeout)
        return chunks_async(self, chunker, timeout)

    def _frames_in(self, block: Any) -> int:
        if isinstance(block, bytes):
            return len(block) // (self._sample_size * self._channels)
        return len(block)

    def _last_frames(self, block: Any, n: int) -> Any:
        if isinstance(block, bytes):
            return block[len(block) - n * self._sample_size * self._channels:]
        return block[len(block) - n:]

    def _join(self, head: Any, tail: Any) -> Any:
        if isinstance(head, bytes):
            return head + tail
        np = sys.modules["numpy"]
        return np.concatenate((head, tail))

    def record(self, seconds: float) -> Any:
        """Reads the next ``seconds`` of audio (what is in the ring first,
        then what comes) and returns it as one array, or ``bytes``. Ends
        early, with what there is, when the recorder is stopped. Frames
        dropped meanwhile are counted in :meth:`stats`, not in it.

        >>> speech = rec.record(5.0)                        # doctest: +SKIP
        """
        micros = _micros("seconds", seconds)
        assert micros is not None
        total = round(micros * self.sample_rate / 1_000_000)
        parts = []
        got = 0
        while got < total:
            try:
                part = self.read(total - got)
            except RecorderClosedError:
                break
            parts.append(part)
            got += self._frames_in(part)
        np = sys.modules.get("numpy")
        if np is None or (parts and isinstance(parts[0], bytes)):
            return b"".join(parts)
        if not parts:
            return np.empty((0, self._channels), dtype=self._np_dtype)
        return np.concatenate(parts)

    def stop(self) -> None:
        """Stops recording and releases the device. A read blocked in
        another thread returns with what it has; what was captured before
        can still be read, then reads raise :class:`RecorderClosedError`.
        Idempotent."""
        self._rec.stop()

    # -- context manager ---------------------------------------------------

    def __enter__(self) -> "AudioRecorder":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.stop()

    # -- properties ----------------------------------------------------------

    def stats(self) -> Dict[str, int]:
        """The counters, read at one moment: ``frames_captured`` =
        ``frames_read`` + ``frames_dropped`` + ``available``; ``overflows``
        counts the times the capture thread had to drop frames."""
        s = self._rec.get_stats()
        return {
            "frames_captured": int(s.get_uint64("frames-captured")[1]),
            "frames_read": int(s.get_uint64("frames-read")[1]),
            "frames_dropped": int(s.get_uint64("frames-dropped")[1]),
            "overflows": int(s.get_uint("overflows")[1]),
            "available": int(s.get_uint64("available-frames")[1]),
        }

    @property
    def sample_rate(self) -> int:
        """Sample rate of the frames read (Hz)."""
        return int(self._rec.get_sample_rate())

    @property
    def channels(self) -> int:
        """Channel count of the frames read."""
        return self._channels

    @property
    def dtype(self) -> str:
        """Sample type of the frames read: ``"int16"``, ``"int32"``,
        ``"float32"`` or ``"float64"``."""
        return self._dtype

    @property
    def device_sample_rate(self) -> int:
        """Sample rate the device records at (Hz; 0 when it did not say)."""
        return int(self._rec.get_device_sample_rate())

    @property
    def device_channels(self) -> int:
        """Channel count the device records (0 when it did not say)."""
        return int(self._rec.get_device_channels())

    @property
    def device(self) -> Optional[str]:
        """The device name given to the constructor (``None``: default)."""
        return self._device

    @property
    def server(self) -> Optional[str]:
        """The server address given to the constructor (``None``: the
        default server)."""
        return self._server

    @property
    def is_active(self) -> bool:
        """Whether the recorder records (``False`` after :meth:`stop` or a
        device failure)."""
        return bool(self._rec.get_active())

    @property
    def latency(self) -> float:
        """The capture latency the device and converters report, in
        seconds: how long after a sound reaches the device it can be read
        at the earliest."""
        return int(self._rec.get_latency()) / 1_000_000


class Chunker:
    """What :meth:`AudioRecorder.chunks` and
    :meth:`AudioRecorder.chunks_async` share: how many new frames each read
    takes, and each block joined to the last ``overlap`` frames of the one
    before."""

    def __init__(self, recorder: AudioRecorder, frames: int,
                 overlap: int) -> None:
        self.frames = _frame_count("frames", frames)
        self.overlap = _frame_count("overlap", overlap, minimum=0)
        if self.overlap >= self.frames:
            raise ValueError(f"overlap ({self.overlap}) must be smaller than "
                             f"frames ({self.frames})")
        self.recorder = recorder
        self.previous: Any = None

    def fresh(self) -> int:
        """The frames the next read takes."""
        return (self.frames if self.previous is None
                else self.frames - self.overlap)

    def joined(self, block: Any) -> Any:
        """The block to yield for what a read returned; None when it returned
        nothing (a timeout ran out with nothing new)."""
        recorder = self.recorder
        if recorder._frames_in(block) == 0:
            return None
        if self.previous is not None and self.overlap:
            block = recorder._join(
                recorder._last_frames(self.previous, self.overlap), block)
        self.previous = block
        return block

    def was_last(self, block: Any) -> bool:
        """Whether ``block`` ends the iteration: short, and the recorder
        stopped."""
        return (self.recorder._frames_in(block) < self.frames
                and not self.recorder.is_active)
