/* audiocastsink: every raw input format, and rate/channel conversion, reach
 * a device fixed to S16LE with the right frames in the right order
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The signal is table-driven through GstAudioFormatInfo's pack functions:
 * channel 0 alternates +0.50 / +0.75 of full scale frame by frame, channel 1
 * carries the negated values. In S16 that is +16384/+24576 and the mirror,
 * far from silence (0, plus a little dither), so the device log shows exactly
 * which frames arrived, in which order and on which channel.
 */

#include "casttest.h"

#include <math.h>

#define N_FRAMES 800            /* 100 ms at 8 kHz */
#define TOLERANCE 64            /* S16 LSBs: dither and rounding */
#define LOUD 4096               /* |S16| above this is signal, not silence */

static GArray *formats;         /* GstAudioFormat, filled by the suite */

static gdouble
level (guint64 frame, guint channel)
{
  gdouble v = (frame % 2) ? 0.75 : 0.5;

  return channel % 2 ? -v : v;
}

/* Frames @start .. @start + @n_frames of the test signal in @format,
 * through the format's pack function (unpacked values are S32 or F64). */
static GstBuffer *
make_signal (GstAudioFormat format, guint channels, guint64 start,
    guint n_frames)
{
  const GstAudioFormatInfo *finfo = gst_audio_format_get_info (format);
  guint n = n_frames * channels, i;
  gpointer unpacked;
  GstBuffer *buf;
  GstMapInfo map;

  if (finfo->unpack_format == GST_AUDIO_FORMAT_F64) {
    gdouble *d = g_new (gdouble, n);
    for (i = 0; i < n; i++)
      d[i] = level (start + i / channels, i % channels);
    unpacked = d;
  } else {
    gint32 *d = g_new (gint32, n);
    fail_unless_equals_int (finfo->unpack_format, GST_AUDIO_FORMAT_S32);
    for (i = 0; i < n; i++)
      d[i] = (gint32) lrint (level (start + i / channels, i % channels) *
          2147483648.0);
    unpacked = d;
  }

  buf = gst_buffer_new_allocate (NULL,
      (gsize) n_frames * channels * GST_AUDIO_FORMAT_INFO_WIDTH (finfo) / 8,
      NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  finfo->pack_func (finfo, GST_AUDIO_PACK_FLAG_NONE, unpacked, map.data, n);
  gst_buffer_unmap (buf, &map);
  g_free (unpacked);
  return buf;
}

typedef struct
{
  gint16 *s;
  gsize n_frames;
  guint channels;
} DevLog;

static void
dev_log_get (CastFixture * f, DevLog * log)
{
  GBytes *bytes = fake_device_get_log (f->dev);
  GstAudioInfo info;
  gsize size, i;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  fail_unless (fake_device_get_info (f->dev, &info));
  fail_unless_equals_int (GST_AUDIO_INFO_FORMAT (&info),
      GST_AUDIO_FORMAT_S16LE);
  log->channels = GST_AUDIO_INFO_CHANNELS (&info);
  log->n_frames = size / GST_AUDIO_INFO_BPF (&info);
  log->s = g_new (gint16, log->n_frames * log->channels + 1);
  for (i = 0; i < log->n_frames * log->channels; i++)
    log->s[i] = (gint16) (data[2 * i] | (data[2 * i + 1] << 8));
  g_bytes_unref (bytes);
}

static gboolean
frame_is_loud (const DevLog * log, gsize frame)
{
  guint c;

  for (c = 0; c < log->channels; c++)
    if (ABS (log->s[frame * log->channels + c]) <= LOUD)
      return FALSE;
  return TRUE;
}

static gsize
count_loud (const DevLog * log, gssize * first_loud)
{
  gsize i, n = 0;

  *first_loud = -1;
  for (i = 0; i < log->n_frames; i++) {
    if (frame_is_loud (log, i)) {
      if (*first_loud < 0)
        *first_loud = i;
      n++;
    }
  }
  return n;
}

/* "silence 240, signal 400 (16384/-16384), ..." for failure messages */
static gchar *
describe_runs (const DevLog * log)
{
  GString *str = g_string_new (NULL);
  gsize i = 0;

  while (i < log->n_frames && str->len < 600) {
    gboolean loud = frame_is_loud (log, i);
    gsize j = i;

    while (j < log->n_frames && frame_is_loud (log, j) == loud)
      j++;
    g_string_append_printf (str, "%s%s %" G_GSIZE_FORMAT " (%d/%d)",
        str->len ? ", " : "", loud ? "signal" : "quiet", j - i,
        log->s[i * log->channels], log->s[i * log->channels +
            (log->channels > 1)]);
    i = j;
  }
  return g_string_free (str, FALSE);
}

/* Pushes the signal, drains, and checks the element's counters. */
static void
play_signal (CastFixture * f, GstAudioFormat format, guint channels,
    guint n_frames)
{
  CastStats s;
  guint i;

  /* in a few buffers of uneven size */
  for (i = 0; i < n_frames;) {
    guint n = MIN (n_frames - i, 150 + (i % 7));
    fail_unless_equals_int (cast_fixture_push_buffer (f,
            make_signal (format, channels, i, n), TRUE), GST_FLOW_OK);
    i += n;
  }
  fail_unless (cast_fixture_drain (f, -1), "drain returned FALSE");

  cast_stats_read_stable (f->cast, &s);
  fail_unless_equals_uint64 (s.written, n_frames);
  fail_unless_equals_uint64 (s.played, n_frames);
  fail_unless_equals_uint64 (s.buffered, 0);
  cast_assert_invariant (&s);
}

static GstCaps *
raw_caps (GstAudioFormat format, gint rate, gint channels)
{
  GstAudioInfo info;

  gst_audio_info_set_format (&info, format, rate, channels, NULL);
  return gst_audio_info_to_caps (&info);
}

/* Loop test: one input format per iteration, device fixed to S16LE, same
 * rate and channels, so the device gets exactly N_FRAMES signal frames. */
GST_START_TEST (test_input_format)
{
  GstAudioFormat format = g_array_index (formats, GstAudioFormat, __i__);
  GstCaps *caps = raw_caps (format, CAST_RATE, 2);
  GstCaps *dev_caps = gst_caps_from_string ("audio/x-raw, format=S16LE");
  CastFixture *f;
  DevLog log;
  gssize first_loud;
  gsize loud, i;
  guint c;

  GST_INFO ("input %s", gst_audio_format_to_string (format));
  f = cast_fixture_new (caps, dev_caps, 100000, 10000);
  cast_fixture_start (f);
  play_signal (f, format, 2, N_FRAMES);

  dev_log_get (f, &log);
  fail_unless_equals_int (log.channels, 2);
  loud = count_loud (&log, &first_loud);
  if (loud != N_FRAMES) {
    /* tell "drain() returned early" from "frames lost" */
    gsize later;

    fake_device_wait_log_size (f->dev, fake_device_get_log_size (f->dev) +
        8 * 80 * 4, -1);
    g_free (log.s);
    dev_log_get (f, &log);
    later = count_loud (&log, &first_loud);
    fail ("%s: %" G_GSIZE_FORMAT " of %d frames played when drain() "
        "returned TRUE, %" G_GSIZE_FORMAT " after 8 more periods; device "
        "log (frames, L/R at run start): %s",
        gst_audio_format_to_string (format), loud, N_FRAMES, later,
        describe_runs (&log));
  }
  fail_unless (first_loud >= 0 && (gsize) first_loud + N_FRAMES <= log.n_frames);
  for (i = 0; i < N_FRAMES; i++) {
    for (c = 0; c < 2; c++) {
      gint want = (gint) lrint (level (i, c) * 32768.0);
      gint got = log.s[(first_loud + i) * 2 + c];

      if (ABS (got - want) > TOLERANCE)
        fail ("%s: frame %" G_GSIZE_FORMAT " channel %u is %d, expected %d",
            gst_audio_format_to_string (format), i, c, got, want);
    }
  }
  g_free (log.s);

  cast_fixture_free (f);
  gst_caps_unref (caps);
  gst_caps_unref (dev_caps);
}

GST_END_TEST;

/* Resampling and channel mixing. The device log is compared in frame count
 * (with a resampler's edge tolerance where rates differ). */
typedef struct
{
  GstAudioFormat in_format;
  gint in_rate, in_channels;
  const gchar *dev_caps;
  gint dev_rate, dev_channels;
} Conversion;

static const Conversion conversions[] = {
  {GST_AUDIO_FORMAT_S16LE, 8000, 2, "audio/x-raw, format=S16LE, rate=16000",
      16000, 2},
  {GST_AUDIO_FORMAT_S16LE, 16000, 2, "audio/x-raw, format=S16LE, rate=8000",
      8000, 2},
  {GST_AUDIO_FORMAT_F32LE, 44100, 2, "audio/x-raw, format=S16LE, rate=48000",
      48000, 2},
  {GST_AUDIO_FORMAT_S16LE, 8000, 1,
      "audio/x-raw, format=S16LE, channels=2, channel-mask=(bitmask)0x3",
      8000, 2},
  {GST_AUDIO_FORMAT_F32LE, 22050, 1,
        "audio/x-raw, format=S16LE, rate=48000, channels=2, "
        "channel-mask=(bitmask)0x3",
      48000, 2},
};

GST_START_TEST (test_conversion)
{
  const Conversion *conv = &conversions[__i__];
  GstCaps *caps = raw_caps (conv->in_format, conv->in_rate, conv->in_channels);
  GstCaps *dev_caps = gst_caps_from_string (conv->dev_caps);
  guint n_frames = conv->in_rate / 5;   /* 200 ms */
  guint64 expected, settle;
  CastFixture *f;
  GstAudioInfo info;
  DevLog log;
  gssize first_loud;
  gsize loud, i;

  f = cast_fixture_new (caps, dev_caps, 100000, 10000);
  cast_fixture_start (f);
  play_signal (f, conv->in_format, conv->in_channels, n_frames);

  fail_unless (fake_device_get_info (f->dev, &info));
  fail_unless_equals_int (GST_AUDIO_INFO_RATE (&info), conv->dev_rate);
  fail_unless_equals_int (GST_AUDIO_INFO_CHANNELS (&info), conv->dev_channels);

  /* let the resampler's tail through: a few more periods of silence */
  settle = fake_device_get_log_size (f->dev) +
      (gsize) 4 *GST_AUDIO_INFO_BPF (&info) * conv->dev_rate / 100;
  mark_point ();
  fake_device_wait_log_size (f->dev, settle, -1);

  dev_log_get (f, &log);
  expected = gst_util_uint64_scale_int (n_frames, conv->dev_rate,
      conv->in_rate);
  loud = count_loud (&log, &first_loud);
  if (conv->dev_rate == conv->in_rate) {
    fail_unless_equals_uint64 (loud, expected);
  } else {
    fail_unless (loud + 48 >= expected && loud <= expected + 48,
        "%" G_GSIZE_FORMAT " signal frames at the device, expected about %"
        G_GUINT64_FORMAT, loud, expected);
  }

  /* the mono signal went to every channel with its sign; stereo kept its
   * channel order */
  for (i = MAX (first_loud, 0); i < log.n_frames; i++) {
    if (!frame_is_loud (&log, i))
      continue;
    fail_unless (log.s[i * 2] > 0, "left channel negative at frame %"
        G_GSIZE_FORMAT, i);
    if (conv->in_channels == 2)
      fail_unless (log.s[i * 2 + 1] < 0, "right channel positive at frame %"
          G_GSIZE_FORMAT, i);
    else
      fail_unless (log.s[i * 2 + 1] > 0, "mono not upmixed at frame %"
          G_GSIZE_FORMAT, i);
  }
  g_free (log.s);

  cast_fixture_free (f);
  gst_caps_unref (caps);
  gst_caps_unref (dev_caps);
}

GST_END_TEST;

/* Buffers leaving each step of the chain inside the element, and how many
 * of them were allocated for the occasion rather than taken from a pool. */
typedef struct
{
  gint buffers;
  gint unpooled;
} PoolCount;

static GstPadProbeReturn
count_pooled (GstPad * pad, GstPadProbeInfo * info, gpointer user_data)
{
  PoolCount *count = user_data;

  g_atomic_int_inc (&count->buffers);
  if (GST_PAD_PROBE_INFO_BUFFER (info)->pool == NULL)
    g_atomic_int_inc (&count->unpooled);
  return GST_PAD_PROBE_OK;
}

static void
watch_src_pad (GstElement * cast, const gchar * child, PoolCount * count)
{
  GstElement *element = gst_bin_get_by_name (GST_BIN (cast), child);
  GstPad *src;

  fail_unless (element != NULL, "no %s in the element", child);
  src = gst_element_get_static_pad (element, "src");
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, count_pooled, count,
      NULL);
  gst_object_unref (src);
  gst_object_unref (element);
}

/* The player's usual case, 22050 Hz mono float into a 48 kHz stereo S16
 * device: in steady state no step allocates a buffer per period, the ring,
 * audioconvert and audioresample each take theirs from a pool (before the
 * pools, none of the buffers reaching the device came from one). */
GST_START_TEST (test_conversion_takes_buffers_from_pools)
{
  static const gchar *steps[] = { "ring", "convert", "resample" };
  GstCaps *caps = raw_caps (GST_AUDIO_FORMAT_F32LE, 22050, 1);
  GstCaps *dev_caps = gst_caps_from_string ("audio/x-raw, format=S16LE, "
      "rate=48000, channels=2, channel-mask=(bitmask)0x3");
  PoolCount counts[G_N_ELEMENTS (steps)] = { {0,}, };
  CastFixture *f;
  guint i;

  f = cast_fixture_new (caps, dev_caps, 100000, 10000);
  for (i = 0; i < G_N_ELEMENTS (steps); i++)
    watch_src_pad (f->cast, steps[i], &counts[i]);
  cast_fixture_start (f);
  /* a second: a hundred periods */
  play_signal (f, GST_AUDIO_FORMAT_F32LE, 1, 22050);

  for (i = 0; i < G_N_ELEMENTS (steps); i++) {
    gint pushed = g_atomic_int_get (&counts[i].buffers);
    gint unpooled = g_atomic_int_get (&counts[i].unpooled);

    GST_INFO ("%s: %d buffers, %d not from a pool", steps[i], pushed,
        unpooled);
    fail_unless (pushed >= 100, "%s pushed only %d buffers", steps[i],
        pushed);
    fail_unless (unpooled == 0, "%s: %d of its %d buffers were allocated, "
        "not taken from a pool", steps[i], unpooled, pushed);
  }

  cast_fixture_free (f);
  gst_caps_unref (caps);
  gst_caps_unref (dev_caps);
}

GST_END_TEST;

/* The format changes back and forth while the output thread runs flat
 * out (a device that never waits): a small one and one twelve times wider
 * per frame, each followed by a period of data. The output thread takes its
 * buffer for the format it saw; were it to fill that buffer with the other
 * format's period, it would write past its end (heap corruption that
 * aborted this test before the fix; ASan and valgrind name it). The stream
 * drains at the end. */
GST_START_TEST (test_format_changes_while_streaming)
{
  GstCaps *narrow = raw_caps (GST_AUDIO_FORMAT_S16LE, 8000, 1);
  GstCaps *wide = raw_caps (GST_AUDIO_FORMAT_F32LE, 48000, 6);
  CastFixture *f = cast_fixture_new (narrow, NULL, 100000, 10000);
  guint round;

  g_object_set (f->dev, "realtime", FALSE, NULL);
  cast_fixture_start (f);
  for (round = 0; round < 100; round++) {
    gboolean is_wide = round % 2 == 1;
    GstCaps *caps = is_wide ? wide : narrow;
    GstAudioInfo info;
    GstBuffer *buf;
    GstMapInfo map;
    gsize frames;

    fail_unless (gst_audio_info_from_caps (&info, caps));
    fail_unless (gst_pad_push_event (f->srcpad, gst_event_new_caps (caps)));
    frames = GST_AUDIO_INFO_RATE (&info) / 100;
    buf = gst_buffer_new_allocate (NULL, frames * GST_AUDIO_INFO_BPF (&info),
        NULL);
    gst_buffer_map (buf, &map, GST_MAP_WRITE);
    memset (map.data, 0x11, map.size);
    gst_buffer_unmap (buf, &map);
    fail_unless_equals_int (gst_pad_push (f->srcpad, buf), GST_FLOW_OK);
  }
  fail_unless (cast_fixture_drain (f, -1));
  cast_fixture_free (f);
  gst_caps_unref (narrow);
  gst_caps_unref (wide);
}

GST_END_TEST;

/* Every format in GST_AUDIO_FORMATS_ALL that audioconvert takes. */
static void
collect_formats (void)
{
  GstCaps *all = gst_caps_from_string ("audio/x-raw, format=(string) "
      GST_AUDIO_FORMATS_ALL);
  const GValue *list = gst_structure_get_value (gst_caps_get_structure (all,
          0), "format");
  GstElementFactory *convert = gst_element_factory_find ("audioconvert");
  guint i;

  g_assert_nonnull (convert);
  formats = g_array_new (FALSE, FALSE, sizeof (GstAudioFormat));
  for (i = 0; i < gst_value_list_get_size (list); i++) {
    const gchar *name = g_value_get_string (gst_value_list_get_value (list,
            i));
    GstAudioFormat format = gst_audio_format_from_string (name);
    GstCaps *caps = raw_caps (format, CAST_RATE, 2);

    if (gst_element_factory_can_sink_any_caps (convert, caps))
      g_array_append_val (formats, format);
    gst_caps_unref (caps);
  }
  g_assert_cmpuint (formats->len, >=, 8);
  gst_object_unref (convert);
  gst_caps_unref (all);
}

static Suite *
audiocastsink_formats_suite (void)
{
  Suite *s = suite_create ("audiocastsink_formats");
  TCase *tc;

  cast_test_register ();
  collect_formats ();

  tc = tcase_create ("formats");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_input_format, 0, formats->len);

  tc = tcase_create ("conversion");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_loop_test (tc, test_conversion, 0, G_N_ELEMENTS (conversions));
  tcase_add_test (tc, test_format_changes_while_streaming);
  tcase_add_test (tc, test_conversion_takes_buffers_from_pools);

  return s;
}

GST_CHECK_MAIN (audiocastsink_formats);
