/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What audiocast-stream-play.c asks of an AudioCastStream. Private to the
 * library. */

#pragma once

#include "audiocast-stream.h"
#include "audiocast-mixer.h"
#include "audiocast-queue.h"

G_BEGIN_DECLS

AudioCastStream *audio_cast_stream_open (AudioCastPlayer *player,
    guint sample_rate, guint channels, AudioCastSampleFormat format,
    guint64 min_frames, GError **error);

/* The stream's mixer stream (NULL once closed) and its player's queue;
 * (transfer none). Only for a stream no other thread has seen yet. */
AudioCastMixerStream *audio_cast_stream_peek_mixer_stream
                                        (AudioCastStream *self);
AudioCastQueue *audio_cast_stream_peek_queue (AudioCastStream *self);

G_END_DECLS
