"""The private sound servers of a benchmark run, and where trials play.

A Server is one of tests/integration/sound_servers.py's private servers (null
sinks, the float32 48 kHz stereo `speaker` as default sink) of any kind:
``pulse`` (the default, PulseAudio with norewinds null sinks),
``pulse-rewinds`` or ``pipewire``, optionally also listening on TCP on
127.0.0.1. The main benchmarks start one ``pulse`` server and point this
process's environment, and so every child (peers, parec), at it
(``start(default=True)``); the per-server benchmarks (bench/servers.py) start
one after another and give each child its server's environment explicitly.
The user's sound server is never contacted.

A Remote is a second server reached over TCP as one on another machine
would be: the clients keep a first server as their default (PULSE_SERVER)
and name the second one with ``server=``; its monitor is recorded through its
own environment.

Both are what bench/trials.py's Runner plays to: ``ensure_running()``,
``capture()``, ``child_env()`` and ``address`` (the ``server=`` of the
peers, None for the default server).
"""

import os
import socket
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

import analysis  # noqa: E402,F401  (bench.measure's)
import captures  # noqa: E402
import sound_servers  # noqa: E402


def free_tcp_port():
    """A TCP port nobody listens on at 127.0.0.1 (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, root, kind="pulse", tcp_port=None):
        self.root = Path(root)
        self.kind = kind
        self.sound = sound_servers.make_server(kind, self.root / kind, tcp_port=tcp_port)
        self.restarts = 0
        self.address = None  # played to as the clients' default server

    @property
    def pulse(self):  # the name the main benchmarks knew it by
        return self.sound

    @property
    def tcp_address(self):
        return self.sound.tcp_address

    def start(self, default=True):
        """Starts the daemon(s). ``default``: also points this process's
        environment (so every child's) at it, with our own GStreamer
        registry for the children, warm after the first."""
        if default:
            os.environ.update(self.sound.env())
            for var in ("PULSE_SINK", "PULSE_SOURCE"):
                os.environ.pop(var, None)
            os.environ["GST_REGISTRY_1_0"] = str(self.root / "registry.bin")
        self.sound.start()
        return self

    def ensure_running(self):
        """Restarts the daemon if it went away (the machine is shared)."""
        proc = self.sound.proc
        if proc is None or proc.poll() is not None:
            self.restarts += 1
            print(f"bench: private {self.kind} server had exited; restarting it",
                  file=sys.stderr)
            self.sound.start()

    def stop(self):
        self.sound.stop()

    def child_env(self):
        """The environment of a client of this server (PULSE_SERVER etc.)."""
        return self.sound.child_env()

    def period_seconds(self):
        """One period of this server (sound_servers.period_seconds)."""
        return sound_servers.period_seconds(self.kind, self.sound)

    def capture(self):
        """A running recording of the `speaker` sink's monitor."""
        return captures.Capture(sound_servers.SPEAKER, server=self.sound).start()


class Remote:
    """``remote`` (a Server started with a tcp_port) played to over TCP by
    clients whose default server is ``local``."""

    def __init__(self, local, remote):
        self.local = local
        self.remote = remote
        self.kind = remote.kind
        self.address = remote.tcp_address

    def ensure_running(self):
        self.local.ensure_running()
        self.remote.ensure_running()

    @property
    def restarts(self):
        return self.local.restarts + self.remote.restarts

    def child_env(self):
        return self.local.child_env()

    def period_seconds(self):
        return self.remote.period_seconds()

    def capture(self):
        return self.remote.capture()
