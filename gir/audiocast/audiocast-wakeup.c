/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "audiocast-wakeup.h"

#include <errno.h>

#ifdef G_OS_UNIX
#include <glib-unix.h>
#include <unistd.h>
#endif

void
audio_cast_wakeup_init (AudioCastWakeup *wakeup)
{
  wakeup->read_fd = -1;
  wakeup->write_fd = -1;
  wakeup->armed = FALSE;
  wakeup->wanted = 0;
}

void
audio_cast_wakeup_clear (AudioCastWakeup *wakeup)
{
#ifdef G_OS_UNIX
  if (wakeup->read_fd >= 0)
    close (wakeup->read_fd);
  if (wakeup->write_fd >= 0)
    close (wakeup->write_fd);
#endif
  audio_cast_wakeup_init (wakeup);
}

/* The read end, opened on first use; -1 where there are no pipes (or
 * none left: the caller then says so). Both ends are non-blocking: the
 * audio thread's write must never wait, and neither may the acknowledging
 * read. */
gint
audio_cast_wakeup_get_fd (AudioCastWakeup *wakeup)
{
#ifdef G_OS_UNIX
  gint fds[2];

  if (wakeup->read_fd >= 0)
    return wakeup->read_fd;
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, NULL))
    return -1;
  if (!g_unix_set_fd_nonblocking (fds[0], TRUE, NULL)
      || !g_unix_set_fd_nonblocking (fds[1], TRUE, NULL)) {
    close (fds[0]);
    close (fds[1]);
    return -1;
  }
  wakeup->read_fd = fds[0];
  wakeup->write_fd = fds[1];
#endif
  return wakeup->read_fd;
}

/* Consumes an earlier wakeup (the fd is not readable after this) and arms
 * for the next. A waiter arms, then checks its condition, then waits on the
 * fd: whatever happens after the arming makes the fd readable. */
void
audio_cast_wakeup_arm (AudioCastWakeup *wakeup, guint64 wanted)
{
#ifdef G_OS_UNIX
  gchar sink[16];

  /* Opened here, not only when the waiter asks for the fd: a wakeup fired
   * before the pipe exists (the room was there at the arming) would be
   * lost, and the waiter would sleep on for good. */
  if (audio_cast_wakeup_get_fd (wakeup) >= 0)
    while (read (wakeup->read_fd, sink, sizeof sink) > 0);
#endif
  wakeup->armed = TRUE;
  wakeup->wanted = wanted;
}

/* Wakes the waiter whatever it waits for: a clear, a stop, a failure. One
 * byte, non-blocking: a full pipe already says "readable". */
void
audio_cast_wakeup_fire (AudioCastWakeup *wakeup)
{
  if (!wakeup->armed)
    return;
  wakeup->armed = FALSE;
#ifdef G_OS_UNIX
  if (wakeup->write_fd >= 0) {
    gssize written;

    do
      written = write (wakeup->write_fd, "", 1);
    while (written < 0 && errno == EINTR);
  }
#endif
}

/* Wakes the waiter once @have reached what it waits for (any @have when it
 * waits for progress, wanted 0). */
void
audio_cast_wakeup_fire_if_reached (AudioCastWakeup *wakeup, guint64 have)
{
  if (wakeup->armed && have >= wakeup->wanted)
    audio_cast_wakeup_fire (wakeup);
}
