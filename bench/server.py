"""The one private PulseAudio server of a benchmark run.

It is tests/integration/acutil.py's PulseServer (null sinks, the float32
48 kHz stereo `speaker` as default sink), started once; this process's
environment points every child (peers, parec) at it, never at the user's
sound server.
"""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

import acutil  # noqa: E402


class Server:
    def __init__(self, root):
        self.root = Path(root)
        self.pulse = acutil.PulseServer(self.root / "pulse")
        self.restarts = 0

    def start(self):
        os.environ.update(self.pulse.env())
        for var in ("PULSE_SINK", "PULSE_SOURCE"):
            os.environ.pop(var, None)
        # the children's GStreamer registry: our own, warm after the first
        os.environ["GST_REGISTRY_1_0"] = str(self.root / "registry.bin")
        self.pulse.start()
        return self

    def ensure_running(self):
        """Restarts the daemon if it went away (the machine is shared)."""
        proc = self.pulse.proc
        if proc is None or proc.poll() is not None:
            self.restarts += 1
            print("bench: private PulseAudio had exited; restarting it",
                  file=sys.stderr)
            self.pulse.start()

    def stop(self):
        self.pulse.stop()

    @staticmethod
    def capture():
        """A running recording of the default sink's monitor."""
        return acutil.Capture(acutil.SPEAKER).start()
