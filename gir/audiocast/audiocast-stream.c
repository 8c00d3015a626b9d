/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * AudioCastStream:
 *
 * Another sound on a player's device stream: an earcon over the speech,
 * music under it. Each stream has its own sample rate, channels and format,
 * its own ring, writes, clear, drain, statistics and volume, and is mixed
 * with the player's own audio (what [method@Player.write] plays) and the
 * other streams into the one stream the device plays.
 *
 * Streams are mixed at the player's rate and channels: open the player at
 * the device's own rate (its default) for the best sound. A stream at
 * that rate is never resampled, and where it plays alone at volume 1 it
 * reaches the device bit for bit.
 *
 * Clearing the player's own audio flushes the device; the streams then go
 * on from their first frame not heard, after a gap of the restart's
 * length, losing nothing. Clearing a stream leaves the player's own audio
 * alone: what the device already holds of the stream (some tens of
 * milliseconds) still plays.
 *
 * ```c
 * AudioCastStream *chime = audio_cast_player_open_stream (player, 48000, 2,
 *     AUDIO_CAST_SAMPLE_FORMAT_F32LE, &error);
 * audio_cast_stream_write (chime, samples, n_bytes, &error);
 * audio_cast_stream_ramp_volume (chime, 0.2, 50000, &error);
 * ```
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-mixer.h"
#include "audiocast-player-input.h"
#include "audiocast-player-internal.h"
#include "audiocast-callback-private.h"
#include "audiocast-stream-private.h"
#include "audiocast-stream-properties.h"

#include <math.h>

/* A change of the volume property is ramped over this long: no click. */
#define VOLUME_RAMP (20 * GST_MSECOND)
/* The loudest a stream may be made: +20 dB. */
#define MAX_VOLUME 10.0

struct _AudioCastStream
{
  GObject parent;

  AudioCastPlayer *player;      /* (owned) */
  AudioCastQueue *queue;        /* (owned) the player's */
  AudioCastMixerStream *stream; /* the queue's mixer owns it; NULL once
                                 * closed */
  AudioCastSampleFormat format;
  GstAudioInfo info;

  guint generation;             /* atomic: bumped by clear and close, which
                                 * end a write or a drain */
  gint closed;                  /* atomic */
  /* use_lock: held by write and drain for their whole call (a write may
   * wait for room), and by close once it ended them (generation), so the
   * mixer's stream is never freed under them */
  GMutex use_lock;
  /* state_lock: guards stream against close for clear, the volume and the
   * statistics, and heard_at_clear and volume; held for a moment only, so
   * a clear never waits for a writer */
  GMutex state_lock;
  guint64 heard_at_clear;
  gdouble volume;

  /* Callback mode on the stream (audiocast-callback.c). */
  AudioCastCallbackSlot callback;
};

enum
{
  PROP_0,
  PROP_VOLUME,
  N_PROPERTIES
};

static GParamSpec *properties[N_PROPERTIES];

G_DEFINE_FINAL_TYPE (AudioCastStream, audio_cast_stream, G_TYPE_OBJECT);

gboolean
audio_cast_stream_check_open (AudioCastStream *self, GError **error)
{
  if (g_atomic_int_get (&self->closed)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
        "the stream is closed");
    return FALSE;
  }
  if (self->player != NULL && !audio_cast_player_get_active (self->player)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
        "the stream's player is closed: it was stopped");
    return FALSE;
  }
  return TRUE;
}

/**
 * audio_cast_player_open_stream:
 * @player: an [class@Player]
 * @sample_rate: frames per second of what will be written; 0 for the
 *   player's
 * @channels: interleaved channels; 0 for the player's
 * @format: the sample format of what will be written
 * @error: return location for an error
 *
 * Opens another stream on @player, mixed with its own audio from the next
 * period on. When nothing was written to the player yet, its own stream
 * takes 32-bit float samples from now on (later writes in another format
 * are converted, as ever).
 *
 * Returns: (transfer full): the stream; `NULL` with @error set when the
 *   player is stopped ([error@Error.CLOSED]) or the rate, channels or
 *   format are not accepted ([error@Error.INVALID_ARGUMENT])
 *
 * Since: 0.1
 */
AudioCastStream *
audio_cast_player_open_stream (AudioCastPlayer *player, guint sample_rate,
    guint channels, AudioCastSampleFormat format, GError **error)
{
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (player), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return audio_cast_stream_open (player, sample_rate, channels, format, 0,
      error);
}

/* audio_cast_player_open_stream(), with a ring of at least @min_frames
 * (a whole sound to be written at once). */
AudioCastStream *
audio_cast_stream_open (AudioCastPlayer *player, guint sample_rate,
    guint channels, AudioCastSampleFormat format, guint64 min_frames,
    GError **error)
{
  AudioCastStream *self;
  AudioCastQueue *queue;
  GstAudioFormat gst_format = audio_cast_sample_format_to_gst (format);
  GstAudioInfo info;
  GError *local = NULL;
  guint64 capacity;
  gint64 buffer_time_us = 0;

  if (!audio_cast_player_get_active (player)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
        "the player is closed: it was stopped");
    return NULL;
  }
  if (sample_rate == 0)
    sample_rate = audio_cast_player_get_sample_rate (player);
  if (channels == 0)
    channels = audio_cast_player_get_channels (player);
  g_object_get (player, "buffer-time", &buffer_time_us, NULL);
  if (gst_format == GST_AUDIO_FORMAT_UNKNOWN) {
    audio_cast_sample_format_check (format, error);
    return NULL;
  }
  if (!audio_cast_check_stream_request (sample_rate, channels, 0,
          buffer_time_us * GST_USECOND, error))
    return NULL;

  queue = audio_cast_player_peek_queue (player);
  if (!audio_cast_player_ensure_stream_format (player, error))
    return NULL;
  gst_audio_info_set_format (&info, gst_format, sample_rate, channels, NULL);
  capacity = MAX (MAX (1, min_frames), gst_util_uint64_scale_int
      (buffer_time_us, sample_rate, G_USEC_PER_SEC));

  self = g_object_new (AUDIO_CAST_TYPE_STREAM, NULL);
  self->stream = audio_cast_queue_open_stream (queue, &info, capacity, &local);
  if (self->stream == NULL) {
    g_set_error_literal (error, AUDIO_CAST_ERROR,
        AUDIO_CAST_ERROR_INVALID_ARGUMENT, local->message);
    g_error_free (local);
    g_atomic_int_set (&self->closed, TRUE);
    g_object_unref (self);
    return NULL;
  }
  self->player = g_object_ref (player);
  self->queue = gst_object_ref (queue);
  self->format = format;
  self->info = info;
  return self;
}

/**
 * audio_cast_stream_write:
 * @self: an [class@Stream]
 * @data: (array length=size) (element-type guint8): interleaved samples in
 *   the stream's format
 * @size: the length of @data in bytes: a whole number of frames
 * @error: return location for an error
 *
 * Queues samples. Blocks only while the stream's ring is full, and returns
 * early when another thread clears or closes the stream or stops the
 * player; what was not accepted by then is dropped. NaN and infinite
 * samples are played as silence.
 *
 * Returns: the number of frames accepted; 0 with @error set when the
 *   stream is closed or the player stopped ([error@Error.CLOSED]) or @size
 *   is not a whole number of frames ([error@Error.INVALID_ARGUMENT])
 *
 * Since: 0.1
 */
gsize
audio_cast_stream_write (AudioCastStream *self, const guint8 *data,
    gsize size, GError **error)
{
  gsize bpf, accepted;
  gboolean stopped;

  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), 0);
  g_return_val_if_fail (data != NULL || size == 0, 0);

  if (!audio_cast_stream_check_open (self, error))
    return 0;
  bpf = GST_AUDIO_INFO_BPF (&self->info);
  if (size % bpf != 0) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "%" G_GSIZE_FORMAT " bytes are not a whole number of frames of %"
        G_GSIZE_FORMAT " bytes (%d channels of %s)", size, bpf,
        GST_AUDIO_INFO_CHANNELS (&self->info),
        GST_AUDIO_INFO_NAME (&self->info));
    return 0;
  }
  if (size == 0)
    return 0;

  g_mutex_lock (&self->use_lock);
  if (!audio_cast_stream_check_open (self, error)) {
    g_mutex_unlock (&self->use_lock);
    return 0;
  }
  accepted = audio_cast_queue_stream_write (self->queue, self->stream, data,
      size / bpf, -1, &self->generation, &stopped);
  g_mutex_unlock (&self->use_lock);
  if (stopped && accepted == 0) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
        "the player is closed: it was stopped");
    return 0;
  }
  return accepted;
}

/**
 * audio_cast_stream_drain:
 * @self: an [class@Stream]
 * @timeout_us: how long to wait at most, in microseconds; -1 for no limit
 * @error: return location for a `GError`, or `NULL`
 *
 * Waits until everything written to the stream has been heard.
 *
 * Returns: `TRUE` when it was heard; `FALSE` with @error set as
 *   [method@Player.drain] sets it
 *
 * Since: 0.1
 */
gboolean
audio_cast_stream_drain (AudioCastStream *self, gint64 timeout_us,
    GError **error)
{
  AudioCastDrainResult result;

  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->use_lock);
  if (!audio_cast_stream_check_open (self, error)) {
    g_mutex_unlock (&self->use_lock);
    return FALSE;
  }
  result = audio_cast_queue_stream_drain (self->queue, self->stream,
      timeout_us, &self->generation);
  g_mutex_unlock (&self->use_lock);

  if (result == AUDIO_CAST_DRAIN_INTERRUPTED && g_atomic_int_get
      (&self->closed)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "drain interrupted by close");
    return FALSE;
  }
  if (audio_cast_drain_result_to_error (result, timeout_us,
          !audio_cast_player_get_active (self->player), error))
    return TRUE;
  if (result == AUDIO_CAST_DRAIN_FAILED)
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
        "the device failed");
  return FALSE;
}

/**
 * audio_cast_stream_clear:
 * @self: an [class@Stream]
 *
 * Discards everything of the stream not yet heard; the player's own audio
 * and the other streams play on. While the player's own audio is silent
 * the stream stops at once (the device is flushed, the other streams play
 * again what it held of them); while it plays, what the device already
 * holds of the stream still plays (see [class@Stream]). Unblocks the stream's writers and drains. Callable from
 * any thread.
 *
 * Returns: the stream's frames heard since its previous clear
 *
 * Since: 0.1
 */
guint64
audio_cast_stream_clear (AudioCastStream *self)
{
  guint64 heard = 0, since;

  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), 0);

  g_atomic_int_inc (&self->generation);
  /* heard counted up to now, not up to the output thread's last push (up
   * to two periods ago): on PulseAudio the capture held 62 to 1025 frames
   * past what cancel() said was heard, 53 to 222 since (the player's
   * clear(): 59 to 231) */
  if (self->queue != NULL)
    audio_cast_queue_update_position (self->queue);
  g_mutex_lock (&self->state_lock);
  if (self->stream == NULL) {
    g_mutex_unlock (&self->state_lock);
    return 0;
  }
  audio_cast_mixer_stream_clear (self->stream, &heard, NULL);
  since = heard - MIN (heard, self->heard_at_clear);
  self->heard_at_clear = heard;
  g_mutex_unlock (&self->state_lock);
  /* a writer waiting for room, or a drain, leaves */
  audio_cast_queue_wake_streams (self->queue);
  /* what the device holds of it goes too, unless the player's own audio
   * is playing (a flush would take that with it) */
  audio_cast_queue_flush_if_idle (self->queue);
  return since;
}

/**
 * audio_cast_stream_close:
 * @self: an [class@Stream]
 *
 * Takes the stream out of the mix: what it had not played is not heard.
 * Later calls fail with [error@Error.CLOSED]. Also done when the last
 * reference goes.
 *
 * Since: 0.1
 */
void
audio_cast_stream_close (AudioCastStream *self)
{
  g_return_if_fail (AUDIO_CAST_IS_STREAM (self));

  if (!g_atomic_int_compare_and_exchange (&self->closed, FALSE, TRUE))
    return;
  /* a callback feeder ends with its next wait or write */
  audio_cast_callback_slot_ask_stop (&self->callback);
  g_atomic_int_inc (&self->generation);
  audio_cast_queue_wake_streams (self->queue);
  g_mutex_lock (&self->use_lock);
  g_mutex_lock (&self->state_lock);
  audio_cast_queue_close_stream (self->queue, self->stream);
  self->stream = NULL;
  g_mutex_unlock (&self->state_lock);
  g_mutex_unlock (&self->use_lock);
}

/**
 * audio_cast_stream_ramp_volume:
 * @self: an [class@Stream]
 * @volume: the gain to reach, 0 (silent) to 10 (+20 dB); 1 plays the
 *   samples as they are
 * @ramp_us: over how long, in microseconds, in a straight line; 0 at once
 * @error: return location for an error
 *
 * Returns: `FALSE` with @error set ([error@Error.INVALID_ARGUMENT]) when
 *   @volume or @ramp_us is out of range, or ([error@Error.CLOSED]) the
 *   stream is closed
 *
 * Since: 0.1
 */
gboolean
audio_cast_stream_ramp_volume (AudioCastStream *self, gdouble volume,
    gint64 ramp_us, GError **error)
{
  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), FALSE);

  if (!(volume >= 0 && volume <= MAX_VOLUME) || ramp_us < 0
      || ramp_us > 60 * G_USEC_PER_SEC) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "volume %g over %" G_GINT64_FORMAT " µs: the volume goes from 0 to "
        "%g, the ramp from 0 to 60 s", volume, ramp_us, MAX_VOLUME);
    return FALSE;
  }
  g_mutex_lock (&self->state_lock);
  if (self->stream == NULL) {
    g_mutex_unlock (&self->state_lock);
    return audio_cast_stream_check_open (self, error);
  }
  audio_cast_mixer_stream_set_volume (self->stream, volume,
      ramp_us * GST_USECOND);
  self->volume = volume;
  g_mutex_unlock (&self->state_lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VOLUME]);
  return TRUE;
}

/* @others and @ramp_us as the ducking calls take them; FALSE with @error
 * set when out of range. */
static gboolean
check_ducking (gdouble others, gint64 ramp_us, GError **error)
{
  if (others >= 0 && others <= 1 && ramp_us >= 0
      && ramp_us <= 60 * G_USEC_PER_SEC)
    return TRUE;
  g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
      "ducking to %g over %" G_GINT64_FORMAT " µs: the others go to 0 "
      "(silent) to 1 (not lowered), the ramp from 0 to 60 s", others,
      ramp_us);
  return FALSE;
}

/**
 * audio_cast_stream_set_ducking:
 * @self: an [class@Stream]
 * @others: the gain every other sound of the player (its own audio
 *   included) goes to while this stream plays: 0 to 1, 1 for none
 * @ramp_us: how long the way down, and back up once the stream has played
 *   out or was cleared, takes (microseconds)
 * @error: return location for an error
 *
 * Music ducked under an earcon, say. While several sounds duck, the others
 * go to the lowest level asked.
 *
 * Returns: `FALSE` with @error set when a value is out of range
 *   ([error@Error.INVALID_ARGUMENT]) or the stream is closed
 *
 * Since: 0.1
 */
gboolean
audio_cast_stream_set_ducking (AudioCastStream *self, gdouble others,
    gint64 ramp_us, GError **error)
{
  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), FALSE);

  if (!check_ducking (others, ramp_us, error))
    return FALSE;
  g_mutex_lock (&self->state_lock);
  if (self->stream == NULL) {
    g_mutex_unlock (&self->state_lock);
    return audio_cast_stream_check_open (self, error);
  }
  audio_cast_mixer_stream_set_ducking (self->stream, others,
      ramp_us * GST_USECOND);
  g_mutex_unlock (&self->state_lock);
  return TRUE;
}

/**
 * audio_cast_player_set_ducking:
 * @player: an [class@Player]
 * @others: the gain the player's streams go to while its own audio (what
 *   [method@Player.write] plays) plays: 0 to 1, 1 for none
 * @ramp_us: how long the way down, and back up once the player's audio
 *   has played out or was cleared, takes (microseconds)
 * @error: return location for an error
 *
 * Music ducked under the answer: the voice is the player's own audio, the
 * music one of its streams ([method@Player.open_stream]).
 *
 * Returns: `FALSE` with @error set when a value is out of range
 *   ([error@Error.INVALID_ARGUMENT])
 *
 * Since: 0.1
 */
gboolean
audio_cast_player_set_ducking (AudioCastPlayer *player, gdouble others,
    gint64 ramp_us, GError **error)
{
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (player), FALSE);

  if (!check_ducking (others, ramp_us, error))
    return FALSE;
  audio_cast_queue_set_ducking (audio_cast_player_peek_queue (player),
      others, ramp_us * GST_USECOND);
  return TRUE;
}

/**
 * audio_cast_stream_set_volume:
 * @self: an [class@Stream]
 * @volume: 0 (silent) to 10 (+20 dB)
 *
 * Sets the volume, ramped over 20 ms so that the change makes no click.
 * Out of range values are clamped.
 *
 * Since: 0.1
 */
void
audio_cast_stream_set_volume (AudioCastStream *self, gdouble volume)
{
  g_return_if_fail (AUDIO_CAST_IS_STREAM (self));

  audio_cast_stream_ramp_volume (self, isnan (volume) ? 1.0
      : CLAMP (volume, 0, MAX_VOLUME), VOLUME_RAMP / GST_USECOND, NULL);
}

/**
 * audio_cast_stream_get_volume:
 * @self: an [class@Stream]
 *
 * Returns: the volume the stream is at or ramping to
 *
 * Since: 0.1
 */
gdouble
audio_cast_stream_get_volume (AudioCastStream *self)
{
  gdouble volume;

  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), 0);

  g_mutex_lock (&self->state_lock);
  volume = self->volume;
  g_mutex_unlock (&self->state_lock);
  return volume;
}

/**
 * audio_cast_stream_get_sample_rate:
 * @self: an [class@Stream]
 *
 * Returns: the frames per second of what is written
 *
 * Since: 0.1
 */
guint
audio_cast_stream_get_sample_rate (AudioCastStream *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), 0);
  return GST_AUDIO_INFO_RATE (&self->info);
}

/**
 * audio_cast_stream_get_channels:
 * @self: an [class@Stream]
 *
 * Returns: the interleaved channels of what is written
 *
 * Since: 0.1
 */
guint
audio_cast_stream_get_channels (AudioCastStream *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), 0);
  return GST_AUDIO_INFO_CHANNELS (&self->info);
}

/**
 * audio_cast_stream_get_format:
 * @self: an [class@Stream]
 *
 * Returns: the sample format of what is written
 *
 * Since: 0.1
 */
AudioCastSampleFormat
audio_cast_stream_get_format (AudioCastStream *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), 0);
  return self->format;
}

/**
 * audio_cast_stream_get_stats:
 * @self: an [class@Stream]
 *
 * The stream's counters, read at one moment: frames-written =
 * frames-played + frames-cleared + buffered-frames.
 *
 * Returns: (transfer full): a `GstStructure` named "audiocast-stream-stats"
 *   with the guint64 fields frames-written, frames-played, frames-cleared,
 *   buffered-frames and the double volume; all 0 once the stream is closed
 *
 * Since: 0.1
 */
GstStructure *
audio_cast_stream_get_stats (AudioCastStream *self)
{
  AudioCastMixerStreamStats stats = { 0, };

  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), NULL);

  /* as the player's stats: heard up to now */
  if (self->queue != NULL)
    audio_cast_queue_update_position (self->queue);
  g_mutex_lock (&self->state_lock);
  if (self->stream != NULL)
    audio_cast_mixer_stream_get_stats (self->stream, &stats);
  g_mutex_unlock (&self->state_lock);
  return gst_structure_new ("audiocast-stream-stats",
      "frames-written", G_TYPE_UINT64, stats.written,
      "frames-played", G_TYPE_UINT64, stats.heard,
      "frames-cleared", G_TYPE_UINT64, stats.cleared,
      "buffered-frames", G_TYPE_UINT64, stats.buffered,
      "volume", G_TYPE_DOUBLE, stats.volume, NULL);
}

/**
 * audio_cast_stream_get_times:
 * @self: an [class@Stream]
 * @started_us: (out) (optional): when its first frame was heard
 *   (g_get_monotonic_time()'s clock), -1 before
 * @ended_us: (out) (optional): when its last frame was heard, -1 before
 *   (and while more is written to it, or it loops)
 *
 * Returns: `TRUE` once it has ended
 *
 * Since: 0.1
 */
gboolean
audio_cast_stream_get_times (AudioCastStream *self, gint64 *started_us,
    gint64 *ended_us)
{
  gint64 started = -1, ended = -1, at;
  guint64 earliest;

  g_return_val_if_fail (AUDIO_CAST_IS_STREAM (self), FALSE);

  /* brings the heard position up to date */
  audio_cast_queue_get_timeline (self->queue, &earliest, &at);
  g_mutex_lock (&self->state_lock);
  if (self->stream != NULL)
    audio_cast_mixer_stream_get_times (self->stream, &started, &ended);
  g_mutex_unlock (&self->state_lock);
  if (started_us)
    *started_us = started;
  if (ended_us)
    *ended_us = ended;
  return ended >= 0;
}

AudioCastMixerStream *
audio_cast_stream_peek_mixer_stream (AudioCastStream *self)
{
  return self->stream;
}

AudioCastQueue *
audio_cast_stream_peek_queue (AudioCastStream *self)
{
  return self->queue;
}

AudioCastPlayer *
audio_cast_stream_peek_player (AudioCastStream *self)
{
  return self->player;
}

AudioCastCallbackSlot *
audio_cast_stream_peek_callback_slot (AudioCastStream *self)
{
  return &self->callback;
}

gboolean
audio_cast_stream_is_closed (AudioCastStream *self)
{
  return g_atomic_int_get (&self->closed);
}

/* Whether a callback feeds the stream (audio_cast_queue_stream_set_fed()). */
void
audio_cast_stream_set_fed (AudioCastStream *self, gboolean fed)
{
  g_mutex_lock (&self->use_lock);
  if (audio_cast_stream_check_open (self, NULL))
    audio_cast_queue_stream_set_fed (self->queue, self->stream, fed);
  g_mutex_unlock (&self->use_lock);
}

/* Waits at most @timeout_us until fewer than @frames frames of the stream
 * wait to be mixed; TRUE then. FALSE at once when the stream is closed,
 * and early when it is cleared. */
gboolean
audio_cast_stream_wait_pending_below (AudioCastStream *self, guint64 frames,
    gint64 timeout_us)
{
  gboolean below = FALSE;

  g_mutex_lock (&self->use_lock);
  if (audio_cast_stream_check_open (self, NULL))
    below = audio_cast_queue_stream_wait_pending_below (self->queue,
        self->stream, frames, timeout_us, &self->generation);
  g_mutex_unlock (&self->use_lock);
  return below;
}

static void
audio_cast_stream_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  AudioCastStream *self = AUDIO_CAST_STREAM (object);

  switch (prop_id) {
    case PROP_VOLUME:
      audio_cast_stream_set_volume (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
audio_cast_stream_get_property (GObject *object, guint prop_id,
    GValue *value, GParamSpec *pspec)
{
  AudioCastStream *self = AUDIO_CAST_STREAM (object);

  switch (prop_id) {
    case PROP_VOLUME:
      g_value_set_double (value, audio_cast_stream_get_volume (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
audio_cast_stream_finalize (GObject *object)
{
  AudioCastStream *self = AUDIO_CAST_STREAM (object);

  if (self->queue != NULL) {
    audio_cast_stream_close (self);
    gst_object_unref (self->queue);
  }
  g_clear_object (&self->player);
  audio_cast_callback_slot_clear (&self->callback);
  g_mutex_clear (&self->use_lock);
  g_mutex_clear (&self->state_lock);
  G_OBJECT_CLASS (audio_cast_stream_parent_class)->finalize (object);
}

static void
audio_cast_stream_class_init (AudioCastStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = audio_cast_stream_set_property;
  object_class->get_property = audio_cast_stream_get_property;
  object_class->finalize = audio_cast_stream_finalize;

  /**
   * AudioCastStream:volume:
   *
   * The stream's gain, 0 (silent) to 10 (+20 dB); changes are ramped over
   * 20 ms. See [method@Stream.ramp_volume] for other ramps.
   *
   * Since: 0.1
   */
  properties[PROP_VOLUME] = g_param_spec_double ("volume", NULL, NULL,
      0, MAX_VOLUME, 1.0, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
      | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPERTIES, properties);
}

static void
audio_cast_stream_init (AudioCastStream *self)
{
  g_mutex_init (&self->use_lock);
  g_mutex_init (&self->state_lock);
  audio_cast_callback_slot_init (&self->callback);
  self->volume = 1.0;
}
