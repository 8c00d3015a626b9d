"""PyAudio.Stream on audiocast's player and recorder (private; see
:mod:`audiocast.pyaudio`)."""

from __future__ import annotations

import math
import sys
import threading
import time
import traceback
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple

from ._errors import AudioCastError, DeviceNotFoundError
from ._player import AudioPlayer
from ._pyaudio_consts import (paAbort, paCanNotReadFromACallbackStream,
                              paCanNotReadFromAnOutputOnlyStream,
                              paCanNotWriteToACallbackStream,
                              paCanNotWriteToAnInputOnlyStream, paComplete,
                              paFloat32, paInputOverflow, paInputOverflowed,
                              paInt8, paInt16, paInt24, paInt32,
                              paInvalidChannelCount, paInvalidDevice,
                              paInvalidSampleRate, paOutputUnderflow,
                              paOutputUnderflowed, paSampleFormatNotSupported,
                              paStreamIsStopped, paUInt8,
                              paUnanticipatedHostError)
from ._recorder import AudioRecorder

if TYPE_CHECKING:
    from .pyaudio import PyAudio

__all__ = ["Stream", "sample_size"]

# pa* format -> (bytes per sample, the dtype audiocast plays and records it
# as): 8- and 24-bit samples are widened on the way in and narrowed on the
# way out
_FORMATS: Dict[int, Tuple[int, str]] = {
    paFloat32: (4, "float32"),
    paInt32: (4, "int32"),
    paInt24: (3, "int32"),
    paInt16: (2, "int16"),
    paInt8: (1, "int16"),
    paUInt8: (1, "int16"),
}

# The player's ring: at least this long, and at least four buffers, so a
# blocking write() paces the program about as PortAudio's does.
_MIN_RING_S = 0.2
# Callback mode keeps this much audio asked for ahead of the device, and a
# duplex stream starts its output with this much silence, as PortAudio
# primes its output buffers: the first blocks then have a cushion against a
# late callback or read.
_CALLBACK_LEAD_S = 0.1


def sample_size(format: int) -> int:
    """Bytes per sample of a pa* format; ValueError for an unknown one."""
    if format not in _FORMATS:
        raise ValueError("Invalid format")
    return _FORMATS[format][0]


def _numpy() -> Any:
    import numpy

    return numpy


def to_player(format: int, data: Any) -> Any:
    """Samples of ``format`` (bytes-like) as something AudioPlayer.write
    takes: int16 bytes as they are, the others as numpy arrays."""
    if format == paInt16:
        return bytes(data)
    np = _numpy()
    raw = np.frombuffer(data, dtype=np.uint8)
    if format == paFloat32:
        return raw.view("<f4")
    if format == paInt32:
        return raw.view("<i4")
    if format == paInt24:
        # little-endian 3-byte samples into the top of int32s
        wide = np.zeros((len(raw) // 3, 4), dtype=np.uint8)
        wide[:, 1:] = raw[:len(wide) * 3].reshape(-1, 3)
        return wide.reshape(-1).view("<i4")
    if format == paInt8:
        return raw.view(np.int8).astype("<i2") << 8
    return (raw.astype("<i2") - 128) << 8       # paUInt8


def from_recorder(format: int, block: Any) -> bytes:
    """What the recorder read (a numpy array of the dtype of ``format``, or
    bytes without numpy) as ``format``'s bytes."""
    if isinstance(block, (bytes, bytearray)):
        return bytes(block)
    np = _numpy()
    if format in (paFloat32, paInt32, paInt16):
        return bytes(block.tobytes())
    if format == paInt24:
        raw = np.ascontiguousarray(block, dtype="<i4").view(np.uint8).reshape(-1, 4)
        return bytes(raw[:, 1:].tobytes())
    high = (np.asarray(block, dtype="<i2") >> 8).reshape(-1)
    if format == paInt8:
        return bytes(high.astype(np.int8).tobytes())
    return bytes((high + 128).astype(np.uint8).tobytes())   # paUInt8


def _host_error(e: AudioCastError) -> OSError:
    """An audiocast error as the OSError PyAudio raises: (code, text)."""
    code = paInvalidDevice if isinstance(e, DeviceNotFoundError) \
        else paUnanticipatedHostError
    return OSError(code, str(e))


class Stream:
    """A PortAudio stream: output (an :class:`~audiocast.AudioPlayer`),
    input (an :class:`~audiocast.AudioRecorder`) or both. Open it with
    :meth:`PyAudio.open`.

    ``frames_per_buffer`` is the block a callback is asked for (0: 10 ms).
    ``stream_callback(in_data, frame_count, time_info, status)`` returns
    ``(out_data, flag)``; it runs in a thread of its own, never in the
    device's. Output-only callbacks are audiocast's callback mode: the
    device never waits for Python.
    """

    def __init__(self, PA_manager: "PyAudio", rate: int, channels: int,
                 format: int, input: bool = False, output: bool = False,
                 input_device_index: Optional[int] = None,
                 output_device_index: Optional[int] = None,
                 frames_per_buffer: int = 0, start: bool = True,
                 input_host_api_specific_stream_info: Any = None,
                 output_host_api_specific_stream_info: Any = None,
                 stream_callback: Optional[Callable[..., Any]] = None) -> None:
        if not (input or output):
            raise ValueError("Must specify an input or output stream.")
        if format not in _FORMATS:
            raise ValueError("Sample format not supported",
                             paSampleFormatNotSupported)
        if isinstance(channels, bool) or not isinstance(channels, int) or channels < 1:
            raise ValueError("Invalid number of channels", paInvalidChannelCount)
        if not isinstance(rate, (int, float)) or not rate >= 1 or not math.isfinite(rate):
            raise ValueError("Invalid sample rate", paInvalidSampleRate)
        self._parent = PA_manager
        self._rate = int(rate)
        self._channels = channels
        self._format = format
        self._bpf = _FORMATS[format][0] * channels
        self._dtype = _FORMATS[format][1]
        self._block = int(frames_per_buffer) or max(1, self._rate // 100)
        self._callback = stream_callback
        self._in_device = (PA_manager._server_name(input_device_index,
                                                   "maxInputChannels")
                           if input else None)
        self._input = bool(input)
        self._player: Optional[AudioPlayer] = None
        self._recorder: Optional[AudioRecorder] = None
        self._running = False
        self._closed = False
        self._underruns = 0
        self._overflowed = False
        # callback mode: why the callback stopped being called ("complete"
        # lets what it gave play out, "abort" discards it), and its thread
        # when there is input
        self._ended: Optional[str] = None
        self._thread: Optional[threading.Thread] = None
        if output:
            device = PA_manager._server_name(output_device_index,
                                             "maxOutputChannels")
            ring = max(_MIN_RING_S, 4 * self._block / self._rate)
            try:
                self._player = AudioPlayer(device, self._rate, channels,
                                           buffer_time=ring)
            except AudioCastError as e:
                raise _host_error(e) from e
        if start:
            self.start_stream()

    # -- state -----------------------------------------------------------------

    def start_stream(self) -> None:
        """Starts the stream (nothing when it runs)."""
        self._check_open()
        if self._running:
            return
        if self._input:
            try:
                self._recorder = AudioRecorder(self._in_device, self._rate,
                                               self._channels, self._dtype)
            except AudioCastError as e:
                raise _host_error(e) from e
        self._ended = None
        self._running = True
        if self._input and self._player is not None:
            cushion = max(2 * self._block, int(_CALLBACK_LEAD_S * self._rate))
            self._player.write(to_player(self._format, bytes(cushion * self._bpf)))
        if self._callback is not None:
            self._start_callback()

    def stop_stream(self) -> None:
        """Stops the stream: what was written plays out first, as
        PortAudio's stop does; the recorder's unread frames are gone."""
        if not self._running or self._closed:
            return
        self._stop_callback()
        if self._player is not None and self._ended != "abort":
            self._drain()
        self._stop_recorder()
        self._running = False

    def close(self) -> None:
        """Closes the stream. An output stream's written audio plays out
        first (PortAudio would drop its last buffer); a callback stream
        stops at once."""
        if self._closed:
            return
        if self._callback is not None and self._player is not None:
            self._ended = self._ended or "abort"
            self._stop_callback()
            self._player.clear()
        elif self._running and self._player is not None:
            self._drain()
        self._stop_callback()
        self._stop_recorder()
        if self._player is not None:
            self._player.stop()
        self._running = False
        self._closed = True
        self._parent._remove_stream(self)

    def is_active(self) -> bool:
        """Whether audio flows: started, and in callback mode, the callback
        has not ended the stream (or what it gave last still plays)."""
        if not self._running or self._closed:
            return False
        if self._ended is None:
            return True
        return (self._ended == "complete" and self._player is not None
                and self._player.buffered_frames > 0)

    def is_stopped(self) -> bool:
        """Whether the stream is stopped (not started, or stop_stream()):
        a callback that ended the stream leaves it inactive, not stopped."""
        return not self._running or self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise OSError(-9988, "Stream closed")

    # -- blocking I/O ------------------------------------------------------------

    def write(self, frames: Any, num_frames: Optional[int] = None,
              exception_on_underflow: bool = False) -> None:
        """Plays ``frames`` (bytes of the stream's format), waiting while
        the player's ring is full. ``OSError`` for an input-only or callback
        stream, a stopped stream, and with ``exception_on_underflow`` when
        the device ran dry since the last write."""
        self._check_open()
        if self._callback is not None:
            raise OSError(paCanNotWriteToACallbackStream,
                          "Can not write to a callback stream")
        if self._player is None:
            raise OSError(paCanNotWriteToAnInputOnlyStream,
                          "Can not write to an input only stream")
        if not self._running:
            raise OSError(paStreamIsStopped, "Stream is stopped")
        data = memoryview(frames).cast("B")
        whole = len(data) // self._bpf
        if num_frames is not None:
            whole = min(whole, max(0, int(num_frames)))
        self._player.write(to_player(self._format, data[:whole * self._bpf]))
        underruns = self._player.underruns
        underflowed = underruns > self._underruns
        self._underruns = underruns
        if exception_on_underflow and underflowed:
            raise OSError(paOutputUnderflowed, "Output underflowed")

    def read(self, num_frames: int, exception_on_overflow: bool = True) -> bytes:
        """The next ``num_frames`` frames as bytes of the stream's format,
        waiting for them. ``OSError`` for an output-only or callback
        stream, a stopped stream, and with ``exception_on_overflow`` when
        frames were dropped (the program fell behind by more than the
        recorder's ring) since the last read."""
        self._check_open()
        if self._callback is not None:
            raise OSError(paCanNotReadFromACallbackStream,
                          "Can not read from a callback stream")
        if not self._input:
            raise OSError(paCanNotReadFromAnOutputOnlyStream,
                          "Can not read from an output only stream")
        if not self._running or self._recorder is None:
            raise OSError(paStreamIsStopped, "Stream is stopped")
        data, overflowed = self._read_frames(int(num_frames))
        if overflowed and exception_on_overflow:
            raise OSError(paInputOverflowed, "Input overflowed")
        return data

    def _read_frames(self, frames: int) -> Tuple[bytes, bool]:
        """``frames`` frames (fewer only when the recorder stopped), and
        whether frames were dropped before or among them."""
        recorder = self._recorder
        assert recorder is not None
        pieces = []
        got = 0
        overflowed = self._overflowed
        self._overflowed = False
        while got < frames:
            block = recorder.read(frames - got)
            overflowed = overflowed or recorder.last_read.dropped_before > 0
            n = len(block)
            if n == 0:
                break
            pieces.append(from_recorder(self._format, block))
            got += n
        return b"".join(pieces), overflowed

    def get_read_available(self) -> int:
        """Frames :meth:`read` returns without waiting."""
        self._check_open()
        return self._recorder.read_available() if self._recorder is not None else 0

    def get_write_available(self) -> int:
        """Frames :meth:`write` takes without waiting."""
        self._check_open()
        if self._player is None:
            raise OSError(paCanNotWriteToAnInputOnlyStream,
                          "Can not write to an input only stream")
        return int(self._player._player.get_write_available())

    # -- information -------------------------------------------------------------

    def get_input_latency(self) -> float:
        """How old a frame is when :meth:`read` returns it, in seconds."""
        return self._recorder.latency if self._recorder is not None else 0.0

    def get_output_latency(self) -> float:
        """How long a frame written now takes to be heard, in seconds."""
        return self._player.latency if self._player is not None else 0.0

    def get_time(self) -> float:
        """The stream's clock, in seconds (``time.monotonic()``, as the
        library's capture times and callback times are)."""
        return time.monotonic()

    def get_cpu_load(self) -> float:
        """0.0: the audio threads are the library's, not the program's."""
        return 0.0

    # -- callback mode -------------------------------------------------------------

    def _time_info(self) -> Dict[str, float]:
        now = time.monotonic()
        return {"input_buffer_adc_time": now - self.get_input_latency(),
                "current_time": now,
                "output_buffer_dac_time": now + self.get_output_latency()}

    def _status(self) -> int:
        status = 0
        if self._player is not None:
            underruns = self._player.underruns
            if underruns > self._underruns:
                status |= paOutputUnderflow
            self._underruns = underruns
        if self._overflowed:
            status |= paInputOverflow
            self._overflowed = False
        return status

    def _call(self, in_data: Optional[bytes], frames: int) -> Tuple[Optional[bytes], int]:
        """The program's callback, with PyAudio's exception handling: the
        traceback is printed and the stream aborted."""
        assert self._callback is not None
        try:
            out, flag = self._callback(in_data, frames, self._time_info(),
                                       self._status())
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return None, paAbort
        return out, int(flag)

    def _output_block(self, out: Any, frames: int, flag: int) -> Any:
        """What to play of the callback's ``out``; records the end."""
        data = memoryview(out if out is not None else b"").cast("B")
        whole = min(len(data) // self._bpf, frames)
        if flag == paAbort:
            self._ended = "abort"
        elif flag == paComplete or whole < frames:
            self._ended = "complete"
        return to_player(self._format, data[:whole * self._bpf])

    def _start_callback(self) -> None:
        if self._input:
            self._thread = threading.Thread(target=self._run_duplex,
                                            name="audiocast-pyaudio", daemon=True)
            self._thread.start()
            return
        assert self._player is not None
        lead = min(100, max(2, math.ceil(_CALLBACK_LEAD_S * self._rate / self._block)))
        self._player.start_callback(self._fill, blocksize=self._block,
                                    lead_blocks=lead, dtype=self._dtype)

    def _fill(self, frames: int) -> Any:
        """Output-only callback mode: the library's feeder asks for a block."""
        if self._ended is not None:
            return None if self._ended == "abort" else to_player(self._format, b"")
        out, flag = self._call(None, frames)
        block = self._output_block(out, frames, flag)
        if self._ended == "abort":
            assert self._player is not None
            self._player.clear()
            return None
        return block

    def _run_duplex(self) -> None:
        """Input (and duplex) callback mode: read a block, hand it to the
        callback, play what it returns."""
        recorder = self._recorder
        player = self._player
        assert recorder is not None
        try:
            while self._ended is None and self._running:
                data, overflowed = self._read_frames(self._block)
                self._overflowed = self._overflowed or overflowed
                if len(data) < self._block * self._bpf:
                    break                       # the recorder was stopped
                out, flag = self._call(data, self._block)
                if player is not None:
                    block = self._output_block(out, self._block, flag)
                    if self._ended != "abort":
                        player.write(block)
                    else:
                        player.clear()
                elif flag in (paComplete, paAbort):
                    self._ended = "complete" if flag == paComplete else "abort"
        except AudioCastError:
            pass                                 # stopped or closed meanwhile
        finally:
            if self._ended is None:
                self._ended = "complete"

    def _stop_callback(self) -> None:
        if self._callback is None:
            return
        if self._player is not None and not self._input:
            self._player.stop_callback()
        if self._thread is not None:
            self._ended = self._ended or "complete"
            if self._recorder is not None:
                self._recorder.stop()           # unblocks the thread's read
            self._thread.join()
            self._thread = None

    def _stop_recorder(self) -> None:
        if self._recorder is not None:
            self._recorder.stop()
            self._recorder = None

    def _drain(self) -> None:
        """Waits until what was written was heard, for as long as that
        takes plus 2 s."""
        assert self._player is not None
        self._player.drain(timeout=self._player.buffered_frames / self._rate + 2.0)
