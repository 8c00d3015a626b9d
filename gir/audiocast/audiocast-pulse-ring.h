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
 * AudioCastPulseRing: the ring buffer of AudioCastPulseSink, a playback
 * stream of a PulseAudio-protocol server that prebuffers (see
 * audiocast-pulse-ring.c).
 */
#define AUDIO_CAST_TYPE_PULSE_RING (audio_cast_pulse_ring_get_type ())
G_DECLARE_FINAL_TYPE (AudioCastPulseRing, audio_cast_pulse_ring,
    AUDIO_CAST, PULSE_RING, GstAudioRingBuffer)

AudioCastPulseRing *audio_cast_pulse_ring_new (const gchar *server,
                                               const gchar *device,
                                               const gchar *client_name);

GstClockTime audio_cast_pulse_ring_get_time (AudioCastPulseRing *ring);
gboolean audio_cast_pulse_ring_read_index (AudioCastPulseRing *ring,
                                           guint64 *frames);
gboolean audio_cast_pulse_ring_heard_from (AudioCastPulseRing *ring,
                                           gint64 *from_us);

G_END_DECLS
