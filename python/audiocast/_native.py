"""audio_cast_player_write(), audio_cast_player_try_write() and
audio_cast_recorder_read_into() without
PyGObject's marshalling (private).

For a ``guint8`` array argument PyGObject copies the caller's bytes into a
fresh C array on every call, and its argument handling costs microseconds per
call: with 10 ms chunks that was most of what write() cost. ctypes hands the
library a pointer to the caller's own buffer instead (bytes, or a contiguous
numpy array) and, like PyGObject, releases the GIL for the call. A read
likewise lands straight in the numpy array the caller gets, where PyGObject
would hand over a GBytes to copy. The functions and their arguments are the
library's public C API; only the marshalling differs. When the library cannot
be reached this way (an unusual build), :func:`native_writer` and
:func:`native_reader` return None and the caller keeps using PyGObject.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any, Callable, Optional, Tuple

from ._gi import AudioCast, GLib

__all__ = ["fast_writer", "fast_write_error", "native_reader", "native_writer"]


class _GError(ctypes.Structure):
    _fields_ = [("domain", ctypes.c_uint32), ("code", ctypes.c_int),
                ("message", ctypes.c_char_p)]


def _load() -> Optional[Tuple[Any, Any, Any, Any]]:
    """(audio_cast_player_write, audio_cast_recorder_read_into, g_error_free,
    audio_cast_player_try_write) from the libraries already in the process,
    or None."""
    try:
        import gi
        gi.require_version("GIRepository", "2.0")
        from gi.repository import GIRepository

        names = GIRepository.Repository.get_default().get_shared_library("AudioCast")
        # RTLD_NOLOAD: the very library PyGObject loaded, never another copy
        mode = ctypes.RTLD_LOCAL | getattr(os, "RTLD_NOLOAD", 0)
        audiocast = ctypes.CDLL(names.split(",")[0], mode=mode)
        glib = ctypes.CDLL("libglib-2.0.so.0", mode=mode)
        write = audiocast.audio_cast_player_write
        try_write = audiocast.audio_cast_player_try_write
        read = audiocast.audio_cast_recorder_read_into
        free = glib.g_error_free
    except (ImportError, ValueError, OSError, AttributeError):
        return None
    error_out = ctypes.POINTER(ctypes.POINTER(_GError))
    for fn in (write, try_write):
        fn.restype = ctypes.c_size_t
        fn.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                       ctypes.c_size_t, error_out]
    read.restype = ctypes.c_size_t
    read.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                     ctypes.c_int64, ctypes.c_void_p,
                     ctypes.POINTER(ctypes.c_int64),
                     ctypes.POINTER(ctypes.c_uint64), error_out]
    free.restype = None
    free.argtypes = [ctypes.POINTER(_GError)]
    return write, read, free, try_write


_LOADED: Optional[Tuple[Any, Any, Any, Any]] = None
_TRIED = False


def _object_address(obj: Any) -> Optional[int]:
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype = ctypes.c_void_p
    get.argtypes = [ctypes.py_object, ctypes.c_char_p]
    address: Optional[int] = get(obj.__gpointer__, None)  # c_void_p: NULL is None
    return address


def _buffer_address(data: Any) -> int:
    if isinstance(data, bytes):
        # ctypes passes bytes as a char pointer; typeshed's cast() omits bytes
        return ctypes.cast(data, ctypes.c_void_p).value or 0  # type: ignore[arg-type]
    address: int = data.ctypes.data  # a C-contiguous numpy array (see _convert)
    return address


def _loaded() -> Optional[Tuple[Any, Any, Any, Any]]:
    global _LOADED, _TRIED
    if not _TRIED:
        _TRIED = True
        _LOADED = _load()
    return _LOADED


def _address_or_none(obj: Any) -> Optional[int]:
    try:
        return _object_address(obj) or None
    except (AttributeError, TypeError, ValueError):
        return None


def _raise_if_set(error: Any, free: Any) -> None:
    """Raises the GError a call set, as the ``GLib.Error`` PyGObject would
    have raised, after freeing it."""
    if not error:
        return
    e = error.contents
    err = GLib.Error.new_literal(e.domain, e.message.decode("utf-8", "replace"),
                                 e.code)
    free(error)
    raise err


def native_writer(player: "AudioCast.Player", wait: bool = True
                  ) -> Optional[Callable[..., int]]:
    """A function ``write(fmt, data, size)`` for ``player`` that raises
    ``GLib.Error`` like the PyGObject method does, or None. With ``wait``
    False it is ``try_write``: what fits now, never waiting.

    ``data`` is ``bytes`` or a C-contiguous numpy array; it stays referenced
    (so alive) for the whole call.
    """
    loaded = _loaded()
    address = _address_or_none(player)
    if loaded is None or address is None:
        return None
    write, _, free, try_write = loaded
    if not wait:
        write = try_write

    def native_write(fmt: "AudioCast.SampleFormat", data: Any, size: int) -> int:
        error = ctypes.POINTER(_GError)()
        written: int = write(address, int(fmt), _buffer_address(data), size,
                             ctypes.byref(error))
        _raise_if_set(error, free)
        return written

    return native_write


def native_reader(recorder: "AudioCast.Recorder"
                  ) -> Optional[Callable[..., Tuple[int, int, int]]]:
    """A function ``read(array, frames, timeout_us, cancellable)`` for
    ``recorder`` that reads into ``array`` (a C-contiguous, writable numpy
    array with room for ``frames`` frames) and returns ``(frames read,
    capture time in µs or -1, frames dropped before)``, raising
    ``GLib.Error`` like the PyGObject method does; or None."""
    loaded = _loaded()
    address = _address_or_none(recorder)
    if loaded is None or address is None:
        return None
    _, read, free, _ = loaded

    def native_read(array: Any, frames: int, timeout_us: int,
                    cancellable: Any) -> Tuple[int, int, int]:
        error = ctypes.POINTER(_GError)()
        capture_time = ctypes.c_int64(-1)
        dropped = ctypes.c_uint64(0)
        cancel = _address_or_none(cancellable) if cancellable is not None else None
        got = read(address, array.ctypes.data, frames, timeout_us, cancel,
                   ctypes.byref(capture_time), ctypes.byref(dropped),
                   ctypes.byref(error))
        _raise_if_set(error, free)
        return got, capture_time.value, dropped.value

    return native_read


def fast_writer(player: "AudioCast.Player") -> Optional[Callable[[Any, bool], Any]]:
    """``write(data, wait)`` through the package's C extension
    (_fastwrite.c) for ``player``, or None without it. It returns the frames
    written; a tuple for an error of the library (see :func:`fast_write_error`);
    None for data it does not take, which the caller then converts as
    usual."""
    try:
        from . import _fastwrite  # type: ignore[attr-defined]  # built by meson
    except ImportError:
        return None
    address = _address_or_none(player)
    if address is None:
        return None
    channels = int(player.get_channels())
    write = _fastwrite.write

    def fast_write(data: Any, wait: bool) -> Any:
        return write(address, data, channels, wait)

    return fast_write


def fast_write_error(result: Tuple[str, int, str]) -> GLib.Error:
    """The ``GLib.Error`` for an error tuple of the fast writer."""
    domain, code, message = result
    return GLib.Error.new_literal(GLib.quark_from_string(domain), message, code)
