/* audiocastsink: the output thread allocates nothing in steady state.
 *
 * The real-time path (the queue's output thread, "ring:src": a period from
 * the ring or silence, the push through audioconvert and audioresample into
 * the device sink) must not call the allocator once it runs: an allocation
 * can take the allocator's lock, held by any other thread of the process.
 * This executable counts them instead of assuming it: its own malloc family
 * stands in for libc's (the executable's symbols come first for every
 * library of the process) and counts the calls made from a thread named
 * "ring:src" while a window is open. Not built with a sanitizer and not run
 * under valgrind, which replace the allocator themselves.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "casttest.h"

#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/prctl.h>

/* glibc's own allocator, under the names it exports for this */

extern void *__libc_malloc (size_t size);
extern void *__libc_calloc (size_t n, size_t size);
extern void *__libc_realloc (void *ptr, size_t size);
extern void *__libc_memalign (size_t alignment, size_t size);
extern void __libc_free (void *ptr);

/* Set while a window is open; the count of allocations in it. */
static gint counting;
static gint output_allocs;

/* GstTask threads are named after the pad whose task they run, and come
 * from a pool, so the name is read at each call (prctl does not allocate). */
static void
count_allocation (void)
{
  char name[17] = { 0 };

  if (!g_atomic_int_get (&counting))
    return;
  if (prctl (PR_GET_NAME, name, 0, 0, 0) == 0 && strcmp (name, "ring:src") == 0)
    g_atomic_int_inc (&output_allocs);
}

void *
malloc (size_t size)
{
  count_allocation ();
  return __libc_malloc (size);
}

void *
calloc (size_t n, size_t size)
{
  count_allocation ();
  return __libc_calloc (n, size);
}

void *
realloc (void *ptr, size_t size)
{
  count_allocation ();
  return __libc_realloc (ptr, size);
}

void
free (void *ptr)
{
  __libc_free (ptr);
}

void *
memalign (size_t alignment, size_t size)
{
  count_allocation ();
  return __libc_memalign (alignment, size);
}

void *
aligned_alloc (size_t alignment, size_t size)
{
  count_allocation ();
  return __libc_memalign (alignment, size);
}

int
posix_memalign (void **out, size_t alignment, size_t size)
{
  void *p;

  count_allocation ();
  p = __libc_memalign (alignment, size);
  if (p == NULL)
    return 12;                  /* ENOMEM */
  *out = p;
  return 0;
}

/* Opens a counting window of @usec and returns what it counted: the
 * device's log is emptied first, and must have grown by its end (the
 * device played, audio or silence, during the window). */
static guint
count_window (CastFixture * f, gulong usec, const gchar * what)
{
  guint counted;

  fake_device_clear_log (f->dev);
  g_atomic_int_set (&output_allocs, 0);
  g_atomic_int_set (&counting, 1);
  g_usleep (usec);
  g_atomic_int_set (&counting, 0);
  counted = g_atomic_int_get (&output_allocs);
  fail_unless (fake_device_get_log_size (f->dev) > 0,
      "nothing played in the window %s", what);
  return counted;
}

#define PUSH_FRAMES (CAST_RATE / 100)   /* 10 ms, as an application writes */

typedef struct
{
  CastFixture *f;
  guint frames;                 /* to push in all */
} Feeder;

static gpointer
feed (gpointer data)
{
  Feeder *feeder = data;
  guint64 done;

  for (done = 0; done < feeder->frames; done += PUSH_FRAMES)
    if (cast_fixture_push_pattern (feeder->f, +1, done, PUSH_FRAMES,
            FALSE) != GST_FLOW_OK)
      break;
  return NULL;
}

/* Plays 2 s of the pattern into a device that takes @device_caps (NULL: the
 * input's own format): after a warm-up, the allocations of the output
 * thread over 0.4 s (40 periods) of audio flowing, then over 0.4 s of the
 * ring dry (silence pushed). The device's own thread, which a GstAudioSink
 * starts from the output thread, has its name too: the fake device's log
 * of what it played is emptied before each window, and keeps the room it
 * grew to in the longer stretch before, so it does not allocate either. */
static void
count_steady_state (const gchar * device_caps, guint * while_playing,
    guint * while_dry)
{
  GstCaps *caps = device_caps ? gst_caps_from_string (device_caps) : NULL;
  CastFixture *f = cast_fixture_new (NULL, caps, 500000, 10000);
  Feeder feeder = { f, 2 * CAST_RATE };
  GThread *thread;

  cast_fixture_start (f);
  thread = g_thread_new ("feeder", feed, &feeder);

  /* warm-up: pools filled, converters set up, the device's log grown */
  fail_unless (fake_device_wait_log_size (f->dev, 1, 5 * G_USEC_PER_SEC));
  g_usleep (500 * 1000);
  *while_playing = count_window (f, 400 * 1000, "while playing");

  g_thread_join (thread);
  /* the 2 s pushed play out; then the ring is dry */
  g_usleep (1500 * 1000);
  *while_dry = count_window (f, 400 * 1000, "while dry");

  cast_fixture_free (f);
  if (caps)
    gst_caps_unref (caps);
}

static gpointer
allocate_once (gpointer data)
{
  g_free (g_malloc (64));
  return NULL;
}

/* The instrument: an allocation by a thread of that name, in GLib, counts;
 * the same by another thread does not. */
GST_START_TEST (test_the_count_sees_glib_allocations)
{
  g_atomic_int_set (&output_allocs, 0);
  g_atomic_int_set (&counting, 1);
  g_thread_join (g_thread_new ("ring:src", allocate_once, NULL));
  g_thread_join (g_thread_new ("other", allocate_once, NULL));
  g_atomic_int_set (&counting, 0);
  fail_unless (g_atomic_int_get (&output_allocs) >= 1);
  g_atomic_int_set (&output_allocs, 0);
  g_atomic_int_set (&counting, 1);
  g_thread_join (g_thread_new ("other", allocate_once, NULL));
  g_atomic_int_set (&counting, 0);
  fail_unless_equals_int (g_atomic_int_get (&output_allocs), 0);
}

GST_END_TEST;

GST_START_TEST (test_no_allocation_without_conversion)
{
  guint playing, dry;

  count_steady_state (NULL, &playing, &dry);
  GST_INFO ("allocations of the output thread: %u playing, %u dry",
      playing, dry);
  fail_unless_equals_int (playing, 0);
  fail_unless_equals_int (dry, 0);
}

GST_END_TEST;

GST_START_TEST (test_no_allocation_with_conversion)
{
  guint playing, dry;

  /* S16LE mono 8 kHz in, F32LE stereo 16 kHz out: audioconvert converts
   * and remixes, audioresample resamples */
  count_steady_state ("audio/x-raw,format=F32LE,channels=2,rate=16000",
      &playing, &dry);
  GST_INFO ("allocations of the output thread: %u playing, %u dry",
      playing, dry);
  fail_unless_equals_int (playing, 0);
  fail_unless_equals_int (dry, 0);
}

GST_END_TEST;

static Suite *
audiocastsink_allocs_suite (void)
{
  Suite *s = suite_create ("audiocastsink_allocs");
  TCase *tc = tcase_create ("steady state");

  cast_test_register ();
  tcase_set_timeout (tc, 60);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_the_count_sees_glib_allocations);
  tcase_add_test (tc, test_no_allocation_without_conversion);
  tcase_add_test (tc, test_no_allocation_with_conversion);
  return s;
}

GST_CHECK_MAIN (audiocastsink_allocs);
