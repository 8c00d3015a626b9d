/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * AudioCastQueue waiting for a late write: when the ring runs dry while the
 * application is still streaming, the output thread waits for its next
 * write as long as the device has enough left to play, instead of pushing
 * silence at once.
 *
 * Silence pushed the moment the ring runs dry goes in while the device still
 * holds most of its buffer, and stays in front of everything written after
 * it: the device is kept as full as before, so each late write adds a
 * period to what is queued ahead of the stream, and a write only a little
 * late becomes a gap. Waiting costs nothing that is heard as long as the
 * device holds more than the margin below, and a stream written at real
 * time then runs just that far ahead of the device.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-queue-private.h"

/* With the lock held: the ring is dry, and the application meant to write
 * more (no drain, EOS or clear since its last write) or a stream a callback
 * feeds has less than a period left (its next block is coming; as the
 * player's own writes, those of a stream's callback came too late when the
 * device took the stream's first periods faster than real time: 3 runs of
 * 14 of test_py_callback's stream test, with both cores busy, lost a period
 * right after its lead), and nothing else is due (a lead-in, a fade, a
 * pause, a flush, timestamps to keep). */
static gboolean
late_write_expected_locked (AudioCastQueue *self)
{
  return self->late_write_margin > 0 && self->src_running && !self->src_failed
      && !self->flush_stop_pending && !self->eos_received && !self->holding
      && !self->sync_enabled && self->lead_in == 0 && self->fade_pending == 0
      && audio_cast_ring_fill (&self->ring) == 0
      && (self->written > self->drain_mark || (self->mixer != NULL
              && audio_cast_mixer_a_fed_stream_starves (self->mixer,
                  self->period_frames)));
}

void
audio_cast_queue_wait_for_late_write_locked (AudioCastQueue *self)
{
  guint64 queued, margin, wait_frames = 0;
  gint64 deadline;

  if (!late_write_expected_locked (self) || !self->have_info)
    return;
  queued = audio_cast_playout_unheard (&self->playout);
  margin = (guint64) self->late_write_margin * self->period_frames;
  if (queued > margin)
    wait_frames = queued - margin;
  /* A writer that waited for room was woken when this thread took the
   * last period and has not run yet: its frames are moments away, and
   * waiting for them down to one period left is worth it. This is how a
   * stream starts, the device taking its first periods faster than real
   * time, with little in it yet. (Capping that wait at one period gave
   * more gaps: 4 test runs of 12 had one, against 1 of 12.) */
  if (self->space_wanted > 0 && queued > self->period_frames)
    wait_frames = MAX (wait_frames, queued - self->period_frames);
  if (wait_frames == 0)
    return;

  deadline = g_get_monotonic_time () + (gint64) gst_util_uint64_scale_int
      (wait_frames, G_USEC_PER_SEC, GST_AUDIO_INFO_RATE (&self->info));
  self->late_write_waiting = TRUE;
  while (late_write_expected_locked (self)
      && g_cond_wait_until (&self->work_cond, &self->lock, deadline));
  self->late_write_waiting = FALSE;
}

/**
 * audio_cast_queue_set_wait_for_late_writes: (skip)
 * @margin_periods: what the device must still hold when the waiting stops,
 *   in periods; 0: never wait
 *
 * Whether a dry ring mid-stream waits for the application's late write
 * while the device has more than @margin_periods left to play (see the top
 * of audiocast-queue-late-write.c), rather than pushing silence at once.
 */
void
audio_cast_queue_set_wait_for_late_writes (AudioCastQueue *self,
    guint margin_periods)
{
  g_mutex_lock (&self->lock);
  self->late_write_margin = margin_periods;
  g_mutex_unlock (&self->lock);
}
