/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * AudioCastQueue's flusher thread: carries clear()'s FLUSH_START to the
 * device, so that clear() returns without waiting for it.
 *
 * pulsesink handles FLUSH_START by corking its stream and waiting for the
 * server's answer: a round trip to the sound server (0.5-1 ms here, more on
 * a busy machine) that clear() would otherwise spend in the caller's
 * thread, a voice assistant's detector say. The discard, the counts and
 * clear()'s answer stay in the caller; this thread only sends the event,
 * one wakeup later. It runs while the source pad is active.
 *
 * All of its state is guarded by flush_lock, which it holds while it sends:
 * the output thread's FLUSH_STOP (finish_flush) waits for a FLUSH_START
 * still wanted, so the two always go out in that order.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-queue-private.h"

static gpointer
flusher_main (gpointer user_data)
{
  AudioCastQueue *self = user_data;

  g_mutex_lock (&self->flush_lock);
  for (;;) {
    while (!self->flusher_quit && !self->flush_start_wanted)
      g_cond_wait (&self->flusher_cond, &self->flush_lock);
    if (self->flusher_quit)
      break;
    gst_pad_push_event (self->srcpad, gst_event_new_flush_start ());
    self->flush_start_wanted = FALSE;
    g_cond_broadcast (&self->flusher_cond);
  }
  g_mutex_unlock (&self->flush_lock);
  return NULL;
}

void
audio_cast_queue_start_flusher (AudioCastQueue *self)
{
  g_mutex_lock (&self->flush_lock);
  self->flusher_quit = FALSE;
  self->flush_start_wanted = FALSE;
  if (self->flusher == NULL)
    self->flusher = g_thread_new ("ring:flush", flusher_main, self);
  g_mutex_unlock (&self->flush_lock);
}

/* A FLUSH_START still wanted is dropped: the pad is going down, which
 * flushes it anyway. */
void
audio_cast_queue_stop_flusher (AudioCastQueue *self)
{
  GThread *flusher;

  g_mutex_lock (&self->flush_lock);
  flusher = self->flusher;
  self->flusher = NULL;
  self->flusher_quit = TRUE;
  self->flush_start_wanted = FALSE;
  g_cond_broadcast (&self->flusher_cond);
  g_mutex_unlock (&self->flush_lock);
  if (flusher)
    g_thread_join (flusher);
}

/* With flush_lock held: has the flusher send FLUSH_START, or sends it here
 * when there is no flusher (the pad is not active). */
void
audio_cast_queue_send_flush_start_flush_locked (AudioCastQueue *self)
{
  if (self->flusher == NULL) {
    gst_pad_push_event (self->srcpad, gst_event_new_flush_start ());
    return;
  }
  self->flush_start_wanted = TRUE;
  g_cond_broadcast (&self->flusher_cond);
}

/* With flush_lock held: returns once no FLUSH_START is waiting to go out. */
void
audio_cast_queue_wait_flush_start_flush_locked (AudioCastQueue *self)
{
  while (self->flush_start_wanted && self->flusher != NULL)
    g_cond_wait (&self->flusher_cond, &self->flush_lock);
}
