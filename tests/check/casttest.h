/* audiocast tests: shared fixture for driving audiocastsink
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gst/check/gstcheck.h>
#include <gst/audio/audio.h>
#include <audiocast/audiocast.h>

#include "fakedevice.h"

G_BEGIN_DECLS

/* Registers "audiocastsink" (from the library, no plugin needed) and
 * "fakeaudiodevice". Call once from the suite function. */
void cast_test_register (void);

/*
 * CastFixture: a pipeline holding one audiocastsink whose "audio-sink" is a
 * fakeaudiodevice, fed from a free-standing source pad that the test pushes
 * on (from any thread) exactly like an upstream element would: every push is
 * a real chain call into the element's ghost pad, so backpressure is seen by
 * the pushing thread.
 *
 * Test signal: S16LE at CAST_RATE Hz unless a test asks for another format.
 * Stream A carries the values +1..+CAST_PERIOD_VALUES, stream B the negative
 * ones, so every non-zero S16 value in the device log tells which stream and
 * which frame it came from (silence is 0).
 */
#define CAST_RATE 8000
#define CAST_PERIOD_VALUES 16000

typedef struct
{
  GstElement *pipeline;
  GstElement *cast;
  GstElement *dev;
  GstPad *srcpad;
  GstBus *bus;
  GstCaps *caps;                /* input caps */
  GstAudioInfo info;            /* input format */
  guint64 ts_frames;            /* timeline of timestamped pushes, frames */
  GMutex push_lock;             /* serialises ts_frames */
} CastFixture;

/* Creates the fixture in NULL state. @caps: input caps (NULL: S16LE mono at
 * CAST_RATE); @device_caps: restriction for the fake device (NULL: any);
 * @buffer_time_us / @latency_time_us: audiocastsink properties (<= 0: keep
 * the element's default). */
CastFixture *cast_fixture_new (GstCaps * caps, GstCaps * device_caps,
    gint64 buffer_time_us, gint64 latency_time_us);

/* NULL -> PLAYING, activates the source pad, sends stream-start, caps and a
 * TIME segment. */
void cast_fixture_start (CastFixture * f);

/* Re-activates the source pad and sends the sticky events again (after the
 * element went through READY, which drops them). */
void cast_fixture_restart_stream (CastFixture * f);

/* Sets the state and waits for it to complete; fails the test on FAILURE. */
void cast_fixture_set_state (CastFixture * f, GstState state);

/* To NULL and frees everything. */
void cast_fixture_free (CastFixture * f);

/* Pushes @n_frames of stream @sign (+1 = A, -1 = B) starting at stream
 * frame @first, S16LE mono only. @timestamped: set PTS/duration on the
 * buffer from the fixture's running timeline. */
GstFlowReturn cast_fixture_push_pattern (CastFixture * f, gint sign,
    guint64 first, guint n_frames, gboolean timestamped);

/* Pushes an arbitrary buffer (takes ownership), timestamping it if asked. */
GstFlowReturn cast_fixture_push_buffer (CastFixture * f, GstBuffer * buf,
    gboolean timestamped);

/* The value of frame @i of stream @sign. */
static inline gint16
cast_pattern_value (gint sign, guint64 i)
{
  return (gint16) (sign * (gint) (1 + (i % CAST_PERIOD_VALUES)));
}

/* Element API, checked through the public C functions. */
void cast_fixture_clear (CastFixture * f, guint64 * heard, guint64 * discarded);
gboolean cast_fixture_drain (CastFixture * f, gint64 timeout_us);

typedef struct
{
  guint64 written;
  guint64 played;
  guint64 cleared;
  guint64 buffered;
  guint underruns;
} CastStats;

/* Reads the statistics properties. */
void cast_stats_read (GstElement * cast, CastStats * s);

/* Reads them until two consecutive readings agree (the properties are read
 * one by one, so a single reading may mix moments); returns the last one. */
void cast_stats_read_stable (GstElement * cast, CastStats * s);

/* fail_unless the invariant written = played + cleared + buffered. */
#define cast_assert_invariant(s) \
  fail_unless ((s)->written == (s)->played + (s)->cleared + (s)->buffered, \
      "invariant broken: written %" G_GUINT64_FORMAT " != played %" \
      G_GUINT64_FORMAT " + cleared %" G_GUINT64_FORMAT " + buffered %" \
      G_GUINT64_FORMAT, (s)->written, (s)->played, (s)->cleared, \
      (s)->buffered)

/*
 * Device log analysis for the S16 mono pattern.
 */
typedef struct
{
  gint16 *samples;              /* the whole log as S16 mono */
  gsize n;
} CastLog;

void cast_log_get (CastFixture * f, CastLog * log);
void cast_log_free (CastLog * log);

/* Index of the first / one past the last non-zero sample ([0,0) if none). */
void cast_log_trim (const CastLog * log, gsize * start, gsize * end);

/* Number of samples from stream @sign in [from, log->n). */
gsize cast_log_count_stream (const CastLog * log, gint sign, gsize from);

/* Index of the first sample of stream @sign at or after @from, or -1. */
gssize cast_log_find_stream (const CastLog * log, gint sign, gsize from);

/* Checks that log[at .. at+n) is frames first..first+n of stream @sign;
 * on mismatch fails the test naming the first differing position. */
void cast_log_assert_sequence (const CastLog * log, gsize at, gint sign,
    guint64 first, gsize n);

/*
 * A pushing thread.
 */
typedef struct
{
  CastFixture *f;
  gint sign;
  guint frames_per_buffer;
  guint64 total_frames;         /* 0: until stopped or flow != OK */
  gboolean timestamped;

  /* out, atomically updated */
  gint stop;
  gint in_push;
  gint done;
  guint64 frames_pushed;        /* frames of pushes that returned OK */
  GstFlowReturn last_ret;

  GMutex lock;
  GThread *thread;
} CastProducer;

CastProducer *cast_producer_start (CastFixture * f, gint sign,
    guint frames_per_buffer, guint64 total_frames, gboolean timestamped);
/* Asks the producer to stop after its current push, joins it and frees it.
 * Returns the number of frames successfully pushed. */
guint64 cast_producer_join (CastProducer * p, GstFlowReturn * last_ret);
guint64 cast_producer_pushed (CastProducer * p);

/* Waits until the producer is stuck in a push: it has not finished, the
 * element reports at least @min_written frames written and that figure and
 * the producer's progress stayed unchanged over several polls. Returns FALSE
 * if the producer finished instead (never blocked). */
gboolean cast_producer_wait_blocked (CastProducer * p, guint64 min_written);

/* The fake device's segment and ring sizes (its GstAudioBaseSink
 * latency-time / buffer-time) in frames at the element's input rate. */
guint64 cast_fixture_device_segment_frames (CastFixture * f);
guint64 cast_fixture_device_buffer_frames (CastFixture * f);

/* Ring capacity (buffer-time) and period (latency-time) in input frames. */
guint64 cast_fixture_capacity_frames (CastFixture * f);
guint64 cast_fixture_period_frames (CastFixture * f);

/* Waits (no time limit: the test watchdog ends a hang) until
 * frames-played >= @frames. */
void cast_fixture_wait_played (CastFixture * f, guint64 frames);

/* Milliseconds of sleep, for ordering only (never a pass criterion). */
void cast_sleep_ms (guint ms);

G_END_DECLS
