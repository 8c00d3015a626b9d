"""The promises on every sound server of the matrix (AUDIOCAST_TEST_SERVER:
PulseAudio with norewinds or with rewinds, PipeWire through pipewire-pulse),
and on a second server of the same kind reached over TCP on 127.0.0.1, as
a server on another machine would be:

* devices: each sink listed once, the default flagged, the server's format;
  an inexact name selects the same sink and the same path as the exact one;
* drain-then-stop loses no frame, and nothing of a stream's head is lost;
* clear: the heard count is never more than what was captured and within
  one period of it, and no old audio comes back after a gap;
* an address nobody answers on fails with an error naming it, within the
  lookup's 2 s.

Tolerances come from the server's period (sound_servers: ``period_frames``).
"""

import socket
import subprocess
import sys
import textwrap
import threading
import time
import wave

import numpy as np
import pytest

import analysis
import audio_signals
import audiocast_pkg
import dropouts
import sound_servers
from audiocast_pkg import audiocast
from captures import Capture
from gstreamer import Gst
from sound_servers import SPEAKER, VIRTUAL_MIC

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")

RATE = 48000
DRAIN_RUNS = 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    """A second private server of the session's kind, listening on TCP on
    127.0.0.1 only."""
    kind = sound_servers.server_kind_from_env()
    port = free_port()
    server = sound_servers.make_server(kind, tmp_path_factory.mktemp("remote"),
                                tcp_port=port)
    server.start()
    yield server
    server.stop()


def server_sinks(server=None):
    """name -> (format, channels, rate) as the server's pactl lists it."""
    out = {}
    for line in sound_servers.pactl("list", "short", "sinks",
                             server=server).splitlines():
        f = line.split("\t")
        if len(f) >= 4:
            fmt, ch, rate = f[3].split()
            out[f[1]] = (fmt, int(ch.rstrip("ch")), int(rate.rstrip("Hz")))
    return out


# -------------------------------------------------------------------------
# Devices
# -------------------------------------------------------------------------

def check_listing(devices, server=None):
    names = [d["name"] for d in devices]
    assert sorted(names) == sorted(server_sinks(server)), devices
    assert len(set(names)) == len(names), f"a sink listed twice: {names}"
    assert [d["name"] for d in devices if d["is_default"]] == [SPEAKER.name]
    assert all(d["type"] == "pulse" for d in devices), devices
    for d in devices:
        _, channels, rate = server_sinks(server)[d["name"]]
        assert (d["sample_rate"], d["channels"]) == (rate, channels), d
    assert {d["name"]: d["description"] for d in devices} == {
        SPEAKER.name: SPEAKER.description,
        VIRTUAL_MIC.name: VIRTUAL_MIC.description}


def test_each_sink_is_listed_once_with_the_servers_format():
    check_listing(audiocast.list_output_devices())


def server_sources(server=None):
    """name -> (channels, rate, the sink it monitors or None), as the
    server's pactl lists its sources."""
    out, name = {}, None
    for line in sound_servers.pactl("list", "sources",
                                    server=server).splitlines():
        key, _, value = line.strip().partition(": ")
        if key == "Name":
            name = value
        elif key == "Sample Specification" and name:
            _, ch, rate = value.split()
            out[name] = [int(ch.rstrip("ch")), int(rate.rstrip("Hz")), None]
        elif key == "Monitor of Sink" and name in out:
            out[name][2] = None if value == "n/a" else value
    return {k: tuple(v) for k, v in out.items()}


def check_input_listing(devices, server=None):
    sources = server_sources(server)
    names = [d["name"] for d in devices]
    assert sorted(names) == sorted(sources), devices
    assert len(set(names)) == len(names), f"a source listed twice: {names}"
    assert [d["index"] for d in devices] == list(range(len(devices)))
    for d in devices:
        assert set(d) == {"name", "index", "type", "description", "is_default",
                          "sample_rate", "channels", "is_monitor"}, d
        channels, rate, monitor_of = sources[d["name"]]
        assert (d["type"], d["sample_rate"], d["channels"], d["is_monitor"]) \
            == ("pulse", rate, channels, monitor_of is not None), d
    # every output can be recorded through its monitor
    monitors = {sources[d["name"]][2] for d in devices if d["is_monitor"]}
    assert monitors >= set(server_sinks(server)), devices
    defaults = [d for d in devices if d["is_default"]]
    assert len(defaults) <= 1 and (not defaults or devices[0] is defaults[0]), \
        devices


def test_inputs_are_the_servers_sources_with_the_monitors_flagged():
    check_input_listing(audiocast.list_input_devices())
    # outputs keep their keys
    assert all("is_monitor" not in d for d in audiocast.list_output_devices())


def test_an_input_that_is_no_monitor():
    """A source of its own (a remapped monitor stands in for a microphone:
    no sound card here) is listed as no monitor."""
    module = sound_servers.pactl(
        "load-module", "module-remap-source", f"master={SPEAKER.name}.monitor",
        "source_name=test-microphone").strip()
    try:
        devices = audiocast.list_input_devices()
        check_input_listing(devices)
        mic = [d for d in devices if d["name"] == "test-microphone"]
        assert len(mic) == 1 and mic[0]["is_monitor"] is False, devices
    finally:
        sound_servers.pactl("unload-module", module)


def test_cli_lists_inputs():
    r = subprocess.run([sys.executable, "-m", "audiocast", "devices", "--input"],
                       env=audiocast_pkg.child_env(), capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert f"{SPEAKER.name}.monitor (pulse)" in r.stdout, r.stdout
    assert ", monitor" in r.stdout, r.stdout


def chosen_path(device, server=None):
    """(factory of the element that plays, the sink it plays on) for an
    audiocastsink given ``device``, once READY."""
    sink = Gst.ElementFactory.make("audiocastsink", None)
    sink.set_property("device", device)
    if server:
        sink.set_property("server", server)
    assert sink.set_state(Gst.State.READY) == Gst.StateChangeReturn.SUCCESS
    try:
        it = sink.iterate_elements()
        while True:
            res, child = it.next()
            if res != Gst.IteratorResult.OK:
                break
            factory = child.get_factory().get_name()
            if factory not in ("audioconvert", "audioresample", "capsfilter") \
                    and child.get_name() != "ring":
                return factory, child.get_property("device")
    finally:
        sink.set_state(Gst.State.NULL)
    raise AssertionError("no device sink in the bin")


@pytest.mark.parametrize("inexact,exact", [
    ("speak", SPEAKER.name), ("SPEAKER OUT", SPEAKER.name),
    ("virtual-mic", VIRTUAL_MIC.name), ("Microphone", VIRTUAL_MIC.name)])
def test_inexact_names_choose_the_same_sink_and_path(inexact, exact):
    assert chosen_path(inexact) == chosen_path(exact) == ("pulsesink", exact)


def test_no_crash_from_device_providers_over_2000_opens_and_listings():
    """With gstreamer1.0-pipewire installed (its device provider used to
    crash the process when stopped), in a child process so that a crash is
    a failure and not the end of the session."""
    code = textwrap.dedent("""
        import audiocast
        from gi.repository import AudioCast, GLib
        for i in range(2000):
            name = ("speak", "Virtual-Mic", "microphone")[i % 3]
            p = AudioCast.Player.new(name, 0, 0)
            p.stop()
            assert len(audiocast.list_output_devices()) == 2
        for i in range(100):
            m = AudioCast.DeviceMonitor.new()
            m.start()
            m.stop()
        print("ok")
    """)
    r = subprocess.run([sys.executable, "-c", code], env=audiocast_pkg.child_env(),
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and r.stdout.strip() == "ok", (
        f"exit {r.returncode}: {r.stderr[-3000:]}")


# -------------------------------------------------------------------------
# Sound: drain-then-stop, head, clear
# -------------------------------------------------------------------------

def address(server):
    """The address to pass as ``server=``: None for the session's server."""
    return server.tcp_address if server is not None else None


def play_drain_stop(x, server=None, sink=SPEAKER):
    """The PyAudioCast pattern: write, drain, leave the block (stop)."""
    with Capture(sink, server=server) as cap:
        with audiocast.AudioPlayer(sink.name, RATE, 2,
                                   server=address(server)) as p:
            p.write(x)
            assert p.drain() is True
        cap.stop(settle=0.15)
    return cap.data


def check_drain_then_stop(server=None):
    for run in range(DRAIN_RUNS):
        x = audio_signals.noise(0.25, RATE, 2, amplitude=0.5, seed=100 + run)
        data = play_drain_stop(x, server)
        start = analysis.first_nonzero(data)
        assert start is not None, f"run {run}: nothing captured"
        head = analysis.find_exact(x, data[start:start + 1])
        lost_head = head[0] if head else len(x)
        assert lost_head == 0, f"run {run}: the first {lost_head} frames were lost"
        heard, glitches, bad = analysis.follow_written(
            data[start:], x, f"run {run}")
        assert bad is None, f"run {run}: the audio was changed at {bad}"
        if glitches:
            print(f"run {run}: server xruns stepped over: {glitches}")
        lost_tail = len(x) - heard
        if glitches and 0 < lost_tail <= dropouts.MAX_HOLE_FRAMES:
            # The stall that made the server skip late quanta in the middle
            # can make it skip the last ones too, written after its read
            # position had passed them: a hole at the end, which sounds
            # like a drain that returned early and is the server's.
            dropouts.record(f"run {run}: the end", start + heard, lost_tail)
            continue
        assert lost_tail == 0, (
            f"run {run}: {lost_tail} frames of {len(x)} lost at the "
            "end: drain returned before the audio was heard")


def test_drain_then_stop_loses_nothing():
    check_drain_then_stop()


def check_clear(server=None):
    period = sound_servers.period_frames(RATE, server)
    old = audio_signals.noise(3.0, RATE, 2, amplitude=0.5, seed=41)
    new = audio_signals.noise(0.3, RATE, 2, amplitude=0.25, seed=42)
    with Capture(SPEAKER, server=server) as cap:
        with audiocast.AudioPlayer("speaker", RATE, 2, buffer_time=4.0,
                                   server=address(server)) as p:
            p.write(old)
            deadline = time.monotonic() + 15
            while p.frames_played < RATE // 2:
                assert time.monotonic() < deadline, "0.5 s was never heard"
                time.sleep(0.002)
            heard = p.clear()
            p.write(new)
            assert p.drain(10.0) is True
        cap.stop(settle=0.15)
    data = cap.data
    start = analysis.first_nonzero(data)
    hits = analysis.find_exact(data, new[:64], start)
    assert len(hits) == 1, f"the new audio was found {len(hits)} times"
    # the old audio up to the new: an exact prefix of what was written
    # (the server's own xruns and dropouts stepped over), then silence
    n_old, glitches, bad = analysis.follow_written(
        data[start:hits[0]], old, "the old audio")
    print(f"clear said {heard} frames heard; {n_old} captured "
          f"({(n_old - heard) / RATE * 1e3:+.2f} ms); period {period} frames;"
          f" server xruns stepped over: {glitches}")
    assert bad is None, (
        f"the old audio was not an exact prefix of what was written: it "
        f"departs at capture offset {bad}, after {n_old} frames")
    assert heard <= n_old, f"clear said {heard} frames heard, only {n_old} were"
    assert n_old - heard <= period, (
        f"{n_old - heard} frames heard past what clear() reported "
        f"(one period: {period})")
    analysis.assert_heard_exactly(data[hits[0]:], new, "the new audio")


def test_clear_heard_count_and_tail():
    check_clear()


# -------------------------------------------------------------------------
# A server on another machine (TCP on 127.0.0.1)
# -------------------------------------------------------------------------

def test_remote_listing(remote):
    check_listing(audiocast.list_output_devices(server=remote.tcp_address),
                  server=remote)
    check_input_listing(audiocast.list_input_devices(server=remote.tcp_address),
                        server=remote)
    assert chosen_path("speak", remote.tcp_address) == ("pulsesink",
                                                        SPEAKER.name)


def test_remote_bit_exact_and_drain_then_stop(remote):
    check_drain_then_stop(remote)


def test_remote_clear(remote):
    check_clear(remote)


def write_wav(path, seconds):
    """A 16-bit stereo WAV of noise at RATE; returns its frames."""
    clip = audio_signals.noise(seconds, RATE, 2, amplitude=0.5, seed=44)
    pcm = np.round(clip * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return pcm


def test_remote_play_file(remote, tmp_path):
    """play_file(server=) plays on that server, exactly, and to its end."""
    path = tmp_path / "clip.wav"
    pcm = write_wav(path, 0.5)
    with Capture(SPEAKER, server=remote) as cap, \
            Capture(SPEAKER) as local:
        audiocast.play_file(path, device="speaker", server=remote.tcp_address)
        cap.stop(settle=0.1)
        local.stop(settle=0.05)
    assert not analysis.nonsilent_mask(local.data).any(), \
        "the file played on the default server, not on the one named"
    data = cap.data
    start = analysis.first_nonzero(data)
    assert start is not None, "nothing was heard on the remote server"
    heard = data[start:analysis.last_nonzero(data) + 1]
    assert np.array_equal(heard, pcm.astype(np.float32) / 32768), (
        f"{len(heard)} frames heard of {len(pcm)}, or not exact")


def test_unreachable_address_fails_naming_it(tmp_path):
    address = f"tcp:127.0.0.1:{free_port()}"  # nobody listens there
    write_wav(tmp_path / "clip.wav", 0.1)
    with pytest.raises(audiocast.BackendError, match=address):
        audiocast.list_output_devices(server=address)
    with pytest.raises(audiocast.BackendError, match=address):
        audiocast.list_input_devices(server=address)
    with pytest.raises(audiocast.BackendError, match=address):
        audiocast.AudioPlayer(server=address)
    with pytest.raises(audiocast.BackendError, match=address):
        audiocast.AudioPlayer(device="speaker", server=address)
    with pytest.raises(audiocast.BackendError, match=address):
        audiocast.play_file(tmp_path / "clip.wav", server=address)


def test_silent_server_fails_within_the_lookup_bound():
    """A listener that accepts and never answers: the 2 s bound of the
    lookup, not TCP's own timeouts, ends the wait."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    address = f"tcp:127.0.0.1:{listener.getsockname()[1]}"
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                pass
    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        for call in (lambda: audiocast.list_output_devices(server=address),
                     lambda: audiocast.AudioPlayer(device="speaker",
                                                   server=address)):
            t0 = time.monotonic()
            with pytest.raises(audiocast.BackendError, match=address):
                call()
            took = time.monotonic() - t0
            print(f"failed after {took:.2f} s")
            assert took < 2.0 + 0.5, f"the call took {took:.2f} s"
    finally:
        stop.set()
        t.join()
        for c in accepted:
            c.close()
        listener.close()


@pytest.mark.parametrize("server, exc, text", [
    (b"tcp:127.0.0.1:4713", TypeError, "server must be a str .* not bytes"),
    (4713, TypeError, "server must be a str .* not int"),
    ("tcp:127.0.0.1\0:4713", ValueError, "contains a NUL character"),
])
def test_bad_server_arguments(server, exc, text):
    with pytest.raises(exc, match=text):
        audiocast.AudioPlayer(server=server)
    with pytest.raises(exc, match=text):
        audiocast.list_output_devices(server=server)
    with pytest.raises(exc, match=text):
        audiocast.play_file("chime.wav", server=server)
