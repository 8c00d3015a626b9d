/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What audiocast-mixer.c asks of a stream (audiocast-mixer-stream.c).
 * Called by the rendering thread with the mixer's streams_lock held, except
 * new and free. */

#pragma once

#include "audiocast-mixer.h"

G_BEGIN_DECLS

/* A gain moving in a straight line to its target, frame by frame. */
typedef struct
{
  gdouble value;
  gdouble target;
  gdouble step;                 /* per frame; 0 once at the target */
} AudioCastRamp;

static inline void
audio_cast_ramp_to (AudioCastRamp *r, gdouble target, guint64 frames)
{
  r->target = target;
  r->step = frames == 0 ? 0 : (target - r->value) / (gdouble) frames;
  if (frames == 0)
    r->value = target;
}

static inline gdouble
audio_cast_ramp_next (AudioCastRamp *r)
{
  if (r->step != 0) {
    r->value += r->step;
    if ((r->step > 0 && r->value >= r->target)
        || (r->step < 0 && r->value <= r->target)) {
      r->value = r->target;
      r->step = 0;
    }
  }
  return r->value;
}

static inline gboolean
audio_cast_ramp_is_unity (const AudioCastRamp *r)
{
  return r->step == 0 && r->value == 1.0;
}

AudioCastMixerStream *audio_cast_mixer_stream_new (const GstAudioInfo *info,
    const GstAudioInfo *mix_info, guint64 capacity, guint max_period_frames,
    guint64 rendered, GError **error);
void audio_cast_mixer_stream_free (AudioCastMixerStream *stream);
gboolean audio_cast_mixer_stream_set_mix_format (AudioCastMixerStream *stream,
    const GstAudioInfo *mix_info, guint max_period_frames);

/* Adds the stream's next @frames frames of the mix format, at its gain, to
 * @out, which starts at timeline position @t; FALSE when the stream had
 * nothing to add (idle). */
gboolean audio_cast_mixer_stream_render_add (AudioCastMixerStream *stream,
    gfloat *out, guint frames, guint64 t);
void audio_cast_mixer_stream_set_heard (AudioCastMixerStream *stream,
    guint64 heard);
/* Whether the stream played in the last period and lowers the others
 * while it plays: to *@level, over *@ramp frames. */
gboolean audio_cast_mixer_stream_ducks (AudioCastMixerStream *stream,
    gdouble *level, guint64 *ramp);
/* What the others' ducking asks of the stream from the next period on. */
void audio_cast_mixer_stream_duck_to (AudioCastMixerStream *stream,
    gdouble level, guint64 ramp);
void audio_cast_mixer_stream_rewind (AudioCastMixerStream *stream,
    guint64 heard, guint64 rendered);

G_END_DECLS
