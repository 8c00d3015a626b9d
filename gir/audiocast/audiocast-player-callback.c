/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Callback mode: a thread of the player's own asks the application for
 * the next block whenever the ring holds less than a lead of blocks (on
 * top of what the device holds), and writes it. The device's thread never waits for the
 * application: a slow callback eats into the lead, and one later than the
 * whole lead is an underrun of the ring, counted as any other. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-player-private.h"
#include "audiocast-player-input.h"

/* How long the feeder waits at a time before it looks at callback_stop
 * again. */
#define WAIT_SLICE_US (50 * G_TIME_SPAN_MILLISECOND)

typedef struct
{
  AudioCastPlayer *player;      /* (owned) */
  AudioCastSampleFormat format;
  gsize bpf;                    /* bytes per frame of format */
  guint blocksize;
  guint64 lead_frames;
  AudioCastFillFunc func;
  gpointer user_data;
  GDestroyNotify notify;
} Feed;

static gboolean
asked_to_stop (Feed *feed)
{
  return g_atomic_int_get (&feed->player->callback_stop)
      || g_atomic_int_get (&feed->player->stopped);
}

/* Writes @size bytes; FALSE when the write failed (the player stopped,
 * the device failed, or @size is not whole frames). */
static gboolean
write_blocks (Feed *feed, gconstpointer data, gsize size, gsize *frames)
{
  GError *error = NULL;

  *frames = size == 0 ? 0 : audio_cast_player_write (feed->player,
      feed->format, data, size, &error);
  if (error == NULL)
    return TRUE;
  GST_WARNING ("callback mode: %s", error->message);
  g_error_free (error);
  return FALSE;
}

/* Calls the application for one block and writes it; FALSE when the
 * stream ends (fewer frames, NULL, or a write that failed). */
static gboolean
feed_one_block (Feed *feed)
{
  GBytes *block = feed->func (feed->player, feed->blocksize, feed->user_data);
  gsize size, frames;
  gconstpointer data;
  gboolean ok;

  if (block == NULL)
    return FALSE;
  data = g_bytes_get_data (block, &size);
  ok = write_blocks (feed, data, size, &frames);
  g_bytes_unref (block);
  return ok && frames >= feed->blocksize;
}

/* The whole lead, asked block by block and written at once: written one
 * by one, the device would take each block as it came and run dry
 * between them. FALSE when the stream ended within it. */
static gboolean
feed_the_lead (Feed *feed)
{
  guint64 blocks = feed->lead_frames / feed->blocksize, i;
  GByteArray *lead = g_byte_array_new ();
  gboolean ended = FALSE, ok;
  gsize frames;

  for (i = 0; i < blocks && !ended && !asked_to_stop (feed); i++) {
    GBytes *block = feed->func (feed->player, feed->blocksize,
        feed->user_data);
    gsize size;
    gconstpointer data;

    if (block == NULL) {
      ended = TRUE;
      break;
    }
    data = g_bytes_get_data (block, &size);
    g_byte_array_append (lead, data, size);
    g_bytes_unref (block);
    /* fewer frames than asked: the end, once they played */
    ended = size < (gsize) feed->blocksize * feed->bpf;
  }
  ok = write_blocks (feed, lead->data, lead->len, &frames);
  g_byte_array_unref (lead);
  return ok && !ended && !asked_to_stop (feed);
}

static gpointer
run_feed (gpointer data)
{
  Feed *feed = data;
  AudioCastQueue *queue = feed->player->queue;

  if (!feed_the_lead (feed))
    goto done;
  while (!asked_to_stop (feed)) {
    if (!audio_cast_queue_wait_ring_below (queue, feed->lead_frames,
            WAIT_SLICE_US))
      continue;
    if (asked_to_stop (feed) || !feed_one_block (feed))
      break;
  }
done:
  if (feed->notify)
    feed->notify (feed->user_data);
  g_object_unref (feed->player);
  g_free (feed);
  return NULL;
}

/**
 * audio_cast_player_start_callback:
 * @self: an [class@Player]
 * @format: the sample format @func returns
 * @blocksize: the frames it is asked for each time (1 to 10 s of them)
 * @lead_blocks: how many blocks are kept in the ring, ahead of what the
 *   device holds (1 to 100): a callback that is late by less than that
 *   causes no gap
 * @func: (scope notified) (closure user_data) (destroy notify): called for
 *   every block, from a thread of the player's own
 * @user_data: passed to @func
 * @notify: called with @user_data once @func will not be called again
 * @error: return location for an error
 *
 * Callback mode, as PyAudio's: instead of writing, the application is
 * asked for the next block. The device's thread never waits for it: a
 * late callback eats into the lead, and one later than the whole lead
 * leaves the ring dry, counted in the underruns statistic. @func
 * returning fewer frames than asked ends the stream once they played;
 * `NULL` ends it at once. [method@Player.clear] works as ever.
 *
 * Returns: `FALSE` with @error set when a callback already runs
 *   ([error@Error.BUSY]), an argument is out of range
 *   ([error@Error.INVALID_ARGUMENT]) or the player is stopped
 *   ([error@Error.CLOSED])
 *
 * Since: 0.1
 */
gboolean
audio_cast_player_start_callback (AudioCastPlayer *self,
    AudioCastSampleFormat format, guint blocksize, guint lead_blocks,
    AudioCastFillFunc func, gpointer user_data, GDestroyNotify notify,
    GError **error)
{
  Feed *feed;

  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (blocksize == 0 || blocksize > 10 * self->rate || lead_blocks == 0
      || lead_blocks > 100) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "blocks of %u frames, %u ahead: use 1 to %u frames (10 s) and 1 to "
        "100 blocks", blocksize, lead_blocks, 10 * self->rate);
    return FALSE;
  }
  if (audio_cast_sample_format_check (format, error)
      == GST_AUDIO_FORMAT_UNKNOWN)
    return FALSE;
  if (g_atomic_int_get (&self->stopped)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
        "the player is closed: it was stopped");
    return FALSE;
  }
  g_mutex_lock (&self->callback_lock);
  if (self->callback_thread != NULL) {
    g_mutex_unlock (&self->callback_lock);
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BUSY,
        "a callback already feeds this player: stop it first");
    return FALSE;
  }
  feed = g_new0 (Feed, 1);
  feed->player = g_object_ref (self);
  feed->format = format;
  feed->bpf = audio_cast_sample_format_bpf (format, self->channels);
  feed->blocksize = blocksize;
  feed->lead_frames = (guint64) blocksize * lead_blocks;
  feed->func = func;
  feed->user_data = user_data;
  feed->notify = notify;
  g_atomic_int_set (&self->callback_stop, FALSE);
  self->callback_thread = g_thread_new ("audiocast-callback", run_feed, feed);
  g_mutex_unlock (&self->callback_lock);
  return TRUE;
}

/**
 * audio_cast_player_stop_callback:
 * @self: an [class@Player]
 *
 * Stops asking for blocks and waits until the callback thread has ended
 * (at once when called from the callback itself). What was written plays
 * on; nothing is cleared.
 *
 * Since: 0.1
 */
void
audio_cast_player_stop_callback (AudioCastPlayer *self)
{
  GThread *thread;

  g_return_if_fail (AUDIO_CAST_IS_PLAYER (self));

  g_atomic_int_set (&self->callback_stop, TRUE);
  g_mutex_lock (&self->callback_lock);
  thread = self->callback_thread;
  self->callback_thread = NULL;
  g_mutex_unlock (&self->callback_lock);
  if (thread == NULL)
    return;
  if (thread == g_thread_self ())
    g_thread_unref (thread);
  else
    g_thread_join (thread);
}

/**
 * audio_cast_player_get_callback_active:
 * @self: an [class@Player]
 *
 * Returns: whether a callback was started and has not been stopped (it may
 *   have ended the stream by itself)
 *
 * Since: 0.1
 */
gboolean
audio_cast_player_get_callback_active (AudioCastPlayer *self)
{
  gboolean active;

  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), FALSE);

  g_mutex_lock (&self->callback_lock);
  active = self->callback_thread != NULL;
  g_mutex_unlock (&self->callback_lock);
  return active;
}
