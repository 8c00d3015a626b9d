/* audiocastsink as a media sink: preroll, lost state on flush, sync to
 * running time, the clock it provides, latency queries and events held until
 * their frame is heard
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "casttest.h"

#define BUFFER_TIME_US 200000
#define LATENCY_TIME_US 10000
/* the period, in CAST_RATE frames */
#define PERIOD_FRAMES (CAST_RATE * LATENCY_TIME_US / 1000000)

/* A fixture with the media-sink behaviour on, as a GstBaseSink has it. */
static CastFixture *
media_fixture_new (void)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);

  g_object_set (f->cast, "sync", TRUE, "async", TRUE, NULL);
  return f;
}

static GstStateChangeReturn
current_state_return (CastFixture * f, GstState * state)
{
  return gst_element_get_state (f->pipeline, state, NULL, 0);
}

/* To PAUSED with the stream's sticky events sent: the state change stays
 * ASYNC until data, a gap or EOS arrives. */
static void
media_fixture_pause (CastFixture * f)
{
  fail_unless_equals_int (gst_element_set_state (f->pipeline,
          GST_STATE_PAUSED), GST_STATE_CHANGE_ASYNC);
  cast_fixture_restart_stream (f);
}

/* Pushes @n_frames of stream A from frame @first with PTS @pts. */
static GstFlowReturn
push_at (CastFixture * f, guint64 first, guint n_frames, GstClockTime pts)
{
  GstBuffer *buf;
  GstMapInfo map;
  gint16 *s;
  guint i;

  buf = gst_buffer_new_allocate (NULL, n_frames * 2, NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  s = (gint16 *) map.data;
  for (i = 0; i < n_frames; i++)
    s[i] = GINT16_TO_LE (cast_pattern_value (1, first + i));
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = gst_util_uint64_scale_int (n_frames,
      GST_SECOND, CAST_RATE);
  return gst_pad_push (f->srcpad, buf);
}

static void
wait_eos (CastFixture * f)
{
  GstMessage *msg;

  mark_point ();
  msg = gst_bus_timed_pop_filtered (f->bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless_equals_int (GST_MESSAGE_TYPE (msg), GST_MESSAGE_EOS);
  gst_message_unref (msg);
}

GST_START_TEST (test_preroll_completes_on_data_and_nothing_plays_paused)
{
  CastFixture *f = media_fixture_new ();
  GstState state;
  CastLog log;
  gsize start, end;

  media_fixture_pause (f);
  fail_unless_equals_int (current_state_return (f, &state),
      GST_STATE_CHANGE_ASYNC);

  fail_unless_equals_int (push_at (f, 0, 4 * PERIOD_FRAMES, 0),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_element_get_state (f->pipeline, &state, NULL,
          GST_CLOCK_TIME_NONE), GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (state, GST_STATE_PAUSED);

  /* prerolled, not playing: a few periods pass and nothing is heard */
  cast_sleep_ms (50);
  cast_log_get (f, &log);
  cast_log_trim (&log, &start, &end);
  fail_unless_equals_int (end - start, 0);
  cast_log_free (&log);

  cast_fixture_set_state (f, GST_STATE_PLAYING);
  gst_pad_push_event (f->srcpad, gst_event_new_eos ());
  wait_eos (f);
  cast_log_get (f, &log);
  start = cast_log_find_stream (&log, 1, 0);
  fail_unless (start != (gsize) - 1, "the prerolled audio was never heard");
  cast_log_assert_sequence (&log, start, 1, 0, 4 * PERIOD_FRAMES);
  cast_log_free (&log);
  cast_fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_eos_and_gap_commit_preroll)
{
  guint i;

  for (i = 0; i < 2; i++) {
    CastFixture *f = media_fixture_new ();
    GstState state;

    media_fixture_pause (f);
    fail_unless (gst_pad_push_event (f->srcpad, i == 0 ? gst_event_new_eos ()
            : gst_event_new_gap (0, GST_SECOND)));
    fail_unless_equals_int (gst_element_get_state (f->pipeline, &state, NULL,
            GST_CLOCK_TIME_NONE), GST_STATE_CHANGE_SUCCESS);
    fail_unless_equals_int (state, GST_STATE_PAUSED);
    cast_fixture_free (f);
  }
}

GST_END_TEST;

GST_START_TEST (test_flush_loses_preroll_until_new_data)
{
  CastFixture *f = media_fixture_new ();
  GstSegment segment;
  GstState state;
  CastStats s;

  media_fixture_pause (f);
  fail_unless_equals_int (push_at (f, 0, 4 * PERIOD_FRAMES, 0),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_element_get_state (f->pipeline, &state, NULL,
          GST_CLOCK_TIME_NONE), GST_STATE_CHANGE_SUCCESS);

  /* a flushing seek as the demuxer answers it */
  fail_unless (gst_pad_push_event (f->srcpad, gst_event_new_flush_start ()));
  fail_unless (gst_pad_push_event (f->srcpad,
          gst_event_new_flush_stop (TRUE)));
  fail_unless_equals_int (current_state_return (f, &state),
      GST_STATE_CHANGE_ASYNC);
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_int (s.buffered, 0);
  fail_unless_equals_int (s.cleared, 4 * PERIOD_FRAMES);

  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_pad_push_event (f->srcpad, gst_event_new_segment (&segment)));
  fail_unless_equals_int (push_at (f, 100, 2 * PERIOD_FRAMES, 0),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_element_get_state (f->pipeline, &state, NULL,
          GST_CLOCK_TIME_NONE), GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int (state, GST_STATE_PAUSED);
  cast_fixture_free (f);
}

GST_END_TEST;

/* Two runs 200 ms apart in their timestamps: heard 200 ms apart, to a
 * frame, with sync on; back to back with sync off. */
GST_START_TEST (test_timestamp_gap_is_silence_with_sync)
{
  gboolean sync = __i__ == 0;
  CastFixture *f = media_fixture_new ();
  const guint run = 10 * PERIOD_FRAMES;
  gssize a, b;
  CastLog log;

  g_object_set (f->cast, "sync", sync, "async", FALSE, NULL);
  cast_fixture_start (f);
  fail_unless_equals_int (push_at (f, 0, run, 0), GST_FLOW_OK);
  fail_unless_equals_int (push_at (f, run, run,
          gst_util_uint64_scale_int (run, GST_SECOND, CAST_RATE) +
          200 * GST_MSECOND), GST_FLOW_OK);
  gst_pad_push_event (f->srcpad, gst_event_new_eos ());
  wait_eos (f);

  cast_log_get (f, &log);
  a = cast_log_find_stream (&log, 1, 0);
  fail_unless (a >= 0);
  cast_log_assert_sequence (&log, a, 1, 0, run);
  b = cast_log_find_stream (&log, 1, a + run);
  fail_unless (b >= 0);
  cast_log_assert_sequence (&log, b, 1, run, run);
  if (sync)
    fail_unless (ABS ((gint64) (b - a - run) - CAST_RATE / 5) <= 1,
        "a 200 ms gap was heard as %" G_GSSIZE_FORMAT " frames",
        b - a - (gssize) run);
  else
    fail_unless_equals_int (b - a - run, 0);
  cast_log_free (&log);
  cast_fixture_free (f);
}

GST_END_TEST;

/* With sync, audio whose time has passed is dropped (and counted as
 * cleared), as GstAudioBaseSink drops it; what is on time plays. */
GST_START_TEST (test_late_audio_is_dropped_with_sync)
{
  CastFixture *f = media_fixture_new ();
  const guint run = 10 * PERIOD_FRAMES;       /* 100 ms */
  GstClockTime late_by = 400 * GST_MSECOND;
  CastStats s;
  CastLog log;
  gssize at;

  g_object_set (f->cast, "async", FALSE, NULL);
  cast_fixture_start (f);
  /* running time 0 was when PLAYING began: let 400 ms pass */
  cast_sleep_ms (GST_TIME_AS_MSECONDS (late_by));
  fail_unless_equals_int (push_at (f, 0, run, 0), GST_FLOW_OK);
  fail_unless_equals_int (push_at (f, run, run,
          late_by + 300 * GST_MSECOND), GST_FLOW_OK);
  gst_pad_push_event (f->srcpad, gst_event_new_eos ());
  wait_eos (f);

  cast_stats_read_stable (f->cast, &s);
  cast_assert_invariant (&s);
  fail_unless_equals_int (s.cleared, run);
  fail_unless_equals_int (s.played, run);
  cast_log_get (f, &log);
  at = cast_log_find_stream (&log, 1, 0);
  fail_unless (at >= 0);
  cast_log_assert_sequence (&log, at, 1, run, run);
  cast_log_free (&log);
  cast_fixture_free (f);
}

GST_END_TEST;

/* The clock audiocastsink provides is of the audio heard: it stands still
 * while paused and goes on from there. */
GST_START_TEST (test_provided_clock_stops_while_paused)
{
  CastFixture *f = media_fixture_new ();
  GstClock *clock;
  GstClockTime t0, t1, t2;
  GstState state;
  CastProducer *p;

  clock = gst_element_provide_clock (f->cast);
  fail_unless (clock != NULL, "audiocastsink provides no clock");
  media_fixture_pause (f);
  p = cast_producer_start (f, 1, PERIOD_FRAMES, 0, TRUE);
  fail_unless_equals_int (gst_element_get_state (f->pipeline, &state, NULL,
          GST_CLOCK_TIME_NONE), GST_STATE_CHANGE_SUCCESS);
  cast_fixture_set_state (f, GST_STATE_PLAYING);
  cast_fixture_wait_played (f, 20 * PERIOD_FRAMES);

  cast_fixture_set_state (f, GST_STATE_PAUSED);
  t0 = gst_clock_get_time (clock);
  cast_sleep_ms (100);
  t1 = gst_clock_get_time (clock);
  fail_unless (t1 - t0 <= GST_MSECOND * LATENCY_TIME_US / 1000,
      "the clock ran on while paused: %" GST_TIME_FORMAT " in 100 ms",
      GST_TIME_ARGS (t1 - t0));

  cast_fixture_set_state (f, GST_STATE_PLAYING);
  cast_sleep_ms (100);
  t2 = gst_clock_get_time (clock);
  fail_unless (t2 > t1, "the clock did not go on after PLAYING");
  cast_producer_join (p, NULL);
  gst_object_unref (clock);
  cast_fixture_free (f);
}

GST_END_TEST;

static gboolean
live_upstream_query (GstPad * pad, GstObject * parent, GstQuery * query)
{
  if (GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return gst_pad_query_default (pad, parent, query);
  gst_query_set_latency (query, TRUE, 10 * GST_MSECOND, GST_CLOCK_TIME_NONE);
  return TRUE;
}

/* Live upstream: the answer is live with the device's latency added, but
 * only with sync on (without it the sink keeps no time). */
GST_START_TEST (test_latency_query_adds_the_device)
{
  gboolean sync = __i__ == 0;
  CastFixture *f = media_fixture_new ();
  GstClockTime min, max;
  gboolean live;
  GstQuery *q;

  gst_pad_set_query_function (f->srcpad, live_upstream_query);
  g_object_set (f->cast, "sync", sync, "async", FALSE, NULL);
  cast_fixture_start (f);
  fail_unless_equals_int (push_at (f, 0, PERIOD_FRAMES, 0), GST_FLOW_OK);

  q = gst_query_new_latency ();
  fail_unless (gst_element_query (f->cast, q));
  gst_query_parse_latency (q, &live, &min, &max);
  gst_query_unref (q);
  fail_unless_equals_int (live, sync);
  /* with sync: upstream's 10 ms plus at least the device's buffer of one
   * period; without: upstream's, as a GstBaseSink answers */
  if (sync)
    fail_unless (min >= 10 * GST_MSECOND + GST_USECOND * LATENCY_TIME_US,
        "min latency %" GST_TIME_FORMAT, GST_TIME_ARGS (min));
  else
    fail_unless_equals_uint64 (min, 10 * GST_MSECOND);
  fail_unless (max == GST_CLOCK_TIME_NONE || max >= min);
  cast_fixture_free (f);
}

GST_END_TEST;

/* A STREAM_START after some audio (a gapless track change) reaches the
 * pipeline when that audio was heard, not when it was queued. */
GST_START_TEST (test_stream_start_waits_for_its_frame)
{
  CastFixture *f = media_fixture_new ();
  const guint run = 20 * PERIOD_FRAMES;       /* 200 ms */
  GstMessage *msg;
  CastStats s;

  g_object_set (f->cast, "async", FALSE, NULL);
  cast_fixture_start (f);
  /* the first track's STREAM_START */
  msg = gst_bus_timed_pop_filtered (f->bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_STREAM_START);
  gst_message_unref (msg);

  fail_unless_equals_int (push_at (f, 0, run, 0), GST_FLOW_OK);
  fail_unless (gst_pad_push_event (f->srcpad,
          gst_event_new_stream_start ("audiocast-test-2")));
  fail_unless_equals_int (push_at (f, run, run,
          gst_util_uint64_scale_int (run, GST_SECOND, CAST_RATE)),
      GST_FLOW_OK);

  msg = gst_bus_timed_pop_filtered (f->bus, GST_CLOCK_TIME_NONE,
      GST_MESSAGE_STREAM_START);
  cast_stats_read (f->cast, &s);
  gst_message_unref (msg);
  /* the event went to the device behind the first track's last frame:
   * all of it was heard but what the device's own buffer still held */
  fail_unless (s.played + cast_fixture_device_buffer_frames (f)
      + PERIOD_FRAMES >= run,
      "STREAM_START came when %" G_GUINT64_FORMAT " of %u frames of the "
      "first track were heard", s.played, run);
  cast_fixture_free (f);
}

GST_END_TEST;

static Suite *
audiocastsink_sync_suite (void)
{
  Suite *s = suite_create ("audiocastsink_sync");
  TCase *tc;

  cast_test_register ();

  tc = tcase_create ("sync");
  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_preroll_completes_on_data_and_nothing_plays_paused);
  tcase_add_test (tc, test_eos_and_gap_commit_preroll);
  tcase_add_test (tc, test_flush_loses_preroll_until_new_data);
  tcase_add_loop_test (tc, test_timestamp_gap_is_silence_with_sync, 0, 2);
  tcase_add_test (tc, test_late_audio_is_dropped_with_sync);
  tcase_add_test (tc, test_provided_clock_stops_while_paused);
  tcase_add_loop_test (tc, test_latency_query_adds_the_device, 0, 2);
  tcase_add_test (tc, test_stream_start_waits_for_its_frame);

  return s;
}

GST_CHECK_MAIN (audiocastsink_sync);
