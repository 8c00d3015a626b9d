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

#include "audiocast-media-position.h"
#include "audiocast-sync.h"

void
audio_cast_media_position_reset (AudioCastMediaPosition *pos)
{
  pos->have_segment = FALSE;
  pos->have_base = FALSE;
}

/* A new segment (after a seek, or the next track of a gapless change)
 * starts at @written frames; until a timestamped buffer says otherwise, its
 * first frame is its start. */
void
audio_cast_media_position_set_segment (AudioCastMediaPosition *pos,
    const GstSegment *segment, guint64 written)
{
  if (segment->format != GST_FORMAT_TIME) {
    audio_cast_media_position_reset (pos);
    return;
  }
  gst_segment_copy_into (segment, &pos->segment);
  pos->have_segment = TRUE;
  pos->have_base = TRUE;
  pos->base_index = written;
  pos->base_time = segment->rate >= 0 ? segment->start : segment->stop;
}

/* The first timestamped buffer of a segment fixes where its frames sit in
 * the media (a track whose audio starts late, a seek that lands between
 * two of a demuxer's packets), and so does one that does not follow the
 * frames before it (a gap, which the queue plays as silence with sync on).
 * The others are taken as back to back: the queue plays them so. */
void
audio_cast_media_position_add_buffer (AudioCastMediaPosition *pos,
    GstClockTime pts, guint64 written, gint rate)
{
  GstClockTime expected;

  if (!pos->have_segment || !GST_CLOCK_TIME_IS_VALID (pts) || rate <= 0)
    return;
  if (pos->base_index != written) {
    if (written < pos->base_index || pos->segment.rate < 0)
      return;
    expected = pos->base_time + gst_util_uint64_scale_int (written
        - pos->base_index, GST_SECOND, rate);
    if ((pts > expected ? pts - expected : expected - pts)
        < AUDIO_CAST_SYNC_DISCONT_THRESHOLD)
      return;
  }
  pos->base_index = written;
  pos->base_time = pts;
}

/* The stream time of the frame heard when @heard_index frames were played
 * or cleared; FALSE without a TIME segment. A frame of the segment not yet
 * heard gives the segment's first frame, as the new position after a seek
 * is the seek's target from the start. */
gboolean
audio_cast_media_position_get (const AudioCastMediaPosition *pos,
    guint64 heard_index, gint rate, gint64 *stream_time)
{
  GstClockTime offset, running;
  guint64 t;

  if (!pos->have_segment || !pos->have_base || rate <= 0)
    return FALSE;
  offset = heard_index > pos->base_index
      ? gst_util_uint64_scale_int (heard_index - pos->base_index, GST_SECOND,
      rate) : 0;
  if (pos->segment.rate >= 0) {
    running = pos->base_time + offset;
    if (GST_CLOCK_TIME_IS_VALID (pos->segment.stop))
      running = MIN (running, pos->segment.stop);
  } else {
    running = pos->base_time - MIN (pos->base_time, offset);
    running = MAX (running, pos->segment.start);
  }
  t = gst_segment_to_stream_time (&pos->segment, GST_FORMAT_TIME, running);
  if (!GST_CLOCK_TIME_IS_VALID (t))
    return FALSE;
  *stream_time = (gint64) t;
  return TRUE;
}
