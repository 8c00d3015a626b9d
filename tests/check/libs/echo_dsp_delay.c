/* How long webrtcdsp holds the captured audio back, against what the echo
 * canceller puts its times back by
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * webrtcdsp stamps its output with the times of its input, but its
 * canceller's framing delays the audio; the echo canceller corrects the
 * times by audio_cast_echo_canceller_dsp_delay(), a figure measured on one
 * version of webrtc-audio-processing. This measures the library installed
 * here, with the canceller's settings, at each of its rates: noise through
 * webrtcdsp (the reference silent), its input and output caught on the
 * DSP's pads, and the lag at which they match.
 */

#include <gst/check/gstcheck.h>

#include <audiocast/audiocast-echo-canceller.h>

#define SECONDS 2
#define MAX_LAG_MS 40

typedef struct
{
  GArray *samples;              /* gfloat, in the order they passed */
  GstClockTime first_pts;
} Catch;

static GstPadProbeReturn
catch_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Catch *c = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo map;

  if (!GST_CLOCK_TIME_IS_VALID (c->first_pts))
    c->first_pts = GST_BUFFER_PTS (buffer);
  fail_unless (gst_buffer_map (buffer, &map, GST_MAP_READ));
  g_array_append_vals (c->samples, map.data, map.size / sizeof (gfloat));
  gst_buffer_unmap (buffer, &map);
  return GST_PAD_PROBE_OK;
}

static void
catch_on (GstElement *element, const gchar *pad_name, Catch *c)
{
  GstPad *pad = gst_element_get_static_pad (element, pad_name);

  c->samples = g_array_new (FALSE, FALSE, sizeof (gfloat));
  c->first_pts = GST_CLOCK_TIME_NONE;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, catch_buffer, c, NULL);
  gst_object_unref (pad);
}

/* The lag (frames, 0 to @max_lag) at which @out best matches @in. */
static guint
best_lag (const GArray *in, const GArray *out, guint max_lag)
{
  const gfloat *x = (const gfloat *) in->data, *y = (const gfloat *) out->data;
  guint n = MIN (in->len, out->len) - max_lag, lag, best = 0, i;
  gdouble best_sum = -1;

  for (lag = 0; lag <= max_lag; lag++) {
    gdouble sum = 0;

    for (i = 0; i < n; i++)
      sum += (gdouble) x[i] * y[i + lag];
    if (sum > best_sum) {
      best_sum = sum;
      best = lag;
    }
  }
  return best;
}

static void
measure_at (guint rate)
{
  const gchar *caps = "audio/x-raw, format = (string) F32LE, "
      "layout = (string) non-interleaved, channels = (int) 1";
  gchar *description = g_strdup_printf ("audiotestsrc wave = white-noise "
      "volume = 0.3 samplesperbuffer = %u num-buffers = %u ! %s, rate = %u "
      "! webrtcdsp name = dsp probe = reference echo-cancel = true "
      "extended-filter = true delay-agnostic = false noise-suppression = false "
      "gain-control = false echo-suppression-level = low ! fakesink "
      "audiotestsrc wave = silence samplesperbuffer = %u num-buffers = %u "
      "! %s, rate = %u ! webrtcechoprobe name = reference ! fakesink",
      rate / 100, SECONDS * 100, caps, rate, rate / 100, SECONDS * 100, caps,
      rate);
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error), *dsp;
  GstMessage *msg;
  Catch in, out;
  guint lag;

  fail_unless (pipeline != NULL, "%s", error ? error->message : "");
  dsp = gst_bin_get_by_name (GST_BIN (pipeline), "dsp");
  catch_on (dsp, "sink", &in);
  catch_on (dsp, "src", &out);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (pipeline),
      60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
      "the pipeline at %u Hz did not end", rate);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  /* the DSP hands out everything, with its input's times */
  fail_unless (out.samples->len >= in.samples->len - rate / 100);
  fail_unless_equals_uint64 (out.first_pts, in.first_pts);
  lag = best_lag (in.samples, out.samples, rate * MAX_LAG_MS / 1000);
  GST_INFO ("%u Hz: webrtcdsp holds the audio back %u frames (%.2f ms)",
      rate, lag, lag * 1000.0 / rate);
  fail_unless (ABS ((gint) lag - (gint)
          audio_cast_echo_canceller_dsp_delay (rate)) <= 1,
      "at %u Hz webrtcdsp holds the audio back %u frames, the canceller "
      "corrects %u", rate, lag, audio_cast_echo_canceller_dsp_delay (rate));

  g_array_free (in.samples, TRUE);
  g_array_free (out.samples, TRUE);
  gst_object_unref (dsp);
  gst_object_unref (pipeline);
  g_free (description);
}

GST_START_TEST (test_the_canceller_corrects_what_webrtcdsp_holds_back)
{
  static const guint rates[] = { 16000, 32000, 48000 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (rates); i++) {
    fail_unless_equals_int (audio_cast_echo_canceller_rate (rates[i]),
        rates[i]);
    measure_at (rates[i]);
  }
}

GST_END_TEST;

static Suite *
echo_dsp_delay_suite (void)
{
  Suite *s = suite_create ("echo_dsp_delay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_the_canceller_corrects_what_webrtcdsp_holds_back);
  return s;
}

GST_CHECK_MAIN (echo_dsp_delay);
