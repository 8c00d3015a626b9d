"""Imports the ``audiocast`` Python package for the test_py_* tests.

Under meson, PYTHONPATH, GI_TYPELIB_PATH and LD_LIBRARY_PATH point at the
source's python/ and the build tree's gir/. Run by hand, this falls back to
<repo>/python and <repo>/build/gir (or $AUDIOCAST_BUILD_DIR/gir), loading the
library by path so that GI's dlopen by soname finds it.
"""

import ctypes
import json
import os
import queue
import subprocess
import sys
import threading
import time

import gi

import acutil
from acutil import REPO

gi.require_version("GIRepository", "2.0")
from gi.repository import GIRepository  # noqa: E402

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


WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "acwork.py")


class Worker:
    """A workload of acwork.py in a child process, so that a hang or a crash
    in the library ends the child, not the test session, and that the child
    can have its own sound server (``server``: an acutil.PulseServer) or its
    own memory (RSS). Messages go both ways as JSON lines."""

    def __init__(self, task, server=None, **args):
        env = child_env()
        if server is not None:
            env.update(server.env())
        self.task = task
        self.proc = subprocess.Popen(
            [sys.executable, WORKER, task, json.dumps(args)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env,
            preexec_fn=acutil._die_with_parent)
        self._messages = queue.Queue()
        self._stderr = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self):
        for line in self.proc.stdout:
            if line.startswith("@@ "):
                self._messages.put(json.loads(line[3:]))
            else:
                print(f"[{self.task}] {line}", end="")
        self._messages.put(None)

    def _read_stderr(self):
        for line in self.proc.stderr:
            self._stderr.append(line)

    @property
    def stderr(self):
        return "".join(self._stderr)

    def recv(self, timeout):
        """The child's next message; fails when none comes in ``timeout``
        seconds or the child ended, with the end of its stderr (where its
        watchdog dumps the threads' stacks)."""
        try:
            msg = self._messages.get(timeout=timeout)
        except queue.Empty:
            msg = None
            what = f"no message within {timeout:.0f} s (hang?)"
        else:
            what = f"it exited with {self.proc.wait(5)}" if msg is None else ""
        if msg is None:
            self.kill()
            raise AssertionError(f"{self.task} worker: {what}; stderr:\n"
                                 + self.stderr[-6000:])
        return msg

    def send(self, **msg):
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()

    def finish(self, timeout=30):
        """Waits for the child to exit; its return code."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.task} worker did not exit; stderr:\n"
                                 + self.stderr[-6000:])

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def run_worker(task, timeout, server=None, **args):
    """Runs a workload that sends one message (its result) and exits."""
    with Worker(task, server=server, **args) as w:
        result = w.recv(timeout)
        assert w.finish() == 0, w.stderr[-6000:]
    return result


__all__ = ["audiocast", "child_env", "PYTHON_DIR", "GIR_DIR", "Worker",
           "run_worker"]
