/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* A mixer stream's map from the mix's timeline to its own ring positions:
 * see audiocast-timeline-marks.h. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-timeline-marks.h"

#include <gst/gst.h>

#define N_MARKS AUDIO_CAST_TIMELINE_MARKS

/* No mark: the stream starts over (a clear, a rewind, a new mix format). */
void
audio_cast_timeline_marks_clear (AudioCastTimelineMarks *marks)
{
  marks->n = 0;
}

/* The ring stood at @pos when the timeline reached @t; the oldest mark goes
 * when all are in use. */
void
audio_cast_timeline_marks_push (AudioCastTimelineMarks *marks, guint64 t,
    guint64 pos)
{
  AudioCastTimelineMark *m;

  if (marks->n == N_MARKS) {
    marks->first = (marks->first + 1) % N_MARKS;
    marks->n--;
  }
  m = &marks->marks[(marks->first + marks->n) % N_MARKS];
  m->t = t;
  m->pos = pos;
  marks->n++;
}

/* The newest mark, or NULL when there is none. */
const AudioCastTimelineMark *
audio_cast_timeline_marks_last (const AudioCastTimelineMarks *marks)
{
  if (marks->n == 0)
    return NULL;
  return &marks->marks[(marks->first + marks->n - 1) % N_MARKS];
}

/* The ring position once the timeline was heard up to @t, between the marks
 * around it (the stream's frames come out evenly within a period); the marks
 * older than the one at or before @t go, as no later @t needs them. FALSE,
 * and @pos untouched, when no mark is at or before @t. */
gboolean
audio_cast_timeline_marks_position_at (AudioCastTimelineMarks *marks,
    guint64 t, guint64 *pos)
{
  const AudioCastTimelineMark *before = NULL, *after = NULL;
  guint i;

  for (i = 0; i < marks->n; i++) {
    const AudioCastTimelineMark *m =
        &marks->marks[(marks->first + i) % N_MARKS];

    if (m->t <= t)
      before = m;
    else {
      after = m;
      break;
    }
  }
  while (marks->n > 1 && marks->marks[(marks->first + 1) % N_MARKS].t <= t) {
    marks->first = (marks->first + 1) % N_MARKS;
    marks->n--;
  }
  if (before == NULL)
    return FALSE;
  if (after == NULL || after->pos <= before->pos)
    *pos = before->pos;
  else
    *pos = before->pos + gst_util_uint64_scale (after->pos - before->pos,
        t - before->t, after->t - before->t);
  return TRUE;
}
