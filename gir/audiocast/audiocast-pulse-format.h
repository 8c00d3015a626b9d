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
#include <pulse/pulseaudio.h>

G_BEGIN_DECLS

pa_sample_format_t audio_cast_pulse_format_from_gst (GstAudioFormat format);

GstAudioFormat     audio_cast_pulse_format_to_gst   (pa_sample_format_t format);

void               audio_cast_pulse_channel_map_for (const GstAudioInfo *info,
                                                     pa_channel_map *map);

G_END_DECLS
