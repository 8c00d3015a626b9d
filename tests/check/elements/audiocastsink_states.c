/* audiocastsink: state changes with data flowing, and shutdown releasing
 * everything that waits
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "casttest.h"

#include <string.h>

#define BUFFER_TIME_US 100000
#define LATENCY_TIME_US 10000

/* The non-zero samples of log[from..) must be consecutive frames of stream A
 * starting at frame 0: nothing dropped, repeated or reordered. Returns how
 * many there were. */
static gsize
assert_a_consecutive (CastFixture * f, gsize from, guint cycle,
    const gchar * stage)
{
  CastLog log;
  guint64 next = 0;
  gsize i;

  cast_log_get (f, &log);
  for (i = from; i < log.n; i++) {
    if (log.samples[i] == 0)
      continue;
    if (log.samples[i] != cast_pattern_value (1, next))
      fail ("cycle %u, %s: device log sample %" G_GSIZE_FORMAT " is %d, "
          "expected frame %" G_GUINT64_FORMAT " (%d): %d frames lost or "
          "replayed", cycle, stage, i, log.samples[i], next,
          cast_pattern_value (1, next), log.samples[i] -
          cast_pattern_value (1, next));
    next++;
  }
  cast_log_free (&log);
  return next;
}

static gsize
wait_growth (CastFixture * f, gsize bytes)
{
  gsize target = fake_device_get_log_size (f->dev) + bytes;

  mark_point ();
  fake_device_wait_log_size (f->dev, target, -1);
  return fake_device_get_log_size (f->dev);
}

/* NULL -> READY -> PAUSED -> PLAYING -> PAUSED -> PLAYING -> READY -> NULL,
 * three times on the same element, with a producer pushing throughout. */
GST_START_TEST (test_state_cycles)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  guint cycle;

  for (cycle = 0; cycle < 3; cycle++) {
    CastProducer *p;
    GstFlowReturn ret;
    gsize cycle_start;
    guint64 period_bytes;
    CastStats s;

    GST_INFO ("cycle %u", cycle);
    cycle_start = fake_device_get_log_size (f->dev) / 2 * 2;
    cast_fixture_set_state (f, GST_STATE_READY);
    cast_fixture_set_state (f, GST_STATE_PAUSED);
    cast_fixture_restart_stream (f);
    p = cast_producer_start (f, 1, 120, 0, TRUE);
    period_bytes = cast_fixture_period_frames (f) * 2;

    /* PAUSED before ever playing: the ring fills, nothing is played */
    fail_unless (cast_producer_wait_blocked (p, cast_fixture_capacity_frames
            (f)), "producer never blocked in PAUSED");
    {
      CastLog log;

      cast_log_get (f, &log);
      fail_unless_equals_uint64 (cast_log_count_stream (&log, 1,
              cycle_start / 2), 0);
      cast_log_free (&log);
    }

    /* the fake device is a ring sink: a start opens with silence for its
     * whole buffer and a period more before the stream's first frame */
    cast_fixture_set_state (f, GST_STATE_PLAYING);
    wait_growth (f, 8 * period_bytes
        + (cast_fixture_device_buffer_frames (f) * 2 + period_bytes));
    fail_unless (assert_a_consecutive (f, cycle_start / 2, cycle,
            "first PLAYING") > 0);

    /* PAUSED stops consumption of the stream: the device keeps running on
     * silence, so what it already held (its buffer, plus the segment in
     * progress) plays out, and nothing more. A negative check over a short
     * wait. */
    cast_fixture_set_state (f, GST_STATE_PAUSED);
    {
      CastLog log;
      gsize from = fake_device_get_log_size (f->dev) / 2, during;

      cast_sleep_ms (300);
      cast_log_get (f, &log);
      during = cast_log_count_stream (&log, 1, from);
      cast_log_free (&log);
      fail_unless (during <= cast_fixture_device_buffer_frames (f)
          + cast_fixture_device_segment_frames (f),
          "device played %" G_GSIZE_FORMAT " frames of the stream while "
          "PAUSED", during);
    }
    cast_stats_read_stable (f->cast, &s);
    cast_assert_invariant (&s);
    fail_unless (s.played > 0);

    cast_fixture_set_state (f, GST_STATE_PLAYING);
    wait_growth (f, 4 * period_bytes);
    cast_stats_read_stable (f->cast, &s);
    cast_assert_invariant (&s);

    /* everything heard so far is stream A in order, from its start: pausing
     * lost nothing */
    fail_unless (assert_a_consecutive (f, cycle_start / 2, cycle,
            "PLAYING after PAUSED") > 0);

    cast_fixture_set_state (f, GST_STATE_READY);
    cast_producer_join (p, &ret);
    fail_unless (ret == GST_FLOW_OK || ret == GST_FLOW_FLUSHING,
        "producer got %s", gst_flow_get_name (ret));
    /* NULL releases the ring: nothing of this cycle may play in the next
     * (checked by the next cycle, which must start from frame 0 again) */
    cast_fixture_set_state (f, GST_STATE_NULL);
  }

  cast_fixture_free (f);
}

GST_END_TEST;

typedef struct
{
  CastFixture *f;
  gint entered;
  gboolean result;
} Drainer;

static gpointer
drainer_func (gpointer data)
{
  Drainer *d = data;

  g_atomic_int_set (&d->entered, 1);
  d->result = audio_cast_sink_drain (AUDIO_CAST_SINK (d->f->cast), -1);
  return NULL;
}

/* With the device stopped, a producer held by backpressure and a drain()
 * waiting are both released by going down to NULL (loop index 0) or READY
 * (1); the element then starts afresh without replaying anything. */
GST_START_TEST (test_shutdown_releases_waiters)
{
  GstState target = __i__ == 0 ? GST_STATE_NULL : GST_STATE_READY;
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  CastProducer *p;
  Drainer d = { f, 0, TRUE };
  GThread *t;
  GstFlowReturn ret;
  CastStats s;
  CastLog log;
  gssize b;

  cast_fixture_start (f);
  fake_device_set_gate (f->dev, FALSE);
  p = cast_producer_start (f, 1, 160, 0, TRUE);
  fail_unless (cast_producer_wait_blocked (p,
          cast_fixture_capacity_frames (f)));
  t = g_thread_new ("drainer", drainer_func, &d);
  while (!g_atomic_int_get (&d.entered))
    cast_sleep_ms (1);
  cast_sleep_ms (200);          /* ordering only: let drain() start waiting */

  cast_fixture_set_state (f, target);
  mark_point ();
  g_thread_join (t);
  fail_if (d.result, "drain returned TRUE though nothing was heard");
  /* the producer leaves by itself once its push fails */
  while (!g_atomic_int_get (&p->done))
    cast_sleep_ms (5);
  cast_producer_join (p, &ret);
  fail_unless_equals_int (ret, GST_FLOW_FLUSHING);

  cast_stats_read_stable (f->cast, &s);
  cast_assert_invariant (&s);
  fail_unless_equals_uint64 (s.played, 0);
  fail_unless_equals_uint64 (s.buffered, 0);

  /* start again: only the new data plays */
  cast_fixture_set_state (f, GST_STATE_NULL);
  fake_device_set_gate (f->dev, TRUE);
  cast_fixture_start (f);
  fail_unless_equals_int (cast_fixture_push_pattern (f, -1, 0, 400, TRUE),
      GST_FLOW_OK);
  fail_unless (cast_fixture_drain (f, -1));
  cast_log_get (f, &log);
  fail_unless_equals_uint64 (cast_log_count_stream (&log, 1, 0), 0);
  b = cast_log_find_stream (&log, -1, 0);
  fail_unless (b >= 0);
  cast_log_assert_sequence (&log, b, -1, 0, 400);
  cast_log_free (&log);

  cast_fixture_free (f);
}

GST_END_TEST;

/* clear() and drain() in every state neither hang nor crash. */
GST_START_TEST (test_api_in_all_states)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  guint64 heard, discarded;
  CastStats s;

  fail_unless (cast_fixture_drain (f, -1));
  cast_fixture_clear (f, &heard, &discarded);

  cast_fixture_set_state (f, GST_STATE_READY);
  fail_unless (cast_fixture_drain (f, -1));
  cast_fixture_clear (f, &heard, &discarded);
  fail_unless_equals_uint64 (discarded, 0);

  /* PAUSED: data is accepted but not played */
  cast_fixture_set_state (f, GST_STATE_PAUSED);
  cast_fixture_restart_stream (f);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, 400, TRUE),
      GST_FLOW_OK);
  fail_if (cast_fixture_drain (f, 100000));
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 400);
  fail_unless_equals_uint64 (s.played, 0);
  cast_assert_invariant (&s);
  cast_fixture_clear (f, &heard, &discarded);
  fail_unless_equals_uint64 (heard, 0);
  fail_unless_equals_uint64 (discarded, 400);
  fail_unless (cast_fixture_drain (f, -1));

  /* and it plays what comes after */
  fail_unless_equals_int (cast_fixture_push_pattern (f, -1, 0, 400, TRUE),
      GST_FLOW_OK);
  cast_fixture_set_state (f, GST_STATE_PLAYING);
  fail_unless (cast_fixture_drain (f, -1));
  {
    CastLog log;
    gssize b;

    cast_log_get (f, &log);
    fail_unless_equals_uint64 (cast_log_count_stream (&log, 1, 0), 0);
    b = cast_log_find_stream (&log, -1, 0);
    fail_unless (b >= 0);
    cast_log_assert_sequence (&log, b, -1, 0, 400);
    cast_log_free (&log);
  }

  cast_fixture_set_state (f, GST_STATE_NULL);
  fail_unless (cast_fixture_drain (f, -1));
  cast_fixture_clear (f, &heard, &discarded);
  fail_unless_equals_uint64 (discarded, 0);

  cast_fixture_free (f);
}

GST_END_TEST;

/* Going to NULL straight from PLAYING, repeatedly, while data flows. */
GST_START_TEST (test_quick_restart)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  guint i;

  for (i = 0; i < 10; i++) {
    CastProducer *p;
    GstFlowReturn ret;

    cast_fixture_start (f);
    p = cast_producer_start (f, 1, 100, 0, i % 2);
    cast_sleep_ms (i * 7 % 50);
    cast_fixture_set_state (f, GST_STATE_NULL);
    cast_producer_join (p, &ret);
    fail_unless (ret == GST_FLOW_OK || ret == GST_FLOW_FLUSHING,
        "restart %u: producer got %s", i, gst_flow_get_name (ret));
  }

  cast_fixture_free (f);
}

GST_END_TEST;

/* A device that cannot start fails PAUSED to PLAYING before anything else in
 * the bin has moved: the ring element and the converters stay PAUSED, as
 * the failed state says, and the bin still goes back down cleanly. */
GST_START_TEST (test_device_failing_to_play_leaves_the_bin_paused)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  GstIterator *it;
  GValue item = G_VALUE_INIT;
  guint children = 0;

  g_object_set (f->dev, "fail-to-play", TRUE, NULL);
  cast_fixture_set_state (f, GST_STATE_PAUSED);
  fail_unless_equals_int (gst_element_set_state (f->cast, GST_STATE_PLAYING),
      GST_STATE_CHANGE_FAILURE);

  it = gst_bin_iterate_elements (GST_BIN (f->cast));
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *child = g_value_get_object (&item);

    if (child != f->dev) {
      children++;
      fail_unless_equals_int (GST_STATE (child), GST_STATE_PAUSED);
    }
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  fail_unless (children > 0, "no element in the bin but the device");

  cast_fixture_set_state (f, GST_STATE_NULL);
  cast_fixture_free (f);
}

GST_END_TEST;

static Suite *
audiocastsink_states_suite (void)
{
  Suite *s = suite_create ("audiocastsink_states");
  TCase *tc;

  cast_test_register ();

  tc = tcase_create ("states");
  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_state_cycles);
  tcase_add_loop_test (tc, test_shutdown_releases_waiters, 0, 2);
  tcase_add_test (tc, test_api_in_all_states);
  tcase_add_test (tc, test_quick_restart);
  tcase_add_test (tc, test_device_failing_to_play_leaves_the_bin_paused);

  return s;
}

GST_CHECK_MAIN (audiocastsink_states);
