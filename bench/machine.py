"""Facts about the machine and software a benchmark ran on."""

import datetime
import os
import platform
import subprocess

from bench.server import REPO


def _run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              cwd=REPO).stdout.strip()
    except OSError:
        return ""


def _cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def facts():
    from gi.repository import Gst
    import pyaudio
    Gst.init(None)
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "commit": _run("git", "describe", "--always", "--dirty"),
        "cpu": f"{_cpu_model()}, {os.cpu_count()} cores",
        "load": "%.2f %.2f %.2f" % os.getloadavg(),
        "kernel": platform.release(),
        "gstreamer": Gst.version_string().replace("GStreamer ", ""),
        "pulseaudio": _run("pulseaudio", "--version").replace("pulseaudio ", ""),
        "pyaudio": f"{pyaudio.__version__} ({pyaudio.get_portaudio_version_text()})",
        "python": platform.python_version(),
    }


def server_facts():
    """Versions of the sound servers the per-server benchmarks start."""
    def version(*cmd):
        for line in _run(*cmd).splitlines():
            if line.startswith("Linked with") or "version" in line.lower():
                return line.split()[-1]
        return "unknown"
    return {"pipewire": version("pipewire", "--version"),
            "wireplumber": version("wireplumber", "--version")}
