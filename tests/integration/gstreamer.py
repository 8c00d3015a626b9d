"""GStreamer through GObject introspection, at the versions the tests use
(``from gstreamer import Gst``; conftest.py calls Gst.init)."""

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
from gi.repository import Gst, GstApp  # noqa: E402,F401



__all__ = ["Gst", "GstApp"]
