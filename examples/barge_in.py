#!/usr/bin/python3
"""The barge-in loop, blocking: speech plays until the user talks over it.

A thread listens to the microphone with a simple energy detector; when it
hears speech it calls clear(), which silences the player at once and says
how much of the answer was heard, where an assistant cuts its transcript.

    python3 examples/barge_in.py [--speaker NAME] [--mic NAME]
"""

import argparse
import subprocess
import threading

import numpy as np

import audiocast

RATE = 22050
TEXT = ("Here is a long answer to your question. It goes on for a while, "
        "so that there is time to interrupt it: just start talking, and the "
        "assistant stops at once and knows how much of this you heard.")


def speech(text: str) -> bytes:
    """espeak-ng's speech for text: 22050 Hz mono int16."""
    wav = subprocess.run(["espeak-ng", "--stdout", text], check=True,
                         stdout=subprocess.PIPE).stdout
    return wav[44:]


def listen(rec: audiocast.AudioRecorder, heard_speech: threading.Event) -> None:
    """Sets heard_speech after 60 ms of sound above -30 dBFS."""
    loud = 0
    for block in rec.chunks(320):                  # 20 ms at 16 kHz
        level = float(np.sqrt(np.mean(block.astype(np.float64) ** 2)))
        loud = loud + 1 if level > 0.03 else 0
        if loud == 3:
            heard_speech.set()
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speaker", help="output device")
    parser.add_argument("--mic", help="input device")
    args = parser.parse_args()

    answer = speech(TEXT)
    heard_speech = threading.Event()
    with audiocast.AudioPlayer(args.speaker, RATE, 1) as player, \
            audiocast.AudioRecorder(args.mic, 16000, 1) as rec:
        listener = threading.Thread(target=listen, args=(rec, heard_speech))
        listener.start()

        def speak() -> None:
            # write() waits while the ring is full, drain() until the end
            # was heard: clear() from the main thread ends both at once
            player.write(answer)
            player.drain()

        speaker = threading.Thread(target=speak)
        speaker.start()
        while speaker.is_alive() and not heard_speech.wait(0.01):
            pass
        if heard_speech.is_set():
            heard = player.clear()                # barge-in
            print(f"barge-in: heard {heard / RATE:.2f} s of "
                  f"{len(answer) / 2 / RATE:.2f} s")
        else:
            print("the answer was heard to the end")
        speaker.join()
        rec.stop()
        listener.join()


if __name__ == "__main__":
    main()
