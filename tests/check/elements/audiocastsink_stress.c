/* audiocastsink: concurrent write / clear / drain / gate / shutdown races
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each iteration runs a writer, a clearer, a drainer and (on odd iterations)
 * a thread toggling the device gate against one element for a short while,
 * then shuts down in one of three ways. Pass criteria: nothing hangs (the
 * tcase timeout is the watchdog), the counters keep their invariant, and the
 * device never plays stream A out of order or twice: clears may cut frames
 * out, but a frame never follows a later one.
 */

#include "casttest.h"

#define BUFFER_TIME_US 50000    /* 400 frames */
#define LATENCY_TIME_US 10000
/* stream A values repeat after CAST_PERIOD_VALUES frames: stay below */
#define WRITER_FRAMES (CAST_PERIOD_VALUES - 1000)

typedef struct
{
  CastFixture *f;
  gint stop;
  GRand *rand;                  /* per thread, seeded from the iteration */
  guint clears, drains, drains_true;
} Worker;

static gpointer
clearer_func (gpointer data)
{
  Worker *w = data;

  while (!g_atomic_int_get (&w->stop)) {
    guint64 heard, discarded;

    audio_cast_sink_clear (AUDIO_CAST_SINK (w->f->cast), &heard, &discarded);
    w->clears++;
    g_usleep (g_rand_int_range (w->rand, 5000, 30000));
  }
  return NULL;
}

static gpointer
drainer_func (gpointer data)
{
  Worker *w = data;
  static const gint64 timeouts[] = { -1, 0, 1000, 20000, 100000 };

  while (!g_atomic_int_get (&w->stop)) {
    gint64 t = timeouts[g_rand_int_range (w->rand, 0, G_N_ELEMENTS (timeouts))];
    gboolean res;

    if (g_rand_boolean (w->rand))
      res = audio_cast_sink_drain (AUDIO_CAST_SINK (w->f->cast), t);
    else
      g_signal_emit_by_name (w->f->cast, "drain", t, &res);
    w->drains++;
    if (res)
      w->drains_true++;
    g_usleep (g_rand_int_range (w->rand, 0, 5000));
  }
  return NULL;
}

static gpointer
gate_func (gpointer data)
{
  Worker *w = data;

  while (!g_atomic_int_get (&w->stop)) {
    fake_device_set_gate (w->f->dev, FALSE);
    g_usleep (g_rand_int_range (w->rand, 1000, 20000));
    fake_device_set_gate (w->f->dev, TRUE);
    g_usleep (g_rand_int_range (w->rand, 1000, 20000));
  }
  fake_device_set_gate (w->f->dev, TRUE);
  return NULL;
}

static Worker *
worker_start (CastFixture * f, GThreadFunc func, guint32 seed,
    GThread ** thread)
{
  Worker *w = g_new0 (Worker, 1);

  w->f = f;
  w->rand = g_rand_new_with_seed (seed);
  *thread = g_thread_new ("worker", func, w);
  return w;
}

static void
worker_join (Worker * w, GThread * thread)
{
  g_atomic_int_set (&w->stop, 1);
  mark_point ();
  g_thread_join (thread);
  g_rand_free (w->rand);
  g_free (w);
}

/* The non-zero samples of the device log are stream A frames in strictly
 * increasing order. */
static void
assert_monotonic (CastFixture * f)
{
  CastLog log;
  gint prev = 0;
  gsize i;

  cast_log_get (f, &log);
  for (i = 0; i < log.n; i++) {
    gint v = log.samples[i];

    if (v == 0)
      continue;
    fail_unless (v > 0, "sample %" G_GSIZE_FORMAT " is %d: not stream A", i,
        v);
    fail_unless (v > prev, "device log goes back at sample %" G_GSIZE_FORMAT
        ": %d after %d (replayed or reordered audio)", i, v, prev);
    prev = v;
  }
  cast_log_free (&log);
}

GST_START_TEST (test_concurrent_write_clear_drain)
{
  guint mode = __i__ % 3;
  gboolean toggle_gate = __i__ % 2;
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  GThread *tc, *td, *tg = NULL;
  Worker *clearer, *drainer, *gate = NULL;
  CastProducer *writer;
  GstFlowReturn ret;
  CastStats s;

  cast_fixture_start (f);
  writer = cast_producer_start (f, 1, 37 + __i__ % 5 * 41, WRITER_FRAMES,
      __i__ % 4 != 3);
  clearer = worker_start (f, clearer_func, 1000 + __i__, &tc);
  drainer = worker_start (f, drainer_func, 2000 + __i__, &td);
  if (toggle_gate)
    gate = worker_start (f, gate_func, 3000 + __i__, &tg);

  /* run for a while (duration is not a pass criterion) */
  cast_sleep_ms (150 + (__i__ * 37) % 200);

  switch (mode) {
    case 0:
      /* orderly: stop the clearer, the gate and the drainer, then let the
       * writer finish, drain, and account for every frame */
      worker_join (clearer, tc);
      if (gate)
        worker_join (gate, tg);
      fake_device_set_gate (f->dev, TRUE);
      worker_join (drainer, td);
      g_atomic_int_set (&writer->stop, 1);
      cast_producer_join (writer, &ret);
      fail_unless_equals_int (ret, GST_FLOW_OK);
      fail_unless (cast_fixture_drain (f, -1), "final drain FALSE");
      cast_stats_read_stable (f->cast, &s);
      cast_assert_invariant (&s);
      fail_unless_equals_uint64 (s.buffered, 0);
      fail_unless_equals_uint64 (s.written, s.played + s.cleared);
      break;
    case 1:
    case 2:
      /* abrupt: shut down under everybody's feet; all must come back */
      cast_fixture_set_state (f, mode == 1 ? GST_STATE_NULL :
          GST_STATE_READY);
      mark_point ();
      while (!g_atomic_int_get (&writer->done))
        cast_sleep_ms (5);
      cast_producer_join (writer, &ret);
      fail_unless (ret == GST_FLOW_OK || ret == GST_FLOW_FLUSHING,
          "writer got %s", gst_flow_get_name (ret));
      worker_join (clearer, tc);
      if (gate)
        worker_join (gate, tg);
      worker_join (drainer, td);
      cast_stats_read_stable (f->cast, &s);
      cast_assert_invariant (&s);
      fail_unless_equals_uint64 (s.buffered, 0);
      break;
  }

  assert_monotonic (f);
  cast_fixture_free (f);
}

GST_END_TEST;

/* A second writer-side race: clear() hammering a producer that pushes tiny
 * buffers, with the device stopped, so the producer keeps hitting a full
 * ring and being released. Nothing it wrote before the last clear may play. */
GST_START_TEST (test_clear_storm_on_blocked_writer)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  CastProducer *writer;
  GstFlowReturn ret;
  guint i;
  CastStats s;
  CastLog log;
  gssize b;

  cast_fixture_start (f);
  fake_device_set_gate (f->dev, FALSE);
  writer = cast_producer_start (f, 1, 7 + __i__, 0, TRUE);
  for (i = 0; i < 50; i++) {
    audio_cast_sink_clear (AUDIO_CAST_SINK (f->cast), NULL, NULL);
    g_usleep (500 + (i * 131 + __i__ * 17) % 3000);
  }
  g_atomic_int_set (&writer->stop, 1);
  audio_cast_sink_clear (AUDIO_CAST_SINK (f->cast), NULL, NULL);
  cast_producer_join (writer, &ret);
  fail_unless_equals_int (ret, GST_FLOW_OK);
  audio_cast_sink_clear (AUDIO_CAST_SINK (f->cast), NULL, NULL);

  cast_stats_read_stable (f->cast, &s);
  cast_assert_invariant (&s);
  fail_unless_equals_uint64 (s.buffered, 0);
  fail_unless_equals_uint64 (s.played, 0);

  fail_unless_equals_int (cast_fixture_push_pattern (f, -1, 0, 200, TRUE),
      GST_FLOW_OK);
  fake_device_set_gate (f->dev, TRUE);
  fail_unless (cast_fixture_drain (f, -1));

  cast_log_get (f, &log);
  fail_unless_equals_uint64 (cast_log_count_stream (&log, 1, 0), 0);
  b = cast_log_find_stream (&log, -1, 0);
  fail_unless (b >= 0);
  cast_log_assert_sequence (&log, b, -1, 0, 200);
  cast_log_free (&log);

  cast_fixture_free (f);
}

GST_END_TEST;

static Suite *
audiocastsink_stress_suite (void)
{
  Suite *s = suite_create ("audiocastsink_stress");
  TCase *tc;

  cast_test_register ();

  tc = tcase_create ("stress");
  /* per iteration: Check forks each one and applies the timeout to it */
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_concurrent_write_clear_drain, 0, 50);
  tcase_add_loop_test (tc, test_clear_storm_on_blocked_writer, 0, 10);

  return s;
}

GST_CHECK_MAIN (audiocastsink_stress);
