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

#include <gio/gio.h>
#include <gst/gst.h>

#include <audiocast/audiocast-version-macros.h>

G_BEGIN_DECLS

/**
 * AudioCastSampleFormat:
 * @AUDIO_CAST_SAMPLE_FORMAT_S16LE: signed 16-bit little-endian integers
 * @AUDIO_CAST_SAMPLE_FORMAT_S32LE: signed 32-bit little-endian integers
 * @AUDIO_CAST_SAMPLE_FORMAT_F32LE: 32-bit little-endian floats in [-1, 1]
 * @AUDIO_CAST_SAMPLE_FORMAT_F64LE: 64-bit little-endian floats in [-1, 1]
 *
 * Sample formats [method@Player.write] accepts, interleaved.
 *
 * Since: 0.1
 */
typedef enum
{
  AUDIO_CAST_SAMPLE_FORMAT_S16LE,
  AUDIO_CAST_SAMPLE_FORMAT_S32LE,
  AUDIO_CAST_SAMPLE_FORMAT_F32LE,
  AUDIO_CAST_SAMPLE_FORMAT_F64LE,
} AudioCastSampleFormat;

#define AUDIO_CAST_TYPE_PLAYER (audio_cast_player_get_type ())
AUDIO_CAST_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (AudioCastPlayer, audio_cast_player, AUDIO_CAST, PLAYER, GObject)

AUDIO_CAST_AVAILABLE_IN_0_1
AudioCastPlayer *audio_cast_player_new   (const gchar *device,
                                          guint sample_rate,
                                          guint channels,
                                          GError **error);

AUDIO_CAST_AVAILABLE_IN_0_1
gsize    audio_cast_player_write         (AudioCastPlayer *self,
                                          AudioCastSampleFormat format,
                                          const guint8 *data,
                                          gsize size,
                                          GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
gsize    audio_cast_player_try_write     (AudioCastPlayer *self,
                                          AudioCastSampleFormat format,
                                          const guint8 *data,
                                          gsize size,
                                          GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
guint64  audio_cast_player_get_write_available (AudioCastPlayer *self);
AUDIO_CAST_AVAILABLE_IN_0_1
gint     audio_cast_player_get_wakeup_fd (AudioCastPlayer *self);
AUDIO_CAST_AVAILABLE_IN_0_1
void     audio_cast_player_arm_wakeup    (AudioCastPlayer *self,
                                          guint64 space_frames);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_player_drain         (AudioCastPlayer *self,
                                          gint64 timeout_us,
                                          GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
guint64  audio_cast_player_clear         (AudioCastPlayer *self);
AUDIO_CAST_AVAILABLE_IN_0_1
void     audio_cast_player_stop          (AudioCastPlayer *self);

AUDIO_CAST_AVAILABLE_IN_0_1
guint    audio_cast_player_get_sample_rate        (AudioCastPlayer *self);
AUDIO_CAST_AVAILABLE_IN_0_1
guint    audio_cast_player_get_channels           (AudioCastPlayer *self);
AUDIO_CAST_AVAILABLE_IN_0_1
guint    audio_cast_player_get_device_sample_rate (AudioCastPlayer *self);
AUDIO_CAST_AVAILABLE_IN_0_1
guint    audio_cast_player_get_device_channels    (AudioCastPlayer *self);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_player_get_active             (AudioCastPlayer *self);
AUDIO_CAST_AVAILABLE_IN_0_1
gint64   audio_cast_player_get_latency            (AudioCastPlayer *self);
AUDIO_CAST_AVAILABLE_IN_0_1
GstStructure *audio_cast_player_get_stats         (AudioCastPlayer *self);
AUDIO_CAST_AVAILABLE_IN_0_1
guint64  audio_cast_player_get_heard_position     (AudioCastPlayer *self,
                                                   gint64 *time_us);

/**
 * AudioCastFillFunc:
 * @player: the [class@Player] asking
 * @frames: how many frames it asks for
 * @user_data: the data given to [method@Player.start_callback]
 *
 * Called by a player in callback mode, from a thread of its own, for the
 * next block.
 *
 * Returns: (transfer full) (nullable): @frames frames of the format given to
 *   [method@Player.start_callback]; fewer to end the stream once they
 *   played; `NULL` to end it at once
 *
 * Since: 0.1
 */
typedef GBytes *(*AudioCastFillFunc) (AudioCastPlayer *player, guint frames,
                                      gpointer user_data);

AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_player_start_callback         (AudioCastPlayer *self,
                                                   AudioCastSampleFormat format,
                                                   guint blocksize,
                                                   guint lead_blocks,
                                                   AudioCastFillFunc func,
                                                   gpointer user_data,
                                                   GDestroyNotify notify,
                                                   GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
void     audio_cast_player_stop_callback          (AudioCastPlayer *self);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_player_get_callback_active    (AudioCastPlayer *self);

G_END_DECLS
