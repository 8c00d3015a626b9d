"""The ``audiocast`` command (private): devices, play, tone, demo, and
(_cli_record.py) record and playrec.

The commands use only the public API (plus GStreamer's discoverer for a
file's duration); they are examples as much as tools::

    audiocast devices
    audiocast play speech.wav --device Virtual-Mic
    audiocast tone --freq 440 --seconds 2
    audiocast demo        # barge-in: stream speech, clear() it halfway
"""

from __future__ import annotations

import argparse
import array
import contextlib
import io
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path
from types import TracebackType
from typing import Callable, Dict, Optional, Sequence, Tuple, Type

from . import (AudioCastError, AudioPlayer, DeviceInfo, __version__,
               list_input_devices, list_output_devices, play_file)
from ._cli_duplex import run as run_duplex
from ._cli_earcon import report_chime, start_chime
from ._cli_record import add_commands as add_recording_commands
from ._pulse_daemon import daemon_argv, write_daemon_conf

DEMO_TEXT = (
    "Hello! I am a voice assistant built on audiocast. I am reading you a "
    "long answer, so that you can interrupt me halfway. When you do, I stop "
    "at once, and I know how much of it you heard.")
DEMO_RATE = 22050  # what espeak-ng produces: 22050 Hz mono int16
CHUNK_SECONDS = 0.1
LOUD = 64  # int16 magnitude that counts as sound in a recording (-54 dBFS)


def _say(msg: str) -> None:
    print(f"audiocast {msg}", flush=True)


# ---------------------------------------------------------------------------
# devices
# ---------------------------------------------------------------------------

def cmd_devices(args: argparse.Namespace) -> int:
    """Lists the output devices, or with --input the input devices; ``*``
    marks the default one, ``monitor`` an input that records an output."""
    kind = "input" if args.input else "output"
    devices: Sequence[DeviceInfo]
    if args.input:
        devices = list_input_devices()
    else:
        devices = list_output_devices()
    if not devices:
        print(f"no {kind} devices")
        return 1
    for d in devices:
        mark = "*" if d["is_default"] else " "
        monitor = ", monitor" if d.get("is_monitor") else ""
        print(f"{mark} [{d['index']}] {d['name']} ({d['type']}): {d['description']}, "
              f"{d['sample_rate']} Hz, {d['channels']} ch{monitor}")
    return 0


# ---------------------------------------------------------------------------
# play
# ---------------------------------------------------------------------------

def _duration(path: str) -> Optional[float]:
    """The file's duration in seconds from GStreamer's discoverer, or None."""
    import gi

    gi.require_version("GstPbutils", "1.0")
    from gi.repository import GLib, Gst, GstPbutils

    Gst.init(None)
    try:
        uri = path if Gst.uri_is_valid(path) else Path(path).resolve().as_uri()
        info = GstPbutils.Discoverer.new(5 * Gst.SECOND).discover_uri(uri)
    except GLib.Error:
        return None  # play_file() will say what is wrong
    ns = info.get_duration()
    return ns / 1e9 if 0 < ns != Gst.CLOCK_TIME_NONE else None


class _ProgressBar:
    """A text bar on stderr: time since playback started against the file's
    duration.

    Honest about what it knows: the library only says when the whole file
    was heard, so the bar stays below 100 % until play_file() returns, and
    shows the elapsed time alone when the duration is unknown.
    """

    WIDTH = 30

    def __init__(self, duration: Optional[float]) -> None:
        self.duration = duration
        self.tty = sys.stderr.isatty()
        self.t0 = time.monotonic()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _line(self, done: bool) -> str:
        elapsed = time.monotonic() - self.t0
        if not self.duration:
            return f"{elapsed:6.1f} s" + (" done" if done else "")
        frac = 1.0 if done else min(elapsed / self.duration, 0.99)
        fill = int(frac * self.WIDTH)
        shown = self.duration if done else min(elapsed, self.duration)
        return (f"[{'#' * fill}{'.' * (self.WIDTH - fill)}] {frac * 100:3.0f}% "
                f"{shown:5.1f}/{self.duration:.1f} s")

    def _draw(self, done: bool = False) -> None:
        if self.tty:
            sys.stderr.write("\r" + self._line(done) + ("\n" if done else ""))
        else:  # a log file: whole lines
            sys.stderr.write(self._line(done) + "\n")
        sys.stderr.flush()

    def _run(self) -> None:
        interval = 0.1 if self.tty else 1.0
        while not self.stopped.wait(interval):
            self._draw()

    def __enter__(self) -> "_ProgressBar":
        self.t0 = time.monotonic()
        self.thread.start()
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.stopped.set()
        self.thread.join()
        if exc_type is None:
            self._draw(done=True)
        elif self.tty:
            sys.stderr.write("\n")


def cmd_play(args: argparse.Namespace) -> int:
    """Plays a file with a progress bar; returns once it was heard."""
    with _ProgressBar(_duration(args.file)):
        play_file(args.file, device=args.device)
    return 0


# ---------------------------------------------------------------------------
# tone
# ---------------------------------------------------------------------------

def _sine(freq: float, rate: int, start: int, count: int, total: int,
          amplitude: float) -> "array.array[float]":
    """Samples [start, start + count) of a ``total``-frame mono sine with
    5 ms ramps at both ends (so that it starts and stops without a click)."""
    ramp = max(1, rate // 200)
    w = 2 * math.pi * freq / rate
    return array.array("f", (
        amplitude * min(1.0, (i + 1) / ramp, (total - i) / ramp) * math.sin(w * i)
        for i in range(start, start + count)))


def cmd_tone(args: argparse.Namespace) -> int:
    """Plays a sine tone, chunk by chunk, and waits until it was heard."""
    with AudioPlayer(args.device, channels=1) as player:
        rate = player.sample_rate
        total = int(round(args.seconds * rate))
        chunk = int(rate * CHUNK_SECONDS)
        for start in range(0, total, chunk):
            player.write(_sine(args.freq, rate, start, min(chunk, total - start),
                               total, args.volume))
        player.drain()
        where = args.device or "the default device"
        _say(f"tone: {args.freq:g} Hz for {total / rate:.3f} s ({total} frames at "
             f"{rate} Hz) heard on {where} ({player.device_sample_rate} Hz, "
             f"{player.device_channels} ch); {player.underruns} underruns")
    return 0


# ---------------------------------------------------------------------------
# demo: barge-in
# ---------------------------------------------------------------------------

def _server_answers() -> bool:
    """Whether a PulseAudio-compatible sound server answers (``pactl
    info``). Without pactl there is no telling: assume the platform's own
    device works."""
    if shutil.which("pactl") is None:
        return True
    return subprocess.run(["pactl", "info"], stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          timeout=10).returncode == 0


class _PrivatePulse:
    """A PulseAudio daemon of our own in a temporary directory (own HOME,
    XDG_RUNTIME_DIR and socket, no autospawn) whose default sink is a null
    sink named ``demo``; ``record()`` records that sink's monitor to WAV."""

    SINK = "demo"

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="audiocast-demo-"))
        self.socket = self.root / "native"
        self.address = f"unix:{self.socket}"
        self.env = dict(os.environ)
        for var in ("PULSE_SINK", "PULSE_SOURCE"):
            self.env.pop(var, None)
        self.env.update({
            "HOME": str(self.root / "home"),
            "XDG_RUNTIME_DIR": str(self.root / "runtime"),
            "XDG_CONFIG_HOME": str(self.root / "home" / ".config"),
            "PULSE_RUNTIME_PATH": str(self.root / "runtime" / "pulse"),
            "PULSE_STATE_PATH": str(self.root / "state"),
            "PULSE_CLIENTCONFIG": str(self.root / "client.conf"),
            "PULSE_COOKIE": str(self.root / "cookie"),
            "PULSE_SERVER": self.address,
        })
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self.recorder: Optional[subprocess.Popen[bytes]] = None

    def __enter__(self) -> "_PrivatePulse":
        for tool in ("pulseaudio", "parec", "pactl"):
            if shutil.which(tool) is None:
                raise AudioCastError(f"no sound server answers, and {tool} is not "
                                     "installed to start a private one")
        for d in ("home/.config/pulse", "runtime/pulse", "state"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        os.chmod(self.root / "runtime", 0o700)
        os.chmod(self.root / "runtime" / "pulse", 0o700)
        (self.root / "client.conf").write_text("autospawn = no\n")
        write_daemon_conf(self.root / "home")
        (self.root / "default.pa").write_text(
            f"load-module module-native-protocol-unix socket={self.socket} "
            "auth-anonymous=1\n"
            f"load-module module-null-sink sink_name={self.SINK} format=s16le "
            "rate=48000 channels=2 norewinds=1 "
            'sink_properties=device.description="Demo\\ Output"\n'
            f"set-default-sink {self.SINK}\n")
        self.proc = subprocess.Popen(
            daemon_argv(self.root / "default.pa", self.root / "pulse.log"),
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            self._wait(lambda: self._pactl("info") is not None, "the server to answer")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _pactl(self, *args: str) -> Optional[str]:
        r = subprocess.run(["pactl", *args], env=self.env, capture_output=True,
                           text=True, timeout=10)
        return r.stdout if r.returncode == 0 else None

    def _wait(self, ready: Callable[[], bool], what: str,
              timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if self.proc is None or self.proc.poll() is not None:
                log = (self.root / "pulse.log")
                raise AudioCastError("the private pulseaudio exited: "
                                     + (log.read_text(errors="replace")
                                        if log.exists() else ""))
            if time.monotonic() > deadline:
                raise AudioCastError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def record(self, path: Path) -> None:
        """Starts recording the null sink's monitor; returns once parec is
        connected, so the recording holds everything played from now on.
        A null sink renders as far ahead of its clock as the lowest latency
        any client asks, and hands that to its monitor at once: parec asks
        for 5 ms so that the recording ends where the sound was heard."""
        self.recorder = subprocess.Popen(
            ["parec", "-d", f"{self.SINK}.monitor", "--file-format=wav",
             "--format=s16le", "--rate=48000", "--channels=2",
             "--latency-msec=5", str(path)],
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        self._wait(lambda: bool((self._pactl("list", "short", "source-outputs")
                                 or "").strip()), "parec to connect")

    def stop_recording(self) -> None:
        if self.recorder is not None:
            self.recorder.send_signal(signal.SIGINT)  # parec finishes the WAV
            try:
                self.recorder.wait(10)
            except subprocess.TimeoutExpired:
                self.recorder.kill()
                self.recorder.wait()
            self.recorder = None

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.stop_recording()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)


def _espeak(text: str) -> Optional[bytes]:
    """22050 Hz mono int16 speech from espeak-ng, or None without it."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        return None
    r = subprocess.run([exe, "--stdout", text], capture_output=True, timeout=120)
    if r.returncode != 0 or not r.stdout:
        return None
    with wave.open(io.BytesIO(r.stdout), "rb") as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (DEMO_RATE, 1, 2):
            return None
        # espeak-ng writes a streaming header: its sizes are placeholders
        data = w.readframes(1 << 30)
    return data[:len(data) // 2 * 2]


def _syllables(text: str) -> bytes:
    """A stand-in for speech when espeak-ng is missing: one voiced tone burst
    per word (a few harmonics, pitch gliding down), with pauses between."""
    out = array.array("h")
    rate = DEMO_RATE
    for n, word in enumerate(text.split()):
        length = int(rate * (0.06 + 0.03 * len(word)))
        f0 = 150.0 + 40.0 * ((n * 7) % 5)
        for i in range(length):
            env = math.sin(math.pi * i / length) ** 0.5
            f = f0 * (1.0 - 0.15 * i / length)
            ph = 2 * math.pi * f * i / rate
            x = math.sin(ph) + 0.5 * math.sin(2 * ph) + 0.25 * math.sin(3 * ph)
            out.append(int(8000 * env * x))
        out.extend([0] * int(rate * (0.25 if word[-1] in ".,!?" else 0.05)))
    if sys.byteorder != "little":
        out.byteswap()
    return out.tobytes()


def _loud_span(samples: bytes, channels: int) -> Optional[Tuple[int, int]]:
    """(first, last + 1) frame with sound in int16 little-endian samples."""
    a = array.array("h", samples[:len(samples) // 2 * 2])
    if sys.byteorder != "little":
        a.byteswap()
    n = len(a)
    first = next((i for i in range(n) if abs(a[i]) > LOUD), None)
    if first is None:
        return None
    last = next(i for i in range(n - 1, -1, -1) if abs(a[i]) > LOUD)
    return first // channels, last // channels + 1


def _barge_in(player: AudioPlayer, speech: bytes, barge_at: float) -> Dict[str, float]:
    """Streams ``speech`` chunk by chunk; another thread calls clear() once
    ``barge_at`` of its duration has passed, as a voice-activity detector
    would when the user starts talking."""
    rate = player.sample_rate
    total = len(speech) // 2
    chunk = int(rate * CHUNK_SECONDS) * 2
    barged = threading.Event()
    result: Dict[str, float] = {}

    def user_speaks() -> None:
        if stop_waiting.wait(total / rate * barge_at):
            return  # the speech ended first
        result["at"] = time.monotonic() - t0
        barged.set()
        c0 = time.perf_counter()
        result["heard"] = player.clear()
        result["clear_s"] = time.perf_counter() - c0

    stop_waiting = threading.Event()
    vad = threading.Thread(target=user_speaks, name="barge-in")
    t0 = time.monotonic()
    vad.start()
    written = 0
    try:
        for i in range(0, len(speech), chunk):
            if barged.is_set():
                break
            written += player.write(speech[i:i + chunk])  # returns early on clear
        if not barged.is_set():
            player.drain()
    finally:
        stop_waiting.set()
        vad.join()
    if barged.is_set():
        # a chunk written between the check and the clear() must not play
        result["heard"] += player.clear()
    else:
        result["heard"] = player.frames_played
    result["written"] = written
    result["total"] = total
    return result


def cmd_demo(args: argparse.Namespace) -> int:
    """Barge-in: streams speech and interrupts it halfway with clear()."""
    if args.duplex:
        return run_duplex(args, _PrivatePulse, DEMO_RATE)
    speech = None if args.signal else _espeak(args.text)
    source = "espeak-ng"
    if speech is None:
        source = "a generated signal" + ("" if args.signal else " (no espeak-ng)")
        speech = _syllables(args.text)
    total = len(speech) // 2
    _say(f"demo: speech from {source}: {total / DEMO_RATE:.2f} s at {DEMO_RATE} Hz "
         f"mono, streamed in chunks of {CHUNK_SECONDS * 1000:.0f} ms")

    output: Optional[Path] = None
    with contextlib.ExitStack() as stack:
        server: Optional[_PrivatePulse] = None
        if not _server_answers():
            server = stack.enter_context(_PrivatePulse())
            _say(f"demo: no sound server answers; started a private PulseAudio "
                 f"({server.address}) whose default sink is a null sink")
            # this process's libpulse connects there; our own HOME stays
            os.environ["PULSE_SERVER"] = server.address
            os.environ.pop("PULSE_SINK", None)
            output = Path(args.output).resolve()
            server.record(output)
        with AudioPlayer(args.device, DEMO_RATE, 1) as player:
            where = args.device or "the default device"
            _say(f"demo: playing on {where} ({player.device_sample_rate} Hz, "
                 f"{player.device_channels} ch); the user barges in after "
                 f"{args.barge_at * 100:.0f} % of the speech")
            if args.earcon:
                chime = start_chime(player, total / DEMO_RATE + 1.0)
                _say("demo: a chime rings over the speech on a stream of its "
                     "own; the barge-in clears the speech only")
            r = _barge_in(player, speech, args.barge_at)
            drained = player.drain(5.0)
            chime_whole = report_chime(*chime) if args.earcon else True
            stats = (player.frames_written, player.frames_played,
                     player.frames_cleared, player.underruns)
        if server is not None:
            time.sleep(0.3)  # the monitor's own latency: let the tail arrive
            server.stop_recording()

    heard = int(r["heard"])
    frac = heard / total
    words = args.text.split()
    said = " ".join(words[:int(round(frac * len(words)))])
    if "clear_s" in r:
        print(f"barge-in: after {r['at']:.3f} s; clear() returned in "
              f"{r['clear_s'] * 1000:.3f} ms")
    else:
        print("barge-in: none, the speech ended first")
    print(f"heard: {heard} frames = {heard / DEMO_RATE:.3f} s of "
          f"{total / DEMO_RATE:.3f} s ({frac * 100:.1f} %)")
    print(f"heard text (by time, approximate): \"{said}\"")
    print(f"stats: written {stats[0]}, played {stats[1]}, cleared {stats[2]}, "
          f"underruns {stats[3]}; drain after the barge-in: {drained}")
    if output is not None and args.earcon:
        # the chime plays on after the barge-in: nothing to judge by ear
        print(f"recording: {output}")
    elif output is not None:
        return _report_recording(output, speech, heard)
    return 0 if chime_whole else 1


def _report_recording(path: Path, speech: bytes, heard: int) -> int:
    """Where the sound in the recording ends, against the heard point."""
    with wave.open(str(path)) as w:
        rate, channels = w.getframerate(), w.getnchannels()
        recorded = w.readframes(w.getnframes())
    length = len(recorded) // (2 * channels) / rate
    print(f"recording: {path}")
    span = _loud_span(recorded, channels)
    lead = _loud_span(speech, 1)
    if span is None or lead is None:
        print("recording: silent!")
        return 1
    first, end = span[0] / rate, span[1] / rate
    # the heard point in the recording: where the speech's first sound is,
    # plus what clear() said was heard after it
    heard_at = first + (heard - lead[0]) / DEMO_RATE
    print(f"recording: sound from {first:.3f} s to {end:.3f} s, then silence "
          f"until it stopped at {length:.3f} s")
    print(f"recording: the sound ends {(end - heard_at) * 1000:+.1f} ms from the "
          "heard point clear() reported")
    return 0


# ---------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="audiocast",
        description="Streaming audio: list devices, play files and tones, "
                    "record, play and record at once, and the barge-in demo. "
                    "Set AUDIOCAST_LOG=debug for the library's log.")
    p.add_argument("--version", action="version", version=f"audiocast {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("devices", help="list the output (or input) devices")
    s.add_argument("--input", "-i", action="store_true",
                   help="list the input devices (microphones, monitors of outputs)")
    s.set_defaults(func=cmd_devices)

    s = sub.add_parser("play", help="play a sound file, with a progress bar")
    s.add_argument("file", help="a file (WAV, or anything GStreamer decodes) or URI")
    s.add_argument("--device", "-d", help="output device (default: the default one)")
    s.set_defaults(func=cmd_play)

    s = sub.add_parser("tone", help="play a sine tone")
    s.add_argument("--freq", "-f", type=float, default=440.0, help="Hz (440)")
    s.add_argument("--seconds", "-s", type=float, default=1.0, help="length (1)")
    s.add_argument("--volume", type=float, default=0.3, help="amplitude 0..1 (0.3)")
    s.add_argument("--device", "-d", help="output device")
    s.set_defaults(func=cmd_tone)

    s = sub.add_parser(
        "demo", help="barge-in: stream speech, interrupt it halfway with clear()",
        description="Streams synthetic speech (espeak-ng, or a generated signal) "
                    "chunk by chunk and interrupts it from another thread with "
                    "clear(), then says what was heard and how long clear() "
                    "took. Without a sound server it starts a private "
                    "PulseAudio with a null sink and records it to a WAV file.")
    s.add_argument("--text", default=DEMO_TEXT, help="what to say")
    s.add_argument("--device", "-d", help="output device")
    s.add_argument("--barge-at", type=float, default=0.5,
                   help="when the user interrupts, as a fraction of the speech (0.5)")
    s.add_argument("--signal", action="store_true",
                   help="use the generated signal even when espeak-ng is installed")
    s.add_argument("--duplex", action="store_true",
                   help="the whole loop in a simulated room on a private "
                        "PulseAudio: the assistant's echo cancelled, a second "
                        "voice as the user, a VAD that clears the assistant")
    s.add_argument("--earcon", action="store_true",
                   help="a chime rings over the speech on a stream of its own "
                        "and plays on through the barge-in, which clears "
                        "only the speech")
    s.add_argument("--output", "-o",
                   default=str(Path(tempfile.gettempdir()) / "audiocast-demo.wav"),
                   help="the WAV file when a private server is used "
                        "(default: %(default)s)")
    s.set_defaults(func=cmd_demo)
    add_recording_commands(sub)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command line ``argv`` (default: ``sys.argv[1:]``); returns the
    exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if args.command == "demo" and not 0.0 < args.barge_at < 1.0:
        parser.error("--barge-at must be between 0 and 1")
    try:
        return int(args.func(args))
    except AudioCastError as e:
        print(f"audiocast: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("audiocast: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `audiocast devices | head -1`
        sys.stdout = open(os.devnull, "w")
        return 1
