"""Workers: a workload of worker_tasks.py in a child process of its own, for
the reliability tests (a hang or a crash ends the child, not the session),
and the resident memory of a process."""

import json
import os
import queue
import subprocess
import sys
import threading

from audiocast_pkg import child_env
from sound_servers import _die_with_parent


WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker_tasks.py")


class Worker:
    """A workload of worker_tasks.py in a child process, so that a hang or a crash
    in the library ends the child, not the test session, and that the child
    can have its own sound server (``server``: a sound_servers.PulseServer) or its
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
            preexec_fn=_die_with_parent)
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


def rss_bytes(pid="self"):
    """Resident set size of a process (VmRSS), in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")
