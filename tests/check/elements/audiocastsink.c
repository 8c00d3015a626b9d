/* audiocastsink: ring, backpressure, clear, drain, EOS and statistics
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every test drives the element through a fake device (fakedevice.h) whose
 * gate decides whether anything is heard, so pass criteria are positions in
 * the device log and the element's counters, never elapsed time. Blocking
 * waits have no time limit: a hang is caught by the test case timeout.
 */

#include "casttest.h"

#include <string.h>

#define BUFFER_TIME_US 100000   /* 800 frames at CAST_RATE */
#define LATENCY_TIME_US 10000   /* 80 frames */

/* --- properties and the empty element ----------------------------------- */

GST_START_TEST (test_properties)
{
  GstElement *cast = gst_element_factory_make ("audiocastsink", NULL);
  GstElement *dev = gst_element_factory_make ("fakeaudiodevice", NULL);
  GstElement *got = NULL;
  gint64 buffer_time, latency_time, fade_time;
  const gchar *stats[] = { "frames-written", "frames-played",
    "frames-cleared", "buffered-frames", "underruns"
  };
  CastStats s;
  guint i;

  fail_unless (cast != NULL);
  g_object_get (cast, "buffer-time", &buffer_time, "latency-time",
      &latency_time, "fade-time", &fade_time, NULL);
  fail_unless_equals_int64 (buffer_time, 2000000);
  fail_unless_equals_int64 (latency_time, 10000);
  fail_unless (fade_time >= 0);

  cast_stats_read (cast, &s);
  fail_unless_equals_uint64 (s.written, 0);
  fail_unless_equals_uint64 (s.played, 0);
  fail_unless_equals_uint64 (s.cleared, 0);
  fail_unless_equals_uint64 (s.buffered, 0);
  fail_unless_equals_int (s.underruns, 0);

  for (i = 0; i < G_N_ELEMENTS (stats); i++) {
    GParamSpec *pspec =
        g_object_class_find_property (G_OBJECT_GET_CLASS (cast), stats[i]);
    fail_unless (pspec != NULL, "no property %s", stats[i]);
    fail_unless (pspec->flags & G_PARAM_READABLE);
    fail_if (pspec->flags & G_PARAM_WRITABLE, "%s is writable", stats[i]);
  }
  fail_unless (g_object_class_find_property (G_OBJECT_GET_CLASS (cast),
          "device") != NULL);

  g_object_set (cast, "audio-sink", dev, "buffer-time", (gint64) 500000,
      "latency-time", (gint64) 20000, NULL);
  g_object_get (cast, "audio-sink", &got, "buffer-time", &buffer_time,
      "latency-time", &latency_time, NULL);
  fail_unless (got == dev);
  fail_unless_equals_int64 (buffer_time, 500000);
  fail_unless_equals_int64 (latency_time, 20000);
  gst_object_unref (got);

  /* the sink pad takes any interleaved raw audio audioconvert can mix
   * (at most 63 channels) */
  {
    GstPad *pad = gst_element_get_static_pad (cast, "sink");
    GstCaps *tmpl = gst_pad_get_pad_template_caps (pad);
    GstCaps *want = gst_caps_from_string ("audio/x-raw, format=(string)"
        GST_AUDIO_FORMATS_ALL ", layout=(string)interleaved, "
        "rate=(int)[1,MAX], channels=(int)[1,63]");

    fail_unless (gst_caps_is_subset (want, tmpl), "sink template %"
        GST_PTR_FORMAT " does not accept all interleaved raw audio", tmpl);
    gst_caps_unref (want);
    gst_caps_unref (tmpl);
    gst_object_unref (pad);
  }

  gst_object_unref (cast);
}

GST_END_TEST;

GST_START_TEST (test_empty_element)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  guint64 heard, discarded;
  CastStats s;

  /* before any state change */
  fail_unless (cast_fixture_drain (f, -1));
  fail_unless (cast_fixture_drain (f, 0));
  cast_fixture_clear (f, &heard, &discarded);
  fail_unless_equals_uint64 (heard, 0);
  fail_unless_equals_uint64 (discarded, 0);

  /* playing silence, nothing written */
  cast_fixture_start (f);
  fail_unless (cast_fixture_drain (f, -1));
  fail_unless (cast_fixture_drain (f, 0));
  cast_fixture_clear (f, &heard, &discarded);
  fail_unless_equals_uint64 (heard, 0);
  fail_unless_equals_uint64 (discarded, 0);
  cast_fixture_clear (f, &heard, &discarded);
  fail_unless_equals_uint64 (discarded, 0);

  /* the device gets silence, so it does not starve */
  mark_point ();
  fake_device_wait_log_size (f->dev, 4 * 80 * 2, -1);
  {
    CastLog log;
    gsize start, end;

    cast_log_get (f, &log);
    cast_log_trim (&log, &start, &end);
    fail_unless_equals_uint64 (end - start, 0);
    cast_log_free (&log);
  }

  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 0);
  fail_unless_equals_uint64 (s.played, 0);
  fail_unless_equals_uint64 (s.buffered, 0);
  cast_assert_invariant (&s);

  cast_fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_action_signals)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  gboolean drained = FALSE;
  guint64 heard = G_MAXUINT64;
  CastStats s;

  cast_fixture_start (f);

  g_signal_emit_by_name (f->cast, "drain", (gint64) - 1, &drained);
  fail_unless (drained, "drain signal on an empty element returned FALSE");

  fake_device_set_gate (f->dev, FALSE);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, 400, TRUE),
      GST_FLOW_OK);
  drained = TRUE;
  g_signal_emit_by_name (f->cast, "drain", (gint64) 0, &drained);
  fail_if (drained, "drain signal returned TRUE with nothing heard");

  g_signal_emit_by_name (f->cast, "clear", &heard);
  fail_unless_equals_uint64 (heard, 0);
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 400);
  fail_unless_equals_uint64 (s.cleared, 400);
  fail_unless_equals_uint64 (s.buffered, 0);
  cast_assert_invariant (&s);

  fake_device_set_gate (f->dev, TRUE);
  fail_unless_equals_int (cast_fixture_push_pattern (f, -1, 0, 400, TRUE),
      GST_FLOW_OK);
  g_signal_emit_by_name (f->cast, "drain", (gint64) - 1, &drained);
  fail_unless (drained);

  cast_fixture_free (f);
}

GST_END_TEST;

/* --- ring --------------------------------------------------------------- */

/* Many buffers, 8x the ring capacity, of a size that is no multiple of the
 * period: the device plays exactly the input, in order, with nothing lost,
 * duplicated or inserted. The gate stays closed until the producer is held
 * by backpressure, so the ring never runs dry once the device starts.
 * Loop index 0: timestamped buffers, 1: buffers without timestamps. */
GST_START_TEST (test_ring_wraparound)
{
  gboolean timestamped = (__i__ == 0);
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  guint64 cap, total, pushed;
  CastProducer *p;
  GstFlowReturn ret;
  CastStats s;
  CastLog log;
  gsize start, end;

  cast_fixture_start (f);
  cap = cast_fixture_capacity_frames (f);
  fail_unless_equals_uint64 (cap, 800);
  total = 8 * cap + 37;

  fake_device_set_gate (f->dev, FALSE);
  p = cast_producer_start (f, 1, 113, total, timestamped);
  fail_unless (cast_producer_wait_blocked (p, cap),
      "producer pushed all %" G_GUINT64_FORMAT " frames with the device "
      "stopped (nothing blocked, something was dropped)", total);
  fake_device_set_gate (f->dev, TRUE);

  mark_point ();
  while (!g_atomic_int_get (&p->done))
    cast_sleep_ms (10);
  pushed = cast_producer_join (p, &ret);
  fail_unless_equals_int (ret, GST_FLOW_OK);
  fail_unless_equals_uint64 (pushed, total);

  fail_unless (cast_fixture_drain (f, -1), "drain returned FALSE");

  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, total);
  fail_unless_equals_uint64 (s.played, total);
  fail_unless_equals_uint64 (s.cleared, 0);
  fail_unless_equals_uint64 (s.buffered, 0);
  cast_assert_invariant (&s);

  cast_log_get (f, &log);
  cast_log_trim (&log, &start, &end);
  fail_unless_equals_uint64 (end - start, total);
  cast_log_assert_sequence (&log, start, 1, 0, total);
  cast_log_free (&log);

  cast_fixture_free (f);
}

GST_END_TEST;

/* --- backpressure ------------------------------------------------------- */

GST_START_TEST (test_backpressure)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  guint64 cap, total, slack, written_then, pushed;
  CastProducer *p;
  GstFlowReturn ret;
  CastStats s;
  CastLog log;
  gsize start, end;

  cast_fixture_start (f);
  cap = cast_fixture_capacity_frames (f);
  total = 50 * cap;

  fake_device_set_gate (f->dev, FALSE);
  p = cast_producer_start (f, 1, 160, total, TRUE);
  fail_unless (cast_producer_wait_blocked (p, cap),
      "producer pushed all %" G_GUINT64_FORMAT " frames while nothing was "
      "heard: no backpressure", total);
  fail_unless (fake_device_is_blocked (f->dev));

  cast_stats_read_stable (f->cast, &s);
  /* the ring is full; beyond it only what the device path already holds
   * (its own ring, one period in flight, segment rounding) */
  slack = cast_fixture_device_buffer_frames (f) +
      2 * cast_fixture_device_segment_frames (f) +
      2 * cast_fixture_period_frames (f);
  fail_unless (s.written >= cap, "blocked at %" G_GUINT64_FORMAT
      " frames written, before the ring (%" G_GUINT64_FORMAT ") was full",
      s.written, cap);
  fail_unless (s.written <= cap + slack, "%" G_GUINT64_FORMAT " frames "
      "written with nothing heard: more than ring %" G_GUINT64_FORMAT
      " + device path %" G_GUINT64_FORMAT, s.written, cap, slack);
  fail_unless_equals_uint64 (s.played, 0);
  fail_unless_equals_uint64 (s.cleared, 0);
  fail_unless_equals_uint64 (s.buffered, s.written);
  cast_assert_invariant (&s);
  written_then = s.written;

  /* still held (a negative check: a slow machine can only make it pass) */
  cast_sleep_ms (300);
  fail_if (g_atomic_int_get (&p->done));
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, written_then);
  fail_unless_equals_uint64 (fake_device_get_log_size (f->dev), 0);

  /* let it flow: everything arrives, in order, nothing dropped */
  fake_device_set_gate (f->dev, TRUE);
  mark_point ();
  while (!g_atomic_int_get (&p->done))
    cast_sleep_ms (10);
  pushed = cast_producer_join (p, &ret);
  fail_unless_equals_int (ret, GST_FLOW_OK);
  fail_unless_equals_uint64 (pushed, total);
  fail_unless (cast_fixture_drain (f, -1));

  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, total);
  fail_unless_equals_uint64 (s.played, total);
  cast_assert_invariant (&s);

  cast_log_get (f, &log);
  cast_log_trim (&log, &start, &end);
  fail_unless_equals_uint64 (end - start, total);
  cast_log_assert_sequence (&log, start, 1, 0, total);
  cast_log_free (&log);

  cast_fixture_free (f);
}

GST_END_TEST;

/* --- device failure ----------------------------------------------------- */

/* The device posts an error (a sound server going away does) while a
 * producer is blocked on a full ring and a drain waits: both return at once
 * with the failure instead of waiting for a ring nobody empties, later
 * writes fail, the error reaches the application's bus, and stopping does
 * not hang on the device's stuck write. */
GST_START_TEST (test_device_error_releases_writer_and_drain)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  CastProducer *p;
  GstFlowReturn ret;
  GstMessage *msg;
  guint64 cap;

  cast_fixture_start (f);
  cap = cast_fixture_capacity_frames (f);
  fake_device_set_gate (f->dev, FALSE);
  p = cast_producer_start (f, 1, 160, 50 * cap, TRUE);
  fail_unless (cast_producer_wait_blocked (p, cap));

  GST_ELEMENT_ERROR (f->dev, RESOURCE, WRITE, ("The device went away"),
      (NULL));

  cast_producer_join (p, &ret);
  fail_unless_equals_int (ret, GST_FLOW_ERROR);
  /* without a timeout: returning at all is the point */
  fail_if (cast_fixture_drain (f, -1),
      "drain TRUE although nothing can be heard any more");
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, 10, TRUE),
      GST_FLOW_ERROR);

  msg = gst_bus_pop_filtered (f->bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "the device's error did not reach the bus");
  fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT (f->dev));
  gst_message_unref (msg);

  cast_fixture_free (f);
}

GST_END_TEST;

/* --- clear -------------------------------------------------------------- */

/* A producer held by backpressure is released by clear() from another
 * thread; nothing it had written or was still writing is ever played. */
GST_START_TEST (test_clear_releases_blocked_producer)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  guint64 cap, heard, discarded;
  CastProducer *p;
  GstFlowReturn ret;
  CastStats s;
  CastLog log;
  gssize b;

  cast_fixture_start (f);
  cap = cast_fixture_capacity_frames (f);

  fake_device_set_gate (f->dev, FALSE);
  p = cast_producer_start (f, 1, 160, 50 * cap, TRUE);
  fail_unless (cast_producer_wait_blocked (p, cap));

  /* the producer stops after the push clear() releases */
  g_atomic_int_set (&p->stop, 1);
  cast_fixture_clear (f, &heard, &discarded);
  cast_producer_join (p, &ret);
  fail_unless_equals_int (ret, GST_FLOW_OK);

  fail_unless_equals_uint64 (heard, 0);
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.played, 0);
  fail_unless_equals_uint64 (s.buffered, 0);
  fail_unless_equals_uint64 (s.cleared, discarded);
  fail_unless (discarded >= cap);
  cast_assert_invariant (&s);

  /* new data, then let the device run */
  fail_unless_equals_int (cast_fixture_push_pattern (f, -1, 0, cap / 2, TRUE),
      GST_FLOW_OK);
  fake_device_set_gate (f->dev, TRUE);
  fail_unless (cast_fixture_drain (f, -1));

  cast_log_get (f, &log);
  fail_unless_equals_uint64 (cast_log_count_stream (&log, 1, 0), 0);
  b = cast_log_find_stream (&log, -1, 0);
  fail_unless (b >= 0, "new data never played");
  cast_log_assert_sequence (&log, b, -1, 0, cap / 2);
  fail_unless_equals_uint64 (cast_log_count_stream (&log, -1, 0), cap / 2);
  cast_log_free (&log);

  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.played, cap / 2);
  fail_unless_equals_uint64 (s.written, discarded + cap / 2);
  fail_unless_equals_uint64 (s.buffered, 0);
  cast_assert_invariant (&s);

  cast_fixture_free (f);
}

GST_END_TEST;

/* Clear while the device is playing stream A, then write stream B: A is cut
 * (a prefix of it was heard), B plays whole, and no A follows B's start. */
GST_START_TEST (test_clear_then_write)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, 2 * BUFFER_TIME_US,
      LATENCY_TIME_US);
  guint64 cap, n_a, n_b, heard, discarded, seg;
  guint64 i;
  CastStats s;
  CastLog log;
  gssize a, b;
  gsize heard_a;

  cast_fixture_start (f);
  cap = cast_fixture_capacity_frames (f);
  n_a = cap;
  n_b = cap / 2;
  seg = cast_fixture_device_segment_frames (f);

  for (i = 0; i < n_a; i += 160)
    fail_unless_equals_int (cast_fixture_push_pattern (f, 1, i, 160, TRUE),
        GST_FLOW_OK);

  /* A is being heard; clear from the middle of it */
  cast_fixture_wait_played (f, 1);
  cast_fixture_clear (f, &heard, &discarded);
  fail_unless (heard > 0);
  fail_unless_equals_uint64 (heard + discarded, n_a);

  for (i = 0; i < n_b; i += 80)
    fail_unless_equals_int (cast_fixture_push_pattern (f, -1, i, 80, TRUE),
        GST_FLOW_OK);
  fail_unless (cast_fixture_drain (f, -1));

  cast_log_get (f, &log);
  a = cast_log_find_stream (&log, 1, 0);
  b = cast_log_find_stream (&log, -1, 0);
  fail_unless (a >= 0 && b > a);
  heard_a = cast_log_count_stream (&log, 1, 0) -
      cast_log_count_stream (&log, 1, b);
  /* A was played in order from its start, up to where it was cut */
  cast_log_assert_sequence (&log, a, 1, 0, heard_a);
  fail_unless (heard_a >= heard, "element says %" G_GUINT64_FORMAT
      " frames were heard, device played %" G_GSIZE_FORMAT, heard, heard_a);
  /* what the device had taken but not yet played when clear() returned is
   * at most the segment it was writing */
  fail_unless (heard_a <= heard + 2 * seg, "device played %" G_GSIZE_FORMAT
      " frames of A, element said %" G_GUINT64_FORMAT " were heard at clear "
      "(device segment %" G_GUINT64_FORMAT ")", heard_a, heard, seg);
  /* old audio never after new audio */
  fail_unless_equals_uint64 (cast_log_count_stream (&log, 1, b), 0);
  cast_log_assert_sequence (&log, b, -1, 0, n_b);
  cast_log_free (&log);

  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, n_a + n_b);
  fail_unless_equals_uint64 (s.played, heard + n_b);
  fail_unless_equals_uint64 (s.cleared, discarded);
  fail_unless_equals_uint64 (s.buffered, 0);
  cast_assert_invariant (&s);

  cast_fixture_free (f);
}

GST_END_TEST;

/* fade-time > 0: clear() lets what the device holds play out and fades the
 * next frames out instead of cutting mid-waveform. The heard figure it
 * returns covers exactly what the device then plays of the old stream. */
GST_START_TEST (test_clear_with_fade)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, 2 * BUFFER_TIME_US,
      LATENCY_TIME_US);
  const gint64 fade_us = 5000;
  guint64 cap, n_a, n_b, heard, discarded, fade_frames, exact, i;
  gdouble prev_gain = 1.0;
  CastStats s;
  CastLog log;
  gssize a, b, k;
  gsize heard_a;

  g_object_set (f->cast, "fade-time", fade_us, NULL);
  cast_fixture_start (f);
  cap = cast_fixture_capacity_frames (f);
  n_a = cap;
  n_b = cap / 4;
  fade_frames = fade_us * CAST_RATE / G_USEC_PER_SEC;

  for (i = 0; i < n_a; i += 160)
    fail_unless_equals_int (cast_fixture_push_pattern (f, 1, i, 160, TRUE),
        GST_FLOW_OK);
  cast_fixture_wait_played (f, 1);
  cast_fixture_clear (f, &heard, &discarded);
  fail_unless (heard > 0);
  fail_unless_equals_uint64 (heard + discarded, n_a);

  for (i = 0; i < n_b; i += 80)
    fail_unless_equals_int (cast_fixture_push_pattern (f, -1, i, 80, TRUE),
        GST_FLOW_OK);
  fail_unless (cast_fixture_drain (f, -1));

  cast_log_get (f, &log);
  a = cast_log_find_stream (&log, 1, 0);
  b = cast_log_find_stream (&log, -1, 0);
  fail_unless (a >= 0 && b > a);
  heard_a = cast_log_count_stream (&log, 1, 0) -
      cast_log_count_stream (&log, 1, b);
  /* the faded tail may round to silence at its very end */
  fail_unless (heard_a <= heard && heard <= heard_a + fade_frames,
      "clear() said %" G_GUINT64_FORMAT " frames would be heard, the device "
      "played %" G_GSIZE_FORMAT " (fade %" G_GUINT64_FORMAT " frames)",
      heard, heard_a, fade_frames);

  /* untouched up to the fade, then a falling gain, then only silence */
  exact = heard > fade_frames ? heard - fade_frames : 0;
  cast_log_assert_sequence (&log, a, 1, 0, MIN (exact, heard_a));
  for (k = a + exact; k < a + (gssize) heard_a; k++) {
    gint want = cast_pattern_value (1, k - a);
    gdouble gain = (gdouble) log.samples[k] / want;

    fail_unless (log.samples[k] > 0 && log.samples[k] <= want,
        "faded frame %" G_GSSIZE_FORMAT " is %d, original %d", k - a,
        log.samples[k], want);
    fail_unless (gain <= prev_gain + 0.02, "fade gain rises at frame %"
        G_GSSIZE_FORMAT ": %f after %f", k - a, gain, prev_gain);
    prev_gain = gain;
  }
  /* there was more of A in the ring: it was faded, not cut */
  fail_unless (prev_gain < 0.5, "old audio ends at gain %f: no fade-out",
      prev_gain);
  for (k = a + heard_a; k < b; k++)
    fail_unless (log.samples[k] == 0, "old audio %d at %" G_GSSIZE_FORMAT
        " after the fade", log.samples[k], k);
  fail_unless_equals_uint64 (cast_log_count_stream (&log, 1, b), 0);
  cast_log_assert_sequence (&log, b, -1, 0, n_b);
  cast_log_free (&log);

  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, n_a + n_b);
  fail_unless_equals_uint64 (s.played, heard + n_b);
  fail_unless_equals_uint64 (s.cleared, discarded);
  fail_unless_equals_uint64 (s.buffered, 0);
  cast_assert_invariant (&s);

  cast_fixture_free (f);
}

GST_END_TEST;

/* --- drain -------------------------------------------------------------- */

GST_START_TEST (test_drain_gate_open)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  CastStats s;
  CastLog log;
  gssize a;

  cast_fixture_start (f);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, 500, TRUE),
      GST_FLOW_OK);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 500, 300, TRUE),
      GST_FLOW_OK);
  fail_unless (cast_fixture_drain (f, -1));

  /* TRUE means heard: the device has played all of it by now */
  cast_log_get (f, &log);
  a = cast_log_find_stream (&log, 1, 0);
  fail_unless (a >= 0);
  cast_log_assert_sequence (&log, a, 1, 0, 800);
  cast_log_free (&log);

  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 800);
  fail_unless_equals_uint64 (s.played, 800);
  fail_unless_equals_uint64 (s.buffered, 0);
  cast_assert_invariant (&s);

  /* nothing new: drained already */
  fail_unless (cast_fixture_drain (f, 0));

  cast_fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_drain_timeout)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  CastStats s;

  cast_fixture_start (f);
  fake_device_set_gate (f->dev, FALSE);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, 400, TRUE),
      GST_FLOW_OK);

  fail_if (cast_fixture_drain (f, 0), "drain(0) TRUE with nothing heard");
  fail_if (cast_fixture_drain (f, 200000), "drain(200ms) TRUE with the "
      "device stopped");

  /* a timeout discards nothing */
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 400);
  fail_unless_equals_uint64 (s.played, 0);
  fail_unless_equals_uint64 (s.cleared, 0);
  fail_unless_equals_uint64 (s.buffered, 400);
  cast_assert_invariant (&s);

  fake_device_set_gate (f->dev, TRUE);
  fail_unless (cast_fixture_drain (f, -1));
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.played, 400);

  cast_fixture_free (f);
}

GST_END_TEST;

typedef struct
{
  CastFixture *f;
  gint64 timeout_us;
  gint entered;
  gint clear_called;
  gint entered_after_clear;
  gboolean result;
  gboolean use_signal;
} Drainer;

static gpointer
drainer_func (gpointer data)
{
  Drainer *d = data;

  d->entered_after_clear = g_atomic_int_get (&d->clear_called);
  g_atomic_int_set (&d->entered, 1);
  if (d->use_signal)
    g_signal_emit_by_name (d->f->cast, "drain", d->timeout_us, &d->result);
  else
    d->result = audio_cast_sink_drain (AUDIO_CAST_SINK (d->f->cast),
        d->timeout_us);
  return NULL;
}

static GThread *
drainer_start (Drainer * d, CastFixture * f, gint64 timeout_us,
    gboolean use_signal)
{
  memset (d, 0, sizeof (*d));
  d->f = f;
  d->timeout_us = timeout_us;
  d->use_signal = use_signal;
  return g_thread_new ("drainer", drainer_func, d);
}

/* drain() waiting on data that cannot be heard returns FALSE when another
 * thread clears. Loop index 0: C API, 1: action signal. */
GST_START_TEST (test_drain_unblocked_by_clear)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  Drainer d;
  GThread *t;
  guint64 heard, discarded;

  cast_fixture_start (f);
  fake_device_set_gate (f->dev, FALSE);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, 400, TRUE),
      GST_FLOW_OK);

  t = drainer_start (&d, f, -1, __i__ == 1);
  while (!g_atomic_int_get (&d.entered))
    cast_sleep_ms (1);
  /* ordering only: give drain() time to start waiting */
  cast_sleep_ms (200);
  g_atomic_int_set (&d.clear_called, 1);
  cast_fixture_clear (f, &heard, &discarded);
  mark_point ();
  g_thread_join (t);

  fail_if (d.entered_after_clear);
  fail_if (d.result, "drain returned TRUE although the data it waited for "
      "was cleared unheard");
  fail_unless_equals_uint64 (heard, 0);
  fail_unless_equals_uint64 (discarded, 400);

  /* the element is usable afterwards */
  fake_device_set_gate (f->dev, TRUE);
  fail_unless_equals_int (cast_fixture_push_pattern (f, -1, 0, 400, TRUE),
      GST_FLOW_OK);
  fail_unless (cast_fixture_drain (f, -1));

  cast_fixture_free (f);
}

GST_END_TEST;

/* Only frames written before drain() count: data written while it waits
 * does not keep it waiting. */
GST_START_TEST (test_drain_ignores_later_writes)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  Drainer d;
  GThread *t;
  CastProducer *p;
  guint64 played;

  cast_fixture_start (f);
  fake_device_set_gate (f->dev, FALSE);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, 400, TRUE),
      GST_FLOW_OK);
  t = drainer_start (&d, f, -1, FALSE);
  while (!g_atomic_int_get (&d.entered))
    cast_sleep_ms (1);
  cast_sleep_ms (100);

  /* a producer that keeps the ring non-empty forever (it is stream B so
   * positions stay recognisable, timestamps continue) */
  p = cast_producer_start (f, -1, 80, 0, TRUE);
  fake_device_set_gate (f->dev, TRUE);
  mark_point ();
  g_thread_join (t);
  fail_unless (d.result);
  g_object_get (f->cast, "frames-played", &played, NULL);
  fail_unless (played >= 400);

  cast_producer_join (p, NULL);
  cast_fixture_free (f);
}

GST_END_TEST;

/* --- EOS ---------------------------------------------------------------- */

static GstMessage *
pop_eos_or_error (GstBus * bus, GstClockTime timeout)
{
  GstMessage *msg;

  msg = gst_bus_timed_pop_filtered (bus, timeout,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gchar *dbg = NULL;

    gst_message_parse_error (msg, &err, &dbg);
    fail ("error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (msg), err->message,
        GST_STR_NULL (dbg));
  }
  return msg;
}

GST_START_TEST (test_eos_after_heard)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  GstMessage *msg;
  CastStats s;
  CastLog log;
  gssize a;

  cast_fixture_start (f);
  fake_device_set_gate (f->dev, FALSE);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, 600, TRUE),
      GST_FLOW_OK);
  fail_unless (gst_pad_push_event (f->srcpad, gst_event_new_eos ()));

  /* nothing heard: no EOS (negative check) */
  msg = pop_eos_or_error (f->bus, 300 * GST_MSECOND);
  fail_unless (msg == NULL, "EOS posted before the audio was heard");

  fake_device_set_gate (f->dev, TRUE);
  mark_point ();
  msg = pop_eos_or_error (f->bus, GST_CLOCK_TIME_NONE);
  fail_unless (msg != NULL);
  gst_message_unref (msg);

  /* at EOS every frame has been played by the device */
  cast_log_get (f, &log);
  a = cast_log_find_stream (&log, 1, 0);
  fail_unless (a >= 0);
  cast_log_assert_sequence (&log, a, 1, 0, 600);
  cast_log_free (&log);
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.played, 600);
  fail_unless_equals_uint64 (s.buffered, 0);
  cast_assert_invariant (&s);

  cast_fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_eos_empty)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  GstMessage *msg;

  cast_fixture_start (f);
  fail_unless (gst_pad_push_event (f->srcpad, gst_event_new_eos ()));
  mark_point ();
  msg = pop_eos_or_error (f->bus, GST_CLOCK_TIME_NONE);
  fail_unless (msg != NULL);
  gst_message_unref (msg);
  cast_fixture_free (f);
}

GST_END_TEST;

/* clear() while EOS waits for unheard audio: the cleared audio is not
 * played, and the EOS is still delivered (there is nothing left to wait
 * for; an application waiting for EOS must not hang). */
GST_START_TEST (test_eos_then_clear)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  GstMessage *msg;
  guint64 heard, discarded;

  cast_fixture_start (f);
  fake_device_set_gate (f->dev, FALSE);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, 600, TRUE),
      GST_FLOW_OK);
  fail_unless (gst_pad_push_event (f->srcpad, gst_event_new_eos ()));
  msg = pop_eos_or_error (f->bus, 100 * GST_MSECOND);
  fail_unless (msg == NULL, "EOS posted before the audio was heard");

  cast_fixture_clear (f, &heard, &discarded);
  fail_unless_equals_uint64 (heard, 0);
  fail_unless_equals_uint64 (discarded, 600);
  fake_device_set_gate (f->dev, TRUE);
  mark_point ();
  msg = pop_eos_or_error (f->bus, GST_CLOCK_TIME_NONE);
  fail_unless (msg != NULL);
  gst_message_unref (msg);
  {
    CastLog log;

    cast_log_get (f, &log);
    fail_unless_equals_uint64 (cast_log_count_stream (&log, 1, 0), 0);
    cast_log_free (&log);
  }

  cast_fixture_free (f);
}

GST_END_TEST;

/* --- gaps and statistics ------------------------------------------------ */

GST_START_TEST (test_gap_is_silence)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  CastStats s;
  CastLog log;
  gssize a, b;
  guint underruns_before;

  cast_fixture_start (f);
  g_object_get (f->cast, "underruns", &underruns_before, NULL);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, 400, FALSE),
      GST_FLOW_OK);
  /* no drain(): the application means to go on writing, but is late */
  cast_fixture_wait_played (f, 400);

  /* the ring is dry: let the device play a few periods of silence */
  mark_point ();
  fake_device_wait_log_size (f->dev, fake_device_get_log_size (f->dev) +
      4 * cast_fixture_period_frames (f) * 2, -1);

  fail_unless_equals_int (cast_fixture_push_pattern (f, -1, 0, 400, FALSE),
      GST_FLOW_OK);
  fail_unless (cast_fixture_drain (f, -1));

  cast_log_get (f, &log);
  a = cast_log_find_stream (&log, 1, 0);
  b = cast_log_find_stream (&log, -1, 0);
  fail_unless (a >= 0 && b > a + 400);
  cast_log_assert_sequence (&log, a, 1, 0, 400);
  cast_log_assert_sequence (&log, b, -1, 0, 400);
  /* between them only silence */
  {
    gssize i;
    for (i = a + 400; i < b; i++)
      fail_unless (log.samples[i] == 0, "non-silence %d in the gap at %"
          G_GSSIZE_FORMAT, log.samples[i], i);
  }
  cast_log_free (&log);

  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 800);
  fail_unless_equals_uint64 (s.played, 800);
  cast_assert_invariant (&s);
  fail_unless (s.underruns > underruns_before, "no underrun counted for a "
      "gap (underruns %u, %u before it)", s.underruns, underruns_before);

  cast_fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_stats_accounting)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, BUFFER_TIME_US,
      LATENCY_TIME_US);
  guint64 heard, discarded;
  CastStats s;

  cast_fixture_start (f);
  fake_device_set_gate (f->dev, FALSE);

  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 0, 400, TRUE),
      GST_FLOW_OK);
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 400);
  fail_unless_equals_uint64 (s.played, 0);
  fail_unless_equals_uint64 (s.cleared, 0);
  fail_unless_equals_uint64 (s.buffered, 400);
  cast_assert_invariant (&s);

  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 400, 400, TRUE),
      GST_FLOW_OK);
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 800);
  fail_unless_equals_uint64 (s.buffered, 800);
  cast_assert_invariant (&s);

  fake_device_set_gate (f->dev, TRUE);
  fail_unless (cast_fixture_drain (f, -1));
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 800);
  fail_unless_equals_uint64 (s.played, 800);
  fail_unless_equals_uint64 (s.buffered, 0);
  cast_assert_invariant (&s);

  fake_device_set_gate (f->dev, FALSE);
  fail_unless_equals_int (cast_fixture_push_pattern (f, 1, 800, 400, TRUE),
      GST_FLOW_OK);
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 1200);
  fail_unless_equals_uint64 (s.played, 800);
  fail_unless_equals_uint64 (s.buffered, 400);
  cast_assert_invariant (&s);

  cast_fixture_clear (f, &heard, &discarded);
  fail_unless_equals_uint64 (discarded, 400);
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (heard, s.played);
  fail_unless_equals_uint64 (s.written, 1200);
  fail_unless_equals_uint64 (s.played, 800);
  fail_unless_equals_uint64 (s.cleared, 400);
  fail_unless_equals_uint64 (s.buffered, 0);
  cast_assert_invariant (&s);

  fake_device_set_gate (f->dev, TRUE);
  fail_unless_equals_int (cast_fixture_push_pattern (f, -1, 0, 200, TRUE),
      GST_FLOW_OK);
  fail_unless (cast_fixture_drain (f, -1));
  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 1400);
  fail_unless_equals_uint64 (s.played, 1000);
  fail_unless_equals_uint64 (s.cleared, 400);
  fail_unless_equals_uint64 (s.buffered, 0);
  cast_assert_invariant (&s);

  cast_fixture_free (f);
}

GST_END_TEST;

static Suite *
audiocastsink_suite (void)
{
  Suite *s = suite_create ("audiocastsink");
  TCase *tc;

  cast_test_register ();

  tc = tcase_create ("basic");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_properties);
  tcase_add_test (tc, test_empty_element);
  tcase_add_test (tc, test_action_signals);

  tc = tcase_create ("ring");
  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_ring_wraparound, 0, 2);
  tcase_add_test (tc, test_backpressure);

  tc = tcase_create ("faults");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_device_error_releases_writer_and_drain);

  tc = tcase_create ("clear");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_clear_releases_blocked_producer);
  tcase_add_test (tc, test_clear_then_write);
  tcase_add_test (tc, test_clear_with_fade);

  tc = tcase_create ("drain");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_drain_gate_open);
  tcase_add_test (tc, test_drain_timeout);
  tcase_add_loop_test (tc, test_drain_unblocked_by_clear, 0, 2);
  tcase_add_test (tc, test_drain_ignores_later_writes);

  tc = tcase_create ("eos");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_eos_after_heard);
  tcase_add_test (tc, test_eos_empty);
  tcase_add_test (tc, test_eos_then_clear);

  tc = tcase_create ("stats");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_gap_is_silence);
  tcase_add_test (tc, test_stats_accounting);

  return s;
}

GST_CHECK_MAIN (audiocastsink);
