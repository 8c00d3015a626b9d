/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Which platform sink plays for AudioCastSink, and how it is opened: a
 * device named by the application (matched among the output devices, or an
 * ALSA PCM name), else the first platform sink that opens; and what it
 * tells of its server. Used by audiocast-sink.c only. */

#pragma once

#include "audiocast-sink.h"

#include <gst/gst.h>

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (audio_cast_sink_debug);

/* Sets @name on @element when it has such a property: the sinks wrapped
 * differ in what they offer. */
void audio_cast_sink_set_if_exists (GstElement *element, const gchar *name,
    ...) G_GNUC_NULL_TERMINATED;
/* The platform sink for the element's properties: @given (audio-sink, a
 * reference the call takes) as it is; else the device named @device (its
 * name matched exactly, then as part of a name or description, or an ALSA
 * PCM name), with its PulseAudio sink name in @pulse_name when it has one;
 * else the first platform sink that opens, on @server (NULL: the default
 * server). NULL once an error naming the reason was posted. */
GstElement *audio_cast_sink_open_device (AudioCastSink *self,
    GstElement *given, const gchar *device, const gchar *server,
    gchar **pulse_name);
gboolean audio_cast_sink_is_pulsesink (GstElement *element);
gboolean audio_cast_sink_is_own_pulse_stream (GstElement *element);

/* The device in the bin (audiocast-sink.c's state changes). A placeholder
 * holds its place until NULL to READY opens it (setup), which also sets the
 * queue up for its timing; teardown puts the placeholder back. The device's
 * state is locked: set_device_state moves it. */
void audio_cast_sink_hold_device_place (AudioCastSink *self);
gboolean audio_cast_sink_setup_device (AudioCastSink *self);
void audio_cast_sink_teardown_device (AudioCastSink *self);
gboolean audio_cast_sink_set_device_state (AudioCastSink *self,
    GstState state);
GstClockTime audio_cast_sink_pipewire_quantum (gint64 latency_us);

G_END_DECLS
