"""``audiocast demo --earcon``: a chime plays over the speech on a stream
of its own, ducking it a little, and the barge-in clears only the speech
(private)."""

from __future__ import annotations

import math
import struct
import threading
from typing import Dict, Tuple

from ._player import AudioPlayer
from ._stream import AudioStream

__all__ = ["start_chime", "report_chime"]

# a soft two-note bell every CHIME_EVERY seconds
CHIME_NOTES = (880.0, 1318.5)
CHIME_SECONDS = 0.3
CHIME_EVERY = 0.8
CHIME_LEVEL = 0.15


def chime_signal(rate: int, seconds: float) -> bytes:
    """``seconds`` of int16 mono: a bell (two notes, each decaying) every
    CHIME_EVERY seconds."""
    total = int(rate * seconds)
    every = int(rate * CHIME_EVERY)
    ring = int(rate * CHIME_SECONDS)
    samples = []
    for i in range(total):
        k = i % every
        x = 0.0
        if k < ring:
            decay = math.exp(-6.0 * k / ring)
            x = sum(math.sin(2 * math.pi * f * k / rate) for f in CHIME_NOTES)
            x *= CHIME_LEVEL / len(CHIME_NOTES) * decay
        samples.append(int(round(x * 32767)))
    return struct.pack(f"<{total}h", *samples)


def start_chime(player: AudioPlayer, seconds: float
                ) -> Tuple[AudioStream, threading.Thread, Dict[str, int]]:
    """Opens the chime's stream on ``player`` (its rate and channels),
    ducking the speech to 70 % while a note rings, and writes ``seconds``
    of chimes from a thread of its own."""
    chime = player.open_stream(player.sample_rate, 1, "int16")
    chime.duck(others=0.7, ramp=0.02)
    data = chime_signal(player.sample_rate, seconds)
    written: Dict[str, int] = {"frames": len(data) // 2}
    writer = threading.Thread(target=chime.write, args=(data,),
                              name="earcon", daemon=True)
    writer.start()
    return chime, writer, written


def report_chime(chime: AudioStream, writer: threading.Thread,
                 written: Dict[str, int]) -> bool:
    """Waits for the chime to be heard out and prints its counts: the
    barge-in cleared the speech only. True when all of it was heard."""
    writer.join()
    drained = chime.drain(timeout=10.0)
    s = chime.stats()
    whole = (drained and s["frames_played"] == written["frames"]
             and s["frames_cleared"] == 0)
    print(f"earcon: {written['frames']} frames written, "
          f"{s['frames_played']} heard, {s['frames_cleared']} cleared: "
          + ("it played on through the barge-in, none of it lost"
             if whole else "NOT all of it was heard"))
    chime.close()
    return whole
