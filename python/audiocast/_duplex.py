"""playrec(): play and record at once, the recording aligned to what was
heard (private)."""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any, List, Optional, Tuple, Union

from ._player import AudioPlayer
from ._recorder import AudioRecorder

__all__ = ["playrec"]

# How often the heard position is sampled while the audio plays: each
# sample says when frame 0 was heard; their median is kept.
_POSITION_INTERVAL_S = 0.02


def _as_frames(data: Any, channels: int) -> Any:
    import numpy as np

    a = np.asarray(data)
    if a.dtype.kind not in "if" or a.dtype.itemsize not in (2, 4, 8) or \
            (a.dtype.kind == "i" and a.dtype.itemsize == 8):
        a = a.astype(np.float32)
    if a.ndim == 1:
        if len(a) % channels:
            raise ValueError(f"data holds {len(a)} samples, not a whole "
                             f"number of {channels}-channel frames")
        a = a.reshape(-1, channels)
    if a.ndim != 2 or a.shape[1] != channels:
        raise ValueError(f"data must be 1-D interleaved or of shape (frames, "
                         f"{channels}), not {a.shape}")
    return np.ascontiguousarray(a)


class _Reader(threading.Thread):
    """Reads the recorder until it is stopped, keeping each block with the
    capture time of its first frame."""

    def __init__(self, recorder: AudioRecorder, block: int) -> None:
        super().__init__(name="audiocast-playrec", daemon=True)
        self.recorder = recorder
        self.block = block
        self.blocks: List[Tuple[Optional[float], int, Any]] = []
        self.error: Optional[BaseException] = None

    def run(self) -> None:
        try:
            for block in self.recorder.chunks(self.block):
                info = self.recorder.last_read
                self.blocks.append((info.capture_time, info.dropped_before, block))
        except BaseException as e:  # handed to the caller
            self.error = e


def _timeline(blocks: List[Tuple[Optional[float], int, Any]], rate: int,
              channels: int, dtype: Any) -> Tuple[Any, float]:
    """The recording as one array, frames the ring dropped put back as
    silence, and the capture time of its frame 0 (the median over the
    blocks, each counted back by its place)."""
    import numpy as np

    parts, starts = [], []
    at = 0
    for when, dropped, block in blocks:
        if dropped:
            parts.append(np.zeros((dropped, channels), dtype=dtype))
            at += dropped
        if when is not None:
            starts.append(when - at / rate)
        parts.append(block)
        at += len(block)
    if not starts:
        raise RuntimeError("the input device gave no capture times")
    audio = np.concatenate(parts) if parts else np.zeros((0, channels), dtype)
    return audio, statistics.median(starts)


def playrec(data: Any, sample_rate: int, channels: int,
            device: Optional[str] = None, input_device: Optional[str] = None,
            *, input_channels: Optional[int] = None,
            server: Optional[str] = None,
            with_offset: bool = False) -> Union[Any, Tuple[Any, float]]:
    """Plays ``data`` on ``device`` while recording ``input_device`` and
    returns the recording of the same length, aligned so that frame i of
    the recording was captured when frame i of ``data`` was heard.

    ``data`` is a numpy array (or anything numpy turns into one) of shape
    (frames, ``channels``), or 1-D interleaved; the recording has the same
    dtype (int16, int32, float32 or float64; float32 for anything else) and
    ``input_channels`` channels (default ``channels``), at ``sample_rate``.

    The offset between the two streams is measured, not guessed: the
    player says which frame it had heard at which moment, the recorder when
    each frame was captured, both on the monotonic clock. With
    ``with_offset=True`` the result is ``(recording, offset)``, ``offset``
    being how long after the write the first frame was heard (seconds):
    what a naive duplex loop would have had to remove.

    >>> import numpy, audiocast
    >>> tone = numpy.sin(numpy.arange(48000) / 48000 * 2 * numpy.pi * 440)
    >>> heard = audiocast.playrec(tone.astype("float32"), 48000, 1,
    ...                           input_device="speaker.monitor")  # doctest: +SKIP

    ``data`` is checked before anything is played:

    >>> audiocast.playrec([0.0, 0.1, 0.2], 48000, 2)
    Traceback (most recent call last):
      ...
    ValueError: data holds 3 samples, not a whole number of 2-channel frames
    """
    frames_in = input_channels if input_channels is not None else channels
    audio = _as_frames(data, channels)
    rate = int(sample_rate)
    with AudioRecorder(input_device, rate, frames_in, audio.dtype.name,
                       server) as recorder, \
            AudioPlayer(device, rate, channels, server=server) as player:
        reader = _Reader(recorder, max(1, rate // 100))
        reader.start()
        written_at = time.monotonic()
        writer = threading.Thread(target=player.write, args=(audio,),
                                  name="audiocast-playrec-write", daemon=True)
        writer.start()
        starts = []
        while writer.is_alive() or player.buffered_frames > 0:
            position = player.heard_position()
            if position.frames > 0 and player.underruns == 0:
                starts.append(position.time - position.frames / rate)
            time.sleep(_POSITION_INTERVAL_S)
        writer.join()
        player.drain()
        if not starts:  # shorter than one sampling interval
            position = player.heard_position()
            starts.append(position.time - position.frames / rate)
        # the last frame heard must also be captured and delivered
        time.sleep(recorder.latency + 0.05)
        recorder.stop()
        reader.join()
    if reader.error is not None:
        raise reader.error
    heard_at = statistics.median(starts)
    recording, captured_at = _timeline(reader.blocks, rate, frames_in,
                                       audio.dtype)
    first = round((heard_at - captured_at) * rate)
    aligned = recording[max(0, first):max(0, first) + len(audio)]
    if len(aligned) < len(audio):
        import numpy as np

        pad = np.zeros((len(audio) - len(aligned), frames_in), audio.dtype)
        aligned = np.concatenate((aligned, pad))
    if with_offset:
        return aligned, heard_at - written_at
    return aligned
