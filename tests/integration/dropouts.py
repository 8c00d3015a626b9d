"""Dropouts: silence a server played in place of audio it got too late.

When a stream's queue in the server runs empty, PulseAudio plays silence for
the time it lacks and drops the audio written for that time when it comes:
the capture then holds the written audio with a stretch of it replaced by
silence, the rest in place, before and after. That is the mark of a machine
stall longer than what the server held for the stream (docs/testing.md), not
of audio lost or moved by the sink, which would leave the rest out of place.

The same stall can make the writer late instead: when the thread that
feeds the player (an appsrc's, or the application's) stands still longer
than the ring holds, the ring runs dry, the sink plays whole periods of
silence (and counts an underrun), and the audio goes on after them, none of
it lost. A test whose player reported an underrun may let
``analysis.follow_written()`` step over such a gap (``dry_period``).

When the player's own output thread (or its whole process) stands still
longer than the device holds, the device runs dry: the player finds it so,
restarts it where the server reads, and counts an underrun. The audio goes
on after a stretch of silence as long as the stall; a period the thread was
pushing when the stall caught it reached the server behind its read
position and is gone, which the player counts as cleared. A test may let
``analysis.follow_written()`` step over such a restart (``dropped``: the
frames the player counted so), the written frames going on where they
stopped, or up to that many frames later.

On PipeWire a late graph cycle can also leave some channels of a stretch
silent while the others play on (its buffers are planar): a channel hole.

And pipewire-pulse before 1.3.81 can fill a gap with old audio: pulsesink
writes at absolute offsets, and where the server has read past its queue
(the stream ran empty, prebuf being 0) it writes the next audio further on.
The server moves its write index over the bytes between without clearing
them, so they play what the stream wrote one ring (4 MiB) earlier, audio
of some seconds before, heard or cleared then; PulseAudio plays silence
there (PipeWire fixed it in 1.3.81, "pulse-server: clear old data when
jumping forwards"). A test that can tell which audio is whose records such
a replay; the written audio must go on after it, in order.

``analysis.follow_written()`` steps over such holes and gaps, none longer
than MAX_HOLE_FRAMES, and records them here; the test goes on with every
other check, and if all of them pass, conftest.py reports it as an expected
failure that lists them. Anything else still fails.
"""

# A stall of the test machine lasts 10-40 ms (docs/testing.md), of which the
# server rides out what it holds for the stream; a longer stretch of silence
# in the middle of the audio is not a stall's.
MAX_HOLE_FRAMES = 2048

_holes = []  # (what, capture offset, frames) recorded during this test
_gaps = []   # the same, for silence the sink played while the ring was dry
_channel_holes = []  # the same, for silence in some channels only
_restarts = []  # (what, capture offset, frames, written frames dropped)
_replays = []  # the same, for a gap the server filled with old audio


def reset():
    """Forgets the holes of the test before (conftest.py, at each setup)."""
    _holes.clear()
    _gaps.clear()
    _channel_holes.clear()
    _replays.clear()
    _restarts.clear()


def record(what, offset, frames):
    """A hole of ``frames`` frames at capture ``offset`` in ``what``."""
    _holes.append((what, int(offset), int(frames)))


def record_gap(what, offset, frames):
    """A gap of ``frames`` frames of silence at capture ``offset`` in
    ``what``, the sink's own while its ring was dry (the writer was late)."""
    _gaps.append((what, int(offset), int(frames)))


def record_restart(what, offset, frames, dropped):
    """A gap of ``frames`` frames of silence at capture ``offset`` in
    ``what`` where the player restarted a device that ran dry, after which
    the written frames went on ``dropped`` frames later than where they
    stopped."""
    _restarts.append((what, int(offset), int(frames), int(dropped)))


def restart_dropped():
    """The written frames the restarts recorded so far skipped."""
    return sum(dropped for _, _, _, dropped in _restarts)


def take_restarts():
    """The restarts recorded so far, forgotten: for a test that caused them
    on purpose, so that they do not make it an expected failure."""
    taken = list(_restarts)
    _restarts.clear()
    return taken


def record_channel_hole(what, offset, frames):
    """``frames`` frames at capture ``offset`` in ``what`` in which some
    channels were silent in place of their written samples and the others
    heard theirs: a PipeWire graph xrun (its buffers are planar, one per
    channel, and a late cycle left one of them unfilled), never the sink's,
    whose frames travel whole."""
    _channel_holes.append((what, int(offset), int(frames)))


def record_replay(what, offset, frames):
    """A gap of ``frames`` frames at capture ``offset`` in ``what`` that the
    server filled with silence or with the stream's own older audio where
    it had read past the stream's queue (pipewire-pulse before 1.3.81,
    above)."""
    _replays.append((what, int(offset), int(frames)))


def recorded():
    """The holes and gaps recorded since the test began, as (what, offset,
    frames)."""
    return (list(_holes) + list(_gaps) + list(_channel_holes)
            + list(_replays) + [r[:3] for r in _restarts])


def reason():
    """Why a test that passed with holes or gaps is an expected failure."""
    parts = []
    if _holes:
        lost = sum(frames for _, _, frames in _holes)
        parts.append(f"the server played {len(_holes)} hole(s) of silence, "
                     f"{lost} frames in all, in place of audio that came late "
                     f"(what, capture offset, frames): {_holes}")
    if _gaps:
        parts.append(f"the player's ring ran dry {len(_gaps)} time(s) while "
                     "its writer stood still, and it played whole periods of "
                     f"silence before the rest (what, capture offset, frames): "
                     f"{_gaps}")
    if _restarts:
        parts.append(f"the player's device ran dry {len(_restarts)} time(s) "
                     "while its thread stood still, and it restarted it, "
                     "the frames it counted as cleared skipped (what, "
                     f"capture offset, frames of silence, frames skipped): "
                     f"{_restarts}")
    if _channel_holes:
        parts.append(f"the server left {len(_channel_holes)} stretch(es) of "
                     "some channels silent while the others played on "
                     f"(what, capture offset, frames): {_channel_holes}")
    if _replays:
        parts.append(f"the server filled {len(_replays)} gap(s) with "
                     "silence or the stream's own old audio where it had "
                     "read past the stream's queue (pipewire-pulse before "
                     f"1.3.81; what, capture offset, frames): {_replays}")
    return "; ".join(parts) + "; every other frame was heard exactly, in order"
