#!/usr/bin/python3
"""Streaming TTS: espeak-ng's speech played while it is being synthesised.

espeak-ng writes 22050 Hz mono int16 to its stdout as it goes; each chunk is
written to the player as it arrives, so the first words are heard before
the last are synthesised. drain() returns once the last frame was heard.

    python3 examples/tts_stream.py "Hello from audiocast" [--device NAME]
"""

import argparse
import subprocess
import time

import audiocast

RATE = 22050          # what espeak-ng produces
HEADER = 44           # its WAV header, whose sizes are placeholders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text")
    parser.add_argument("--device", help="output device (default: the default)")
    args = parser.parse_args()

    espeak = subprocess.Popen(["espeak-ng", "--stdout", args.text],
                              stdout=subprocess.PIPE)
    assert espeak.stdout is not None
    espeak.stdout.read(HEADER)
    with audiocast.AudioPlayer(args.device, RATE, 1) as player:
        start = time.monotonic()
        first_sound = None
        rest = b""
        while chunk := espeak.stdout.read1(4096):
            data, rest = rest + chunk, b""
            if len(data) % 2:                     # whole int16 samples only
                data, rest = data[:-1], data[-1:]
            player.write(data)
            if first_sound is None:
                first_sound = time.monotonic() - start
        espeak.wait()
        player.drain()
        print(f"spoke {player.frames_played / RATE:.2f} s; the first chunk "
              f"was queued {first_sound * 1000:.0f} ms after starting espeak-ng")


if __name__ == "__main__":
    main()
