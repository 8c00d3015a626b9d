/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#if !defined(AUDIOCAST_INSIDE) && !defined(AUDIOCAST_COMPILATION)
#error "Only <audiocast/audiocast.h> can be included directly."
#endif

#include <gst/gst.h>

#include <audiocast/audiocast-version-macros.h>

G_BEGIN_DECLS

/**
 * AudioCastLatencyMode:
 * @AUDIO_CAST_LATENCY_MODE_DEFAULT: made to ride out stalls of a busy
 *   machine: periods of 10 ms, a ring of 2 s and a device buffer of ten
 *   periods (four in a media pipeline or on PipeWire).
 * @AUDIO_CAST_LATENCY_MODE_LOW: a steady stream kept just ahead of the
 *   device, for live synthesis and monitoring: periods of 2.5 ms, a ring of
 *   one period and a device buffer of four periods (six on PipeWire); a dry ring waits for
 *   a late write while the device has three periods left.
 *
 * How far ahead of the device the stream runs. The mode picks
 * [property@Sink:latency-time] and [property@Sink:buffer-time] where they
 * are left at (or set to) their defaults, and the device buffer always.
 *
 * Since: 0.1
 */
typedef enum
{
  AUDIO_CAST_LATENCY_MODE_DEFAULT,
  AUDIO_CAST_LATENCY_MODE_LOW,
} AudioCastLatencyMode;

#define AUDIO_CAST_TYPE_SINK (audio_cast_sink_get_type ())
AUDIO_CAST_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (AudioCastSink, audio_cast_sink, AUDIO_CAST, SINK, GstBin)

AUDIO_CAST_AVAILABLE_IN_0_1
void     audio_cast_sink_clear (AudioCastSink *self,
                                guint64 *frames_heard,
                                guint64 *frames_discarded);

AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_sink_drain (AudioCastSink *self,
                                gint64 timeout_us);

G_END_DECLS
