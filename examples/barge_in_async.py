#!/usr/bin/python3
"""The barge-in loop with asyncio: an async TTS generator piped into the
player, and an async voice detector on the recorder that calls clear().

Neither task blocks the event loop: write_async() and chunks_async() wait
on a file descriptor the library makes readable, not in threads.

    python3 examples/barge_in_async.py [--speaker NAME] [--mic NAME]
"""

import argparse
import asyncio
from typing import AsyncIterator

import numpy as np

import audiocast

RATE = 22050
TEXT = ("Here is a long answer to your question. It goes on for a while, "
        "so that there is time to interrupt it: just start talking, and the "
        "assistant stops at once and knows how much of this you heard.")


async def tts(text: str) -> AsyncIterator[bytes]:
    """espeak-ng's speech as it is synthesised: 22050 Hz mono int16."""
    proc = await asyncio.create_subprocess_exec(
        "espeak-ng", "--stdout", text, stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    await proc.stdout.readexactly(44)              # the WAV header
    rest = b""
    while chunk := await proc.stdout.read(4096):
        data, rest = rest + chunk, b""
        if len(data) % 2:
            data, rest = data[:-1], data[-1:]
        yield data
    await proc.wait()


async def speak(player: audiocast.AudioPlayer) -> bool:
    """Plays the answer; True when it was heard to the end."""
    async for chunk in tts(TEXT):
        if await player.write_async(chunk) < len(chunk) // 2:
            return False                           # cleared meanwhile
    return await player.drain_async()


async def detect_voice(rec: audiocast.AudioRecorder,
                       player: audiocast.AudioPlayer) -> None:
    """Clears the player after 60 ms of sound above -30 dBFS."""
    loud = 0
    async for block in rec.chunks_async(320):      # 20 ms at 16 kHz
        level = float(np.sqrt(np.mean(block.astype(np.float64) ** 2)))
        loud = loud + 1 if level > 0.03 else 0
        if loud == 3:
            heard = player.clear()                 # barge-in
            print(f"barge-in: heard {heard / RATE:.2f} s of the answer")
            return


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speaker", help="output device")
    parser.add_argument("--mic", help="input device")
    args = parser.parse_args()

    with audiocast.AudioPlayer(args.speaker, RATE, 1) as player, \
            audiocast.AudioRecorder(args.mic, 16000, 1) as rec:
        speaking = asyncio.create_task(speak(player))
        listening = asyncio.create_task(detect_voice(rec, player))
        heard_to_the_end = await speaking
        if heard_to_the_end:
            print("the answer was heard to the end")
        listening.cancel()


if __name__ == "__main__":
    asyncio.run(main())
