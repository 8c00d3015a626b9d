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

#include <gst/gst.h>
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
    guint rate, guint64 capacity)
{
  memset (ring, 0, sizeof (*ring));
  ring->rate = rate;
  g_mutex_init (&ring->lock);
  g_cond_init (&ring->data_cond);
  audio_cast_wakeup_init (&ring->wakeup);
  audio_cast_ring_init (&ring->ring);
  return audio_cast_ring_alloc (&ring->ring, bpf, capacity);
}

/* Called once no thread uses the ring any more. */
void
audio_cast_capture_ring_clear (AudioCastCaptureRing *ring)
{
  audio_cast_ring_free (&ring->ring);
  audio_cast_wakeup_clear (&ring->wakeup);
  g_cond_clear (&ring->data_cond);
  g_mutex_clear (&ring->lock);
}

/* Called with the lock held. */
static void
add_anchor (AudioCastCaptureRing *ring, guint64 frame, gint64 time_us)
{
  if (time_us < 0 || ring->rate == 0)
    return;
  ring->anchors[ring->next_anchor].frame = frame;
  ring->anchors[ring->next_anchor].time_us = time_us;
  ring->next_anchor = (ring->next_anchor + 1) % AUDIO_CAST_CAPTURE_ANCHORS;
  if (ring->n_anchors < AUDIO_CAST_CAPTURE_ANCHORS)
    ring->n_anchors++;
}

/* When @frame was captured: counted on from the newest anchor at or before
 * it (or back from the oldest one, for a frame older than every anchor
 * kept); -1 without anchors. Called with the lock held. */
static gint64
capture_time_of (AudioCastCaptureRing *ring, guint64 frame)
{
  const AudioCastCaptureAnchor *anchor = NULL;
  guint i;

  if (ring->n_anchors == 0)
    return -1;
  for (i = 1; i <= ring->n_anchors && anchor == NULL; i++) {
    const AudioCastCaptureAnchor *a = &ring->anchors[(ring->next_anchor
            + AUDIO_CAST_CAPTURE_ANCHORS - i) % AUDIO_CAST_CAPTURE_ANCHORS];

    if (a->frame <= frame)
      anchor = a;
  }
  if (anchor == NULL) {
    anchor = &ring->anchors[(ring->next_anchor + AUDIO_CAST_CAPTURE_ANCHORS
            - ring->n_anchors) % AUDIO_CAST_CAPTURE_ANCHORS];
    return anchor->time_us - (gint64) gst_util_uint64_scale (anchor->frame
        - frame, G_USEC_PER_SEC, ring->rate);
  }
  return anchor->time_us + (gint64) gst_util_uint64_scale (frame
      - anchor->frame, G_USEC_PER_SEC, ring->rate);
}

/* The capture thread: never waits for the reader. What does not fit pushes
 * the oldest frames out; a push larger than the ring keeps its newest
 * frames (the ones before them count as dropped too). @time_us: when the
 * first frame of @src was captured (monotonic clock), -1 if unknown. */
void
audio_cast_capture_ring_push (AudioCastCaptureRing *ring, const guint8 *src,
    guint64 frames, gint64 time_us)
{
  guint64 capacity = ring->ring.capacity, dropped = 0, space;

  if (frames == 0)
    return;
  g_mutex_lock (&ring->lock);
  if (ring->stopped) {
    /* the capture thread had not stopped yet: after stop() returned, what
     * can still be read is fixed */
    g_mutex_unlock (&ring->lock);
    return;
  }
  add_anchor (ring, ring->captured, time_us);
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
  audio_cast_wakeup_fire_if_reached (&ring->wakeup,
      audio_cast_ring_fill (&ring->ring));
  g_mutex_unlock (&ring->lock);
}

/* The "cancelled" handler of a reader's GCancellable: wakes the reader,
 * which checks the cancellable under the lock before each wait. */
static void
wake_reader (GCancellable *cancellable, AudioCastCaptureRing *ring)
{
  g_mutex_lock (&ring->lock);
  g_cond_broadcast (&ring->data_cond);
  g_mutex_unlock (&ring->lock);
}

/* Called with the lock held. */
static AudioCastCaptureRead
copy_until_done (AudioCastCaptureRing *ring, guint8 *dest, guint64 frames,
    gint64 deadline, GCancellable *cancellable, AudioCastCaptureReadInfo *info)
{
  gsize bpf = ring->ring.bpf;

  while (info->got < frames) {
    guint64 n, first = ring->captured - audio_cast_ring_fill (&ring->ring);

    if (ring->dropped_unreported > 0) {
      if (info->got > 0)
        /* they came after the frames copied: the next read reports them */
        return AUDIO_CAST_CAPTURE_READ_DROPPED_AFTER;
      info->dropped_before += ring->dropped_unreported;
      ring->dropped_unreported = 0;
    }
    n = audio_cast_ring_read (&ring->ring, dest + info->got * bpf,
        frames - info->got);
    if (n > 0 && info->got == 0)
      info->first_time_us = capture_time_of (ring, first);
    info->got += n;
    ring->read += n;
    if (info->got == frames)
      break;
    if (ring->stopped)
      return AUDIO_CAST_CAPTURE_READ_STOPPED;
    if (g_cancellable_is_cancelled (cancellable))
      return AUDIO_CAST_CAPTURE_READ_CANCELLED;
    if (!g_cond_wait_until (&ring->data_cond, &ring->lock, deadline)
        && audio_cast_ring_fill (&ring->ring) == 0
        && ring->dropped_unreported == 0)
      return AUDIO_CAST_CAPTURE_READ_TIMED_OUT;
  }
  return AUDIO_CAST_CAPTURE_READ_COMPLETE;
}

/* The reader: copies @frames frames into @dest as they arrive, for at most
 * @timeout_us (< 0: no limit) or until @cancellable (nullable) is
 * cancelled, and says why it copied fewer (@info->got) when it did.
 * @info->dropped_before is how many frames the capture thread dropped
 * before the first one copied; frames are never dropped between two copied
 * ones (the read ends before them: DROPPED_AFTER). */
AudioCastCaptureRead
audio_cast_capture_ring_read (AudioCastCaptureRing *ring, guint8 *dest,
    guint64 frames, gint64 timeout_us, GCancellable *cancellable,
    AudioCastCaptureReadInfo *info)
{
  gint64 deadline = timeout_us < 0 ? G_MAXINT64
      : deadline_after (g_get_monotonic_time (), timeout_us);
  AudioCastCaptureRead result;
  gulong handler = 0;

  info->got = 0;
  info->dropped_before = 0;
  info->first_time_us = -1;
  if (cancellable)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_reader),
        ring, NULL);
  g_mutex_lock (&ring->lock);
  result = copy_until_done (ring, dest, frames, deadline, cancellable, info);
  g_mutex_unlock (&ring->lock);
  if (cancellable)
    g_cancellable_disconnect (cancellable, handler);
  return result;
}

/* Waits until @frames frames (at most the ring's capacity) can be read, or
 * frames were dropped (a read then returns at once too), for at most
 * @timeout_us (< 0: no limit) or until @cancellable is cancelled or the
 * ring stopped. Reads nothing. TRUE when a read would not wait. */
gboolean
audio_cast_capture_ring_wait (AudioCastCaptureRing *ring, guint64 frames,
    gint64 timeout_us, GCancellable *cancellable)
{
  gint64 deadline = timeout_us < 0 ? G_MAXINT64
      : deadline_after (g_get_monotonic_time (), timeout_us);
  gulong handler = 0;
  gboolean ready;

  frames = MIN (frames, ring->ring.capacity);
  if (cancellable)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_reader),
        ring, NULL);
  g_mutex_lock (&ring->lock);
  while (!(ready = audio_cast_ring_fill (&ring->ring) >= frames
          || ring->dropped_unreported > 0) && !ring->stopped
      && !g_cancellable_is_cancelled (cancellable)
      && g_cond_wait_until (&ring->data_cond, &ring->lock, deadline));
  ready = audio_cast_ring_fill (&ring->ring) >= frames
      || ring->dropped_unreported > 0;
  g_mutex_unlock (&ring->lock);
  if (cancellable)
    g_cancellable_disconnect (cancellable, handler);
  return ready;
}

/* Waits until the first frames were pushed, for at most @timeout_us;
 * FALSE when none came (or the ring was stopped first). */
gboolean
audio_cast_capture_ring_wait_first (AudioCastCaptureRing *ring,
    gint64 timeout_us)
{
  gint64 deadline = deadline_after (g_get_monotonic_time (), timeout_us);
  gboolean started;

  g_mutex_lock (&ring->lock);
  while (ring->captured == 0 && !ring->stopped
      && g_cond_wait_until (&ring->data_cond, &ring->lock, deadline));
  started = ring->captured > 0;
  g_mutex_unlock (&ring->lock);
  return started;
}

/* Releases every reader now and from now on; the frames still in the ring
 * can be read. */
void
audio_cast_capture_ring_stop (AudioCastCaptureRing *ring)
{
  g_mutex_lock (&ring->lock);
  ring->stopped = TRUE;
  g_cond_broadcast (&ring->data_cond);
  audio_cast_wakeup_fire (&ring->wakeup);
  g_mutex_unlock (&ring->lock);
}

gint
audio_cast_capture_ring_get_wakeup_fd (AudioCastCaptureRing *ring)
{
  gint fd;

  g_mutex_lock (&ring->lock);
  fd = audio_cast_wakeup_get_fd (&ring->wakeup);
  g_mutex_unlock (&ring->lock);
  return fd;
}

/* Arms the wakeup for @frames frames to read (capped to the ring: more
 * never fit), fired at once when they are there or the ring stopped. */
void
audio_cast_capture_ring_arm_wakeup (AudioCastCaptureRing *ring,
    guint64 frames)
{
  g_mutex_lock (&ring->lock);
  audio_cast_wakeup_arm (&ring->wakeup,
      MAX (1, MIN (frames, ring->ring.capacity)));
  if (ring->stopped)
    audio_cast_wakeup_fire (&ring->wakeup);
  else
    audio_cast_wakeup_fire_if_reached (&ring->wakeup,
        audio_cast_ring_fill (&ring->ring));
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
