"""Output and input devices (private)."""

from __future__ import annotations

from typing import Callable, List, Optional, TypedDict, cast

from ._errors import from_glib
from ._gi import AudioCast, GLib
from ._player import text_argument

__all__ = ["DeviceInfo", "InputDeviceInfo", "list_input_devices",
           "list_output_devices"]


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


class InputDeviceInfo(DeviceInfo):
    """One entry of :func:`list_input_devices`: the keys of
    :class:`DeviceInfo`, and whether the input records an output."""

    is_monitor: bool
    """Whether the input records what an output plays (a PulseAudio sink's
    monitor, such as ``"speaker.monitor"``) rather than a microphone or a
    line input."""


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
    return [_keys(i, d) for i, d in
            enumerate(_devices(server, AudioCast.list_output_devices,
                               AudioCast.list_output_devices_on))]


def list_input_devices(server: Optional[str] = None) -> List[InputDeviceInfo]:
    """The input devices that exist now, the default one first: with a
    PulseAudio server (or PipeWire through pipewire-pulse) its sources,
    among them the monitor of each output (``is_monitor``), which records
    what that output plays. ``server`` as for :func:`list_output_devices`.

    >>> import audiocast
    >>> for dev in audiocast.list_input_devices():       # doctest: +SKIP
    ...     print(dev["name"], dev["is_monitor"])
    speaker.monitor True
    Virtual-Mic.monitor True
    """
    # {**DeviceInfo, key: value} is a plain dict to mypy 1.0: cast it back
    return [cast(InputDeviceInfo,
                 {**_keys(i, d), "is_monitor": bool(d.get_is_monitor())})
            for i, d in enumerate(_devices(server, AudioCast.list_input_devices,
                                           AudioCast.list_input_devices_on))]


def _keys(index: int, d: "AudioCast.DeviceInfo") -> DeviceInfo:
    return DeviceInfo(name=d.get_name(), index=index, type=d.get_backend(),
                      description=d.get_description() or d.get_name(),
                      is_default=bool(d.get_is_default()),
                      sample_rate=int(d.get_sample_rate()),
                      channels=int(d.get_channels()))


def _devices(server: Optional[str],
             on_default: Callable[[], List["AudioCast.DeviceInfo"]],
             on_server: Callable[[str], List["AudioCast.DeviceInfo"]]
             ) -> List["AudioCast.DeviceInfo"]:
    server = text_argument("server", server, "a server address",
                           "server address")
    if server is None:
        return on_default()
    try:
        return on_server(server)
    except GLib.Error as e:
        raise from_glib(e) from e
