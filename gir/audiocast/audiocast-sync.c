/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-sync.h"

#include <string.h>

void
audio_cast_sync_reset (AudioCastSync *sync, gint rate)
{
  memset (sync, 0, sizeof (*sync));
  sync->rate = rate;
}

static AudioCastSyncMark *
mark_at (AudioCastSync *sync, guint i)
{
  return &sync->marks[(sync->first + i) % AUDIO_CAST_SYNC_MAX_MARKS];
}

static AudioCastSyncMark *
newest_mark (AudioCastSync *sync)
{
  return sync->n_marks > 0 ? mark_at (sync, sync->n_marks - 1) : NULL;
}

static GstClockTime
frames_to_time (const AudioCastSync *sync, guint64 frames)
{
  return gst_util_uint64_scale_int (frames, GST_SECOND, sync->rate);
}

/* Whether frames at @index with @running_time follow the mark's frames back
 * to back (untimed after untimed, or timed within the threshold). */
static gboolean
continues (const AudioCastSync *sync, const AudioCastSyncMark *mark,
    guint64 index, GstClockTime running_time)
{
  GstClockTime expected;

  if (!GST_CLOCK_TIME_IS_VALID (running_time)
      || !GST_CLOCK_TIME_IS_VALID (mark->running_time))
    return GST_CLOCK_TIME_IS_VALID (running_time)
        == GST_CLOCK_TIME_IS_VALID (mark->running_time);
  expected = mark->running_time + frames_to_time (sync, index - mark->index);
  return (running_time > expected ? running_time - expected
      : expected - running_time) < AUDIO_CAST_SYNC_DISCONT_THRESHOLD;
}

/**
 * audio_cast_sync_mark:
 * @index: ring position of the first frame of a buffer
 * @running_time: its running time, or GST_CLOCK_TIME_NONE
 * @discont: upstream flagged a discontinuity (a new segment, a flush)
 *
 * The producer, for every buffer: a mark is kept only where the timing does
 * not follow from the previous one.
 */
void
audio_cast_sync_mark (AudioCastSync *sync, guint64 index,
    GstClockTime running_time, gboolean discont)
{
  AudioCastSyncMark *last = newest_mark (sync);

  if (sync->rate <= 0)
    return;
  if (last && !discont && index >= last->index
      && continues (sync, last, index, running_time))
    return;
  if (last == NULL || last->index != index) {
    if (sync->n_marks == AUDIO_CAST_SYNC_MAX_MARKS) {
      /* Only with more discontinuities queued than marks: the newest one
       * gives way, so what is queued before it keeps its timing. */
      sync->n_marks--;
    }
    sync->n_marks++;
    last = newest_mark (sync);
  }
  last->index = index;
  last->running_time = running_time;
}

/**
 * audio_cast_sync_running_time:
 * @index: the ring position the consumer reads next
 * @running_time: (out): the running time of that frame
 * @run: (out): frames from @index on that follow it back to back (up to
 *   the next mark; G_MAXUINT64 when there is none)
 *
 * Forgets the marks the consumer has passed; reaching a new one ends the
 * alignment. FALSE for untimed frames.
 */
gboolean
audio_cast_sync_running_time (AudioCastSync *sync, guint64 index,
    GstClockTime *running_time, guint64 *run)
{
  AudioCastSyncMark *mark;

  while (sync->n_marks > 1 && mark_at (sync, 1)->index <= index) {
    sync->first = (sync->first + 1) % AUDIO_CAST_SYNC_MAX_MARKS;
    sync->n_marks--;
    sync->aligned = FALSE;
  }
  if (sync->n_marks == 0 || sync->rate <= 0)
    return FALSE;
  mark = mark_at (sync, 0);
  if (mark->index > index || !GST_CLOCK_TIME_IS_VALID (mark->running_time))
    return FALSE;
  *running_time = mark->running_time + frames_to_time (sync,
      index - mark->index);
  *run = sync->n_marks > 1 ? mark_at (sync, 1)->index - index : G_MAXUINT64;
  return TRUE;
}

/* The frames read next follow a pause, an underrun or a flush: they are
 * placed exactly again. */
void
audio_cast_sync_unalign (AudioCastSync *sync)
{
  sync->aligned = FALSE;
}

/**
 * audio_cast_sync_decide:
 * @early: how much sooner the next frame should be heard than it would be
 *   if pushed now (negative: later)
 * @tolerance: lateness accepted when aligning; twice that in either
 *   direction once aligned
 * @frames: (out): for WAIT, the silence to push; for SKIP, the frames that
 *   are too late
 */
AudioCastSyncAction
audio_cast_sync_decide (AudioCastSync *sync, GstClockTimeDiff early,
    GstClockTime tolerance, guint64 *frames)
{
  GstClockTimeDiff half_frame = GST_SECOND / (2 * MAX (sync->rate, 1));

  if (sync->aligned && ABS (early) <= 2 * (GstClockTimeDiff) tolerance)
    return AUDIO_CAST_SYNC_PLAY;
  sync->aligned = FALSE;
  if (early > half_frame) {
    *frames = MAX (1, gst_util_uint64_scale_int_round (early, sync->rate,
            GST_SECOND));
    return AUDIO_CAST_SYNC_WAIT;
  }
  if (early < -(GstClockTimeDiff) tolerance) {
    *frames = MAX (1, gst_util_uint64_scale_int_round (-early, sync->rate,
            GST_SECOND));
    return AUDIO_CAST_SYNC_SKIP;
  }
  sync->aligned = TRUE;
  return AUDIO_CAST_SYNC_PLAY;
}
