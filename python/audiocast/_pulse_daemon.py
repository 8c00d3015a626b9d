"""How audiocast starts a PulseAudio daemon of its own: the demo starts one
when no sound server answers, and the test suite starts one per test run.

One definition for both, so that what the tests measure is what the demo
runs. Standard library only and no imports from the package: the tests load
this file by its path, without importing audiocast (and with it GI).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

__all__ = ["DAEMON_CONF", "daemon_argv", "write_daemon_conf"]

DAEMON_CONF = (
    "exit-idle-time = -1\n"
    "flat-volumes = no\n"
    "realtime-scheduling = no\n"
    "default-sample-format = float32le\n"
    "default-sample-rate = 48000\n"
    "alternate-sample-rate = 48000\n"
    # Audio goes over the socket, not through shared memory. PulseAudio 16
    # aborted in memblock_replace_import() (assertion 'n_imported > 0') when
    # a client whose memory blocks it still held went away, killing the
    # server mid-stream, and forwarded a player's memfd blocks to monitor
    # recorders that never registered them (its issue 824), where the
    # recording was seen to differ from what was played. Both are paths of
    # the server's shared-memory transport, which the client's own code
    # never sees.
    "enable-shm = no\n"
)


def write_daemon_conf(home: Path) -> Path:
    """Writes DAEMON_CONF where a daemon whose HOME is ``home`` reads it;
    returns its path."""
    conf = Path(home) / ".config" / "pulse" / "daemon.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(DAEMON_CONF)
    return conf


def daemon_argv(script: Path, log: Path, log_level: str = "notice") -> List[str]:
    """The command line of a private daemon that runs ``script`` (a
    default.pa of its own) and logs to ``log``: in the foreground, never
    exiting on idle, no PID file, no autospawned or system instance, no
    real-time scheduling, and no soft CPU limit (PulseAudio terminates itself
    when it takes most of a CPU for a while, as on a loaded two-core machine
    it can)."""
    return ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1",
            "--disallow-exit", "--use-pid-file=no", "--system=no",
            "--realtime=no", "--no-cpu-limit", "-F", os.fspath(script),
            f"--log-target=file:{os.fspath(log)}", f"--log-level={log_level}"]
