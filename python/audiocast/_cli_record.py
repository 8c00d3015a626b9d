"""The ``audiocast record`` and ``audiocast playrec`` commands (private).

Like the other commands they use only the public API::

    audiocast record take.wav --seconds 5 --device speaker.monitor
    audiocast playrec sweep.wav heard.wav --input-device speaker.monitor
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import wave
from typing import Any, cast

from ._duplex import playrec
from ._recorder import AudioRecorder

BLOCK_SECONDS = 0.1
METER_WIDTH = 30
METER_FLOOR_DB = -60.0


def _meter(peak: float, elapsed: float, total: float) -> str:
    """``[####......] -12.3 dBFS  2.1/5.0 s``: the block's peak level."""
    db = 20 * math.log10(peak) if peak > 0 else -math.inf
    fill = 0 if db < METER_FLOOR_DB else round(
        (db - METER_FLOOR_DB) / -METER_FLOOR_DB * METER_WIDTH)
    shown = f"{db:6.1f}" if db > -math.inf else "  -inf"
    return (f"[{'#' * fill}{'.' * (METER_WIDTH - fill)}] {shown} dBFS "
            f"{elapsed:5.1f}/{total:.1f} s")


def _write_wav(path: str, rate: int, channels: int) -> wave.Wave_write:
    w = wave.open(path, "wb")
    w.setnchannels(channels)
    w.setsampwidth(2)
    w.setframerate(rate)
    return w


def cmd_record(args: argparse.Namespace) -> int:
    """Records ``--seconds`` of an input device into a 16-bit WAV file, with
    a level meter and the time recorded on stderr."""
    tty = sys.stderr.isatty()
    with AudioRecorder(args.device, args.rate, args.channels, "int16") as rec, \
            _write_wav(args.output, rec.sample_rate, rec.channels) as out:
        block = max(1, round(rec.sample_rate * BLOCK_SECONDS))
        total = round(args.seconds * rec.sample_rate)
        got = 0
        last_line = 0.0
        while got < total:
            audio = rec.read(min(block, total - got))
            out.writeframes(_pcm(audio))
            got += _frames(audio, rec.channels)
            now = time.monotonic()
            if tty or now - last_line >= 1.0 or got >= total:
                line = _meter(_peak(audio), got / rec.sample_rate, args.seconds)
                sys.stderr.write(("\r" + line) if tty else (line + "\n"))
                sys.stderr.flush()
                last_line = now
        dropped = rec.stats()["frames_dropped"]
    if tty:
        sys.stderr.write("\n")
    print(f"audiocast record: {got} frames ({got / rec.sample_rate:.2f} s, "
          f"{rec.sample_rate} Hz, {rec.channels} ch) to {args.output}"
          + (f"; {dropped} frames dropped (the disk was too slow)" if dropped
             else ""))
    return 0


def _pcm(audio: Any) -> bytes:
    return audio if isinstance(audio, bytes) \
        else cast(bytes, audio.astype("<i2").tobytes())


def _frames(audio: Any, channels: int) -> int:
    return len(audio) // (2 * channels) if isinstance(audio, bytes) else len(audio)


def _peak(audio: Any) -> float:
    if isinstance(audio, bytes):
        import array
        samples = array.array("h", audio)
        return max((abs(s) for s in samples), default=0) / 32768
    return float(abs(audio.astype("int32")).max(initial=0)) / 32768


def cmd_playrec(args: argparse.Namespace) -> int:
    """Plays a 16-bit WAV file and records at the same time; writes the
    recording, aligned with what was heard, as a WAV file of the same
    length."""
    import numpy

    with wave.open(args.input) as w:
        if w.getsampwidth() != 2:
            print(f"audiocast playrec: {args.input} holds "
                  f"{8 * w.getsampwidth()}-bit samples; use a 16-bit PCM WAV "
                  "file", file=sys.stderr)
            return 2
        rate, channels = w.getframerate(), w.getnchannels()
        data = numpy.frombuffer(w.readframes(w.getnframes()), "<i2")
    data = data.reshape(-1, channels)
    recording, offset = playrec(data, rate, channels, args.device,
                                args.input_device,
                                input_channels=args.channels,
                                with_offset=True)
    with _write_wav(args.output, rate, recording.shape[1]) as out:
        out.writeframes(recording.astype("<i2").tobytes())
    print(f"audiocast playrec: played {len(data)} frames, recorded "
          f"{len(recording)} to {args.output}; the first frame was heard "
          f"{offset * 1000:.1f} ms after it was written")
    return 0


def add_commands(sub: Any) -> None:
    """Adds ``record`` and ``playrec`` to the command line's subparsers."""
    s = sub.add_parser("record", help="record an input device to a WAV file",
                       description="Records an input device (a microphone, "
                                   "or an output's monitor) to a 16-bit WAV "
                                   "file, showing the level as it goes.")
    s.add_argument("output", help="the WAV file to write")
    s.add_argument("--seconds", "-s", type=float, required=True,
                   help="how long to record")
    s.add_argument("--device", "-d", help="input device (default: the default one)")
    s.add_argument("--rate", "-r", type=int, help="sample rate (default: the device's)")
    s.add_argument("--channels", "-c", type=int,
                   help="channels (default: the device's)")
    s.set_defaults(func=cmd_record)

    s = sub.add_parser("playrec", help="play a WAV file and record at the same time",
                       description="Plays a 16-bit WAV file and records an "
                                   "input device meanwhile; the recording, "
                                   "aligned with what was heard, is written "
                                   "with the same length.")
    s.add_argument("input", help="the 16-bit WAV file to play")
    s.add_argument("output", help="the WAV file to write the recording to")
    s.add_argument("--device", "-d", help="output device")
    s.add_argument("--input-device", "-i", help="input device")
    s.add_argument("--channels", "-c", type=int,
                   help="channels recorded (default: the file's)")
    s.set_defaults(func=cmd_playrec)
