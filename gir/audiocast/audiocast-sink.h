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
