"""Private sound servers for the integration tests and benchmarks.

Every server here runs in its own temporary directory (HOME,
XDG_RUNTIME_DIR, sockets), is reached only through the environment that
``env()`` returns, and is stopped by whoever started it: the user's own
sound server is never contacted.

* PulseServer: PulseAudio 16 with the two null sinks of the tests, made
  with ``norewinds=1`` (the default kind) or with PulseAudio's own default
  options (rewinds on, ``rewinds=True``), optionally listening on TCP on
  127.0.0.1 as a server on another machine would.
* PipeWireServer: PipeWire + WirePlumber + pipewire-pulse, headless, with a
  private D-Bus session bus for WirePlumber, the sinks made through
  pipewire-pulse with pactl as a user would.

Both keep a reader on each sink's monitor when the sinks would otherwise
render ahead of real time (rewinding PulseAudio null sinks do: a sink that
nobody reads plays 1 s of audio in 2 s), as a real consumer of a monitor
would.

``make_server(kind, root)`` builds the server of a test run; the kind comes
from AUDIOCAST_TEST_SERVER (``pulse``, ``pulse-rewinds``, ``pipewire``).
"""

import ctypes
import importlib.util
import os
import re
import signal
import subprocess
import time
from pathlib import Path

SERVER_KINDS = ("pulse", "pulse-rewinds", "pipewire")


def _load_pulse_daemon():
    """The package's own private-daemon settings (python/audiocast/
    _pulse_daemon.py), loaded by path: importing the package would import
    GI, which the servers need not."""
    path = Path(__file__).resolve().parents[2] / "python" / "audiocast" / "_pulse_daemon.py"
    spec = importlib.util.spec_from_file_location("audiocast_pulse_daemon", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PULSE_DAEMON = _load_pulse_daemon()


def _die_with_parent():
    """preexec_fn: the child gets SIGKILL when the test process dies, even
    when a watchdog ends it with os._exit() and no cleanup runs."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class SinkSpec:
    def __init__(self, name, pa_format, rate, channels, description):
        self.name = name
        self.pa_format = pa_format
        self.rate = rate
        self.channels = channels
        self.description = description

    @property
    def dtype(self):
        import numpy as np
        return np.dtype({"float32le": "<f4", "s16le": "<i2",
                         "s32le": "<i4"}[self.pa_format])


SPEAKER = SinkSpec("speaker", "float32le", 48000, 2, "Speaker Output")
VIRTUAL_MIC = SinkSpec("Virtual-Mic", "s16le", 22050, 1, "Virtual Microphone")
TEST_SINKS = (SPEAKER, VIRTUAL_MIC)


def null_sink_argv(spec, rewinds=False):
    """pactl/load-module arguments of a null sink for ``spec``, one list
    item per argument. ``rewinds=False`` adds ``norewinds=1``: with rewinds,
    the monitor of a running PulseAudio null sink loses the first few
    milliseconds of every new stream (the sink renders ahead and rewinds
    when a stream appears). PipeWire's pipewire-pulse takes the same
    arguments and ignores norewinds."""
    argv = [f"sink_name={spec.name}", f"format={spec.pa_format}",
            f"rate={spec.rate}", f"channels={spec.channels}",
            # quoted so, both PulseAudio and pipewire-pulse keep the spaces
            f"sink_properties='device.description=\"{spec.description}\"'"]
    if not rewinds:
        argv.append("norewinds=1")
    return argv


def _run_pactl(env, *args, check=True):
    r = subprocess.run(["pactl", *args], env=env, capture_output=True,
                       text=True, stdin=subprocess.DEVNULL, timeout=30)
    if check and r.returncode != 0:
        raise RuntimeError(f"pactl {' '.join(args)} failed: {r.stderr}")
    return r


def _stop_process(proc, timeout=5):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class _Server:
    """What every private server shares: its directories, the environment
    of its clients, the monitor readers, the wait for its default sink."""

    kind = None
    #: whether a sink keeps the sample format it was made with
    keeps_sink_format = True
    #: whether the monitors need a reader to stay in real time
    needs_monitor_readers = False

    def __init__(self, root, tcp_port=None):
        self.root = Path(root)
        self.home = self.root / "home"
        self.runtime = self.root / "runtime"
        self.tcp_port = tcp_port
        self.procs = []
        self.readers = []

    @property
    def proc(self):
        """The process that speaks the PulseAudio protocol."""
        return self.procs[-1] if self.procs else None

    @property
    def tcp_address(self):
        return None if self.tcp_port is None else f"tcp:127.0.0.1:{self.tcp_port}"

    def _base_env(self):
        return {
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_STATE_HOME": str(self.home / ".local" / "state"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_CLIENTCONFIG": str(self.root / "client.conf"),
            "PULSE_COOKIE": str(self.root / "cookie"),
        }

    def child_env(self):
        env = dict(os.environ)
        env.update(self.env())
        for var in ("PULSE_SINK", "PULSE_SOURCE"):
            env.pop(var, None)
        return env

    def _make_dirs(self):
        # a restart after a kill: only what still runs is ours to wait for
        self.procs = [p for p in self.procs if p.poll() is None]
        for d in (self.home / ".config", self.home / ".local" / "state",
                  self.runtime):
            d.mkdir(parents=True, exist_ok=True)
        os.chmod(self.runtime, 0o700)
        (self.root / "client.conf").write_text(
            "autospawn = no\n"
            f"default-server = unix:{self.socket}\n")

    def _spawn(self, argv, log, env=None):
        out = open(self.root / log, "ab")
        try:
            proc = subprocess.Popen(
                argv, env=env or self.child_env(), stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent)
        finally:
            out.close()
        self.procs.append(proc)
        return proc

    def _wait_default_sink(self, deadline):
        env = self.child_env()
        while True:
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(
                        f"{p.args[0]} exited with {p.returncode}:\n"
                        + self.log_text())
            r = _run_pactl(env, "info", check=False)
            if r.returncode == 0 and f"Default Sink: {SPEAKER.name}" in r.stdout:
                return
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"private {self.kind} did not answer:\n"
                                   + r.stderr + self.log_text())
            time.sleep(0.1)

    def _start_monitor_readers(self):
        if not self.needs_monitor_readers:
            return
        for spec in TEST_SINKS:
            self.readers.append(subprocess.Popen(
                ["parec", "-d", f"{spec.name}.monitor", "--raw",
                 "--latency-msec=20", "--client-name=audiocast-test-reader"],
                env=self.child_env(), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                preexec_fn=_die_with_parent))

    def log_text(self):
        text = []
        for log in sorted(self.root.glob("*.log")):
            try:
                text.append(log.read_text(errors="replace"))
            except OSError:
                pass
        return "\n".join(text)

    def stop(self):
        for r in self.readers:
            _stop_process(r)
        self.readers = []
        for p in reversed(self.procs):
            _stop_process(p)
        self.procs = []


class PulseServer(_Server):
    """A PulseAudio daemon that only this test session talks to."""

    kind = "pulse"

    def __init__(self, root, rewinds=False, tcp_port=None):
        super().__init__(root, tcp_port)
        self.rewinds = rewinds
        self.needs_monitor_readers = rewinds
        if rewinds:
            self.kind = "pulse-rewinds"
        self.socket = self.root / "native"
        self.log = self.root / "pulse.log"

    def env(self):
        env = self._base_env()
        env["PULSE_RUNTIME_PATH"] = str(self.runtime / "pulse")
        env["PULSE_STATE_PATH"] = str(self.root / "state")
        # PulseAudio claims org.pulseaudio.Server on a session bus it finds;
        # a PipeWire fixture's private bus may be in the environment
        env["DBUS_SESSION_BUS_ADDRESS"] = "disabled:"
        return env

    def start(self, timeout=20.0):
        self._make_dirs()
        for d in (self.home / ".config" / "pulse", self.runtime / "pulse",
                  self.root / "state"):
            d.mkdir(parents=True, exist_ok=True)
        os.chmod(self.runtime / "pulse", 0o700)
        PULSE_DAEMON.write_daemon_conf(self.home)
        script = [
            f"load-module module-native-protocol-unix "
            f"socket={self.socket} auth-anonymous=1",
        ]
        if self.tcp_port is not None:
            script.append(f"load-module module-native-protocol-tcp "
                          f"listen=127.0.0.1 port={self.tcp_port} "
                          f"auth-anonymous=1")
        for spec in TEST_SINKS:
            script.append("load-module module-null-sink "
                          + " ".join(null_sink_argv(spec, self.rewinds)))
        script.append(f"set-default-sink {SPEAKER.name}")
        (self.root / "default.pa").write_text("\n".join(script) + "\n")

        self._spawn(PULSE_DAEMON.daemon_argv(self.root / "default.pa", self.log),
                    "pulse-stdout.log")
        self._wait_default_sink(time.monotonic() + timeout)
        self._start_monitor_readers()
        return self


class PipeWireServer(_Server):
    """PipeWire, WirePlumber and pipewire-pulse, private and headless.

    PipeWire's null sinks are format-flexible: whatever format a sink was
    made with, it reports and mixes float32 at the graph's rate, so a
    device's own format does not come back bit-exact through it
    (``keeps_sink_format`` is False).
    """

    kind = "pipewire"
    keeps_sink_format = False
    # a PipeWire null sink is driven by its own timer, but a real consumer
    # of a monitor keeps reading it: so do we
    needs_monitor_readers = True

    def __init__(self, root, tcp_port=None):
        super().__init__(root, tcp_port)
        self.socket = self.runtime / "pulse" / "native"
        self.bus = self.root / "bus"

    def env(self):
        env = self._base_env()
        env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={self.bus}"
        env["PIPEWIRE_RUNTIME_DIR"] = str(self.runtime)
        # no real-time scheduling requests to a portal or rtkit that is not
        # on the private bus
        env["PIPEWIRE_LOG_SYSTEMD"] = "false"
        return env

    def _write_config(self):
        if self.tcp_port is None:
            return
        conf = self.home / ".config" / "pipewire" / "pipewire-pulse.conf.d"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "audiocast-tests.conf").write_text(
            "pulse.properties = {\n"
            "    server.address = [ \"unix:native\"\n"
            f"        {{ address = \"tcp:127.0.0.1:{self.tcp_port}\"\n"
            "          client.access = \"unrestricted\" } ]\n"
            "}\n")

    def _wait_for(self, path, what, deadline):
        """Waits until the process spawned last made ``path``."""
        while not path.exists():
            if time.monotonic() > deadline or self.procs[-1].poll() is not None:
                self.stop()
                raise RuntimeError(f"private {what} did not start:\n"
                                   + self.log_text())
            time.sleep(0.02)

    def start(self, timeout=30.0):
        self._make_dirs()
        if self.procs:
            # a restart after one of them was killed: all of them afresh
            self.stop()
        self._write_config()
        deadline = time.monotonic() + timeout
        self._spawn(["dbus-daemon", "--session", "--nofork", "--nopidfile",
                     "--nosyslog", f"--address=unix:path={self.bus}"],
                    "dbus.log")
        self._wait_for(self.bus, "dbus-daemon", deadline)
        self._spawn(["pipewire"], "pipewire.log")
        self._wait_for(self.runtime / "pipewire-0", "pipewire", deadline)
        self._spawn(["wireplumber"], "wireplumber.log")
        self._spawn(["pipewire-pulse"], "pipewire-pulse.log")
        env = self.child_env()
        while _run_pactl(env, "info", check=False).returncode != 0:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("pipewire-pulse did not answer:\n"
                                   + self.log_text())
            time.sleep(0.05)
        for spec in TEST_SINKS:
            _run_pactl(env, "load-module", "module-null-sink",
                       *null_sink_argv(spec))
        # WirePlumber may not have seen the new sinks yet: repeat until the
        # default sticks
        while True:
            _run_pactl(env, "set-default-sink", SPEAKER.name, check=False)
            r = _run_pactl(env, "info", check=False)
            if f"Default Sink: {SPEAKER.name}" in r.stdout:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("pipewire: the default sink did not stick:\n"
                                   + r.stdout + self.log_text())
            time.sleep(0.1)
        self._wait_default_sink(deadline)
        self._start_monitor_readers()
        return self


# The element's default latency-time: the period in which the server takes
# what audiocast writes.
PULSE_PERIOD_S = 0.010


def period_seconds(kind, server=None):
    """The period of a server of ``kind`` while audiocast plays on it: the
    element's latency-time, in which PulseAudio takes its audio and which
    pipewire-pulse turns into the stream's node.latency (the graph then runs
    in quanta no longer than that: 256 frames for 10 ms at 48 kHz)."""
    return PULSE_PERIOD_S


def server_kind_from_env():
    kind = os.environ.get("AUDIOCAST_TEST_SERVER") or "pulse"
    if kind not in SERVER_KINDS:
        raise RuntimeError(f"AUDIOCAST_TEST_SERVER={kind!r}: use one of "
                           + ", ".join(SERVER_KINDS))
    return kind


def make_server(kind, root, tcp_port=None):
    if kind == "pulse":
        return PulseServer(root, tcp_port=tcp_port)
    if kind == "pulse-rewinds":
        return PulseServer(root, rewinds=True, tcp_port=tcp_port)
    if kind == "pipewire":
        return PipeWireServer(root, tcp_port=tcp_port)
    raise ValueError(f"unknown server kind {kind!r}: use one of "
                     + ", ".join(SERVER_KINDS))


# --------------------------------------------------------------------------
# The session's server (AUDIOCAST_TEST_SERVER), as clients see it
# --------------------------------------------------------------------------

SINKS = {s.name: s for s in TEST_SINKS}


def server_env(server=None):
    """The environment of a client of ``server`` (a PulseServer), or None
    (this process's own, i.e. the session's server) when it is None."""
    if server is None:
        return None
    env = dict(os.environ)
    env.update(server.env())
    return env


def period_frames(rate, server=None):
    """One period of the server that plays (``server``, or the session's
    when None), in frames at ``rate``: the unit of the timing tolerances."""
    kind = server.kind if server is not None else server_kind_from_env()
    return int(round(period_seconds(kind, server) * rate))


def pactl(*args, check=True, server=None):
    r = subprocess.run(["pactl", *args], capture_output=True, text=True,
                       env=server_env(server))
    if check and r.returncode != 0:
        raise RuntimeError(f"pactl {' '.join(args)} failed: {r.stderr}")
    return r.stdout


def sink_indices():
    """name -> index of the server's sinks."""
    out = {}
    for line in pactl("list", "short", "sinks").splitlines():
        f = line.split("\t")
        if len(f) >= 2:
            out[f[1]] = int(f[0])
    return out


PA_INVALID_INDEX = 0xFFFFFFFF  # a stream not linked to any sink (yet)


def sink_inputs():
    """List of (input index, sink index) of the server's playback streams."""
    out = []
    for line in pactl("list", "short", "sink-inputs").splitlines():
        f = line.split("\t")
        if len(f) >= 2:
            out.append((int(f[0]), int(f[1])))
    return out


def queued_by_server_us():
    """How much audio the server holds ahead of the listener for each
    playback stream, in microseconds: the "Buffer Latency" and "Sink
    Latency" of `pactl list sink-inputs` (PulseAudio counts the stream's
    queue in the first; pipewire-pulse reports 0 there and counts it in the
    second)."""
    out = pactl("list", "sink-inputs")
    buffer = re.findall(r"Buffer Latency: (\d+) usec", out)
    sink = re.findall(r"Sink Latency: (\d+) usec", out)
    return [int(b) + int(s) for b, s in zip(buffer, sink)]


def server_xrun_quantum():
    """The whole frames a server's own graph xrun inserts or skips, or None
    where the server has none to excuse: PipeWire's null sinks are driven by
    a timer, and on a loaded two-core machine the graph misses a cycle now
    and then, for any client (docs/servers.md: pacat's own audio loses a
    quantum a few times a minute there); a PulseAudio null sink never
    misses."""
    return 256 if server_kind_from_env() == "pipewire" else None


def long_tests():
    """Whether the long variants run (meson -Dlong-tests=true, or
    AUDIOCAST_LONG_TESTS=1 by hand)."""
    return os.environ.get("AUDIOCAST_LONG_TESTS", "0") not in ("", "0", "false")
