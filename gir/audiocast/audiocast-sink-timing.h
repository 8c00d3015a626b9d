/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* How AudioCastSink drives the platform sink it opened: the format to
 * convert to, the size of the platform sink's own buffer, the silence
 * opening a stream, when the device clock can be trusted, and the latency
 * a live pipeline must allow. Measured per server (PulseAudio, PipeWire's
 * pipewire-pulse) and per kind of stream; the reasons are next to each
 * figure in audiocast-sink-timing.c. Used by audiocast-sink.c only. */

#pragma once

#include <gst/gst.h>

#include "audiocast-sink.h"
#include "audiocast-pulse.h"

G_BEGIN_DECLS

typedef struct
{
  GstCaps *device_caps;         /* the device's own format; NULL: unknown */
  gboolean on_pipewire;         /* the server is pipewire-pulse */
  gboolean may_rewind;          /* its sink may rewind (AudioCastPulseDevice) */
  gboolean device_prebuffers;   /* see audio_cast_queue_set_device_prebuffers() */
  gboolean restart_when_dry;    /* see audio_cast_queue_set_restart_when_dry() */
  gboolean pace_pushes;         /* see audio_cast_queue_set_pace_pushes() */
  guint late_write_margin;      /* see audio_cast_queue_set_wait_for_late_writes() */
  gint64 device_buffer_us;      /* the platform sink's buffer-time */
  GstClockTime clock_lead;      /* see audio_cast_queue_set_clock_lead() */
  GstClockTime lead_in;         /* silence opening a new stream */
  GstClockTime restart_lead_in; /* and a restart after a flush */
  GstClockTime clock_settle_time;       /* see the queue's setter */
  /* How long after its running time a frame is heard at the least, for
   * live pipelines' latency. */
  GstClockTime device_latency;
} AudioCastSinkTiming;

/* Probes the device @sink plays on (for pulsesink: the sink @pulse_name,
 * else the one the element names, on @server; @probed, when given, is
 * what that sink's server said of it already) and fills @timing for
 * periods of @latency_us. @sync: the stream is a media pipeline's,
 * timestamped and synchronised (the element's sync property); @mode: the
 * element's latency-mode. */
void audio_cast_sink_timing_for (AudioCastSinkTiming *timing,
    GstElement *sink, const gchar *server, const gchar *pulse_name,
    const AudioCastPulseDevice *probed, gint64 latency_us, gboolean sync,
    AudioCastLatencyMode mode);
void audio_cast_sink_timing_clear (AudioCastSinkTiming *timing);

G_END_DECLS
