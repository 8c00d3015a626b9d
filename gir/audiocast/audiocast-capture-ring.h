/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "audiocast-ring.h"
#include "audiocast-wakeup.h"

#include <gio/gio.h>

G_BEGIN_DECLS

/* The ring between a capture thread and the application's reader.
 *
 * The capture thread (a GStreamer streaming thread) must never wait for the
 * reader: audio_cast_capture_ring_push() only takes the lock for a memcpy.
 * When the reader falls behind by more than the ring holds, the oldest
 * frames make room for the new ones: they are counted as dropped, each push
 * that dropped any counts as an overflow, and the next read reports how
 * many frames were dropped before its first frame. A reader waits with a
 * timeout or until its GCancellable is cancelled, and stop() releases it.
 *
 * Each push may say when its first frame was captured (monotonic clock);
 * a read then says when its own first frame was, from the newest such
 * anchor at or before it. */

/* Enough for about a second of 10 ms pushes: an older frame's time is
 * extrapolated from the oldest anchor kept, which drifts by the clocks'
 * difference over that span only. */
#define AUDIO_CAST_CAPTURE_ANCHORS 128

typedef struct
{
  guint64 frame;                /* index among all frames captured */
  gint64 time_us;               /* monotonic time it was captured */
} AudioCastCaptureAnchor;

typedef struct
{
  /* lock: everything below; held for bookkeeping and memcpy only, never
   * while waiting for anything but data_cond */
  GMutex lock;
  GCond data_cond;              /* readers: frames arrived, or stop */
  AudioCastRing ring;
  guint64 captured;             /* frames pushed since init */
  guint64 read;                 /* frames handed to readers */
  guint64 dropped;              /* frames dropped to make room */
  guint overflows;              /* pushes that dropped frames */
  guint64 dropped_unreported;   /* dropped since the last read began */
  gboolean stopped;
  guint rate;                   /* frames per second, for capture times */
  AudioCastCaptureAnchor anchors[AUDIO_CAST_CAPTURE_ANCHORS];
  guint n_anchors;
  guint next_anchor;            /* where the next anchor goes */
  AudioCastWakeup wakeup;       /* an event loop's reader: wanted is the
                                 * frames it waits for */
} AudioCastCaptureRing;

typedef enum
{
  AUDIO_CAST_CAPTURE_READ_COMPLETE,   /* all the frames asked for */
  AUDIO_CAST_CAPTURE_READ_TIMED_OUT,  /* fewer: the timeout came first */
  AUDIO_CAST_CAPTURE_READ_STOPPED,    /* fewer: the ring was stopped */
  AUDIO_CAST_CAPTURE_READ_DROPPED_AFTER, /* fewer: frames after them were
                                          * dropped (the next read says) */
  AUDIO_CAST_CAPTURE_READ_CANCELLED,  /* fewer: the cancellable fired */
} AudioCastCaptureRead;

typedef struct
{
  guint64 got;                  /* frames copied */
  guint64 dropped_before;       /* frames dropped just before the first */
  gint64 first_time_us;         /* capture time of the first copied frame
                                 * (monotonic µs), -1 when unknown */
} AudioCastCaptureReadInfo;

typedef struct
{
  guint64 captured;
  guint64 read;
  guint64 dropped;
  guint overflows;
  guint64 available;
} AudioCastCaptureStats;

gboolean audio_cast_capture_ring_init  (AudioCastCaptureRing *ring, gsize bpf,
                                        guint rate, guint64 capacity);
void     audio_cast_capture_ring_clear (AudioCastCaptureRing *ring);

void     audio_cast_capture_ring_push  (AudioCastCaptureRing *ring,
                                        const guint8 *src, guint64 frames,
                                        gint64 time_us);

AudioCastCaptureRead audio_cast_capture_ring_read (AudioCastCaptureRing *ring,
                                        guint8 *dest, guint64 frames,
                                        gint64 timeout_us,
                                        GCancellable *cancellable,
                                        AudioCastCaptureReadInfo *info);

gint     audio_cast_capture_ring_get_wakeup_fd (AudioCastCaptureRing *ring);
void     audio_cast_capture_ring_arm_wakeup (AudioCastCaptureRing *ring,
                                             guint64 frames);
gboolean audio_cast_capture_ring_wait  (AudioCastCaptureRing *ring,
                                        guint64 frames, gint64 timeout_us,
                                        GCancellable *cancellable);
gboolean audio_cast_capture_ring_wait_first (AudioCastCaptureRing *ring,
                                        gint64 timeout_us);
void     audio_cast_capture_ring_stop  (AudioCastCaptureRing *ring);
void     audio_cast_capture_ring_get_stats (AudioCastCaptureRing *ring,
                                        AudioCastCaptureStats *stats);

G_END_DECLS
