/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Callback mode, for the player's own audio and for each of its streams: a
 * thread of the library's own asks the application for the next block
 * whenever less than a lead of blocks waits to be played (on top of what
 * the device holds), and writes it. The device's thread never waits for
 * the application: a slow callback eats into the lead, and one later than
 * the whole lead is an underrun, counted as any other. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-callback-private.h"
#include "audiocast-player-private.h"
#include "audiocast-player-input.h"
#include "audiocast-stream-private.h"

/* How long the feeder waits at a time before it looks at its stop flags
 * again. */
#define WAIT_SLICE_US (50 * G_TIME_SPAN_MILLISECOND)
/* After a wait that returned early without room. */
#define EARLY_RETURN_BACKOFF_US (G_TIME_SPAN_MILLISECOND)
/* The longest block, in seconds of audio, and the most blocks ahead. */
#define MAX_BLOCK_SECONDS 10
#define MAX_LEAD_BLOCKS 100

/* What a feeder feeds: the player's own audio (stream NULL) or a stream. */
typedef struct
{
  AudioCastPlayer *player;      /* (owned) */
  AudioCastStream *stream;      /* (owned) (nullable) */
  AudioCastCallbackSlot *slot;  /* the player's or the stream's */
  AudioCastSampleFormat format;
  gsize bpf;                    /* bytes per frame of format */
  guint blocksize;
  guint64 lead_frames;
  AudioCastFillFunc player_func;
  AudioCastStreamFillFunc stream_func;
  gpointer user_data;
  GDestroyNotify notify;
} Feed;

void
audio_cast_callback_slot_init (AudioCastCallbackSlot *slot)
{
  g_mutex_init (&slot->lock);
  slot->thread = NULL;
  slot->stop = FALSE;
}

void
audio_cast_callback_slot_clear (AudioCastCallbackSlot *slot)
{
  if (slot->thread)
    g_thread_unref (slot->thread);
  slot->thread = NULL;
  g_mutex_clear (&slot->lock);
}

void
audio_cast_callback_slot_ask_stop (AudioCastCallbackSlot *slot)
{
  g_atomic_int_set (&slot->stop, TRUE);
}

static gboolean
asked_to_stop (Feed *feed)
{
  return g_atomic_int_get (&feed->slot->stop)
      || g_atomic_int_get (&feed->player->stopped)
      || (feed->stream != NULL && audio_cast_stream_is_closed (feed->stream));
}

/* Writes @size bytes; FALSE when the write failed (the player stopped,
 * the stream closed, the device failed, or @size is not whole frames). */
static gboolean
write_blocks (Feed *feed, gconstpointer data, gsize size, gsize *frames)
{
  GError *error = NULL;

  if (size == 0)
    *frames = 0;
  else if (feed->stream != NULL)
    *frames = audio_cast_stream_write (feed->stream, data, size, &error);
  else
    *frames = audio_cast_player_write (feed->player, feed->format, data,
        size, &error);
  if (error == NULL)
    return TRUE;
  GST_WARNING ("callback mode: %s", error->message);
  g_error_free (error);
  return FALSE;
}

static GBytes *
ask_for_a_block (Feed *feed)
{
  if (feed->stream != NULL)
    return feed->stream_func (feed->stream, feed->blocksize, feed->user_data);
  return feed->player_func (feed->player, feed->blocksize, feed->user_data);
}

/* Waits at most a slice until less than the lead waits to be played; TRUE
 * then. */
static gboolean
wait_for_room_in_the_lead (Feed *feed)
{
  if (feed->stream != NULL)
    return audio_cast_stream_wait_pending_below (feed->stream,
        feed->lead_frames, WAIT_SLICE_US);
  return audio_cast_queue_wait_ring_below (feed->player->queue,
      feed->lead_frames, WAIT_SLICE_US);
}

/* Calls the application for one block and writes it; FALSE when the
 * stream ends (fewer frames, NULL, or a write that failed). */
static gboolean
feed_one_block (Feed *feed)
{
  GBytes *block = ask_for_a_block (feed);
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
    GBytes *block = ask_for_a_block (feed);
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

  /* its next block is coming: the output waits for it a while when the
   * device takes the stream faster than real time (its start) */
  if (feed->stream != NULL)
    audio_cast_stream_set_fed (feed->stream, TRUE);
  if (!feed_the_lead (feed))
    goto done;
  while (!asked_to_stop (feed)) {
    gint64 waited = g_get_monotonic_time ();

    if (!wait_for_room_in_the_lead (feed)) {
      /* early, not a slice later: a clear (look again at once, nearly), or
       * an output that stopped or failed, which would return at once again
       * and again: not in a spin */
      if (g_get_monotonic_time () - waited < WAIT_SLICE_US)
        g_usleep (EARLY_RETURN_BACKOFF_US);
      continue;
    }
    if (asked_to_stop (feed) || !feed_one_block (feed))
      break;
  }
done:
  if (feed->stream != NULL)
    audio_cast_stream_set_fed (feed->stream, FALSE);
  if (feed->notify)
    feed->notify (feed->user_data);
  g_clear_object (&feed->stream);
  g_object_unref (feed->player);
  g_free (feed);
  return NULL;
}

/* Starts @feed's thread in its slot; FALSE with @error set (and @feed
 * freed) when one already runs there. */
static gboolean
start_feed (Feed *feed, guint rate, guint lead_blocks, GError **error)
{
  AudioCastCallbackSlot *slot = feed->slot;

  if (feed->blocksize == 0 || feed->blocksize > MAX_BLOCK_SECONDS * rate
      || lead_blocks == 0 || lead_blocks > MAX_LEAD_BLOCKS) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "blocks of %u frames, %u ahead: use 1 to %u frames (%d s) and 1 to "
        "%d blocks", feed->blocksize, lead_blocks, MAX_BLOCK_SECONDS * rate,
        MAX_BLOCK_SECONDS, MAX_LEAD_BLOCKS);
    goto refused;
  }
  feed->lead_frames = (guint64) feed->blocksize * lead_blocks;
  g_mutex_lock (&slot->lock);
  if (slot->thread != NULL) {
    g_mutex_unlock (&slot->lock);
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BUSY,
        "a callback already feeds this %s: stop it first",
        feed->stream != NULL ? "stream" : "player");
    goto refused;
  }
  g_atomic_int_set (&slot->stop, FALSE);
  slot->thread = g_thread_new ("audiocast-callback", run_feed, feed);
  g_mutex_unlock (&slot->lock);
  return TRUE;

refused:
  g_clear_object (&feed->stream);
  g_object_unref (feed->player);
  g_free (feed);
  return FALSE;
}

/* Stops asking and waits until the feeder of @slot ended (at once when
 * called from the feeder itself). */
static void
stop_feed (AudioCastCallbackSlot *slot)
{
  GThread *thread;

  g_atomic_int_set (&slot->stop, TRUE);
  g_mutex_lock (&slot->lock);
  thread = slot->thread;
  slot->thread = NULL;
  g_mutex_unlock (&slot->lock);
  if (thread == NULL)
    return;
  if (thread == g_thread_self ())
    g_thread_unref (thread);
  else
    g_thread_join (thread);
}

static gboolean
feed_is_active (AudioCastCallbackSlot *slot)
{
  gboolean active;

  g_mutex_lock (&slot->lock);
  active = slot->thread != NULL;
  g_mutex_unlock (&slot->lock);
  return active;
}

static Feed *
feed_new (AudioCastPlayer *player, AudioCastCallbackSlot *slot,
    AudioCastSampleFormat format, guint channels, guint blocksize,
    gpointer user_data, GDestroyNotify notify)
{
  Feed *feed = g_new0 (Feed, 1);

  feed->player = g_object_ref (player);
  feed->slot = slot;
  feed->format = format;
  feed->bpf = audio_cast_sample_format_bpf (format, channels);
  feed->blocksize = blocksize;
  feed->user_data = user_data;
  feed->notify = notify;
  return feed;
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
 * `NULL` ends it at once. [method@Player.clear] works as ever. Each
 * [class@Stream] of the player can have a callback of its own
 * ([method@Stream.start_callback]).
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

  if (audio_cast_sample_format_check (format, error)
      == GST_AUDIO_FORMAT_UNKNOWN)
    return FALSE;
  if (g_atomic_int_get (&self->stopped)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
        "the player is closed: it was stopped");
    return FALSE;
  }
  feed = feed_new (self, &self->callback, format, self->channels, blocksize,
      user_data, notify);
  feed->player_func = func;
  return start_feed (feed, self->rate, lead_blocks, error);
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
  g_return_if_fail (AUDIO_CAST_IS_PLAYER (self));

  stop_feed (&self->callback);
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
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), FALSE);

  return feed_is_active (&self->callback);
}

/**
 * audio_cast_stream_start_callback:
 * @self: an [class@Stream]
 * @blocksize: the frames it is asked for each time (1 to 10 s of them)
 * @lead_blocks: how many blocks are kept waiting to be mixed, ahead of
 *   what the device holds (1 to 100): a callback that is late by less
 *   than that causes no gap
 * @func: (scope notified) (closure user_data) (destroy notify): called for
 *   every block, from a thread of the stream's own
 * @user_data: passed to @func
 * @notify: called with @user_data once @func will not be called again
 * @error: return location for an error
 *
 * Callback mode on a stream, as [method@Player.start_callback] on the
 * player's own audio: instead of writing, the application is asked for
 * each block, in the stream's format, from a thread of its own; the
 * device's thread never waits for it. @func returning fewer frames than
 * asked ends the stream's callback once they played; `NULL` ends it at
 * once. [method@Stream.clear] works as ever; closing the stream ends the
 * callback.
 *
 * Returns: `FALSE` with @error set when a callback already feeds the
 *   stream ([error@Error.BUSY]), an argument is out of range
 *   ([error@Error.INVALID_ARGUMENT]) or the stream is closed or its player
 *   stopped ([error@Error.CLOSED])
 *
 * Since: 0.1
 */
gboolean
audio_cast_stream_start_callback (AudioCastStream *self, guint blocksize,
    guint lead_blocks, AudioCastStreamFillFunc func, gpointer user_data,
    GDestroyNotify notify, GError **error)
{
  Feed *feed;

  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!audio_cast_stream_check_open (self, error))
    return FALSE;
  feed = feed_new (audio_cast_stream_peek_player (self),
      audio_cast_stream_peek_callback_slot (self),
      audio_cast_stream_get_format (self),
      audio_cast_stream_get_channels (self), blocksize, user_data, notify);
  feed->stream = g_object_ref (self);
  feed->stream_func = func;
  return start_feed (feed, audio_cast_stream_get_sample_rate (self),
      lead_blocks, error);
}

/**
 * audio_cast_stream_stop_callback:
 * @self: an [class@Stream]
 *
 * Stops asking for blocks and waits until the stream's callback thread has
 * ended (at once when called from the callback itself). What was written
 * plays on; nothing is cleared.
 *
 * Since: 0.1
 */
void
audio_cast_stream_stop_callback (AudioCastStream *self)
{
  g_return_if_fail (AUDIO_CAST_IS_STREAM (self));

  stop_feed (audio_cast_stream_peek_callback_slot (self));
}

/**
 * audio_cast_stream_get_callback_active:
 * @self: an [class@Stream]
 *
 * Returns: whether a callback was started on the stream and has not been
 *   stopped (it may have ended by itself)
 *
 * Since: 0.1
 */
gboolean
audio_cast_stream_get_callback_active (AudioCastStream *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), FALSE);

  return feed_is_active (audio_cast_stream_peek_callback_slot (self));
}
