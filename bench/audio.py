"""The stream every peer plays: 48 kHz stereo float32, fed in 10 ms chunks.

Only the standard library is used, so that a peer's process (start-up time,
CPU, RSS) carries nothing but its own audio library.
"""

import random
from array import array

RATE = 48000
CHANNELS = 2
SAMPLE_BYTES = 4                      # float32
FRAME_BYTES = CHANNELS * SAMPLE_BYTES
BYTES_PER_SECOND = RATE * FRAME_BYTES
CHUNK_FRAMES = 480                    # 10 ms: what streaming apps write at once
CHUNK_SECONDS = CHUNK_FRAMES / RATE
DEVICE = "speaker"                    # the private server's float32 null sink


def noise_chunks(seconds, seed=1):
    """``seconds`` of uniform noise in [-0.5, 0.5] as float32 bytes chunks.

    Noise is never silent for a whole millisecond, so any run of exact zeros
    that long in the capture is a real gap.
    """
    rng = random.Random(seed)
    per_chunk = CHUNK_FRAMES * CHANNELS
    n = max(1, round(seconds / CHUNK_SECONDS))
    return [array("f", [rng.uniform(-0.5, 0.5) for _ in range(per_chunk)]).tobytes()
            for _ in range(n)]
