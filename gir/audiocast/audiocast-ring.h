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
 * AudioCastRing: a fixed-capacity FIFO of interleaved audio frames.
 *
 * It is a plain data structure with no locking of its own: the queue element
 * guards it with its lock. Positions are absolute frame counters (they never
 * wrap), so "how much was read" and "how much was written" stay comparable
 * across wrap-arounds of the storage.
 */
typedef struct
{
  guint8 *data;
  gsize bpf;                    /* bytes per frame */
  guint64 capacity;             /* in frames */
  guint64 read_pos;             /* absolute frame index of the next read */
  guint64 write_pos;            /* absolute frame index of the next write */
} AudioCastRing;

void     audio_cast_ring_init   (AudioCastRing *ring);
gboolean audio_cast_ring_alloc  (AudioCastRing *ring, gsize bpf, guint64 capacity);
void     audio_cast_ring_free   (AudioCastRing *ring);

guint64  audio_cast_ring_write  (AudioCastRing *ring, const guint8 *src, guint64 frames);
guint64  audio_cast_ring_read   (AudioCastRing *ring, guint8 *dest, guint64 frames);
guint64  audio_cast_ring_discard (AudioCastRing *ring);
guint64  audio_cast_ring_skip   (AudioCastRing *ring, guint64 frames);

static inline guint64
audio_cast_ring_fill (const AudioCastRing *ring)
{
  return ring->write_pos - ring->read_pos;
}

static inline guint64
audio_cast_ring_space (const AudioCastRing *ring)
{
  return ring->capacity - audio_cast_ring_fill (ring);
}

G_END_DECLS
