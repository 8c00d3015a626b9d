/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/*
 * AudioCastMediaPosition answers "where in the media is the sound heard
 * now?" for a queue fed by a media pipeline.
 *
 * The queue plays every frame it is given, one after the other, on a
 * timeline of its own; upstream's segment and timestamps say where in the
 * media those frames come from. The position keeps, for the segment in
 * force, the media time of one frame of it and that frame's index among all
 * frames ever written, and maps the index of the frame heard now (frames
 * played plus frames cleared: every frame before it was one or the other)
 * onto the media at one frame per sample period.
 *
 * Plain data: the queue keeps one under its lock.
 */
typedef struct
{
  GstSegment segment;           /* upstream's, TIME; undefined until set */
  gboolean have_segment;
  gboolean have_base;           /* base_* set: a timestamped frame arrived */
  guint64 base_index;           /* a frame's index among all written... */
  GstClockTime base_time;       /* ...and its timestamp in the segment */
} AudioCastMediaPosition;

void     audio_cast_media_position_reset       (AudioCastMediaPosition *pos);
void     audio_cast_media_position_set_segment (AudioCastMediaPosition *pos,
                                                const GstSegment *segment,
                                                guint64 written);
void     audio_cast_media_position_add_buffer  (AudioCastMediaPosition *pos,
                                                GstClockTime pts,
                                                guint64 written,
                                                gint rate);
gboolean audio_cast_media_position_get         (const AudioCastMediaPosition *pos,
                                                guint64 heard_index,
                                                gint rate,
                                                gint64 *stream_time);

G_END_DECLS
