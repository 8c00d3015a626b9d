"""audiocast: streaming audio output for voice assistants, TTS and
generative audio.

A thin Python layer over the AudioCast C library (GStreamer underneath):
this package turns Python objects into sample bytes and GLib errors into
Python exceptions; the ring buffer, conversion, resampling and timing live in
C. It is API-compatible with PyAudioCast, so ``import audiocast as
pyaudiocast`` runs code written for it unchanged.

>>> import audiocast
>>> [d["name"] for d in audiocast.list_output_devices()]  # doctest: +SKIP
['speaker', 'Virtual-Mic']
>>> with audiocast.AudioPlayer(sample_rate=22050, channels=1) as player:  # doctest: +SKIP
...     player.write(tts_chunk)          # bytes, numpy, array, list[float]
...     player.drain()                   # returns once it was heard
>>> # barge-in, from any thread: discard what was not heard yet
>>> heard_frames = player.clear()                                        # doctest: +SKIP

Logging: set ``AUDIOCAST_LOG=debug``, ``info`` or ``warning`` (the default)
in the environment; the C library reads it and logs to stderr. The
``audiocast`` command (``python3 -m audiocast``) lists devices, plays files
and tones and runs the barge-in demo.
"""

import os as _os
import sys as _sys
import typing as _typing

# A build tree's C extension (build/python/audiocast/_fastwrite*.so) joins
# the package from the source tree when build/python is on sys.path too
# (`meson devenv`, the tests); an installed package has it in place. (What
# pkgutil.extend_path does, without the 10 ms of importing pkgutil.)
for _entry in _sys.path:
    _portion = _os.path.join(_entry or ".", __name__)
    if (_portion not in __path__ and _os.path.isdir(_portion)
            and not _os.path.exists(_os.path.join(_portion, "__init__.py"))):
        __path__.append(_portion)

from ._devices import DeviceInfo, InputDeviceInfo, list_input_devices, list_output_devices
from ._errors import (
    AudioCastError,
    BackendError,
    BusyError,
    DeviceNotFoundError,
    FileFormatError,
    InvalidArgumentError,
    PlayerClosedError,
    RecorderClosedError,
    StreamClosedError,
)
from ._player import AudioPlayer, HeardPosition, Timeline

if _typing.TYPE_CHECKING:
    from ._duplex import playrec
    from ._file import play_file
    from ._recorder import AudioRecorder, ReadInfo
    from ._stream import AudioStream, ScheduledSound

# Imported at first use (PEP 562): a program that only plays does not pay
# for the recorder, files, full duplex and streams at start-up (about 10 ms
# of imports, statistics among them).
_LAZY = {
    "playrec": "._duplex",
    "play_file": "._file",
    "AudioRecorder": "._recorder",
    "ReadInfo": "._recorder",
    "AudioStream": "._stream",
    "ScheduledSound": "._stream",
}


if not _typing.TYPE_CHECKING:  # type checkers see the imports above
    def __getattr__(name: str) -> _typing.Any:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(
                f"module {__name__!r} has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(module, __name__), name)
        globals()[name] = value
        return value


def __dir__() -> "list[str]":
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "AudioCastError",
    "AudioPlayer",
    "AudioRecorder",
    "AudioStream",
    "BackendError",
    "BusyError",
    "DeviceInfo",
    "DeviceNotFoundError",
    "FileFormatError",
    "HeardPosition",
    "InputDeviceInfo",
    "InvalidArgumentError",
    "PlayerClosedError",
    "ReadInfo",
    "RecorderClosedError",
    "ScheduledSound",
    "StreamClosedError",
    "Timeline",
    "list_input_devices",
    "list_output_devices",
    "play_file",
    "playrec",
]
