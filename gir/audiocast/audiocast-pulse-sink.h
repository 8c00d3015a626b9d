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

/*
 * AudioCastPulseSink: the platform sink audiocastsink opens for a player
 * on PipeWire's pipewire-pulse (on PulseAudio too where
 * AUDIOCAST_PULSE_STREAM=1 asks for it), a GstAudioBaseSink over a
 * playback stream of its own that can prebuffer (audiocast-pulse-ring.c;
 * docs/design.md, The device stream). The library registers it when it
 * first makes one, as "audiocastpulsesink".
 */
#define AUDIO_CAST_TYPE_PULSE_SINK (audio_cast_pulse_sink_get_type ())
G_DECLARE_FINAL_TYPE (AudioCastPulseSink, audio_cast_pulse_sink,
    AUDIO_CAST, PULSE_SINK, GstAudioBaseSink)

#define AUDIO_CAST_PULSE_SINK_NAME "audiocastpulsesink"

const gchar *audio_cast_pulse_sink_register (void);

G_END_DECLS
