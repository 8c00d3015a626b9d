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

G_BEGIN_DECLS

/* The ring between a capture thread and the application's reader.
 *
 * The capture thread (a GStreamer streaming thread) must never wait for the
 * reader: audio_cast_capture_ring_push() only takes the lock for a memcpy.
 * When the reader falls behind by more than the ring holds, the oldest
 * frames make room for the new ones: they are counted as dropped, each push
 * that dropped any counts as an overflow, and the next read reports how
 * many frames were dropped before its first frame. A reader waits with a
 * timeout, and stop() releases it. */
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
} AudioCastCaptureRing;

typedef enum
{
  AUDIO_CAST_CAPTURE_READ_COMPLETE,   /* all the frames asked for */
  AUDIO_CAST_CAPTURE_READ_TIMED_OUT,  /* fewer: the timeout came first */
  AUDIO_CAST_CAPTURE_READ_STOPPED,    /* fewer: the ring was stopped */
  AUDIO_CAST_CAPTURE_READ_DROPPED_AFTER, /* fewer: frames after them were
                                          * dropped (the next read says) */
} AudioCastCaptureRead;

typedef struct
{
  guint64 captured;
  guint64 read;
  guint64 dropped;
  guint overflows;
  guint64 available;
} AudioCastCaptureStats;

gboolean audio_cast_capture_ring_init  (AudioCastCaptureRing *ring, gsize bpf,
                                        guint64 capacity);
void     audio_cast_capture_ring_clear (AudioCastCaptureRing *ring);

void     audio_cast_capture_ring_push  (AudioCastCaptureRing *ring,
                                        const guint8 *src, guint64 frames);

AudioCastCaptureRead audio_cast_capture_ring_read (AudioCastCaptureRing *ring,
                                        guint8 *dest, guint64 frames,
                                        gint64 timeout_us, guint64 *got,
                                        guint64 *dropped_before);

void     audio_cast_capture_ring_stop  (AudioCastCaptureRing *ring);
void     audio_cast_capture_ring_get_stats (AudioCastCaptureRing *ring,
                                        AudioCastCaptureStats *stats);

G_END_DECLS
