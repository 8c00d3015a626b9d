/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Mixing several streams into one timeline; see audiocast-mixer.h. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-mixer-private.h"

struct _AudioCastMixer
{
  GstAudioInfo info;            /* F32, interleaved */
  guint max_period_frames;

  /* streams_lock: guards streams; held by the rendering thread while it
   * renders (a period's conversions), and by adding and removing a
   * stream. The application's writes never take it. */
  GMutex streams_lock;
  GPtrArray *streams;           /* AudioCastMixerStream (owned) */
  guint64 rendered;             /* timeline frames rendered */

  /* The base, the audio the mix is added to (the player's own): whether
   * it played in the last period, how it ducks the streams, and the gain
   * the streams' ducking puts on it. The rendering thread's. */
  gboolean base_played;
  gdouble base_duck_level;
  guint64 base_duck_ramp;
  AudioCastRamp base_gain;
};

/* A mixer of @channels channels at @rate Hz, rendering at most
 * @max_period_frames frames at a time. */
AudioCastMixer *
audio_cast_mixer_new (gint rate, gint channels, guint max_period_frames)
{
  AudioCastMixer *mixer = g_new0 (AudioCastMixer, 1);

  gst_audio_info_set_format (&mixer->info, GST_AUDIO_FORMAT_F32, rate,
      channels, NULL);
  mixer->max_period_frames = max_period_frames;
  mixer->base_duck_level = 1.0;
  mixer->base_gain.value = mixer->base_gain.target = 1.0;
  g_mutex_init (&mixer->streams_lock);
  mixer->streams = g_ptr_array_new_with_free_func ((GDestroyNotify)
      audio_cast_mixer_stream_free);
  return mixer;
}

void
audio_cast_mixer_free (AudioCastMixer *mixer)
{
  g_ptr_array_unref (mixer->streams);
  g_mutex_clear (&mixer->streams_lock);
  g_free (mixer);
}

/* A stream of @info's format (interleaved) holding up to @capacity frames
 * not heard yet; it joins the mix at the next period rendered. NULL with
 * @error set when the format cannot be converted to the mix's. */
AudioCastMixerStream *
audio_cast_mixer_add_stream (AudioCastMixer *mixer, const GstAudioInfo *info,
    guint64 capacity, GError **error)
{
  AudioCastMixerStream *stream;

  g_mutex_lock (&mixer->streams_lock);
  stream = audio_cast_mixer_stream_new (info, &mixer->info, capacity,
      mixer->max_period_frames, mixer->rendered, error);
  if (stream != NULL)
    g_ptr_array_add (mixer->streams, stream);
  g_mutex_unlock (&mixer->streams_lock);
  return stream;
}

/* Frees @stream: what it had not played yet is not heard. */
void
audio_cast_mixer_remove_stream (AudioCastMixer *mixer,
    AudioCastMixerStream *stream)
{
  g_mutex_lock (&mixer->streams_lock);
  g_ptr_array_remove (mixer->streams, stream);
  g_mutex_unlock (&mixer->streams_lock);
}

/* Whether a stream that a callback feeds has fewer than @frames waiting to
 * be mixed (audio_cast_mixer_stream_starves()). */
gboolean
audio_cast_mixer_a_fed_stream_starves (AudioCastMixer *mixer, guint64 frames)
{
  gboolean starves = FALSE;
  guint i;

  g_mutex_lock (&mixer->streams_lock);
  for (i = 0; i < mixer->streams->len && !starves; i++)
    starves = audio_cast_mixer_stream_starves (g_ptr_array_index
        (mixer->streams, i), frames);
  g_mutex_unlock (&mixer->streams_lock);
  return starves;
}

/* Renders @frames frames (at most max_period_frames) of the timeline,
 * from position @t on, into @out; FALSE when no stream had anything to
 * play (@out is silence). Positions the caller skips (it played something
 * else there) are silence for every stream. @base_plays: the audio the
 * mix goes over has sound in this period (for ducking). */
/* With streams_lock held: what each sound is lowered to this period, from
 * those that played in the last one and duck the others. */
static void
apply_ducking_locked (AudioCastMixer *mixer)
{
  gdouble base_level = 1.0;
  guint64 base_ramp = 0;
  guint i, j;

  for (i = 0; i < mixer->streams->len; i++) {
    AudioCastMixerStream *s = g_ptr_array_index (mixer->streams, i);
    gdouble level = 1.0, l;
    guint64 ramp = mixer->base_duck_ramp, r;

    if (mixer->base_played && mixer->base_duck_level < level)
      level = mixer->base_duck_level;
    for (j = 0; j < mixer->streams->len; j++) {
      if (j != i && audio_cast_mixer_stream_ducks (g_ptr_array_index
              (mixer->streams, j), &l, &r) && l < level) {
        level = l;
        ramp = r;
      }
    }
    /* back up as it went down */
    if (level == 1.0 && audio_cast_mixer_stream_ducks (s, &l, &r))
      ramp = r;
    audio_cast_mixer_stream_duck_to (s, level, ramp);
    if (audio_cast_mixer_stream_ducks (s, &l, &r) && l < base_level) {
      base_level = l;
      base_ramp = r;
    }
  }
  if (base_level != mixer->base_gain.target)
    audio_cast_ramp_to (&mixer->base_gain, base_level, base_ramp);
}

/* The player's own audio lowers the streams to @level (1: not at all)
 * while it plays, over @ramp. */
void
audio_cast_mixer_set_base_ducking (AudioCastMixer *mixer, gdouble level,
    GstClockTime ramp)
{
  g_mutex_lock (&mixer->streams_lock);
  mixer->base_duck_level = level;
  mixer->base_duck_ramp = gst_util_uint64_scale_int (ramp,
      GST_AUDIO_INFO_RATE (&mixer->info), GST_SECOND);
  g_mutex_unlock (&mixer->streams_lock);
}

/* Multiplies @frames frames of the base (F32, the mix's channels) by the
 * gain the streams' ducking puts on it; FALSE, touching nothing, when
 * that is 1 throughout. */
gboolean
audio_cast_mixer_apply_base_gain (AudioCastMixer *mixer, gfloat *samples,
    guint frames)
{
  gint c, channels = GST_AUDIO_INFO_CHANNELS (&mixer->info);
  guint i;

  if (audio_cast_ramp_is_unity (&mixer->base_gain))
    return FALSE;
  for (i = 0; i < frames; i++) {
    gdouble g = audio_cast_ramp_next (&mixer->base_gain);

    for (c = 0; c < channels; c++)
      samples[i * channels + c] *= (gfloat) g;
  }
  return TRUE;
}

/* Whether the streams' ducking puts a gain other than 1 on the base (or
 * is ramping it). The rendering thread's. */
gboolean
audio_cast_mixer_base_is_ducked (AudioCastMixer *mixer)
{
  return !audio_cast_ramp_is_unity (&mixer->base_gain);
}

gboolean
audio_cast_mixer_render (AudioCastMixer *mixer, gfloat *out, guint frames,
    guint64 t, gboolean base_plays)
{
  gboolean any = FALSE;
  guint i;

  g_return_val_if_fail (frames <= mixer->max_period_frames, FALSE);

  memset (out, 0, (gsize) frames * GST_AUDIO_INFO_BPF (&mixer->info));
  g_mutex_lock (&mixer->streams_lock);
  apply_ducking_locked (mixer);
  mixer->base_played = base_plays;
  for (i = 0; i < mixer->streams->len; i++)
    any |= audio_cast_mixer_stream_render_add (g_ptr_array_index
        (mixer->streams, i), out, frames, t);
  mixer->rendered = t + frames;
  g_mutex_unlock (&mixer->streams_lock);
  return any;
}

/* The mix changes to @rate Hz × @channels, its timeline starting over at
 * 0: every stream renders again from its first frame not heard, through a
 * converter to the new format. FALSE when one cannot be made (the streams
 * are then silent). */
gboolean
audio_cast_mixer_set_format (AudioCastMixer *mixer, gint rate, gint channels,
    guint max_period_frames)
{
  gboolean ok = TRUE;
  guint i;

  g_mutex_lock (&mixer->streams_lock);
  gst_audio_info_set_format (&mixer->info, GST_AUDIO_FORMAT_F32, rate,
      channels, NULL);
  mixer->max_period_frames = max_period_frames;
  mixer->rendered = 0;
  for (i = 0; i < mixer->streams->len; i++)
    ok &= audio_cast_mixer_stream_set_mix_format (g_ptr_array_index
        (mixer->streams, i), &mixer->info, max_period_frames);
  g_mutex_unlock (&mixer->streams_lock);
  return ok;
}

/* The timeline frames rendered so far: where the next period starts. */
guint64
audio_cast_mixer_rendered (AudioCastMixer *mixer)
{
  guint64 rendered;

  g_mutex_lock (&mixer->streams_lock);
  rendered = mixer->rendered;
  g_mutex_unlock (&mixer->streams_lock);
  return rendered;
}

/* The timeline has been heard up to @heard: every stream counts what of
 * it was heard, and its ring lets those frames go. */
void
audio_cast_mixer_set_heard (AudioCastMixer *mixer, guint64 heard)
{
  guint i;

  g_mutex_lock (&mixer->streams_lock);
  for (i = 0; i < mixer->streams->len; i++)
    audio_cast_mixer_stream_set_heard (g_ptr_array_index (mixer->streams,
            i), heard);
  g_mutex_unlock (&mixer->streams_lock);
}

/* The device was flushed having heard the timeline up to @heard: what
 * each stream had rendered after it is rendered again from the next
 * period on, which continues the timeline (the part between @heard and
 * audio_cast_mixer_rendered() was never heard). */
void
audio_cast_mixer_rewind (AudioCastMixer *mixer, guint64 heard)
{
  guint i;

  g_mutex_lock (&mixer->streams_lock);
  for (i = 0; i < mixer->streams->len; i++)
    audio_cast_mixer_stream_rewind (g_ptr_array_index (mixer->streams, i),
        heard, mixer->rendered);
  g_mutex_unlock (&mixer->streams_lock);
}
