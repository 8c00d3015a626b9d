"""The exception hierarchy, and the one place GLib errors become Python ones.

Every error the library raises derives from :class:`AudioCastError`, itself a
:class:`RuntimeError` (what PyAudioCast raises), so ``except RuntimeError``
keeps working for code written against PyAudioCast::

    >>> import audiocast
    >>> try:
    ...     audiocast.AudioPlayer(device="no-such-device")
    ... except audiocast.DeviceNotFoundError as e:
    ...     str(e).startswith("Device not found:")
    True
"""

from __future__ import annotations

from typing import Dict, Type

from ._gi import AudioCast, Gio, GLib

__all__ = [
    "AudioCastError",
    "BackendError",
    "BusyError",
    "DeviceNotFoundError",
    "FileFormatError",
    "InvalidArgumentError",
    "PlayerClosedError",
    "RecorderClosedError",
]


class AudioCastError(RuntimeError):
    """Base class of every error raised by audiocast.

    ``code`` is the C library's ``AudioCast.Error`` code, or ``None`` when the
    error did not come from the library's own error domain.
    """

    def __init__(self, message: str, code: "int | None" = None) -> None:
        super().__init__(message)
        self.code = code


class DeviceNotFoundError(AudioCastError, LookupError):
    """No device matches the requested name.

    The message starts with ``"Device not found:"`` and lists the devices
    that exist.
    """


class InvalidArgumentError(AudioCastError, ValueError):
    """A parameter is out of range or does not fit the stream, e.g. a byte
    string that is not a whole number of frames.

    >>> import audiocast
    >>> issubclass(audiocast.InvalidArgumentError, ValueError)
    True
    """


class PlayerClosedError(AudioCastError):
    """The player was stopped; it cannot be used again."""


class StreamClosedError(PlayerClosedError):
    """The stream was closed, or its player stopped."""


class RecorderClosedError(AudioCastError):
    """The recorder was stopped and everything it captured was read."""


class BusyError(AudioCastError):
    """Another thread is reading from the same recorder: one reader at a
    time gets contiguous audio, so a second one is refused."""


class BackendError(AudioCastError):
    """The sound server or the device failed."""


class FileFormatError(AudioCastError):
    """A file could not be read or decoded."""


_BY_CODE: Dict[int, Type[AudioCastError]] = {
    int(AudioCast.Error.DEVICE_NOT_FOUND): DeviceNotFoundError,
    int(AudioCast.Error.INVALID_ARGUMENT): InvalidArgumentError,
    int(AudioCast.Error.CLOSED): PlayerClosedError,
    int(AudioCast.Error.BACKEND): BackendError,
    int(AudioCast.Error.FORMAT): FileFormatError,
    int(AudioCast.Error.BUSY): BusyError,
}


def is_cancelled(err: GLib.Error) -> bool:
    """Whether ``err`` is GIO's "operation was cancelled"."""
    return bool(err.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))


def is_drain_interruption(err: GLib.Error) -> bool:
    """Whether a failed drain only ended early: its timeout, a clear or a
    stop (``False`` to the caller), rather than a failure to raise."""
    return bool(err.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT)
                or is_cancelled(err)
                or err.matches(AudioCast.error_quark(), int(AudioCast.Error.CLOSED)))


def from_glib(err: GLib.Error,
              closed: Type[AudioCastError] = PlayerClosedError) -> AudioCastError:
    """The Python exception for a ``GLib.Error`` raised by the C library,
    with the message unchanged. Raise it ``from err``. ``closed`` is the
    class for ``AudioCast.Error.CLOSED`` (which object was stopped)."""
    quark = AudioCast.error_quark()
    if err.matches(quark, int(AudioCast.Error.CLOSED)):
        return closed(err.message, int(AudioCast.Error.CLOSED))
    for code, cls in _BY_CODE.items():
        if err.matches(quark, code):
            return cls(err.message, code)
    return AudioCastError(f"{err.message} ({err.domain} {err.code})")
