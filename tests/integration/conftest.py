"""Session setup for the audiocastsink integration tests.

Starts a private sound server (temporary HOME / XDG_RUNTIME_DIR, no
autospawn, its own socket) with two null sinks, points every PulseAudio
client of this process and its children at it, isolates the GStreamer
registry and loads the plugin from the build tree.

The server is the one AUDIOCAST_TEST_SERVER names (sound_servers.py):
``pulse`` (PulseAudio, norewinds null sinks; the default),
``pulse-rewinds`` (PulseAudio, null sinks with the default options) or
``pipewire`` (PipeWire + WirePlumber + pipewire-pulse).
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

import dropouts
import sound_servers
from gstreamer import Gst

REPO = Path(__file__).resolve().parents[2]


def plugin_dir():
    return os.environ.get("AUDIOCAST_PLUGIN_DIR") or str(REPO / "build" / "gst-plugin")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test that passed all its checks but heard holes a server played in
    place of late audio (dropouts.py) is reported as an expected failure
    naming them: the machine stalled, the sink did what it should."""
    outcome = yield
    report = outcome.get_result()
    if call.when == "setup":
        dropouts.reset()
    elif call.when == "call" and report.passed and dropouts.recorded():
        report.outcome = "skipped"
        report.wasxfail = dropouts.reason()
    elif call.when == "call" and report.failed and _runs_again(item):
        _record_anew(item)


def _runs_again(item):
    """Whether --reruns will run this failed test again."""
    reruns = item.config.getoption("reruns", 0) or 0
    return getattr(item, "execution_count", 1) <= reruns


def _record_anew(item):
    """A module that records once and judges the recording in several tests
    names that fixture in RECORDED_ONCE (module-scoped). pytest-rerunfailures
    keeps a module's fixtures across a rerun, so a test that failed on such
    a recording would be judged again on the very same audio and fail the
    same way: the rerun is there for a machine that stalled while it
    recorded. So the recording is dropped and the rerun makes a new one (the
    module's later tests judge that one too)."""
    defs = item._fixtureinfo.name2fixturedefs
    for name in getattr(item.module, "RECORDED_ONCE", ()):
        for fixturedef in defs.get(name, ()):
            fixturedef.cached_result = None


def pytest_runtest_logreport(report):
    """A test that failed and runs again (--reruns) says why it failed, on
    one line that tools/test-summary puts beside its "rerun:" entry: the
    second run's pass would otherwise hide the first one's failure."""
    if report.outcome != "rerun":
        return
    crash = getattr(report.longrepr, "reprcrash", None)
    why = crash.message if crash is not None else str(report.longrepr)
    why = " ".join(why.split())[:300]
    reporter = _config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"rerun reason: {report.nodeid}: {why}")


_config = None


def pytest_configure(config):
    global _config
    _config = config


@pytest.fixture(scope="session", autouse=True)
def pulse_server():
    root = Path(tempfile.mkdtemp(prefix="audiocast-it-"))
    saved = dict(os.environ)
    server = sound_servers.make_server(sound_servers.server_kind_from_env(), root)
    try:
        os.environ.update(server.env())
        os.environ.pop("PULSE_SINK", None)
        os.environ.pop("PULSE_SOURCE", None)
        # ALSA path tests: named PCMs through the pulse ALSA plugin, read
        # from the private HOME's ~/.asoundrc by the system's alsa.conf.
        server.home.mkdir(parents=True, exist_ok=True)
        (server.home / ".asoundrc").write_text(
            "pcm.audiocast_speaker {\n  type pulse\n  device \"speaker\"\n}\n"
            "pcm.audiocast_mic {\n  type pulse\n  device \"Virtual-Mic\"\n}\n")
        # GStreamer: own registry, plugin from the build tree.
        os.environ["GST_REGISTRY_1_0"] = str(root / "registry.bin")
        os.environ["GST_PLUGIN_PATH_1_0"] = plugin_dir()
        os.environ.pop("GST_PLUGIN_PATH", None)
        server.start()
        Gst.init(None)
        yield server
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def cast_plugin(pulse_server):
    """Fails (not skips) the test when the element cannot be loaded."""
    factory = Gst.ElementFactory.find("audiocastsink")
    if factory is None:
        d = plugin_dir()
        listing = sorted(os.listdir(d)) if os.path.isdir(d) else "missing"
        pytest.fail(f"audiocastsink not found; plugin dir {d}: {listing}")
    return factory


@pytest.fixture
def pulse_log(pulse_server):
    """Attach the daemon's log to a failing test's output."""
    start = len(pulse_server.log_text())
    yield
    text = pulse_server.log_text()[start:]
    died = pulse_server.proc is not None and pulse_server.proc.poll() is not None
    if died or "E: " in text or "W: " in text:
        state = (f" (the server exited, status {pulse_server.proc.returncode})"
                 if died else "")
        if died:  # all of it: what it said before it went may be earlier
            text = pulse_server.log_text()
        print(f"---- pulseaudio log{state} ----\n" + text[-4000:])
