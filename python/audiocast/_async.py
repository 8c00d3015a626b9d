"""asyncio for players and recorders (private).

The C library gives each player and recorder a file descriptor that it makes
readable once what the event loop waits for happened (room in the ring, a
period played, frames captured, a clear, a stop, a failure); see
``audio_cast_player_arm_wakeup()``. :class:`Wakeup` watches that descriptor
with ``loop.add_reader``: no thread per call, no polling. A waiter arms it,
checks its condition with a call that never waits (``try_write``, a drain
with a timeout of 0, the frames available), and only then sleeps on it.
"""

from __future__ import annotations

import time
from typing import (TYPE_CHECKING, Any, AsyncIterator, Callable, List, Optional,
                    Tuple)

from ._convert import AudioData, pcm_size, pcm_tail, sample_size, to_pcm
from ._errors import RecorderClosedError, from_glib, is_drain_interruption
from ._gi import Gio, GLib

if TYPE_CHECKING:
    import asyncio

    from ._player import AudioPlayer
    from ._recorder import AudioRecorder, Chunker

__all__ = ["Wakeup", "write_async", "drain_async", "read_async", "chunks_async"]


class Wakeup:
    """The library's wakeup descriptor of one player or recorder, watched
    by the running event loop while at least one task waits on it.

    One arming serves every task waiting on the object (a write in one
    task, a drain in another): it is armed for the least any of them waits
    for, and each wakes, checks its own condition and waits again.
    """

    def __init__(self, get_fd: Callable[[], int], arm: Callable[[int], None],
                 what: str) -> None:
        self._get_fd = get_fd
        self._arm = arm
        self._what = what
        self._fd: Optional[int] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._waiters: List[Tuple[int, "asyncio.Future[None]"]] = []

    def arm(self, wanted: int) -> None:
        """Arms for ``wanted`` frames (the library says of what), or for
        less when another task waits for less."""
        least = min([wanted] + [w for w, _ in self._waiters])
        self._arm(least)

    async def wait(self, wanted: int, timeout: Optional[float] = None) -> None:
        """Sleeps until the descriptor becomes readable after the last
        :meth:`arm` (which the caller did, then checked), or ``timeout``
        seconds passed. The caller checks again: a wakeup means "look",
        not "done"."""
        import asyncio  # here: importing it costs 45 ms, most programs never do

        loop = asyncio.get_running_loop()
        if self._fd is None:
            fd = self._get_fd()
            if fd < 0:
                raise OSError(f"the {self._what} has no wakeup descriptor "
                              "(no pipes on this platform): use the blocking "
                              "calls in a thread")
            self._fd = fd
        if self._loop is not loop:
            if self._waiters:
                raise RuntimeError(f"the {self._what} is awaited in another "
                                   "event loop")
            self._loop = loop
        future: asyncio.Future[None] = loop.create_future()
        entry = (wanted, future)
        if not self._waiters:
            loop.add_reader(self._fd, self._readable)
        self._waiters.append(entry)
        try:
            if timeout is None:
                await future
            else:
                await asyncio.wait_for(asyncio.shield(future), max(0.0, timeout))
        except asyncio.TimeoutError:
            pass
        finally:
            self._waiters.remove(entry)
            if not self._waiters:
                loop.remove_reader(self._fd)

    def _readable(self) -> None:
        # The byte stays in the pipe until the next arming consumes it; the
        # waiters woken here arm again (or leave, and the reader with them).
        for _, future in self._waiters:
            if not future.done():
                future.set_result(None)


def _remaining(deadline: Optional[float]) -> Optional[float]:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


async def write_async(player: "AudioPlayer", data: AudioData) -> int:
    """AudioPlayer.write_async: queues what fits, then waits for room on
    the wakeup descriptor, until all of ``data`` is queued, a clear
    discards the rest, or the player stops."""
    fmt, pcm = to_pcm(data, player.channels)
    size = pcm_size(pcm)
    bpf = sample_size(fmt) * player.channels
    total = size // bpf
    done = 0
    clears = player._clears
    wakeup = player._wakeup
    # wake for a quarter of the ring, as a blocked write() does, not for
    # every period the device takes
    quarter = max(1, player._ring_frames // 4)
    waited = False
    while True:
        want = min(max(1, total - done), quarter)
        wakeup.arm(want)
        piece = pcm_tail(pcm, done * bpf)
        try:
            done += int(player._try_write(fmt, piece, size - done * bpf))
        except GLib.Error as e:
            if waited and not player.is_active:
                return done    # stopped while we waited, as write() returns
            raise from_glib(e) from e
        if done >= total or player._clears != clears or not player.is_active:
            return done
        await wakeup.wait(want)
        waited = True
        if player._clears != clears:
            return done    # cleared while we waited: the rest went with it


async def drain_async(player: "AudioPlayer", timeout: Optional[float]) -> bool:
    """AudioPlayer.drain_async: looks once per period the device takes
    whether what was written before the call was heard."""
    deadline = None if timeout is None else time.monotonic() + timeout
    wakeup = player._wakeup
    clears = player._clears
    target = player.frames_written
    while True:
        wakeup.arm(0)
        if player._clears != clears:
            return False    # a clear ended it, as it ends drain()
        try:
            if player.frames_written == target:
                if player._player.drain(0):
                    return True
            else:
                # written to since: drain(0) would wait for that too
                stats = player.stats()
                if stats["frames_played"] + stats["frames_cleared"] >= target:
                    return True
        except GLib.Error as e:
            if e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT):
                pass    # not yet
            elif is_drain_interruption(e):
                return False    # a clear or a stop ended it
            else:
                raise from_glib(e) from e
        if not player.is_active:
            return False
        left = _remaining(deadline)
        if left == 0.0:
            return False
        await wakeup.wait(0, left)


async def read_async(recorder: "AudioRecorder", frames: int,
                     timeout: Optional[float]) -> Any:
    """AudioRecorder.read_async: waits on the wakeup descriptor for the
    frames (a ring's worth at a time), then reads them without waiting."""
    deadline = None if timeout is None else time.monotonic() + timeout
    wakeup = recorder._wakeup
    buffer = recorder._new_buffer(frames)
    pieces: List[Any] = []
    got = 0
    first: Any = None
    while got < frames:
        want = min(frames - got, recorder._capacity)
        wakeup.arm(want)
        if recorder.read_available() < want and recorder.is_active:
            left = _remaining(deadline)
            if left != 0.0:
                await wakeup.wait(want, left)
                continue
        target = None if buffer is None else buffer[got:]
        try:
            piece = recorder._read_once(target, want, 0)
        except RecorderClosedError:
            if got:
                break
            raise
        n = recorder._frames_in(piece)
        if first is None:
            first = recorder.last_read
        pieces.append(piece)
        got += n
        if n < want:
            break    # stopped, timed out, or frames after them were dropped
    if first is not None:
        recorder.last_read = first._replace(frames=got)
    if buffer is not None:
        return buffer[:got]
    return b"".join(pieces)


async def chunks_async(recorder: "AudioRecorder", chunker: "Chunker",
                       timeout: Optional[float]) -> AsyncIterator[Any]:
    """AudioRecorder.chunks_async: :meth:`AudioRecorder.chunks` on
    :func:`read_async`."""
    while True:
        try:
            block = chunker.joined(
                await read_async(recorder, chunker.fresh(), timeout))
        except RecorderClosedError:
            return
        if block is None:
            return
        yield block
        if chunker.was_last(block):
            return
