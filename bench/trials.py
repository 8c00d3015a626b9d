"""Runs bench.trial in a child process while the monitor is recorded.

The runner plays to a bench/server.py Server or Remote: the child gets its
environment (``child_env()``), the parent records its monitor."""

import json
import select
import subprocess
import sys
import time
from pathlib import Path

from bench.measure import Recording
from bench.server import REPO


class TrialError(RuntimeError):
    pass


class Runner:
    def __init__(self, server, logdir):
        self.server = server
        self.logdir = Path(logdir)
        self.logdir.mkdir(parents=True, exist_ok=True)

    def spawn(self, peer, scenario, params):
        log = open(self.logdir / f"{peer}-{scenario}.log", "ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.trial", peer, scenario,
             json.dumps(params)],
            cwd=REPO, env=self.server.child_env(), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=log)
        log.close()
        return proc

    def _fail(self, peer, scenario, why):
        log = (self.logdir / f"{peer}-{scenario}.log").read_text(errors="replace")
        raise TrialError(f"{peer} {scenario}: {why}\n{log[-3000:]}")

    def _result(self, proc, peer, scenario, timeout):
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        line = proc.stdout.readline() if ready else b""
        if not line:
            self._fail(peer, scenario, "no result within "
                       f"{timeout:.0f} s (exit code {proc.poll()})")
        return json.loads(line)

    def _end(self, proc):
        try:
            proc.stdin.write(b"\n")
            proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def run(self, peer, scenario, params=None, record=True, until=None,
            settle=0.5, timeout=60.0):
        """One trial; returns (result dict, Recording or None).

        After the child's result the monitor is recorded on until
        ``until(capture)`` holds (polled, at most 5 s) or, without it, for
        ``settle`` seconds. ``result['t_spawn']`` is when the child was
        started.
        """
        self.server.ensure_running()
        capture = self.server.capture() if record else None
        proc = None
        try:
            t_spawn = time.monotonic()
            proc = self.spawn(peer, scenario, params or {})
            result = self._result(proc, peer, scenario, timeout)
            result["t_spawn"] = t_spawn
            if capture is None:
                return result, None
            deadline = time.monotonic() + (5.0 if until else settle)
            while time.monotonic() < deadline and not (until and until(capture)):
                time.sleep(0.05)
            capture.stop(settle=0.05)
            return result, Recording(capture)
        finally:
            if proc is not None:
                self._end(proc)
            if capture is not None:
                capture.stop()
