/* audiocastsink and devices that do not behave as the platform sinks do:
 * an audio-sink that renders in a thread of its own ("queue ! alsasink"),
 * and a device clock that jumps (libpulse's, wrapped after a cork). Heard
 * counts, drain and clear still follow what the device played.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "casttest.h"

#define BUFFER_TIME_US 200000
#define LATENCY_TIME_US 10000
/* the period, in CAST_RATE frames */
#define PERIOD_FRAMES (CAST_RATE * LATENCY_TIME_US / 1000000)

/* The fixture with "queue ! fakeaudiodevice" as its audio-sink: the queue
 * takes up to a second of audio at once, and its own thread renders it. */
static CastFixture *
queued_fixture_new (void)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  GstElement *bin = gst_bin_new ("queued-device");
  GstElement *queue = gst_element_factory_make ("queue", NULL);
  GstPad *pad;

  fail_unless (queue != NULL);
  /* the bin takes a reference of its own: f->dev is not floating */
  gst_bin_add_many (GST_BIN (bin), queue, f->dev, NULL);
  fail_unless (gst_element_link (queue, f->dev));
  pad = gst_element_get_static_pad (queue, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  gst_object_unref (pad);
  g_object_set (f->cast, "audio-sink", bin, NULL);
  return f;
}

/* Frames of the test's stream the device has played. */
static guint64
stream_frames_played (CastFixture * f)
{
  CastLog log;
  gsize n;

  cast_log_get (f, &log);
  n = cast_log_count_stream (&log, 1, 0);
  cast_log_free (&log);
  return n;
}

/* Drain returns once the device played everything, not once the queue in
 * front of it took everything. */
GST_START_TEST (test_drain_waits_for_the_device_behind_a_queue)
{
  CastFixture *f = queued_fixture_new ();
  CastStats s;
  CastLog log;
  gssize a;

  cast_fixture_start (f);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, CAST_RATE / 2,
          TRUE), GST_FLOW_OK);
  fail_unless (cast_fixture_drain (f, -1));

  cast_log_get (f, &log);
  a = cast_log_find_stream (&log, 1, 0);
  fail_unless (a >= 0, "nothing played when drain returned");
  fail_unless (cast_log_count_stream (&log, 1, a) == CAST_RATE / 2,
      "drain returned with %" G_GSIZE_FORMAT " of %d frames played",
      cast_log_count_stream (&log, 1, a), CAST_RATE / 2);
  cast_log_free (&log);

  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.played, CAST_RATE / 2);
  cast_assert_invariant (&s);
  cast_fixture_free (f);
}

GST_END_TEST;

/* With the device stopped, what the queue holds is not heard: the heard
 * count stays within what the device logged. */
GST_START_TEST (test_audio_held_in_the_queue_is_not_heard)
{
  CastFixture *f = queued_fixture_new ();
  CastStats s;
  guint64 before;

  cast_fixture_start (f);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, 4 * PERIOD_FRAMES,
          TRUE), GST_FLOW_OK);
  fail_unless (cast_fixture_drain (f, -1));
  cast_stats_read_stable (f->cast, &s);
  before = s.played;

  fake_device_set_gate (f->dev, FALSE);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 4 * PERIOD_FRAMES,
          CAST_RATE / 10, TRUE), GST_FLOW_OK);
  fail_unless (fake_device_wait_blocked (f->dev, -1));
  /* the output thread has pushed the new audio into the queue by now */
  cast_sleep_ms (100);
  cast_stats_read_stable (f->cast, &s);
  fail_unless (s.played <= stream_frames_played (f), "%" G_GUINT64_FORMAT
      " frames heard, %" G_GUINT64_FORMAT " played by the device", s.played,
      stream_frames_played (f));
  fail_unless (s.played >= before);
  fail_if (cast_fixture_drain (f, 0), "drained with the device stopped");

  fake_device_set_gate (f->dev, TRUE);
  fail_unless (cast_fixture_drain (f, -1));
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.played, 4 * PERIOD_FRAMES + CAST_RATE / 10);
  cast_assert_invariant (&s);
  cast_fixture_free (f);
}

GST_END_TEST;

/* clear() says how much was heard: what the device played, give or take
 * the period it was playing, although the queue held more. */
GST_START_TEST (test_clear_counts_what_the_device_played_behind_a_queue)
{
  CastFixture *f = queued_fixture_new ();
  guint64 heard, discarded, before, after;
  CastStats s;

  cast_fixture_start (f);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, CAST_RATE / 2,
          TRUE), GST_FLOW_OK);
  while ((before = stream_frames_played (f)) < 10 * PERIOD_FRAMES)
    cast_sleep_ms (2);
  cast_fixture_clear (f, &heard, &discarded);
  after = stream_frames_played (f);
  fail_unless (heard + PERIOD_FRAMES >= before && heard <= after
      + PERIOD_FRAMES, "clear said %" G_GUINT64_FORMAT " frames heard; the "
      "device had played %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, heard,
      before, after);
  fail_unless_equals_uint64 (heard + discarded, CAST_RATE / 2);
  cast_stats_read_stable (f->cast, &s);
  cast_assert_invariant (&s);
  cast_fixture_free (f);
}

GST_END_TEST;

/* A device clock that jumps 20 s ahead, as libpulse's does when it wraps
 * after a cork: the heard count does not leap with it, it goes on at the
 * device's rate from the last plausible reading, and drain still waits for
 * the device (give or take the device's own buffer, which a stalled device
 * may hold while the estimate runs on). */
GST_START_TEST (test_a_clock_that_jumps_is_not_believed)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  const guint64 total = CAST_RATE / 2;
  guint64 slack;
  CastProducer *p;
  CastStats s;

  cast_fixture_start (f);
  p = cast_producer_start (f, 1, PERIOD_FRAMES, total, TRUE);
  while (stream_frames_played (f) < 4 * PERIOD_FRAMES)
    cast_sleep_ms (2);
  /* believed, the jump would make everything the device holds heard at
   * once: its buffer, ten periods; the estimate may run a little ahead of a
   * device that stalled meanwhile */
  fail_unless (cast_fixture_device_buffer_frames (f) >= 8 * PERIOD_FRAMES);
  g_object_set (f->dev, "clock-jump", (guint64) 20 * GST_SECOND, NULL);
  cast_sleep_ms (20);
  cast_stats_read_stable (f->cast, &s);
  fail_unless (s.played <= stream_frames_played (f) + 4 * PERIOD_FRAMES,
      "the heard count leapt with the clock: %" G_GUINT64_FORMAT " frames "
      "heard, %" G_GUINT64_FORMAT " played", s.played,
      stream_frames_played (f));

  slack = cast_fixture_device_buffer_frames (f) + PERIOD_FRAMES;
  while (!g_atomic_int_get (&p->done))
    cast_sleep_ms (5);
  fail_unless (cast_producer_join (p, NULL) == total);
  fail_unless (cast_fixture_drain (f, -1));
  fail_unless (stream_frames_played (f) + slack >= total, "drain returned "
      "with %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " frames played",
      stream_frames_played (f), total);
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.played, total);
  cast_assert_invariant (&s);
  cast_fixture_free (f);
}

GST_END_TEST;

static Suite *
audiocastsink_device_suite (void)
{
  Suite *s = suite_create ("audiocastsink_device");
  TCase *tc;

  cast_test_register ();

  tc = tcase_create ("device");
  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_drain_waits_for_the_device_behind_a_queue);
  tcase_add_test (tc, test_audio_held_in_the_queue_is_not_heard);
  tcase_add_test (tc, test_clear_counts_what_the_device_played_behind_a_queue);
  tcase_add_test (tc, test_a_clock_that_jumps_is_not_believed);

  return s;
}

GST_CHECK_MAIN (audiocastsink_device);
