"""A simulated room on the session's sound server, for echo cancellation.

The assistant plays into ``speaker`` as it would into a loudspeaker. A
``module-loopback`` from ``speaker.monitor`` to a ``room`` null sink is the
acoustic echo path: its delay and its gain are the test's. A second client
plays the user's voice into ``room`` directly. The recorder records
``room.monitor``: the microphone, which hears the user and the assistant's
echo.

Voices come from espeak-ng: the assistant a male US English voice, the user
a female British one, so that each is told apart by what it says and how.

Everything here measures; the tests assert (test_py_echo.py).
"""

import subprocess
import threading
import time
import wave

import numpy as np

import sound_servers
from sound_servers import SinkSpec

ROOM = SinkSpec("room", "float32le", 48000, 1, "Room")
ECHO_DELAY_MS = 60
ECHO_GAIN_DB = -6


class Room:
    """Loads the room's sink and echo path on the session's server, and
    unloads them on exit."""

    def __init__(self, delay_ms=ECHO_DELAY_MS, gain_db=ECHO_GAIN_DB):
        self.delay_ms = delay_ms
        self.gain_db = gain_db
        self.modules = []

    def __enter__(self):
        kind = sound_servers.server_kind_from_env()
        try:
            sound_servers.pactl("load-module", "module-null-sink",
                                *sound_servers.null_sink_argv(
                                    ROOM, kind == "pulse-rewinds"))
            self.modules.append(self._module("module-null-sink",
                                             f"sink_name={ROOM.name}"))
            sound_servers.pactl(
                "load-module", "module-loopback", "source=speaker.monitor",
                f"sink={ROOM.name}", f"latency_msec={self.delay_ms}",
                "source_dont_move=true", "sink_dont_move=true")
            self.modules.append(self._module("module-loopback",
                                             f"sink={ROOM.name}"))
            self._set_echo_gain()
        except BaseException:
            self.__exit__()
            raise
        return self

    @staticmethod
    def _module(name, argument):
        """The index of the loaded module ``name`` whose arguments hold
        ``argument`` (pactl load-module does not always print it)."""
        for line in sound_servers.pactl("list", "short",
                                        "modules").splitlines():
            fields = line.split("\t")
            if len(fields) > 2 and fields[1] == name and argument in fields[2]:
                return fields[0]
        raise RuntimeError(f"{name} with {argument} is not loaded")

    def _set_echo_gain(self, timeout=5.0):
        """The loopback's stream into ``room`` carries the echo's gain."""
        room_index = sound_servers.sink_indices()[ROOM.name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in sound_servers.pactl("list", "short",
                                            "sink-inputs").splitlines():
                fields = line.split("\t")
                # the only stream into the room yet
                if len(fields) > 1 and fields[1] == str(room_index):
                    sound_servers.pactl("set-sink-input-volume", fields[0],
                                        f"{self.gain_db}dB")
                    return
            time.sleep(0.05)
        raise RuntimeError("the room's loopback has no stream into room")

    def __exit__(self, *exc):
        for module in reversed(self.modules):
            sound_servers.pactl("unload-module", module, check=False)
        self.modules = []


def speak(text, voice, path, speed=160, pitch=50):
    """espeak-ng's speech for ``text`` as int16 samples and their rate."""
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p",
                    str(pitch), "-w", str(path), text], check=True,
                   capture_output=True)
    with wave.open(str(path)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), "<i2").copy()
        return data, w.getframerate()


class Recording:
    """A recorder read on a thread of its own: the audio, and when its
    first frame was captured (monotonic seconds)."""

    def __init__(self, recorder, block):
        self.recorder = recorder
        self.block = block
        self.parts = []
        self.start = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        from audiocast_pkg import audiocast
        try:
            while True:
                part = self.recorder.read(self.block)
                if self.start is None:
                    self.start = self.recorder.last_read.capture_time
                self.parts.append(part)
        except audiocast.RecorderClosedError:
            pass

    def audio(self):
        return np.concatenate(self.parts)[:, 0].astype(np.float64)


def play_and_time(player, clip):
    """Writes ``clip`` from a thread of its own and returns (thread, when
    its first frame was heard: monotonic seconds, from the player's heard
    position while it plays)."""
    before = player.heard_position().frames
    t = threading.Thread(target=player.write, args=(clip,), daemon=True)
    t.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pos = player.heard_position()
        if pos.frames > before + player.sample_rate // 50:
            return t, pos.time - (pos.frames - before) / player.sample_rate
        time.sleep(0.005)
    raise RuntimeError("the player did not start playing")


def block_power(x, block):
    n = len(x) // block
    return np.mean(x[:n * block].reshape(n, block) ** 2, axis=1)


def db(p):
    return 10 * np.log10(np.maximum(p, 1e-12))


def best_lag(reference, other, max_lag):
    """The lag L (|L| <= max_lag) at which other[i + L] best matches
    reference[i], by correlation."""
    n = len(reference)
    best, best_value = 0, -np.inf
    for lag in range(-max_lag, max_lag + 1):
        if lag < 0 or lag + n > len(other):
            continue
        value = float(np.dot(reference, other[lag:lag + n]))
        if value > best_value:
            best, best_value = lag, value
    return best


def resample_index(clip, rate, to_rate):
    """``clip`` at ``to_rate`` by linear interpolation: good enough to know
    where a voice sounds, not to compare samples."""
    n = int(len(clip) * to_rate / rate)
    return np.interp(np.arange(n) * rate / to_rate, np.arange(len(clip)),
                     clip.astype(np.float64))
