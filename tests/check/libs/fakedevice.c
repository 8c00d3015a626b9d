/* Self-test of the fake audio device the audiocastsink tests rely on: when
 * one of those fails, this tells whether the instrument or the element is
 * at fault.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gst/check/gstcheck.h>

#include "fakedevice.h"

#define RATE 8000

typedef struct
{
  GstElement *pipeline;
  GstElement *dev;
  GstPad *srcpad;
} Setup;

static Setup *
setup_new (gboolean gate_open)
{
  Setup *s = g_new0 (Setup, 1);
  GstPad *sinkpad;
  GstCaps *caps;
  GstSegment segment;

  s->pipeline = gst_pipeline_new (NULL);
  s->dev = gst_element_factory_make ("fakeaudiodevice", NULL);
  fail_unless (s->dev != NULL);
  /* like audiocastsink's inner sink: play as data comes, no preroll */
  g_object_set (s->dev, "sync", FALSE, "async", FALSE, NULL);
  fake_device_set_gate (s->dev, gate_open);
  gst_bin_add (GST_BIN (s->pipeline), gst_object_ref (s->dev));

  s->srcpad = gst_pad_new ("src", GST_PAD_SRC);
  sinkpad = gst_element_get_static_pad (s->dev, "sink");
  fail_unless_equals_int (gst_pad_link (s->srcpad, sinkpad), GST_PAD_LINK_OK);
  gst_object_unref (sinkpad);

  fail_unless (gst_element_set_state (s->pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_pad_set_active (s->srcpad, TRUE));
  caps = gst_caps_from_string ("audio/x-raw, format=S16LE, rate=8000, "
      "channels=1, layout=interleaved");
  fail_unless (gst_pad_push_event (s->srcpad,
          gst_event_new_stream_start ("fake")));
  fail_unless (gst_pad_push_event (s->srcpad, gst_event_new_caps (caps)));
  gst_caps_unref (caps);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_pad_push_event (s->srcpad,
          gst_event_new_segment (&segment)));
  return s;
}

static void
setup_free (Setup * s)
{
  fail_unless_equals_int (gst_element_set_state (s->pipeline,
          GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  gst_pad_set_active (s->srcpad, FALSE);
  gst_object_unref (s->srcpad);
  gst_object_unref (s->pipeline);
  gst_object_unref (s->dev);
  g_free (s);
}

/* GstAudioBaseSink may start its ring thread before the first buffer is
 * committed (sync=FALSE), so the segment the first commit lands in can be
 * taken (as silence) before the data arrives. Streams open with silence, as
 * audiocastsink's do. */
static void
push_lead_in (Setup * s)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 2 * 160, NULL);

  gst_buffer_memset (buf, 0, 0, 2 * 160);
  fail_unless_equals_int (gst_pad_push (s->srcpad, buf), GST_FLOW_OK);
}

static GstBuffer *
ramp (guint first, guint n)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, n * 2, NULL);
  GstMapInfo map;
  guint i;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (i = 0; i < n; i++) {
    gint16 v = 1 + first + i;
    map.data[2 * i] = v & 0xff;
    map.data[2 * i + 1] = (v >> 8) & 0xff;
  }
  gst_buffer_unmap (buf, &map);
  return buf;
}

/* The trimmed log is exactly frames 0..n-1 of the ramp. */
static void
assert_log_is_ramp (GstElement * dev, guint n)
{
  GBytes *bytes = fake_device_get_log (dev);
  gsize size, start = 0, end, i;
  const guint8 *d = g_bytes_get_data (bytes, &size);

  end = size / 2;
  while (start < end && d[2 * start] == 0 && d[2 * start + 1] == 0)
    start++;
  while (end > start && d[2 * end - 2] == 0 && d[2 * end - 1] == 0)
    end--;
  fail_unless_equals_uint64 (end - start, n);
  for (i = 0; i < n; i++) {
    gint16 v = (gint16) (d[2 * (start + i)] | (d[2 * (start + i) + 1] << 8));
    fail_unless_equals_int (v, 1 + i);
  }
  g_bytes_unref (bytes);
}

GST_START_TEST (test_logs_what_it_plays)
{
  Setup *s = setup_new (TRUE);
  GstAudioInfo info;

  push_lead_in (s);
  fail_unless_equals_int (gst_pad_push (s->srcpad, ramp (0, 300)),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_pad_push (s->srcpad, ramp (300, 500)),
      GST_FLOW_OK);
  mark_point ();
  fake_device_wait_log_size (s->dev, 320 + 1600, -1);
  fail_unless (fake_device_get_info (s->dev, &info));
  fail_unless_equals_int (GST_AUDIO_INFO_RATE (&info), RATE);
  fail_unless_equals_int (GST_AUDIO_INFO_FORMAT (&info),
      GST_AUDIO_FORMAT_S16LE);
  /* and silence after it: let a few more segments through */
  fake_device_wait_log_size (s->dev, 320 + 1600 + 4 * 160, -1);
  assert_log_is_ramp (s->dev, 800);
  setup_free (s);
}

GST_END_TEST;

GST_START_TEST (test_gate)
{
  Setup *s = setup_new (FALSE);

  push_lead_in (s);
  /* fits in the device's own ring: the push returns */
  fail_unless_equals_int (gst_pad_push (s->srcpad, ramp (0, 800)),
      GST_FLOW_OK);
  mark_point ();
  fail_unless (fake_device_wait_blocked (s->dev, -1));
  fail_unless (fake_device_is_blocked (s->dev));

  /* closed: nothing is played (negative check) */
  g_usleep (200000);
  fail_unless_equals_uint64 (fake_device_get_log_size (s->dev), 0);

  fake_device_set_gate (s->dev, TRUE);
  mark_point ();
  fake_device_wait_log_size (s->dev, 320 + 1600 + 4 * 160, -1);
  assert_log_is_ramp (s->dev, 800);
  setup_free (s);
}

GST_END_TEST;

/* reset() releases a write() blocked at the closed gate: the state change
 * returns and the chunk is dropped unplayed. Loop: 0 PAUSED, 1 NULL. */
GST_START_TEST (test_reset_releases_gate)
{
  Setup *s = setup_new (FALSE);

  fail_unless_equals_int (gst_pad_push (s->srcpad, ramp (0, 800)),
      GST_FLOW_OK);
  mark_point ();
  fail_unless (fake_device_wait_blocked (s->dev, -1));
  fail_unless (gst_element_set_state (s->pipeline,
          __i__ == 0 ? GST_STATE_PAUSED : GST_STATE_NULL) !=
      GST_STATE_CHANGE_FAILURE);
  mark_point ();
  fail_unless (gst_element_get_state (s->pipeline, NULL, NULL,
          GST_CLOCK_TIME_NONE) != GST_STATE_CHANGE_FAILURE);
  fail_unless (fake_device_get_resets (s->dev) > 0);
  /* the released write() dropped its chunk */
  while (fake_device_is_blocked (s->dev))
    g_usleep (1000);
  fail_unless (fake_device_get_dropped (s->dev) > 0);
  fail_unless_equals_uint64 (fake_device_get_log_size (s->dev), 0);
  setup_free (s);
}

GST_END_TEST;

GST_START_TEST (test_caps_property)
{
  GstElement *dev = gst_element_factory_make ("fakeaudiodevice", NULL);
  GstCaps *restrict_caps = gst_caps_from_string ("audio/x-raw, "
      "format=S16LE");
  GstPad *pad = gst_element_get_static_pad (dev, "sink");
  GstCaps *caps, *f32;

  caps = gst_pad_query_caps (pad, NULL);
  f32 = gst_caps_from_string ("audio/x-raw, format=F32LE, rate=44100, "
      "channels=2, layout=interleaved");
  fail_unless (gst_caps_can_intersect (caps, f32));
  gst_caps_unref (caps);

  g_object_set (dev, "caps", restrict_caps, NULL);
  caps = gst_pad_query_caps (pad, NULL);
  fail_if (gst_caps_can_intersect (caps, f32));
  fail_unless_equals_int (gst_caps_get_size (caps), 1);
  fail_unless_equals_string (gst_structure_get_string
      (gst_caps_get_structure (caps, 0), "format"), "S16LE");
  gst_caps_unref (caps);

  gst_caps_unref (f32);
  gst_caps_unref (restrict_caps);
  gst_object_unref (pad);
  gst_object_unref (dev);
}

GST_END_TEST;

static Suite *
fakedevice_suite (void)
{
  Suite *s = suite_create ("fakedevice");
  TCase *tc = tcase_create ("general");

  g_assert_true (fake_device_register ());
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_logs_what_it_plays);
  tcase_add_test (tc, test_gate);
  tcase_add_loop_test (tc, test_reset_releases_gate, 0, 2);
  tcase_add_test (tc, test_caps_property);

  return s;
}

GST_CHECK_MAIN (fakedevice);
