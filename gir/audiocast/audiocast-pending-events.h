/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define AUDIO_CAST_MAX_PENDING_EVENTS 16

/*
 * AudioCastPendingEvents holds upstream's events that belong at a place in
 * the audio (STREAM_START and TAG at a gapless track change) until the
 * output thread reaches that place in the ring, so the device sink, and the
 * application through it, hears of a new track when its first frames go out
 * rather than up to a ring's length before.
 *
 * Plain data, no allocation: the queue guards it with its lock. Positions
 * are the ring's absolute frame counters.
 */
typedef struct
{
  guint64 index;
  GstEvent *event;
} AudioCastPendingEvent;

typedef struct
{
  AudioCastPendingEvent events[AUDIO_CAST_MAX_PENDING_EVENTS];
  guint first;
  guint n_events;
} AudioCastPendingEvents;

void      audio_cast_pending_events_add   (AudioCastPendingEvents *pending,
                                           guint64 index, GstEvent *event);
GstEvent *audio_cast_pending_events_pop   (AudioCastPendingEvents *pending,
                                           guint64 index);
void      audio_cast_pending_events_rebase (AudioCastPendingEvents *pending,
                                            guint64 index);
void      audio_cast_pending_events_clear (AudioCastPendingEvents *pending);

G_END_DECLS
