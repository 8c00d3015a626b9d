/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "audiocast-ring.h"

#include <string.h>

void
audio_cast_ring_init (AudioCastRing *ring)
{
  memset (ring, 0, sizeof (*ring));
}

/* Called when the format is negotiated, never from the streaming path.
 * FALSE, with the ring as it was, when @capacity frames of @bpf bytes cannot
 * be had (a buffer-time of years asks for petabytes). */
gboolean
audio_cast_ring_alloc (AudioCastRing *ring, gsize bpf, guint64 capacity)
{
  gpointer data;

  g_return_val_if_fail (bpf > 0 && capacity > 0, FALSE);

  data = capacity > G_MAXSIZE ? NULL : g_try_malloc_n ((gsize) capacity, bpf);
  if (data == NULL)
    return FALSE;
  g_free (ring->data);
  ring->data = data;
  ring->bpf = bpf;
  ring->capacity = capacity;
  ring->read_pos = ring->write_pos = 0;
  return TRUE;
}

void
audio_cast_ring_free (AudioCastRing *ring)
{
  g_clear_pointer (&ring->data, g_free);
  ring->capacity = 0;
  ring->read_pos = ring->write_pos = 0;
}

/* Copies @frames frames between linear memory and the ring starting at
 * absolute position @pos, splitting the copy where the storage wraps. */
static void
copy_wrapped (AudioCastRing *ring, guint64 pos, guint8 *linear,
    guint64 frames, gboolean into_ring)
{
  guint64 offset = pos % ring->capacity;
  guint64 first = MIN (frames, ring->capacity - offset);
  guint8 *slot = ring->data + offset * ring->bpf;

  if (into_ring) {
    memcpy (slot, linear, first * ring->bpf);
    memcpy (ring->data, linear + first * ring->bpf, (frames - first) * ring->bpf);
  } else {
    memcpy (linear, slot, first * ring->bpf);
    memcpy (linear + first * ring->bpf, ring->data, (frames - first) * ring->bpf);
  }
}

/* Returns how many of @frames fitted; the caller waits for space for the
 * rest. */
guint64
audio_cast_ring_write (AudioCastRing *ring, const guint8 *src, guint64 frames)
{
  guint64 n = MIN (frames, audio_cast_ring_space (ring));

  if (n > 0)
    copy_wrapped (ring, ring->write_pos, (guint8 *) src, n, TRUE);
  ring->write_pos += n;
  return n;
}

guint64
audio_cast_ring_read (AudioCastRing *ring, guint8 *dest, guint64 frames)
{
  guint64 n = MIN (frames, audio_cast_ring_fill (ring));

  if (n > 0)
    copy_wrapped (ring, ring->read_pos, dest, n, FALSE);
  ring->read_pos += n;
  return n;
}

/* Drops everything queued and returns how many frames that was. */
guint64
audio_cast_ring_discard (AudioCastRing *ring)
{
  guint64 dropped = audio_cast_ring_fill (ring);

  ring->read_pos = ring->write_pos;
  return dropped;
}

/* Drops up to @frames from the head; returns how many. */
guint64
audio_cast_ring_skip (AudioCastRing *ring, guint64 frames)
{
  guint64 n = MIN (frames, audio_cast_ring_fill (ring));

  ring->read_pos += n;
  return n;
}
