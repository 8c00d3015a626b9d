"""(a) Device selection: exact sink name first, then a case-insensitive part
of a name or description; unknown devices fail with a listing."""

import time

import pytest

import analysis
import audio_signals
import audiocast_pkg
import sound_servers
from appsrc_player import Player
from captures import Capture
from gstreamer import Gst
from sound_servers import SPEAKER, VIRTUAL_MIC

pytestmark = pytest.mark.usefixtures("cast_plugin", "pulse_log")

TONE_S = 0.4


def play_and_capture(device, extra_sink=None):
    """Plays a 0.4 s tone on ``device`` while recording every sink's monitor.

    Returns (captures by sink name, sink index the stream was on)."""
    specs = [SPEAKER, VIRTUAL_MIC] + ([extra_sink] if extra_sink else [])
    caps = {s.name: Capture(s) for s in specs}
    for c in caps.values():
        c.start()
    try:
        props = {} if device is None else {"device": device}
        with Player(**props) as p:
            p.start()
            p.write(audio_signals.sine(440, TONE_S))
            # the stream exists while its audio plays
            deadline = time.monotonic() + 5
            inputs = []
            while not inputs and time.monotonic() < deadline:
                # pipewire-pulse lists a new stream before it is linked
                inputs = [i for i in sound_servers.sink_inputs()
                          if i[1] != sound_servers.PA_INVALID_INDEX]
                if not inputs:
                    time.sleep(0.01)
            ok, _ = p.drain(10_000_000)
            assert ok, "drain returned FALSE"
    finally:
        for c in caps.values():
            c.stop(settle=0.05)
    return caps, inputs


def assert_played_on(target, caps, inputs):
    idx = sound_servers.sink_indices()
    assert inputs, "no playback stream appeared on the server"
    on = {s for _, s in inputs}
    assert on == {idx[target.name]}, (
        f"stream on sink(s) {on}, expected {target.name} ({idx[target.name]}); "
        f"sinks: {idx}")
    for name, c in caps.items():
        heard = int(analysis.nonsilent_mask(c.data).sum())
        if name == target.name:
            expected = TONE_S * target.rate
            period = 0.010 * target.rate
            assert abs(heard - expected) <= period, (
                f"{name}: {heard} non-silent frames, expected {expected:.0f}")
        else:
            assert heard == 0, f"{name} got {heard} frames of audio, expected silence"


@pytest.mark.parametrize("device,target", [
    ("speaker", SPEAKER),
    ("Virtual-Mic", VIRTUAL_MIC),
    ("virtual micro", VIRTUAL_MIC),   # part of "Virtual Microphone"
    ("SPEAKER OUT", SPEAKER),         # part of "Speaker Output"
    ("virtual-mic", VIRTUAL_MIC),     # name, other case
    (None, SPEAKER),                  # the server's default sink
])
def test_device_selection(device, target):
    caps, inputs = play_and_capture(device)
    assert_played_on(target, caps, inputs)


def test_exact_name_wins_over_substring():
    """With sinks "speaker" and "speaker-2" ("Speaker Output 2"), device
    "speaker" is the exact name and must not be ambiguous."""
    extra = sound_servers.SinkSpec("speaker-2", "float32le", 48000, 2, "Speaker Output 2")
    mod = sound_servers.pactl("load-module", "module-null-sink",
                       *sound_servers.null_sink_argv(extra)).strip()
    try:
        caps, inputs = play_and_capture("speaker", extra_sink=extra)
        assert_played_on(SPEAKER, caps, inputs)
        caps, inputs = play_and_capture("speaker-2", extra_sink=extra)
        assert_played_on(extra, caps, inputs)
    finally:
        sound_servers.pactl("unload-module", mod, check=False)


def test_unknown_device_fails_with_listing():
    p = Player(device="no-such-device-xyz")
    try:
        ret = p.pipeline.set_state(Gst.State.PLAYING)
        if ret != Gst.StateChangeReturn.FAILURE:
            ret, _, _ = p.pipeline.get_state(5 * Gst.SECOND)
        assert ret == Gst.StateChangeReturn.FAILURE, f"state change gave {ret}"
        m = p.bus.timed_pop_filtered(2 * Gst.SECOND, Gst.MessageType.ERROR)
        assert m is not None, "no ERROR message on the bus"
        err, dbg = m.parse_error()
        text = err.message
        print("error:", text, "| debug:", dbg)
        assert text.startswith("Device not found:"), text
        for name in ("speaker", "Virtual-Mic"):
            assert name in text, f"{name!r} not listed in {text!r}"
        assert not sound_servers.sink_inputs(), "a stream was opened anyway"
    finally:
        p.stop()


def test_a_given_pulsesink_is_probed_for_its_own_device():
    """audio-sink="pulsesink device=Virtual-Mic": audiocast converts to the
    format of the sink that pulsesink names (the server's own figures for
    it), not to the default sink's, and the tone plays there."""
    inner = Gst.ElementFactory.make("pulsesink", None)
    inner.set_property("device", VIRTUAL_MIC.name)
    wanted = {d["name"]: d for d in
              audiocast_pkg.audiocast.list_output_devices()}[VIRTUAL_MIC.name]
    with Capture(VIRTUAL_MIC) as cap, Capture(SPEAKER) as other:
        with Player(audio_sink=inner) as p:
            p.start()
            p.write(audio_signals.sine(440, TONE_S))
            ok, _ = p.drain(10_000_000)
            assert ok, "drain returned FALSE"
            caps = p.sink.get_by_name("device-format").get_property("caps")
        cap.stop(settle=0.05)
        other.stop()
    s = caps.get_structure(0)
    assert (s.get_value("rate"), s.get_value("channels")) == (
        wanted["sample_rate"], wanted["channels"]), (
        f"converted to {caps.to_string()}, the sink is "
        f"{wanted['sample_rate']} Hz, {wanted['channels']} channels")
    assert analysis.nonsilent_mask(cap.data).any(), "nothing on Virtual-Mic"
    assert not analysis.nonsilent_mask(other.data).any(), "the tone leaked"
