/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Players and recorders inside an event loop (asyncio, a GLib main loop,
 * select()): writes that never wait, and a file descriptor the library
 * makes readable once what the loop waits for happened — room in the ring,
 * a period played, frames captured, a clear, a stop, a failure. The loop
 * arms it, checks, and sleeps on the fd: no thread per call, no polling. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-player-internal.h"
#include "audiocast-recorder-private.h"

/**
 * audio_cast_player_try_write:
 * @self: an [class@Player]
 * @format: the sample format of @data
 * @data: (array length=size) (element-type guint8): interleaved frames
 * @size: the size of @data in bytes, whole frames
 * @error: return location for a `GError`, or `NULL`
 *
 * Like [method@Player.write], but never waits: it queues what fits in the
 * ring now and returns at once. Returns 0 too while a write in another
 * thread waits for room (frames are never interleaved). For event loops,
 * with [method@Player.arm_wakeup].
 *
 * Returns: the frames queued, 0 when none fit or on error
 *
 * Since: 0.1
 */
gsize
audio_cast_player_try_write (AudioCastPlayer *self,
    AudioCastSampleFormat format, const guint8 *data, gsize size,
    GError **error)
{
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), 0);
  g_return_val_if_fail (data != NULL || size == 0, 0);

  return audio_cast_player_write_frames (self, format, data, size, FALSE,
      error);
}

/**
 * audio_cast_player_get_write_available:
 * @self: an [class@Player]
 *
 * Returns: the frames [method@Player.write] would queue now without
 *   waiting: the room in the ring (before the first write, the whole ring)
 *
 * Since: 0.1
 */
guint64
audio_cast_player_get_write_available (AudioCastPlayer *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), 0);

  return audio_cast_queue_get_space (audio_cast_player_peek_queue (self),
      audio_cast_player_get_sample_rate (self));
}

/**
 * audio_cast_player_get_wakeup_fd:
 * @self: an [class@Player]
 *
 * A file descriptor for an event loop to watch for reading. It becomes
 * readable once what [method@Player.arm_wakeup] asked for happened; the
 * next arming consumes that. Do not read or close it: the player owns it
 * until it is finalized.
 *
 * Returns: the file descriptor, or -1 where pipes are not available
 *
 * Since: 0.1
 */
gint
audio_cast_player_get_wakeup_fd (AudioCastPlayer *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), -1);

  return audio_cast_queue_get_wakeup_fd (audio_cast_player_peek_queue (self));
}

/**
 * audio_cast_player_arm_wakeup:
 * @self: an [class@Player]
 * @space_frames: the room in the ring to wait for, in frames (capped to
 *   the ring's size); 0 to wait for the next period the device takes
 *
 * Makes the fd of [method@Player.get_wakeup_fd] readable once, when the
 * ring has room for @space_frames frames (at once if it has), or — with
 * @space_frames 0 — when the device took its next period, which is how a
 * loop follows a drain ([method@Player.drain] with a timeout of 0 says
 * whether it is done). A clear, a stop and a device failure make it
 * readable whatever it waits for.
 *
 * Arm first, then check (try the write, the drain), then wait on the fd:
 * whatever happens after the arming wakes the loop. Arming again forgets
 * the previous arming and a wakeup nobody consumed.
 *
 * Since: 0.1
 */
void
audio_cast_player_arm_wakeup (AudioCastPlayer *self, guint64 space_frames)
{
  g_return_if_fail (AUDIO_CAST_IS_PLAYER (self));

  audio_cast_queue_arm_wakeup (audio_cast_player_peek_queue (self),
      space_frames);
}

/**
 * audio_cast_recorder_get_wakeup_fd:
 * @self: an [class@Recorder]
 *
 * A file descriptor for an event loop to watch for reading. It becomes
 * readable once what [method@Recorder.arm_wakeup] asked for happened; the
 * next arming consumes that. Do not read or close it: the recorder owns it
 * until it is finalized.
 *
 * Returns: the file descriptor, or -1 where pipes are not available
 *
 * Since: 0.1
 */
gint
audio_cast_recorder_get_wakeup_fd (AudioCastRecorder *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self), -1);

  return self->have_ring ? audio_cast_capture_ring_get_wakeup_fd (&self->ring)
      : -1;
}

/**
 * audio_cast_recorder_arm_wakeup:
 * @self: an [class@Recorder]
 * @frames: the frames to wait for (capped to the ring's size; at least 1)
 *
 * Makes the fd of [method@Recorder.get_wakeup_fd] readable once @frames
 * frames can be read (at once if they can), or the recorder stopped or
 * failed. Arm, then check ([method@Recorder.get_available]), then wait on
 * the fd; a read with a timeout of 0 then returns at once.
 *
 * Since: 0.1
 */
void
audio_cast_recorder_arm_wakeup (AudioCastRecorder *self, guint64 frames)
{
  g_return_if_fail (AUDIO_CAST_IS_RECORDER (self));

  if (self->have_ring)
    audio_cast_capture_ring_arm_wakeup (&self->ring, frames);
}
