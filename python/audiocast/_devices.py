"""Output devices (private)."""

from __future__ import annotations

from typing import List, TypedDict

from ._gi import AudioCast

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


def list_output_devices() -> List[DeviceInfo]:
    """The output devices that exist now.

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
        for i, d in enumerate(AudioCast.list_output_devices())
    ]
