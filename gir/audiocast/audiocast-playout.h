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

#define AUDIO_CAST_PLAYOUT_MAX_RUNS 64

/*
 * AudioCastPlayout answers "how many of the frames the application wrote
 * have been heard?".
 *
 * The queue pushes a continuous timeline downstream: application data, and
 * silence whenever the ring runs dry. Every frame pushed advances the
 * timeline; runs of application data are remembered with the number of data
 * frames that precede them. The device tells how far into the timeline it has
 * played (an anchor taken after each push, plus the device clock), and the
 * heard data frames follow from the runs.
 *
 * An epoch starts at each clear: everything pushed before it is either heard
 * or discarded, so the heard figure is frozen and the runs are dropped.
 *
 * No locking: the queue guards it with its lock. Units are frames at the
 * queue's input rate, except the device sample counters.
 */
typedef struct
{
  guint64 t_start;              /* timeline position of the first frame */
  guint64 played_before;        /* data frames heard when the run starts */
  guint64 length;
} AudioCastPlayoutRun;

typedef struct
{
  AudioCastPlayoutRun runs[AUDIO_CAST_PLAYOUT_MAX_RUNS];
  guint first;
  guint n_runs;

  guint64 t_end;                /* timeline frames pushed so far */
  guint64 data_pushed;          /* data frames pushed in this epoch... */
  guint64 epoch_base;           /* ...on top of those heard in earlier ones */

  /* Where the device is: after the last push, the timeline position
   * @anchor_t ended at device sample @anchor_dev. */
  gboolean anchored;
  guint64 anchor_t;
  guint64 anchor_dev;
  gint rate;                    /* timeline (input) rate */
  gint dev_rate;

  guint64 heard_t;              /* monotonic */
  /* What was heard when the oldest run had to be forgotten to make room
   * (the device lagging more than AUDIO_CAST_PLAYOUT_MAX_RUNS data/silence
   * alternations behind): until the heard position reaches the runs still
   * known, the count stays there rather than fall back to the epoch's base.
   * A lower bound, so the count never goes back and never overstates. */
  guint64 heard_at_eviction;
} AudioCastPlayout;

void     audio_cast_playout_reset     (AudioCastPlayout *p, gint rate);
void     audio_cast_playout_push      (AudioCastPlayout *p, guint64 frames, gboolean is_data);
void     audio_cast_playout_anchor    (AudioCastPlayout *p, guint64 t_end, guint64 dev_end, gint dev_rate);
void     audio_cast_playout_advance   (AudioCastPlayout *p, guint64 dev_now);
void     audio_cast_playout_new_epoch (AudioCastPlayout *p);
guint64  audio_cast_playout_heard     (const AudioCastPlayout *p);
guint64  audio_cast_playout_pushed    (const AudioCastPlayout *p);
guint64  audio_cast_playout_unheard   (const AudioCastPlayout *p);
guint64  audio_cast_playout_heard_past_data (const AudioCastPlayout *p);

G_END_DECLS
