/* AudioCastPlayout on its own: the map from the timeline pushed to the
 * device to the application frames heard
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The device is simulated by its sample counter: the test anchors each push
 * where the device took it and advances the counter as the device plays,
 * at the timeline's rate, so every expected figure is exact.
 */

#include <gst/check/gstcheck.h>

#include <audiocast/audiocast-playout.h>

#define RATE 8000

typedef struct
{
  AudioCastPlayout p;
  guint64 dev_written;          /* device samples handed over so far */
} Device;

static void
device_init (Device * d)
{
  memset (d, 0, sizeof (*d));
  audio_cast_playout_reset (&d->p, RATE);
}

/* Pushes @frames (data or silence) and anchors them where the device took
 * them: the end of what it was given. */
static void
device_push (Device * d, guint64 frames, gboolean is_data)
{
  audio_cast_playout_push (&d->p, frames, is_data);
  d->dev_written += frames;
  audio_cast_playout_anchor (&d->p, d->p.t_end, d->dev_written, RATE);
}

/* The device has played up to sample @dev_now. */
static void
device_play_to (Device * d, guint64 dev_now)
{
  audio_cast_playout_advance (&d->p, dev_now);
}

GST_START_TEST (test_heard_counts_data_not_silence)
{
  Device d;

  device_init (&d);
  device_push (&d, 100, TRUE);
  device_push (&d, 50, FALSE);
  device_push (&d, 100, TRUE);
  device_play_to (&d, 60);
  fail_unless_equals_uint64 (audio_cast_playout_heard (&d.p), 60);
  device_play_to (&d, 130);     /* inside the silence */
  fail_unless_equals_uint64 (audio_cast_playout_heard (&d.p), 100);
  device_play_to (&d, 170);
  fail_unless_equals_uint64 (audio_cast_playout_heard (&d.p), 120);
  device_play_to (&d, 250);
  fail_unless_equals_uint64 (audio_cast_playout_heard (&d.p), 200);
  fail_unless_equals_uint64 (audio_cast_playout_pushed (&d.p), 200);
}

GST_END_TEST;

/* The 65th run evicts the oldest, which holds the heard position: the
 * count stays where it was (it fell back to the epoch's base before). */
/* How far the device has played past the last data: what tells an idle
 * device's silence from the audio's tail still in it. */
GST_START_TEST (test_heard_past_data)
{
  Device d;

  device_init (&d);
  fail_unless_equals_uint64 (audio_cast_playout_heard_past_data (&d.p),
      G_MAXUINT64);
  device_push (&d, 100, TRUE);
  device_push (&d, 50, FALSE);
  device_push (&d, 100, TRUE);
  device_push (&d, 300, FALSE);
  device_play_to (&d, 130);     /* silence between data: data still ahead */
  fail_unless_equals_uint64 (audio_cast_playout_heard_past_data (&d.p), 0);
  device_play_to (&d, 250);     /* the end of the data */
  fail_unless_equals_uint64 (audio_cast_playout_heard_past_data (&d.p), 0);
  device_play_to (&d, 330);
  fail_unless_equals_uint64 (audio_cast_playout_heard_past_data (&d.p), 80);
  audio_cast_playout_new_epoch (&d.p);
  fail_unless_equals_uint64 (audio_cast_playout_heard_past_data (&d.p),
      G_MAXUINT64);
}

GST_END_TEST;

GST_START_TEST (test_heard_survives_eviction_of_its_run)
{
  Device d;
  guint64 before;
  guint i;

  device_init (&d);
  device_push (&d, 10, TRUE);
  device_play_to (&d, 5);
  before = audio_cast_playout_heard (&d.p);
  fail_unless_equals_uint64 (before, 5);
  /* the device stalls while data and silence alternate */
  for (i = 0; i < AUDIO_CAST_PLAYOUT_MAX_RUNS; i++) {
    device_push (&d, 3, FALSE);
    device_push (&d, 7, TRUE);
  }
  fail_unless (audio_cast_playout_heard (&d.p) >= before,
      "heard went back from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
      before, audio_cast_playout_heard (&d.p));
  /* and it catches up once the device plays on */
  device_play_to (&d, d.dev_written);
  fail_unless_equals_uint64 (audio_cast_playout_heard (&d.p),
      audio_cast_playout_pushed (&d.p));
}

GST_END_TEST;

/* 50 random patterns of data, silence, device progress and new epochs: heard
 * never goes back, never passes what was pushed, and is exact whenever the
 * device has played everything. */
GST_START_TEST (test_heard_monotonic_under_random_patterns)
{
  GRand *rand = g_rand_new_with_seed (20261202);
  guint round;

  for (round = 0; round < 50; round++) {
    Device d;
    guint64 last = 0, played = 0;
    guint step;

    device_init (&d);
    for (step = 0; step < 2000; step++) {
      guint what = g_rand_int_range (rand, 0, 10);
      guint64 heard;

      if (what < 4)
        device_push (&d, g_rand_int_range (rand, 1, 200), TRUE);
      else if (what < 7)
        device_push (&d, g_rand_int_range (rand, 1, 50), FALSE);
      else if (what < 9 && played < d.dev_written) {
        played += g_rand_int_range (rand, 0, d.dev_written - played + 1);
        device_play_to (&d, played);
      } else if (what == 9 && g_rand_int_range (rand, 0, 20) == 0) {
        /* a clear: everything pushed is heard or gone */
        audio_cast_playout_new_epoch (&d.p);
        played = d.dev_written;
      }
      heard = audio_cast_playout_heard (&d.p);
      fail_unless (heard >= last, "round %u step %u: heard went back from %"
          G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, round, step, last, heard);
      fail_unless (heard <= audio_cast_playout_pushed (&d.p));
      last = heard;
    }
    device_play_to (&d, d.dev_written);
    fail_unless_equals_uint64 (audio_cast_playout_heard (&d.p),
        audio_cast_playout_pushed (&d.p));
  }
  g_rand_free (rand);
}

GST_END_TEST;

static Suite *
playout_suite (void)
{
  Suite *s = suite_create ("playout");
  TCase *tc = tcase_create ("playout");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_heard_counts_data_not_silence);
  tcase_add_test (tc, test_heard_past_data);
  tcase_add_test (tc, test_heard_survives_eviction_of_its_run);
  tcase_add_test (tc, test_heard_monotonic_under_random_patterns);
  return s;
}

GST_CHECK_MAIN (playout);
