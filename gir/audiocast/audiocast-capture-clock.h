/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* When captured audio was captured, on the monotonic clock.
 *
 * The device's clock, read as a buffer arrives, says so only roughly:
 * pulsesrc's clock moves in steps of its period, and on pipewire-pulse it
 * wanders by up to 20 ms over seconds against the monotonic clock, while
 * the samples themselves come at a steady rate. Measured on a PipeWire null
 * sink's monitor, 9 s of 20 ms reads: capture times that followed the
 * clock's readings went 19 ms off a straight line within 4 s and came back
 * (22 ms in another run); the earliest arrival of each half second, less
 * the frames' place in the stream, stayed within 0.1 ms. Whatever is placed
 * by those readings moves with them: capture times, and the echo
 * canceller's reference against the capture, which costs the filter its
 * convergence at every move.
 *
 * So the shape comes from the arrivals and the level from the clock:
 *
 *   captured = place + floor + latency
 *
 * place: where the buffer starts in the stream (its frames at the rate);
 * floor: the earliest arrival less place (no buffer arrives before it is
 * captured, and the earliest are the ones no thread was late for), let
 * rise by AUDIO_CAST_CAPTURE_CLOCK_CREEP of the time that passes so that it
 * follows a device slower than the monotonic clock (a faster one lowers it
 * by itself); latency: how much earlier than that the clock says the
 * frames were captured, averaged over everything read since the start (up
 * to a minute, the first reading counting as half a second), so that its
 * wander cancels out. Every part moves slowly or
 * not at all. A reading further off than the caller's threshold is a jump
 * (a restart) and starts it all over.
 *
 * Not thread-safe: each owner keeps one in one thread, and it never
 * allocates. Private to the library. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Devices' clocks are within 100 ppm of the nominal rate, a few hundred at
 * worst. */
#define AUDIO_CAST_CAPTURE_CLOCK_CREEP 300e-6

typedef struct
{
  gdouble floor_us;             /* earliest arrival less place, creeping up */
  gint64 last_place_us;         /* of the buffer before */
  gdouble latency_us;           /* mean of reading − (place + floor) */
  gdouble latency_weight;       /* seconds of readings in it */
  gboolean started;
} AudioCastCaptureClock;

/* Forgets everything. */
void   audio_cast_capture_clock_reset  (AudioCastCaptureClock *c);

/* A buffer of @span_us of audio, @place_us into the stream (monotonic
 * µs, from any origin that stays), arrived at @arrived_us; the device's
 * clock says its first frame was captured at @reading_us. Returns when it
 * was captured (monotonic µs). A reading more than @reset_us off the
 * estimate starts over from it. */
gint64 audio_cast_capture_clock_update (AudioCastCaptureClock *c,
                                        gint64 place_us, gint64 arrived_us,
                                        gint64 reading_us, gint64 span_us,
                                        gint64 reset_us);

/* The earliest arrival line alone, for who needs no level but steadiness
 * (the echo canceller, whose echo delay takes in any constant): where a
 * buffer @place_us into the stream, arrived at @arrived_us, would have
 * arrived had no thread been late. Leaves the latency alone. */
gint64 audio_cast_capture_clock_update_arrival (AudioCastCaptureClock *c,
                                                gint64 place_us,
                                                gint64 arrived_us);

G_END_DECLS
