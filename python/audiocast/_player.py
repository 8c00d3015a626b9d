"""AudioPlayer: a thin wrapper over ``AudioCast.Player`` (private)."""

from __future__ import annotations

import math
import numbers
import queue
import threading
from types import TracebackType
from typing import (TYPE_CHECKING, Any, Callable, Dict, List, NamedTuple,
                    Optional, Protocol, Tuple, Type, TypeVar, cast,
                    overload)

from ._async import Wakeup, drain_async, write_async
from ._convert import AudioData, pcm_bytes, pcm_size, to_pcm
from ._errors import (AudioCastError, InvalidArgumentError, PlayerClosedError,
                      from_glib, is_drain_interruption)
from ._native import fast_write_error, fast_writer, native_writer
from ._gi import AudioCast, GLib

if TYPE_CHECKING:
    from ._stream import AudioStream, ScheduledSound

__all__ = ["AudioPlayer", "HeardPosition", "Timeline"]

T = TypeVar("T")


# The C library takes rates and channel counts as guint.
_GUINT_MAX = 0xFFFFFFFF


def _positive(name: str, value: Optional[int]) -> int:
    """None -> 0 (the device's own value); a positive int otherwise. Values
    too large for the C library's guint become the largest guint, which the
    library rejects with a message naming the range it accepts."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int or None, not {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be positive or None (the device's), got {value}")
    return min(value, _GUINT_MAX)


@overload
def _micros(name: str, seconds: float, prop: Optional[str] = None) -> int: ...


@overload
def _micros(name: str, seconds: Optional[float],
            prop: Optional[str] = None) -> Optional[int]: ...


def _micros(name: str, seconds: Optional[float],
            prop: Optional[str] = None) -> Optional[int]:
    """Seconds to microseconds (None stays None): a finite number >= 0,
    within the range of the player's property ``prop`` when given (GObject
    would only warn about a value out of range and ignore it)."""
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real):
        raise TypeError(f"{name} must be a number of seconds or None, "
                        f"not {type(seconds).__name__}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{name} must be a finite number of seconds >= 0, "
                         f"got {seconds}")
    micros = int(round(seconds * 1_000_000))
    if prop is not None:
        spec = AudioCast.Player.find_property(prop)
        if not spec.minimum <= micros <= spec.maximum:
            raise InvalidArgumentError(
                f"{name} of {seconds} s is out of range: use "
                f"{spec.minimum / 1e6:g} to {spec.maximum / 1e6:g} s",
                int(AudioCast.Error.INVALID_ARGUMENT))
    return micros


def _latency_mode(latency: Optional[str]) -> Optional[AudioCast.LatencyMode]:
    """The library's latency mode for ``latency`` (None for the default,
    which the player need not be told)."""
    if latency is None or latency == "default":
        return None
    if latency == "low":
        return AudioCast.LatencyMode.LOW
    raise ValueError(f'latency must be "default" or "low", got {latency!r}')


def text_argument(name: str, value: Optional[str], what: str,
                  label: str) -> Optional[str]:
    """Checks what GI would otherwise truncate (at a NUL) or fail to
    encode with a message that does not say which argument was wrong.
    ``name`` is the parameter, ``what`` what it holds ("a device name"),
    ``label`` how the value is called in messages ("device name")."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str ({what}) or None, "
                        f"not {type(value).__name__}")
    if "\0" in value:
        raise ValueError(f"{label} {value!r} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{label} {value!r} is not valid Unicode text "
                         "(it holds a lone surrogate)") from None
    return value


def _device_name(device: Optional[str]) -> Optional[str]:
    return text_argument("device", device, "a device name", "device name")


class _MainThreadCalls:
    """One thread that runs the main thread's blocking C calls, started on
    first use: a thread per call cost more than the call itself at 100 reads
    a second (about 0.5 ms of CPU each)."""

    def __init__(self) -> None:
        self._calls: "queue.SimpleQueue[Any]" = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None

    def _serve(self) -> None:
        while True:
            fn, result, done = self._calls.get()
            try:
                result.append((True, fn()))
            except BaseException as e:  # handed over to the caller
                result.append((False, e))
            done.set()

    def call(self, fn: Callable[[], T],
             on_interrupt: Optional[Callable[[], object]]) -> T:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve,
                                                name="audiocast-call",
                                                daemon=True)
                self._thread.start()
        result: List[Tuple[bool, Any]] = []
        done = threading.Event()
        self._calls.put((fn, result, done))
        try:
            done.wait()
        except KeyboardInterrupt:
            if on_interrupt is not None:
                on_interrupt()
                done.wait()
            raise
        ok, value = result[0]
        if not ok:
            raise value
        return cast(T, value)  # what fn() returned


_MAIN_THREAD_CALLS = _MainThreadCalls()


class _CallbackOwner(Protocol):
    callback_error: Optional[BaseException]


def fill_function(owner: _CallbackOwner, callback: Callable[[int], Any],
                  channels: int, fmt: "AudioCast.SampleFormat",
                  dtype: str) -> Callable[[Any, int], Optional[GLib.Bytes]]:
    """The library's fill function for callback mode: calls ``callback``
    for each block and hands back what it returns as samples of ``fmt``;
    ``None`` ends the stream, and so does an exception, kept in
    ``owner.callback_error`` for the application."""
    from ._stream import convert_samples

    def fill(_source: Any, frames: int) -> Optional[GLib.Bytes]:
        try:
            data = callback(frames)
            if data is None:
                return None
            got, pcm = to_pcm(data, channels)
            raw = (pcm_bytes(pcm) if got == fmt
                   else convert_samples(got, pcm, fmt, dtype))
            return GLib.Bytes.new(raw)
        except BaseException as e:  # kept for the application
            owner.callback_error = e
            return None
    return fill


def start_callback_checked(start: Callable[[], Any], blocksize: int,
                           lead_blocks: int,
                           closed: Type[AudioCastError] = PlayerClosedError
                           ) -> None:
    """Runs ``start`` (a start_callback of the library), its errors as the
    package's exceptions."""
    try:
        start()
    except GLib.Error as e:
        raise from_glib(e, closed) from e
    except OverflowError as e:
        raise ValueError(f"blocksize {blocksize} or lead_blocks "
                         f"{lead_blocks} out of range") from e


def call_interruptibly(fn: Callable[[], T],
                       on_interrupt: Optional[Callable[[], object]] = None) -> T:
    """Runs the blocking C call ``fn`` so that Ctrl-C still works.

    Python handles signals only in the main thread and only between bytecodes,
    so a long C call there would hold off KeyboardInterrupt until it returns.
    From the main thread ``fn`` therefore runs in a helper thread while the
    main thread waits (interruptibly); on KeyboardInterrupt ``on_interrupt``
    (which must make ``fn`` return) is called before the interrupt goes on.
    Other threads call ``fn`` directly.
    """
    if threading.current_thread() is not threading.main_thread():
        return fn()
    return _MAIN_THREAD_CALLS.call(fn, on_interrupt)


class HeardPosition(NamedTuple):
    """``frames`` heard by ``time`` (seconds of :func:`time.monotonic`)."""

    frames: int
    time: float


class Timeline(NamedTuple):
    """The player's timeline (every frame its device stream plays, silence
    included, at its sample rate): ``frames`` heard by ``time`` (seconds of
    :func:`time.monotonic`), and the ``earliest`` position a sound can still
    be started at (:meth:`AudioPlayer.play`)."""

    frames: int
    time: float
    earliest: int


class AudioPlayer:
    """Streams audio to an output device.

    ``device`` is a device name (see :func:`list_output_devices`), matched
    exactly first and then as a case-insensitive part of a name or
    description; ``None`` is the default device. ``server`` is the sound
    server to play on, by its PulseAudio protocol address
    (``"tcp:192.0.2.7:4713"`` for one on another machine,
    ``"unix:/path/native"``); ``None`` is the default server, and
    ``device`` then names one of ``server``'s sinks. ``sample_rate`` and
    ``channels`` describe what you will write (``None``: the device's own);
    the library converts, resamples and up/down-mixes to what the device
    plays (:attr:`device_sample_rate`, :attr:`device_channels`).

    ``callback`` (with ``blocksize`` and ``lead_blocks``) starts callback
    mode at once: see :meth:`start_callback`.

    Keyword-only tuning: ``latency`` is ``"default"`` (made to ride out
    stalls of a busy machine) or ``"low"``: a steady stream kept just ahead
    of the device, a frame written heard about 15 ms later instead of tens
    of milliseconds and up to the whole ring, for live synthesis and
    monitoring; a stall of the machine of more than 10 ms is then heard as a
    gap. In seconds: ``buffer_time`` (how much audio the ring holds before
    :meth:`write` blocks, default 2 s, or one period with ``latency="low"``),
    ``latency_time`` (the device period, default 10 ms, or 2.5 ms with
    ``latency="low"``) and ``fade_time`` (0: :meth:`clear` cuts at once;
    more: it fades out over that time, click-free but not instant). Values
    out of the library's range raise :class:`InvalidArgumentError`.

    Every method may be called from any thread; :meth:`write` and
    :meth:`drain` release the GIL while they wait.

    >>> import audiocast
    >>> with audiocast.AudioPlayer(sample_rate=22050, channels=1) as player:  # doctest: +SKIP
    ...     player.write([0.0] * 2205)       # 100 ms of silence, float32
    ...     player.drain()
    2205
    True

    The arguments are checked before a device is opened:

    >>> audiocast.AudioPlayer(sample_rate=0)
    Traceback (most recent call last):
      ...
    ValueError: sample_rate must be positive or None (the device's), got 0
    >>> try:
    ...     audiocast.AudioPlayer(latency_time=10.0)
    ... except audiocast.InvalidArgumentError as e:
    ...     print(e)
    latency_time of 10.0 s is out of range: use 0.001 to 1 s
    >>> audiocast.AudioPlayer(latency="lowest")
    Traceback (most recent call last):
      ...
    ValueError: latency must be "default" or "low", got 'lowest'
    """

    def __init__(self, device: Optional[str] = None,
                 sample_rate: Optional[int] = None,
                 channels: Optional[int] = None, *,
                 buffer_time: Optional[float] = None,
                 latency_time: Optional[float] = None,
                 fade_time: Optional[float] = None,
                 latency: Optional[str] = "default",
                 server: Optional[str] = None,
                 callback: Optional[Callable[[int], Any]] = None,
                 blocksize: int = 480, lead_blocks: int = 3) -> None:
        device = _device_name(device)
        server = text_argument("server", server, "a server address",
                               "server address")
        rate = _positive("sample_rate", sample_rate)
        chans = _positive("channels", channels)
        extras = {k: v for k, v in (
            ("buffer_time", _micros("buffer_time", buffer_time, "buffer-time")),
            ("latency_time", _micros("latency_time", latency_time, "latency-time")),
            ("fade_time", _micros("fade_time", fade_time, "fade-time")),
            ("latency_mode", _latency_mode(latency)),
            ("server", server))
            if v is not None}
        self._device = device
        self._server = server
        try:
            if extras:
                self._player = AudioCast.Player(device=device, sample_rate=rate,
                                                channels=chans, **extras)
                self._player.init(None)
            else:
                self._player = AudioCast.Player.new(device, rate, chans)
        except GLib.Error as e:
            err = from_glib(e)
            for given, passed in ((sample_rate, rate), (channels, chans)):
                if passed != given and passed == _GUINT_MAX:  # clamped
                    err.args = (str(err).replace(str(passed), str(given), 1),)
            raise err from e
        self._channels = self._player.get_channels()
        self._native_write = native_writer(self._player)
        self._native_try_write = native_writer(self._player, wait=False)
        self._fast_write = fast_writer(self._player)
        # asyncio: the library's wakeup descriptor, and the clears made
        # through this object (a write_async or drain_async they end)
        self._wakeup = Wakeup(self._player.get_wakeup_fd,
                              self._player.arm_wakeup, "player")
        self._clears = 0
        self._ring_frames = int(self._player.get_write_available())
        self.callback_error: Optional[BaseException] = None
        if callback is not None:
            self.start_callback(callback, blocksize, lead_blocks)

    # -- streaming ---------------------------------------------------------

    def write(self, data: AudioData) -> int:
        """Queues ``data`` for playback and returns the number of frames
        accepted.

        ``data`` may be ``bytes``/``bytearray`` (int16 little-endian), a
        ``memoryview`` or ``array.array`` of int16/int32/float32/float64, a
        numpy array of those dtypes (1-D interleaved or 2-D frames x
        channels) or a list/tuple of floats in [-1, 1]. Blocks only while the
        ring is full; returns early, with fewer frames, when another thread
        calls :meth:`clear` or :meth:`stop` meanwhile. NaN and infinities are
        played as silence.

        Raises :class:`TypeError`/:class:`ValueError` for unusable input and
        :class:`PlayerClosedError` after :meth:`stop`.

        >>> player.write(b"\\x00\\x00" * 480)                 # doctest: +SKIP
        480
        """
        if self._fast_write is not None:
            # one C call for bytes, buffers and lists of floats
            written = self._fast_write(data, True)
            if written.__class__ is int:
                return cast(int, written)
            if written is not None:
                e = fast_write_error(written)
                raise from_glib(e) from e
        fmt, pcm = to_pcm(data, self._channels)
        try:
            if self._native_write is not None:
                return int(self._native_write(fmt, pcm, pcm_size(pcm)))
            return int(self._player.write(fmt, pcm_bytes(pcm)))
        except GLib.Error as e:
            raise from_glib(e) from e

    def drain(self, timeout: Optional[float] = None) -> bool:
        """Waits until everything written so far was heard.

        Returns ``True`` once it was, ``False`` when :meth:`clear` or
        :meth:`stop` interrupted the wait, the player was stopped, or
        ``timeout`` (seconds; ``None`` waits as long as it takes) ran out.
        Raises :class:`BackendError` at once when the device fails (the sound
        server went away, say). Ctrl-C interrupts it.

        >>> player.write(samples); player.drain(timeout=5.0)  # doctest: +SKIP
        True
        """
        micros = -1 if timeout is None else _micros("timeout", timeout)
        try:
            return call_interruptibly(lambda: bool(self._player.drain(micros)))
        except GLib.Error as e:
            if is_drain_interruption(e):
                return False
            raise from_glib(e) from e

    def clear(self) -> int:
        """Discards everything not heard yet (barge-in) and returns the
        number of frames heard since the previous clear.

        A :meth:`drain` or :meth:`write` blocked in another thread, and a
        :meth:`drain_async` or :meth:`write_async` awaited in any task,
        returns at once; writing afterwards plays the new audio, never the
        old.

        >>> threading.Thread(target=player.clear).start()    # doctest: +SKIP
        """
        self._clears += 1
        return int(self._player.clear())

    # -- asyncio -------------------------------------------------------------

    async def write_async(self, data: AudioData) -> int:
        """:meth:`write` for asyncio: queues what fits at once and awaits
        room for the rest without blocking the event loop (the library
        makes a file descriptor readable when there is room; no thread is
        involved). Returns the frames queued: fewer when :meth:`clear` or
        :meth:`stop` came meanwhile. Cancelling the awaiting task leaves
        what was queued queued.

        >>> async def speak(player, tts_chunks):           # doctest: +SKIP
        ...     async for chunk in tts_chunks:
        ...         await player.write_async(chunk)
        ...     await player.drain_async()
        """
        return await write_async(self, data)

    async def drain_async(self, timeout: Optional[float] = None) -> bool:
        """:meth:`drain` for asyncio: ``True`` once everything written
        before the call was heard; ``False`` when :meth:`clear` or
        :meth:`stop` ended the wait or ``timeout`` (seconds) ran out.
        Cancelling the awaiting task (``asyncio.wait_for``, a
        ``TaskGroup`` shutting down) only stops the waiting: the audio
        plays on, nothing is cleared. Raises :class:`BackendError` when the
        device fails."""
        return await drain_async(self, timeout)

    def _try_write(self, fmt: "AudioCast.SampleFormat", pcm: Any, size: int) -> int:
        """audio_cast_player_try_write(): what fits now, never waiting."""
        if self._native_try_write is not None:
            return int(self._native_try_write(fmt, pcm, size))
        return int(self._player.try_write(fmt, pcm_bytes(pcm)))

    def stop(self) -> None:
        """Stops playback at once and releases the device. Idempotent; the
        player cannot be used afterwards (:class:`PlayerClosedError`)."""
        self._player.stop()

    # -- context manager ---------------------------------------------------

    def __enter__(self) -> "AudioPlayer":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.stop()

    # -- properties ----------------------------------------------------------

    @property
    def sample_rate(self) -> int:
        """Sample rate of the audio you write (Hz)."""
        return int(self._player.get_sample_rate())

    @property
    def channels(self) -> int:
        """Channel count of the audio you write."""
        return int(self._player.get_channels())

    @property
    def device_sample_rate(self) -> int:
        """Sample rate the device plays (Hz)."""
        return int(self._player.get_device_sample_rate())

    @property
    def device_channels(self) -> int:
        """Channel count the device plays."""
        return int(self._player.get_device_channels())

    @property
    def server(self) -> Optional[str]:
        """The server address given to the constructor (``None``: the
        default server)."""
        return self._server

    @property
    def device(self) -> Optional[str]:
        """The device name given to the constructor (``None``: default)."""
        return self._device

    @property
    def is_active(self) -> bool:
        """Whether the player is running (``False`` after :meth:`stop`)."""
        return bool(self._player.get_active())

    @property
    def latency(self) -> float:
        """How long a frame written now takes to be heard, in seconds."""
        return int(self._player.get_latency()) / 1_000_000

    @property
    def frames_written(self) -> int:
        """Frames accepted by :meth:`write` so far."""
        return self._prop("frames-written")

    @property
    def frames_played(self) -> int:
        """Frames heard so far."""
        return self._prop("frames-played")

    @property
    def frames_cleared(self) -> int:
        """Frames discarded by :meth:`clear` so far."""
        return self._prop("frames-cleared")

    @property
    def buffered_frames(self) -> int:
        """Frames written but neither heard nor cleared yet."""
        return self._prop("buffered-frames")

    @property
    def underruns(self) -> int:
        """How often the device ran dry while audio was expected."""
        return self._prop("underruns")

    def stats(self) -> Dict[str, int]:
        """All counters read at one moment, so that ``frames_written ==
        frames_played + frames_cleared + buffered_frames`` holds even while
        audio plays.

        >>> s = player.stats()  # doctest: +SKIP
        >>> s["frames_written"] == (s["frames_played"] + s["frames_cleared"]
        ...                         + s["buffered_frames"])  # doctest: +SKIP
        True

        ``periods_pushed`` counts the periods the device took (silence
        included) and ``device_waits`` those it took only after the output
        thread waited inside it for room, which costs every player of the
        process a wake-up: a few in a steady stream.
        """
        st = self._player.get_stats()
        return {f.replace("-", "_"): int(st.get_value(f)) for f in (
            "frames-written", "frames-played", "frames-cleared",
            "buffered-frames", "underruns", "periods-pushed", "device-waits")}

    def open_stream(self, sample_rate: Optional[int] = None,
                    channels: Optional[int] = None,
                    dtype: Any = "float32") -> "AudioStream":
        """Opens another sound on this player's device stream (see
        :class:`AudioStream`): ``sample_rate`` and ``channels`` of what you
        will write to it (``None``: the player's), ``dtype`` one of
        ``"int16"``, ``"int32"``, ``"float32"``, ``"float64"``. When
        nothing was written to the player yet, its own audio is taken as
        float32 from then on (other dtypes are converted, as ever).

        >>> chime = player.open_stream(48000, 2)          # doctest: +SKIP
        >>> chime.write(ding); chime.volume = 0.5         # doctest: +SKIP
        """
        from ._recorder import _DTYPES, _dtype_name
        from ._stream import AudioStream

        name = _dtype_name(dtype)
        rate = _positive("sample_rate", sample_rate)
        chans = _positive("channels", channels)
        try:
            stream = self._player.open_stream(rate, chans, _DTYPES[name][0])
        except GLib.Error as e:
            raise from_glib(e) from e
        return AudioStream(stream, name)

    def duck(self, others: float = 0.2, ramp: float = 0.1) -> None:
        """While the player's own audio plays, its streams (see
        :meth:`open_stream`) go to ``others`` (0 to 1; 1 turns ducking
        off), over ``ramp`` seconds, and back up the same way once it has
        played out or was cleared: music ducked under the answer.

        >>> player.duck(others=0.2); player.write(answer)  # doctest: +SKIP
        """
        from ._stream import _check_ducking

        _check_ducking(others)
        try:
            self._player.set_ducking(float(others), _micros("ramp", ramp))
        except GLib.Error as e:
            raise from_glib(e) from e

    def start_callback(self, callback: Callable[[int], Any],
                       blocksize: int = 480, lead_blocks: int = 3,
                       dtype: Any = "float32") -> None:
        """Callback mode, as PyAudio's: instead of :meth:`write`, the
        library calls ``callback(frames)`` from a thread of its own
        whenever fewer than ``lead_blocks`` blocks of ``blocksize`` frames
        wait in the ring (on top of what the device holds), and plays what
        it returns
        (anything :meth:`write` accepts, as ``dtype``). The device's thread
        never waits for Python: a callback late by less than the lead
        causes no gap; later, the ring runs dry (counted in ``underruns``).
        Returning fewer frames (or ``None``) ends the stream once they
        played; raising ends it at once, and the exception is kept in
        :attr:`callback_error`.

        >>> def next_block(frames):                          # doctest: +SKIP
        ...     return synth.render(frames)
        >>> player.start_callback(next_block, blocksize=480)  # doctest: +SKIP
        """
        from ._recorder import _DTYPES, _dtype_name

        name = _dtype_name(dtype)
        fmt = _DTYPES[name][0]
        self.callback_error = None
        fill = fill_function(self, callback, self._channels, fmt, name)
        start_callback_checked(
            lambda: self._player.start_callback(fmt, blocksize, lead_blocks,
                                                fill),
            blocksize, lead_blocks)

    def stop_callback(self) -> None:
        """Stops calling the callback; what it gave plays on."""
        call_interruptibly(self._player.stop_callback)

    @property
    def callback_active(self) -> bool:
        """Whether a callback was started and not stopped."""
        return bool(self._player.get_callback_active())

    def timeline(self) -> "Timeline":
        """Where the player's timeline is (see :class:`Timeline`): what
        :meth:`play`'s ``at`` counts in.

        >>> tl = player.timeline()                          # doctest: +SKIP
        >>> player.play(click, at=tl.earliest + 4800)       # doctest: +SKIP
        """
        frames, earliest, micros = self._player.get_timeline()
        return Timeline(int(frames), micros / 1_000_000, int(earliest))

    def play(self, data: AudioData, at: "int | float | None" = None,
             loop: bool = False, sample_rate: Optional[int] = None,
             channels: Optional[int] = None) -> "ScheduledSound":
        """Plays a whole sound over the player's own audio and streams,
        and returns its handle (a :class:`ScheduledSound`: ``cancel()``,
        ``frames_heard``, ``started``, ``ended``).

        ``at``: ``None``, as soon as possible; an ``int``, the position on
        the player's :meth:`timeline` of its first frame (at the player's
        rate it starts exactly there); a ``float``, a moment of
        :func:`time.monotonic`. A position the device already holds raises
        :class:`InvalidArgumentError` naming the earliest one. ``loop``:
        again and again until cancelled (a "thinking" sound).
        ``sample_rate`` and ``channels`` describe ``data`` (``None``: the
        player's); its dtype is its own.

        >>> thinking = player.play(tick, loop=True)         # doctest: +SKIP
        >>> thinking.cancel()                               # doctest: +SKIP
        """
        from ._stream import FORMAT_DTYPES, ScheduledSound

        if not isinstance(loop, bool):
            raise TypeError(f"loop must be a bool, not {type(loop).__name__}")
        rate = _positive("sample_rate", sample_rate)
        chans = _positive("channels", channels)
        position = self._position_of(at, rate)
        fmt, pcm = to_pcm(data, chans or self._channels)
        try:
            stream = self._player.play(fmt, rate, chans, pcm_bytes(pcm),
                                       position, loop)
        except GLib.Error as e:
            raise from_glib(e) from e
        return ScheduledSound(stream, FORMAT_DTYPES[fmt][0])

    def _position_of(self, at: "int | float | None", rate: int) -> int:
        """``play()``'s ``at`` as a timeline position (-1: as soon as
        possible)."""
        if at is None:
            return -1
        if isinstance(at, bool) or not isinstance(at, numbers.Real):
            raise TypeError("at must be None, a timeline position (int) or "
                            f"a time.monotonic() moment (float), not "
                            f"{type(at).__name__}")
        if isinstance(at, numbers.Integral):
            if at < 0:
                raise ValueError(f"timeline position {at} is negative")
            return int(at)
        if not math.isfinite(at):
            raise ValueError(f"at={at} is not a moment")
        tl = self.timeline()
        return max(0, tl.frames + round((at - tl.time) * self.sample_rate))

    def heard_position(self) -> "HeardPosition":
        """How many frames had been heard (:attr:`frames_played`) at which
        moment of :func:`time.monotonic`'s clock: the clock
        :attr:`AudioRecorder.last_read` gives capture times on. While audio
        plays, the frame heard at an earlier moment ``t`` is ``frames -
        (time - t) * sample_rate`` (unless a clear or an underrun came
        between).

        >>> pos = player.heard_position()                   # doctest: +SKIP
        >>> import audiocast                 # say it returned this, at 22050 Hz:
        >>> pos = audiocast.HeardPosition(frames=44100, time=1000.5)
        >>> speech_start = 1000.0            # time.monotonic() of an event
        >>> pos.frames - round((pos.time - speech_start) * 22050)  # heard by then
        33075
        """
        frames, micros = self._player.get_heard_position()
        return HeardPosition(int(frames), micros / 1_000_000)

    def _prop(self, name: str) -> int:
        return int(self._player.get_property(name))

    def __repr__(self) -> str:
        state = "active" if self.is_active else "stopped"
        dev = "default device" if self._device is None else f"device={self._device!r}"
        return (f"<AudioPlayer {dev} {self.sample_rate} Hz {self.channels} ch "
                f"-> {self.device_sample_rate} Hz {self.device_channels} ch, "
                f"{state}>")
