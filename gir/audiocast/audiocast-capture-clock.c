/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* See audiocast-capture-clock.h. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-capture-clock.h"

/* The clock's wander is seconds long: its mean over a minute holds still,
 * and a minute is short next to how a device's latency changes (it does
 * not, short of a restart, which starts over). */
#define LATENCY_SPAN_S 60.0
/* The first reading counts as this much: the next ones, a period each, move
 * the times by a fiftieth of how far off they are, so that consecutive
 * buffers' times stay their length apart (a mean of the few readings there
 * were moved them by 2 ms at the second buffer, 5 ms over the first ten:
 * test_py_recorder's capture times on a rewinding null sink). */
#define LATENCY_PRIOR_S 0.5

void
audio_cast_capture_clock_reset (AudioCastCaptureClock *c)
{
  c->started = FALSE;
  c->latency_us = 0;
  c->latency_weight = 0;
}

/* The floor, with a buffer at @place_us that arrived @arrival_less_place
 * after its place taken in. */
static gdouble
update_floor (AudioCastCaptureClock *c, gint64 place_us,
    gint64 arrival_less_place)
{
  gdouble passed = (gdouble) MAX (place_us - c->last_place_us, 0);

  c->last_place_us = place_us;
  c->floor_us = MIN (c->floor_us + passed * AUDIO_CAST_CAPTURE_CLOCK_CREEP,
      (gdouble) arrival_less_place);
  return c->floor_us;
}

/* Starts the floor at a first buffer. */
static void
start (AudioCastCaptureClock *c, gint64 place_us, gint64 arrived_us)
{
  c->floor_us = (gdouble) (arrived_us - place_us);
  c->last_place_us = place_us;
  c->started = TRUE;
}

/* The stream's place went back, or on far ahead of the arrivals: its
 * timeline started over. A thread late by this much would start over too,
 * and find the floor again from the buffers it then catches up on. */
#define TIMELINE_JUMP_US (G_USEC_PER_SEC)

gint64
audio_cast_capture_clock_update_arrival (AudioCastCaptureClock *c,
    gint64 place_us, gint64 arrived_us)
{
  if (!c->started || place_us < c->last_place_us
      || ABS ((gdouble) (arrived_us - place_us) - c->floor_us)
      > TIMELINE_JUMP_US)
    start (c, place_us, arrived_us);
  return place_us + (gint64) update_floor (c, place_us,
      arrived_us - place_us);
}

gint64
audio_cast_capture_clock_update (AudioCastCaptureClock *c, gint64 place_us,
    gint64 arrived_us, gint64 reading_us, gint64 span_us, gint64 reset_us)
{
  gdouble seconds = (gdouble) MAX (span_us, 1) / G_USEC_PER_SEC;
  gdouble floor_us = 0;

  if (c->started) {
    floor_us = update_floor (c, place_us, arrived_us - place_us);
    if (ABS ((gdouble) (reading_us - place_us) - floor_us - c->latency_us)
        > (gdouble) reset_us)
      audio_cast_capture_clock_reset (c);
  }
  if (!c->started) {
    start (c, place_us, arrived_us);
    floor_us = c->floor_us;
  }
  if (c->latency_weight <= 0) {
    c->latency_weight = LATENCY_PRIOR_S;
    c->latency_us = (gdouble) (reading_us - place_us) - floor_us;
  } else {
    c->latency_weight = MIN (c->latency_weight + seconds, LATENCY_SPAN_S);
    c->latency_us += ((gdouble) (reading_us - place_us) - floor_us
        - c->latency_us) * (seconds / c->latency_weight);
  }
  return place_us + (gint64) (floor_us + c->latency_us);
}
