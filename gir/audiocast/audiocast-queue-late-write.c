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

/* With the lock held: the output runs, its ring is dry, and nothing else
 * is due from it (a lead-in, a fade, a pause, a flush, an EOS, timestamps
 * to keep). */
static gboolean
dry_with_nothing_due_locked (AudioCastQueue *self)
{
  return self->src_running && !self->src_failed && !self->flush_stop_pending
      && !self->eos_received && !self->holding && !self->sync_enabled
      && self->lead_in == 0 && self->fade_pending == 0
      && audio_cast_ring_fill (&self->ring) == 0;
}

/* With the lock held: the device's own buffer, in frames of the ring. */
static guint64
device_buffer_frames_locked (AudioCastQueue *self)
{
  return gst_util_uint64_scale_int ((guint64) self->device_audio->buffer_time,
      GST_AUDIO_INFO_RATE (&self->info), G_USEC_PER_SEC);
}

/* With the lock held: the ring is dry with nothing else due, and the
 * application meant to write more (no drain, EOS or clear since its last
 * write) or a stream a callback feeds has less than a period left (its
 * next block is coming; as the player's own writes, those of a stream's
 * callback came too late when the device took the stream's first periods
 * faster than real time: 3 runs of 14 of test_py_callback's stream test,
 * with both cores busy, lost a period right after its lead). */
static gboolean
late_write_expected_locked (AudioCastQueue *self)
{
  return self->late_write_margin > 0 && dry_with_nothing_due_locked (self)
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
  /* A device that prebuffers and has not started yet plays nothing of
   * what it holds: pushing silence now would only stand in front of the
   * write, and waiting loses nothing. pipewire-pulse starts a stream once a
   * graph quantum is queued, more than a period of the low-latency mode:
   * with the other core busy, the writer's second period came after the
   * first had been pushed and the silence behind it, a gap of a period at
   * the start of most 20 s streams (bench/compare_streams.py lowlatency).
   * The wait stops at the device buffer's length: a writer that does not
   * come by then is heard behind silence as before. */
  if (self->device_prebuffers && !self->device_started
      && self->device_audio != NULL)
    wait_frames = MAX (wait_frames, device_buffer_frames_locked (self));
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

/* With the lock held: whether a dry ring leaves a device that prebuffers
 * (audiocast's own stream) to run dry rather than feeding it more silence:
 * once it was given its own buffer's worth after the last data. That much
 * it needs: pipewire-pulse plays a prebuffering stream in whole graph
 * quanta and holds back a tail shorter than one (384 frames of a 0.2 s
 * sound were heard only with the next write), and the stream's time stands
 * its sink latency and more behind its read index. Not while something
 * needs the periods to go on: the other streams (they play over the
 * output's periods), the echo canceller's reference (the tap: a gap in it
 * would make the canceller find the echo anew), new caps or a preroll, or
 * anything dry_with_nothing_due_locked() rules out. */
static gboolean
dry_stop_wanted_locked (AudioCastQueue *self)
{
  return self->device_prebuffers && self->dry && self->have_info
      && self->device_audio != NULL && dry_with_nothing_due_locked (self)
      && !self->caps_pending && !self->preroll_pending && self->mixer == NULL
      && g_atomic_pointer_get (&self->tap) == NULL
      && self->dry_silence_frames >= device_buffer_frames_locked (self);
}

/* With the lock held: lets a device that prebuffers run dry (see
 * dry_stop_wanted_locked()). It plays out what it holds and stops; the
 * next write goes on right there, behind less than a graph quantum of
 * silence, and is heard once a segment of it arrived: no flush of idle
 * silence and no restart's lead-in in front of it (audio_cast_queue_write()
 * finds too little silence queued to be worth a flush). Waits for a write a
 * period at most, so that the caller goes on reading the position (a
 * drain waits on it); returns TRUE when it waited. */
gboolean
audio_cast_queue_wait_dry_locked (AudioCastQueue *self)
{
  gint64 deadline;

  if (!dry_stop_wanted_locked (self))
    return FALSE;
  deadline = g_get_monotonic_time () + (gint64) gst_util_uint64_scale_int
      (self->period_frames, G_USEC_PER_SEC, GST_AUDIO_INFO_RATE (&self->info));
  self->dry_waiting = TRUE;
  while (dry_stop_wanted_locked (self)
      && g_cond_wait_until (&self->work_cond, &self->lock, deadline));
  self->dry_waiting = FALSE;
  /* a drain, and an event loop's drain, wait for the position to move,
   * as after a push */
  g_cond_broadcast (&self->played_cond);
  audio_cast_wakeup_fire_if_reached (&self->wakeup,
      audio_cast_ring_space (&self->ring));
  return TRUE;
}
