/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "audiocast-playout.h"

#include <gst/gst.h>
#include <string.h>

void
audio_cast_playout_reset (AudioCastPlayout *p, gint rate)
{
  guint64 heard = audio_cast_playout_heard (p);

  memset (p, 0, sizeof (*p));
  p->rate = rate;
  p->epoch_base = heard;
}

/* Where in runs[] the @i-th run kept (the oldest first) is. */
static guint
run_slot (const AudioCastPlayout *p, guint i)
{
  return (p->first + i) % AUDIO_CAST_PLAYOUT_MAX_RUNS;
}

static AudioCastPlayoutRun *
last_run (AudioCastPlayout *p)
{
  if (p->n_runs == 0)
    return NULL;
  return &p->runs[run_slot (p, p->n_runs - 1)];
}

/* Drops runs that lie wholly before the heard position, keeping the one the
 * heard position falls into. */
static void
prune_heard_runs (AudioCastPlayout *p)
{
  while (p->n_runs > 1) {
    AudioCastPlayoutRun *next = &p->runs[run_slot (p, 1)];

    if (next->t_start > p->heard_t)
      break;
    p->first = run_slot (p, 1);
    p->n_runs--;
  }
}

void
audio_cast_playout_push (AudioCastPlayout *p, guint64 frames, gboolean is_data)
{
  if (is_data) {
    AudioCastPlayoutRun *run = last_run (p);

    if (run && run->t_start + run->length == p->t_end) {
      run->length += frames;
    } else {
      if (p->n_runs == AUDIO_CAST_PLAYOUT_MAX_RUNS) {
        /* Only happens when the device lags many silence/data alternations
         * behind; the oldest run is the least wrong one to forget, and what
         * was heard of it stays counted. */
        p->heard_at_eviction = audio_cast_playout_heard (p);
        p->first = run_slot (p, 1);
        p->n_runs--;
      }
      p->n_runs++;
      run = last_run (p);
      run->t_start = p->t_end;
      run->played_before = p->epoch_base + p->data_pushed;
      run->length = frames;
    }
    p->data_pushed += frames;
  }
  p->t_end += frames;
}

void
audio_cast_playout_anchor (AudioCastPlayout *p, guint64 t_end,
    guint64 dev_end, gint dev_rate)
{
  p->anchored = TRUE;
  p->anchor_t = MIN (t_end, p->t_end);
  p->anchor_dev = dev_end;
  p->dev_rate = dev_rate;
}

/* @dev_now: the device sample being heard now, in the same counter as the
 * anchor's @dev_end. */
void
audio_cast_playout_advance (AudioCastPlayout *p, guint64 dev_now)
{
  guint64 queued_dev, queued_t, heard_t;

  if (!p->anchored || p->dev_rate <= 0)
    return;

  queued_dev = p->anchor_dev > dev_now ? p->anchor_dev - dev_now : 0;
  queued_t = gst_util_uint64_scale_ceil (queued_dev, p->rate, p->dev_rate);
  heard_t = p->anchor_t > queued_t ? p->anchor_t - queued_t : 0;

  if (heard_t > p->heard_t) {
    p->heard_t = heard_t;
    prune_heard_runs (p);
  }
}

/* Everything pushed so far is now either heard or gone from the device. */
void
audio_cast_playout_new_epoch (AudioCastPlayout *p)
{
  p->epoch_base = audio_cast_playout_heard (p);
  p->heard_at_eviction = 0;
  p->data_pushed = 0;
  p->n_runs = 0;
  p->first = 0;
  p->anchored = FALSE;
  p->heard_t = p->t_end;
}

guint64
audio_cast_playout_heard (const AudioCastPlayout *p)
{
  guint i;

  /* The last run starting at or before the heard position decides. */
  for (i = p->n_runs; i > 0; i--) {
    const AudioCastPlayoutRun *run = &p->runs[run_slot (p, i - 1)];

    if (run->t_start <= p->heard_t)
      return run->played_before + MIN (p->heard_t - run->t_start, run->length);
  }
  return MAX (p->epoch_base, p->heard_at_eviction);
}

/* How far the heard position is past the end of the last data pushed in
 * this epoch, in timeline frames: 0 while some of it is still ahead of
 * the heard position, G_MAXUINT64 when none was pushed. */
guint64
audio_cast_playout_heard_past_data (const AudioCastPlayout *p)
{
  const AudioCastPlayoutRun *run;
  guint64 end;

  if (p->n_runs == 0)
    return G_MAXUINT64;
  run = &p->runs[run_slot (p, p->n_runs - 1)];
  end = run->t_start + run->length;
  return p->heard_t > end ? p->heard_t - end : 0;
}

/* Timeline frames handed downstream and not heard yet, silence included:
 * what the device holds. */
guint64
audio_cast_playout_unheard (const AudioCastPlayout *p)
{
  return p->t_end - MIN (p->t_end, p->heard_t);
}

/* Data frames handed downstream, across epochs' heard parts. */
guint64
audio_cast_playout_pushed (const AudioCastPlayout *p)
{
  return p->epoch_base + p->data_pushed;
}
