"""PyAudio's API on audiocast: ``import audiocast.pyaudio as pyaudio``.

Programs written for PyAudio run unchanged for the API they use in practice
(see the guide's list of what is covered): :class:`PyAudio`, its ``open()``
with blocking ``Stream.write``/``Stream.read`` or a ``stream_callback``,
the device queries and the ``pa*`` constants. Underneath are audiocast's
player and recorder: no GIL in the audio path, exact accounting, nothing
printed on open, any rate and channel count (converted for the device).

Where audiocast differs from PortAudio, on purpose:

- ``Stream.write`` returns once the frames are queued in the player's ring
  (like PortAudio's blocking write, but the ring holds more);
  ``stop_stream()`` and ``close()`` of an output stream let what was
  written play out (PortAudio's ``close()`` drops its last buffer);
- devices are the sound server's sinks and sources, behind a ``default``
  device at index 0; there is one host API, ``audiocast``.

>>> import audiocast.pyaudio as pyaudio
>>> pyaudio.get_sample_size(pyaudio.paInt16)
2
>>> pyaudio.get_format_from_width(4) == pyaudio.paInt32
True
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set

from ._pyaudio_consts import *  # noqa: F401,F403  the pa* names, as PyAudio's
from ._pyaudio_consts import (paInDevelopment, paInt8, paInt16,
                              paInt24, paInt32, paInvalidDevice,
                              paSampleFormatNotSupported, paUInt8)
from ._pyaudio_stream import Stream, sample_size
from ._pyaudio_stream import Stream as _Stream

__all__ = ["PyAudio", "Stream", "get_format_from_width", "get_portaudio_version",
           "get_portaudio_version_text", "get_sample_size"]

__version__ = "0.2.14"
"""The PyAudio version whose API this module follows."""


def get_sample_size(format: int) -> int:
    """Bytes per sample of a ``pa*`` sample format; ``ValueError`` for an
    unknown one.

    >>> get_sample_size(paFloat32)
    4
    """
    return sample_size(format)


def get_format_from_width(width: int, unsigned: bool = True) -> int:
    """The ``pa*`` sample format of ``width`` bytes (1: paUInt8, or paInt8
    with ``unsigned=False``; 2, 3, 4: paInt16, paInt24, paInt32).

    >>> get_format_from_width(2) == paInt16
    True
    >>> get_format_from_width(5)
    Traceback (most recent call last):
    ...
    ValueError: Invalid width: 5
    """
    if width == 1:
        return paUInt8 if unsigned else paInt8
    formats = {2: paInt16, 3: paInt24, 4: paInt32}
    if width not in formats:
        raise ValueError(f"Invalid width: {width}")
    return formats[width]


def get_portaudio_version() -> int:
    """audiocast's version as PortAudio encodes its own (major << 16 |
    minor << 8 | micro): there is no PortAudio here."""
    from . import __version__ as version

    major, minor, micro = (int(p) for p in version.split(".")[:3])
    return major << 16 | minor << 8 | micro


def get_portaudio_version_text() -> str:
    """What plays the audio, as text."""
    from . import __version__ as version

    return f"audiocast {version} (PyAudio API {__version__})"


def _device_entry(index: int, name: str, inputs: int, outputs: int,
                  rate: float, low: float, high: float) -> Dict[str, Any]:
    """A PaDeviceInfo dictionary, with PyAudio's keys."""
    return {
        "index": index, "structVersion": 2, "name": name, "hostApi": 0,
        "maxInputChannels": inputs, "maxOutputChannels": outputs,
        "defaultLowInputLatency": low if inputs else -1.0,
        "defaultLowOutputLatency": low if outputs else -1.0,
        "defaultHighInputLatency": high if inputs else -1.0,
        "defaultHighOutputLatency": high if outputs else -1.0,
        "defaultSampleRate": rate,
    }


# Latencies the device entries report, in seconds: a period and the
# player's ring as the library sets them up.
_LOW_LATENCY = 0.01
_HIGH_LATENCY = 0.1


class PyAudio:
    """PyAudio's entry point: opens streams and describes the devices.

    Creating it costs nothing and prints nothing; :meth:`terminate` closes
    the streams it opened.
    """

    Stream = Stream

    def __init__(self) -> None:
        self._streams: Set[_Stream] = set()
        self._devices: Optional[List[Dict[str, Any]]] = None

    # -- streams -------------------------------------------------------------

    def open(self, *args: Any, **kwargs: Any) -> _Stream:
        """Opens a stream: the arguments of :class:`Stream` after its first
        (``rate, channels, format, input=False, output=False,
        input_device_index=None, output_device_index=None,
        frames_per_buffer=0, start=True, ..., stream_callback=None``)."""
        stream = _Stream(self, *args, **kwargs)
        self._streams.add(stream)
        return stream

    def close(self, stream: _Stream) -> None:
        """Closes ``stream`` (as ``stream.close()``); ``ValueError`` when
        it is not one of this object's."""
        if stream not in self._streams:
            raise ValueError("Stream `%s' not found" % stream)
        stream.close()

    def _remove_stream(self, stream: _Stream) -> None:
        self._streams.discard(stream)

    def terminate(self) -> None:
        """Closes every stream this object opened."""
        for stream in list(self._streams):
            stream.close()
        self._streams.clear()

    # -- formats ---------------------------------------------------------------

    def get_sample_size(self, format: int) -> int:
        """As the module's :func:`get_sample_size`."""
        return get_sample_size(format)

    def get_format_from_width(self, width: int, unsigned: bool = True) -> int:
        """As the module's :func:`get_format_from_width`."""
        return get_format_from_width(width, unsigned)

    def is_format_supported(self, rate: float, input_device: Optional[int] = None,
                            input_channels: Optional[int] = None,
                            input_format: Optional[int] = None,
                            output_device: Optional[int] = None,
                            output_channels: Optional[int] = None,
                            output_format: Optional[int] = None) -> bool:
        """``True`` when the devices exist and the formats are known (any
        rate and channel count is converted for the device); ``ValueError``
        with ``(text, code)`` otherwise, as PyAudio raises."""
        for device, fmt, channels, key in (
                (input_device, input_format, input_channels, "maxInputChannels"),
                (output_device, output_format, output_channels, "maxOutputChannels")):
            if device is None:
                continue
            entry = self._entry(device)
            if entry is None or entry[key] == 0:
                raise ValueError("Invalid device", paInvalidDevice)
            if fmt is not None:
                try:
                    sample_size(fmt)
                except ValueError:
                    raise ValueError("Sample format not supported",
                                     paSampleFormatNotSupported) from None
        if rate <= 0:
            raise ValueError("Invalid sample rate", -9997)
        return True

    # -- host API --------------------------------------------------------------

    def get_host_api_count(self) -> int:
        """One: the sound server audiocast plays through."""
        return 1

    def get_default_host_api_info(self) -> Dict[str, Any]:
        """The one host API, as a PaHostApiInfo dictionary."""
        return self.get_host_api_info_by_index(0)

    def get_host_api_info_by_index(self, host_api_index: int) -> Dict[str, Any]:
        """The host API at ``host_api_index`` (only 0 exists)."""
        if host_api_index != 0:
            raise OSError(-9978, "Invalid host api info")
        devices = self._device_list()
        return {"index": 0, "structVersion": 1, "type": paInDevelopment,
                "name": "audiocast", "deviceCount": len(devices),
                "defaultInputDevice": self._default_index("maxInputChannels"),
                "defaultOutputDevice": self._default_index("maxOutputChannels")}

    def get_host_api_info_by_type(self, host_api_type: int) -> Dict[str, Any]:
        """The host API of ``host_api_type``: only ``paInDevelopment``,
        audiocast's."""
        if host_api_type != paInDevelopment:
            raise OSError(-9979, "Host API not found")
        return self.get_host_api_info_by_index(0)

    def get_device_info_by_host_api_device_index(
            self, host_api_index: int, host_api_device_index: int) -> Dict[str, Any]:
        """The ``host_api_device_index``-th device of the one host API."""
        if host_api_index != 0:
            raise OSError(-9978, "Invalid host api info")
        return self.get_device_info_by_index(host_api_device_index)

    # -- devices ---------------------------------------------------------------

    def _device_list(self) -> List[Dict[str, Any]]:
        """``default``, then the sinks, then the sources; read once."""
        if self._devices is None:
            from ._devices import list_input_devices, list_output_devices

            outputs = list_output_devices()
            inputs = list_input_devices()
            out_default = next((d for d in outputs if d["is_default"]), None)
            in_default = next((d for d in inputs if d["is_default"]), None)
            rate = float((out_default or in_default or {"sample_rate": 48000})
                         ["sample_rate"])
            entries = [_device_entry(0, "default",
                                     in_default["channels"] if in_default else 0,
                                     out_default["channels"] if out_default else 0,
                                     rate, _LOW_LATENCY, _HIGH_LATENCY)]
            for d in outputs:
                entries.append(_device_entry(len(entries), d["name"], 0, d["channels"],
                                             float(d["sample_rate"]),
                                             _LOW_LATENCY, _HIGH_LATENCY))
            for i in inputs:
                entries.append(_device_entry(len(entries), i["name"], i["channels"], 0,
                                             float(i["sample_rate"]),
                                             _LOW_LATENCY, _HIGH_LATENCY))
            for e in entries:
                e["_server_name"] = None if e["index"] == 0 else e["name"]
            self._devices = entries
        return self._devices

    def _entry(self, index: int) -> Optional[Dict[str, Any]]:
        devices = self._device_list()
        if isinstance(index, bool) or not isinstance(index, int) \
                or not 0 <= index < len(devices):
            return None
        return devices[index]

    def _default_index(self, key: str) -> int:
        entry = self._device_list()[0]
        return 0 if entry[key] > 0 else -1

    def _public(self, entry: Dict[str, Any]) -> Dict[str, Any]:
        return {k: v for k, v in entry.items() if not k.startswith("_")}

    def get_device_count(self) -> int:
        """How many devices :meth:`get_device_info_by_index` knows."""
        return len(self._device_list())

    def get_device_info_by_index(self, device_index: int) -> Dict[str, Any]:
        """The device at ``device_index``, as a PaDeviceInfo dictionary;
        ``OSError`` for an index out of range."""
        entry = self._entry(device_index)
        if entry is None:
            raise OSError(paInvalidDevice, "Invalid device index")
        return self._public(entry)

    def get_default_output_device_info(self) -> Dict[str, Any]:
        """The ``default`` device; ``OSError`` when the server has no
        output."""
        if self._default_index("maxOutputChannels") < 0:
            raise OSError(-9996, "No Default Output Device Available")
        return self._public(self._device_list()[0])

    def get_default_input_device_info(self) -> Dict[str, Any]:
        """The ``default`` device; ``OSError`` when the server has no
        input."""
        if self._default_index("maxInputChannels") < 0:
            raise OSError(-9996, "No Default Input Device Available")
        return self._public(self._device_list()[0])

    def _server_name(self, index: Optional[int], key: str) -> Optional[str]:
        """The sound server's name for device ``index`` (None: the
        default), checked to be a device of that direction."""
        if index is None:
            return None
        entry = self._entry(index)
        if entry is None or entry[key] == 0:
            raise OSError(paInvalidDevice, "Invalid device")
        name: Optional[str] = entry["_server_name"]
        return name


def _run_program(argv: List[str]) -> int:
    """``python3 -m audiocast.pyaudio PROGRAM [ARGS]``: runs a PyAudio
    program unchanged, its ``import pyaudio`` getting this module."""
    import os
    import runpy
    import sys

    if not argv:
        print("usage: python3 -m audiocast.pyaudio PROGRAM.py [ARGS...]\n"
              "Runs a PyAudio program with `import pyaudio` giving "
              "audiocast.pyaudio.", file=sys.stderr)
        return 2
    import audiocast.pyaudio as this

    sys.modules["pyaudio"] = this
    sys.argv = list(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
    runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    import sys as _sys

    _sys.exit(_run_program(_sys.argv[1:]))
