/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * AudioCastQueue pacing its pushes: the output thread waits in its own
 * condition until the device has room for the next period, instead of
 * pushing into a full device and waiting inside it.
 *
 * Waiting inside the device is not free when the device is pulsesink: every
 * pulsesink of a process shares one PulseAudio mainloop, whose lock and
 * condition are shared too, and each request of the server for more audio,
 * on any stream, wakes every thread waiting in any pulsesink for room, each
 * of which takes the shared lock (a priority-inheriting mutex, a system
 * call when contended) only to find that the request was not for it. With
 * N players the wake-ups grow as N squared: measured with 16 players
 * streaming on a null sink read in real time, the process spent about 3
 * times PyAudio's CPU per player, most of it in the kernel switching
 * threads (docs/design.md, "Pacing").
 *
 * The device's level is known without asking it: what was pushed and not
 * yet heard (the playout map). How full the device lets itself be is
 * learned from the pushes that did wait inside it (learn_full_level_locked),
 * and the next BURST_PERIODS periods go out once the level is that many
 * periods below it, when the server has asked for them.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-queue-private.h"

/* A push that took longer than this share of a period waited in the device
 * for room: copying a period into it takes a few microseconds. */
#define WAITED_SHARE 16

/* The level pushes keep to is tuned by what they meet: one that waited in
 * the device lowers it by 1/DOWN_SHARE of a period (unless the device held
 * more than that), one that did not raises it by 1/UP_SHARE, so that about
 * one push in UP_SHARE / DOWN_SHARE + 1 waits. The server asks for more
 * at the end of each block it mixes, not as its level falls, so where a
 * request comes within a block is a matter of chance. */
#define DOWN_SHARE 16
#define UP_SHARE 256

/* Pushes go out in bursts of this many periods once the device has room
 * for all of them: one wake-up of the output thread, and one of
 * PulseAudio's mainloop thread, for all. Measured (CPU per second of audio
 * per player, a reader on the monitor, medians of 3): bursts of two, 28 ms
 * with one player and 10.5 with 16; of four, 15.7 and 8.2, but the server
 * then kept too little queued unless the device buffer grew to twenty
 * periods, and with twenty the times scheduled sounds report were 5 ms off
 * over 0.26 s (docs/design.md, Pacing). */
#define BURST_PERIODS 2

/* Pacing never holds the device below this, in milliseconds: the level it
 * keeps to is the one learned, less a period or two, and a level learned
 * wrong must not starve the device. A device buffer this small (the
 * low-latency mode's) is not paced at all: there every frame of margin
 * counts, and a few players at most stream that way. */
#define FLOOR_MS 20

/**
 * audio_cast_queue_note_push_time_locked: (skip)
 * @began_us: monotonic time the push began
 * @ended_us: monotonic time it returned
 *
 * With the lock held, after a period was pushed and taken: whether the push
 * waited in the device for room, i.e. the device was full.
 */
void
audio_cast_queue_note_push_time_locked (AudioCastQueue *self,
    gint64 began_us, gint64 ended_us)
{
  gint64 period_us;

  if (!self->have_info)
    return;
  period_us = gst_util_uint64_scale_int (self->period_frames, G_USEC_PER_SEC,
      GST_AUDIO_INFO_RATE (&self->info));
  self->push_waited = ended_us - began_us > period_us / WAITED_SHARE;
  self->periods_pushed++;
  if (self->push_waited)
    self->device_waits++;
}

/* With the lock held, at the top of an iteration, the device holding
 * @queued frames: what the last push says of the level at which the device
 * is full.
 *
 * A push that waited left the device full, so what it holds now is the
 * level; but a push also takes long when this thread was preempted in it on
 * a busy machine, with the device not full, so a wait lowers the level by a
 * small step only, which no run of such pushes can take far. A level taken
 * too low keeps the device emptier than it need be, which a push that did
 * not wait corrects a little; taken too high, pushes only wait in the
 * device as they would without pacing. */
static void
learn_full_level_locked (AudioCastQueue *self, guint64 queued)
{
  guint64 down = MAX (1, self->period_frames / DOWN_SHARE);
  guint64 up = MAX (1, self->period_frames / UP_SHARE);

  if (self->push_waited)
    self->device_full_frames = MAX (queued,
        self->device_full_frames - MIN (self->device_full_frames, down));
  else if (self->device_full_frames > 0)
    self->device_full_frames += up;
  self->push_waited = FALSE;
}

/* With the lock held: nothing but the device's room holds the next push
 * back (a flush, a stop or a new format go first). */
static gboolean
pacing_wanted_locked (AudioCastQueue *self)
{
  return self->src_running && !self->src_failed && !self->flush_stop_pending
      && !self->caps_pending && self->have_info;
}

/**
 * audio_cast_queue_wait_for_device_room_locked: (skip)
 *
 * With the lock held and the playout map just advanced to the device's
 * position: learns the device's full level from the last push, then waits
 * until there is room for the next period, or for the next BURST_PERIODS
 * when the last burst is over (see the top of this file). A clear, a stop
 * or a new format end the wait.
 */
void
audio_cast_queue_wait_for_device_room_locked (AudioCastQueue *self)
{
  guint64 queued, room_level, floor_frames;
  guint burst;
  gint64 deadline;

  if (!self->pace_pushes || self->renders_elsewhere
      || !pacing_wanted_locked (self))
    return;
  queued = audio_cast_playout_unheard (&self->playout);
  learn_full_level_locked (self, queued);
  floor_frames = gst_util_uint64_scale_int (FLOOR_MS,
      GST_AUDIO_INFO_RATE (&self->info), 1000);
  burst = BURST_PERIODS;
  while (burst > 0 && self->device_full_frames
      < floor_frames + (guint64) burst * self->period_frames)
    burst--;
  if (burst == 0)
    return;
  if (self->pace_burst > 0
      && queued + self->period_frames <= self->device_full_frames) {
    self->pace_burst--;
    return;
  }
  room_level = self->device_full_frames - (guint64) burst * self->period_frames;
  self->pace_burst = burst - 1;
  if (queued <= room_level)
    return;

  deadline = g_get_monotonic_time () + (gint64) gst_util_uint64_scale_int
      (queued - room_level, G_USEC_PER_SEC, GST_AUDIO_INFO_RATE (&self->info));
  while (pacing_wanted_locked (self)
      && g_cond_wait_until (&self->work_cond, &self->lock, deadline));
}

/**
 * audio_cast_queue_set_pace_pushes: (skip)
 *
 * Whether the output thread waits for the device's room before it pushes
 * (see the top of this file): for devices whose waits for room are shared
 * with every other stream of the process (pulsesink). A sink with a ring
 * thread of its own (alsasink) waits on its own ring buffer's condition,
 * which costs nobody else anything, and its clock tells when a period was
 * played by its device, not when its ring has room: it is not paced.
 */
void
audio_cast_queue_set_pace_pushes (AudioCastQueue *self, gboolean pace)
{
  g_mutex_lock (&self->lock);
  self->pace_pushes = pace;
  self->device_full_frames = 0;
  g_mutex_unlock (&self->lock);
}
