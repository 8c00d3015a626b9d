"""``audiocast demo --duplex`` (private): the whole barge-in loop, in a
simulated room on a private PulseAudio.

The assistant speaks into ``demo``, a null sink standing for the
loudspeaker; a loopback from its monitor into a ``room`` sink, 60 ms later
and 6 dB down, is the echo; a second voice plays into ``room`` as the user;
the microphone is ``room.monitor``, recorded with ``echo_cancel=`` the
assistant's player. An energy VAD on the cancelled audio clears the
assistant when the user talks. The demo then prints what the assistant had
said when the user began, and how fast it stopped.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import threading
import time
from typing import TYPE_CHECKING, Callable, Optional, cast

from ._errors import AudioCastError
from ._player import AudioPlayer, HeardPosition
from ._recorder import AudioRecorder

if TYPE_CHECKING:
    from ._cli import _PrivatePulse

USER_TEXT = "Wait, stop! What about tomorrow?"
ECHO_DELAY_MS = 60
ECHO_GAIN_DB = -6
MIC_RATE = 16000
VAD_FRAME = MIC_RATE // 100         # 10 ms
VAD_THRESHOLD_DB = -35.0            # of the cancelled microphone signal
VAD_FRAMES = 3                      # in a row: 30 ms of voice
# The canceller needs this much of the assistant's voice to find the echo:
# the VAD listens from then on (the user talks later).
CONVERGENCE_S = 2.0


def _speech(text: str, voice: str, rate: int) -> Optional[bytes]:
    exe = shutil.which("espeak-ng")
    if exe is None:
        return None
    r = subprocess.run([exe, "-v", voice, "--stdout", text],
                       capture_output=True, timeout=120)
    if r.returncode != 0 or len(r.stdout) < 44:
        return None
    import io
    import wave
    with wave.open(io.BytesIO(r.stdout), "rb") as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (rate, 1, 2):
            return None
        data = w.readframes(1 << 30)
    return data[:len(data) // 2 * 2]


def _set_up_room(server: "_PrivatePulse") -> None:
    """The room's sink and the echo path on the private server."""
    server._pactl("load-module", "module-null-sink", "sink_name=room",
                  "format=float32le", "rate=48000", "channels=1", "norewinds=1")
    server._pactl("load-module", "module-loopback",
                  f"source={server.SINK}.monitor", "sink=room",
                  f"latency_msec={ECHO_DELAY_MS}")
    room = None
    for line in (server._pactl("list", "short", "sinks") or "").splitlines():
        fields = line.split("\t")
        if len(fields) > 1 and fields[1] == "room":
            room = fields[0]

    def loopback_stream() -> Optional[str]:
        for line in (server._pactl("list", "short", "sink-inputs")
                     or "").splitlines():
            fields = line.split("\t")
            if len(fields) > 1 and fields[1] == room:
                return fields[0]
        return None

    server._wait(lambda: loopback_stream() is not None, "the room's echo path")
    server._pactl("set-sink-input-volume",
                  cast(str, loopback_stream()),  # the _wait above found it
                  f"{ECHO_GAIN_DB}dB")


def _heard_start(player: AudioPlayer, before: int) -> float:
    """When the first frame written after ``before`` frames were heard was
    heard (monotonic seconds)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pos = player.heard_position()
        if pos.frames > before:
            return pos.time - (pos.frames - before) / player.sample_rate
        time.sleep(0.005)
    raise AudioCastError("the user's voice did not start playing")


def run(args: argparse.Namespace, private_pulse: Callable[[], "_PrivatePulse"],
        rate: int) -> int:
    assistant = _speech(args.text, "en-us", rate)
    user_voice = _speech(USER_TEXT, "en-gb+f3", rate)
    if assistant is None or user_voice is None:
        raise AudioCastError("demo --duplex needs espeak-ng for its two voices")
    total = len(assistant) // 2
    with private_pulse() as server:
        _set_up_room(server)
        address = server.address
        with AudioPlayer(server.SINK, rate, 1, server=address) as player, \
                AudioPlayer("room", rate, 1, server=address) as user, \
                AudioRecorder("room.monitor", MIC_RATE, 1, "float32", address,
                              echo_cancel=player) as mic:
            print(f"duplex: the assistant speaks ({total / rate:.1f} s); the "
                  f"echo comes back {ECHO_DELAY_MS} ms later, "
                  f"{-ECHO_GAIN_DB} dB down; the user talks after "
                  f"{args.barge_at * 100:.0f} % of it", flush=True)
            speaking = threading.Thread(target=player.write, args=(assistant,),
                                        daemon=True)
            speaking.start()
            timer = threading.Timer(total / rate * args.barge_at,
                                    user.write, args=(user_voice,))
            user_before = user.heard_position().frames
            timer.start()
            fired_at = _listen(mic, time.monotonic() + CONVERGENCE_S,
                               total / rate + 2.0)
            c0 = time.perf_counter()
            player.clear()
            clear_s = time.perf_counter() - c0
            stopped = player.heard_position()
            timer.cancel()
            speaking.join()
            user_start = _heard_start(user, user_before) \
                if user.frames_written else None
    return _report(args.text, rate, total, user_start, fired_at, clear_s,
                   stopped)


def _listen(mic: AudioRecorder, listen_from: float,
            timeout: float) -> Optional[float]:
    """Reads the cancelled microphone until the VAD fires on audio captured
    after ``listen_from`` (monotonic seconds); returns when the frame that
    made it fire was captured, or None."""
    deadline = time.monotonic() + timeout
    loud = 0
    while time.monotonic() < deadline:
        block = mic.read(VAD_FRAME)
        captured = mic.last_read.capture_time
        if captured is None or captured < listen_from:
            continue
        level = float((block[:, 0].astype("float64") ** 2).mean()) \
            if len(block) else 0.0
        db = 10 * math.log10(level) if level > 0 else -math.inf
        loud = loud + 1 if db > VAD_THRESHOLD_DB else 0
        if loud >= VAD_FRAMES:
            info = mic.last_read.capture_time
            return None if info is None else info + len(block) / MIC_RATE
    return None


def _report(text: str, rate: int, total: int, user_start: Optional[float],
            fired_at: Optional[float], clear_s: float,
            stopped: HeardPosition) -> int:
    if fired_at is None:
        print("duplex: the VAD never heard the user")
        return 1
    if user_start is None or fired_at < user_start:
        print("duplex: the VAD fired before the user talked: the echo got "
              "through")
        return 1
    # what the assistant had said when the user began: the frames heard by
    # then, from the player's heard position at the clear
    said_frames = max(0, min(total, stopped.frames - round(
        (stopped.time - user_start) * rate)))
    words = text.split()
    said = " ".join(words[:int(round(said_frames / total * len(words)))])
    print(f"duplex: the user began {said_frames / rate:.2f} s into the "
          f"assistant's speech; it had said (by time, approximate): \"{said}\"")
    print(f"duplex: the VAD fired {(fired_at - user_start) * 1000:.0f} ms "
          f"after the user began; clear() returned in {clear_s * 1000:.3f} ms; "
          f"the assistant stopped {(stopped.time - user_start) * 1000:.0f} ms "
          "after the user began")
    return 0
