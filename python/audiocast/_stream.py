"""AudioStream: another sound on a player's device stream (private)."""

from __future__ import annotations

import math
import numbers
import sys
from types import TracebackType
from typing import Any, Callable, Dict, Optional, Type

from ._convert import AudioData, pcm_bytes, to_pcm
from ._errors import StreamClosedError, from_glib, is_drain_interruption
from ._gi import AudioCast, GLib
from ._player import (_micros, call_interruptibly, fill_function,
                      start_callback_checked)
from ._recorder import _DTYPES

__all__ = ["AudioStream", "ScheduledSound"]

FORMAT_DTYPES = {fmt: (name, np_dtype)
                 for name, (fmt, _size, np_dtype) in _DTYPES.items()}


def convert_samples(fmt: "AudioCast.SampleFormat", pcm: Any,
                    target: "AudioCast.SampleFormat", dtype: str) -> bytes:
    """``pcm`` (samples of ``fmt``) as samples of ``target``: floats in
    [-1, 1] and integers at full scale, as the player converts. Needs
    numpy."""
    np = sys.modules.get("numpy")
    if np is None:
        raise TypeError(f"this stream takes {dtype} samples; converting from "
                        f"{FORMAT_DTYPES[fmt][0]} needs numpy")
    x = np.frombuffer(pcm_bytes(pcm), dtype=FORMAT_DTYPES[fmt][1])
    if x.dtype.kind == "i":
        x = x.astype(np.float64) / float(2 ** (8 * x.dtype.itemsize - 1))
    out_dtype = np.dtype(FORMAT_DTYPES[target][1])
    if out_dtype.kind == "i":
        full = 2 ** (8 * out_dtype.itemsize - 1)
        x = np.clip(np.nan_to_num(x) * full, -full, full - 1).round()
    out: bytes = x.astype(out_dtype).tobytes()
    return out


def _check_ducking(others: float) -> None:
    if isinstance(others, bool) or not isinstance(others, numbers.Real) \
            or not math.isfinite(others):
        raise TypeError(f"others must be a finite number, not {others!r}")


class AudioStream:
    """Another sound on a player's device stream, mixed with the player's
    own audio and its other streams: an earcon over the speech, music under
    it. Made by :meth:`AudioPlayer.open_stream`.

    Each stream has its own sample rate, channels and dtype, its own ring,
    and its own :meth:`write`, :meth:`clear`, :meth:`drain`,
    :meth:`stats` and :attr:`volume`. Streams are mixed at the player's rate
    and channels: a stream at that rate is not resampled, and where it plays
    alone at volume 1 the device gets its samples bit for bit.

    Clearing the player's own audio (barge-in) leaves the streams playing:
    they go on from their first frame not heard after the device restarts,
    losing nothing. Clearing a stream leaves the player's audio alone; what
    the device already holds of the stream (some tens of ms) still plays.

    >>> with audiocast.AudioPlayer() as player:           # doctest: +SKIP
    ...     music = player.open_stream(dtype="int16")
    ...     music.write(song)
    ...     music.volume = 0.2                  # ramped over 20 ms
    ...     player.write(speech)                # plays over the music
    """

    def __init__(self, stream: "AudioCast.Stream", dtype: str) -> None:
        self._stream = stream
        self._dtype = dtype
        self._format = _DTYPES[dtype][0]
        self._channels = int(stream.get_channels())
        self.callback_error: Optional[BaseException] = None

    def write(self, data: AudioData) -> int:
        """Queues ``data`` (what :meth:`AudioPlayer.write` accepts; samples
        of another dtype than the stream's are converted, which needs
        numpy) and returns the number of frames accepted. Blocks only while
        the stream's ring is full; returns early when another thread
        clears or closes the stream."""
        fmt, pcm = to_pcm(data, self._channels)
        raw = (pcm_bytes(pcm) if fmt == self._format
               else convert_samples(fmt, pcm, self._format, self._dtype))
        try:
            return call_interruptibly(lambda: int(self._stream.write(raw)),
                                      self.clear)
        except GLib.Error as e:
            raise from_glib(e, StreamClosedError) from e

    def drain(self, timeout: Optional[float] = None) -> bool:
        """Waits until everything written to the stream was heard: ``True``
        then; ``False`` when a clear, a close or a stop interrupted it or
        ``timeout`` (seconds) ran out."""
        micros = -1 if timeout is None else _micros("timeout", timeout)
        try:
            return call_interruptibly(lambda: bool(self._stream.drain(micros)))
        except GLib.Error as e:
            if is_drain_interruption(e):
                return False
            raise from_glib(e, StreamClosedError) from e

    def clear(self) -> int:
        """Discards what of the stream was not heard (but what the device
        holds) and returns its frames heard since the previous clear."""
        return int(self._stream.clear())

    def close(self) -> None:
        """Takes the stream out of the mix; idempotent. Later calls raise
        :class:`StreamClosedError`."""
        self._stream.close()

    def start_callback(self, callback: Callable[[int], Any],
                       blocksize: int = 480, lead_blocks: int = 3) -> None:
        """Callback mode on this stream, as :meth:`AudioPlayer.start_callback`
        on the player's own audio: the library calls ``callback(frames)``
        from a thread of its own whenever fewer than ``lead_blocks`` blocks
        of ``blocksize`` frames wait to be mixed (on top of what the device
        holds), and plays what it returns (anything :meth:`write` accepts).
        The device's thread never waits for Python. Returning fewer frames
        (or ``None``) ends the callback once they played; raising ends it
        at once, and the exception is kept in :attr:`callback_error`.
        :meth:`close` ends it too.

        >>> hum = player.open_stream(16000, 1)             # doctest: +SKIP
        >>> hum.start_callback(thinking.next_block)       # doctest: +SKIP
        """
        self.callback_error = None
        fill = fill_function(self, callback, self._channels, self._format,
                             self._dtype)
        start_callback_checked(
            lambda: self._stream.start_callback(blocksize, lead_blocks, fill),
            blocksize, lead_blocks, StreamClosedError)

    def stop_callback(self) -> None:
        """Stops calling the callback; what it gave plays on."""
        call_interruptibly(self._stream.stop_callback)

    @property
    def callback_active(self) -> bool:
        """Whether a callback was started on the stream and not stopped."""
        return bool(self._stream.get_callback_active())

    def ramp_volume(self, volume: float, seconds: float) -> None:
        """Moves the volume to ``volume`` (0 to 10; 1 plays the samples as
        they are) in a straight line over ``seconds``."""
        if isinstance(volume, bool) or not isinstance(volume, numbers.Real) \
                or not math.isfinite(volume):
            raise TypeError(f"volume must be a finite number, not {volume!r}")
        micros = _micros("seconds", seconds)
        try:
            self._stream.ramp_volume(float(volume), micros)
        except GLib.Error as e:
            raise from_glib(e, StreamClosedError) from e

    def duck(self, others: float = 0.2, ramp: float = 0.1) -> None:
        """While this stream plays, every other sound of the player (its
        own audio included) goes to ``others`` (0 to 1; 1 turns ducking
        off), over ``ramp`` seconds, and back up the same way once the
        stream has played out or was cleared.

        >>> chime.duck(others=0.3)                        # doctest: +SKIP
        """
        _check_ducking(others)
        try:
            self._stream.set_ducking(float(others), _micros("ramp", ramp))
        except GLib.Error as e:
            raise from_glib(e, StreamClosedError) from e

    @property
    def volume(self) -> float:
        """The gain, 0 (silent) to 10 (+20 dB); setting it ramps over 20 ms
        (no click)."""
        return float(self._stream.get_volume())

    @volume.setter
    def volume(self, volume: float) -> None:
        self.ramp_volume(volume, 0.02)

    def stats(self) -> Dict[str, int]:
        """``frames_written``, ``frames_played``, ``frames_cleared`` and
        ``buffered_frames``, read at one moment: written = played + cleared
        + buffered."""
        s = self._stream.get_stats()
        return {key.replace("-", "_"): int(s.get_value(key))
                for key in ("frames-written", "frames-played",
                            "frames-cleared", "buffered-frames")}

    @property
    def sample_rate(self) -> int:
        return int(self._stream.get_sample_rate())

    @property
    def channels(self) -> int:
        return self._channels

    @property
    def dtype(self) -> str:
        return self._dtype

    def __enter__(self) -> "AudioStream":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()


class ScheduledSound(AudioStream):
    """A whole sound started at a position of the player's timeline, once
    or looped: what :meth:`AudioPlayer.play` returns. It is a stream of its
    own (its volume and ducking can be set), and its handle."""

    def cancel(self) -> int:
        """Stops it, before or while it plays (a loop too), at once but for
        what the device already holds of it; returns its frames heard."""
        self.clear()
        return self.frames_heard

    @property
    def frames_heard(self) -> int:
        return self.stats()["frames_played"]

    def _times(self) -> "tuple[Optional[float], Optional[float]]":
        _ended, started, ended = self._stream.get_times()
        return (None if started < 0 else started / 1_000_000,
                None if ended < 0 else ended / 1_000_000)

    @property
    def started(self) -> Optional[float]:
        """When its first frame was heard (:func:`time.monotonic`), or
        ``None`` before."""
        return self._times()[0]

    @property
    def ended(self) -> Optional[float]:
        """When its last frame was heard (:func:`time.monotonic`), or
        ``None`` before (and while it loops)."""
        return self._times()[1]
