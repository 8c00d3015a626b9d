"""audio_cast_player_write() without PyGObject's marshalling (private).

For a ``guint8`` array argument PyGObject copies the caller's bytes into a
fresh C array on every call, and its argument handling costs microseconds per
call: with 10 ms chunks that was most of what write() cost. ctypes hands the
library a pointer to the caller's own buffer instead (bytes, or a contiguous
numpy array) and, like PyGObject, releases the GIL for the call. The function
and its arguments are the library's public C API; only the marshalling
differs. When the library cannot be reached this way (an unusual build),
:func:`native_writer` returns None and the player keeps using PyGObject.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any, Callable, Optional, Tuple

from ._gi import AudioCast, GLib

__all__ = ["native_writer"]


class _GError(ctypes.Structure):
    _fields_ = [("domain", ctypes.c_uint32), ("code", ctypes.c_int),
                ("message", ctypes.c_char_p)]


def _load() -> Optional[Tuple[Any, Any]]:
    """(audio_cast_player_write, g_error_free) from the libraries already in
    the process, or None."""
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
        free = glib.g_error_free
    except (ImportError, ValueError, OSError, AttributeError):
        return None
    write.restype = ctypes.c_size_t
    write.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                      ctypes.c_size_t, ctypes.POINTER(ctypes.POINTER(_GError))]
    free.restype = None
    free.argtypes = [ctypes.POINTER(_GError)]
    return write, free


_LOADED: Optional[Tuple[Any, Any]] = None
_TRIED = False


def _object_address(obj: Any) -> int:
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype = ctypes.c_void_p
    get.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return get(obj.__gpointer__, None)


def _buffer_address(data: Any) -> int:
    if isinstance(data, bytes):
        return ctypes.cast(data, ctypes.c_void_p).value or 0
    return data.ctypes.data  # a C-contiguous numpy array (see _convert)


def native_writer(player: "AudioCast.Player") -> Optional[Callable[..., int]]:
    """A function ``write(fmt, data, size)`` for ``player`` that raises
    ``GLib.Error`` like the PyGObject method does, or None.

    ``data`` is ``bytes`` or a C-contiguous numpy array; it stays referenced
    (so alive) for the whole call.
    """
    global _LOADED, _TRIED
    if not _TRIED:
        _TRIED = True
        _LOADED = _load()
    if _LOADED is None:
        return None
    write, free = _LOADED
    try:
        address = _object_address(player)
    except (AttributeError, TypeError, ValueError):
        return None
    if not address:
        return None

    def native_write(fmt: "AudioCast.SampleFormat", data: Any, size: int) -> int:
        error = ctypes.POINTER(_GError)()
        written = write(address, int(fmt), _buffer_address(data), size,
                        ctypes.byref(error))
        if error:
            e = error.contents
            err = GLib.Error.new_literal(e.domain, e.message.decode("utf-8", "replace"),
                                         e.code)
            free(error)
            raise err
        return written

    return native_write
