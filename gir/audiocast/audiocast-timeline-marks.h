/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * AudioCastTimelineMarks: where a mixer stream's ring stood at points of the
 * mix's timeline, one mark per period rendered, so that a position heard on
 * the timeline can be turned into the stream's frames heard.
 *
 * A plain data structure with no locking of its own: the stream guards it
 * with its lock. A fixed array, so pushing a mark never allocates (the
 * rendering thread does it every period).
 */

/* Marks kept: 512 periods of 10 ms are 5 s, more than any device lags
 * behind. Older ones go; a position then maps to the oldest one kept, so the
 * count it gives waits (it never goes back and never overstates). */
#define AUDIO_CAST_TIMELINE_MARKS 512

typedef struct
{
  guint64 t;                    /* timeline position where a period ended */
  guint64 pos;                  /* ring position every frame before which
                                 * had come out of the converter by then */
} AudioCastTimelineMark;

typedef struct
{
  AudioCastTimelineMark marks[AUDIO_CAST_TIMELINE_MARKS];
  guint first;
  guint n;
} AudioCastTimelineMarks;

void     audio_cast_timeline_marks_clear (AudioCastTimelineMarks *marks);
void     audio_cast_timeline_marks_push (AudioCastTimelineMarks *marks,
                                         guint64 t, guint64 pos);
const AudioCastTimelineMark *
         audio_cast_timeline_marks_last (const AudioCastTimelineMarks *marks);
gboolean audio_cast_timeline_marks_position_at (AudioCastTimelineMarks *marks,
                                                guint64 t, guint64 *pos);

G_END_DECLS
