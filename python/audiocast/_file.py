"""One-shot file playback (private)."""

from __future__ import annotations

import os
from typing import Optional, Union

from ._errors import from_glib, is_cancelled
from ._gi import AudioCast, Gio, GLib
from ._player import _device_name, call_interruptibly, text_argument

__all__ = ["play_file"]


def play_file(path: Union[str, "os.PathLike[str]"],
              device: Optional[str] = None,
              server: Optional[str] = None) -> None:
    """Plays a sound file (WAV, or anything GStreamer decodes) or URI to the
    end and returns once it was heard.

    ``server`` is the sound server's address (``"tcp:HOST:PORT"``,
    ``"unix:/path/native"``), as for :class:`AudioPlayer`; None for the
    default server.

    Raises :class:`FileFormatError` when the file cannot be read or decoded
    and :class:`DeviceNotFoundError` for an unknown device. Ctrl-C stops the
    playback at once (and raises KeyboardInterrupt as usual).

    >>> import audiocast
    >>> audiocast.play_file("audio.wav", device="Virtual-Mic")  # doctest: +SKIP
    """
    target = os.fspath(path)
    device = _device_name(device)
    server = text_argument("server", server, "a server address",
                           "server address")
    cancellable = Gio.Cancellable()

    def play() -> None:
        AudioCast.play_file_on(target, device, server, cancellable)

    try:
        call_interruptibly(play, on_interrupt=cancellable.cancel)
    except GLib.Error as e:
        if is_cancelled(e):
            raise KeyboardInterrupt from None
        raise from_glib(e) from e
