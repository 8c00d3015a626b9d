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

#include <audiocast/audiocast-player.h>

G_BEGIN_DECLS

#define AUDIO_CAST_TYPE_STREAM (audio_cast_stream_get_type ())
AUDIO_CAST_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (AudioCastStream, audio_cast_stream, AUDIO_CAST, STREAM, GObject)

AUDIO_CAST_AVAILABLE_IN_0_1
AudioCastStream *audio_cast_player_open_stream (AudioCastPlayer *player,
                                          guint sample_rate,
                                          guint channels,
                                          AudioCastSampleFormat format,
                                          GError **error);

AUDIO_CAST_AVAILABLE_IN_0_1
gsize    audio_cast_stream_write         (AudioCastStream *self,
                                          const guint8 *data,
                                          gsize size,
                                          GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_stream_drain         (AudioCastStream *self,
                                          gint64 timeout_us,
                                          GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
guint64  audio_cast_stream_clear         (AudioCastStream *self);
AUDIO_CAST_AVAILABLE_IN_0_1
void     audio_cast_stream_close         (AudioCastStream *self);

AUDIO_CAST_AVAILABLE_IN_0_1
void     audio_cast_stream_set_volume    (AudioCastStream *self,
                                          gdouble volume);
AUDIO_CAST_AVAILABLE_IN_0_1
gdouble  audio_cast_stream_get_volume    (AudioCastStream *self);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_stream_ramp_volume   (AudioCastStream *self,
                                          gdouble volume,
                                          gint64 ramp_us,
                                          GError **error);

AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_stream_set_ducking   (AudioCastStream *self,
                                          gdouble others,
                                          gint64 ramp_us,
                                          GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_player_set_ducking   (AudioCastPlayer *player,
                                          gdouble others,
                                          gint64 ramp_us,
                                          GError **error);

AUDIO_CAST_AVAILABLE_IN_0_1
AudioCastStream *audio_cast_player_play  (AudioCastPlayer *player,
                                          AudioCastSampleFormat format,
                                          guint sample_rate,
                                          guint channels,
                                          const guint8 *data,
                                          gsize size,
                                          gint64 at_frame,
                                          gboolean loop,
                                          GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
guint64  audio_cast_player_get_timeline  (AudioCastPlayer *player,
                                          guint64 *earliest,
                                          gint64 *time_us);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_stream_get_times     (AudioCastStream *self,
                                          gint64 *started_us,
                                          gint64 *ended_us);

/**
 * AudioCastStreamFillFunc:
 * @stream: the [class@Stream] asking
 * @frames: how many frames it asks for
 * @user_data: the data given to [method@Stream.start_callback]
 *
 * Called by a stream in callback mode, from a thread of its own, for the
 * next block.
 *
 * Returns: (transfer full) (nullable): @frames frames in the stream's
 *   format; fewer to end the callback once they played; `NULL` to end it
 *   at once
 *
 * Since: 0.1
 */
typedef GBytes *(*AudioCastStreamFillFunc) (AudioCastStream *stream,
                                            guint frames,
                                            gpointer user_data);

AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_stream_start_callback (AudioCastStream *self,
                                          guint blocksize,
                                          guint lead_blocks,
                                          AudioCastStreamFillFunc func,
                                          gpointer user_data,
                                          GDestroyNotify notify,
                                          GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
void     audio_cast_stream_stop_callback (AudioCastStream *self);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_stream_get_callback_active (AudioCastStream *self);

AUDIO_CAST_AVAILABLE_IN_0_1
guint    audio_cast_stream_get_sample_rate (AudioCastStream *self);
AUDIO_CAST_AVAILABLE_IN_0_1
guint    audio_cast_stream_get_channels  (AudioCastStream *self);
AUDIO_CAST_AVAILABLE_IN_0_1
AudioCastSampleFormat audio_cast_stream_get_format (AudioCastStream *self);
AUDIO_CAST_AVAILABLE_IN_0_1
GstStructure *audio_cast_stream_get_stats (AudioCastStream *self);

G_END_DECLS
