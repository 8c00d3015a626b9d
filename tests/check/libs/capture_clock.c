/* AudioCastCaptureClock on its own: when captured audio was captured
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A simulated device delivers 10 ms buffers. Each arrives 20 ms after it
 * was captured plus however late the reading thread was (nothing one
 * buffer in five, up to 15 ms otherwise, and now and then a stall of
 * 200 ms, after which the buffers behind it come at once). The device's
 * clock says when each was captured with a wander (±15 ms, over 6 s, as
 * pulsesrc's clock through pipewire-pulse does) and ±5 ms off, read at a
 * time of its own against the clock's 10 ms steps. The truth is the
 * simulation's: the estimates must stay near it and, above all, move
 * slowly, from the first buffer on.
 */

#include <gst/check/gstcheck.h>
#include <math.h>

#include <audiocast/audiocast-capture-clock.h>

#define BUFFER_US 10000
#define DELIVERY_US 20000
#define RESET_US 50000
#define T0_US ((gint64) 1000 * G_USEC_PER_SEC)

typedef struct
{
  GRand *rand;
  gdouble ppm;                  /* the device's rate against monotonic */
  gint64 stall_until;
} Device;

/* When buffer @i (its place: @i buffers of stream) was captured. */
static gint64
captured_at (Device *dev, guint i)
{
  return T0_US + (gint64) ((gdouble) i * BUFFER_US * (1 - dev->ppm * 1e-6));
}

static gint64
arrived_at (Device *dev, guint i)
{
  gint64 arrival = captured_at (dev, i) + DELIVERY_US;

  if (i % 700 == 350)           /* a stall every 7 s */
    dev->stall_until = arrival + 200000;
  if (arrival < dev->stall_until)
    return dev->stall_until;
  /* the first buffer, and one in five after it, on time */
  if (i == 0 || g_rand_int_range (dev->rand, 0, 5) == 0)
    return arrival;
  return arrival + g_rand_int_range (dev->rand, 0, 15000);
}

static gint64
clock_reading (Device *dev, guint i)
{
  gdouble wander = 15000 * sin (2 * G_PI * i * BUFFER_US / 6e6);
  /* read at a time of its own against the clock's 10 ms steps */
  gint64 stepped = g_rand_int_range (dev->rand, -BUFFER_US / 2, BUFFER_US / 2);

  return captured_at (dev, i) - stepped + (gint64) wander;
}

/* Runs @seconds of buffers; returns the largest error against the truth
 * after @settle_s, in @max_move_per_s the largest move of the error over
 * one second after then, and in @max_step how far consecutive buffers'
 * times were from their length apart at most, from the start (a reader's
 * consecutive reads). */
static gdouble
run (Device *dev, AudioCastCaptureClock *c, guint seconds, guint settle_s,
    gboolean arrival_only, gdouble *max_move_per_s, gdouble *max_step)
{
  guint per_s = G_USEC_PER_SEC / BUFFER_US, i;
  gdouble worst = 0, error_a_second_ago = 0, error, last_error = 0;

  *max_move_per_s = 0;
  *max_step = 0;
  for (i = 0; i < seconds * per_s; i++) {
    gint64 place = (gint64) i * BUFFER_US;
    gint64 arrived = arrived_at (dev, i);
    gint64 estimate = arrival_only
        ? audio_cast_capture_clock_update_arrival (c, place, arrived)
        - DELIVERY_US
        : audio_cast_capture_clock_update (c, place, arrived,
        clock_reading (dev, i), BUFFER_US, RESET_US);

    error = (gdouble) (estimate - captured_at (dev, i));
    if (i > 0)
      *max_step = MAX (*max_step, ABS (error - last_error));
    last_error = error;
    if (i >= settle_s * per_s) {
      worst = MAX (worst, ABS (error));
      if (i % per_s == 0 && i > settle_s * per_s)
        *max_move_per_s = MAX (*max_move_per_s,
            ABS (error - error_a_second_ago));
    }
    if (i % per_s == 0)
      error_a_second_ago = error;
  }
  return worst;
}

/* Capture times: within a few ms of the truth once the clock's wander has
 * been averaged, and moving by less than a millisecond a second, where the
 * clock's own readings move by up to 15 ms a second. */
GST_START_TEST (test_capture_times_hold_still)
{
  Device dev = { g_rand_new_with_seed (1), 0, 0 };
  AudioCastCaptureClock c;
  gdouble worst, move, step;

  audio_cast_capture_clock_reset (&c);
  worst = run (&dev, &c, 60, 20, FALSE, &move, &step);
  GST_INFO ("worst %.0f us, largest move %.0f us/s, largest step %.0f us",
      worst, move, step);
  fail_unless (worst < 5000, "%.0f us off the truth", worst);
  fail_unless (move < 1000, "moved %.0f us in a second", move);
  fail_unless (step < 1000, "consecutive buffers %.0f us off their length "
      "apart", step);
  g_rand_free (dev.rand);
}

GST_END_TEST;

/* The arrival line alone (the echo canceller's): a constant away from the
 * truth within a quarter of a millisecond after the first second, stalls
 * and all, on a device slower or faster than the monotonic clock by
 * 100 ppm. */
GST_START_TEST (test_arrival_line_is_steady)
{
  const gdouble ppms[] = { 0, 100, -100 };
  guint k;

  for (k = 0; k < G_N_ELEMENTS (ppms); k++) {
    Device dev = { g_rand_new_with_seed (2 + k), ppms[k], 0 };
    AudioCastCaptureClock c;
    gdouble worst, move, step;

    audio_cast_capture_clock_reset (&c);
    worst = run (&dev, &c, 30, 1, TRUE, &move, &step);
    GST_INFO ("%+.0f ppm: worst %.0f us, largest move %.0f us/s", ppms[k],
        worst, move);
    fail_unless (worst < 1000, "%+.0f ppm: %.0f us off", ppms[k], worst);
    fail_unless (move < 250, "%+.0f ppm: moved %.0f us in a second",
        ppms[k], move);
    g_rand_free (dev.rand);
  }
}

GST_END_TEST;

/* The stream starts over (its place goes back, or the clock jumps): the
 * estimate starts over with it rather than creeping there. */
GST_START_TEST (test_starts_over_at_a_jump)
{
  AudioCastCaptureClock c;
  gint64 t;
  guint i;

  audio_cast_capture_clock_reset (&c);
  for (i = 0; i < 500; i++)
    audio_cast_capture_clock_update (&c, i * BUFFER_US,
        T0_US + i * BUFFER_US + DELIVERY_US, T0_US + i * BUFFER_US,
        BUFFER_US, RESET_US);
  /* the device restarted 300 ms later than the old timeline said */
  t = audio_cast_capture_clock_update (&c, 500 * BUFFER_US,
      T0_US + 500 * BUFFER_US + 300000 + DELIVERY_US,
      T0_US + 500 * BUFFER_US + 300000, BUFFER_US, RESET_US);
  fail_unless_equals_int64 (t, T0_US + 500 * BUFFER_US + 300000);

  /* a new timeline from 0, for the arrival line */
  audio_cast_capture_clock_reset (&c);
  for (i = 0; i < 500; i++)
    audio_cast_capture_clock_update_arrival (&c, i * BUFFER_US,
        T0_US + i * BUFFER_US);
  t = audio_cast_capture_clock_update_arrival (&c, 0, T0_US + 6000000);
  fail_unless_equals_int64 (t, T0_US + 6000000);
}

GST_END_TEST;

static Suite *
capture_clock_suite (void)
{
  Suite *s = suite_create ("capture_clock");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_capture_times_hold_still);
  tcase_add_test (tc, test_arrival_line_is_steady);
  tcase_add_test (tc, test_starts_over_at_a_jump);
  return s;
}

GST_CHECK_MAIN (capture_clock);
