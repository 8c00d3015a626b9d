/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gst/audio/audio.h>

G_BEGIN_DECLS

/* A sink or a source of a PulseAudio-protocol server, as the server
 * describes it. */
typedef struct
{
  gchar *name;
  gchar *description;
  gboolean is_monitor;          /* a source that records one of the sinks */
  gboolean is_default;
  gboolean on_pipewire;         /* the server is PipeWire's pipewire-pulse */
  gboolean may_rewind;          /* a sink of PulseAudio that may mix ahead
                                 * of what it plays and rewind for a new
                                 * stream (all but null sinks loaded with
                                 * norewinds=1) */
  guint32 owner_module;         /* the server's module that made it */
  GstAudioInfo info;            /* the sink's own format; rate 0: unknown */
} AudioCastPulseDevice;

void     audio_cast_pulse_device_free       (AudioCastPulseDevice *sink);

gboolean audio_cast_pulse_list_sinks      (const gchar *server,
                                           GList **sinks,
                                           GError **error);

gboolean audio_cast_pulse_list_sources    (const gchar *server,
                                           GList **sources,
                                           GError **error);

gboolean audio_cast_pulse_answers         (const gchar *server);

AudioCastPulseDevice *audio_cast_pulse_find_sink (const gchar *server,
                                                const gchar *sink_name,
                                                gboolean ask_rewinds);

G_END_DECLS
