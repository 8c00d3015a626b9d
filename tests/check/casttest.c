/* audiocast tests: shared fixture for driving audiocastsink
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "casttest.h"

#include <string.h>

/* gst-check fails a test on criticals and warnings from GLib and GStreamer
 * only: the library's own (domain "AudioCast") must fail it too, unless
 * ASSERT_CRITICAL / ASSERT_WARNING expects them. */
static void
library_log_func (const gchar * domain, GLogLevelFlags level,
    const gchar * message, gpointer user_data)
{
  if (!_gst_check_expecting_log)
    fail ("Unexpected critical/warning: %s: %s", domain, message);
  if (level & G_LOG_LEVEL_CRITICAL)
    _gst_check_raised_critical = TRUE;
  if (level & G_LOG_LEVEL_WARNING)
    _gst_check_raised_warning = TRUE;
}

void
cast_test_register (void)
{
  g_log_set_handler ("AudioCast", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING,
      library_log_func, NULL);
  /* the library provides the type; registering it here means the tests
   * never depend on an installed (or stale) plugin */
  g_assert_true (gst_element_register (NULL, "audiocastsink", GST_RANK_NONE,
          AUDIO_CAST_TYPE_SINK));
  g_assert_true (fake_device_register ());
}

void
cast_sleep_ms (guint ms)
{
  g_usleep ((gulong) ms * 1000);
}

CastFixture *
cast_fixture_new (GstCaps * caps, GstCaps * device_caps,
    gint64 buffer_time_us, gint64 latency_time_us)
{
  CastFixture *f = g_new0 (CastFixture, 1);
  GstPad *sinkpad;

  g_mutex_init (&f->push_lock);

  if (caps)
    f->caps = gst_caps_ref (caps);
  else
    f->caps = gst_caps_new_simple ("audio/x-raw",
        "format", G_TYPE_STRING, "S16LE",
        "layout", G_TYPE_STRING, "interleaved",
        "rate", G_TYPE_INT, CAST_RATE, "channels", G_TYPE_INT, 1, NULL);
  fail_unless (gst_audio_info_from_caps (&f->info, f->caps));

  f->pipeline = gst_pipeline_new ("pipeline");
  f->cast = gst_element_factory_make ("audiocastsink", "cast");
  fail_unless (f->cast != NULL, "could not create audiocastsink");
  fail_unless (AUDIO_CAST_IS_SINK (f->cast));
  f->dev = gst_element_factory_make ("fakeaudiodevice", "device");
  fail_unless (f->dev != NULL, "could not create fakeaudiodevice");
  gst_object_ref_sink (f->dev);

  if (device_caps)
    g_object_set (f->dev, "caps", device_caps, NULL);
  /* These tests drive the ring as an application stream does: frames back
   * to back, states that complete at once. The media-pipeline behaviour
   * (sync, preroll) has tests of its own that turn both back on. */
  g_object_set (f->cast, "audio-sink", f->dev, "sync", FALSE, "async", FALSE,
      NULL);
  if (buffer_time_us > 0)
    g_object_set (f->cast, "buffer-time", buffer_time_us, NULL);
  if (latency_time_us > 0)
    g_object_set (f->cast, "latency-time", latency_time_us, NULL);

  fail_unless (gst_bin_add (GST_BIN (f->pipeline), gst_object_ref (f->cast)));
  f->bus = gst_pipeline_get_bus (GST_PIPELINE (f->pipeline));

  f->srcpad = gst_pad_new ("src", GST_PAD_SRC);
  sinkpad = gst_element_get_static_pad (f->cast, "sink");
  fail_unless (sinkpad != NULL, "audiocastsink has no sink pad");
  fail_unless_equals_int (gst_pad_link (f->srcpad, sinkpad), GST_PAD_LINK_OK);
  gst_object_unref (sinkpad);

  return f;
}

void
cast_fixture_set_state (CastFixture * f, GstState state)
{
  GstStateChangeReturn ret;

  ret = gst_element_set_state (f->pipeline, state);
  fail_if (ret == GST_STATE_CHANGE_FAILURE, "state change to %s failed",
      gst_element_state_get_name (state));
  if (ret == GST_STATE_CHANGE_ASYNC) {
    mark_point ();
    ret = gst_element_get_state (f->pipeline, NULL, NULL, GST_CLOCK_TIME_NONE);
    fail_if (ret == GST_STATE_CHANGE_FAILURE, "async state change to %s "
        "failed", gst_element_state_get_name (state));
  }
}

void
cast_fixture_restart_stream (CastFixture * f)
{
  GstSegment segment;

  /* deactivating drops the sticky events so they are sent again */
  gst_pad_set_active (f->srcpad, FALSE);
  fail_unless (gst_pad_set_active (f->srcpad, TRUE));

  g_mutex_lock (&f->push_lock);
  f->ts_frames = 0;
  g_mutex_unlock (&f->push_lock);

  fail_unless (gst_pad_push_event (f->srcpad,
          gst_event_new_stream_start ("audiocast-test")));
  fail_unless (gst_pad_push_event (f->srcpad, gst_event_new_caps (f->caps)),
      "caps %" GST_PTR_FORMAT " refused", f->caps);
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_pad_push_event (f->srcpad, gst_event_new_segment (&segment)));
}

void
cast_fixture_start (CastFixture * f)
{
  cast_fixture_set_state (f, GST_STATE_PLAYING);
  cast_fixture_restart_stream (f);
}

void
cast_fixture_free (CastFixture * f)
{
  GstPad *peer;

  mark_point ();
  fail_unless_equals_int (gst_element_set_state (f->pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_pad_set_active (f->srcpad, FALSE);
  peer = gst_pad_get_peer (f->srcpad);
  if (peer) {
    gst_pad_unlink (f->srcpad, peer);
    gst_object_unref (peer);
  }
  gst_object_unref (f->srcpad);
  gst_bus_set_flushing (f->bus, TRUE);
  gst_object_unref (f->bus);
  gst_object_unref (f->pipeline);
  gst_object_unref (f->cast);
  gst_object_unref (f->dev);
  gst_caps_unref (f->caps);
  g_mutex_clear (&f->push_lock);
  g_free (f);
}

GstFlowReturn
cast_fixture_push_buffer (CastFixture * f, GstBuffer * buf,
    gboolean timestamped)
{
  if (timestamped) {
    guint64 frames = gst_buffer_get_size (buf) / GST_AUDIO_INFO_BPF (&f->info);
    gint rate = GST_AUDIO_INFO_RATE (&f->info);

    g_mutex_lock (&f->push_lock);
    GST_BUFFER_PTS (buf) = gst_util_uint64_scale_int (f->ts_frames,
        GST_SECOND, rate);
    GST_BUFFER_DURATION (buf) = gst_util_uint64_scale_int (f->ts_frames +
        frames, GST_SECOND, rate) - GST_BUFFER_PTS (buf);
    GST_BUFFER_OFFSET (buf) = f->ts_frames;
    GST_BUFFER_OFFSET_END (buf) = f->ts_frames + frames;
    f->ts_frames += frames;
    g_mutex_unlock (&f->push_lock);
  }
  return gst_pad_push (f->srcpad, buf);
}

GstFlowReturn
cast_fixture_push_pattern (CastFixture * f, gint sign, guint64 first,
    guint n_frames, gboolean timestamped)
{
  GstBuffer *buf;
  GstMapInfo map;
  gint16 *s;
  guint i;

  g_assert_cmpint (GST_AUDIO_INFO_FORMAT (&f->info), ==,
      GST_AUDIO_FORMAT_S16LE);
  g_assert_cmpint (GST_AUDIO_INFO_CHANNELS (&f->info), ==, 1);

  buf = gst_buffer_new_allocate (NULL, n_frames * 2, NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  s = (gint16 *) map.data;
  for (i = 0; i < n_frames; i++)
    s[i] = GINT16_TO_LE (cast_pattern_value (sign, first + i));
  gst_buffer_unmap (buf, &map);

  return cast_fixture_push_buffer (f, buf, timestamped);
}

void
cast_fixture_clear (CastFixture * f, guint64 * heard, guint64 * discarded)
{
  guint64 h = G_MAXUINT64, d = G_MAXUINT64;

  audio_cast_sink_clear (AUDIO_CAST_SINK (f->cast), &h, &d);
  fail_if (h == G_MAXUINT64, "clear did not set frames_heard");
  fail_if (d == G_MAXUINT64, "clear did not set frames_discarded");
  if (heard)
    *heard = h;
  if (discarded)
    *discarded = d;
}

gboolean
cast_fixture_drain (CastFixture * f, gint64 timeout_us)
{
  mark_point ();
  return audio_cast_sink_drain (AUDIO_CAST_SINK (f->cast), timeout_us);
}

void
cast_stats_read (GstElement * cast, CastStats * s)
{
  g_object_get (cast, "frames-written", &s->written,
      "frames-played", &s->played, "frames-cleared", &s->cleared,
      "buffered-frames", &s->buffered, "underruns", &s->underruns, NULL);
}

void
cast_stats_read_stable (GstElement * cast, CastStats * s)
{
  CastStats prev;
  guint i;

  cast_stats_read (cast, &prev);
  for (i = 0; i < 400; i++) {
    cast_stats_read (cast, s);
    if (s->written == prev.written && s->played == prev.played &&
        s->cleared == prev.cleared && s->buffered == prev.buffered)
      return;
    prev = *s;
    cast_sleep_ms (5);
  }
}

void
cast_log_get (CastFixture * f, CastLog * log)
{
  GBytes *bytes = fake_device_get_log (f->dev);
  gsize size, i;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  log->n = size / 2;
  log->samples = g_new (gint16, log->n + 1);
  for (i = 0; i < log->n; i++)
    log->samples[i] = (gint16) (data[2 * i] | (data[2 * i + 1] << 8));
  g_bytes_unref (bytes);
}

void
cast_log_free (CastLog * log)
{
  g_free (log->samples);
  log->samples = NULL;
  log->n = 0;
}

void
cast_log_trim (const CastLog * log, gsize * start, gsize * end)
{
  gsize s = 0, e = log->n;

  while (s < e && log->samples[s] == 0)
    s++;
  while (e > s && log->samples[e - 1] == 0)
    e--;
  *start = s;
  *end = e;
}

static gboolean
is_stream (gint16 v, gint sign)
{
  return sign > 0 ? v > 0 : v < 0;
}

gsize
cast_log_count_stream (const CastLog * log, gint sign, gsize from)
{
  gsize i, n = 0;

  for (i = from; i < log->n; i++)
    if (is_stream (log->samples[i], sign))
      n++;
  return n;
}

gssize
cast_log_find_stream (const CastLog * log, gint sign, gsize from)
{
  gsize i;

  for (i = from; i < log->n; i++)
    if (is_stream (log->samples[i], sign))
      return i;
  return -1;
}

void
cast_log_assert_sequence (const CastLog * log, gsize at, gint sign,
    guint64 first, gsize n)
{
  gsize i;

  fail_unless (at + n <= log->n, "device log too short: %" G_GSIZE_FORMAT
      " samples from %" G_GSIZE_FORMAT " expected, only %" G_GSIZE_FORMAT
      " logged", n, at, log->n);
  for (i = 0; i < n; i++) {
    gint16 want = cast_pattern_value (sign, first + i);
    if (log->samples[at + i] != want)
      fail ("device log differs at sample %" G_GSIZE_FORMAT " (frame %"
          G_GUINT64_FORMAT " of stream %c): got %d, expected %d", at + i,
          first + i, sign > 0 ? 'A' : 'B', log->samples[at + i], want);
  }
}

static gpointer
producer_func (gpointer data)
{
  CastProducer *p = data;
  guint64 pushed = 0;

  while (!g_atomic_int_get (&p->stop) &&
      (p->total_frames == 0 || pushed < p->total_frames)) {
    guint n = p->frames_per_buffer;
    GstFlowReturn ret;

    if (p->total_frames && p->total_frames - pushed < n)
      n = p->total_frames - pushed;

    g_atomic_int_set (&p->in_push, 1);
    ret = cast_fixture_push_pattern (p->f, p->sign, pushed, n, p->timestamped);
    g_atomic_int_set (&p->in_push, 0);

    g_mutex_lock (&p->lock);
    p->last_ret = ret;
    if (ret == GST_FLOW_OK) {
      pushed += n;
      p->frames_pushed = pushed;
    }
    g_mutex_unlock (&p->lock);
    if (ret != GST_FLOW_OK)
      break;
  }
  g_atomic_int_set (&p->done, 1);
  return NULL;
}

CastProducer *
cast_producer_start (CastFixture * f, gint sign, guint frames_per_buffer,
    guint64 total_frames, gboolean timestamped)
{
  CastProducer *p = g_new0 (CastProducer, 1);

  p->f = f;
  p->sign = sign;
  p->frames_per_buffer = frames_per_buffer;
  p->total_frames = total_frames;
  p->timestamped = timestamped;
  p->last_ret = GST_FLOW_OK;
  g_mutex_init (&p->lock);
  p->thread = g_thread_new ("producer", producer_func, p);
  return p;
}

guint64
cast_producer_pushed (CastProducer * p)
{
  guint64 res;

  g_mutex_lock (&p->lock);
  res = p->frames_pushed;
  g_mutex_unlock (&p->lock);
  return res;
}

guint64
cast_producer_join (CastProducer * p, GstFlowReturn * last_ret)
{
  guint64 res;

  g_atomic_int_set (&p->stop, 1);
  mark_point ();
  g_thread_join (p->thread);
  res = p->frames_pushed;
  if (last_ret)
    *last_ret = p->last_ret;
  g_mutex_clear (&p->lock);
  g_free (p);
  return res;
}

gboolean
cast_producer_wait_blocked (CastProducer * p, guint64 min_written)
{
  guint64 last_written = G_MAXUINT64, last_pushed = G_MAXUINT64;
  guint stable = 0, polls = 0;
  gboolean warned = FALSE;

  mark_point ();
  while (TRUE) {
    guint64 written, pushed;

    if (g_atomic_int_get (&p->done))
      return FALSE;

    g_object_get (p->f->cast, "frames-written", &written, NULL);
    pushed = cast_producer_pushed (p);

    if (written == last_written && pushed == last_pushed &&
        g_atomic_int_get (&p->in_push)) {
      stable++;
      if (written >= min_written && stable >= 10)
        return TRUE;
      /* a correct element fills the ring before blocking: report why we
       * keep waiting (the test watchdog ends this) */
      if (!warned && stable >= 100) {
        g_printerr ("producer stuck with frames-written %" G_GUINT64_FORMAT
            " < %" G_GUINT64_FORMAT " expected before blocking\n", written,
            min_written);
        warned = TRUE;
      }
    } else {
      stable = 0;
    }
    last_written = written;
    last_pushed = pushed;
    polls++;
    cast_sleep_ms (20);
  }
}

static guint64
us_to_input_frames (CastFixture * f, gint64 us)
{
  return gst_util_uint64_scale_int (us, GST_AUDIO_INFO_RATE (&f->info),
      G_USEC_PER_SEC);
}

guint64
cast_fixture_device_segment_frames (CastFixture * f)
{
  gint64 us;

  g_object_get (f->dev, "latency-time", &us, NULL);
  return us_to_input_frames (f, us);
}

guint64
cast_fixture_device_buffer_frames (CastFixture * f)
{
  gint64 us;

  g_object_get (f->dev, "buffer-time", &us, NULL);
  return us_to_input_frames (f, us);
}

guint64
cast_fixture_capacity_frames (CastFixture * f)
{
  gint64 us;

  g_object_get (f->cast, "buffer-time", &us, NULL);
  return us_to_input_frames (f, us);
}

guint64
cast_fixture_period_frames (CastFixture * f)
{
  gint64 us;

  g_object_get (f->cast, "latency-time", &us, NULL);
  return us_to_input_frames (f, us);
}

void
cast_fixture_wait_played (CastFixture * f, guint64 frames)
{
  guint64 played;

  mark_point ();
  while (TRUE) {
    g_object_get (f->cast, "frames-played", &played, NULL);
    if (played >= frames)
      return;
    cast_sleep_ms (5);
  }
}
