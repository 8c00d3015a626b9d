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
#include "audiocast-callback-private.h"

G_BEGIN_DECLS

AudioCastStream *audio_cast_stream_open (AudioCastPlayer *player,
    guint sample_rate, guint channels, AudioCastSampleFormat format,
    guint64 min_frames, GError **error);

/* The stream's mixer stream (NULL once closed) and its player's queue;
 * (transfer none). Only for a stream no other thread has seen yet. */
AudioCastMixerStream *audio_cast_stream_peek_mixer_stream
                                        (AudioCastStream *self);
AudioCastQueue *audio_cast_stream_peek_queue (AudioCastStream *self);

/* What callback mode (audiocast-callback.c) asks of a stream. */
AudioCastPlayer *audio_cast_stream_peek_player (AudioCastStream *self);
AudioCastCallbackSlot *audio_cast_stream_peek_callback_slot
                                        (AudioCastStream *self);
gboolean audio_cast_stream_is_closed    (AudioCastStream *self);
/* FALSE with @error set (CLOSED) when the stream or its player is. */
gboolean audio_cast_stream_check_open   (AudioCastStream *self,
                                         GError **error);
void audio_cast_stream_set_fed (AudioCastStream *self, gboolean fed);
gboolean audio_cast_stream_wait_pending_below (AudioCastStream *self,
                                         guint64 frames, gint64 timeout_us);

G_END_DECLS
