"""What a capture says was heard: silence, exact matches of what was
written (frame by frame, bit for bit), frequencies, marked chunks, and
what clears cut."""

import numpy as np

import dropouts
from sound_servers import server_xrun_quantum

# Integer captures: audioconvert dithers (TPDF) when it reduces the sample
# depth, so "silence" written by the element reaches an S16 device as +-1 LSB
# noise. Up to this many LSBs counts as silence; float captures must be 0.
SILENCE_LSB = 2


def nonsilent_mask(data):
    if data.dtype.kind in "iu":
        return np.any(np.abs(data.astype(np.int64)) > SILENCE_LSB, axis=1)
    return np.any(data != 0, axis=1)


def first_nonzero(data, start=0):
    idx = np.flatnonzero(nonsilent_mask(data[start:]))
    return None if len(idx) == 0 else int(idx[0]) + start


def last_nonzero(data, end=None):
    idx = np.flatnonzero(nonsilent_mask(data[:end]))
    return None if len(idx) == 0 else int(idx[-1])


def trimmed(data):
    """The capture from its first to its last non-silent frame."""
    a = first_nonzero(data)
    if a is None:
        return data[:0]
    return data[a:last_nonzero(data) + 1]


def segments(data, min_gap):
    """Non-silent runs [start, end) separated by >= min_gap silent frames."""
    idx = np.flatnonzero(nonsilent_mask(data))
    if len(idx) == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > min_gap)
    starts = [idx[0]] + [idx[b + 1] for b in breaks]
    ends = [idx[b] + 1 for b in breaks] + [idx[-1] + 1]
    return [(int(s), int(e)) for s, e in zip(starts, ends)]


def silent_runs(data, start, end):
    """Lengths of the silent runs in data[start:end]."""
    m = nonsilent_mask(data[start:end]).astype(np.int8)
    if len(m) == 0:
        return []
    d = np.diff(np.concatenate(([1], m, [1])))
    s = np.flatnonzero(d == -1)
    e = np.flatnonzero(d == 1)
    return list(e - s)


def find_exact(hay, window, start=0):
    """Offsets (>= start) where ``window`` occurs bit-exactly in ``hay``."""
    h = np.ascontiguousarray(hay[start:])
    w = np.ascontiguousarray(window)
    if len(w) == 0 or len(h) < len(w):
        return []
    hv = h.view(np.uint8).reshape(len(h), -1)
    wv = w[:1].view(np.uint8).reshape(-1)
    cand = np.flatnonzero(np.all(hv == wv, axis=1))
    out = []
    for c in cand:
        if c + len(w) <= len(h) and np.array_equal(
                h[c:c + len(w)].view(np.uint8), w.view(np.uint8)):
            out.append(int(c) + start)
    return out


def as_float(data):
    if data.dtype.kind == "f":
        return data.astype(np.float64)
    return data.astype(np.float64) / float(np.iinfo(data.dtype).max)


def frequency(x, rate):
    """Frequency of a 1-D sine from its interpolated rising zero crossings."""
    x = np.asarray(x, dtype=np.float64)
    x = x - x.mean()
    s = np.signbit(x)
    rising = np.flatnonzero(s[:-1] & ~s[1:])
    if len(rising) < 3:
        return 0.0
    # linear interpolation of the crossing position
    x0 = x[rising]
    x1 = x[rising + 1]
    pos = rising + (-x0) / (x1 - x0)
    return (len(pos) - 1) * rate / (pos[-1] - pos[0])


def block_frequencies(x, rate, block_seconds=0.1):
    """frequency() of each whole block of a 1-D sine: a splice the server
    made (a graph xrun drops or repeats a quantum) bends the one block it
    falls in, where a resampler's wrong ratio bends them all."""
    n = max(int(block_seconds * rate), 2)
    return np.array([frequency(x[i:i + n], rate)
                     for i in range(0, len(x) - n + 1, n)])


def rms(x):
    x = np.asarray(x, dtype=np.float64)
    return float(np.sqrt(np.mean(x * x))) if len(x) else 0.0


# --------------------------------------------------------------------------
# Marked audio: every chunk a constant frame that encodes its id
# --------------------------------------------------------------------------

MARKER_IDS = 4096 * 64  # ids 0 .. MARKER_IDS - 1


def marker_frame(ident):
    """The float32 stereo frame that stands for chunk ``ident``: exactly
    representable values, never silence, never a noise() frame by chance."""
    ident = int(ident)
    assert 0 <= ident < MARKER_IDS, ident
    return np.array([((ident & 0xFFF) + 1) / 8192.0,
                     -((ident >> 12) + 1) / 64.0], dtype="<f4")


def marker_chunk(ident, frames):
    """``frames`` frames of chunk ``ident``'s marker, shape (frames, 2)."""
    return np.tile(marker_frame(ident), (int(frames), 1))


def decode_markers(data):
    """The chunk id of every frame of a float32 stereo capture: -1 for
    silence, -2 for a frame that is no marker (audio that was changed)."""
    data = np.asarray(data, dtype="<f4")
    lo = np.rint(data[:, 0].astype(np.float64) * 8192.0) - 1
    hi = np.rint(-data[:, 1].astype(np.float64) * 64.0) - 1
    ok = (lo >= 0) & (lo < 4096) & (hi >= 0) & (hi < 64)
    ids = np.where(ok, hi * 4096 + lo, 0).astype(np.int64)
    exact = ok & (data[:, 0] == ((ids & 0xFFF) + 1) / np.float32(8192.0)) \
        & (data[:, 1] == -((ids >> 12) + 1) / np.float32(64.0))
    out = np.where(exact, ids, -2)
    out[~np.any(data != 0, axis=1)] = -1
    return out


def runs(values):
    """Runs of equal values: (starts, lengths, values) as arrays."""
    values = np.asarray(values)
    if len(values) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, values[:0]
    cut = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate(([0], cut))
    lengths = np.diff(np.concatenate((starts, [len(values)])))
    return starts, lengths, values[starts]


def frame_keys(data):
    """One integer per frame (its float32 bit pattern: 4 bytes a channel),
    for comparisons and set look-ups of whole frames; mono or stereo."""
    frames = np.ascontiguousarray(data, dtype="<f4")
    frames = frames.reshape(len(frames), -1)
    kinds = {1: "<u4", 2: "<u8"}
    assert frames.shape[1] in kinds, f"{frames.shape[1]} channels"
    return frames.view(kinds[frames.shape[1]]).ravel()


def frame_positions(data, frames):
    """Where each frame of ``frames`` is in ``data`` (bit for bit, float32
    mono or stereo): its index, or -1 where it is not there."""
    keys = frame_keys(data)
    order = np.argsort(keys)
    ordered = keys[order]
    wanted = frame_keys(frames)
    at = np.minimum(np.searchsorted(ordered, wanted), len(keys) - 1)
    return np.where(ordered[at] == wanted, order[at], -1)


def describe_departure(captured, at, written, heard):
    """What the capture holds where it departs from what was written (after
    ``heard`` frames of it): how long a silence (a hole too long to step
    over ends there) and what the sound after it is, or sound."""
    sound = nonsilent_mask(captured[at:])
    if sound[:1].any():
        found = find_exact(np.asarray(written, dtype=np.float32),
                           np.asarray(captured[at:at + 16], dtype=np.float32))
        if len(found):
            return (f"sound that is not the written frame there: written "
                    f"frame {found[0]} ({found[0] - heard:+d} frames from "
                    "its place)")
        return "sound that is not the written frame there, nor any of it"
    after = np.flatnonzero(sound)
    if len(after) == 0:
        return "silence from there on"
    k = int(after[0])
    found = find_exact(np.asarray(written, dtype=np.float32),
                       np.asarray(captured[at + k:at + k + 16], dtype=np.float32))
    where = (f"written frame {found[0]} ({found[0] - heard - k:+d} frames from "
             "its place)" if len(found) else "not from what was written")
    return f"{k} silent frames there, then sound: {where}"


def assert_heard_exactly(captured, written, what="the audio",
                         followed=False, tolerance=0.0, dry_period=None):
    """``captured`` (from the first sound on) holds every frame of
    ``written``, bit-exact (or each sample within ``tolerance``) and in
    order, and nothing after it (``followed``:
    what comes after it is not judged here); the server's
    own whole-quantum xruns (server_xrun_quantum) are stepped over and
    returned. Holes the server played in place of late audio are stepped
    over and recorded (dropouts.py)."""
    heard, glitches, bad = follow_written(captured, written, what, tolerance,
                                          dry_period)
    assert bad is None or (followed and heard == len(written)), (
        f"{what}: the capture departs from what was written at capture "
        f"offset {bad}, after {heard} of its {len(written)} frames: "
        + describe_departure(captured, bad, written, heard))
    assert heard == len(written), (
        f"{what}: {heard} frames heard of {len(written)}")
    if glitches:
        print(f"{what}: server xruns stepped over: {glitches}")
    return glitches


def _comparable_frames(captured, written, tolerance):
    """(captured, written, differ) where differ(a, b) says which frames of
    two equal stretches differ: by bit pattern, or by more than
    ``tolerance`` in any sample."""
    if tolerance == 0:
        return frame_keys(captured), frame_keys(written), np.not_equal

    def as_frames(data):
        data = np.asarray(data, dtype=np.float64)
        return data.reshape(len(data), -1)

    def differ(a, b):
        return np.any(np.abs(a - b) > tolerance, axis=1)
    return as_frames(captured), as_frames(written), differ


def _channel_hole(captured, written, tolerance):
    """The length of a stretch at the start of ``captured`` in which some
    channels are silent in place of their ``written`` samples while the
    others carry theirs (a PipeWire graph xrun in its planar buffers); None
    when it does not start so."""
    n = min(len(captured), len(written))
    heard = np.asarray(captured[:n], dtype=np.float64).reshape(n, -1)
    meant = np.asarray(written[:n], dtype=np.float64).reshape(n, -1)
    if n == 0 or heard.shape[1] < 2:
        return None
    fits = np.all((np.abs(heard - meant) <= tolerance) | (heard == 0), axis=1)
    end = int(np.argmin(fits)) if not fits.all() else n
    off = np.flatnonzero(np.any(np.abs(heard[:end] - meant[:end]) > tolerance,
                                axis=1))
    if len(off) == 0 or not nonsilent_mask(captured[:end]).all():
        return None
    return int(off[-1]) + 1


def follow_written(captured, written, what="the audio", tolerance=0.0,
                   dry_period=None, dropped=None,
                   longest_silence=dropouts.MAX_HOLE_FRAMES,
                   uncounted_losses=False):
    """How a stretch of a capture that starts with ``written[0]`` (or with
    the first frame after whole quanta an xrun skipped) follows ``written``,
    compared frame by frame, bit for bit (with a ``tolerance``: each sample
    within it, for audio converted on its way).

    Returns ``(heard, glitches, departure)``: ``heard`` is how far into
    ``written`` the capture got (one past the last written frame heard in
    order); ``glitches`` the server's own graph xruns stepped over, as
    (capture offset, silent frames inserted, written frames skipped), each a
    whole number of the session server's quantum (server_xrun_quantum();
    where it has none, none are allowed); and
    ``departure`` the capture offset of the first thing no glitch explains
    (sound that was not written, a frame out of order or twice, a gap that is
    not whole quanta), or None. Silence after the last frame heard is the
    end of the stretch, not a departure.

    A hole (up to dropouts.MAX_HOLE_FRAMES of silence in place of as many
    written frames, the frames after it in their places) is stepped over too,
    and recorded for ``what`` with dropouts.record(), not returned: the test
    ends as an expected failure if everything else passes. So is, given
    ``dry_period`` (for a player that reported an underrun), a gap: whole
    periods of silence, up to MAX_HOLE_FRAMES, after which the written
    frames go on where they stopped (dropouts.record_gap()); and, given
    ``dropped`` too (the frames that player counted as cleared with no
    clear called: a restart of its device after it ran dry), a silence of
    any length up to MAX_HOLE_FRAMES after which they go on where they
    stopped or up to ``dropped`` frames (all restarts together) later
    (dropouts.record_restart()). A test that plays under the machine's own
    stalls, not one stall of its own making, says ``uncounted_losses``: the
    player may then also have lost frames around a dry device that it did
    not count, which are holes: a restart skipping more than the count left
    (a push landed behind the server's read position just before it), and,
    given ``dry_period``, whole periods of dry silence that end in a hole
    (the first push after them landed partly behind the read position),
    recorded as a gap and a hole. A silence that is either a restart or a
    gap and a hole is settled at the end, so that the restarts add up to
    ``dropped`` when they can (_settle_restarts()).
    A test that stalls the player on purpose
    for longer than the machine's own stalls says how long a silence it
    allows instead (``longest_silence``, in frames)."""
    follower = _Follower(captured, written, what, tolerance, dry_period,
                         dropped, longest_silence, uncounted_losses)
    return follower.follow()


class _Follower:
    """One reading of a capture against what was written, for
    follow_written(): ``c`` walks the capture, ``r`` the written frames."""

    PROBE = 16  # frames that must agree after a glitch

    def __init__(self, captured, written, what, tolerance, dry_period,
                 dropped, longest_silence, uncounted_losses):
        self.captured, self.written = captured, written
        self.what, self.tolerance = what, tolerance
        self.dry_period, self.dropped = dry_period, dropped
        self.longest_silence = longest_silence
        self.uncounted_losses = uncounted_losses
        self.quantum = server_xrun_quantum()
        self.got, self.want, self.differ = _comparable_frames(
            captured, written, tolerance)
        self.sound = nonsilent_mask(captured)
        self.glitches = []
        self.either = []  # silences that are a restart or a dry gap and a hole

    def follow(self):
        got, want, differ = self.got, self.want, self.differ
        c = r = 0
        while r < len(want) and c < len(got):
            n = min(len(want) - r, len(got) - c)
            first = np.flatnonzero(differ(got[c:c + n], want[r:r + n]))
            if len(first) == 0:
                c, r = c + n, r + n
                break
            c, r = c + int(first[0]), r + int(first[0])
            over = self.step_over(c, r)
            if over is not None:
                self.glitches.append((c, *over))
                c, r = c + over[0], r + over[1]
                continue
            stepped = self.step_over_silence(c, r)
            if stepped is None:
                break
            c, r = stepped
        _settle_restarts(self.what, self.either, self.dropped)
        return r, self.glitches, c if self.sound[c:].any() else None

    def step_over_silence(self, c, r):
        """Records what a departure at ``c`` (written frame ``r``) is, a
        channel hole, a hole, a dry gap, a restart or a gap and a hole, and
        returns where the capture and ``written`` agree again after it, or
        None where it is none of them."""
        what = self.what
        k = self.channel_hole_at(c, r)
        if k is not None:
            dropouts.record_channel_hole(what, c, k)
            return c + k, r + k
        k = self.silence_at(c)
        if k is None:
            return None
        if self.hole_at(c, r, k):
            dropouts.record(what, c, k)
            return c + k, r + k
        if self.dry_gap_at(c, r, k):
            dropouts.record_gap(what, c, k)
            return c + k, r
        restart = self.restart_at(c, r, k)
        hole = self.dry_gap_then_hole_at(c, r, k)
        if restart is not None and restart[0] == hole:
            self.either.append((c, k, hole, restart[0] - restart[1]))
        elif hole is not None:
            dropouts.record_gap(what, c, k - hole)
            dropouts.record(what, c + k - hole, hole)
        elif restart is not None:
            skipped, uncounted = restart
            dropouts.record_restart(what, c, k, skipped - uncounted)
            if uncounted:
                dropouts.record(what, c + k - uncounted, uncounted)
        else:
            return None
        return c + k, r + (hole if hole is not None else restart[0])

    def agree(self, c, r):
        """Whether the capture from ``c`` is ``written`` from ``r``, for
        PROBE frames or, at least half of them, up to another silence
        (a hole that ends just before a dry gap)."""
        probe = self.PROBE
        n = min(probe, len(self.want) - r, len(self.got) - c)
        if n <= 0:
            return False
        bad = np.flatnonzero(self.differ(self.got[c:c + n],
                                         self.want[r:r + n]))
        return not len(bad) or (bad[0] >= probe // 2
                                and not self.sound[c + bad[0]])

    def step_over(self, c, r):
        """(inserted, skipped) of whole quanta after which the capture at
        ``c`` agrees with ``written`` again, or None."""
        quantum = self.quantum
        if quantum is None:
            return None
        for inserted in range(0, 5 * quantum, quantum):
            if self.sound[c:c + inserted].any():
                break
            for skipped in range(0, 5 * quantum, quantum):
                if (inserted or skipped) and self.agree(c + inserted,
                                                        r + skipped):
                    return inserted, skipped
        return None

    def silence_at(self, c):
        """The length of the silence at ``c``, if it ends within
        ``longest_silence``; else None."""
        after = np.flatnonzero(self.sound[c:c + self.longest_silence + 1])
        return int(after[0]) if len(after) and after[0] > 0 else None

    def hole_at(self, c, r, k):
        """Whether the silence of ``k`` frames at ``c`` stands in place of
        as many written frames (those after it agree)."""
        return r + k < len(self.want) and self.agree(c + k, r + k)

    def channel_hole_at(self, c, r):
        """See _channel_hole(); only where the server has xruns."""
        if self.quantum is None:
            return None
        span = dropouts.MAX_HOLE_FRAMES
        k = _channel_hole(self.captured[c:c + span],
                          self.written[r:r + span], self.tolerance)
        return k if k is not None and self.agree(c + k, r + k) else None

    def dry_gap_at(self, c, r, k):
        """Whether the silence of ``k`` frames at ``c`` is whole periods the
        sink played while its ring was dry, the written frames going on
        after it where they stopped."""
        period = self.dry_period
        return bool(period) and k % period == 0 and self.agree(c + k, r)

    def dry_gap_then_hole_at(self, c, r, k):
        """The written frames a hole skipped at the end of the silence of
        ``k`` frames at ``c`` that began with whole dry periods, or None."""
        if not self.dry_period or not self.uncounted_losses:
            return None
        for gap in range(self.dry_period, k, self.dry_period):
            if self.agree(c + k, r + k - gap):
                return k - gap
        return None

    def restart_at(self, c, r, k):
        """(written frames skipped, of them more than the player counted)
        after the silence of ``k`` frames at ``c`` where the player
        restarted its dry device, or None. Frames skipped past what it
        counted (a push that landed behind the read position just before
        the restart) are a hole."""
        dropped = self.dropped
        if not self.dry_period or dropped is None:
            return None
        left = max(dropped - dropouts.restart_dropped(), 0)
        for skipped in range(0, left + 1):
            if self.agree(c + k, r + skipped):
                return skipped, 0
        if dropped == 0 or not self.uncounted_losses:
            return None
        for skipped in range(left + 1, self.longest_silence + 1):
            if self.agree(c + k, r + skipped):
                return skipped, skipped - left
        return None


def _settle_restarts(what, either, dropped):
    """Records each silence of ``either`` ((capture offset, frames of
    silence, written frames skipped, of them what a restart would count)
    that could be a restart or whole dry periods and a hole) as one or the
    other: as restarts, the fewest of them whose counts bring the restarts
    recorded to ``dropped``, the frames the player counted, the rest of
    their skips a hole; the others as a gap and a hole. Where none add up,
    as many restarts as fit, and the test's own check of the count says
    so."""
    if not either:
        return
    need = dropped - dropouts.restart_dropped()
    # reachable[total] = the silences (indices into either) that count total
    reachable = {0: ()}
    for i, (_, _, _, counted) in enumerate(either):
        for total, chosen in list(reachable.items()):
            t = total + counted
            if t <= need and (t not in reachable
                              or len(reachable[t]) > len(chosen) + 1):
                reachable[t] = chosen + (i,)
    restarts = set(reachable.get(need, reachable[max(reachable)]))
    for i, (c, k, skipped, counted) in enumerate(either):
        if i in restarts:
            dropouts.record_restart(what, c, k, counted)
            if skipped > counted:
                dropouts.record(what, c + k - (skipped - counted),
                                skipped - counted)
        else:
            dropouts.record_gap(what, c, k - skipped)
            dropouts.record(what, c + k - skipped, skipped)


def clear_heads(heard, cleared_after):
    """Where the heard position stood at each clear, in frames of the
    written stream: heard[i] is what clear i returned (frames heard since the
    previous clear), cleared_after[i] the frames-cleared counter after it.
    Every written frame before the head was heard or cleared, so the head of
    clear i is (frames heard up to it) + (frames cleared before it)."""
    heads = []
    played = 0
    before = 0
    for h, c in zip(heard, cleared_after):
        played += int(h)
        heads.append(played + before)
        before = int(c)
    return heads


def cleared_but_heard(chunks, clears, heard, arrival, slack, cut_time):
    """Audio that a clear reported discarded but that was heard after the
    clear returned.

    ``chunks``: {id: (offset, accepted, done)}: where the chunk starts in the
    written stream, how many frames write() accepted, and when its write()
    returned (any ordered key: a time, a cycle number). ``clears``: list of
    (start, head, returned): when clear() was called (same key as ``done``),
    the head it reported (clear_heads()) and the monotonic time it returned.
    ``heard``: {id: frames heard}; what is heard of a chunk is its beginning.
    ``arrival(id, k)``: the monotonic time frame k of chunk id reached the
    capture.

    Of a chunk written before a clear was called, the frames past that
    clear's head (plus ``slack`` frames) were reported discarded. If the
    last of them arrived more than ``cut_time`` seconds after the clear
    returned, discarded audio was heard: returns those as
    [(id, frames past the head, seconds after the clear returned, clear)].
    Also returns, for the report, the largest number of frames heard past a
    head otherwise (the heard count lagging behind the device, or the cut
    coming late by less than the limits).
    """
    starts = np.array([c[0] for c in clears], dtype=np.float64)
    order = np.argsort(starts, kind="stable")
    starts = starts[order]
    out = []
    lag = 0
    for ident, n in heard.items():
        if n <= 0:
            continue
        offset, accepted, done = chunks[ident]
        i = int(np.searchsorted(starts, done, side="right"))
        if i == len(starts):
            continue  # no clear after it
        k = int(order[i])
        _, head, returned = clears[k]
        past = offset + n - head
        if past <= 0:
            continue
        late = arrival(ident, n - 1) - returned
        if past > slack and late > cut_time:
            out.append((ident, int(past), late, k))
        else:
            lag = max(lag, int(past))
    return out, lag
