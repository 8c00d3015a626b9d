/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * AudioCastQueue's clear and drain: discarding everything not heard, at once
 * or with a fade, and waiting until everything written was heard.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-queue-private.h"

#include <gio/gio.h>

/* With the lock held: everything pushed so far is heard or about to leave
 * the device with a flush, so the playout map starts over, and so do the
 * device positions a broken clock is extrapolated from (those of a quiet
 * clock are the server's, which a flush does not move). */
void
audio_cast_queue_new_epoch_locked (AudioCastQueue *self)
{
  /* The clock does not count what the device will never play. */
  self->clock_skipped += self->playout.t_end - self->playout.heard_t;
  audio_cast_sync_unalign (&self->sync);
  audio_cast_playout_new_epoch (&self->playout);
  if (self->clock_broken)
    self->wall_valid = FALSE;
  /* a flushed device holds nothing to run dry */
  audio_cast_queue_forget_push_times_locked (self);
  self->epoch++;
}

/* With the lock held: the caller sends FLUSH_START (holding flush_lock);
 * the output thread sends the FLUSH_STOP before its next buffer. */
void
audio_cast_queue_request_flush_locked (AudioCastQueue *self)
{
  self->data_since_flush = FALSE;
  self->flush_stop_pending = TRUE;
  /* the other streams lose what the device held of them, and play it
   * again */
  audio_cast_queue_streams_rewind_locked (self);
  /* where the timeline is heard starts over with the device */
  self->tap_flushed = TRUE;
  g_cond_broadcast (&self->work_cond);
}

/* With the lock held: forget everything not yet heard. Returns how many
 * frames that was. */
guint64
audio_cast_queue_discard_unheard_locked (AudioCastQueue *self)
{
  guint64 discarded = audio_cast_queue_buffered_locked (self);

  audio_cast_ring_discard (&self->ring);
  audio_cast_queue_new_epoch_locked (self);
  self->cleared += discarded;
  self->played_at_clear = audio_cast_playout_heard (&self->playout);
  self->drain_mark = self->written;
  self->generation++;

  g_cond_broadcast (&self->space_cond);
  g_cond_broadcast (&self->played_cond);
  audio_cast_wakeup_fire (&self->wakeup);
  g_cond_broadcast (&self->work_cond);
  return discarded;
}

/* With the lock held: moves the next frames of the ring into fade_buf with a
 * fade-out applied, through the format's own unpack/pack functions so one
 * loop serves every sample format. Returns how many frames. */
static guint64
take_fade_locked (AudioCastQueue *self)
{
  const GstAudioFormatInfo *finfo = self->info.finfo;
  gint channels = GST_AUDIO_INFO_CHANNELS (&self->info);
  guint64 n = audio_cast_ring_read (&self->ring, self->fade_buf,
      self->fade_max);
  guint64 i;
  gint c;

  finfo->unpack_func (finfo, 0, self->fade_scratch, self->fade_buf,
      n * channels);
  for (i = 0; i < n; i++) {
    gdouble gain = (gdouble) (n - i) / (n + 1);

    for (c = 0; c < channels; c++) {
      if (finfo->unpack_format == GST_AUDIO_FORMAT_F64)
        ((gdouble *) self->fade_scratch)[i * channels + c] *= gain;
      else
        ((gint32 *) self->fade_scratch)[i * channels + c] *= gain;
    }
  }
  finfo->pack_func (finfo, 0, self->fade_scratch, self->fade_buf,
      n * channels);
  return n;
}

/* fade-time > 0: what the device holds (a few periods) plays out and the
 * next frames fade out instead of stopping mid-waveform. Nothing downstream
 * is flushed, so the frames already pushed count as heard. */
static void
clear_gently_locked (AudioCastQueue *self, guint64 *heard,
    guint64 *discarded)
{
  guint64 fade = take_fade_locked (self);
  guint64 will_be_heard = audio_cast_playout_pushed (&self->playout) + fade;

  *heard = will_be_heard - self->played_at_clear;
  *discarded = audio_cast_ring_discard (&self->ring);
  self->cleared += *discarded;
  self->fade_pending = fade;
  self->played_at_clear = will_be_heard;
  self->drain_mark = self->written;
  self->generation++;

  g_cond_broadcast (&self->space_cond);
  g_cond_broadcast (&self->played_cond);
  audio_cast_wakeup_fire (&self->wakeup);
}

void
audio_cast_queue_clear (AudioCastQueue *self, guint64 *frames_heard,
    guint64 *frames_discarded)
{
  guint64 heard, discarded;
  gboolean flush = FALSE;

  g_return_if_fail (AUDIO_CAST_IS_QUEUE (self));

  audio_cast_queue_update_position (self);

  g_mutex_lock (&self->flush_lock);
  g_mutex_lock (&self->lock);
  if (self->fade_max > 0 && self->src_running && self->fade_pending == 0) {
    clear_gently_locked (self, &heard, &discarded);
    goto done;
  }
  heard = audio_cast_playout_heard (&self->playout) - self->played_at_clear;
  discarded = audio_cast_queue_discard_unheard_locked (self);
  self->fade_pending = 0;
  /* Also after an EOS went downstream with nothing since: only a flush
   * takes the EOS back (a flushing seek after the end, then new data). */
  flush = self->src_running && (self->data_since_flush || self->eos_sent);
  if (flush)
    audio_cast_queue_request_flush_locked (self);
done:
  g_mutex_unlock (&self->lock);

  /* The flusher thread sends it at once, and this one does not wait for
   * the device's round trip to the server; the output thread sends the
   * FLUSH_STOP before its next buffer. */
  if (flush)
    audio_cast_queue_send_flush_start_flush_locked (self);
  g_mutex_unlock (&self->flush_lock);

  GST_DEBUG_OBJECT (self, "cleared: %" G_GUINT64_FORMAT " heard, %"
      G_GUINT64_FORMAT " discarded", heard, discarded);

  if (frames_heard)
    *frames_heard = heard;
  if (frames_discarded)
    *frames_discarded = discarded;
}

static const gchar *
drain_result_name (AudioCastDrainResult result)
{
  switch (result) {
    case AUDIO_CAST_DRAIN_HEARD:
      return "done";
    case AUDIO_CAST_DRAIN_INTERRUPTED:
      return "interrupted";
    case AUDIO_CAST_DRAIN_TIMED_OUT:
      return "timed out";
    default:
      return "failed";
  }
}

/* With the lock held, once the corrected clock says everything was heard:
 * on a server whose clock leads (audio_cast_queue_set_clock_lead()) the
 * lead is a bound seen to be overshot by a few tens of frames now and then,
 * so drain waits that long once more before it says so. Returns by
 * @deadline, or when the device stops or fails. */
static void
wait_out_clock_lead_locked (AudioCastQueue *self, gint64 deadline)
{
  gint64 until;

  if (self->clock_lead == 0)
    return;
  until = MIN (deadline, saturating_add_us (g_get_monotonic_time (),
          (gint64) (self->clock_lead / GST_USECOND)));
  while (self->src_running && !self->src_failed
      && g_get_monotonic_time () < until)
    g_cond_wait_until (&self->played_cond, &self->lock, until);
}

AudioCastDrainResult
audio_cast_queue_drain (AudioCastQueue *self, gint64 timeout_us)
{
  gint64 deadline = timeout_us < 0 ? G_MAXINT64
      : saturating_add_us (g_get_monotonic_time (), timeout_us);
  AudioCastDrainResult result;
  guint64 target;
  guint generation;

  g_return_val_if_fail (AUDIO_CAST_IS_QUEUE (self), AUDIO_CAST_DRAIN_FAILED);

  audio_cast_queue_update_position (self);
  g_mutex_lock (&self->lock);
  target = self->written;
  generation = self->generation;
  self->drain_mark = target;

  for (;;) {
    guint64 settled = audio_cast_playout_heard (&self->playout) + self->cleared;
    gint64 now, wake;

    /* A clear counts what it discarded as settled: check it first. */
    if (generation != self->generation) {
      result = AUDIO_CAST_DRAIN_INTERRUPTED;
      break;
    }
    if (settled >= target) {
      wait_out_clock_lead_locked (self, deadline);
      result = AUDIO_CAST_DRAIN_HEARD;
      break;
    }
    if (self->src_failed) {
      result = AUDIO_CAST_DRAIN_FAILED;
      break;
    }
    if (!self->src_running) {
      result = AUDIO_CAST_DRAIN_INTERRUPTED;
      break;
    }

    now = g_get_monotonic_time ();
    if (now >= deadline) {
      result = AUDIO_CAST_DRAIN_TIMED_OUT;
      break;
    }

    /* The output thread signals after every period it pushes; when less
     * than a period is left, wake when it should have been heard. */
    wake = deadline;
    if (self->have_info) {
      gint64 remaining_us = gst_util_uint64_scale_int_ceil (target - settled,
          G_USEC_PER_SEC, GST_AUDIO_INFO_RATE (&self->info));
      if ((guint64) remaining_us * 1000 < self->latency_time)
        wake = MIN (deadline, now + MAX (remaining_us, 200));
    }
    g_cond_wait_until (&self->played_cond, &self->lock, wake);

    g_mutex_unlock (&self->lock);
    audio_cast_queue_update_position (self);
    g_mutex_lock (&self->lock);
  }
  g_mutex_unlock (&self->lock);

  GST_DEBUG_OBJECT (self, "drain %s: target %" G_GUINT64_FORMAT ", heard_t %"
      G_GUINT64_FORMAT ", anchor t %" G_GUINT64_FORMAT " dev %" G_GUINT64_FORMAT,
      drain_result_name (result), target, self->playout.heard_t,
      self->playout.anchor_t, self->playout.anchor_dev);
  return result;
}


/* What a drain's @result means to the application: TRUE when everything
 * was heard; FALSE with @error set when the timeout came first or a clear
 * (or the stop, @stopped) ended it; FALSE with @error unset when the
 * device failed, which the caller reports as it reports failures. */
gboolean
audio_cast_drain_result_to_error (AudioCastDrainResult result,
    gint64 timeout_us, gboolean stopped, GError **error)
{
  switch (result) {
    case AUDIO_CAST_DRAIN_HEARD:
      return TRUE;
    case AUDIO_CAST_DRAIN_TIMED_OUT:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
          "drain timed out after %" G_GINT64_FORMAT " µs", timeout_us);
      return FALSE;
    case AUDIO_CAST_DRAIN_INTERRUPTED:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
          stopped ? "drain interrupted by stop"
          : "drain interrupted by clear");
      return FALSE;
    default:
      return FALSE;
  }
}

/* Waits until the ring holds fewer than @frames frames (what the device
 * has not been handed yet), for at most @timeout_us; FALSE when the
 * timeout came or the output stopped first. The output thread signals
 * after every period it takes from the ring. */
gboolean
audio_cast_queue_wait_ring_below (AudioCastQueue *self, guint64 frames,
    gint64 timeout_us)
{
  gint64 deadline = saturating_add_us (g_get_monotonic_time (),
      MAX (timeout_us, 0));
  gboolean below;

  g_mutex_lock (&self->lock);
  while (!(below = audio_cast_ring_fill (&self->ring) < frames)
      && self->src_running && !self->src_failed
      && g_cond_wait_until (&self->played_cond, &self->lock, deadline));
  g_mutex_unlock (&self->lock);
  return below;
}
