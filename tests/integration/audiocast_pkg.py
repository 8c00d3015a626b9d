"""The tree under test: its root, and the ``audiocast`` Python package of it,
imported for the test_py_* tests.

Under meson, PYTHONPATH, GI_TYPELIB_PATH and LD_LIBRARY_PATH point at the
source's python/ and the build tree's gir/. Run by hand, this falls back to
<repo>/python and <repo>/build/gir (or $AUDIOCAST_BUILD_DIR/gir), loading the
library by path so that GI's dlopen by soname finds it.
"""

import ctypes
import os
import sys
from pathlib import Path

import gi

gi.require_version("GIRepository", "2.0")
from gi.repository import GIRepository  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PYTHON_DIR = REPO / "python"
BUILD_DIR = REPO / "build"
if os.environ.get("AUDIOCAST_BUILD_DIR"):
    BUILD_DIR = type(REPO)(os.environ["AUDIOCAST_BUILD_DIR"])
GIR_DIR = BUILD_DIR / "gir"

if str(PYTHON_DIR) not in sys.path:
    sys.path.insert(0, str(PYTHON_DIR))

try:
    gi.require_version("AudioCast", "1.0")
except ValueError:
    GIRepository.Repository.prepend_search_path(str(GIR_DIR))
    GIRepository.Repository.prepend_library_path(str(GIR_DIR))
    ctypes.CDLL(str(GIR_DIR / "libaudiocast-1.0.so.0"), mode=ctypes.RTLD_GLOBAL)

import audiocast  # noqa: E402

# What subprocesses (the CLI) need to find the package and the library.
def child_env(**extra):
    env = dict(os.environ)
    for var, value in (("PYTHONPATH", str(PYTHON_DIR)),
                       ("GI_TYPELIB_PATH", str(GIR_DIR)),
                       ("LD_LIBRARY_PATH", str(GIR_DIR))):
        parts = [p for p in env.get(var, "").split(os.pathsep) if p]
        if value not in parts:
            env[var] = os.pathsep.join([value] + parts)
    env.update(extra)
    return env


__all__ = ["audiocast", "child_env", "REPO", "PYTHON_DIR", "BUILD_DIR",
           "GIR_DIR"]
