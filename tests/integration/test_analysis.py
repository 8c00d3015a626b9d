"""The capture analysis itself: analysis.follow_written() on captures made
up here from known audio, so that each shape it steps over (a hole, a dry
gap, a restart, a gap that ends in a hole) is read as that shape, and
anything else is a departure. The sound tests trust these readings."""

import numpy as np
import pytest

import analysis
import dropouts

FRAMES = 4800
AT = 1000  # where each made-up loss begins, in written frames


@pytest.fixture
def written():
    rng = np.random.default_rng(14)
    return rng.integers(-20000, 20000, size=(FRAMES, 2), dtype=np.int16)


@pytest.fixture
def recorded():
    """What follow_written() recorded (dropouts.recorded(), the restarts
    apart), forgotten afterwards: the losses here are made on purpose and
    must not turn the test into an expected failure."""
    seen = {}

    def take():
        restarts = dropouts.take_restarts()
        seen["restarts"] = [(c, k, n) for _, c, k, n in restarts]
        seen["others"] = [(c, k) for _, c, k in dropouts.recorded()]
        dropouts.reset()
        return seen
    yield take
    dropouts.reset()


def silence(frames):
    return np.zeros((frames, 2), dtype=np.int16)


def joined(*parts):
    return np.concatenate(parts + (silence(960),))


def test_the_audio_in_full_is_heard_in_full(written, recorded):
    heard, glitches, departure = analysis.follow_written(
        joined(written), written)
    assert (heard, glitches, departure) == (FRAMES, [], None)
    assert recorded() == {"restarts": [], "others": []}


def test_a_hole_is_stepped_over_and_recorded(written, recorded):
    captured = joined(written[:AT], silence(100), written[AT + 100:])
    heard, _, departure = analysis.follow_written(captured, written)
    assert (heard, departure) == (FRAMES, None)
    assert recorded()["others"] == [(AT, 100)]


def test_a_dry_gap_needs_a_dry_period(written, recorded):
    captured = joined(written[:AT], silence(480), written[AT:])
    heard, _, departure = analysis.follow_written(captured, written)
    assert (heard, departure) == (AT, AT), "a gap read without dry_period"
    heard, _, departure = analysis.follow_written(captured, written,
                                                  dry_period=480)
    assert (heard, departure) == (FRAMES, None)
    assert recorded()["others"] == [(AT, 480)]


def test_a_gap_of_a_part_of_a_period_is_a_departure(written, recorded):
    captured = joined(written[:AT], silence(300), written[AT:])
    heard, _, departure = analysis.follow_written(captured, written,
                                                  dry_period=480)
    assert (heard, departure) == (AT, AT)
    recorded()


def test_a_restart_skips_at_most_what_the_player_counted(written, recorded):
    captured = joined(written[:AT], silence(300), written[AT + 120:])
    heard, _, departure = analysis.follow_written(
        captured, written, dry_period=480, dropped=120)
    assert (heard, departure) == (FRAMES, None)
    assert recorded() == {"restarts": [(AT, 300, 120)], "others": []}

    heard, _, departure = analysis.follow_written(
        captured, written, dry_period=480, dropped=60)
    assert (heard, departure) == (AT, AT), "a skip past the count accepted"
    recorded()


def test_a_skip_past_the_count_is_a_hole_only_when_allowed(written, recorded):
    captured = joined(written[:AT], silence(300), written[AT + 120:])
    heard, _, departure = analysis.follow_written(
        captured, written, dry_period=480, dropped=60, uncounted_losses=True)
    assert (heard, departure) == (FRAMES, None)
    assert recorded() == {"restarts": [(AT, 300, 60)],
                          "others": [(AT + 300 - 60, 60)]}


def test_a_dry_gap_ending_in_a_hole_only_when_allowed(written, recorded):
    captured = joined(written[:AT], silence(480 + 200), written[AT + 200:])
    heard, _, departure = analysis.follow_written(captured, written,
                                                  dry_period=480)
    assert (heard, departure) == (AT, AT)
    heard, _, departure = analysis.follow_written(
        captured, written, dry_period=480, uncounted_losses=True)
    assert (heard, departure) == (FRAMES, None)
    assert sorted(recorded()["others"]) == [(AT, 480), (AT + 480, 200)]


def test_audio_that_was_not_written_is_a_departure(written, recorded):
    stranger = written[::-1].copy()
    captured = joined(written[:AT], stranger[:500], written[AT:])
    heard, _, departure = analysis.follow_written(captured, written,
                                                  dry_period=480, dropped=120)
    assert (heard, departure) == (AT, AT)
    assert recorded() == {"restarts": [], "others": []}


def test_frames_played_twice_are_a_departure(written, recorded):
    captured = joined(written[:AT], written[AT - 200:])
    heard, _, departure = analysis.follow_written(captured, written)
    assert (heard, departure) == (AT, AT)
    recorded()
