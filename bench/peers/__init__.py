"""The players under test, one module each, all with the same small API:

``Peer(device, buffer_seconds)`` opens the output (audiocast and appsrc also
take ``server=``, a PulseAudio protocol address other than the default
server's; audiocast and PyAudio ``low_latency=True``, their lowest-latency
setting); ``prepare(chunk)`` turns a float32 bytes chunk into what that
library's users pass (outside any timing); ``write(data)`` blocks until the
library took it; ``clear()`` is the library's barge-in, called from another
thread (audiocast's returns the frames it counted as heard, the others None);
``finish()`` waits until what was written was played, as far as the library
can tell; ``close()``.

A peer module imports only its own library, so that the start-up, CPU and RSS
of a peer's process are its own.
"""

import importlib

NAMES = ("audiocast", "pyaudio", "appsrc")
LABELS = {"audiocast": "audiocast", "pyaudio": "PyAudio",
          "appsrc": "appsrc ! pulsesink"}


def load(name):
    if name not in NAMES:
        raise ValueError(f"unknown peer {name!r}; one of {', '.join(NAMES)}")
    return importlib.import_module(f"bench.peers.{name}_peer").Peer
