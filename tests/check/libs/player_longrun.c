/* AudioCastPlayer over a long run: nothing accumulates
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A voice assistant writes and clears for days. Nobody runs a main loop on
 * the player's pipeline, so whatever its elements post must not stay queued
 * on its bus. The player picks its own device: a fakeaudiodevice (see
 * fake_device_register_as_platform_sink()).
 */

#include "casttest.h"

#include <stdio.h>
#include <unistd.h>

/* gcc says __SANITIZE_ADDRESS__ under -fsanitize=address, clang only
 * through __has_feature (the fuzzing build is clang's) */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_CLANG_ASAN 1
#endif
#endif
#ifndef HAVE_CLANG_ASAN
#define HAVE_CLANG_ASAN 0
#endif

#define RATE 8000
#define CHANNELS 2
#define CHUNK_FRAMES 160        /* 20 ms */

/* The pipeline the player's device sits in: its top-level bin. */
static GstBus *
player_bus (void)
{
  GstElement *dev = fake_device_get_latest ();
  GstObject *top = gst_object_ref (GST_OBJECT (dev)), *parent;
  GstBus *bus;

  fail_unless (dev != NULL, "the player made no device");
  while ((parent = gst_object_get_parent (top)) != NULL) {
    gst_object_unref (top);
    top = parent;
  }
  fail_unless (GST_IS_PIPELINE (top), "the device is in no pipeline");
  bus = gst_pipeline_get_bus (GST_PIPELINE (top));
  gst_object_unref (top);
  gst_object_unref (dev);
  return bus;
}

/* Write and clear, cycle after cycle: the bus holds nothing afterwards
 * (before, every clear left a latency message or two there). */
GST_START_TEST (test_bus_stays_empty_over_write_clear_cycles)
{
  GError *err = NULL;
  AudioCastPlayer *p = audio_cast_player_new (NULL, RATE, CHANNELS, &err);
  gint16 chunk[CHUNK_FRAMES * CHANNELS];
  GstMessage *msg;
  GstBus *bus;
  guint i;

  fail_unless (p != NULL, "%s", err ? err->message : "no player");
  for (i = 0; i < G_N_ELEMENTS (chunk); i++)
    chunk[i] = (gint16) (1 + i);
  bus = player_bus ();
  for (i = 0; i < 300; i++) {
    fail_unless_equals_uint64 (audio_cast_player_write (p,
            AUDIO_CAST_SAMPLE_FORMAT_S16LE, (const guint8 *) chunk,
            sizeof (chunk), &err), CHUNK_FRAMES);
    audio_cast_player_clear (p);
  }
  msg = gst_bus_pop (bus);
  fail_unless (msg == NULL, "a %s message from %s stayed on the bus",
      msg ? GST_MESSAGE_TYPE_NAME (msg) : "", msg ? GST_MESSAGE_SRC_NAME (msg)
      : "");
  gst_object_unref (bus);
  g_object_unref (p);
}

GST_END_TEST;

/* Resident memory of this process, in bytes. */
static gsize
resident_bytes (void)
{
  gchar *statm = NULL;
  gsize pages = 0;

  fail_unless (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  sscanf (statm, "%*s %" G_GSIZE_FORMAT, &pages);
  g_free (statm);
  return pages * (gsize) sysconf (_SC_PAGESIZE);
}

typedef struct
{
  AudioCastPlayer *player;
  const guint8 *data;
  gsize size;
} BigWrite;

static gpointer
big_write (gpointer user_data)
{
  BigWrite *w = user_data;

  audio_cast_player_write (w->player, AUDIO_CAST_SAMPLE_FORMAT_S16LE,
      w->data, w->size, NULL);
  return NULL;
}

static guint64
frames_written (AudioCastPlayer * p)
{
  GstStructure *st = audio_cast_player_get_stats (p);
  guint64 written = 0;

  gst_structure_get_uint64 (st, "frames-written", &written);
  gst_structure_free (st);
  return written;
}

/* One long write in another format than the stream's (a whole file at
 * once) needs a conversion buffer as long; once the writes are short again
 * that memory is given back. */
GST_START_TEST (test_conversion_buffer_shrinks_after_a_long_write)
{
  const gsize long_frames = 2 * 1000 * 1000;    /* 16 MB converted */
  GError *err = NULL;
  AudioCastPlayer *p = audio_cast_player_new (NULL, RATE, CHANNELS, &err);
  gfloat opening[CHANNELS] = { 0.25f, -0.25f };
  gint16 small[CHUNK_FRAMES * CHANNELS] = { 0, };
  BigWrite w;
  GThread *writer;
  gsize before, after;

  fail_unless (p != NULL, "%s", err ? err->message : "no player");
  /* the stream's format is float: what comes as S16 is converted */
  fail_unless_equals_uint64 (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_F32LE, (const guint8 *) opening,
          sizeof (opening), &err), 1);
  w.player = p;
  w.size = long_frames * CHANNELS * sizeof (gint16);
  w.data = g_malloc0 (w.size);
  writer = g_thread_new ("big-write", big_write, &w);
  /* the conversion is done once the ring starts filling from it */
  while (frames_written (p) < 2)
    g_usleep (1000);
  audio_cast_player_clear (p);
  g_thread_join (writer);
  g_free ((gpointer) w.data);

#if defined(__SANITIZE_ADDRESS__) || HAVE_CLANG_ASAN
  /* ASan keeps freed memory in quarantine: resident memory does not say */
  g_object_unref (p);
  return;
#endif
  before = resident_bytes ();
  fail_unless_equals_uint64 (audio_cast_player_write (p,
          AUDIO_CAST_SAMPLE_FORMAT_S16LE, (const guint8 *) small,
          sizeof (small), &err), CHUNK_FRAMES);
  after = resident_bytes ();
  fail_unless (before > after + 8 * 1024 * 1024,
      "resident memory %" G_GSIZE_FORMAT " MB before the short write, %"
      G_GSIZE_FORMAT " MB after: the 16 MB conversion buffer was kept",
      before >> 20, after >> 20);
  g_object_unref (p);
}

GST_END_TEST;

static Suite *
player_longrun_suite (void)
{
  Suite *s = suite_create ("player_longrun");
  TCase *tc;

  cast_test_register ();
  g_assert_true (fake_device_register_as_platform_sink (TRUE));

  tc = tcase_create ("longrun");
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_bus_stays_empty_over_write_clear_cycles);
  tcase_add_test (tc, test_conversion_buffer_shrinks_after_a_long_write);

  return s;
}

GST_CHECK_MAIN (player_longrun);
