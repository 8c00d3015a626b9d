/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * AudioCastQueue's tap (audio_cast_queue_set_tap()): each period the output
 * thread pushed, handed to the echo canceller with when its first frame is
 * heard, on the monotonic clock.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-queue-private.h"

#include <stdlib.h>
#include <string.h>

void
audio_cast_queue_set_tap (AudioCastQueue *self, AudioCastQueueTap tap,
    gpointer user_data)
{
  g_mutex_lock (&self->tap_lock);
  self->tap = tap;
  self->tap_data = user_data;
  /* a new tap learns where the timeline is heard from scratch */
  g_mutex_lock (&self->lock);
  self->tap_flushed = TRUE;
  g_mutex_unlock (&self->lock);
  g_mutex_unlock (&self->tap_lock);
}

static gint
compare_times (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The median of the tap's readings. */
static gint64
median_reading (AudioCastQueue *self)
{
  gint64 sorted[AUDIO_CAST_TAP_READINGS];

  memcpy (sorted, self->tap_readings, self->tap_n_readings * sizeof (gint64));
  qsort (sorted, self->tap_n_readings, sizeof (gint64), compare_times);
  return sorted[self->tap_n_readings / 2];
}

/* When timeline frame 0 is heard (monotonic µs), from the device's position
 * @heard_t read at @now, @flushed saying the device was flushed since the
 * last period: the readings start over.
 *
 * Between flushes the timeline is heard frame after frame, so one figure
 * holds, and every change of it moves the echo canceller's reference
 * against the echo, which costs the filter its convergence. A single
 * reading is only as good as the device's position report: pulsesink's
 * through pipewire-pulse is 16 ms off for the first periods after a
 * restart, scatters by ±5 ms over the next ones, and then runs off by 0.5 %
 * in a sawtooth (the tap's own readings, logged). So the figure is taken
 * once, from the median of the first AUDIO_CAST_TAP_READINGS readings, and
 * held until the next flush.
 *
 * Right after a flush the device reports the flush point as heard until it
 * really plays, 20 to 30 ms later on PulseAudio: such a position is not a
 * reading. Until the median is in, the figure is the time of the first such
 * report plus how long the device took to start at the last flush, learned
 * from that flush's median. */
#define MAX_START_DELAY_US (500 * 1000)

static gint64
heard_at_from_position (AudioCastQueue *self, guint64 heard_t, gint64 now,
    gint rate, gboolean flushed)
{
  gint64 reading = now - (gint64) gst_util_uint64_scale_int (heard_t,
      G_USEC_PER_SEC, rate);

  if (flushed) {
    self->tap_n_readings = 0;
    self->tap_flush_t = heard_t;
    self->tap_first_reading = reading;
    self->tap_saw_flush_point = FALSE;
  }
  if (self->tap_n_readings == AUDIO_CAST_TAP_READINGS)
    return self->tap_heard_at;
  if (heard_t <= self->tap_flush_t && self->tap_n_readings == 0) {
    self->tap_saw_flush_point = TRUE;
    return self->tap_first_reading + self->tap_start_delay;
  }
  self->tap_readings[self->tap_n_readings++] = reading;
  if (self->tap_n_readings < AUDIO_CAST_TAP_READINGS) {
    /* a tap put on a device already playing has no flush to start from */
    return self->tap_saw_flush_point
        ? self->tap_first_reading + self->tap_start_delay
        : self->tap_readings[0];
  }
  self->tap_heard_at = median_reading (self);
  if (self->tap_saw_flush_point)
    self->tap_start_delay = CLAMP (self->tap_heard_at
        - self->tap_first_reading, 0, MAX_START_DELAY_US);
  return self->tap_heard_at;
}

/* Hands the period just pushed (@buffer, timeline frames @t_start on) to
 * the tap, with when its first frame will be heard: the device says which
 * timeline frame it plays now, and the rest follows at the rate. */
void
audio_cast_queue_call_tap (AudioCastQueue *self, const GstAudioInfo *info,
    GstBuffer *buffer, guint64 frames, guint64 t_start)
{
  gint rate = GST_AUDIO_INFO_RATE (info);
  gint64 now, zero_heard;
  guint64 heard_t;
  gboolean flushed;
  GstMapInfo map;

  g_mutex_lock (&self->tap_lock);
  if (self->tap == NULL || frames == 0
      || !gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    g_mutex_unlock (&self->tap_lock);
    return;
  }
  audio_cast_queue_update_position (self);
  g_mutex_lock (&self->lock);
  heard_t = self->playout.heard_t;
  flushed = self->tap_flushed;
  self->tap_flushed = FALSE;
  g_mutex_unlock (&self->lock);
  now = g_get_monotonic_time ();
  zero_heard = heard_at_from_position (self, heard_t, now, rate, flushed);
  self->tap (info, map.data, frames, zero_heard + (gint64)
      gst_util_uint64_scale_int (t_start, G_USEC_PER_SEC, rate),
      self->tap_data);
  gst_buffer_unmap (buffer, &map);
  g_mutex_unlock (&self->tap_lock);
}
