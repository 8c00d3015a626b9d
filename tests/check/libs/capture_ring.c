/* AudioCastCaptureRing on its own: the ring between a capture thread that
 * never waits and a reader that does
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Frames are 4-byte counters (frame i holds i), so every read says exactly
 * which captured frames it got.
 */

#include <gst/check/gstcheck.h>

#include <audiocast/audiocast-capture-ring.h>

#define CAPACITY 100

/* Pushes frames @start .. @start + @n - 1. */
static void
push_counting (AudioCastCaptureRing * r, guint32 start, guint n)
{
  guint32 *frames = g_new (guint32, n);
  guint i;

  for (i = 0; i < n; i++)
    frames[i] = start + i;
  audio_cast_capture_ring_push (r, (const guint8 *) frames, n);
  g_free (frames);
}

static void
assert_counting (const guint32 * frames, guint64 n, guint32 start)
{
  guint64 i;

  for (i = 0; i < n; i++)
    fail_unless_equals_int (frames[i], start + i);
}

GST_START_TEST (test_reads_what_was_pushed_in_order)
{
  AudioCastCaptureRing r;
  AudioCastCaptureStats s;
  guint32 out[CAPACITY];
  guint64 got, dropped;

  fail_unless (audio_cast_capture_ring_init (&r, 4, CAPACITY));
  push_counting (&r, 0, 30);
  push_counting (&r, 30, 30);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          45, 0, &got, &dropped), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_uint64 (got, 45);
  fail_unless_equals_uint64 (dropped, 0);
  assert_counting (out, 45, 0);
  /* the ring wraps */
  push_counting (&r, 60, 80);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          95, 0, &got, &dropped), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  assert_counting (out, 95, 45);

  audio_cast_capture_ring_get_stats (&r, &s);
  fail_unless_equals_uint64 (s.captured, 140);
  fail_unless_equals_uint64 (s.read, 140);
  fail_unless_equals_uint64 (s.dropped, 0);
  fail_unless_equals_int (s.overflows, 0);
  fail_unless_equals_uint64 (s.available, 0);
  audio_cast_capture_ring_clear (&r);
}

GST_END_TEST;

/* A reader that fell behind loses the oldest frames, each overflow is
 * counted, and the next read says how many frames went before its first;
 * what it reads is contiguous captured audio. */
GST_START_TEST (test_overflow_drops_the_oldest_and_the_next_read_says_so)
{
  AudioCastCaptureRing r;
  AudioCastCaptureStats s;
  guint32 out[CAPACITY];
  guint64 got, dropped;

  fail_unless (audio_cast_capture_ring_init (&r, 4, CAPACITY));
  push_counting (&r, 0, 80);
  push_counting (&r, 80, 50);   /* 30 oldest go */
  push_counting (&r, 130, 250); /* larger than the ring: its newest 100 stay */
  audio_cast_capture_ring_get_stats (&r, &s);
  fail_unless_equals_uint64 (s.captured, 380);
  fail_unless_equals_uint64 (s.dropped, 280);
  fail_unless_equals_int (s.overflows, 2);
  fail_unless_equals_uint64 (s.available, CAPACITY);

  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          60, 0, &got, &dropped), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_uint64 (dropped, 280);
  assert_counting (out, 60, 280);
  /* reported once */
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          40, 0, &got, &dropped), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_uint64 (dropped, 0);
  assert_counting (out, 40, 340);

  audio_cast_capture_ring_get_stats (&r, &s);
  fail_unless_equals_uint64 (s.captured, s.read + s.dropped + s.available);
  audio_cast_capture_ring_clear (&r);
}

GST_END_TEST;

typedef struct
{
  AudioCastCaptureRing *r;
  guint32 start;
  guint n;
  guint pushes;
  guint delay_ms;
} Pusher;

static gpointer
pusher_thread (gpointer data)
{
  Pusher *p = data;
  guint i;

  for (i = 0; i < p->pushes; i++) {
    g_usleep (p->delay_ms * 1000);
    push_counting (p->r, p->start + i * p->n, p->n);
  }
  return NULL;
}

/* Reads @frames into @out while @p pushes from a thread of its own. */
static AudioCastCaptureRead
read_while_pushing (Pusher * p, guint32 * out, guint64 frames,
    gint64 timeout_us, guint64 * got, guint64 * dropped)
{
  GThread *t = g_thread_new ("pusher", pusher_thread, p);
  AudioCastCaptureRead result = audio_cast_capture_ring_read (p->r,
      (guint8 *) out, frames, timeout_us, got, dropped);

  g_thread_join (t);
  return result;
}

/* A read waits for frames that come later, and a read larger than the
 * ring completes as the capture thread goes on. */
GST_START_TEST (test_a_read_waits_for_frames_that_come_later)
{
  AudioCastCaptureRing r;
  /* 10 frames every 20 ms: the ring of 100 holds 200 ms, more than a
   * stall of this thread lasts */
  Pusher p = { &r, 0, 10, 50, 20 };
  guint32 out[500];
  guint64 got, dropped;

  fail_unless (audio_cast_capture_ring_init (&r, 4, CAPACITY));
  fail_unless_equals_int (read_while_pushing (&p, out, 500, -1, &got,
          &dropped), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_uint64 (got, 500);
  fail_unless_equals_uint64 (dropped, 0);
  assert_counting (out, 500, 0);
  audio_cast_capture_ring_clear (&r);
}

GST_END_TEST;

/* A timeout returns what there is; a huge timeout saturates instead of
 * overflowing into the past; stop releases a reader and later ones. */
GST_START_TEST (test_timeout_and_stop_end_a_read)
{
  AudioCastCaptureRing r;
  Pusher p = { &r, 0, 10, 1, 50 };
  guint32 out[CAPACITY];
  guint64 got, dropped;

  fail_unless (audio_cast_capture_ring_init (&r, 4, CAPACITY));
  push_counting (&r, 0, 10);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          50, 1000, &got, &dropped), AUDIO_CAST_CAPTURE_READ_TIMED_OUT);
  fail_unless_equals_uint64 (got, 10);
  assert_counting (out, 10, 0);

  /* G_MAXINT64 µs: waits (for the pusher), does not return at once */
  p.start = 10;
  fail_unless_equals_int (read_while_pushing (&p, out, 10, G_MAXINT64, &got,
          &dropped), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  assert_counting (out, 10, 10);

  push_counting (&r, 20, 5);
  audio_cast_capture_ring_stop (&r);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          50, -1, &got, &dropped), AUDIO_CAST_CAPTURE_READ_STOPPED);
  fail_unless_equals_uint64 (got, 5);
  assert_counting (out, 5, 20);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          50, -1, &got, &dropped), AUDIO_CAST_CAPTURE_READ_STOPPED);
  fail_unless_equals_uint64 (got, 0);
  audio_cast_capture_ring_clear (&r);
}

GST_END_TEST;

typedef struct
{
  AudioCastCaptureRing *r;
  gint done;
} Waiter;

static gpointer
stop_later (gpointer data)
{
  Waiter *w = data;

  g_usleep (20000);
  audio_cast_capture_ring_stop (w->r);
  return NULL;
}

GST_START_TEST (test_stop_releases_a_waiting_reader)
{
  AudioCastCaptureRing r;
  Waiter w = { &r, 0 };
  guint32 out[CAPACITY];
  guint64 got, dropped;
  GThread *t;

  fail_unless (audio_cast_capture_ring_init (&r, 4, CAPACITY));
  t = g_thread_new ("stopper", stop_later, &w);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          50, -1, &got, &dropped), AUDIO_CAST_CAPTURE_READ_STOPPED);
  fail_unless_equals_uint64 (got, 0);
  g_thread_join (t);
  audio_cast_capture_ring_clear (&r);
}

GST_END_TEST;

/* Frames dropped while a read had copied some: the read ends before them,
 * so what it returns is contiguous, and the next read reports the drop. */
GST_START_TEST (test_a_drop_during_a_read_ends_it_before_the_gap)
{
  AudioCastCaptureRing r;
  /* pushed 200 ms later: the reader is waiting by then */
  Pusher p = { &r, 60, 150, 1, 200 };
  guint32 out[400];
  guint64 got, dropped;

  fail_unless (audio_cast_capture_ring_init (&r, 4, CAPACITY));
  push_counting (&r, 0, 60);
  /* the read copies 0..59 and waits; the push of 150 frames into a ring
   * of 100 drops 50 of them before the reader can take any */
  fail_unless_equals_int (read_while_pushing (&p, out, 400, -1, &got,
          &dropped), AUDIO_CAST_CAPTURE_READ_DROPPED_AFTER);
  fail_unless_equals_uint64 (got, 60);
  fail_unless_equals_uint64 (dropped, 0);
  assert_counting (out, 60, 0);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          100, 0, &got, &dropped), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_uint64 (dropped, 50);
  assert_counting (out, 100, 110);
  audio_cast_capture_ring_clear (&r);
}

GST_END_TEST;

static Suite *
capture_ring_suite (void)
{
  Suite *s = suite_create ("capture_ring");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_reads_what_was_pushed_in_order);
  tcase_add_test (tc, test_overflow_drops_the_oldest_and_the_next_read_says_so);
  tcase_add_test (tc, test_a_read_waits_for_frames_that_come_later);
  tcase_add_test (tc, test_timeout_and_stop_end_a_read);
  tcase_add_test (tc, test_stop_releases_a_waiting_reader);
  tcase_add_test (tc, test_a_drop_during_a_read_ends_it_before_the_gap);
  return s;
}

GST_CHECK_MAIN (capture_ring);
