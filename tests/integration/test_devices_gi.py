"""(i) The AudioCast library's device API through GObject introspection:
AudioCast.list_output_devices() and AudioCast.DeviceMonitor against the
private PulseAudio server's null sinks."""

import ctypes
import os
import re
import subprocess
import sys
import textwrap
import threading

import pytest

import gstreamer
import sound_servers
from audiocast_pkg import REPO
from sound_servers import SPEAKER, VIRTUAL_MIC

import gi

# Run by hand without the meson test environment: the build tree's typelib,
# and its library loaded by path so that GI's dlopen by soname finds it.
_GIR_DIR = REPO / "build" / "gir"
if "GI_TYPELIB_PATH" not in os.environ and _GIR_DIR.is_dir():
    os.environ["GI_TYPELIB_PATH"] = str(_GIR_DIR)
    ctypes.CDLL(str(_GIR_DIR / "libaudiocast-1.0.so.0"), mode=ctypes.RTLD_GLOBAL)

gi.require_version("AudioCast", "1.0")
from gi.repository import AudioCast, GLib, GObject  # noqa: E402

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")

WATCHDOG_S = 10


def by_name(devices):
    return {d.props.name: d for d in devices}


def test_list_finds_null_sinks():
    devices = AudioCast.list_output_devices()
    names = [d.props.name for d in devices]
    print("devices:", [(d.props.name, d.props.description, d.props.backend,
                        d.props.is_default, d.props.sample_rate,
                        d.props.channels) for d in devices])
    found = by_name(devices)
    assert SPEAKER.name in found and VIRTUAL_MIC.name in found, names

    speaker = found[SPEAKER.name]
    assert speaker.get_name() == "speaker"
    assert speaker.get_description() == "Speaker Output"
    assert speaker.get_backend() == "pulse"
    assert speaker.get_is_default() is True
    assert speaker.get_sample_rate() == 48000
    assert speaker.get_channels() == 2

    mic = found[VIRTUAL_MIC.name]
    assert mic.props.description == "Virtual Microphone"
    assert mic.props.backend == "pulse"
    assert mic.props.is_default is False
    assert mic.props.sample_rate == 22050
    assert mic.props.channels == 1


def test_list_order_default_first_then_by_name():
    extra = sound_servers.SinkSpec("aaa-extra", "s16le", 44100, 2, "An Extra Sink")
    mod = sound_servers.pactl("load-module", "module-null-sink",
                       *sound_servers.null_sink_argv(extra)).strip()
    try:
        names = [d.props.name for d in AudioCast.list_output_devices()]
    finally:
        sound_servers.pactl("unload-module", mod, check=False)
    # "aaa-extra" sorts before "speaker" by name, but the default comes first.
    assert names[0] == SPEAKER.name, names
    rest = names[1:]
    assert rest == sorted(rest, key=lambda n: (n.lower(), n)), names
    assert "aaa-extra" in rest


def test_devices_are_immutable():
    names = set()
    for pspec in AudioCast.Device.list_properties():
        names.add(pspec.name)
        assert pspec.flags & GObject.ParamFlags.CONSTRUCT_ONLY, pspec.name
        assert pspec.flags & GObject.ParamFlags.READABLE, pspec.name
    assert names >= {"name", "description", "backend", "is-default",
                     "sample-rate", "channels"}, names


def test_list_prints_nothing():
    """No "ALSA lib ..." or JACK chatter on stderr from probing."""
    code = textwrap.dedent("""
        import gi
        gi.require_version("AudioCast", "1.0")
        from gi.repository import AudioCast
        print(len(AudioCast.list_output_devices()))
    """)
    env = dict(os.environ)
    env.pop("AUDIOCAST_LOG", None)
    env.pop("GST_DEBUG", None)
    r = subprocess.run([sys.executable, "-c", code], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip()) >= 2
    assert r.stderr == "", f"stderr: {r.stderr!r}"


def test_list_without_server_prints_nothing(tmp_path):
    """Without any sound server: an empty or ALSA-only list, and no noise."""
    code = textwrap.dedent("""
        import gi
        gi.require_version("AudioCast", "1.0")
        from gi.repository import AudioCast
        print([d.props.backend for d in AudioCast.list_output_devices()])
    """)
    env = dict(os.environ)
    env.pop("AUDIOCAST_LOG", None)
    env.pop("GST_DEBUG", None)
    env["PULSE_SERVER"] = f"unix:{tmp_path / 'no-such-socket'}"
    r = subprocess.run([sys.executable, "-c", code], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "pulse" not in r.stdout, r.stdout
    assert r.stderr == "", f"stderr: {r.stderr!r}"


class MonitorRun:
    """Runs a DeviceMonitor on ``context`` with a watchdog; records the
    signals and on which thread and context they came."""

    def __init__(self, context=None):
        self.context = context or GLib.MainContext.default()
        self.loop = GLib.MainLoop.new(self.context, False)
        self.events = []   # (kind, device, thread id, context owned)
        self.timed_out = False
        self.monitor = AudioCast.DeviceMonitor.new()
        self.monitor.connect("device-added", self._on, "added")
        self.monitor.connect("device-removed", self._on, "removed")
        self.waiting_for = None

    def _on(self, monitor, device, kind):
        self.events.append((kind, device, threading.get_ident(),
                            self.context.is_owner()))
        if self.waiting_for and self.waiting_for(kind, device):
            self.loop.quit()

    def run_until(self, predicate, timeout=WATCHDOG_S):
        """Iterates the loop until a signal satisfies ``predicate``."""
        self.waiting_for = predicate
        self.timed_out = False

        def watchdog(*_):
            self.timed_out = True
            self.loop.quit()
            return GLib.SOURCE_REMOVE

        src = GLib.timeout_source_new(int(timeout * 1000))
        src.set_callback(watchdog)
        src.attach(self.context)
        self.loop.run()
        src.destroy()
        self.waiting_for = None
        assert not self.timed_out, (
            f"no matching signal within {timeout}s; got "
            f"{[(k, d.props.name) for k, d, _, _ in self.events]}")

    def iterate_for(self, seconds):
        def stop(*_):
            self.loop.quit()
            return GLib.SOURCE_REMOVE
        src = GLib.timeout_source_new(int(seconds * 1000))
        src.set_callback(stop)
        src.attach(self.context)
        self.loop.run()


def load_hotplug(name, rate=32000, channels=1):
    spec = sound_servers.SinkSpec(name, "s16le", rate, channels, "Hotplug Test Sink")
    return sound_servers.pactl("load-module", "module-null-sink",
                        *sound_servers.null_sink_argv(spec)).strip()


def test_monitor_reports_present_devices_on_start():
    run = MonitorRun()
    run.monitor.start()
    try:
        seen = set()

        def both(kind, device):
            seen.add(device.props.name)
            return {SPEAKER.name, VIRTUAL_MIC.name} <= seen
        run.run_until(both)
    finally:
        run.monitor.stop()
    added = {d.props.name: d for k, d, _, _ in run.events if k == "added"}
    assert added[SPEAKER.name].props.is_default
    assert added[VIRTUAL_MIC.name].props.sample_rate == 22050


def test_monitor_hotplug_on_main_context():
    main_thread = threading.get_ident()
    run = MonitorRun()
    run.monitor.start()
    mod = None
    try:
        # The present devices first, so the hotplug events are the new ones.
        seen = set()
        run.run_until(lambda k, d: seen.add(d.props.name)
                      or {SPEAKER.name, VIRTUAL_MIC.name} <= seen)
        before = len(run.events)

        mod = load_hotplug("hotplug-gi")
        run.run_until(lambda k, d: k == "added" and d.props.name == "hotplug-gi")
        sound_servers.pactl("unload-module", mod)
        mod = None
        run.run_until(lambda k, d: k == "removed" and d.props.name == "hotplug-gi")
    finally:
        run.monitor.stop()
        if mod:
            sound_servers.pactl("unload-module", mod, check=False)

    new = [(k, d) for k, d, _, _ in run.events[before:]
           if d.props.name == "hotplug-gi"]
    assert [k for k, _ in new] == ["added", "removed"], new
    added = new[0][1]
    assert added.props.description == "Hotplug Test Sink"
    assert added.props.backend == "pulse"
    assert added.props.sample_rate == 32000
    assert added.props.channels == 1
    assert added.props.is_default is False
    # The removal hands out the device as it was added.
    assert new[1][1].props.sample_rate == 32000
    for kind, device, thread, owned in run.events:
        assert thread == main_thread, f"{kind} {device.props.name} off the main thread"
        assert owned, f"{kind} {device.props.name} not dispatched by the main context"


def test_monitor_reports_default_change():
    """device-changed carries (new, old) snapshots. GStreamer 1.22's pulse
    provider notices a new default sink only at the next sink event, so a
    hotplug follows the switch."""
    run = MonitorRun()
    changed = []
    run.monitor.connect("device-changed",
                        lambda m, new, old: changed.append((new, old)))
    run.monitor.start()
    mod = None
    try:
        seen = set()
        run.run_until(lambda k, d: seen.add(d.props.name)
                      or {SPEAKER.name, VIRTUAL_MIC.name} <= seen)
        sound_servers.pactl("set-default-sink", VIRTUAL_MIC.name)
        mod = load_hotplug("hotplug-default")
        run.run_until(lambda k, d: k == "added" and d.props.name == "hotplug-default")
        run.iterate_for(0.2)
    finally:
        run.monitor.stop()
        sound_servers.pactl("set-default-sink", SPEAKER.name)
        if mod:
            sound_servers.pactl("unload-module", mod, check=False)
    now = {new.props.name: (new, old) for new, old in changed}
    print([(n.props.name, n.props.is_default, o.props.is_default)
           for n, o in changed])
    assert VIRTUAL_MIC.name in now, "no device-changed for the new default"
    new, old = now[VIRTUAL_MIC.name]
    assert new.props.is_default and not old.props.is_default
    assert new.props.sample_rate == 22050
    new, old = now[SPEAKER.name]
    assert old.props.is_default and not new.props.is_default


def test_monitor_uses_thread_default_context():
    """A monitor created under a pushed thread-default context emits there,
    on the thread that runs that context, not on the global default one."""
    result = {}
    ready = threading.Event()
    go = threading.Event()

    def worker():
        ctx = GLib.MainContext.new()
        ctx.push_thread_default()
        try:
            run = MonitorRun(ctx)
            run.monitor.start()
            seen = set()
            run.run_until(lambda k, d: seen.add(d.props.name)
                          or {SPEAKER.name, VIRTUAL_MIC.name} <= seen)
            ready.set()
            go.wait(WATCHDOG_S)
            run.run_until(lambda k, d: k == "added" and d.props.name == "hotplug-ctx")
            run.monitor.stop()
            result["run"] = run
            result["thread"] = threading.get_ident()
        except BaseException as e:  # reported by the main thread
            result["error"] = e
            ready.set()
        finally:
            ctx.pop_thread_default()

    t = threading.Thread(target=worker)
    t.start()
    assert ready.wait(WATCHDOG_S + 5)
    mod = None
    try:
        if "error" not in result:
            mod = load_hotplug("hotplug-ctx")
        go.set()
        t.join(WATCHDOG_S + 5)
    finally:
        go.set()
        if mod:
            sound_servers.pactl("unload-module", mod, check=False)
    if "error" in result:
        raise result["error"]
    run = result["run"]
    assert any(k == "added" and d.props.name == "hotplug-ctx"
               for k, d, _, _ in run.events)
    for kind, device, thread, owned in run.events:
        assert thread == result["thread"] and owned, (kind, device.props.name)


def test_two_monitors_and_listing_coexist():
    """Several monitors, listings and a monitor released while another runs
    (GStreamer 1.22 breaks the running one when any GstDeviceMonitor is
    disposed; the library shares one that never is)."""
    import gc
    main = MonitorRun()
    main.monitor.start()
    mod = None
    try:
        seen = set()
        main.run_until(lambda k, d: seen.add(d.props.name)
                       or {SPEAKER.name, VIRTUAL_MIC.name} <= seen)
        other = MonitorRun()
        other.monitor.start()
        seen_other = set()
        other.run_until(lambda k, d: seen_other.add(d.props.name)
                        or {SPEAKER.name, VIRTUAL_MIC.name} <= seen_other)
        other.monitor.stop()
        del other
        gc.collect()
        assert len(AudioCast.list_output_devices()) >= 2
        temp = AudioCast.DeviceMonitor.new()
        del temp
        gc.collect()

        mod = load_hotplug("hotplug-coexist")
        main.run_until(lambda k, d: k == "added" and d.props.name == "hotplug-coexist")
        sound_servers.pactl("unload-module", mod)
        mod = None
        main.run_until(lambda k, d: k == "removed" and d.props.name == "hotplug-coexist")
    finally:
        main.monitor.stop()
        if mod:
            sound_servers.pactl("unload-module", mod, check=False)


def test_monitor_survives_playback_on_named_device(tmp_path):
    """audiocastsink looks its device up by name while a monitor runs."""
    wav = tmp_path / "beep.wav"
    p = gstreamer.Gst.parse_launch(
        "audiotestsrc num-buffers=5 samplesperbuffer=480 ! "
        f"audio/x-raw,rate=48000,channels=2 ! wavenc ! filesink location={wav}")
    p.set_state(gstreamer.Gst.State.PLAYING)
    p.get_bus().timed_pop_filtered(10 * gstreamer.Gst.SECOND,
                                   gstreamer.Gst.MessageType.EOS)
    p.set_state(gstreamer.Gst.State.NULL)

    run = MonitorRun()
    run.monitor.start()
    mod = None
    try:
        seen = set()
        run.run_until(lambda k, d: seen.add(d.props.name)
                      or {SPEAKER.name, VIRTUAL_MIC.name} <= seen)
        assert AudioCast.play_file(str(wav), "Virtual-Mic", None)
        mod = load_hotplug("hotplug-after-play")
        run.run_until(lambda k, d: k == "added" and d.props.name == "hotplug-after-play")
    finally:
        run.monitor.stop()
        if mod:
            sound_servers.pactl("unload-module", mod, check=False)


def test_monitor_stop_silences_signals():
    run = MonitorRun()
    run.monitor.start()
    seen = set()
    run.run_until(lambda k, d: seen.add(d.props.name)
                  or {SPEAKER.name, VIRTUAL_MIC.name} <= seen)
    run.monitor.stop()
    n = len(run.events)
    mod = load_hotplug("hotplug-stopped")
    try:
        run.iterate_for(0.5)
    finally:
        sound_servers.pactl("unload-module", mod, check=False)
    run.iterate_for(0.3)
    assert len(run.events) == n, [(k, d.props.name) for k, d, _, _ in run.events[n:]]

    # A restart reports what is present again.
    run.monitor.start()
    try:
        seen.clear()
        run.run_until(lambda k, d: seen.add(d.props.name)
                      or {SPEAKER.name, VIRTUAL_MIC.name} <= seen)
    finally:
        run.monitor.stop()


def test_monitor_without_server_fails_or_reports_nothing(tmp_path):
    """Starting without a sound server is an AudioCast error, or (when an
    ALSA provider starts) no PulseAudio device shows up."""
    code = textwrap.dedent("""
        import gi
        gi.require_version("AudioCast", "1.0")
        from gi.repository import AudioCast, GLib
        m = AudioCast.DeviceMonitor.new()
        try:
            m.start()
        except GLib.Error as e:
            assert e.matches(AudioCast.error_quark(), AudioCast.Error.BACKEND), e
            print("error:", e.message)
        else:
            print("started")
            m.stop()
    """)
    env = dict(os.environ)
    env["PULSE_SERVER"] = f"unix:{tmp_path / 'no-such-socket'}"
    r = subprocess.run([sys.executable, "-c", code], env=env,
                       capture_output=True, text=True, timeout=60)
    print(r.stdout, r.stderr)
    assert r.returncode == 0, r.stderr


def readme_log_levels():
    """The AUDIOCAST_LOG levels README.md documents."""
    readme = (REPO / "README.md").read_text()
    m = re.search(r"`AUDIOCAST_LOG=([a-z|]+)`", readme.replace("\n", " "))
    assert m, "README.md documents no AUDIOCAST_LOG levels"
    return m.group(1).split("|")


@pytest.mark.parametrize("level", readme_log_levels() + ["loud", "DEBUG"])
def test_log_levels_are_the_documented_ones(level):
    """Each level README.md lists turns logging on (a DEBUG line names
    audiocast at debug and trace); anything else is refused with the list,
    and the list is the documented one."""
    code = textwrap.dedent("""
        import gi
        gi.require_version("AudioCast", "1.0")
        from gi.repository import AudioCast
        AudioCast.Player.new("speaker", 48000, 2).stop()
    """)
    env = dict(os.environ)
    env.pop("GST_DEBUG", None)
    env["AUDIOCAST_LOG"] = level
    r = subprocess.run([sys.executable, "-c", code], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    documented = readme_log_levels()
    if level.lower() in documented:
        assert "is not one of" not in r.stderr, r.stderr
        if level.lower() in ("debug", "trace"):
            assert "audiocast" in r.stderr.lower(), "nothing was logged"
    else:
        assert f"AUDIOCAST_LOG={level} is not one of " \
            f"{', '.join(documented)}; ignored" in r.stderr, r.stderr


def test_looking_at_the_player_type_does_not_initialise_gstreamer():
    """Introspecting AudioCast.Player (its class: properties, signals) is no
    reason to initialise GStreamer behind the application's back; making a
    player is."""
    code = textwrap.dedent("""
        import gi
        gi.require_version("AudioCast", "1.0")
        gi.require_version("Gst", "1.0")
        from gi.repository import AudioCast, GObject, Gst
        names = [p.name for p in GObject.list_properties(AudioCast.Player)]
        assert "buffer-time" in names, names
        print(Gst.is_initialized())
        AudioCast.Player.new("speaker", 48000, 2).stop()
        print(Gst.is_initialized())
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "True"], r.stdout


def test_listing_in_a_forked_child_does_not_abort():
    """libpulse refuses a context in a child forked after the parent used
    it: the child's listing leaves the server out instead of aborting in
    pa_context_connect (which it did with the context unchecked)."""
    code = textwrap.dedent("""
        import os
        import gi
        gi.require_version("AudioCast", "1.0")
        from gi.repository import AudioCast
        assert len(AudioCast.list_output_devices()) >= 2
        pid = os.fork()
        if pid == 0:
            backends = [d.props.backend for d in AudioCast.list_output_devices()]
            os._exit(0 if "pulse" not in backends else 3)
        _, status = os.waitpid(pid, 0)
        print(status)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "0", f"child status {r.stdout} {r.stderr}"
