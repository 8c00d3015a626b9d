/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Sounds started at a position of the player's timeline, once or looped:
 * each is a stream of its own (see [class@Stream]), its first frame placed
 * on the timeline by the mixer. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-player-input.h"
#include "audiocast-player-internal.h"
#include "audiocast-stream-private.h"

/**
 * audio_cast_player_get_timeline:
 * @player: an [class@Player]
 * @earliest: (out) (optional): the first position a sound can still be
 *   started at ([method@Player.play]): the device holds everything before
 * @time_us: (out) (optional): when the position returned was being heard,
 *   in microseconds of the monotonic clock (g_get_monotonic_time())
 *
 * The player's timeline: every frame its device stream plays, silence
 * included, counted at the player's sample rate from its first. A sound
 * started at position `p` is heard `(p - position) / rate` seconds after
 * @time_us.
 *
 * Returns: the position heard at @time_us
 *
 * Since: 0.1
 */
guint64
audio_cast_player_get_timeline (AudioCastPlayer *player, guint64 *earliest,
    gint64 *time_us)
{
  guint64 first = 0;
  gint64 at = 0;
  guint64 heard;

  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (player), 0);

  heard = audio_cast_queue_get_timeline (audio_cast_player_peek_queue (player),
      &first, &at);
  if (earliest)
    *earliest = first;
  if (time_us)
    *time_us = at;
  return heard;
}

/**
 * audio_cast_player_play:
 * @player: an [class@Player]
 * @format: the sample format of @data
 * @sample_rate: its frames per second; 0 for the player's
 * @channels: its interleaved channels; 0 for the player's
 * @data: (array length=size) (element-type guint8): the whole sound
 * @size: the length of @data in bytes: a whole number of frames
 * @at_frame: the timeline position of its first frame (see
 *   [method@Player.get_timeline]); -1 for as soon as possible
 * @loop: play it again and again until [method@Stream.clear] or
 *   [method@Stream.close] (a "thinking" sound)
 * @error: return location for an error
 *
 * Plays a whole sound, mixed with the player's own audio and its streams,
 * from a position of the timeline: at the player's rate exactly there (a
 * resampled sound its resampler's delay later). The stream returned is the
 * sound's handle: clear or close it to cancel it, before or while it plays;
 * its statistics count what of it was heard, [method@Stream.get_times]
 * says when it started and ended.
 *
 * Returns: (transfer full): the sound's stream; `NULL` with @error set
 *   when @at_frame has passed or an argument is not accepted
 *   ([error@Error.INVALID_ARGUMENT]) or the player is stopped
 *   ([error@Error.CLOSED])
 *
 * Since: 0.1
 */
AudioCastStream *
audio_cast_player_play (AudioCastPlayer *player, AudioCastSampleFormat format,
    guint sample_rate, guint channels, const guint8 *data, gsize size,
    gint64 at_frame, gboolean loop, GError **error)
{
  AudioCastStream *sound;
  AudioCastMixerStream *mixed;
  gsize bpf;

  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (player), NULL);
  g_return_val_if_fail (data != NULL || size == 0, NULL);

  /* the whole sound fits in its ring: writing it never waits, however
   * far ahead it is started */
  bpf = audio_cast_sample_format_bpf (format, channels ? channels
      : audio_cast_player_get_channels (player));
  sound = audio_cast_stream_open (player, sample_rate, channels, format,
      bpf ? size / bpf : 0, error);
  if (sound == NULL)
    return NULL;
  if (size == 0 || size % bpf != 0) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "a sound of %" G_GSIZE_FORMAT " bytes: it must be one frame (%u "
        "bytes) or more, a whole number of them", size, (guint) bpf);
    g_object_unref (sound);
    return NULL;
  }
  mixed = audio_cast_stream_peek_mixer_stream (sound);
  /* placed before any of it is written, so that none plays early */
  if (!audio_cast_queue_start_stream_at (audio_cast_stream_peek_queue (sound),
          mixed, at_frame, error)) {
    g_object_unref (sound);
    return NULL;
  }
  if (loop) {
    if (!audio_cast_mixer_stream_loop (mixed, data, size / bpf)) {
      g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
          "no memory for a loop of %" G_GSIZE_FORMAT " bytes", size);
      g_object_unref (sound);
      return NULL;
    }
  } else if (audio_cast_stream_write (sound, data, size, error) != size / bpf) {
    g_object_unref (sound);
    return NULL;
  }
  return sound;
}
