"""(k) The AudioCast library from JavaScript: runs test_gjs.js with gjs
against the private PulseAudio server, and checks with a capture that the
player's tone was heard on the speaker."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import analysis
from audiocast_pkg import REPO
from captures import Capture
from sound_servers import SPEAKER

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")

SCRIPT = Path(__file__).with_name("test_gjs.js")


def test_gjs():
    gjs = shutil.which("gjs")
    if gjs is None:
        pytest.skip("gjs is not installed (Debian package gjs)")
    env = dict(os.environ)
    gir = str(REPO / "build" / "gir")
    env.setdefault("GI_TYPELIB_PATH", gir)
    env["LD_LIBRARY_PATH"] = ":".join(
        p for p in (env.get("LD_LIBRARY_PATH"), gir) if p)
    with Capture(SPEAKER) as cap:
        r = subprocess.run([gjs, str(SCRIPT)], env=env, capture_output=True,
                           text=True, timeout=120)
        cap.stop(settle=0.2)
    print(r.stdout)
    print(r.stderr)
    assert r.returncode == 0, r.stderr or r.stdout
    assert "not ok" not in r.stdout
    for noise in ("CRITICAL", "WARNING", "ALSA lib"):
        assert noise not in r.stderr, r.stderr
    assert r.stdout.count("ok ") >= 15, r.stdout
    heard = int(analysis.nonsilent_mask(cap.data).sum())
    assert abs(heard - 24000) <= 480, f"{heard} frames heard, expected 24000"
