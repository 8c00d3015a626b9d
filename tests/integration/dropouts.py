"""Dropouts: silence a server played in place of audio it got too late.

When a stream's queue in the server runs empty, PulseAudio plays silence for
the time it lacks and drops the audio written for that time when it comes:
the capture then holds the written audio with a stretch of it replaced by
silence, the rest in place, before and after. That is the mark of a machine
stall longer than what the server held for the stream (docs/testing.md), not
of audio lost or moved by the sink, which would leave the rest out of place.

``analysis.follow_written()`` steps over such holes, none longer than
MAX_HOLE_FRAMES, and records them here; the test goes on with every other
check, and if all of them pass, conftest.py reports it as an expected
failure that lists the holes. Anything else still fails.
"""

# A stall of the test machine lasts 10-40 ms (docs/testing.md), of which the
# server rides out what it holds for the stream; a longer stretch of silence
# in the middle of the audio is not a stall's.
MAX_HOLE_FRAMES = 2048

_holes = []  # (what, capture offset, frames) recorded during this test


def reset():
    """Forgets the holes of the test before (conftest.py, at each setup)."""
    _holes.clear()


def record(what, offset, frames):
    """A hole of ``frames`` frames at capture ``offset`` in ``what``."""
    _holes.append((what, int(offset), int(frames)))


def recorded():
    """The holes recorded since the test began, as (what, offset, frames)."""
    return list(_holes)


def reason():
    """Why a test that passed with holes is an expected failure."""
    lost = sum(frames for _, _, frames in _holes)
    return (f"the server played {len(_holes)} hole(s) of silence, "
            f"{lost} frames in all, in place of audio that came late "
            f"(what, capture offset, frames): {_holes}; every other frame "
            "was heard exactly, in its place")
