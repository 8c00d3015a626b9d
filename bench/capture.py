"""The recording side, side by side in one run on a private PulseAudio:

* capture latency: a click goes into the `speaker` sink (the moment the
  player says it was heard) → the read() that returns it from
  `speaker.monitor`, for audiocast.AudioRecorder and for PyAudio's input
  stream (PortAudio's ALSA host API through the pulse plugin, PULSE_SOURCE
  set to the monitor), both reading 10 ms blocks;
* CPU per second recorded (this process, user + system), for audiocast
  without and with echo cancellation and for PyAudio;
* the echo canceller's figures in the simulated room: the room test
  (tests/integration/test_py_echo.py) run as is, its printed figures kept.

Writes docs/capture-bench.md. Command (from the repository, after a build):

    tools/run-bench --capture
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

import sound_servers  # noqa: E402

RATE = 48000
BLOCK = RATE // 100
CLICKS = 20
CPU_SECONDS = 10


class AudiocastReader:
    name = "audiocast"

    def __init__(self, echo_cancel=None):
        import audiocast
        self.rec = audiocast.AudioRecorder("speaker.monitor", RATE, 2,
                                           "float32", echo_cancel=echo_cancel)

    def read(self):
        return self.rec.read(BLOCK)

    def close(self):
        self.rec.stop()


class PyAudioReader:
    name = "PyAudio"

    def __init__(self):
        import pyaudio
        self.pa = pyaudio.PyAudio()
        self.stream = self.pa.open(format=pyaudio.paFloat32, channels=2,
                                   rate=RATE, input=True,
                                   frames_per_buffer=BLOCK)

    def read(self):
        raw = self.stream.read(BLOCK, exception_on_overflow=False)
        return np.frombuffer(raw, "<f4").reshape(-1, 2)

    def close(self):
        self.stream.close()
        self.pa.terminate()


def click_latencies(reader, player):
    """For each click: when the read() that returned its first frame
    returned, less when the player says that frame was heard (ms)."""
    found = []
    stop = threading.Event()

    def run():
        while not stop.is_set():
            block = reader.read()
            if np.abs(block).max() > 0.4:
                found.append(time.monotonic())

    t = threading.Thread(target=run, daemon=True)
    t.start()
    time.sleep(0.5)
    heard = []
    click = np.zeros((RATE // 5, 2), np.float32)
    click[:48] = 0.8
    for _ in range(CLICKS):
        before = player.heard_position()
        player.write(click)
        player.drain()
        # frames heard since `before`, counted back from the end of the click
        after = player.heard_position()
        heard.append(after.time - (after.frames - before.frames) / RATE)
        time.sleep(0.1)
    time.sleep(0.3)
    stop.set()
    t.join()
    lat = []
    for h in heard:
        later = [f for f in found if f >= h - 0.05]
        if later:
            lat.append((later[0] - h) * 1000)
    return lat


def cpu_per_second(make):
    reader = make()
    try:
        for _ in range(50):
            reader.read()
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.monotonic()
        while time.monotonic() - t0 < CPU_SECONDS:
            reader.read()
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        elapsed = time.monotonic() - t0
    finally:
        reader.close()
    used = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return used / elapsed * 1000


def room_figures():
    """The simulated room's test, run as is; its printed figures."""
    env = dict(os.environ, AUDIOCAST_TEST_SERVER="pulse")
    r = subprocess.run([sys.executable, "-m", "pytest", "-s", "-q", "-p",
                        "no:cacheprovider", "-c",
                        str(REPO / "tests/integration/pytest.ini"),
                        str(REPO / "tests/integration/test_py_echo.py")],
                       cwd=REPO / "tests/integration", env=env,
                       capture_output=True, text=True)
    keep = ("ERLE:", "user alone:", "VAD (", "VAD threshold")
    lines = [line.strip() for line in r.stdout.splitlines()
             if any(k in line for k in keep)]
    return [line[line.index(k):] for line in lines for k in keep if k in line]


def main():
    root = Path(tempfile.mkdtemp(prefix="audiocast-capture-bench-"))
    server = sound_servers.make_server("pulse", root)
    server.start()
    os.environ.update(server.env())
    os.environ["PULSE_SOURCE"] = "speaker.monitor"
    import audiocast
    results = {}
    try:
        with audiocast.AudioPlayer("speaker", RATE, 2) as player:
            for make in (AudiocastReader, PyAudioReader):
                reader = make()
                try:
                    results[reader.name] = click_latencies(reader, player)
                finally:
                    reader.close()
            cpu = {
                "audiocast": cpu_per_second(AudiocastReader),
                "audiocast, echo cancelled": cpu_per_second(
                    lambda: AudiocastReader(echo_cancel=player)),
                "PyAudio": cpu_per_second(PyAudioReader),
            }
    finally:
        server.stop()
    room = room_figures()
    write_report(results, cpu, room)


def write_report(latency, cpu, room):
    med = {k: statistics.median(v) for k, v in latency.items() if v}
    lines = [
        "# Recording benchmarks",
        "",
        "<!-- Generated by `tools/run-bench --capture` (bench/capture.py): "
        "edits are lost; re-run the command instead. -->",
        "",
        f"Generated on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"on a private PulseAudio; {CLICKS} clicks per reader, both reading "
        f"10 ms blocks of 48 kHz stereo float32 from `speaker.monitor`.",
        "",
        "| benchmark | audiocast | PyAudio | audiocast against PyAudio |",
        "| --- | --- | --- | --- |",
    ]
    # latencies near 0 make ratios meaningless: differences instead
    if "audiocast" in med and "PyAudio" in med:
        lines.append(
            f"| capture latency, median (ms) | {med['audiocast']:.1f} | "
            f"{med['PyAudio']:.1f} | {med['audiocast'] - med['PyAudio']:+.1f} ms |")
        p90 = {k: float(np.percentile(v, 90)) for k, v in latency.items()}
        lines.append(
            f"| capture latency, 90th percentile (ms) | {p90['audiocast']:.1f}"
            f" | {p90['PyAudio']:.1f} | "
            f"{p90['audiocast'] - p90['PyAudio']:+.1f} ms |")
    lines.append(
        f"| CPU per second recorded (ms) | {cpu['audiocast']:.1f} "
        f"({cpu['audiocast, echo cancelled']:.1f} echo cancelled) | "
        f"{cpu['PyAudio']:.1f} | {cpu['audiocast'] / cpu['PyAudio']:.2f}× |")
    lines += ["", "Capture latency: the click's first frame heard (the "
              "player's heard position) → the read() returning it. A null "
              "sink hands its monitor each period as it plays it, so both "
              "readers get the click within a block of its being heard. "
              "CPU: this process's user and system time over 10 s of 10 ms "
              "reads from the main thread, the pipeline's threads included. "
              "Runs (ms):", ""]
    for name, runs in latency.items():
        lines.append(f"- {name}: " + ", ".join(f"{v:.1f}" for v in runs))
    lines += ["", "## Echo cancellation in the simulated room", "",
              "tests/integration/test_py_echo.py on PulseAudio, as printed:",
              ""]
    lines += [f"- {line}" for line in room] or ["- (the room test printed nothing)"]
    out = REPO / "docs" / "capture-bench.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
