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
 * AudioCastWakeup: a file descriptor an event loop (asyncio, a GLib main
 * loop, select()) watches for reading, made readable by the library once
 * what a waiter armed it for happened: ring space, a period played, frames
 * captured, a clear, a stop, a failure.
 *
 * One-shot and armed on demand, so that the audio threads write to it only
 * while somebody waits, and at most once per arming: a loop that waits for
 * a drain wakes once per period the device takes, not once per frame, and a
 * player nobody awaits costs nothing. The owner guards it with its own lock
 * (the queue's lock, the capture ring's lock): every function here is
 * called with that lock held. The pipe is opened when the fd is first asked
 * for, so a blocking-only application holds no extra descriptors.
 */
typedef struct
{
  gint read_fd;                 /* -1 until opened */
  gint write_fd;
  gboolean armed;
  guint64 wanted;               /* what the waiter waits for, in frames: the
                                 * owner says of what (0: any progress) */
} AudioCastWakeup;

void     audio_cast_wakeup_init   (AudioCastWakeup *wakeup);
void     audio_cast_wakeup_clear  (AudioCastWakeup *wakeup);
gint     audio_cast_wakeup_get_fd (AudioCastWakeup *wakeup);

void     audio_cast_wakeup_arm    (AudioCastWakeup *wakeup, guint64 wanted);
void     audio_cast_wakeup_fire   (AudioCastWakeup *wakeup);
void     audio_cast_wakeup_fire_if_reached (AudioCastWakeup *wakeup,
                                            guint64 have);

G_END_DECLS
