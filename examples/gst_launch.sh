#!/bin/sh
# audiocastsink in gst-launch lines: a tone, then a file through playbin.
#
#   examples/gst_launch.sh [FILE] [DEVICE]
# FILE: a sound file (default: none, the tone only); DEVICE: a sink name.
set -e
DEVICE=${2:+device=$2}

gst-launch-1.0 -q audiotestsrc num-buffers=50 freq=440 ! audiocastsink $DEVICE

if [ -n "$1" ]; then
  gst-launch-1.0 -q playbin uri="file://$(realpath "$1")" \
    audio-sink="audiocastsink $DEVICE"
fi
