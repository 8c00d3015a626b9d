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

#include <audiocast/audiocast-player.h>
#include <audiocast/audiocast-version-macros.h>

G_BEGIN_DECLS

#define AUDIO_CAST_TYPE_RECORDER (audio_cast_recorder_get_type ())
AUDIO_CAST_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (AudioCastRecorder, audio_cast_recorder, AUDIO_CAST, RECORDER, GObject)

AUDIO_CAST_AVAILABLE_IN_0_1
AudioCastRecorder *audio_cast_recorder_new (const gchar *device,
                                            guint sample_rate,
                                            guint channels,
                                            AudioCastSampleFormat format,
                                            GError **error);

AUDIO_CAST_AVAILABLE_IN_0_1
GBytes  *audio_cast_recorder_read          (AudioCastRecorder *self,
                                            gsize frames,
                                            gint64 timeout_us,
                                            GCancellable *cancellable,
                                            gint64 *capture_time_us,
                                            guint64 *dropped_frames,
                                            GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
gsize    audio_cast_recorder_read_into     (AudioCastRecorder *self,
                                            guint8 *data,
                                            gsize frames,
                                            gint64 timeout_us,
                                            GCancellable *cancellable,
                                            gint64 *capture_time_us,
                                            guint64 *dropped_frames,
                                            GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_recorder_wait          (AudioCastRecorder *self,
                                            gsize frames,
                                            gint64 timeout_us,
                                            GCancellable *cancellable);
AUDIO_CAST_AVAILABLE_IN_0_1
gint     audio_cast_recorder_get_wakeup_fd (AudioCastRecorder *self);
AUDIO_CAST_AVAILABLE_IN_0_1
void     audio_cast_recorder_arm_wakeup    (AudioCastRecorder *self,
                                            guint64 frames);
AUDIO_CAST_AVAILABLE_IN_0_1
void     audio_cast_recorder_stop          (AudioCastRecorder *self);

AUDIO_CAST_AVAILABLE_IN_0_1
guint    audio_cast_recorder_get_sample_rate        (AudioCastRecorder *self);
AUDIO_CAST_AVAILABLE_IN_0_1
guint    audio_cast_recorder_get_channels           (AudioCastRecorder *self);
AUDIO_CAST_AVAILABLE_IN_0_1
AudioCastSampleFormat audio_cast_recorder_get_format (AudioCastRecorder *self);
AUDIO_CAST_AVAILABLE_IN_0_1
guint    audio_cast_recorder_get_device_sample_rate (AudioCastRecorder *self);
AUDIO_CAST_AVAILABLE_IN_0_1
guint    audio_cast_recorder_get_device_channels    (AudioCastRecorder *self);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_recorder_get_active             (AudioCastRecorder *self);
AUDIO_CAST_AVAILABLE_IN_0_1
guint64  audio_cast_recorder_get_available          (AudioCastRecorder *self);
AUDIO_CAST_AVAILABLE_IN_0_1
gint64   audio_cast_recorder_get_latency            (AudioCastRecorder *self);
AUDIO_CAST_AVAILABLE_IN_0_1
GstStructure *audio_cast_recorder_get_stats         (AudioCastRecorder *self);

G_END_DECLS
