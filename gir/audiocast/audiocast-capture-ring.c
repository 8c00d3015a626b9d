/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The capture ring: see audiocast-capture-ring.h. The frames a reader gets
 * are always contiguous captured audio: a read that would span frames the
 * capture thread dropped returns early, and the next read reports the
 * drop. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-capture-ring.h"

#include <string.h>

/* @a + @b_us for a monotonic time and a non-negative span, G_MAXINT64 at
 * most. */
static gint64
deadline_after (gint64 now, gint64 timeout_us)
{
  return timeout_us > G_MAXINT64 - now ? G_MAXINT64 : now + timeout_us;
}

/* Called before any thread uses the ring. */
gboolean
audio_cast_capture_ring_init (AudioCastCaptureRing *ring, gsize bpf,
    guint64 capacity)
{
  memset (ring, 0, sizeof (*ring));
  g_mutex_init (&ring->lock);
  g_cond_init (&ring->data_cond);
  audio_cast_ring_init (&ring->ring);
  return audio_cast_ring_alloc (&ring->ring, bpf, capacity);
}

/* Called once no thread uses the ring any more. */
void
audio_cast_capture_ring_clear (AudioCastCaptureRing *ring)
{
  audio_cast_ring_free (&ring->ring);
  g_cond_clear (&ring->data_cond);
  g_mutex_clear (&ring->lock);
}

/* The capture thread: never waits for the reader. What does not fit pushes
 * the oldest frames out; a push larger than the ring keeps its newest
 * frames (the ones before them count as dropped too). */
void
audio_cast_capture_ring_push (AudioCastCaptureRing *ring, const guint8 *src,
    guint64 frames)
{
  guint64 capacity = ring->ring.capacity, dropped = 0, space;

  if (frames == 0)
    return;
  g_mutex_lock (&ring->lock);
  if (frames > capacity) {
    dropped = frames - capacity;
    src += dropped * ring->ring.bpf;
    ring->captured += dropped;
    frames = capacity;
  }
  space = audio_cast_ring_space (&ring->ring);
  if (frames > space)
    dropped += audio_cast_ring_skip (&ring->ring, frames - space);
  audio_cast_ring_write (&ring->ring, src, frames);
  ring->captured += frames;
  if (dropped > 0) {
    ring->dropped += dropped;
    ring->dropped_unreported += dropped;
    ring->overflows++;
  }
  g_cond_broadcast (&ring->data_cond);
  g_mutex_unlock (&ring->lock);
}

/* The reader: copies @frames frames into @dest as they arrive, for at most
 * @timeout_us (< 0: no limit), and says why it copied fewer (*@got) when
 * it did. *@dropped_before is how many frames the capture thread dropped
 * before the first one copied; frames are never dropped between two
 * copied ones (the read ends before them: DROPPED_AFTER). */
AudioCastCaptureRead
audio_cast_capture_ring_read (AudioCastCaptureRing *ring, guint8 *dest,
    guint64 frames, gint64 timeout_us, guint64 *got, guint64 *dropped_before)
{
  gint64 deadline = timeout_us < 0 ? G_MAXINT64
      : deadline_after (g_get_monotonic_time (), timeout_us);
  AudioCastCaptureRead result = AUDIO_CAST_CAPTURE_READ_COMPLETE;
  gsize bpf = ring->ring.bpf;

  *got = 0;
  *dropped_before = 0;
  g_mutex_lock (&ring->lock);
  while (*got < frames) {
    guint64 n;

    if (ring->dropped_unreported > 0) {
      if (*got > 0) {
        /* they came after the frames copied: the next read reports them */
        result = AUDIO_CAST_CAPTURE_READ_DROPPED_AFTER;
        break;
      }
      *dropped_before += ring->dropped_unreported;
      ring->dropped_unreported = 0;
    }
    n = audio_cast_ring_read (&ring->ring, dest + *got * bpf, frames - *got);
    *got += n;
    ring->read += n;
    if (*got == frames)
      break;
    if (ring->stopped) {
      result = AUDIO_CAST_CAPTURE_READ_STOPPED;
      break;
    }
    if (!g_cond_wait_until (&ring->data_cond, &ring->lock, deadline)
        && audio_cast_ring_fill (&ring->ring) == 0
        && ring->dropped_unreported == 0) {
      result = AUDIO_CAST_CAPTURE_READ_TIMED_OUT;
      break;
    }
  }
  g_mutex_unlock (&ring->lock);
  return result;
}

/* Releases every reader now and from now on; the frames still in the ring
 * can be read. */
void
audio_cast_capture_ring_stop (AudioCastCaptureRing *ring)
{
  g_mutex_lock (&ring->lock);
  ring->stopped = TRUE;
  g_cond_broadcast (&ring->data_cond);
  g_mutex_unlock (&ring->lock);
}

void
audio_cast_capture_ring_get_stats (AudioCastCaptureRing *ring,
    AudioCastCaptureStats *stats)
{
  g_mutex_lock (&ring->lock);
  stats->captured = ring->captured;
  stats->read = ring->read;
  stats->dropped = ring->dropped;
  stats->overflows = ring->overflows;
  stats->available = audio_cast_ring_fill (&ring->ring);
  g_mutex_unlock (&ring->lock);
}
