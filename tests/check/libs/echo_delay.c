/* AudioCastEchoDelay on its own: finding how long after a sound is heard
 * its echo is captured
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What is heard is speech-like noise (bursts of random length and level
 * with pauses between them); what is captured is that, delayed and
 * quieter, plus the room's own noise — or, for the cases without an echo,
 * only other sound.
 */

#include <gst/check/gstcheck.h>
#include <math.h>

#include <audiocast/audiocast-echo-delay.h>

#define RATE 16000
#define CHUNK (RATE / 100)              /* 10 ms, as the recorder delivers */
#define SECONDS 8

/* Bursty noise: a new level every 50 to 300 ms, a pause (level 0) one time
 * in three. */
static gfloat *
speechlike (GRand * rand, guint n)
{
  gfloat *x = g_new (gfloat, n);
  guint i = 0;

  while (i < n) {
    guint len = g_rand_int_range (rand, RATE / 20, RATE * 3 / 10);
    gdouble level = g_rand_int_range (rand, 0, 3) == 0 ? 0
        : g_rand_double_range (rand, 0.05, 0.5);

    for (; len > 0 && i < n; len--, i++)
      x[i] = (gfloat) (level * g_rand_double_range (rand, -1, 1));
  }
  return x;
}

/* Feeds @heard and @captured (@n samples each, from running time 0) in
 * 10 ms chunks, the heard one ahead as a player's is, and returns the
 * delay agreed on at the end. */
static gint
feed (AudioCastEchoDelay * d, const gfloat * heard, const gfloat * captured,
    guint n, guint start)
{
  guint i;
  gint delay = -1;

  for (i = start; i + CHUNK <= n; i += CHUNK) {
    GstClockTime t = gst_util_uint64_scale_int (i, GST_SECOND, RATE);

    audio_cast_echo_delay_add_heard (d, heard + i, CHUNK, RATE, t);
    audio_cast_echo_delay_add_captured (d, captured + i, CHUNK, RATE, t);
    delay = audio_cast_echo_delay_update (d);
  }
  return delay;
}

/* captured[i] = gain × heard[i − delay] + noise */
static gfloat *
echo_of (GRand * rand, const gfloat * heard, guint n, guint delay_ms,
    gdouble gain, gdouble noise)
{
  gfloat *c = g_new0 (gfloat, n);
  guint d = delay_ms * RATE / 1000, i;

  for (i = 0; i < n; i++)
    c[i] = (gfloat) ((i >= d ? gain * heard[i - d] : 0)
        + noise * g_rand_double_range (rand, -1, 1));
  return c;
}

GST_START_TEST (test_finds_the_echo_delay)
{
  GRand *rand = g_rand_new_with_seed (1);
  guint n = RATE * SECONDS;
  gfloat *heard = speechlike (rand, n);
  gfloat *captured = echo_of (rand, heard, n, 63, 0.5, 0.002);
  AudioCastEchoDelay *d = g_new (AudioCastEchoDelay, 1);

  audio_cast_echo_delay_init (d);
  fail_unless_equals_int (feed (d, heard, captured, n, 0), 63);
  fail_unless (d->correlation > 0.9);
  /* the echo is half as loud as what was heard, less the room's noise */
  fail_unless (ABS (d->gain - 0.5f) < 0.05f, "the echo's gain is %.3f, "
      "where it is 0.5", d->gain);
  /* a restart of the player's device does not change the room */
  audio_cast_echo_delay_relearn (d);
  fail_unless (ABS (d->gain - 0.5f) < 0.05f);
  g_free (d);
  g_free (heard);
  g_free (captured);
  g_rand_free (rand);
}

GST_END_TEST;

/* Sound that is not an echo of what was heard gives no delay at all. */
GST_START_TEST (test_no_echo_no_delay)
{
  GRand *rand = g_rand_new_with_seed (2);
  guint n = RATE * SECONDS;
  gfloat *heard = speechlike (rand, n);
  gfloat *other = speechlike (rand, n);
  gfloat *silence = g_new0 (gfloat, n);
  AudioCastEchoDelay *d = g_new (AudioCastEchoDelay, 1);

  audio_cast_echo_delay_init (d);
  fail_unless_equals_int (feed (d, heard, other, n, 0), -1);
  audio_cast_echo_delay_init (d);
  fail_unless_equals_int (feed (d, heard, silence, n, 0), -1);
  g_free (d);
  g_free (heard);
  g_free (other);
  g_free (silence);
  g_rand_free (rand);
}

GST_END_TEST;

/* The echo path changes (another output device, say): the delay follows
 * once the new one is clear; a change below the hysteresis does not move
 * it. */
GST_START_TEST (test_follows_a_new_delay)
{
  GRand *rand = g_rand_new_with_seed (3);
  guint n = RATE * SECONDS;
  gfloat *heard = speechlike (rand, 2 * n);
  gfloat *near = echo_of (rand, heard, 2 * n, 40, 0.5, 0.002);
  gfloat *far = echo_of (rand, heard, 2 * n, 120, 0.5, 0.002);
  gfloat *farther = echo_of (rand, heard, 2 * n, 122, 0.5, 0.002);
  AudioCastEchoDelay *d = g_new (AudioCastEchoDelay, 1);

  audio_cast_echo_delay_init (d);
  fail_unless_equals_int (feed (d, heard, near, n, 0), 40);
  /* the second half of the heard audio, its echo now 120 ms late */
  memcpy (near + n, far + n, n * sizeof (gfloat));
  fail_unless_equals_int (feed (d, heard, near, 2 * n, n), 120);
  audio_cast_echo_delay_init (d);
  fail_unless_equals_int (feed (d, heard, far, n, 0), 120);
  memcpy (far + n, farther + n, n * sizeof (gfloat));
  fail_unless_equals_int (feed (d, heard, far, 2 * n, n), 120);
  g_free (d);
  g_free (heard);
  g_free (near);
  g_free (far);
  g_free (farther);
  g_rand_free (rand);
}

GST_END_TEST;

/* After a relearn (the player's device restarted) the delay found again
 * replaces the old one only when it is at least the hysteresis away: a
 * millisecond or two is the device's report, not the room. */
GST_START_TEST (test_relearn_keeps_a_delay_found_again)
{
  GRand *rand = g_rand_new_with_seed (4);
  guint n = RATE * SECONDS;
  gfloat *heard = speechlike (rand, 2 * n);
  gfloat *before = echo_of (rand, heard, 2 * n, 60, 0.5, 0.002);
  gfloat *near = echo_of (rand, heard, 2 * n, 62, 0.5, 0.002);
  gfloat *far = echo_of (rand, heard, 2 * n, 90, 0.5, 0.002);
  AudioCastEchoDelay *d = g_new (AudioCastEchoDelay, 1);

  audio_cast_echo_delay_init (d);
  fail_unless_equals_int (feed (d, heard, before, n, 0), 60);
  audio_cast_echo_delay_relearn (d);
  fail_unless_equals_int (feed (d, heard, near, 2 * n, n), 60);
  fail_if (d->relearning);

  audio_cast_echo_delay_init (d);
  fail_unless_equals_int (feed (d, heard, before, n, 0), 60);
  audio_cast_echo_delay_relearn (d);
  fail_unless_equals_int (feed (d, heard, far, 2 * n, n), 90);
  g_free (d);
  g_free (heard);
  g_free (before);
  g_free (near);
  g_free (far);
  g_rand_free (rand);
}

GST_END_TEST;

/* The loudest heard block within @spread of @delay_ms before @block, times
 * the gain: the bound at one place. */
static gfloat
bound_at (const AudioCastEchoDelay * d, const gfloat * heard, gint64 block,
    gint delay_ms, gint spread)
{
  gfloat loudest = 0;
  gint64 b;
  guint i;

  for (b = block - delay_ms - spread; b <= block - delay_ms + spread; b++) {
    gfloat sum = 0;

    for (i = 0; i < RATE / 1000; i++)
      sum += fabsf (heard[b * (RATE / 1000) + i]);
    loudest = MAX (loudest, sum);
  }
  return loudest * d->gain;
}

/* The echo moves 30 ms later (its path changed, no restart to tell): the
 * delay follows only once three estimates over two seconds agree, but
 * within the half second after the move the delay no longer says where
 * the echo is (not placed), and the echo's bound covers where it went. */
GST_START_TEST (test_a_moved_echo_is_bound_where_it_went)
{
  GRand *rand = g_rand_new_with_seed (5);
  guint n = RATE * SECONDS;
  gfloat *heard = speechlike (rand, 2 * n);
  gfloat *captured = echo_of (rand, heard, 2 * n, 60, 0.5, 0.002);
  gfloat *moved = echo_of (rand, heard, 2 * n, 90, 0.5, 0.002);
  AudioCastEchoDelay *d = g_new (AudioCastEchoDelay, 1);
  gboolean seen_moving = FALSE;
  guint i;

  audio_cast_echo_delay_init (d);
  fail_unless_equals_int (feed (d, heard, captured, n, 0), 60);
  fail_unless (audio_cast_echo_delay_placed (d));
  memcpy (captured + n, moved + n, n * sizeof (gfloat));
  for (i = n; i + CHUNK <= 2 * n; i += CHUNK) {
    GstClockTime t = gst_util_uint64_scale_int (i, GST_SECOND, RATE);
    gint64 block = (gint64) (t / GST_MSECOND);

    audio_cast_echo_delay_add_heard (d, heard + i, CHUNK, RATE, t);
    audio_cast_echo_delay_add_captured (d, captured + i, CHUNK, RATE, t);
    audio_cast_echo_delay_update (d);
    if (d->delay_ms == 60 && d->recent_ms == 90) {
      if (!seen_moving)
        fail_unless (i < n + RATE, "the move was seen %u ms after it",
            (i - n) * 1000 / RATE);
      seen_moving = TRUE;
      fail_if (audio_cast_echo_delay_placed (d));
      fail_unless (audio_cast_echo_delay_echo_level (d, block, 1, 20)
          >= bound_at (d, heard, block, 90, 20) * 0.999f);
    }
  }
  fail_unless (seen_moving);
  fail_unless_equals_int (d->delay_ms, 90);
  fail_unless (audio_cast_echo_delay_placed (d));
  g_free (d);
  g_free (heard);
  g_free (captured);
  g_free (moved);
  g_rand_free (rand);
}

GST_END_TEST;

/* After a relearn the echo is not placed until it is found again, and
 * until then its bound spans a wider stretch around the old delay (the
 * player's sound may come back tens of milliseconds elsewhere). */
GST_START_TEST (test_after_a_relearn_the_echo_is_placed_once_found)
{
  GRand *rand = g_rand_new_with_seed (6);
  guint n = RATE * SECONDS;
  gfloat *heard = speechlike (rand, 2 * n);
  gfloat *captured = echo_of (rand, heard, 2 * n, 60, 0.5, 0.002);
  AudioCastEchoDelay *d = g_new (AudioCastEchoDelay, 1);
  gint64 block = n / (RATE / 1000);
  gboolean wider = FALSE;
  gint64 b;

  audio_cast_echo_delay_init (d);
  fail_unless_equals_int (feed (d, heard, captured, n, 0), 60);
  audio_cast_echo_delay_relearn (d);
  fail_if (audio_cast_echo_delay_placed (d));
  for (b = block - 400; b < block + 20; b++) {
    gfloat bound = audio_cast_echo_delay_echo_level (d, b, 1, 20);

    fail_unless (bound >= bound_at (d, heard, b, 60, 20) * 0.999f);
    fail_unless (bound <= bound_at (d, heard, b, 60, 35) * 1.001f);
    wider |= bound > bound_at (d, heard, b, 60, 20) * 1.001f;
  }
  fail_unless (wider);
  fail_unless_equals_int (feed (d, heard, captured, 2 * n, n), 60);
  fail_unless (audio_cast_echo_delay_placed (d));
  g_free (d);
  g_free (heard);
  g_free (captured);
  g_rand_free (rand);
}

GST_END_TEST;

static Suite *
echo_delay_suite (void)
{
  Suite *s = suite_create ("echo_delay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_finds_the_echo_delay);
  tcase_add_test (tc, test_no_echo_no_delay);
  tcase_add_test (tc, test_follows_a_new_delay);
  tcase_add_test (tc, test_relearn_keeps_a_delay_found_again);
  tcase_add_test (tc, test_a_moved_echo_is_bound_where_it_went);
  tcase_add_test (tc, test_after_a_relearn_the_echo_is_placed_once_found);
  return s;
}

GST_CHECK_MAIN (echo_delay);
