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

#define AUDIO_CAST_SYNC_MAX_MARKS 64

/* Timestamps closer than this to where the frames before them end are taken
 * as back to back: demuxers round their timestamps, and a few ms of silence
 * inserted at every rounding would be heard. Gaps longer than it play as
 * silence. */
#define AUDIO_CAST_SYNC_DISCONT_THRESHOLD (10 * GST_MSECOND)

/*
 * AudioCastSync answers "when should the frame at this ring position be
 * heard?" for a queue with sync on, and decides what the output thread does
 * about it.
 *
 * The producer marks the ring position where timed frames start after a
 * discontinuity (the first buffer, a gap, a new segment that does not
 * continue the last): a mark holds the running time of its first frame, or
 * none for frames written without timestamps (those play back to back and
 * never wait or drop). The frames up to the next mark follow at one per
 * sample period.
 *
 * The consumer looks up the running time of the next frame it would push,
 * compares when it should be heard with when it would be, and waits (pushes
 * silence), plays, or skips. After a discontinuity it aligns exactly; once
 * aligned it lets the estimate wander within a tolerance, so the jitter of
 * a device position never cuts the audio.
 *
 * Plain data, no allocation: the queue guards it with its lock. Positions
 * are the ring's absolute frame counters.
 */
typedef struct
{
  guint64 index;                /* ring position of the first frame */
  GstClockTime running_time;    /* GST_CLOCK_TIME_NONE: untimed */
} AudioCastSyncMark;

typedef struct
{
  AudioCastSyncMark marks[AUDIO_CAST_SYNC_MAX_MARKS];
  guint first;
  guint n_marks;
  gint rate;
  gboolean aligned;             /* the frames being read play on time */
} AudioCastSync;

typedef enum
{
  AUDIO_CAST_SYNC_PLAY,         /* push the frames now */
  AUDIO_CAST_SYNC_WAIT,         /* early: push this much silence first */
  AUDIO_CAST_SYNC_SKIP,         /* late: this many frames cannot be heard on time */
} AudioCastSyncAction;

void     audio_cast_sync_reset        (AudioCastSync *sync, gint rate);
void     audio_cast_sync_mark         (AudioCastSync *sync, guint64 index,
                                       GstClockTime running_time,
                                       gboolean discont);
gboolean audio_cast_sync_running_time (AudioCastSync *sync, guint64 index,
                                       GstClockTime *running_time,
                                       guint64 *run);
void     audio_cast_sync_unalign      (AudioCastSync *sync);
AudioCastSyncAction audio_cast_sync_decide (AudioCastSync *sync,
                                            GstClockTimeDiff early,
                                            GstClockTime tolerance,
                                            guint64 *frames);

G_END_DECLS
