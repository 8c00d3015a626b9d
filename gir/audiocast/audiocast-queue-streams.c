/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The queue's other streams: an AudioCastMixer whose streams play over the
 * ring's own audio, at the ring's rate and channels, in every period the
 * output thread pushes (but the lead-in silence of a start or restart, and
 * while paused). Their timeline is the queue's: the playout's heard
 * position is theirs, and whenever the device is flushed (a clear of the
 * ring's audio, a restart) each of them renders again from its first frame
 * not heard.
 *
 * A clear of one of them does not flush the device, which would take the
 * ring's unheard audio with it: what the device already holds of that
 * stream (its buffer, some tens of ms) still plays.
 *
 * The mixer's locks are taken after the element's lock. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-queue-private.h"
#include "audiocast-error.h"

/* With the lock held: converters between the ring's format and the mix's
 * (F32 at the same rate and channels) and the memory for a period; the
 * mixer follows the format. */
void
audio_cast_queue_streams_set_format_locked (AudioCastQueue *self)
{
  GstAudioInfo mix;
  gint rate = GST_AUDIO_INFO_RATE (&self->info);
  gint channels = GST_AUDIO_INFO_CHANNELS (&self->info);

  g_mutex_lock (&self->mix_lock);
  self->mix_info = self->info;
  g_clear_pointer (&self->to_mix, gst_audio_converter_free);
  g_clear_pointer (&self->from_mix, gst_audio_converter_free);
  g_clear_pointer (&self->mix_out, g_free);
  g_clear_pointer (&self->mix_period, g_free);
  if (self->mixer == NULL) {
    g_mutex_unlock (&self->mix_lock);
    return;
  }
  gst_audio_info_set_format (&mix, GST_AUDIO_FORMAT_F32, rate, channels,
      self->info.position);
  if (GST_AUDIO_INFO_FORMAT (&self->info) != GST_AUDIO_FORMAT_F32) {
    GstStructure *exact = gst_structure_new ("audiocast-exact",
        GST_AUDIO_CONVERTER_OPT_DITHER_METHOD, GST_TYPE_AUDIO_DITHER_METHOD,
        GST_AUDIO_DITHER_NONE, GST_AUDIO_CONVERTER_OPT_NOISE_SHAPING_METHOD,
        GST_TYPE_AUDIO_NOISE_SHAPING_METHOD, GST_AUDIO_NOISE_SHAPING_NONE,
        NULL);

    self->to_mix = gst_audio_converter_new (GST_AUDIO_CONVERTER_FLAG_NONE,
        &self->info, &mix, NULL);
    self->from_mix = gst_audio_converter_new (GST_AUDIO_CONVERTER_FLAG_NONE,
        &mix, &self->info, exact);
  }
  self->mix_out = g_new (gfloat, (gsize) self->period_frames * channels);
  self->mix_period = g_new (gfloat, (gsize) self->period_frames * channels);
  self->mix_period_frames = self->period_frames;
  audio_cast_mixer_set_format (self->mixer, rate, channels,
      self->period_frames);
  g_mutex_unlock (&self->mix_lock);
}

/* With mix_lock held: the streams' next @frames frames (at most a period)
 * added to @data, the ring's audio ducked. */
static void
mix_period (AudioCastQueue *self, guint8 *data, guint64 frames, guint64 t,
    gboolean is_data)
{
  gint channels = GST_AUDIO_INFO_CHANNELS (&self->mix_info);
  gboolean mixed;
  gfloat *base;
  gpointer in[1], out[1];
  guint64 i;

  mixed = audio_cast_mixer_render (self->mixer, self->mix_out, frames, t,
      is_data);
  if (!mixed && !audio_cast_mixer_base_is_ducked (self->mixer))
    return;                     /* the ring's audio as it was */
  if (GST_AUDIO_INFO_FORMAT (&self->mix_info) == GST_AUDIO_FORMAT_F32) {
    /* (a period of silence is zeros already) */
    base = (gfloat *) data;
    audio_cast_mixer_apply_base_gain (self->mixer, base, frames);
    if (mixed)
      for (i = 0; i < frames * channels; i++)
        base[i] += self->mix_out[i];
    return;
  }
  if (self->to_mix == NULL || self->from_mix == NULL)
    return;
  base = self->mix_period;
  if (is_data) {
    in[0] = data;
    out[0] = base;
    gst_audio_converter_samples (self->to_mix, GST_AUDIO_CONVERTER_FLAG_NONE,
        in, frames, out, frames);
  } else {
    memset (base, 0, frames * channels * sizeof (gfloat));
  }
  audio_cast_mixer_apply_base_gain (self->mixer, base, frames);
  /* back to the ring's format; integer formats clip */
  for (i = 0; i < frames * channels; i++)
    base[i] = CLAMP (base[i] + (mixed ? self->mix_out[i] : 0.0f), -1.0f,
        1.0f);
  in[0] = base;
  out[0] = data;
  gst_audio_converter_samples (self->from_mix, GST_AUDIO_CONVERTER_FLAG_NONE,
      in, frames, out, frames);
}

/* The output thread, without the lock: adds the streams' next @frames
 * frames, timeline position @t on, to @data (a period of @info, the ring's
 * format when it was filled; @is_data: it holds the ring's audio, else
 * silence), with the ring's audio lowered while a stream that ducks the
 * others plays. @rewinds: mix_rewinds when the period was filled. */
void
audio_cast_queue_mix_streams (AudioCastQueue *self, const GstAudioInfo *info,
    guint8 *data, guint64 frames, guint64 t, gboolean is_data, guint rewinds)
{
  g_mutex_lock (&self->mix_lock);
  /* a format that changed since the period was filled: the streams start
   * over with the next period, in the new one; a rewind since: the device
   * drops this period, the streams play it again after */
  if (self->mixer != NULL && self->mix_out != NULL
      && gst_audio_info_is_equal (info, &self->mix_info)
      && frames <= self->mix_period_frames && rewinds == self->mix_rewinds)
    mix_period (self, data, frames, t, is_data);
  g_mutex_unlock (&self->mix_lock);
}

/**
 * audio_cast_queue_set_ducking: (skip)
 * @level: what the other streams go to while the ring's audio plays; 1:
 *   they are not lowered
 * @ramp: how long the way down and back up takes
 */
void
audio_cast_queue_set_ducking (AudioCastQueue *self, gdouble level,
    GstClockTime ramp)
{
  g_mutex_lock (&self->lock);
  self->duck_level = level;
  self->duck_ramp = ramp;
  if (self->mixer != NULL)
    audio_cast_mixer_set_base_ducking (self->mixer, level, ramp);
  g_mutex_unlock (&self->lock);
}

/* With the lock held, after the heard position moved: the streams count
 * what they had heard (their writers and drains wait on played_cond, which
 * the output thread signals after every period). */
void
audio_cast_queue_streams_heard_locked (AudioCastQueue *self)
{
  if (self->mixer == NULL)
    return;
  audio_cast_mixer_set_heard (self->mixer, self->playout.heard_t);
}

/* With the lock held, as the device is flushed: the streams render again
 * what it had not played. */
void
audio_cast_queue_streams_rewind_locked (AudioCastQueue *self)
{
  if (self->mixer == NULL)
    return;
  g_mutex_lock (&self->mix_lock);
  self->mix_rewinds++;
  audio_cast_mixer_rewind (self->mixer, self->playout.heard_t);
  g_mutex_unlock (&self->mix_lock);
}

/**
 * audio_cast_queue_open_stream: (skip)
 * @info: the stream's format, interleaved
 * @capacity: frames it holds not heard yet
 *
 * A stream mixed over the ring's audio from the next period on. The queue
 * must have a format (it is the mix's rate and channels). NULL with @error
 * set when it has none or @info cannot be converted.
 */
AudioCastMixerStream *
audio_cast_queue_open_stream (AudioCastQueue *self, const GstAudioInfo *info,
    guint64 capacity, GError **error)
{
  AudioCastMixerStream *stream;

  g_mutex_lock (&self->lock);
  if (!self->have_info) {
    g_mutex_unlock (&self->lock);
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_FORMAT,
        "the player's own stream has no format yet");
    return NULL;
  }
  if (self->mixer == NULL) {
    AudioCastMixer *mixer = audio_cast_mixer_new (GST_AUDIO_INFO_RATE
        (&self->info), GST_AUDIO_INFO_CHANNELS (&self->info),
        self->period_frames);

    g_mutex_lock (&self->mix_lock);
    self->mixer = mixer;
    g_mutex_unlock (&self->mix_lock);
    audio_cast_queue_streams_set_format_locked (self);
    audio_cast_mixer_set_base_ducking (self->mixer, self->duck_level,
        self->duck_ramp);
  }
  stream = audio_cast_mixer_add_stream (self->mixer, info, capacity, error);
  /* an output waiting for its first data now has periods to mix over */
  g_cond_broadcast (&self->work_cond);
  g_mutex_unlock (&self->lock);
  return stream;
}

/* Takes @stream out of the mix and frees it. */
void
audio_cast_queue_close_stream (AudioCastQueue *self,
    AudioCastMixerStream *stream)
{
  g_mutex_lock (&self->lock);
  if (self->mixer != NULL)
    audio_cast_mixer_remove_stream (self->mixer, stream);
  g_cond_broadcast (&self->played_cond);
  /* the output thread may wait for its callback's next block */
  g_cond_broadcast (&self->work_cond);
  g_mutex_unlock (&self->lock);
}

/**
 * audio_cast_queue_stream_set_fed: (skip)
 *
 * Whether a callback feeds @stream: while its next block is coming, the
 * output thread waits for it as for a late write of the player's own
 * (audiocast-queue-late-write.c).
 */
void
audio_cast_queue_stream_set_fed (AudioCastQueue *self,
    AudioCastMixerStream *stream, gboolean fed)
{
  g_mutex_lock (&self->lock);
  audio_cast_mixer_stream_set_fed (stream, fed);
  g_cond_broadcast (&self->work_cond);
  g_mutex_unlock (&self->lock);
}

/* Waits on played_cond until @deadline, with the lock held, then brings
 * the heard position up to date. FALSE once the output stopped or
 * failed. */
static gboolean
wait_for_a_period_locked (AudioCastQueue *self, gint64 deadline)
{
  if (!self->src_running || self->src_failed)
    return FALSE;
  g_cond_wait_until (&self->played_cond, &self->lock, deadline);
  g_mutex_unlock (&self->lock);
  audio_cast_queue_update_position (self);
  g_mutex_lock (&self->lock);
  audio_cast_queue_streams_heard_locked (self);
  return self->src_running && !self->src_failed;
}

/**
 * audio_cast_queue_stream_write: (skip)
 * @generation: in, the value of *@generation when the caller started;
 *   a clear of the stream bumps it, which ends the write
 *
 * Copies @frames frames into @stream, waiting while it is full, for at
 * most @timeout_us (< 0: no limit). Returns how many it took; fewer when
 * the timeout came, the stream was cleared (*@generation changed), or the
 * output stopped (*@stopped).
 */
guint64
audio_cast_queue_stream_write (AudioCastQueue *self,
    AudioCastMixerStream *stream, const guint8 *data, guint64 frames,
    gint64 timeout_us, const volatile guint *generation, gboolean *stopped)
{
  gint64 deadline = timeout_us < 0 ? G_MAXINT64
      : saturating_add_us (g_get_monotonic_time (), timeout_us);
  gsize bpf = GST_AUDIO_INFO_BPF (audio_cast_mixer_stream_get_info (stream));
  guint start = *generation;
  guint64 done = 0;

  *stopped = FALSE;
  g_mutex_lock (&self->lock);
  for (;;) {
    done += audio_cast_mixer_stream_write (stream, data + done * bpf,
        frames - done);
    /* the output thread may wait for this write (a fed stream starving,
     * audiocast-queue-late-write.c) */
    if (self->late_write_waiting)
      g_cond_broadcast (&self->work_cond);
    if (done == frames || *generation != start
        || g_get_monotonic_time () >= deadline)
      break;
    if (!wait_for_a_period_locked (self, deadline)) {
      *stopped = TRUE;
      break;
    }
  }
  g_mutex_unlock (&self->lock);
  return done;
}

/**
 * audio_cast_queue_stream_drain: (skip)
 *
 * Waits until everything written to @stream was heard, for at most
 * @timeout_us (< 0: no limit), or until a clear of it changes
 * *@generation.
 */
AudioCastDrainResult
audio_cast_queue_stream_drain (AudioCastQueue *self,
    AudioCastMixerStream *stream, gint64 timeout_us,
    const volatile guint *generation)
{
  gint64 deadline = timeout_us < 0 ? G_MAXINT64
      : saturating_add_us (g_get_monotonic_time (), timeout_us);
  AudioCastMixerStreamStats stats;
  AudioCastDrainResult result;
  guint start = *generation;

  g_mutex_lock (&self->lock);
  audio_cast_queue_streams_heard_locked (self);
  for (;;) {
    audio_cast_mixer_stream_get_stats (stream, &stats);
    if (*generation != start) {
      result = AUDIO_CAST_DRAIN_INTERRUPTED;
      break;
    }
    if (stats.buffered == 0) {
      result = AUDIO_CAST_DRAIN_HEARD;
      break;
    }
    if (g_get_monotonic_time () >= deadline) {
      result = AUDIO_CAST_DRAIN_TIMED_OUT;
      break;
    }
    if (!wait_for_a_period_locked (self, deadline)) {
      result = self->src_failed ? AUDIO_CAST_DRAIN_FAILED
          : AUDIO_CAST_DRAIN_INTERRUPTED;
      break;
    }
  }
  g_mutex_unlock (&self->lock);
  return result;
}

/**
 * audio_cast_queue_stream_wait_pending_below: (skip)
 *
 * Waits until fewer than @frames frames of @stream wait to be mixed, for
 * at most @timeout_us (>= 0), or until a clear or close of it changes
 * *@generation or the output stops. TRUE when they are fewer.
 */
gboolean
audio_cast_queue_stream_wait_pending_below (AudioCastQueue *self,
    AudioCastMixerStream *stream, guint64 frames, gint64 timeout_us,
    const volatile guint *generation)
{
  gint64 deadline = saturating_add_us (g_get_monotonic_time (),
      MAX (timeout_us, 0));
  AudioCastMixerStreamStats stats;
  guint start = *generation;

  g_mutex_lock (&self->lock);
  for (;;) {
    audio_cast_mixer_stream_get_stats (stream, &stats);
    if (stats.pending < frames || *generation != start
        || g_get_monotonic_time () >= deadline
        || !wait_for_a_period_locked (self, deadline))
      break;
  }
  g_mutex_unlock (&self->lock);
  return stats.pending < frames;
}

/* Wakes the streams' writers and drains (a clear of one of them). */
void
audio_cast_queue_wake_streams (AudioCastQueue *self)
{
  g_mutex_lock (&self->lock);
  g_cond_broadcast (&self->played_cond);
  g_mutex_unlock (&self->lock);
}

/**
 * audio_cast_queue_get_timeline: (skip)
 * @earliest: (out): the first timeline position a stream can still be
 *   started at: the device already has everything before it
 * @time_us: (out): when the position returned was heard (monotonic µs)
 *
 * Returns: the timeline position heard now (frames at the ring's rate,
 *   silence included; what a stream's start is given in)
 */
guint64
audio_cast_queue_get_timeline (AudioCastQueue *self, guint64 *earliest,
    gint64 *time_us)
{
  guint64 heard;

  audio_cast_queue_update_position (self);
  g_mutex_lock (&self->lock);
  heard = self->playout.heard_t;
  *earliest = self->playout.t_end;
  *time_us = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
  return heard;
}

/**
 * audio_cast_queue_start_stream_at: (skip)
 * @at: the timeline position of the stream's first frame; -1: as soon as
 *   it can
 *
 * FALSE with @error set when @at is already in the device (or before).
 */
gboolean
audio_cast_queue_start_stream_at (AudioCastQueue *self,
    AudioCastMixerStream *stream, gint64 at, GError **error)
{
  g_mutex_lock (&self->lock);
  if (at >= 0 && (guint64) at < self->playout.t_end) {
    guint64 end = self->playout.t_end;

    g_mutex_unlock (&self->lock);
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "timeline position %" G_GINT64_FORMAT " has passed: the device "
        "already holds everything before %" G_GUINT64_FORMAT, at, end);
    return FALSE;
  }
  /* the output thread fills no period past t_end while the lock is held,
   * and mixes none it had not filled */
  audio_cast_mixer_stream_start_at (stream, at >= 0 ? (guint64) at
      : self->playout.t_end);
  g_mutex_unlock (&self->lock);
  return TRUE;
}
