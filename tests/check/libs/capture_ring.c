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

#include <poll.h>

#define CAPACITY 100
/* one frame per millisecond, so capture times are easy to check */
#define RATE 1000

/* Pushes frames @start .. @start + @n - 1, captured from @time_us on. */
static void
push_counting_at (AudioCastCaptureRing * r, guint32 start, guint n,
    gint64 time_us)
{
  guint32 *frames = g_new (guint32, n);
  guint i;

  for (i = 0; i < n; i++)
    frames[i] = start + i;
  audio_cast_capture_ring_push (r, (const guint8 *) frames, n, time_us);
  g_free (frames);
}

static void
push_counting (AudioCastCaptureRing * r, guint32 start, guint n)
{
  push_counting_at (r, start, n, -1);
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
  AudioCastCaptureReadInfo info;

  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE, CAPACITY));
  push_counting (&r, 0, 30);
  push_counting (&r, 30, 30);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          45, 0, NULL, &info), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_uint64 (info.got, 45);
  fail_unless_equals_uint64 (info.dropped_before, 0);
  assert_counting (out, 45, 0);
  /* the ring wraps */
  push_counting (&r, 60, 80);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          95, 0, NULL, &info), AUDIO_CAST_CAPTURE_READ_COMPLETE);
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
  AudioCastCaptureReadInfo info;

  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE, CAPACITY));
  push_counting (&r, 0, 80);
  push_counting (&r, 80, 50);   /* 30 oldest go */
  push_counting (&r, 130, 250); /* larger than the ring: its newest 100 stay */
  audio_cast_capture_ring_get_stats (&r, &s);
  fail_unless_equals_uint64 (s.captured, 380);
  fail_unless_equals_uint64 (s.dropped, 280);
  fail_unless_equals_int (s.overflows, 2);
  fail_unless_equals_uint64 (s.available, CAPACITY);

  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          60, 0, NULL, &info), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_uint64 (info.dropped_before, 280);
  assert_counting (out, 60, 280);
  /* reported once */
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          40, 0, NULL, &info), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_uint64 (info.dropped_before, 0);
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
    gint64 timeout_us, AudioCastCaptureReadInfo * info)
{
  GThread *t = g_thread_new ("pusher", pusher_thread, p);
  AudioCastCaptureRead result = audio_cast_capture_ring_read (p->r,
      (guint8 *) out, frames, timeout_us, NULL, info);

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
  AudioCastCaptureReadInfo info;

  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE, CAPACITY));
  fail_unless_equals_int (read_while_pushing (&p, out, 500, -1, &info),
      AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_uint64 (info.got, 500);
  fail_unless_equals_uint64 (info.dropped_before, 0);
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
  AudioCastCaptureReadInfo info;

  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE, CAPACITY));
  push_counting (&r, 0, 10);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          50, 1000, NULL, &info), AUDIO_CAST_CAPTURE_READ_TIMED_OUT);
  fail_unless_equals_uint64 (info.got, 10);
  assert_counting (out, 10, 0);

  /* G_MAXINT64 µs: waits (for the pusher), does not return at once */
  p.start = 10;
  fail_unless_equals_int (read_while_pushing (&p, out, 10, G_MAXINT64,
          &info), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  assert_counting (out, 10, 10);

  push_counting (&r, 20, 5);
  audio_cast_capture_ring_stop (&r);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          50, -1, NULL, &info), AUDIO_CAST_CAPTURE_READ_STOPPED);
  fail_unless_equals_uint64 (info.got, 5);
  assert_counting (out, 5, 20);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          50, -1, NULL, &info), AUDIO_CAST_CAPTURE_READ_STOPPED);
  fail_unless_equals_uint64 (info.got, 0);
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
  AudioCastCaptureReadInfo info;
  GThread *t;

  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE, CAPACITY));
  t = g_thread_new ("stopper", stop_later, &w);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          50, -1, NULL, &info), AUDIO_CAST_CAPTURE_READ_STOPPED);
  fail_unless_equals_uint64 (info.got, 0);
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
  AudioCastCaptureReadInfo info;

  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE, CAPACITY));
  push_counting (&r, 0, 60);
  /* the read copies 0..59 and waits; the push of 150 frames into a ring
   * of 100 drops 50 of them before the reader can take any */
  fail_unless_equals_int (read_while_pushing (&p, out, 400, -1,
          &info), AUDIO_CAST_CAPTURE_READ_DROPPED_AFTER);
  fail_unless_equals_uint64 (info.got, 60);
  fail_unless_equals_uint64 (info.dropped_before, 0);
  assert_counting (out, 60, 0);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          100, 0, NULL, &info), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_uint64 (info.dropped_before, 50);
  assert_counting (out, 100, 110);
  audio_cast_capture_ring_clear (&r);
}

GST_END_TEST;

/* A read says when its first frame was captured: from the push that
 * brought it, or counted on from it at the sample rate; a frame older than
 * every anchor kept is counted back from the oldest. */
GST_START_TEST (test_a_read_says_when_its_first_frame_was_captured)
{
  AudioCastCaptureRing r;
  guint32 out[CAPACITY];
  AudioCastCaptureReadInfo info;
  guint i;

  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE, CAPACITY));
  push_counting (&r, 0, 10);    /* no time known */
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          10, 0, NULL, &info), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_int64 (info.first_time_us, -1);

  /* frames 10..39 captured from 5 s on; 40..59 after a jump to 9 s */
  push_counting_at (&r, 10, 30, 5 * G_USEC_PER_SEC);
  push_counting_at (&r, 40, 20, 9 * G_USEC_PER_SEC);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          5, 0, NULL, &info), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_int64 (info.first_time_us, 5 * G_USEC_PER_SEC);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          30, 0, NULL, &info), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  /* frame 15: 5 frames of 1 ms after its anchor */
  fail_unless_equals_int64 (info.first_time_us, 5 * G_USEC_PER_SEC + 5000);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          10, 0, NULL, &info), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_int64 (info.first_time_us, 9 * G_USEC_PER_SEC + 5000);
  audio_cast_capture_ring_clear (&r);

  /* more pushes than anchors are kept */
  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE,
          2 * AUDIO_CAST_CAPTURE_ANCHORS));
  for (i = 0; i < AUDIO_CAST_CAPTURE_ANCHORS + 10; i++)
    push_counting_at (&r, i, 1, i == 0 ? 0 : 100000 + i * 1000);
  /* frame 0's own anchor is gone: counted back from the oldest left,
   * frame 10's (110 ms) */
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          1, 0, NULL, &info), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  fail_unless_equals_int64 (info.first_time_us, 100000);
  audio_cast_capture_ring_clear (&r);
}

GST_END_TEST;

static gpointer
cancel_later (gpointer data)
{
  g_usleep (20000);
  g_cancellable_cancel (data);
  return NULL;
}

/* A cancellable ends a waiting read with what it copied; the ring stays
 * usable, and a read with a cancellable already cancelled takes only what
 * is there. */
GST_START_TEST (test_a_cancellable_ends_a_waiting_read)
{
  AudioCastCaptureRing r;
  GCancellable *cancellable = g_cancellable_new ();
  guint32 out[CAPACITY];
  AudioCastCaptureReadInfo info;
  GThread *t;

  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE, CAPACITY));
  push_counting (&r, 0, 10);
  t = g_thread_new ("canceller", cancel_later, cancellable);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          50, -1, cancellable, &info), AUDIO_CAST_CAPTURE_READ_CANCELLED);
  g_thread_join (t);
  fail_unless_equals_uint64 (info.got, 10);
  assert_counting (out, 10, 0);

  push_counting (&r, 10, 20);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          50, -1, cancellable, &info), AUDIO_CAST_CAPTURE_READ_CANCELLED);
  fail_unless_equals_uint64 (info.got, 20);
  assert_counting (out, 20, 10);
  g_cancellable_reset (cancellable);
  push_counting (&r, 30, 5);
  fail_unless_equals_int (audio_cast_capture_ring_read (&r, (guint8 *) out,
          5, -1, cancellable, &info), AUDIO_CAST_CAPTURE_READ_COMPLETE);
  assert_counting (out, 5, 30);
  g_object_unref (cancellable);
  audio_cast_capture_ring_clear (&r);
}

GST_END_TEST;

/* wait() reads nothing: it says when a read would not wait (the frames are
 * there, or frames were dropped), and gives up at its timeout, at a stop
 * or when cancelled. */
GST_START_TEST (test_wait_says_when_a_read_would_not_wait)
{
  AudioCastCaptureRing r;
  GCancellable *cancellable = g_cancellable_new ();
  Pusher p = { &r, 10, 20, 1, 20 };
  AudioCastCaptureStats s;
  GThread *t;

  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE, CAPACITY));
  push_counting (&r, 0, 10);
  fail_unless (audio_cast_capture_ring_wait (&r, 10, 0, NULL));
  fail_if (audio_cast_capture_ring_wait (&r, 30, 1000, NULL));
  /* more than the ring holds: as much as it holds will do */
  t = g_thread_new ("pusher", pusher_thread, &p);
  fail_unless (audio_cast_capture_ring_wait (&r, 30, -1, NULL));
  g_thread_join (t);
  fail_unless (audio_cast_capture_ring_wait (&r, 10 * CAPACITY, 0, NULL)
      == FALSE);
  audio_cast_capture_ring_get_stats (&r, &s);
  fail_unless_equals_uint64 (s.read, 0);
  /* a drop: a read would return at once */
  push_counting (&r, 30, CAPACITY);
  fail_unless (audio_cast_capture_ring_wait (&r, 10 * CAPACITY, -1, NULL));
  g_cancellable_cancel (cancellable);
  audio_cast_capture_ring_clear (&r);

  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE, CAPACITY));
  fail_if (audio_cast_capture_ring_wait (&r, 10, -1, cancellable));
  audio_cast_capture_ring_stop (&r);
  fail_if (audio_cast_capture_ring_wait (&r, 10, -1, NULL));
  g_object_unref (cancellable);
  audio_cast_capture_ring_clear (&r);
}

GST_END_TEST;

/* Whether the wakeup descriptor is readable now. */
static gboolean
readable (gint fd)
{
  struct pollfd p = { fd, POLLIN, 0 };

  return poll (&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* An event loop's reader: the descriptor becomes readable once the frames
 * it armed for are there (not before), the next arming consumes that, and
 * a stop wakes it whatever it waits for. */
GST_START_TEST (test_the_wakeup_descriptor_fires_once_the_frames_are_there)
{
  AudioCastCaptureRing r;
  gint fd;

  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE, CAPACITY));
  fd = audio_cast_capture_ring_get_wakeup_fd (&r);
  fail_unless (fd >= 0);
  fail_unless_equals_int (audio_cast_capture_ring_get_wakeup_fd (&r), fd);
  /* not armed: pushes write nothing */
  push_counting (&r, 0, 10);
  fail_if (readable (fd));

  audio_cast_capture_ring_arm_wakeup (&r, 30);
  fail_if (readable (fd));
  push_counting (&r, 10, 10);
  fail_if (readable (fd));
  push_counting (&r, 20, 10);
  fail_unless (readable (fd));
  /* one-shot: more frames add nothing; arming again consumes the wakeup */
  push_counting (&r, 30, 10);
  audio_cast_capture_ring_arm_wakeup (&r, 60);
  fail_if (readable (fd));
  /* armed for more than the ring holds: a full ring will do */
  audio_cast_capture_ring_arm_wakeup (&r, 10 * CAPACITY);
  push_counting (&r, 40, CAPACITY);
  fail_unless (readable (fd));
  /* already there when armed: readable at once */
  audio_cast_capture_ring_arm_wakeup (&r, 5);
  fail_unless (readable (fd));

  audio_cast_capture_ring_arm_wakeup (&r, 10 * CAPACITY);
  {
    guint32 frames[CAPACITY];
    AudioCastCaptureReadInfo info;

    audio_cast_capture_ring_read (&r, (guint8 *) frames, CAPACITY, 0, NULL,
        &info);
  }
  audio_cast_capture_ring_arm_wakeup (&r, 10);
  fail_if (readable (fd));
  audio_cast_capture_ring_stop (&r);
  fail_unless (readable (fd));
  /* stopped: arming fires at once, nothing will come */
  audio_cast_capture_ring_arm_wakeup (&r, 10);
  fail_unless (readable (fd));
  audio_cast_capture_ring_clear (&r);
}

GST_END_TEST;

/* A waiter that arms before it ever asked for the descriptor, with the
 * frames already there: the wakeup fired at the arming is not lost (the
 * pipe did not exist yet, and the waiter slept on for good). */
GST_START_TEST (test_a_wakeup_fired_before_the_descriptor_was_asked_for)
{
  AudioCastCaptureRing r;

  fail_unless (audio_cast_capture_ring_init (&r, 4, RATE, CAPACITY));
  push_counting (&r, 0, 10);
  audio_cast_capture_ring_arm_wakeup (&r, 5);
  fail_unless (readable (audio_cast_capture_ring_get_wakeup_fd (&r)));
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
  tcase_add_test (tc, test_a_wakeup_fired_before_the_descriptor_was_asked_for);
  tcase_add_test (tc, test_overflow_drops_the_oldest_and_the_next_read_says_so);
  tcase_add_test (tc, test_a_read_waits_for_frames_that_come_later);
  tcase_add_test (tc, test_timeout_and_stop_end_a_read);
  tcase_add_test (tc, test_stop_releases_a_waiting_reader);
  tcase_add_test (tc, test_a_drop_during_a_read_ends_it_before_the_gap);
  tcase_add_test (tc, test_a_read_says_when_its_first_frame_was_captured);
  tcase_add_test (tc, test_a_cancellable_ends_a_waiting_read);
  tcase_add_test (tc, test_wait_says_when_a_read_would_not_wait);
  tcase_add_test (tc, test_the_wakeup_descriptor_fires_once_the_frames_are_there);
  return s;
}

GST_CHECK_MAIN (capture_ring);
