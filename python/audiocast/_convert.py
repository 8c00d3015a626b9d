"""Python objects to ``(AudioCast.SampleFormat, PCM)`` (private).

No sample is touched here: the PCM goes to the C library as it is (numpy
arrays are only made contiguous and little-endian, without a copy when they
already are), and the C library converts, resamples and mixes. What this module decides is which of the four
sample formats the object holds:

==========================================  ===========
input                                       format
==========================================  ===========
``bytes``, ``bytearray``                    S16LE
``memoryview`` of ``h`` / ``i`` / ``f`` /   S16LE / S32LE / F32LE / F64LE
``d`` (``B`` = raw bytes: S16LE)
``array.array`` ``'h'``, ``'i'``, ``'f'``,  S16LE, S32LE, F32LE, F64LE
``'d'`` (``'l'`` where it is 4 bytes)
``numpy.ndarray`` int16, int32, float32,    S16LE, S32LE, F32LE, F64LE
float64, 1-D interleaved or 2-D
(frames x channels)
``list`` / ``tuple`` of floats in [-1, 1]   F32LE
==========================================  ===========

>>> from audiocast._convert import to_pcm
>>> fmt, data = to_pcm(b"\\x00\\x01\\x00\\x02", channels=1)
>>> fmt.value_nick, data
('s16le', b'\\x00\\x01\\x00\\x02')
>>> fmt, data = to_pcm([0.0, 0.5], channels=2)
>>> fmt.value_nick, len(data)
('f32le', 8)
"""

from __future__ import annotations

import array
import sys
from typing import TYPE_CHECKING, Any, Sequence, Tuple, Union

from ._gi import AudioCast

if TYPE_CHECKING:  # numpy is optional: only imported when a numpy array comes in
    import numpy

    AudioData = Union[bytes, bytearray, memoryview, "array.array[Any]",
                      "numpy.ndarray[Any, Any]", Sequence[float]]
    Pcm = Union[bytes, "numpy.ndarray[Any, Any]"]
else:
    AudioData = Any
    Pcm = Any

__all__ = ["AudioData", "ACCEPTED", "Pcm", "pcm_bytes", "pcm_size", "pcm_tail",
           "sample_size", "to_pcm"]

Fmt = AudioCast.SampleFormat

ACCEPTED = ("bytes or bytearray (int16 little-endian), memoryview or "
            "array.array of int16 ('h'), int32 ('i'), float32 ('f') or float64 "
            "('d'), a numpy array of int16, int32, float32 or float64, or a "
            "list/tuple of floats")

# (kind, item size) -> format; kind 'i' = signed integer, 'f' = float
_FORMATS = {
    ("i", 2): Fmt.S16LE,
    ("i", 4): Fmt.S32LE,
    ("f", 4): Fmt.F32LE,
    ("f", 8): Fmt.F64LE,
}
# struct / array type codes -> kind
_KINDS = {"h": "i", "i": "i", "l": "i", "q": "i", "f": "f", "d": "f"}
_LITTLE = sys.byteorder == "little"


def _format_for(kind: str, itemsize: int, what: str) -> "AudioCast.SampleFormat":
    fmt = _FORMATS.get((kind, itemsize))
    if fmt is None:
        raise TypeError(f"cannot play {what}; write() accepts {ACCEPTED}")
    return fmt


# item size -> an array type code of that size, for byte swapping
_SWAP = {array.array(c).itemsize: c for c in "qlih"}


def _to_le(data: bytes, itemsize: int, big: bool = not _LITTLE) -> bytes:
    """``data`` (items of ``itemsize`` bytes) in little-endian order; ``big``
    says whether it is big-endian now (by default: the host's order)."""
    if not big:
        return data
    a = array.array(_SWAP[itemsize], data)
    a.byteswap()
    return a.tobytes()


def _even(n: int) -> None:
    if n % 2:
        raise ValueError(
            f"bytes are int16 samples, so their length must be even (got {n})")


def _check_shape(shape: Tuple[int, ...], channels: int, what: str) -> None:
    if len(shape) == 2:
        if shape[1] != channels:
            raise ValueError(
                f"{what} has {shape[1]} columns (channels) but the player "
                f"has {channels} channels")
    elif len(shape) != 1:
        raise ValueError(
            f"{what} must be 1-D (interleaved) or 2-D (frames x channels), "
            f"not {len(shape)}-D")


def _from_memoryview(m: memoryview, channels: int) -> Tuple["AudioCast.SampleFormat", bytes]:
    code = m.format
    order = ""
    if code[:1] in "@=<>!":
        order, code = code[0], code[1:]
    if code in ("B", "b", "c"):  # raw bytes
        data = m.tobytes()
        _even(len(data))
        return Fmt.S16LE, data
    kind = _KINDS.get(code)
    if kind is None:
        raise TypeError(f"cannot play a memoryview of format {m.format!r}; "
                        f"write() accepts {ACCEPTED}")
    fmt = _format_for(kind, m.itemsize, f"a memoryview of format {m.format!r}")
    _check_shape(tuple(m.shape or ()), channels, "memoryview")
    big = order in (">", "!") or (order != "<" and not _LITTLE)
    return fmt, _to_le(m.tobytes(), m.itemsize, big)  # tobytes: C order


def _from_numpy(a: "numpy.ndarray[Any, Any]", channels: int) -> Tuple["AudioCast.SampleFormat", Pcm]:
    import numpy as np

    dt = a.dtype
    if dt.kind not in "if" or (dt.kind, dt.itemsize) not in _FORMATS:
        raise TypeError(f"cannot play a numpy array of dtype {dt}; "
                        f"write() accepts {ACCEPTED}")
    _check_shape(a.shape, channels, "numpy array")
    return (_FORMATS[(dt.kind, dt.itemsize)],
            np.ascontiguousarray(a, dtype=dt.newbyteorder("<")))


def pcm_bytes(pcm: Pcm) -> bytes:
    """The bytes of what :func:`to_pcm` returned."""
    return pcm if isinstance(pcm, bytes) else pcm.tobytes()


def pcm_size(pcm: Pcm) -> int:
    return len(pcm) if isinstance(pcm, bytes) else pcm.nbytes


def sample_size(fmt: "AudioCast.SampleFormat") -> int:
    """Bytes per sample of one of the formats :func:`to_pcm` returns."""
    return next(size for (_, size), f in _FORMATS.items() if f == fmt)


def pcm_tail(pcm: Pcm, start: int) -> Pcm:
    """The samples of ``pcm`` from byte ``start`` on, as a contiguous numpy
    byte view (no copy), or ``bytes`` without numpy."""
    np = sys.modules.get("numpy")
    if isinstance(pcm, bytes):
        return pcm[start:] if np is None else np.frombuffer(pcm, np.uint8)[start:]
    return pcm.reshape(-1).view("u1")[start:]


def to_pcm(data: AudioData, channels: int) -> Tuple["AudioCast.SampleFormat", Pcm]:
    """The sample format and the interleaved little-endian samples of
    ``data``: ``bytes``, or for a numpy array a C-contiguous little-endian
    array (``data`` itself when it already is one: no copy).

    ``channels`` is the player's channel count; a 2-D input must have as many
    columns. Raises :class:`TypeError` for objects that hold no samples of an
    accepted type and :class:`ValueError` for ones of the wrong shape or an
    odd number of bytes. Whether the bytes make whole frames is checked by the
    C library (:class:`~audiocast.InvalidArgumentError`, a ValueError).
    """
    if isinstance(data, (bytes, bytearray)):
        _even(len(data))
        return Fmt.S16LE, bytes(data)
    if isinstance(data, memoryview):
        return _from_memoryview(data, channels)
    if isinstance(data, array.array):
        kind = _KINDS.get(data.typecode)
        if kind is None:
            raise TypeError(f"cannot play an array.array of type code "
                            f"{data.typecode!r}; write() accepts {ACCEPTED}")
        fmt = _format_for(kind, data.itemsize,
                          f"an array.array of type code {data.typecode!r} "
                          f"({data.itemsize} bytes)")
        return fmt, _to_le(data.tobytes(), data.itemsize)
    np = sys.modules.get("numpy")
    if np is not None and isinstance(data, np.ndarray):
        return _from_numpy(data, channels)
    if isinstance(data, (list, tuple)):
        try:
            samples = array.array("f", data)
        except TypeError:
            raise TypeError("a list or tuple must hold floats (samples in "
                            f"[-1, 1]); write() accepts {ACCEPTED}") from None
        return Fmt.F32LE, _to_le(samples.tobytes(), 4)
    raise TypeError(f"cannot play {type(data).__name__}; write() accepts {ACCEPTED}")
