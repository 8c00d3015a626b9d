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

/* AudioCastMixer: several streams, each in its own format, mixed into one
 * timeline of the mix format (F32, interleaved, the device's rate and
 * channels), one period at a time, by the thread that feeds the device.
 * Private to the library.
 *
 * Each stream has a ring of its own, written by the application without
 * waiting (what does not fit is not taken), a GstAudioConverter to the mix
 * format (resampling included), and a gain ramped towards its volume
 * sample by sample. A stream alone in the mix, at the mix's rate, volume
 * 1, comes out bit for bit.
 *
 * Heard counts: the thread that renders says which position of the mix
 * timeline has been heard (audio_cast_mixer_set_heard()), and each stream
 * maps it to its own frames through marks it leaves at every period it
 * rendered (which of its frames had come out of its converter by then).
 * A stream keeps every frame until it is heard, not only until it is
 * mixed: when the device had to be flushed (a clear of another stream, a
 * restart), audio_cast_mixer_rewind() renders again what was not heard.
 *
 * Ducking: a stream (or the base, the audio the mix is added to: the
 * player's own) can lower every other sound while it plays, with a ramp
 * down and back up when it has played out.
 *
 * Locks: streams_lock guards the list of streams, held by the rendering
 * thread while it renders and by adding or removing a stream. Each
 * stream's own lock guards its ring and counters and is held only for
 * bookkeeping and memcpy, never while converting: an application thread
 * writing or clearing never waits for a conversion. */

typedef struct _AudioCastMixer AudioCastMixer;
typedef struct _AudioCastMixerStream AudioCastMixerStream;

typedef struct
{
  guint64 written;              /* frames accepted */
  guint64 heard;
  guint64 cleared;              /* dropped by clear, never heard */
  guint64 buffered;             /* accepted, not heard, not cleared */
  guint64 pending;              /* accepted, not mixed yet */
  gdouble volume;               /* where the gain is going */
} AudioCastMixerStreamStats;

AudioCastMixer *audio_cast_mixer_new    (gint rate, gint channels,
                                         guint max_period_frames);
void     audio_cast_mixer_free          (AudioCastMixer *mixer);

AudioCastMixerStream *audio_cast_mixer_add_stream (AudioCastMixer *mixer,
                                         const GstAudioInfo *info,
                                         guint64 capacity,
                                         GError **error);
void     audio_cast_mixer_remove_stream (AudioCastMixer *mixer,
                                         AudioCastMixerStream *stream);

/* Any thread */
guint64  audio_cast_mixer_stream_write  (AudioCastMixerStream *stream,
                                         const guint8 *data, guint64 frames);
guint64  audio_cast_mixer_stream_space  (AudioCastMixerStream *stream);
void     audio_cast_mixer_stream_set_volume (AudioCastMixerStream *stream,
                                         gdouble volume, GstClockTime ramp);
void     audio_cast_mixer_stream_set_ducking (AudioCastMixerStream *stream,
                                         gdouble level, GstClockTime ramp);
void     audio_cast_mixer_stream_start_at (AudioCastMixerStream *stream,
                                         guint64 t);
gboolean audio_cast_mixer_stream_loop   (AudioCastMixerStream *stream,
                                         const guint8 *data, guint64 frames);
void     audio_cast_mixer_stream_get_times (AudioCastMixerStream *stream,
                                         gint64 *started_us,
                                         gint64 *ended_us);
void     audio_cast_mixer_stream_clear  (AudioCastMixerStream *stream,
                                         guint64 *frames_heard,
                                         guint64 *frames_cleared);
void     audio_cast_mixer_stream_get_stats (AudioCastMixerStream *stream,
                                         AudioCastMixerStreamStats *stats);
void     audio_cast_mixer_stream_set_fed (AudioCastMixerStream *stream,
                                         gboolean fed);
gboolean audio_cast_mixer_stream_starves (AudioCastMixerStream *stream,
                                         guint64 frames);
const GstAudioInfo *audio_cast_mixer_stream_get_info
                                        (AudioCastMixerStream *stream);

/* The rendering thread */
gboolean audio_cast_mixer_set_format    (AudioCastMixer *mixer, gint rate,
                                         gint channels,
                                         guint max_period_frames);
gboolean audio_cast_mixer_a_fed_stream_starves (AudioCastMixer *mixer,
                                         guint64 frames);
gboolean audio_cast_mixer_render        (AudioCastMixer *mixer, gfloat *out,
                                         guint frames, guint64 t,
                                         gboolean base_plays);
void     audio_cast_mixer_set_base_ducking (AudioCastMixer *mixer,
                                         gdouble level, GstClockTime ramp);
gboolean audio_cast_mixer_apply_base_gain (AudioCastMixer *mixer,
                                         gfloat *samples, guint frames);
gboolean audio_cast_mixer_base_is_ducked (AudioCastMixer *mixer);
guint64  audio_cast_mixer_rendered      (AudioCastMixer *mixer);
void     audio_cast_mixer_set_heard     (AudioCastMixer *mixer,
                                         guint64 heard);
void     audio_cast_mixer_rewind        (AudioCastMixer *mixer,
                                         guint64 heard);

G_END_DECLS
