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
  self->tap_line_rate = 0;
  audio_cast_queue_drop_held_taps (self);
  g_mutex_unlock (&self->tap_lock);
}

/* Forgets the periods held back from the tap (with tap_lock held, or
 * once the output thread is gone). */
void
audio_cast_queue_drop_held_taps (AudioCastQueue *self)
{
  while (self->tap_n_held > 0)
    gst_buffer_unref (self->tap_held[--self->tap_n_held]);
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

/* The push line. A push returns once the device has taken the period, and
 * the device takes audio as it plays it: the earliest any push returned,
 * less where it ended in the timeline, is when timeline frame 0 is heard,
 * less a constant (what the device holds, and its own latency), for as long
 * as the device plays on without a flush. audiocast-capture-clock.h's
 * arrival line keeps that earliest value, as it does for the captured
 * buffers' arrivals.
 *
 * Measured by hand on a PipeWire null sink, against its monitor (a
 * recorder's samples counted from its first), in ten runs of a click
 * every 100 ms through three restarts of the device (writes after idle, a
 * clear): from 150 ms after each restart on, every stretch was heard
 * within 0.3 ms of where this line put the first in five runs (one of
 * them drifting by 1 ms over 3.5 s); in the other five, one or two
 * stretches were 2 to 13 ms off. Their pushes looked like the others'
 * (as many refilling the device, as long a first wait): what changed was
 * the device's latency past what the pushes see. Placed by the median
 * of the position reports, stretches of speech were 3.9 to 11.6 ms
 * apart. The reports' trouble is their own: through pipewire-pulse the
 * device's clock says 10 to 15 ms less latency just after a restart than
 * seconds later, and each restart's median lands wherever it was. The
 * pushes return on the server's cycles, which keep time. Until a push has
 * landed at every point of the server's cycle, though, the earliest return
 * is up to a cycle late (2.5 to 7 ms on PipeWire, 7 to 10 ms on PulseAudio
 * at first, settled 100 to 150 ms after a restart).
 *
 * The constant is learned from the first median of the readings, so that
 * the times stay near what the device reports; what matters to the echo
 * canceller is that it is the same after every restart. It is learned
 * again for a new rate, or when the line is more than LINE_RESET_US off
 * the readings' median (a device that restarted without a flush). */
#define LINE_RESET_US (50 * 1000)

static gint64
heard_at_from_pushes (AudioCastQueue *self, gint64 from_position,
    guint64 t_end, gint64 push_began_us, gint64 pushed_us, gint rate,
    gboolean flushed)
{
  gint64 end_us = (gint64) gst_util_uint64_scale_int (t_end, G_USEC_PER_SEC,
      rate);
  gint64 line;

  if (flushed || rate != self->tap_push_rate) {
    audio_cast_capture_clock_reset (&self->tap_push_line);
    self->tap_push_rate = rate;
    self->tap_push_waited = FALSE;
  }
  /* The pushes count from the first that waited for the device on: the
   * device was full and played. Those that refill it after a flush return
   * at once, before it starts to play again (20 to 30 ms later on
   * PipeWire), and would put the line that much early. */
  if (pushed_us - push_began_us >= (gint64) (self->latency_time
          / GST_USECOND) / 2)
    self->tap_push_waited = TRUE;
  if (!self->tap_push_waited)
    return from_position;
  line = audio_cast_capture_clock_update_arrival (&self->tap_push_line,
      end_us, pushed_us) - end_us;

  if (self->tap_n_readings == AUDIO_CAST_TAP_READINGS
      && (self->tap_line_rate != rate
          || ABS (line + self->tap_line_offset - from_position)
          > LINE_RESET_US)) {
    self->tap_line_offset = from_position - line;
    self->tap_line_rate = rate;
  }
  return self->tap_line_rate == rate ? line + self->tap_line_offset
      : from_position;
}

/* Hands @buffer of @frames, timeline frames @t_start on, to the tap,
 * timeline frame 0 being heard at @zero_heard. */
static void
hand_to_tap (AudioCastQueue *self, const GstAudioInfo *info,
    GstBuffer *buffer, guint64 frames, guint64 t_start, gint64 zero_heard)
{
  GstMapInfo map;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return;
  self->tap (info, map.data, frames, zero_heard + (gint64)
      gst_util_uint64_scale_int (t_start, G_USEC_PER_SEC,
          GST_AUDIO_INFO_RATE (info)), self->tap_data);
  gst_buffer_unmap (buffer, &map);
}

/* Hands the period just pushed (@buffer, timeline frames @t_start on) to
 * the tap, with when its first frame will be heard: the push line says
 * when, once the device has been full since its last flush; until then the
 * periods wait here (a few milliseconds: the device takes them as fast as
 * they come), so that they all get the line of a full device rather than
 * each a line of its own. Before the line's constant is known, the device's
 * position says when. */
void
audio_cast_queue_call_tap (AudioCastQueue *self, const GstAudioInfo *info,
    GstBuffer *buffer, guint64 frames, guint64 t_start, gint64 push_began_us,
    gint64 pushed_us)
{
  gint rate = GST_AUDIO_INFO_RATE (info);
  gint64 now, from_position, zero_heard;
  guint64 heard_t;
  gboolean flushed;
  guint i;

  g_mutex_lock (&self->tap_lock);
  if (self->tap == NULL || frames == 0) {
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
  from_position = heard_at_from_position (self, heard_t, now, rate, flushed);
  zero_heard = heard_at_from_pushes (self, from_position, t_start + frames,
      push_began_us, pushed_us, rate, flushed);

  /* what a flush cut off was never heard */
  if (flushed || (self->tap_n_held > 0
          && !gst_audio_info_is_equal (info, &self->tap_held_info)))
    audio_cast_queue_drop_held_taps (self);
  if (self->tap_line_rate == rate && !self->tap_push_waited
      && self->tap_n_held < AUDIO_CAST_TAP_HOLD) {
    self->tap_held_info = *info;
    self->tap_held[self->tap_n_held] = gst_buffer_ref (buffer);
    self->tap_held_t[self->tap_n_held] = t_start;
    self->tap_held_frames[self->tap_n_held++] = frames;
    g_mutex_unlock (&self->tap_lock);
    return;
  }
  for (i = 0; i < self->tap_n_held; i++)
    hand_to_tap (self, &self->tap_held_info, self->tap_held[i],
        self->tap_held_frames[i], self->tap_held_t[i], zero_heard);
  audio_cast_queue_drop_held_taps (self);
  hand_to_tap (self, info, buffer, frames, t_start, zero_heard);
  g_mutex_unlock (&self->tap_lock);
}
