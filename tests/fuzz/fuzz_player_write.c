/* libFuzzer target: caller bytes + format -> queued audio
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each input opens an AudioCastPlayer on a fake device (no sound server, no
 * card; see fake_device_register_as_platform_sink()) and plays a script:
 *
 *   byte 0-2  sample rate, little-endian, modulo 400000 (0 = the device's;
 *             above 384000 must be refused)
 *   byte 3    channels modulo 70 (0 = the device's; above 63 refused)
 *   byte 4    buffer-time (bits 0-2) and latency-time (bits 3-4)
 *   then ops  one byte each: bits 0-1 = 0 or 1: write, 2: clear, 3: drain(0);
 *             a write's sample format is bits 2-4 modulo 5 (4 is no format),
 *             followed by a 16-bit little-endian length and that many bytes
 *             (fewer at the end of the input).
 *
 * Checked: the player is created exactly when the parameters are in range;
 * every write accepts all of its frames, or fails with INVALID_ARGUMENT when
 * its format or size is wrong; frames-written is the sum of what the writes
 * accepted; written = played + cleared + buffered at every step; a clear
 * leaves nothing buffered; the final drain hears everything left. Any
 * GLib/GStreamer critical or warning aborts.
 */

#include <audiocast/audiocast.h>
#include <gst/gst.h>

#include "fakedevice.h"

#include <stdint.h>
#include <stdlib.h>

#define MAX_RATE 384000
#define MAX_CHANNELS 63
#define FALLBACK_CHANNELS 2

static const gint64 buffer_times[] = { 1000, 2000, 5000, 10000, 20000,
  50000, 100000, 200000
};
static const gint64 latency_times[] = { 1000, 5000, 10000, 20000 };

typedef struct
{
  guint64 written, played, cleared, buffered;
} Stats;

#define check(cond, ...) G_STMT_START { \
  if (G_UNLIKELY (!(cond))) { \
    g_printerr ("fuzz_player_write: %s: ", #cond); \
    g_printerr (__VA_ARGS__); \
    g_printerr ("\n"); \
    abort (); \
  } \
} G_STMT_END

static void
stats_read (AudioCastPlayer * p, Stats * s)
{
  GstStructure *st = audio_cast_player_get_stats (p);

  check (gst_structure_get (st, "frames-written", G_TYPE_UINT64, &s->written,
          "frames-played", G_TYPE_UINT64, &s->played, "frames-cleared",
          G_TYPE_UINT64, &s->cleared, "buffered-frames", G_TYPE_UINT64,
          &s->buffered, NULL), "stats incomplete");
  gst_structure_free (st);
  check (s->written == s->played + s->cleared + s->buffered,
      "written %" G_GUINT64_FORMAT " != played %" G_GUINT64_FORMAT
      " + cleared %" G_GUINT64_FORMAT " + buffered %" G_GUINT64_FORMAT,
      s->written, s->played, s->cleared, s->buffered);
}

static gsize
sample_size (gint format)
{
  switch (format) {
    case AUDIO_CAST_SAMPLE_FORMAT_S16LE:
      return 2;
    case AUDIO_CAST_SAMPLE_FORMAT_S32LE:
    case AUDIO_CAST_SAMPLE_FORMAT_F32LE:
      return 4;
    case AUDIO_CAST_SAMPLE_FORMAT_F64LE:
      return 8;
    default:
      return 0;
  }
}

static void
fatal_log (const gchar * domain, GLogLevelFlags level, const gchar * message,
    gpointer user_data)
{
  g_printerr ("fuzz_player_write: unexpected %s: %s\n",
      domain ? domain : "(default)", message);
  abort ();
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  gst_init (NULL, NULL);
  g_log_set_default_handler (fatal_log, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  /* not real time: each input plays as fast as the pipeline goes */
  if (!fake_device_register_as_platform_sink (FALSE))
    abort ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  AudioCastPlayer *p;
  GError *err = NULL;
  guint rate, channels;
  gint64 buffer_us, latency_us;
  gboolean valid;
  guint64 accepted = 0;
  Stats s;

  if (size < 5)
    return 0;
  rate = (data[0] | data[1] << 8 | data[2] << 16) % 400000;
  channels = data[3] % 70;
  buffer_us = buffer_times[data[4] & 7];
  latency_us = latency_times[(data[4] >> 3) & 3];
  data += 5;
  size -= 5;

  p = g_initable_new (AUDIO_CAST_TYPE_PLAYER, NULL, &err, "sample-rate", rate,
      "channels", channels, "buffer-time", buffer_us, "latency-time",
      latency_us, NULL);
  valid = rate <= MAX_RATE && channels <= MAX_CHANNELS
      && latency_us <= buffer_us;
  check ((p != NULL) == valid, "%u Hz x %u, buffer %" G_GINT64_FORMAT
      " latency %" G_GINT64_FORMAT ": %s", rate, channels, buffer_us,
      latency_us, err ? err->message : "created");
  if (!p) {
    check (g_error_matches (err, AUDIO_CAST_ERROR,
            AUDIO_CAST_ERROR_INVALID_ARGUMENT), "%s", err->message);
    g_error_free (err);
    return 0;
  }
  channels = audio_cast_player_get_channels (p);
  check (channels > 0 && channels <= MAX_CHANNELS, "%u channels", channels);
  check (audio_cast_player_get_sample_rate (p) > 0, "rate 0");

  while (size > 0) {
    guint8 op = *data++;

    size--;
    if ((op & 3) <= 1) {
      gint format = (op >> 2) % 5;
      gsize bpf = sample_size (format) * channels, len, n;

      len = size >= 2 ? (gsize) (data[0] | data[1] << 8) : 0;
      data += MIN (size, 2);
      size -= MIN (size, 2);
      len = MIN (len, size);

      n = audio_cast_player_write (p, format, data, len, &err);
      if (bpf == 0 || len % bpf != 0) {
        check (n == 0 && g_error_matches (err, AUDIO_CAST_ERROR,
                AUDIO_CAST_ERROR_INVALID_ARGUMENT), "format %d, %"
            G_GSIZE_FORMAT " bytes accepted", format, len);
        g_clear_error (&err);
      } else {
        check (err == NULL, "%s", err->message);
        check (n == len / bpf, "%" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
            " frames accepted", n, len / bpf);
      }
      accepted += n;
      data += len;
      size -= len;
    } else if ((op & 3) == 2) {
      audio_cast_player_clear (p);
      stats_read (p, &s);
      check (s.buffered == 0, "%" G_GUINT64_FORMAT " buffered after clear",
          s.buffered);
    } else {
      audio_cast_player_drain (p, 0, NULL);
    }
    stats_read (p, &s);
    check (s.written == accepted, "written %" G_GUINT64_FORMAT
        ", accepted %" G_GUINT64_FORMAT, s.written, accepted);
  }

  check (audio_cast_player_drain (p, 20 * G_USEC_PER_SEC, &err),
      "final drain: %s", err ? err->message : "");
  stats_read (p, &s);
  check (s.buffered == 0 && s.written == accepted, "after drain: %"
      G_GUINT64_FORMAT " buffered, %" G_GUINT64_FORMAT " written",
      s.buffered, s.written);

  audio_cast_player_stop (p);
  g_object_unref (p);
  return 0;
}
