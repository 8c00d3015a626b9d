/* AudioCastPlayer and audiocastsink given bad input
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every bad call must end in a GError that names the problem and what is
 * accepted instead, or in the documented behaviour, and must cost nothing
 * already queued: most cases queue a known pattern with the device stopped,
 * make the bad call, check that the statistics did not move, then let the
 * device play and check the pattern arrived complete and in order.
 *
 * The player picks its own device: fake_device_register_as_platform_sink()
 * makes a fakeaudiodevice the only one there is, so nothing here reaches a
 * sound server or a sound card, and every device name is unknown.
 */

#include "casttest.h"

#include <math.h>
#include <string.h>

#define RATE 8000
#define CHANNELS 2
#define S16_BPF (2 * CHANNELS)
#define QUEUED 800              /* frames (100 ms) queued before a bad call */

typedef struct
{
  guint64 written, played, cleared, buffered;
} Stats;

static void
stats_read (AudioCastPlayer * p, Stats * s)
{
  GstStructure *st = audio_cast_player_get_stats (p);

  fail_unless (gst_structure_get (st, "frames-written", G_TYPE_UINT64,
          &s->written, "frames-played", G_TYPE_UINT64, &s->played,
          "frames-cleared", G_TYPE_UINT64, &s->cleared, "buffered-frames",
          G_TYPE_UINT64, &s->buffered, NULL));
  gst_structure_free (st);
  fail_unless (s->written == s->played + s->cleared + s->buffered,
      "invariant broken: written %" G_GUINT64_FORMAT " != played %"
      G_GUINT64_FORMAT " + cleared %" G_GUINT64_FORMAT " + buffered %"
      G_GUINT64_FORMAT, s->written, s->played, s->cleared, s->buffered);
}

#define assert_stats_unchanged(before, after) G_STMT_START { \
  fail_unless_equals_uint64 ((after)->written, (before)->written); \
  fail_unless_equals_uint64 ((after)->played, (before)->played); \
  fail_unless_equals_uint64 ((after)->cleared, (before)->cleared); \
  fail_unless_equals_uint64 ((after)->buffered, (before)->buffered); \
} G_STMT_END

/* @error is AUDIO_CAST_ERROR @code and its message holds every string of
 * the NULL-terminated list; frees it. */
static void
assert_error (GError ** error, gint code, ...)
{
  const gchar *part;
  va_list args;

  fail_unless (*error != NULL, "no error set");
  fail_unless (g_error_matches (*error, AUDIO_CAST_ERROR, code),
      "expected AudioCastError %d, got %s %d: %s", code,
      g_quark_to_string ((*error)->domain), (*error)->code, (*error)->message);
  va_start (args, code);
  while ((part = va_arg (args, const gchar *)))
    fail_unless (strstr ((*error)->message, part) != NULL,
        "error message \"%s\" does not mention \"%s\"", (*error)->message,
        part);
  va_end (args);
  g_clear_error (error);
}

static AudioCastPlayer *
player_new_full (const gchar * device, guint rate, guint channels,
    gint64 buffer_us, gint64 latency_us, GError ** error)
{
  return g_initable_new (AUDIO_CAST_TYPE_PLAYER, NULL, error,
      "device", device, "sample-rate", rate, "channels", channels,
      "buffer-time", buffer_us, "latency-time", latency_us, NULL);
}

/* Creating the player fails with @code, the message naming the strings. */
#define assert_new_fails(device, rate, channels, code, ...) G_STMT_START { \
  GError *_err = NULL; \
  AudioCastPlayer *_p = audio_cast_player_new (device, rate, channels, \
      &_err); \
  fail_unless (_p == NULL, "player created"); \
  assert_error (&_err, code, __VA_ARGS__, NULL); \
} G_STMT_END

/* Frame @i of the S16 pattern: left +(1 + i % 30000), right its negation. */
static gint16
pattern (guint64 i, guint channel)
{
  gint16 v = 1 + i % 30000;

  return channel % 2 ? -v : v;
}

static guint8 *
make_pattern (guint64 first, gsize frames)
{
  gint16 *s = g_new (gint16, frames * CHANNELS);
  gsize i;

  for (i = 0; i < frames * CHANNELS; i++)
    s[i] = GINT16_TO_LE (pattern (first + i / CHANNELS, i % CHANNELS));
  return (guint8 *) s;
}

static gsize
write_pattern (AudioCastPlayer * p, guint64 first, gsize frames)
{
  GError *err = NULL;
  guint8 *data = make_pattern (first, frames);
  gsize n = audio_cast_player_write (p, AUDIO_CAST_SAMPLE_FORMAT_S16LE, data,
      frames * S16_BPF, &err);

  fail_unless (err == NULL, "write failed: %s", err ? err->message : "");
  g_free (data);
  return n;
}

/* The device's log from its first non-silent frame on. */
static GBytes *
device_data (GstElement * dev, gsize bpf)
{
  GBytes *log = fake_device_get_log (dev);
  gsize size, at, i;
  const guint8 *d = g_bytes_get_data (log, &size);
  GBytes *res;

  for (at = 0; at + bpf <= size; at += bpf) {
    for (i = 0; i < bpf && d[at + i] == 0; i++);
    if (i < bpf)
      break;
  }
  res = g_bytes_new_from_bytes (log, MIN (at, size), size - MIN (at, size));
  g_bytes_unref (log);
  return res;
}

/* The device played frames 0 .. @frames of the pattern, in order, then at
 * most silence. */
static void
assert_device_played_pattern (GstElement * dev, gsize frames)
{
  GBytes *data = device_data (dev, S16_BPF);
  gsize size, i;
  const gint16 *s = g_bytes_get_data (data, &size);

  fail_unless (size >= frames * S16_BPF, "device played %" G_GSIZE_FORMAT
      " frames of %" G_GSIZE_FORMAT, size / S16_BPF, frames);
  for (i = 0; i < size / 2; i++) {
    gint16 want = i < frames * CHANNELS ?
        pattern (i / CHANNELS, i % CHANNELS) : 0;
    if (GINT16_FROM_LE (s[i]) != want)
      fail ("device sample %" G_GSIZE_FORMAT " (frame %" G_GSIZE_FORMAT
          ") is %d, expected %d", i, i / CHANNELS, GINT16_FROM_LE (s[i]),
          want);
  }
  g_bytes_unref (data);
}

/* A RATE Hz stereo player whose device is stopped, with QUEUED frames of
 * the pattern queued, their statistics in @before. */
static AudioCastPlayer *
player_with_queued_audio (GstElement ** dev, Stats * before)
{
  GError *err = NULL;
  AudioCastPlayer *p = audio_cast_player_new (NULL, RATE, CHANNELS, &err);

  fail_unless (p != NULL, "player: %s", err ? err->message : "");
  *dev = fake_device_get_latest ();
  fail_unless (*dev != NULL);
  fake_device_set_gate (*dev, FALSE);
  fail_unless_equals_uint64 (write_pattern (p, 0, QUEUED), QUEUED);
  stats_read (p, before);
  fail_unless_equals_uint64 (before->written, QUEUED);
  fail_unless_equals_uint64 (before->played, 0);
  return p;
}

/* The statistics did not move since @before; then the device plays and
 * must play all of the first @frames of the pattern. */
static void
finish_queued_audio (AudioCastPlayer * p, GstElement * dev,
    const Stats * before, gsize frames)
{
  GError *err = NULL;
  Stats after;

  stats_read (p, &after);
  assert_stats_unchanged (before, &after);

  fake_device_set_gate (dev, TRUE);
  fail_unless (audio_cast_player_drain (p, -1, &err), "drain: %s",
      err ? err->message : "");
  stats_read (p, &after);
  fail_unless_equals_uint64 (after.written, frames);
  fail_unless_equals_uint64 (after.played, frames);
  assert_device_played_pattern (dev, frames);

  audio_cast_player_stop (p);
  g_object_unref (p);
  gst_object_unref (dev);
}

/* ---- construction ---- */

GST_START_TEST (test_rate_zero_is_device_rate)
{
  GError *err = NULL;
  AudioCastPlayer *p = audio_cast_player_new (NULL, 0, CHANNELS, &err);

  fail_unless (p != NULL, "%s", err ? err->message : "");
  fail_unless (audio_cast_player_get_sample_rate (p) > 0);
  fail_unless_equals_int (audio_cast_player_get_sample_rate (p),
      audio_cast_player_get_device_sample_rate (p));
  g_object_unref (p);
}

GST_END_TEST;

GST_START_TEST (test_rate_absurd)
{
  assert_new_fails (NULL, 10000000, CHANNELS,
      AUDIO_CAST_ERROR_INVALID_ARGUMENT, "10000000 Hz", "1 to 384000 Hz",
      "0 for the device's own rate");
}

GST_END_TEST;

GST_START_TEST (test_rate_maxuint)
{
  assert_new_fails (NULL, G_MAXUINT, CHANNELS,
      AUDIO_CAST_ERROR_INVALID_ARGUMENT, "4294967295 Hz", "1 to 384000");
}

GST_END_TEST;

GST_START_TEST (test_rate_limits)
{
  static const guint ok[] = { 1, 384000 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (ok); i++) {
    GError *err = NULL;
    AudioCastPlayer *p = player_new_full (NULL, ok[i], 1, 200000, 10000,
        &err);
    guint8 frame[2] = { 1, 0 };

    fail_unless (p != NULL, "%u Hz: %s", ok[i], err ? err->message : "");
    fail_unless_equals_int (audio_cast_player_write (p,
            AUDIO_CAST_SAMPLE_FORMAT_S16LE, frame, 2, &err), 1);
    audio_cast_player_stop (p);
    g_object_unref (p);
  }
  assert_new_fails (NULL, 384001, CHANNELS,
      AUDIO_CAST_ERROR_INVALID_ARGUMENT, "384001 Hz");
}

GST_END_TEST;

GST_START_TEST (test_channels_zero_is_device_channels)
{
  GError *err = NULL;
  AudioCastPlayer *p = audio_cast_player_new (NULL, RATE, 0, &err);

  fail_unless (p != NULL, "%s", err ? err->message : "");
  fail_unless (audio_cast_player_get_channels (p) > 0);
  fail_unless_equals_int (audio_cast_player_get_channels (p),
      audio_cast_player_get_device_channels (p));
  g_object_unref (p);
}

GST_END_TEST;

GST_START_TEST (test_channels_absurd)
{
  assert_new_fails (NULL, RATE, 1000, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
      "1000 channels", "1 to 63", "0 for the device's own count");
}

GST_END_TEST;

GST_START_TEST (test_channels_limits)
{
  GError *err = NULL;
  AudioCastPlayer *p = audio_cast_player_new (NULL, RATE, 63, &err);
  guint8 *frame = g_malloc0 (63 * 4);

  fail_unless (p != NULL, "%s", err ? err->message : "");
  frame[0] = 1;
  fail_unless_equals_int (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_F32LE, frame, 63 * 4, &err), 1);
  g_free (frame);
  g_object_unref (p);
  /* GStreamer's channel mixer takes no more */
  assert_new_fails (NULL, RATE, 64, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
      "64 channels");
}

GST_END_TEST;

GST_START_TEST (test_latency_longer_than_buffer)
{
  GError *err = NULL;

  fail_unless (player_new_full (NULL, RATE, CHANNELS, 5000, 10000,
          &err) == NULL);
  assert_error (&err, AUDIO_CAST_ERROR_INVALID_ARGUMENT, "latency-time",
      "10000", "buffer-time", "5000", NULL);
}

GST_END_TEST;

/* Names no device has, each with characters that could trip quoting,
 * logging or lookups. */
static const gchar *bad_names[] = {
  "no-such-device",
  "\"double\" and 'single' quotes, `backticks` and \\backslash\\",
  "line one\nline two\r\nline three",
  "Kopfhörer 🎧 スピーカー",
  "%s%n%x format characters",
  "hw:CARD=NoSuchCard,DEV=0",
};

GST_START_TEST (test_device_unknown_names)
{
  assert_new_fails (bad_names[__i__], RATE, CHANNELS,
      AUDIO_CAST_ERROR_DEVICE_NOT_FOUND, "Device not found:", bad_names[__i__],
      "Available devices");
}

GST_END_TEST;

GST_START_TEST (test_device_very_long_name)
{
  gchar *name = g_strnfill (100000, 'x');

  assert_new_fails (name, RATE, CHANNELS, AUDIO_CAST_ERROR_DEVICE_NOT_FOUND,
      "Device not found:", name);
  g_free (name);
}

GST_END_TEST;

/* No output opens: the error says why each candidate did not (here the
 * only one there is, the fake standing in as autoaudiosink). */
GST_START_TEST (test_no_output_says_why_each_candidate_failed)
{
  fake_device_set_busy (TRUE);
  assert_new_fails (NULL, 48000, 2, AUDIO_CAST_ERROR_BACKEND,
      "No audio output is available", "autoaudiosink: the fake card is busy");
  fake_device_set_busy (FALSE);
}

GST_END_TEST;

GST_START_TEST (test_device_invalid_utf8)
{
  /* a lead byte announcing more bytes than there are, at the very end */
  assert_new_fails ("bad \xff\xfe utf-8 \xf0", RATE, CHANNELS,
      AUDIO_CAST_ERROR_DEVICE_NOT_FOUND, "Device not found:",
      "is not valid UTF-8");
}

GST_END_TEST;

/* ---- writes ---- */

GST_START_TEST (test_write_partial_frames)
{
  static const gsize sizes[] = { 1, 2, 3, 5, S16_BPF * 10 + 1 };
  GstElement *dev;
  Stats before;
  AudioCastPlayer *p = player_with_queued_audio (&dev, &before);
  guint8 *data = make_pattern (0, 11);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (sizes); i++) {
    GError *err = NULL;
    gchar *what = g_strdup_printf ("%" G_GSIZE_FORMAT " bytes", sizes[i]);

    fail_unless_equals_int (audio_cast_player_write (p,
            AUDIO_CAST_SAMPLE_FORMAT_S16LE, data, sizes[i], &err), 0);
    assert_error (&err, AUDIO_CAST_ERROR_INVALID_ARGUMENT, what,
        "not a whole number of frames", "a frame of 2 channels is 4 bytes",
        NULL);
    g_free (what);
  }
  g_free (data);
  finish_queued_audio (p, dev, &before, QUEUED);
}

GST_END_TEST;

/* In another format than the stream's: the frame size is the write's. */
GST_START_TEST (test_write_partial_frames_other_format)
{
  GstElement *dev;
  Stats before;
  AudioCastPlayer *p = player_with_queued_audio (&dev, &before);
  gdouble data[4] = { 0.5, -0.5, 0.25, -0.25 };
  GError *err = NULL;

  fail_unless_equals_int (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_F64LE, (guint8 *) data, 24, &err), 0);
  assert_error (&err, AUDIO_CAST_ERROR_INVALID_ARGUMENT, "24 bytes",
      "a frame of 2 channels is 16 bytes", NULL);
  fail_unless_equals_int (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_F32LE, (guint8 *) data, 12, &err), 0);
  assert_error (&err, AUDIO_CAST_ERROR_INVALID_ARGUMENT, "12 bytes",
      "a frame of 2 channels is 8 bytes", NULL);
  finish_queued_audio (p, dev, &before, QUEUED);
}

GST_END_TEST;

GST_START_TEST (test_write_empty)
{
  GstElement *dev;
  Stats before;
  AudioCastPlayer *p = player_with_queued_audio (&dev, &before);
  guint8 byte = 0;
  GError *err = NULL;

  fail_unless_equals_int (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_S16LE, &byte, 0, &err), 0);
  fail_unless (err == NULL);
  fail_unless_equals_int (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_F64LE, &byte, 0, &err), 0);
  fail_unless (err == NULL);
  finish_queued_audio (p, dev, &before, QUEUED);
}

GST_END_TEST;

/* NULL with size 0 is an empty write, and fixes no stream format. */
GST_START_TEST (test_write_null_empty)
{
  GError *err = NULL;
  AudioCastPlayer *p = audio_cast_player_new (NULL, RATE, 1, &err);
  GstElement *dev = fake_device_get_latest ();
  gfloat f[2] = { 0.5f, -0.5f };
  GstAudioInfo info;

  fail_unless_equals_int (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_S16LE, NULL, 0, &err), 0);
  fail_unless (err == NULL);
  fail_unless_equals_int (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_F32LE, (guint8 *) f, sizeof (f), &err), 2);
  fail_unless (audio_cast_player_drain (p, -1, &err));
  fail_unless (fake_device_get_info (dev, &info));
  fail_unless_equals_int (GST_AUDIO_INFO_FORMAT (&info),
      GST_AUDIO_FORMAT_F32LE);
  gst_object_unref (dev);
  g_object_unref (p);
}

GST_END_TEST;

/* NULL data with a size is a programming error (g_return_val_if_fail). */
GST_START_TEST (test_write_null_data)
{
  GstElement *dev;
  Stats before;
  AudioCastPlayer *p = player_with_queued_audio (&dev, &before);
  GError *err = NULL;

  ASSERT_CRITICAL (fail_unless_equals_int (audio_cast_player_write (p,
              AUDIO_CAST_SAMPLE_FORMAT_S16LE, NULL, S16_BPF * 4, &err), 0));
  fail_unless (err == NULL);
  finish_queued_audio (p, dev, &before, QUEUED);
}

GST_END_TEST;

GST_START_TEST (test_write_unknown_format)
{
  static const gint formats[] = { 4, 42, -1, G_MAXINT };
  GstElement *dev;
  Stats before;
  AudioCastPlayer *p = player_with_queued_audio (&dev, &before);
  guint8 data[S16_BPF * 4] = { 1, };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    GError *err = NULL;
    gchar *what = g_strdup_printf ("unknown sample format %d", formats[i]);

    fail_unless_equals_int (audio_cast_player_write (p, formats[i], data,
            sizeof (data), &err), 0);
    assert_error (&err, AUDIO_CAST_ERROR_INVALID_ARGUMENT, what,
        "S16LE, S32LE, F32LE or F64LE", NULL);
    g_free (what);
  }
  finish_queued_audio (p, dev, &before, QUEUED);
}

GST_END_TEST;

/* NaN and infinities are played as silence, the other samples unchanged:
 * the first write in F32 (played as F32), F64, or F32 into an S16 stream
 * (through the converter). */
GST_START_TEST (test_write_nan_inf)
{
  static const AudioCastSampleFormat streams[] = {
    AUDIO_CAST_SAMPLE_FORMAT_F32LE, AUDIO_CAST_SAMPLE_FORMAT_F64LE,
    AUDIO_CAST_SAMPLE_FORMAT_S16LE,
  };
  const gdouble values[] = { 0.5, NAN, -NAN, INFINITY, -INFINITY, 0.25,
    -0.25, NAN,
  };
  const guint n = G_N_ELEMENTS (values);
  AudioCastSampleFormat stream = streams[__i__];
  AudioCastSampleFormat written = stream == AUDIO_CAST_SAMPLE_FORMAT_S16LE ?
      AUDIO_CAST_SAMPLE_FORMAT_F32LE : stream;
  GError *err = NULL;
  AudioCastPlayer *p = audio_cast_player_new (NULL, RATE, 1, &err);
  GstElement *dev = fake_device_get_latest ();
  gfloat f[G_N_ELEMENTS (values)];
  gdouble d[G_N_ELEMENTS (values)];
  guint8 *data = written == AUDIO_CAST_SAMPLE_FORMAT_F64LE ?
      (guint8 *) d : (guint8 *) f;
  gsize size = written == AUDIO_CAST_SAMPLE_FORMAT_F64LE ? sizeof (d) :
      sizeof (f);
  gsize out_size, i;
  GBytes *out;
  const guint8 *o;

  for (i = 0; i < n; i++) {
    f[i] = values[i];
    d[i] = values[i];
  }
  if (stream == AUDIO_CAST_SAMPLE_FORMAT_S16LE) {
    gint16 s = GINT16_TO_LE (16384);

    fail_unless_equals_int (audio_cast_player_write (p, stream,
            (guint8 *) & s, 2, &err), 1);
  }
  fail_unless_equals_int (audio_cast_player_write (p, written, data, size,
          &err), n);
  fail_unless (err == NULL);
  fail_unless (audio_cast_player_drain (p, -1, &err));

  out = device_data (dev, stream == AUDIO_CAST_SAMPLE_FORMAT_S16LE ? 2 :
      stream == AUDIO_CAST_SAMPLE_FORMAT_F32LE ? 4 : 8);
  o = g_bytes_get_data (out, &out_size);
  if (stream == AUDIO_CAST_SAMPLE_FORMAT_S16LE) {
    const gint16 *s = (const gint16 *) o + 1;   /* after the S16 frame */

    fail_unless (out_size >= (n + 1) * 2);
    for (i = 0; i < n; i++)
      if (isfinite (values[i]))
        fail_unless (s[i] != 0 && (s[i] > 0) == (values[i] > 0),
            "sample %" G_GSIZE_FORMAT ": %d for %f", i, s[i], values[i]);
      else
        fail_unless_equals_int (s[i], 0);
  } else if (stream == AUDIO_CAST_SAMPLE_FORMAT_F32LE) {
    const gfloat *s = (const gfloat *) o;

    fail_unless (out_size >= sizeof (f));
    for (i = 0; i < n; i++)
      fail_unless (s[i] == (isfinite (values[i]) ? f[i] : 0.0f),
          "sample %" G_GSIZE_FORMAT ": %f for %f", i, s[i], values[i]);
  } else {
    const gdouble *s = (const gdouble *) o;

    fail_unless (out_size >= sizeof (d));
    for (i = 0; i < n; i++)
      fail_unless (s[i] == (isfinite (values[i]) ? d[i] : 0.0),
          "sample %" G_GSIZE_FORMAT ": %f for %f", i, s[i], values[i]);
  }
  g_bytes_unref (out);
  gst_object_unref (dev);
  g_object_unref (p);
}

GST_END_TEST;

/* ---- stopped players, clear and drain out of place ---- */

GST_START_TEST (test_write_after_stop)
{
  GstElement *dev;
  Stats before, after;
  AudioCastPlayer *p = player_with_queued_audio (&dev, &before);
  guint8 *data = make_pattern (0, 10);
  GError *err = NULL;

  audio_cast_player_stop (p);
  fail_unless_equals_int (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_S16LE, data, 10 * S16_BPF, &err), 0);
  assert_error (&err, AUDIO_CAST_ERROR_CLOSED, "stopped", NULL);
  /* bad input on a stopped player: stopped is what it is told */
  fail_unless_equals_int (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_S16LE, data, 3, &err), 0);
  assert_error (&err, AUDIO_CAST_ERROR_CLOSED, "stopped", NULL);
  g_free (data);

  /* stopping discards what was queued, and says so */
  stats_read (p, &after);
  fail_unless_equals_uint64 (after.written, before.written);
  fail_unless_equals_uint64 (after.buffered, 0);
  g_object_unref (p);
  gst_object_unref (dev);
}

GST_END_TEST;

GST_START_TEST (test_calls_on_stopped_player)
{
  GError *err = NULL;
  AudioCastPlayer *p = audio_cast_player_new (NULL, RATE, CHANNELS, &err);
  Stats s;

  audio_cast_player_stop (p);
  audio_cast_player_stop (p);
  fail_if (audio_cast_player_get_active (p));
  fail_unless_equals_uint64 (audio_cast_player_clear (p), 0);
  fail_if (audio_cast_player_drain (p, -1, &err));
  assert_error (&err, AUDIO_CAST_ERROR_CLOSED, "stopped", NULL);
  fail_if (audio_cast_player_drain (p, 0, NULL));
  stats_read (p, &s);
  fail_unless_equals_uint64 (s.written, 0);
  audio_cast_player_stop (p);
  g_object_unref (p);
}

GST_END_TEST;

GST_START_TEST (test_clear_drain_fresh_player)
{
  GError *err = NULL;
  AudioCastPlayer *p = audio_cast_player_new (NULL, RATE, CHANNELS, &err);
  Stats s;

  fail_unless_equals_uint64 (audio_cast_player_clear (p), 0);
  fail_unless (audio_cast_player_drain (p, 0, &err));
  fail_unless (audio_cast_player_drain (p, -1, &err));
  fail_unless_equals_uint64 (audio_cast_player_clear (p), 0);
  stats_read (p, &s);
  fail_unless_equals_uint64 (s.written, 0);
  fail_unless_equals_uint64 (s.cleared, 0);
  fail_unless (audio_cast_player_get_active (p));
  g_object_unref (p);
}

GST_END_TEST;

/* A drain that times out reports it and leaves the queue alone; any
 * negative timeout waits without limit. */
GST_START_TEST (test_drain_timeout_keeps_queue)
{
  GstElement *dev;
  Stats before;
  AudioCastPlayer *p = player_with_queued_audio (&dev, &before);
  GError *err = NULL;

  fail_if (audio_cast_player_drain (p, 0, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_clear_error (&err);
  fail_if (audio_cast_player_drain (p, 20000, &err));
  fail_unless (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_clear_error (&err);
  finish_queued_audio (p, dev, &before, QUEUED);
}

GST_END_TEST;

/* ---- huge writes ---- */

/* 20 times the ring in one call: accepted in full, the call returning once
 * the last frame is in the ring. */
GST_START_TEST (test_huge_write)
{
  const gsize frames = 20 * RATE / 20;    /* ring: 50 ms */
  GError *err = NULL;
  AudioCastPlayer *p = player_new_full (NULL, RATE, CHANNELS, 50000, 10000,
      &err);
  GstElement *dev = fake_device_get_latest ();
  Stats s;

  fail_unless_equals_uint64 (write_pattern (p, 0, frames), frames);
  stats_read (p, &s);
  fail_unless_equals_uint64 (s.written, frames);
  fail_unless (audio_cast_player_drain (p, -1, &err));
  assert_device_played_pattern (dev, frames);
  gst_object_unref (dev);
  g_object_unref (p);
}

GST_END_TEST;

typedef struct
{
  AudioCastPlayer *p;
  gsize frames;
  gsize accepted;
  GError *error;
  gint done;
} Writer;

static gpointer
writer_func (gpointer data)
{
  Writer *w = data;
  guint8 *d = make_pattern (0, w->frames);

  w->accepted = audio_cast_player_write (w->p, AUDIO_CAST_SAMPLE_FORMAT_S16LE,
      d, w->frames * S16_BPF, &w->error);
  g_free (d);
  g_atomic_int_set (&w->done, 1);
  return NULL;
}

/* Waits until the writer is blocked on the full ring. */
static void
wait_writer_blocked (AudioCastPlayer * p, Writer * w, guint64 ring)
{
  Stats s;

  do {
    cast_sleep_ms (10);
    fail_if (g_atomic_int_get (&w->done), "the writer never blocked");
    stats_read (p, &s);
  } while (s.written < ring);
}

/* A huge write cut short by clear() or stop() from another thread returns
 * what got in, without an error; the rest is dropped, never played later. */
GST_START_TEST (test_huge_write_interrupted)
{
  gboolean by_stop = __i__;
  GError *err = NULL;
  AudioCastPlayer *p = player_new_full (NULL, RATE, CHANNELS, 50000, 10000,
      &err);
  GstElement *dev = fake_device_get_latest ();
  Writer w = { p, RATE, 0, NULL, 0 };
  GThread *t;
  Stats s;

  fake_device_set_gate (dev, FALSE);
  t = g_thread_new ("writer", writer_func, &w);
  wait_writer_blocked (p, &w, RATE / 20);
  if (by_stop)
    audio_cast_player_stop (p);
  else
    audio_cast_player_clear (p);
  g_thread_join (t);

  fail_unless (w.error == NULL, "%s", w.error ? w.error->message : "");
  fail_unless (w.accepted >= RATE / 20 && w.accepted < RATE);
  stats_read (p, &s);
  fail_unless_equals_uint64 (s.written, w.accepted);
  fail_unless_equals_uint64 (s.buffered, 0);
  if (!by_stop) {
    fake_device_set_gate (dev, TRUE);
    fail_unless_equals_uint64 (write_pattern (p, 0, 100), 100);
    fail_unless (audio_cast_player_drain (p, -1, &err));
    assert_device_played_pattern (dev, 100);
  }
  gst_object_unref (dev);
  g_object_unref (p);
}

GST_END_TEST;

/* Bad calls from another thread fail at once while a writer is blocked on
 * the full ring (they never wait for the writer), and take nothing away
 * from it. */
GST_START_TEST (test_bad_calls_beside_blocked_writer)
{
  GError *err = NULL;
  AudioCastPlayer *p = player_new_full (NULL, RATE, CHANNELS, 50000, 10000,
      &err);
  GstElement *dev = fake_device_get_latest ();
  Writer w = { p, RATE / 2, 0, NULL, 0 };
  guint8 data[S16_BPF * 2] = { 0, };
  GThread *t;
  Stats s;

  fake_device_set_gate (dev, FALSE);
  t = g_thread_new ("writer", writer_func, &w);
  wait_writer_blocked (p, &w, RATE / 20);

  fail_unless_equals_int (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_S16LE, data, 3, &err), 0);
  assert_error (&err, AUDIO_CAST_ERROR_INVALID_ARGUMENT, "3 bytes", NULL);
  fail_unless_equals_int (audio_cast_player_write (p, 7, data,
          sizeof (data), &err), 0);
  assert_error (&err, AUDIO_CAST_ERROR_INVALID_ARGUMENT, "unknown", NULL);
  fail_unless_equals_int (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_F64LE, data, 8, &err), 0);
  assert_error (&err, AUDIO_CAST_ERROR_INVALID_ARGUMENT, "8 bytes", NULL);
  fail_unless_equals_int (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_S16LE, NULL, 0, &err), 0);
  fail_unless (err == NULL);
  fail_if (audio_cast_player_drain (p, 0, NULL));
  fail_if (g_atomic_int_get (&w.done));

  fake_device_set_gate (dev, TRUE);
  g_thread_join (t);
  fail_unless (w.error == NULL);
  fail_unless_equals_uint64 (w.accepted, RATE / 2);
  fail_unless (audio_cast_player_drain (p, -1, &err));
  stats_read (p, &s);
  fail_unless_equals_uint64 (s.written, RATE / 2);
  fail_unless_equals_uint64 (s.played, RATE / 2);
  assert_device_played_pattern (dev, RATE / 2);
  gst_object_unref (dev);
  g_object_unref (p);
}

GST_END_TEST;

/* ---- many threads ---- */

#define N_THREADS 8
#define N_CALLS 40

typedef struct
{
  AudioCastPlayer *p;
  guint seed;
  guint64 accepted;             /* frames */
  guint errors;
  gint *stop;
} Caller;

/* Good writes in every format, and bad ones, in a random order. */
static gpointer
caller_func (gpointer data)
{
  Caller *c = data;
  GRand *rand = g_rand_new_with_seed (c->seed);
  guint8 buf[8 * CHANNELS * 64] = { 0, };
  guint i;

  for (i = 0; i < N_CALLS && !(c->stop && g_atomic_int_get (c->stop)); i++) {
    AudioCastSampleFormat fmt = g_rand_int_range (rand, 0, 4);
    gsize bpf = (fmt == AUDIO_CAST_SAMPLE_FORMAT_S16LE ? 2 :
        fmt == AUDIO_CAST_SAMPLE_FORMAT_F64LE ? 8 : 4) * CHANNELS;
    gsize frames = g_rand_int_range (rand, 1, 64);
    GError *err = NULL;
    gsize n;

    switch (g_rand_int_range (rand, 0, 4)) {
      case 0:                  /* not a whole frame */
        n = audio_cast_player_write (c->p, fmt, buf, frames * bpf + 1, &err);
        fail_unless (n == 0 && err != NULL);
        break;
      case 1:                  /* unknown format */
        n = audio_cast_player_write (c->p, 9, buf, frames * bpf, &err);
        fail_unless (n == 0 && err != NULL);
        break;
      default:
        n = audio_cast_player_write (c->p, fmt, buf, frames * bpf, &err);
        break;
    }
    if (err) {
      fail_unless (err->domain == AUDIO_CAST_ERROR);
      c->errors++;
      g_clear_error (&err);
    }
    c->accepted += n;
    if (g_rand_int_range (rand, 0, 8) == 0)
      audio_cast_player_drain (c->p, g_rand_int_range (rand, 0, 3000), NULL);
  }
  g_rand_free (rand);
  return NULL;
}

/* Every frame a call said it accepted is counted once, no more. */
GST_START_TEST (test_many_threads_writing)
{
  GError *err = NULL;
  AudioCastPlayer *p = player_new_full (NULL, RATE, CHANNELS, 50000, 10000,
      &err);
  Caller callers[N_THREADS];
  GThread *threads[N_THREADS];
  guint64 total = 0;
  guint i, errors = 0;
  Stats s;

  for (i = 0; i < N_THREADS; i++) {
    callers[i] = (Caller) {
    p, 100 + i, 0, 0, NULL};
    threads[i] = g_thread_new ("caller", caller_func, &callers[i]);
  }
  for (i = 0; i < N_THREADS; i++) {
    g_thread_join (threads[i]);
    total += callers[i].accepted;
    errors += callers[i].errors;
  }
  fail_unless (errors > 0);
  fail_unless (audio_cast_player_drain (p, -1, &err));
  stats_read (p, &s);
  fail_unless_equals_uint64 (s.written, total);
  fail_unless_equals_uint64 (s.played, total);
  g_object_unref (p);
}

GST_END_TEST;

static gpointer
clearer_func (gpointer data)
{
  Caller *c = data;

  while (!g_atomic_int_get (c->stop)) {
    audio_cast_player_clear (c->p);
    g_usleep (2000);
  }
  return NULL;
}

/* Writers, clears and drains from many threads, then stop() under their
 * feet: every call returns, and the counters still add up. */
GST_START_TEST (test_many_threads_clear_stop)
{
  GError *err = NULL;
  AudioCastPlayer *p = player_new_full (NULL, RATE, CHANNELS, 50000, 10000,
      &err);
  Caller callers[N_THREADS];
  GThread *threads[N_THREADS];
  gint stop = 0;
  guint64 total = 0;
  guint i;
  Stats s;

  for (i = 0; i < N_THREADS; i++) {
    callers[i] = (Caller) {
    p, 200 + i, 0, 0, &stop};
    threads[i] = g_thread_new ("caller", i < 2 ? clearer_func : caller_func,
        &callers[i]);
  }
  cast_sleep_ms (100);
  audio_cast_player_stop (p);
  g_atomic_int_set (&stop, 1);
  for (i = 0; i < N_THREADS; i++) {
    g_thread_join (threads[i]);
    total += callers[i].accepted;
  }
  stats_read (p, &s);
  fail_unless_equals_uint64 (s.written, total);
  fail_unless_equals_uint64 (s.buffered, 0);
  g_object_unref (p);
}

GST_END_TEST;

/* ---- audiocastsink: buffers and caps from upstream ---- */

static GstCaps *
stereo_caps (gint rate, gint channels)
{
  return gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING, "S16LE",
      "layout", G_TYPE_STRING, "interleaved", "rate", G_TYPE_INT, rate,
      "channels", G_TYPE_INT, channels, NULL);
}

/* The longest buffer-time the property takes asks for petabytes: the first
 * write fails with an error that says so, instead of aborting in g_malloc,
 * and the player stays usable for nothing else but says the same again. */
GST_START_TEST (test_buffer_time_too_big_for_memory)
{
  GError *err = NULL;
  AudioCastPlayer *p = player_new_full (NULL, RATE, CHANNELS,
      G_MAXINT64 / 1000, 10000, &err);
  gint16 frames[2 * CHANNELS] = { 1, 2, 3, 4 };
  guint i;

  fail_unless (p != NULL, "%s", err ? err->message : "");
  for (i = 0; i < 2; i++) {
    fail_unless_equals_uint64 (audio_cast_player_write (p,
            AUDIO_CAST_SAMPLE_FORMAT_S16LE, (const guint8 *) frames,
            sizeof (frames), &err), 0);
    assert_error (&err, AUDIO_CAST_ERROR_INVALID_ARGUMENT, "buffer-time",
        "use a shorter buffer-time", NULL);
  }
  g_object_unref (p);
}

GST_END_TEST;

/* The same on the element: the caps are refused with an element error. */
GST_START_TEST (test_sink_buffer_time_too_big_for_memory)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, G_MAXINT64 / 1000, 0);
  GstSegment segment;
  GstMessage *msg;
  GError *err = NULL;

  cast_fixture_set_state (f, GST_STATE_PLAYING);
  fail_unless (gst_pad_set_active (f->srcpad, TRUE));
  fail_unless (gst_pad_push_event (f->srcpad,
          gst_event_new_stream_start ("audiocast-test")));
  gst_pad_push_event (f->srcpad, gst_event_new_caps (f->caps));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (f->srcpad, gst_event_new_segment (&segment));
  /* the caps are refused when they reach the ring, with the first data */
  fail_if (cast_fixture_push_pattern (f, 1, 0, 80, FALSE) == GST_FLOW_OK,
      "data taken with a ring that cannot exist");
  msg = gst_bus_pop_filtered (f->bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error posted");
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, "use a shorter buffer-time"),
      "error: %s", err->message);
  g_error_free (err);
  gst_message_unref (msg);
  cast_fixture_free (f);
}

GST_END_TEST;

/* Pushes @n buffers that end in part of a frame; the warnings posted. */
static guint
push_partial_buffers (CastFixture * f, guint n)
{
  GstMessage *msg;
  guint i, warnings = 0;

  for (i = 0; i < n; i++) {
    GstBuffer *buf = gst_buffer_new_allocate (NULL, 10 * S16_BPF + 3, NULL);

    gst_buffer_memset (buf, 0, 1, 10 * S16_BPF + 3);
    fail_unless_equals_int (cast_fixture_push_buffer (f, buf, FALSE),
        GST_FLOW_OK);
  }
  while ((msg = gst_bus_pop_filtered (f->bus, GST_MESSAGE_WARNING))) {
    GError *err = NULL;
    gchar *debug = NULL;

    gst_message_parse_warning (msg, &err, &debug);
    fail_unless (debug && strstr (debug, "no whole number of 4-byte frames"),
        "the warning does not say what was dropped: %s", debug);
    g_clear_error (&err);
    g_free (debug);
    gst_message_unref (msg);
    warnings++;
  }
  return warnings;
}

/* Buffers that end in part of a frame: the whole frames play, the rest is
 * dropped with a warning on the bus that says so, once per stream (a source
 * that cuts frames does it to every buffer). */
GST_START_TEST (test_sink_partial_frame_buffer)
{
  GstCaps *caps = stereo_caps (RATE, CHANNELS);
  CastFixture *f = cast_fixture_new (caps, NULL, 0, 0);
  CastStats s;

  gst_caps_unref (caps);
  cast_fixture_start (f);
  fail_unless_equals_int (push_partial_buffers (f, 3), 1);
  cast_stats_read (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 30);
  /* a new stream is warned of again */
  fail_unless (gst_pad_push_event (f->srcpad,
          gst_event_new_stream_start ("audiocast-test-2")));
  fail_unless_equals_int (push_partial_buffers (f, 2), 1);
  fail_unless (cast_fixture_drain (f, -1));
  cast_fixture_free (f);
}

GST_END_TEST;

GST_START_TEST (test_sink_empty_buffer)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, 0, 0);
  CastStats s;

  cast_fixture_start (f);
  fail_unless_equals_int (cast_fixture_push_buffer (f, gst_buffer_new (),
          FALSE), GST_FLOW_OK);
  cast_stats_read (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 0);
  fail_unless (cast_fixture_drain (f, 0));
  cast_fixture_free (f);
}

GST_END_TEST;

/* Starts the stream with @caps (NULL: none), pushes a buffer and returns
 * the flow; nothing may have been written. */
static GstFlowReturn
push_with_caps (GstCaps * caps)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, 0, 0);
  GstSegment segment;
  GstFlowReturn ret;
  CastStats s;

  cast_fixture_set_state (f, GST_STATE_PLAYING);
  fail_unless (gst_pad_set_active (f->srcpad, TRUE));
  fail_unless (gst_pad_push_event (f->srcpad,
          gst_event_new_stream_start ("badinput")));
  if (caps)
    gst_pad_push_event (f->srcpad, gst_event_new_caps (caps));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (f->srcpad, gst_event_new_segment (&segment));
  ret = gst_pad_push (f->srcpad, gst_buffer_new_allocate (NULL, 64, NULL));
  cast_stats_read (f->cast, &s);
  fail_unless_equals_uint64 (s.written, 0);
  cast_fixture_free (f);
  return ret;
}

/* Data before any caps cannot be interpreted: refused as not negotiated. */
GST_START_TEST (test_sink_buffer_before_caps)
{
  fail_unless_equals_int (push_with_caps (NULL), GST_FLOW_NOT_NEGOTIATED);
}

GST_END_TEST;

/* Rate 0 and channel counts audioconvert cannot take are outside the sink
 * pad's caps: refused, and the data after them too. */
static const gint bad_caps[][2] = { {0, CHANNELS}, {RATE, 0}, {RATE, 64},
{RATE, 1000}
};

GST_START_TEST (test_sink_caps_refused)
{
  GstCaps *bad = stereo_caps (bad_caps[__i__][0], bad_caps[__i__][1]);

  fail_unless_equals_int (push_with_caps (bad), GST_FLOW_NOT_NEGOTIATED);
  gst_caps_unref (bad);
}

GST_END_TEST;

/* clear and drain on an element that never started: nothing heard, nothing
 * to wait for. */
GST_START_TEST (test_sink_clear_drain_not_started)
{
  CastFixture *f = cast_fixture_new (NULL, NULL, 0, 0);
  guint64 heard, discarded;
  gboolean drained;

  cast_fixture_clear (f, &heard, &discarded);
  fail_unless_equals_uint64 (heard, 0);
  fail_unless_equals_uint64 (discarded, 0);
  fail_unless (cast_fixture_drain (f, 0));
  g_signal_emit_by_name (f->cast, "drain", (gint64) - 1, &drained);
  fail_unless (drained);
  cast_fixture_free (f);
}

GST_END_TEST;

static Suite *
player_badinput_suite (void)
{
  Suite *s = suite_create ("player_badinput");
  TCase *tc;

  cast_test_register ();
  g_assert_true (fake_device_register_as_platform_sink (TRUE));

  tc = tcase_create ("construction");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_rate_zero_is_device_rate);
  tcase_add_test (tc, test_rate_absurd);
  tcase_add_test (tc, test_rate_maxuint);
  tcase_add_test (tc, test_rate_limits);
  tcase_add_test (tc, test_channels_zero_is_device_channels);
  tcase_add_test (tc, test_channels_absurd);
  tcase_add_test (tc, test_channels_limits);
  tcase_add_test (tc, test_latency_longer_than_buffer);
  tcase_add_loop_test (tc, test_device_unknown_names, 0,
      G_N_ELEMENTS (bad_names));
  tcase_add_test (tc, test_device_very_long_name);
  tcase_add_test (tc, test_device_invalid_utf8);
  tcase_add_test (tc, test_no_output_says_why_each_candidate_failed);

  tc = tcase_create ("writes");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_write_partial_frames);
  tcase_add_test (tc, test_write_partial_frames_other_format);
  tcase_add_test (tc, test_write_empty);
  tcase_add_test (tc, test_write_null_empty);
  tcase_add_test (tc, test_write_null_data);
  tcase_add_test (tc, test_write_unknown_format);
  tcase_add_loop_test (tc, test_write_nan_inf, 0, 3);

  tc = tcase_create ("lifecycle");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_write_after_stop);
  tcase_add_test (tc, test_calls_on_stopped_player);
  tcase_add_test (tc, test_clear_drain_fresh_player);
  tcase_add_test (tc, test_drain_timeout_keeps_queue);

  tc = tcase_create ("huge");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_huge_write);
  tcase_add_loop_test (tc, test_huge_write_interrupted, 0, 2);
  tcase_add_test (tc, test_bad_calls_beside_blocked_writer);

  tc = tcase_create ("threads");
  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_many_threads_writing);
  tcase_add_test (tc, test_many_threads_clear_stop);

  tc = tcase_create ("sink");
  tcase_set_timeout (tc, 30);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_sink_partial_frame_buffer);
  tcase_add_test (tc, test_sink_buffer_time_too_big_for_memory);
  tcase_add_test (tc, test_buffer_time_too_big_for_memory);
  tcase_add_test (tc, test_sink_empty_buffer);
  tcase_add_test (tc, test_sink_buffer_before_caps);
  tcase_add_loop_test (tc, test_sink_caps_refused, 0,
      G_N_ELEMENTS (bad_caps));
  tcase_add_test (tc, test_sink_clear_drain_not_started);

  return s;
}

GST_CHECK_MAIN (player_badinput);
