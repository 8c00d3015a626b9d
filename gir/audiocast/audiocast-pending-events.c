/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-pending-events.h"

static AudioCastPendingEvent *
event_at (AudioCastPendingEvents *pending, guint i)
{
  return &pending->events[(pending->first + i) % AUDIO_CAST_MAX_PENDING_EVENTS];
}

/* Takes @event. With the table full the oldest event goes: it is the one
 * most likely about audio already cleared. */
void
audio_cast_pending_events_add (AudioCastPendingEvents *pending, guint64 index,
    GstEvent *event)
{
  AudioCastPendingEvent *slot;

  if (pending->n_events == AUDIO_CAST_MAX_PENDING_EVENTS)
    gst_event_unref (audio_cast_pending_events_pop (pending, G_MAXUINT64));
  pending->n_events++;
  slot = event_at (pending, pending->n_events - 1);
  slot->index = index;
  slot->event = event;
}

/* The oldest event due at ring position @index or before, or NULL. */
GstEvent *
audio_cast_pending_events_pop (AudioCastPendingEvents *pending, guint64 index)
{
  AudioCastPendingEvent *slot;

  if (pending->n_events == 0)
    return NULL;
  slot = event_at (pending, 0);
  if (slot->index > index)
    return NULL;
  pending->first = (pending->first + 1) % AUDIO_CAST_MAX_PENDING_EVENTS;
  pending->n_events--;
  return g_steal_pointer (&slot->event);
}

/* The ring starts over at @index (a new format): every event is due there. */
void
audio_cast_pending_events_rebase (AudioCastPendingEvents *pending,
    guint64 index)
{
  guint i;

  for (i = 0; i < pending->n_events; i++)
    event_at (pending, i)->index = index;
}

void
audio_cast_pending_events_clear (AudioCastPendingEvents *pending)
{
  GstEvent *event;

  while ((event = audio_cast_pending_events_pop (pending, G_MAXUINT64)))
    gst_event_unref (event);
  pending->first = 0;
}
