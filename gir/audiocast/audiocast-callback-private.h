/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Callback mode's bookkeeping, shared by the player's own audio and its
 * streams (audiocast-callback.c). Private to the library. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  /* lock: guards thread (the feeder; NULL when none runs), so that a
   * start and a stop from two threads agree on which feeder there is */
  GMutex lock;
  GThread *thread;
  gint stop;                    /* atomic: asks the feeder to end */
} AudioCastCallbackSlot;

void     audio_cast_callback_slot_init  (AudioCastCallbackSlot *slot);
/* Once the owner is finalized: a feeder that ran has ended (it held a
 * reference to the owner). */
void     audio_cast_callback_slot_clear (AudioCastCallbackSlot *slot);
/* Asks the feeder to end with its next wait or write, without waiting. */
void     audio_cast_callback_slot_ask_stop (AudioCastCallbackSlot *slot);

G_END_DECLS
