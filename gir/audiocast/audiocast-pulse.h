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

/* PulseAudio accepts any sample format and converts on the server. To make
 * audioconvert/audioresample do that work instead (and keep matching formats
 * bit-exact), the bin asks the server for the sink's own sample format. */
gboolean audio_cast_pulse_get_sink_format (const gchar *sink_name,
                                           GstAudioInfo *info);

G_END_DECLS
