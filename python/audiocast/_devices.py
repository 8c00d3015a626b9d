"""Output devices (private)."""

from __future__ import annotations

from typing import List, Optional, TypedDict

from ._errors import from_glib
from ._gi import AudioCast, GLib
from ._player import text_argument

__all__ = ["DeviceInfo", "list_output_devices"]


class DeviceInfo(TypedDict):
    """One entry of :func:`list_output_devices`."""

    name: str
    """What to pass as ``device=``: the sound server's name for the device
    (e.g. the PulseAudio sink name ``"Virtual-Mic"``)."""
    index: int
    """Position in the list."""
    type: str
    """The backend that plays it, e.g. ``"pulse"`` or ``"alsa"``."""
    description: str
    """Human-readable name."""
    is_default: bool
    """Whether ``device=None`` plays here."""
    sample_rate: int
    """The device's native sample rate (Hz)."""
    channels: int
    """The device's native channel count."""


def list_output_devices(server: Optional[str] = None) -> List[DeviceInfo]:
    """The output devices that exist now, the default one first.

    ``server``: a sound server's PulseAudio protocol address
    (``"tcp:192.0.2.7:4713"``, ``"unix:/path/native"``) to list the sinks of,
    which may be on another machine; ``None`` lists the default server's.
    A named server that does not answer within 2 s raises
    :class:`BackendError` naming the address.

    >>> import audiocast
    >>> for dev in audiocast.list_output_devices():      # doctest: +SKIP
    ...     print(f"[{dev['index']}] {dev['name']} ({dev['type']})")
    [0] speaker (pulse)
    [1] Virtual-Mic (pulse)
    """
    return [
        DeviceInfo(name=d.get_name(), index=i, type=d.get_backend(),
                   description=d.get_description() or d.get_name(),
                   is_default=bool(d.get_is_default()),
                   sample_rate=int(d.get_sample_rate()),
                   channels=int(d.get_channels()))
        for i, d in enumerate(_devices(server))
    ]


def _devices(server: Optional[str]) -> list:
    server = text_argument("server", server, "a server address",
                           "server address")
    if server is None:
        return AudioCast.list_output_devices()
    try:
        return AudioCast.list_output_devices_on(server)
    except GLib.Error as e:
        raise from_glib(e) from e
