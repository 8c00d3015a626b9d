/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * AudioCastQueue: the ring buffer and the thread that feeds the device.
 *
 * Threads
 * -------
 * - The producer (upstream's streaming thread) runs chain() and the
 *   serialized events: it copies frames into the ring and waits on
 *   space_cond while the ring is full.
 * - The output thread is the source pad's task (push_loop). Every iteration
 *   it takes one period (latency-time) of frames from the ring, or silence when
 *   the ring is dry, and pushes it through audioconvert/audioresample into the
 *   device sink, which blocks while the device is full. The device never
 *   starves, the timeline it receives is continuous (so nothing is dropped as
 *   "late" and positions are exact), and the tail of every write leaves the
 *   converter and the sink's partial segments.
 * - Application threads call clear(), drain() and read the statistics.
 *
 * Locks
 * -----
 * - lock: the ring, the counters, the flags and the playout tracker. Held
 *   only for bookkeeping and memcpy, never across a push, a wait on another
 *   element or a call into the device.
 * - flush_lock: makes the FLUSH_START sent by clear() (from the caller's
 *   thread, so silence is immediate) always precede the FLUSH_STOP that the
 *   output thread sends before its next buffer.
 * - device_lock (read/write): keeps device clock reads away from the moments
 *   the device sink sets up or tears down its stream.
 * - preroll_lock (recursive): orders the ASYNC_START a state change or a
 *   flush posts before the ASYNC_DONE the first data answers it with; held
 *   while posting them, never by the output thread. Recursive because
 *   completing the state may run the next state change in the same thread.
 *
 * Clearing
 * --------
 * clear() drops the ring, bumps the generation (a producer blocked in
 * backpressure notices it and discards the rest of its buffer instead of
 * replaying it later), starts a new playout epoch, and flushes downstream:
 * the converter's history and the device's queue (for PulseAudio, the server's
 * buffer) are discarded. The device sink runs with async=FALSE, so a flush
 * does not make it lose its state or post anything to the application.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-queue.h"
#include "audiocast-media-position.h"
#include "audiocast-pending-events.h"
#include "audiocast-playout.h"
#include "audiocast-ring.h"
#include "audiocast-sync.h"

#include <gst/audio/audio.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (audio_cast_queue_debug);
#define GST_CAT_DEFAULT audio_cast_queue_debug

/* @a + @b_us for a monotonic time and a non-negative span, G_MAXINT64
 * (never) instead of overflowing. */
static inline gint64
saturating_add_us (gint64 a, gint64 b_us)
{
  return b_us > G_MAXINT64 - a ? G_MAXINT64 : a + b_us;
}

struct _AudioCastQueue
{
  GstElement parent;

  GstPad *sinkpad;
  GstPad *srcpad;

  /* lock: see the top of the file */
  GMutex lock;
  GCond space_cond;             /* producer: room in the ring, clear, flush */
  GCond work_cond;              /* output thread: format, EOS, state */
  GCond played_cond;            /* drain: the position moved, clear, stop */

  GstClockTime buffer_time;
  GstClockTime latency_time;
  GstClockTime fade_time;
  GstClockTime lead_in_time;    /* silence opening every new stream... */
  GstClockTime restart_lead_in_time; /* ...and every restart after a flush */

  AudioCastRing ring;
  GstAudioInfo info;
  gboolean have_info;
  gboolean caps_pending;        /* output thread must push new caps */
  guint period_frames;

  /* A gentle clear plays out the device and fades the next frames out. */
  guint64 fade_max;             /* frames */
  guint8 *fade_buf;             /* fade_max frames in the stream format */
  gpointer fade_scratch;        /* the same, unpacked */
  guint64 fade_pending;         /* frames in fade_buf not pushed yet */

  guint64 space_wanted;         /* room a blocked producer waits for; 0: none */
  guint generation;             /* bumped by every clear */
  gboolean sink_flushing;       /* producer must leave */
  gboolean src_running;         /* output thread may run */
  gboolean src_failed;          /* downstream refused data */
  gboolean holding;             /* paused: feed silence, keep the ring */
  gboolean eos_received;
  gboolean eos_sent;
  guint64 eos_target;           /* frames written when EOS arrived */

  guint64 written;
  guint64 cleared;
  guint64 played_at_clear;      /* heard frames at the last clear */
  guint64 drain_mark;           /* written at the last drain/EOS/clear */
  guint underruns;
  gboolean dry;                 /* pushing silence since the ring ran dry */

  AudioCastPlayout playout;
  AudioCastMediaPosition media; /* upstream's segment, for position queries */

  /* sync: frames with timestamps are heard at their running time */
  AudioCastSync sync;
  gboolean sync_enabled;
  gboolean sync_restarted;      /* flushed the device to catch up; not again */
  GstClockTime pipeline_latency; /* from the LATENCY event */
  AudioCastPendingEvents pending_events; /* STREAM_START, TAG at their frame */

  /* preroll: like a GstBaseSink, PAUSED completes with the first data */
  gboolean async_enabled;
  gboolean preroll_pending;

  /* The clock the element provides: the heard timeline (see
   * queue_clock_time), which stands still over the frames it does not
   * count: a restart's lead-in, and what a flush took from the device. */
  GstClock *clock;
  guint64 clock_skipped;
  guint epoch;                  /* bumped by every downstream flush */
  gboolean data_since_flush;
  gboolean flush_stop_pending;

  /* The device: its clock and its sample counter give the heard position. */
  GstElement *device;
  GstAudioBaseSink *device_audio;
  GstClock *device_clock;
  gboolean clock_broken;        /* see IMPLAUSIBLE_LEAD_SECONDS */
  gboolean restart_when_dry;    /* see audio_cast_queue_set_restart_when_dry */
  GstClockTime clock_lead;      /* see audio_cast_queue_set_clock_lead */
  GstClockTime clock_settle_time; /* see audio_cast_queue_set_clock_settle_time */
  gint64 clock_quiet_until;     /* monotonic µs: the clock is not read before */
  gint64 last_restart;          /* monotonic µs: stream start or restart */
  /* Once the clock broke, the position is extrapolated at the device's
   * rate from a known point: the last plausible reading, then after every
   * flush the start of the first buffer pushed (see read_device_now). */
  guint64 good_dev;             /* last plausible reading... */
  gint64 good_time;             /* ...and when (monotonic µs; 0: none) */
  gboolean wall_valid;
  guint64 wall_dev;             /* device sample played at wall_time */
  gint64 wall_time;
  gulong probe_id;
  GstPad *probe_pad;
  gint dev_rate;

  /* output thread only */
  GstBufferPool *pool;
  gboolean need_stream_start;
  gboolean need_segment;
  gboolean need_discont;
  guint64 lead_in;              /* silence still owed before data, frames */
  gboolean flushed;             /* the next discontinuity follows a flush */
  guint64 sink_t_end;           /* timeline end of the last buffer the device got */

  GMutex flush_lock;            /* see the top of the file */
  GRecMutex preroll_lock;       /* see the top of the file */

  /* device_lock: readers read the device clock; writers change what stands
   * behind it (the device acquiring or releasing its stream on new caps or
   * a state change), during which pulsesink's clock would post a spurious
   * "Disconnected" error. device_usable is written with it held. */
  GRWLock device_lock;
  gboolean device_usable;
};

G_DEFINE_FINAL_TYPE_WITH_CODE (AudioCastQueue, audio_cast_queue,
    GST_TYPE_ELEMENT,
    GST_DEBUG_CATEGORY_INIT (audio_cast_queue_debug, "audiocastqueue", 0,
        "audiocast ring buffer"));

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, "
        "format = (string) " GST_AUDIO_FORMATS_ALL ", "
        "rate = (int) [ 1, MAX ], "
        "channels = (int) [ 1, " G_STRINGIFY (AUDIO_CAST_MAX_CHANNELS) " ], "
        "layout = (string) interleaved"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, layout = (string) interleaved"));

/* A device clock reading this far past the last written sample is nonsense.
 * libpulse can return one right after a cork (its smoother extrapolates
 * backwards and wraps), and then keeps returning it, as its time must never
 * go back. */
#define IMPLAUSIBLE_LEAD_SECONDS 10

/* Reads the sample the device is playing now, in the counter of
 * GstAudioBaseSink::next_sample. Called without the lock: the device clock
 * may take the sound server's lock. */
static gboolean
read_device_now (AudioCastQueue *self, guint64 *dev_now)
{
  GstAudioBaseSink *audio = NULL;
  GstClock *clock = NULL;
  GstClockTime now;
  gboolean clock_broken, quiet, have_estimate;
  guint64 limit, lead;
  gint rate;

  g_mutex_lock (&self->lock);
  lead = self->clock_lead;
  if (self->device_clock && self->device_audio) {
    clock = gst_object_ref (self->device_clock);
    audio = gst_object_ref (self->device_audio);
  }
  rate = self->dev_rate;
  clock_broken = self->clock_broken;
  quiet = g_get_monotonic_time () < self->clock_quiet_until;
  limit = self->playout.anchor_dev + (guint64) rate * IMPLAUSIBLE_LEAD_SECONDS;
  g_mutex_unlock (&self->lock);

  if (clock == NULL || rate <= 0)
    goto unusable;

  g_rw_lock_reader_lock (&self->device_lock);
  if (!self->device_usable) {
    g_rw_lock_reader_unlock (&self->device_lock);
    goto unusable;
  }

  if (!clock_broken && !quiet) {
    now = gst_audio_clock_get_time (GST_AUDIO_CLOCK (clock));
    if (!GST_CLOCK_TIME_IS_VALID (now))
      goto unusable_locked;
    now -= MIN (now, lead);
    *dev_now = gst_util_uint64_scale_int (now, rate, GST_SECOND);
    g_mutex_lock (&self->lock);
    if (*dev_now <= limit) {
      self->good_dev = *dev_now;
      self->good_time = g_get_monotonic_time ();
      g_mutex_unlock (&self->lock);
      goto done;
    }
    GST_DEBUG_OBJECT (self, "device clock jumped to %" G_GUINT64_FORMAT
        ", extrapolating the device position from now on", *dev_now);
    self->clock_broken = TRUE;
    self->wall_valid = self->good_time != 0;
    self->wall_dev = self->good_dev;
    self->wall_time = self->good_time;
    g_mutex_unlock (&self->lock);
  }

  /* Two estimates, both late rather than early; the later position wins.
   * The ring buffer's segment count: segment-granular and updated less
   * often, so two segments back (exact for ring sinks such as alsasink,
   * barely moving on pulsesink). And the device playing at its rate from a
   * known point, never past what it was given (so a stalled device costs
   * at most its buffer). */
  have_estimate = audio->ringbuffer
      && gst_audio_ring_buffer_is_acquired (audio->ringbuffer);
  if (have_estimate) {
    /* samples_done is already the ring's segment base behind the count
     * (see resume_at_device_position). */
    guint64 back = 2 * (guint64) audio->ringbuffer->samples_per_seg;
    guint64 base = (guint64) MAX (audio->ringbuffer->segbase, 0)
        * audio->ringbuffer->samples_per_seg;

    *dev_now = gst_audio_ring_buffer_samples_done (audio->ringbuffer);
    *dev_now -= MIN (*dev_now, back - MIN (back, base));
  }
  g_mutex_lock (&self->lock);
  if (self->wall_valid) {
    gint64 elapsed = g_get_monotonic_time () - self->wall_time;
    guint64 played = self->wall_dev + (elapsed > 0 ?
        gst_util_uint64_scale_int (elapsed, rate, G_USEC_PER_SEC) : 0);

    played = MIN (played, self->playout.anchor_dev);
    *dev_now = have_estimate ? MAX (*dev_now, played) : played;
    have_estimate = TRUE;
  }
  g_mutex_unlock (&self->lock);
  if (!have_estimate)
    goto unusable_locked;

done:
  g_rw_lock_reader_unlock (&self->device_lock);
  GST_LOG_OBJECT (self, "device at %" G_GUINT64_FORMAT, *dev_now);
  gst_object_unref (clock);
  gst_object_unref (audio);
  return TRUE;

unusable_locked:
  g_rw_lock_reader_unlock (&self->device_lock);
unusable:
  g_clear_object (&clock);
  g_clear_object (&audio);
  return FALSE;
}

/* Brings the heard position up to date; takes the lock. */
static void
update_position (AudioCastQueue *self)
{
  guint64 dev_now;

  if (!read_device_now (self, &dev_now))
    return;
  g_mutex_lock (&self->lock);
  audio_cast_playout_advance (&self->playout, dev_now);
  g_mutex_unlock (&self->lock);
}

/* With the lock held. Frames accepted but neither heard nor cleared. */
static guint64
buffered_locked (AudioCastQueue *self)
{
  return audio_cast_ring_fill (&self->ring) + self->fade_pending
      + audio_cast_playout_pushed (&self->playout)
      - audio_cast_playout_heard (&self->playout);
}

void
audio_cast_queue_get_stats (AudioCastQueue *self, AudioCastQueueStats *stats)
{
  g_return_if_fail (AUDIO_CAST_IS_QUEUE (self));

  update_position (self);
  g_mutex_lock (&self->lock);
  stats->written = self->written;
  stats->played = audio_cast_playout_heard (&self->playout);
  stats->cleared = self->cleared;
  stats->buffered = buffered_locked (self);
  stats->underruns = self->underruns;
  stats->queued_timeline = self->playout.t_end - self->playout.heard_t;
  stats->rate = self->have_info ? GST_AUDIO_INFO_RATE (&self->info) : 0;
  g_mutex_unlock (&self->lock);
}

/**
 * audio_cast_queue_query_position:
 * @stream_time: (out): where in the media the sound heard now comes from
 *
 * For a queue fed by a media pipeline: the stream time of the frame heard
 * now, by upstream's segment (see AudioCastMediaPosition). Frozen while
 * paused, since nothing is heard then. FALSE before a TIME segment came.
 */
gboolean
audio_cast_queue_query_position (AudioCastQueue *self, gint64 *stream_time)
{
  gboolean ok;

  update_position (self);
  g_mutex_lock (&self->lock);
  ok = self->have_info && audio_cast_media_position_get (&self->media,
      audio_cast_playout_heard (&self->playout) + self->cleared,
      GST_AUDIO_INFO_RATE (&self->info), stream_time);
  g_mutex_unlock (&self->lock);
  return ok;
}

/* The time function of the element's clock: the timeline heard, less the
 * frames it does not count (see clock_skipped). It runs as the device plays,
 * silence included (paused, or an application writing slower than real
 * time), so pipelines run on it while nothing comes; after a restart it
 * stands still until the new audio is heard, which keeps what comes after
 * a seek or a clear on time. GstAudioClock keeps it monotonic. */
static GstClockTime
queue_clock_time (GstClock *clock, gpointer user_data)
{
  AudioCastQueue *self = user_data;
  GstClockTime time = GST_CLOCK_TIME_NONE;

  update_position (self);
  g_mutex_lock (&self->lock);
  if (self->have_info && self->playout.rate > 0)
    time = gst_util_uint64_scale_int (self->playout.heard_t
        - MIN (self->playout.heard_t, self->clock_skipped), GST_SECOND,
        self->playout.rate);
  g_mutex_unlock (&self->lock);
  return time;
}

/**
 * audio_cast_queue_get_clock:
 *
 * Returns: (transfer full): the clock the element provides
 */
GstClock *
audio_cast_queue_get_clock (AudioCastQueue *self)
{
  return gst_object_ref (self->clock);
}

/* With the lock held: everything pushed so far is heard or about to leave
 * the device with a flush, so the playout map starts over, and so do the
 * device positions a broken clock is extrapolated from (those of a quiet
 * clock are the server's, which a flush does not move). */
static void
new_epoch_locked (AudioCastQueue *self)
{
  /* The clock does not count what the device will never play. */
  self->clock_skipped += self->playout.t_end - self->playout.heard_t;
  audio_cast_sync_unalign (&self->sync);
  audio_cast_playout_new_epoch (&self->playout);
  if (self->clock_broken)
    self->wall_valid = FALSE;
  self->epoch++;
}

/* With the lock held: the caller sends FLUSH_START (holding flush_lock);
 * the output thread sends the FLUSH_STOP before its next buffer. */
static void
request_flush_locked (AudioCastQueue *self)
{
  self->data_since_flush = FALSE;
  self->flush_stop_pending = TRUE;
  g_cond_broadcast (&self->work_cond);
}

/* With the lock held: forget everything not yet heard. Returns how many
 * frames that was. */
static guint64
discard_unheard_locked (AudioCastQueue *self)
{
  guint64 discarded = buffered_locked (self);

  audio_cast_ring_discard (&self->ring);
  new_epoch_locked (self);
  self->cleared += discarded;
  self->played_at_clear = audio_cast_playout_heard (&self->playout);
  self->drain_mark = self->written;
  self->generation++;

  g_cond_broadcast (&self->space_cond);
  g_cond_broadcast (&self->played_cond);
  g_cond_broadcast (&self->work_cond);
  return discarded;
}

/* With the lock held: moves the next frames of the ring into fade_buf with a
 * fade-out applied, through the format's own unpack/pack functions so one
 * loop serves every sample format. Returns how many frames. */
static guint64
take_fade_locked (AudioCastQueue *self)
{
  const GstAudioFormatInfo *finfo = self->info.finfo;
  gint channels = GST_AUDIO_INFO_CHANNELS (&self->info);
  guint64 n = audio_cast_ring_read (&self->ring, self->fade_buf,
      self->fade_max);
  guint64 i;
  gint c;

  finfo->unpack_func (finfo, 0, self->fade_scratch, self->fade_buf,
      n * channels);
  for (i = 0; i < n; i++) {
    gdouble gain = (gdouble) (n - i) / (n + 1);

    for (c = 0; c < channels; c++) {
      if (finfo->unpack_format == GST_AUDIO_FORMAT_F64)
        ((gdouble *) self->fade_scratch)[i * channels + c] *= gain;
      else
        ((gint32 *) self->fade_scratch)[i * channels + c] *= gain;
    }
  }
  finfo->pack_func (finfo, 0, self->fade_scratch, self->fade_buf,
      n * channels);
  return n;
}

/* fade-time > 0: what the device holds (a few periods) plays out and the
 * next frames fade out instead of stopping mid-waveform. Nothing downstream
 * is flushed, so the frames already pushed count as heard. */
static void
clear_gently_locked (AudioCastQueue *self, guint64 *heard,
    guint64 *discarded)
{
  guint64 fade = take_fade_locked (self);
  guint64 will_be_heard = audio_cast_playout_pushed (&self->playout) + fade;

  *heard = will_be_heard - self->played_at_clear;
  *discarded = audio_cast_ring_discard (&self->ring);
  self->cleared += *discarded;
  self->fade_pending = fade;
  self->played_at_clear = will_be_heard;
  self->drain_mark = self->written;
  self->generation++;

  g_cond_broadcast (&self->space_cond);
  g_cond_broadcast (&self->played_cond);
}

void
audio_cast_queue_clear (AudioCastQueue *self, guint64 *frames_heard,
    guint64 *frames_discarded)
{
  guint64 heard, discarded;
  gboolean flush = FALSE;

  g_return_if_fail (AUDIO_CAST_IS_QUEUE (self));

  update_position (self);

  g_mutex_lock (&self->flush_lock);
  g_mutex_lock (&self->lock);
  if (self->fade_max > 0 && self->src_running && self->fade_pending == 0) {
    clear_gently_locked (self, &heard, &discarded);
    goto done;
  }
  heard = audio_cast_playout_heard (&self->playout) - self->played_at_clear;
  discarded = discard_unheard_locked (self);
  self->fade_pending = 0;
  /* Also after an EOS went downstream with nothing since: only a flush
   * takes the EOS back (a flushing seek after the end, then new data). */
  flush = self->src_running && (self->data_since_flush || self->eos_sent);
  if (flush)
    request_flush_locked (self);
done:
  g_mutex_unlock (&self->lock);

  /* Sent from this thread so the device falls silent now; the output thread
   * sends the FLUSH_STOP before its next buffer. */
  if (flush)
    gst_pad_push_event (self->srcpad, gst_event_new_flush_start ());
  g_mutex_unlock (&self->flush_lock);

  GST_DEBUG_OBJECT (self, "cleared: %" G_GUINT64_FORMAT " heard, %"
      G_GUINT64_FORMAT " discarded", heard, discarded);

  if (frames_heard)
    *frames_heard = heard;
  if (frames_discarded)
    *frames_discarded = discarded;
}

static const gchar *
drain_result_name (AudioCastDrainResult result)
{
  switch (result) {
    case AUDIO_CAST_DRAIN_HEARD:
      return "done";
    case AUDIO_CAST_DRAIN_INTERRUPTED:
      return "interrupted";
    case AUDIO_CAST_DRAIN_TIMED_OUT:
      return "timed out";
    default:
      return "failed";
  }
}

/* With the lock held, once the corrected clock says everything was heard:
 * on a server whose clock leads (audio_cast_queue_set_clock_lead()) the
 * lead is a bound seen to be overshot by a few tens of frames now and then,
 * so drain waits that long once more before it says so. Returns by
 * @deadline, or when the device stops or fails. */
static void
wait_out_clock_lead_locked (AudioCastQueue *self, gint64 deadline)
{
  gint64 until;

  if (self->clock_lead == 0)
    return;
  until = MIN (deadline, saturating_add_us (g_get_monotonic_time (),
          (gint64) (self->clock_lead / GST_USECOND)));
  while (self->src_running && !self->src_failed
      && g_get_monotonic_time () < until)
    g_cond_wait_until (&self->played_cond, &self->lock, until);
}

AudioCastDrainResult
audio_cast_queue_drain (AudioCastQueue *self, gint64 timeout_us)
{
  gint64 deadline = timeout_us < 0 ? G_MAXINT64
      : saturating_add_us (g_get_monotonic_time (), timeout_us);
  AudioCastDrainResult result;
  guint64 target;
  guint generation;

  g_return_val_if_fail (AUDIO_CAST_IS_QUEUE (self), AUDIO_CAST_DRAIN_FAILED);

  update_position (self);
  g_mutex_lock (&self->lock);
  target = self->written;
  generation = self->generation;
  self->drain_mark = target;

  for (;;) {
    guint64 settled = audio_cast_playout_heard (&self->playout) + self->cleared;
    gint64 now, wake;

    /* A clear counts what it discarded as settled: check it first. */
    if (generation != self->generation) {
      result = AUDIO_CAST_DRAIN_INTERRUPTED;
      break;
    }
    if (settled >= target) {
      wait_out_clock_lead_locked (self, deadline);
      result = AUDIO_CAST_DRAIN_HEARD;
      break;
    }
    if (self->src_failed) {
      result = AUDIO_CAST_DRAIN_FAILED;
      break;
    }
    if (!self->src_running) {
      result = AUDIO_CAST_DRAIN_INTERRUPTED;
      break;
    }

    now = g_get_monotonic_time ();
    if (now >= deadline) {
      result = AUDIO_CAST_DRAIN_TIMED_OUT;
      break;
    }

    /* The output thread signals after every period it pushes; when less
     * than a period is left, wake when it should have been heard. */
    wake = deadline;
    if (self->have_info) {
      gint64 remaining_us = gst_util_uint64_scale_int_ceil (target - settled,
          G_USEC_PER_SEC, GST_AUDIO_INFO_RATE (&self->info));
      if ((guint64) remaining_us * 1000 < self->latency_time)
        wake = MIN (deadline, now + MAX (remaining_us, 200));
    }
    g_cond_wait_until (&self->played_cond, &self->lock, wake);

    g_mutex_unlock (&self->lock);
    update_position (self);
    g_mutex_lock (&self->lock);
  }
  g_mutex_unlock (&self->lock);

  GST_DEBUG_OBJECT (self, "drain %s: target %" G_GUINT64_FORMAT ", heard_t %"
      G_GUINT64_FORMAT ", anchor t %" G_GUINT64_FORMAT " dev %" G_GUINT64_FORMAT,
      drain_result_name (result), target, self->playout.heard_t,
      self->playout.anchor_t, self->playout.anchor_dev);
  return result;
}

/**
 * audio_cast_queue_fail:
 *
 * Called when the device failed (its sink posted an error, e.g. the sound
 * server went away): writers blocked on a full ring and pending drains
 * return at once with an error, and later writes fail, instead of waiting
 * for a ring nobody will empty. The output thread may stay blocked inside
 * the failed sink until the element stops; it pushes nothing more.
 * Callable from any thread, including the device's own.
 */
void
audio_cast_queue_fail (AudioCastQueue *self)
{
  g_return_if_fail (AUDIO_CAST_IS_QUEUE (self));

  g_mutex_lock (&self->lock);
  if (self->src_running && !self->src_failed) {
    GST_DEBUG_OBJECT (self, "device failed");
    self->src_failed = TRUE;
  }
  g_cond_broadcast (&self->space_cond);
  g_cond_broadcast (&self->played_cond);
  g_cond_broadcast (&self->work_cond);
  g_mutex_unlock (&self->lock);
}

/**
 * audio_cast_queue_set_clock_lead:
 *
 * How far the device's clock may run ahead of what the server really took,
 * taken off every reading: PipeWire's pipewire-pulse moves its read index
 * one graph quantum at a time and libpulse interpolates the clock between,
 * so the clock leads by up to a quantum. Uncorrected, heard counts led the
 * sound (clear() reported up to 4 ms more than was heard) and drain()
 * returned before the last partial quantum was taken (a stop right after it
 * lost 96 to 192 frames at 48 kHz in every run). 0 (the default) for
 * servers whose clock does not lead.
 */
void
audio_cast_queue_set_clock_lead (AudioCastQueue *self, GstClockTime lead)
{
  g_mutex_lock (&self->lock);
  self->clock_lead = lead;
  g_mutex_unlock (&self->lock);
}

/**
 * audio_cast_queue_set_clock_settle_time:
 *
 * How long after the first buffer of a (re)started stream the device clock
 * must not be read (see quiet_device_clock()): for pulsesink, longer than
 * the most audio the server can report as sink latency. 0 (the default):
 * the clock is always read.
 */
void
audio_cast_queue_set_clock_settle_time (AudioCastQueue *self,
    GstClockTime settle_time)
{
  g_mutex_lock (&self->lock);
  self->clock_settle_time = settle_time;
  g_mutex_unlock (&self->lock);
}

/**
 * audio_cast_queue_set_restart_when_dry:
 *
 * For devices that place each write at an absolute stream position, after
 * the last one (pulsesink: the server drops what lands behind its read
 * position): when the output thread ran so late that the device played
 * everything it had, the device is flushed so its timeline restarts, instead
 * of the next periods being dropped. Ring sinks (alsasink) realign by
 * themselves and must not be flushed: that would drop what they hold.
 */
void
audio_cast_queue_set_restart_when_dry (AudioCastQueue *self, gboolean restart)
{
  g_mutex_lock (&self->lock);
  self->restart_when_dry = restart;
  g_mutex_unlock (&self->lock);
}

void
audio_cast_queue_set_times (AudioCastQueue *self, GstClockTime buffer_time,
    GstClockTime latency_time, GstClockTime fade_time,
    GstClockTime lead_in_time, GstClockTime restart_lead_in_time)
{
  g_mutex_lock (&self->lock);
  self->buffer_time = buffer_time;
  self->latency_time = latency_time;
  self->fade_time = fade_time;
  self->lead_in_time = lead_in_time;
  self->restart_lead_in_time = restart_lead_in_time;
  g_mutex_unlock (&self->lock);
}

/* The bin calls this with FALSE before it takes the device sink down, and
 * with TRUE once the device sink runs again. */
void
audio_cast_queue_set_device_usable (AudioCastQueue *self, gboolean usable)
{
  g_rw_lock_writer_lock (&self->device_lock);
  self->device_usable = usable;
  g_rw_lock_writer_unlock (&self->device_lock);
}

/* While the element is PAUSED the device keeps running on silence: pausing
 * the device sink itself would cut a write short, and GstAudioBaseSink then
 * resumes at the device's read position, over audio it had queued. */
static void
set_holding (AudioCastQueue *self, gboolean holding)
{
  g_mutex_lock (&self->lock);
  self->holding = holding;
  if (holding)
    audio_cast_sync_unalign (&self->sync);
  g_mutex_unlock (&self->lock);
}

/**
 * audio_cast_queue_set_sync:
 *
 * TRUE: frames that come with timestamps are heard at their running time on
 * the pipeline's clock (early ones wait, late ones are dropped); frames
 * without timestamps play back to back either way. FALSE (the player):
 * every frame plays back to back.
 */
void
audio_cast_queue_set_sync (AudioCastQueue *self, gboolean sync)
{
  g_mutex_lock (&self->lock);
  self->sync_enabled = sync;
  audio_cast_sync_unalign (&self->sync);
  g_mutex_unlock (&self->lock);
}

/**
 * audio_cast_queue_set_async:
 *
 * TRUE: like any GstBaseSink, going to PAUSED completes when the first data
 * (or EOS, or a gap) arrives, and a flush loses the state until then, so a
 * pipeline prerolls and takes a new base time after a seek. FALSE (the
 * player, which writes without a pad): state changes complete at once.
 */
void
audio_cast_queue_set_async (AudioCastQueue *self, gboolean async)
{
  g_rec_mutex_lock (&self->preroll_lock);
  self->async_enabled = async;
  g_rec_mutex_unlock (&self->preroll_lock);
}

/* The pipeline's latency (a LATENCY event): live pipelines want each frame
 * heard that much after its running time. */
void
audio_cast_queue_set_pipeline_latency (AudioCastQueue *self,
    GstClockTime latency)
{
  g_mutex_lock (&self->lock);
  self->pipeline_latency = GST_CLOCK_TIME_IS_VALID (latency) ? latency : 0;
  audio_cast_sync_unalign (&self->sync);
  g_mutex_unlock (&self->lock);
}

/* The output thread sees every buffer the device gets: remember where in the
 * timeline the device's input ends, and the device's rate. */
static GstPadProbeReturn
device_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  AudioCastQueue *self = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
    gint rate = GST_AUDIO_INFO_RATE (&self->info);

    if (GST_BUFFER_PTS_IS_VALID (buf) && GST_BUFFER_DURATION_IS_VALID (buf)
        && rate > 0)
      self->sink_t_end = gst_util_uint64_scale_int_round (GST_BUFFER_PTS (buf)
          + GST_BUFFER_DURATION (buf), rate, GST_SECOND);
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

    if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS) {
      GstCaps *caps;
      GstAudioInfo dinfo;

      gst_event_parse_caps (event, &caps);
      if (gst_audio_info_from_caps (&dinfo, caps)) {
        g_mutex_lock (&self->lock);
        self->dev_rate = GST_AUDIO_INFO_RATE (&dinfo);
        g_mutex_unlock (&self->lock);
      }
    }
  }
  return GST_PAD_PROBE_OK;
}

static GstAudioBaseSink *
find_audio_base_sink (GstElement *element)
{
  GstIterator *it;
  GValue item = G_VALUE_INIT;
  GstAudioBaseSink *found = NULL;

  if (GST_IS_AUDIO_BASE_SINK (element))
    return GST_AUDIO_BASE_SINK (gst_object_ref (element));
  if (!GST_IS_BIN (element))
    return NULL;

  /* Wrappers such as autoaudiosink hold the real sink inside. */
  it = gst_bin_iterate_sinks (GST_BIN (element));
  while (!found && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    found = find_audio_base_sink (g_value_get_object (&item));
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  return found;
}

static void
release_device (AudioCastQueue *self)
{
  if (self->probe_pad) {
    gst_pad_remove_probe (self->probe_pad, self->probe_id);
    gst_clear_object (&self->probe_pad);
  }
  g_mutex_lock (&self->lock);
  gst_clear_object (&self->device_clock);
  gst_clear_object (&self->device_audio);
  gst_clear_object (&self->device);
  self->clock_broken = FALSE;
  self->clock_quiet_until = 0;
  self->good_time = 0;
  self->wall_valid = FALSE;
  self->dev_rate = 0;
  g_mutex_unlock (&self->lock);
}

/* Called by the bin once the device sink is in READY (wrappers have created
 * their child by then). */
void
audio_cast_queue_set_device (AudioCastQueue *self, GstElement *device_sink)
{
  GstAudioBaseSink *audio;
  GstElement *probed;

  release_device (self);
  if (device_sink == NULL)
    return;

  audio = find_audio_base_sink (device_sink);
  probed = audio ? GST_ELEMENT (audio) : device_sink;
  self->probe_pad = gst_element_get_static_pad (probed, "sink");
  if (self->probe_pad)
    self->probe_id = gst_pad_add_probe (self->probe_pad,
        GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        device_probe, self, NULL);

  g_mutex_lock (&self->lock);
  self->device = gst_object_ref (device_sink);
  self->device_audio = audio;
  if (audio && audio->provided_clock && GST_IS_AUDIO_CLOCK (audio->provided_clock))
    self->device_clock = gst_object_ref (audio->provided_clock);
  g_mutex_unlock (&self->lock);

  if (!self->device_clock)
    GST_INFO_OBJECT (self, "%s has no audio clock: audio counts as heard once "
        "the sink took it", GST_OBJECT_NAME (device_sink));
}

/* ---- preroll ---- */

/* With the lock held: what a PAUSED sink needs to complete its state. */
static gboolean
prerolled_locked (AudioCastQueue *self)
{
  return audio_cast_ring_fill (&self->ring) > 0 || self->eos_received;
}

/* Data, EOS or a gap arrived: a pending PAUSED completes. */
static void
commit_preroll (AudioCastQueue *self)
{
  gboolean pending;

  g_rec_mutex_lock (&self->preroll_lock);
  g_mutex_lock (&self->lock);
  pending = self->preroll_pending;
  self->preroll_pending = FALSE;
  g_cond_broadcast (&self->work_cond);
  g_mutex_unlock (&self->lock);
  if (pending) {
    GST_DEBUG_OBJECT (self, "prerolled");
    gst_element_continue_state (GST_ELEMENT (self), GST_STATE_CHANGE_SUCCESS);
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_async_done (GST_OBJECT (self), GST_CLOCK_TIME_NONE));
  }
  g_rec_mutex_unlock (&self->preroll_lock);
}

/* A flush while PAUSED or PLAYING: as for any GstBaseSink the state is lost
 * until new data comes, and what comes is held until the pipeline says
 * PLAYING again, with the new base time the seek called for. */
static void
lose_preroll (AudioCastQueue *self)
{
  gboolean lose;

  g_rec_mutex_lock (&self->preroll_lock);
  GST_OBJECT_LOCK (self);
  lose = self->async_enabled && GST_STATE (self) >= GST_STATE_PAUSED
      && GST_STATE_TARGET (self) >= GST_STATE_PAUSED;
  GST_OBJECT_UNLOCK (self);
  if (lose) {
    g_mutex_lock (&self->lock);
    self->preroll_pending = TRUE;
    g_mutex_unlock (&self->lock);
    set_holding (self, TRUE);
    gst_element_lost_state (GST_ELEMENT (self));
  }
  g_rec_mutex_unlock (&self->preroll_lock);
}

/* After the state change itself: whether it waits for preroll. */
static GstStateChangeReturn
wait_preroll (AudioCastQueue *self, GstStateChange transition)
{
  gboolean wait;

  g_rec_mutex_lock (&self->preroll_lock);
  g_mutex_lock (&self->lock);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_PLAYING)
    wait = self->preroll_pending;
  else
    wait = self->async_enabled && !prerolled_locked (self);
  self->preroll_pending = wait;
  if (transition == GST_STATE_CHANGE_PAUSED_TO_PLAYING && !wait)
    self->holding = FALSE;
  g_mutex_unlock (&self->lock);
  if (wait)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_async_start (GST_OBJECT (self)));
  g_rec_mutex_unlock (&self->preroll_lock);
  return wait ? GST_STATE_CHANGE_ASYNC : GST_STATE_CHANGE_SUCCESS;
}

static GstStateChangeReturn
audio_cast_queue_change_state (GstElement *element, GstStateChange transition)
{
  AudioCastQueue *self = AUDIO_CAST_QUEUE (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      set_holding (self, FALSE);
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      set_holding (self, TRUE);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      g_rec_mutex_lock (&self->preroll_lock);
      g_mutex_lock (&self->lock);
      self->preroll_pending = FALSE;
      g_mutex_unlock (&self->lock);
      g_rec_mutex_unlock (&self->preroll_lock);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (audio_cast_queue_parent_class)->change_state
      (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      if (wait_preroll (self, transition) == GST_STATE_CHANGE_ASYNC)
        ret = GST_STATE_CHANGE_ASYNC;
      break;
    default:
      break;
  }
  return ret;
}

/* ---- producer side ---- */

/* With the lock held: the output thread is feeding the device silence
 * because everything written was heard, and it knows where the device is. */
static gboolean
idle_locked (AudioCastQueue *self)
{
  return self->src_running && !self->src_failed && self->have_info
      && !self->holding && !self->eos_received && !self->flush_stop_pending
      && self->dry && self->fade_pending == 0 && self->device_clock != NULL
      && self->playout.anchored && buffered_locked (self) == 0;
}

/* A write into an idle queue would start behind the silence the device was
 * kept fed with (up to its whole buffer). When that is more than a restart
 * costs — the lead-in, and the up to two periods past the read position
 * where GstAudioBaseSink resumes after a flush (less than one on pulsesink,
 * see resume_at_device_position()) — it is dropped the way
 * clear() drops audio, so the new audio starts sooner. */
static void
skip_queued_silence (AudioCastQueue *self)
{
  gboolean flush;
  guint64 worth_it;

  g_mutex_lock (&self->lock);
  flush = idle_locked (self);
  g_mutex_unlock (&self->lock);
  if (!flush)
    return;

  update_position (self);

  g_mutex_lock (&self->flush_lock);
  g_mutex_lock (&self->lock);
  worth_it = gst_util_uint64_scale_int (self->restart_lead_in_time
      + 2 * self->latency_time, GST_AUDIO_INFO_RATE (&self->info), GST_SECOND);
  flush = idle_locked (self)
      && self->playout.t_end - self->playout.heard_t > worth_it;
  if (flush) {
    GST_DEBUG_OBJECT (self, "skipping %" G_GUINT64_FORMAT " frames of "
        "silence queued in the device",
        self->playout.t_end - self->playout.heard_t);
    /* Nothing unheard is data: no frame counts change. */
    new_epoch_locked (self);
    request_flush_locked (self);
  }
  g_mutex_unlock (&self->lock);

  if (flush)
    gst_pad_push_event (self->srcpad, gst_event_new_flush_start ());
  g_mutex_unlock (&self->flush_lock);
}

/**
 * audio_cast_queue_write:
 * @frames_accepted: (out): frames that went into the ring
 *
 * Copies interleaved frames of the negotiated format into the ring, waiting
 * while it is full. Returns early, with GST_FLOW_OK, when a clear discards
 * the rest (it belongs to the audio the application just dropped); with
 * GST_FLOW_FLUSHING when the element stops; GST_FLOW_ERROR when the device
 * failed, so no writer waits for a ring nobody empties.
 *
 * Serves both the sink pad's chain function and the player, which writes
 * from the application's thread without a pad in between.
 */
GstFlowReturn
audio_cast_queue_write (AudioCastQueue *self, const guint8 *data,
    guint64 frames, guint64 *frames_accepted)
{
  GstFlowReturn ret = GST_FLOW_OK;
  guint64 done = 0;
  guint generation;
  gsize bpf;

  if (frames > 0)
    skip_queued_silence (self);

  g_mutex_lock (&self->lock);
  if (self->sink_flushing) {
    ret = GST_FLOW_FLUSHING;
    goto out;
  }
  if (self->eos_received) {
    ret = GST_FLOW_EOS;
    goto out;
  }
  if (!self->have_info) {
    ret = GST_FLOW_NOT_NEGOTIATED;
    goto out;
  }
  if (self->src_failed) {
    ret = GST_FLOW_ERROR;
    goto out;
  }

  bpf = GST_AUDIO_INFO_BPF (&self->info);
  generation = self->generation;

  while (done < frames) {
    guint64 n = audio_cast_ring_write (&self->ring, data + done * bpf,
        frames - done);

    done += n;
    self->written += n;
    if (done == frames)
      break;
    if (self->src_failed) {
      ret = GST_FLOW_ERROR;
      break;
    }

    /* Wake when a quarter of the ring is free, not for every period the
     * device takes: a writer streaming small chunks into a full ring would
     * otherwise switch threads once per period. */
    self->space_wanted = MAX (self->ring.capacity / 4, 1);
    g_cond_wait (&self->space_cond, &self->lock);
    self->space_wanted = 0;
    if (self->sink_flushing) {
      ret = GST_FLOW_FLUSHING;
      break;
    }
    /* Cleared while we waited: the rest belongs to the audio the
     * application just discarded. */
    if (self->generation != generation)
      break;
  }

out:
  g_mutex_unlock (&self->lock);
  *frames_accepted = done;
  return ret;
}

/* With the lock held: the running time of a timestamp in upstream's
 * segment; NONE without one (untimed frames play back to back). */
static GstClockTime
running_time_locked (AudioCastQueue *self, GstClockTime pts)
{
  if (!self->media.have_segment || !GST_CLOCK_TIME_IS_VALID (pts))
    return GST_CLOCK_TIME_NONE;
  return gst_segment_to_running_time (&self->media.segment, GST_FORMAT_TIME,
      pts);
}

/* With sync, what lies outside upstream's segment is not played (the head
 * of the buffer an accurate seek lands in, the tail past its stop), as in
 * any audio sink; without it every frame is. */
static GstBuffer *
clip_to_segment (AudioCastQueue *self, GstBuffer *buffer)
{
  GstSegment segment;
  gboolean clip;
  gint rate;
  gsize bpf;

  g_mutex_lock (&self->lock);
  clip = self->sync_enabled && self->have_info && self->media.have_segment
      && GST_BUFFER_PTS_IS_VALID (buffer);
  if (clip) {
    segment = self->media.segment;
    rate = GST_AUDIO_INFO_RATE (&self->info);
    bpf = GST_AUDIO_INFO_BPF (&self->info);
  }
  g_mutex_unlock (&self->lock);
  return clip ? gst_audio_buffer_clip (buffer, &segment, rate, bpf) : buffer;
}

static GstFlowReturn
audio_cast_queue_chain (GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
  AudioCastQueue *self = AUDIO_CAST_QUEUE (parent);
  GstFlowReturn ret;
  GstMapInfo map;
  guint64 accepted;
  gsize bpf, partial;

  /* The format only changes in this same thread (caps events). */
  bpf = self->have_info ? GST_AUDIO_INFO_BPF (&self->info) : 1;
  buffer = clip_to_segment (self, buffer);
  if (buffer == NULL) {
    commit_preroll (self);
    return GST_FLOW_OK;
  }

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    gst_buffer_unref (buffer);
    GST_ELEMENT_ERROR (self, RESOURCE, READ, (NULL), ("Failed to map buffer"));
    return GST_FLOW_ERROR;
  }
  partial = map.size % bpf;
  if (G_UNLIKELY (partial != 0))
    GST_ELEMENT_WARNING (self, STREAM, FORMAT, (NULL),
        ("buffer of %" G_GSIZE_FORMAT " bytes holds no whole number of %"
            G_GSIZE_FORMAT "-byte frames; the last %" G_GSIZE_FORMAT
            " bytes were dropped", map.size, bpf, partial));

  g_mutex_lock (&self->lock);
  if (self->have_info) {
    audio_cast_media_position_add_buffer (&self->media,
        GST_BUFFER_PTS (buffer), self->written, GST_AUDIO_INFO_RATE (&self->info));
    audio_cast_sync_mark (&self->sync, self->ring.write_pos,
        running_time_locked (self, GST_BUFFER_PTS (buffer)),
        GST_BUFFER_IS_DISCONT (buffer));
  }
  g_mutex_unlock (&self->lock);
  commit_preroll (self);

  ret = audio_cast_queue_write (self, map.data, map.size / bpf, &accepted);

  gst_buffer_unmap (buffer, &map);
  gst_buffer_unref (buffer);
  return ret;
}

/* Waits, with the lock held, until everything accepted so far was heard, so
 * a new format cannot reinterpret queued frames. */
static void
wait_all_heard_locked (AudioCastQueue *self)
{
  guint generation = self->generation;

  while (buffered_locked (self) > 0 && self->src_running && !self->src_failed
      && !self->sink_flushing && generation == self->generation) {
    g_cond_wait (&self->played_cond, &self->lock);
    g_mutex_unlock (&self->lock);
    update_position (self);
    g_mutex_lock (&self->lock);
  }
}

/* Sets the format of the frames written from now on; waits until the frames
 * of the previous format were heard. */
void
audio_cast_queue_set_format (AudioCastQueue *self, const GstAudioInfo *pinfo)
{
  GstAudioInfo info = *pinfo;

  g_mutex_lock (&self->lock);
  if (self->have_info && gst_audio_info_is_equal (&info, &self->info)) {
    g_mutex_unlock (&self->lock);
    return;
  }
  if (self->have_info)
    wait_all_heard_locked (self);

  self->info = info;
  self->have_info = TRUE;
  self->caps_pending = TRUE;
  self->period_frames = MAX (1, gst_util_uint64_scale_int (self->latency_time,
          GST_AUDIO_INFO_RATE (&info), GST_SECOND));
  audio_cast_ring_alloc (&self->ring, GST_AUDIO_INFO_BPF (&info),
      MAX (self->period_frames, gst_util_uint64_scale_int (self->buffer_time,
              GST_AUDIO_INFO_RATE (&info), GST_SECOND)));
  self->fade_max = MIN (self->period_frames,
      gst_util_uint64_scale_int (self->fade_time, GST_AUDIO_INFO_RATE (&info),
          GST_SECOND));
  self->fade_pending = 0;
  g_free (self->fade_buf);
  g_free (self->fade_scratch);
  self->fade_buf = g_malloc (MAX (1, self->fade_max) * GST_AUDIO_INFO_BPF (&info));
  self->fade_scratch = g_malloc (MAX (1, self->fade_max)
      * GST_AUDIO_INFO_CHANNELS (&info) * sizeof (gdouble));
  audio_cast_playout_reset (&self->playout, GST_AUDIO_INFO_RATE (&info));
  audio_cast_sync_reset (&self->sync, GST_AUDIO_INFO_RATE (&info));
  /* Everything before was heard: events waiting for it are due. */
  audio_cast_pending_events_rebase (&self->pending_events, 0);
  self->clock_skipped = 0;
  g_cond_broadcast (&self->work_cond);
  g_mutex_unlock (&self->lock);
  /* The heard timeline starts over; the clock goes on from where it was. */
  gst_audio_clock_reset (GST_AUDIO_CLOCK (self->clock), 0);

  GST_DEBUG_OBJECT (self, "%d Hz %s ×%d, ring of %" G_GUINT64_FORMAT " frames",
      GST_AUDIO_INFO_RATE (&info), GST_AUDIO_INFO_NAME (&info),
      GST_AUDIO_INFO_CHANNELS (&info), self->ring.capacity);
}

static gboolean
set_format_from_caps (AudioCastQueue *self, GstCaps *caps)
{
  GstAudioInfo info;

  if (!gst_audio_info_from_caps (&info, caps)
      || GST_AUDIO_INFO_LAYOUT (&info) != GST_AUDIO_LAYOUT_INTERLEAVED) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("Unsupported caps %" GST_PTR_FORMAT ": interleaved raw audio expected",
            caps));
    return FALSE;
  }
  audio_cast_queue_set_format (self, &info);
  return TRUE;
}

static gboolean
audio_cast_queue_sink_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  AudioCastQueue *self = AUDIO_CAST_QUEUE (parent);
  gboolean res = TRUE;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps;

      gst_event_parse_caps (event, &caps);
      res = set_format_from_caps (self, caps);
      break;
    }
    case GST_EVENT_SEGMENT:{
      const GstSegment *segment;

      gst_event_parse_segment (event, &segment);
      g_mutex_lock (&self->lock);
      audio_cast_media_position_set_segment (&self->media, segment,
          self->written);
      g_mutex_unlock (&self->lock);
      break;
    }
    case GST_EVENT_EOS:
      g_mutex_lock (&self->lock);
      self->eos_received = TRUE;
      self->eos_target = self->written;
      self->drain_mark = self->written;
      g_cond_broadcast (&self->work_cond);
      g_mutex_unlock (&self->lock);
      commit_preroll (self);
      break;
    case GST_EVENT_GAP:
      /* Nothing to play for a while: enough to preroll on. The frames after
       * it carry their timestamps, which with sync puts the silence in. */
      commit_preroll (self);
      break;
    case GST_EVENT_STREAM_START:
    case GST_EVENT_TAG:
      /* They go downstream when the output reaches this frame: a gapless
       * track's STREAM_START then comes as its audio goes out. */
      g_mutex_lock (&self->lock);
      audio_cast_pending_events_add (&self->pending_events,
          self->ring.write_pos, gst_event_ref (event));
      g_cond_broadcast (&self->work_cond);
      g_mutex_unlock (&self->lock);
      break;
    case GST_EVENT_FLUSH_START:
      /* A seek upstream: what is queued belongs to the old position. */
      g_mutex_lock (&self->lock);
      self->sink_flushing = TRUE;
      g_cond_broadcast (&self->space_cond);
      g_mutex_unlock (&self->lock);
      audio_cast_queue_clear (self, NULL, NULL);
      lose_preroll (self);
      break;
    case GST_EVENT_FLUSH_STOP:{
      gboolean reset_time;

      gst_event_parse_flush_stop (event, &reset_time);
      g_mutex_lock (&self->lock);
      self->sink_flushing = FALSE;
      self->eos_received = FALSE;
      self->eos_sent = FALSE;
      /* The next buffer is placed by its own timestamp. */
      audio_cast_sync_reset (&self->sync, self->sync.rate);
      g_cond_broadcast (&self->work_cond);
      g_mutex_unlock (&self->lock);
      /* Running time starts over: the pipeline takes a new base time. */
      if (reset_time)
        gst_element_post_message (GST_ELEMENT (self),
            gst_message_new_reset_time (GST_OBJECT (self), 0));
      break;
    }
    default:
      /* Other events do not change what the device plays: the queue makes
       * its own timeline downstream. */
      break;
  }
  gst_event_unref (event);
  return res;
}

static gboolean
audio_cast_queue_sink_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_CAPS:{
      GstCaps *filter, *caps = gst_pad_get_pad_template_caps (pad);

      gst_query_parse_caps (query, &filter);
      if (filter) {
        GstCaps *tmp = gst_caps_intersect_full (filter, caps,
            GST_CAPS_INTERSECT_FIRST);
        gst_caps_unref (caps);
        caps = tmp;
      }
      gst_query_set_caps_result (query, caps);
      gst_caps_unref (caps);
      return TRUE;
    }
    case GST_QUERY_DRAIN:
      /* Upstream's buffers are copied, never held. */
      return TRUE;
    default:
      return gst_pad_query_default (pad, parent, query);
  }
}

static gboolean
audio_cast_queue_sink_activate_mode (GstPad *pad, GstObject *parent,
    GstPadMode mode, gboolean active)
{
  AudioCastQueue *self = AUDIO_CAST_QUEUE (parent);

  if (mode != GST_PAD_MODE_PUSH)
    return FALSE;

  g_mutex_lock (&self->lock);
  self->sink_flushing = !active;
  if (!active) {
    discard_unheard_locked (self);
    self->have_info = FALSE;
    self->eos_received = FALSE;
    audio_cast_pending_events_clear (&self->pending_events);
  }
  g_cond_broadcast (&self->space_cond);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* ---- output side ---- */

static gboolean
configure_pool (AudioCastQueue *self, GstCaps *caps, guint size)
{
  GstStructure *config;

  if (self->pool) {
    gst_buffer_pool_set_active (self->pool, FALSE);
    gst_object_unref (self->pool);
  }
  self->pool = gst_buffer_pool_new ();
  config = gst_buffer_pool_get_config (self->pool);
  gst_buffer_pool_config_set_params (config, caps, size, 4, 0);
  return gst_buffer_pool_set_config (self->pool, config)
      && gst_buffer_pool_set_active (self->pool, TRUE);
}

static void
push_segment (AudioCastQueue *self)
{
  GstSegment segment;

  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (self->srcpad, gst_event_new_segment (&segment));
  self->need_segment = FALSE;
}

/* The matching half of the flush clear() started. */
static void
finish_flush (AudioCastQueue *self)
{
  g_mutex_lock (&self->flush_lock);
  g_mutex_lock (&self->lock);
  if (!self->flush_stop_pending) {
    g_mutex_unlock (&self->lock);
    g_mutex_unlock (&self->flush_lock);
    return;
  }
  self->flush_stop_pending = FALSE;
  g_mutex_unlock (&self->lock);

  gst_pad_push_event (self->srcpad, gst_event_new_flush_stop (FALSE));
  g_mutex_unlock (&self->flush_lock);

  self->need_segment = TRUE;
  self->need_discont = TRUE;
  self->flushed = TRUE;
}

static void push_due_events (AudioCastQueue *self);

static gboolean
push_format (AudioCastQueue *self, const GstAudioInfo *info, guint period)
{
  GstCaps *caps = gst_audio_info_to_caps (info);
  gboolean ok;

  /* Upstream's STREAM_START came before its caps: it goes first. */
  push_due_events (self);
  if (self->need_stream_start) {
    gchar *id = gst_pad_create_stream_id (self->srcpad, GST_ELEMENT (self),
        NULL);
    gst_pad_push_event (self->srcpad, gst_event_new_stream_start (id));
    g_free (id);
    self->need_stream_start = FALSE;
  }
  /* New caps make the device release and acquire its stream. */
  g_rw_lock_writer_lock (&self->device_lock);
  ok = configure_pool (self, caps, period * GST_AUDIO_INFO_BPF (info))
      && gst_pad_push_event (self->srcpad, gst_event_new_caps (caps));
  g_rw_lock_writer_unlock (&self->device_lock);
  gst_caps_unref (caps);
  if (ok && self->need_segment)
    push_segment (self);
  return ok;
}

static void
stop_output (AudioCastQueue *self, gboolean failed)
{
  g_mutex_lock (&self->lock);
  if (failed)
    self->src_failed = TRUE;
  g_cond_broadcast (&self->played_cond);
  g_cond_broadcast (&self->space_cond);
  g_mutex_unlock (&self->lock);
  gst_pad_pause_task (self->srcpad);
}

/* With the lock held: the device played everything it was given, so this
 * thread ran late (CPU starvation) and the device is playing silence. Half
 * a period of slack absorbs the clock's interpolation. Only for devices
 * that write at absolute positions (see audio_cast_queue_set_restart_when_dry),
 * and not within RESTART_INTERVAL_US of the stream's start or of the last
 * restart: a PulseAudio sink that cannot rewind renders far ahead when a
 * stream appears, so its read position runs past what was written until it
 * settles, and restarting then would only start over. */
#define RESTART_INTERVAL_US (2 * G_USEC_PER_SEC)
static gboolean
device_ran_dry_locked (AudioCastQueue *self, guint64 dev_now)
{
  return self->restart_when_dry && self->src_running && self->playout.anchored
      && g_get_monotonic_time () - self->last_restart >= RESTART_INTERVAL_US
      && !self->clock_broken
      && !self->holding && !self->flush_stop_pending && self->dev_rate > 0
      && dev_now > self->playout.anchor_dev
      + gst_util_uint64_scale_int (self->latency_time / 2, self->dev_rate,
          GST_SECOND);
}

/* Called with the lock held, releases it. After the device ran dry, the
 * sink (sync=false) would go on writing where it left off, behind the
 * server's read position, and the server would drop that audio: the device
 * is flushed so its timeline restarts at the read position, the way clear()
 * does but keeping the ring. Audio pushed before was played or dropped. */
static void
restart_device_locked (AudioCastQueue *self, gboolean ran_dry)
{
  GST_DEBUG_OBJECT (self, "%s; restarting the device", ran_dry
      ? "the device ran dry" : "catching up with the clock");
  self->last_restart = g_get_monotonic_time ();
  if (ran_dry && !self->dry)
    self->underruns++;
  new_epoch_locked (self);
  request_flush_locked (self);
  g_mutex_unlock (&self->lock);

  g_mutex_lock (&self->flush_lock);
  gst_pad_push_event (self->srcpad, gst_event_new_flush_start ());
  g_mutex_unlock (&self->flush_lock);
}

/* libpulse's clock breaks for good when it is read too soon after its
 * stream starts playing again: every uncork, and every timing reply that
 * says the stream plays after one that said it did not (as after a flush),
 * resumes its smoother at a time in the future (now plus the transport
 * delay, or plus the sink latency not yet played since the last underrun),
 * and a reading before that time wraps around to some 10^5 hours, which
 * pa_stream_get_time() then keeps returning, as its time must never go
 * back. pipewire-pulse reports the stream's queued audio as sink latency, so
 * the window is tens of ms after every clear there, where most clears of a
 * barge-in loop read the clock (a broken clock made heard counts 15 to 25 ms
 * late). So for clock_settle_time after the first buffer of a (re)started
 * stream the clock is left alone: the position is extrapolated at the
 * device's rate from where the clock stood just before, while the stream was
 * still corked (a paused smoother reads safely), as the server's read
 * position runs on in real time from there. */
static void
quiet_device_clock (AudioCastQueue *self, guint64 dev_now)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  if (self->clock_settle_time > 0 && !self->clock_broken) {
    self->wall_valid = TRUE;
    self->wall_dev = dev_now;
    self->wall_time = now;
    self->clock_quiet_until = saturating_add_us (now,
        (gint64) (self->clock_settle_time / GST_USECOND));
  }
  g_mutex_unlock (&self->lock);
}

/* After a flush GstAudioBaseSink (sync=false) resumes at the segment after
 * the one holding the server's read index, as pulsesink last reported it:
 * one to two periods past the read index. PulseAudio plays silence in that
 * hole; pipewire-pulse 0.3.65 (Debian 12) leaves its ring's old bytes there
 * (its flush only moves the write index back to the read index), so audio
 * that clear() reported discarded played again: 15 to 27 ms of it after a
 * clear, at times after a quantum of silence. So the first buffer after a
 * flush starts at or just behind the read index, and its lead-in of silence
 * overwrites what the server still holds; what lands behind the read index
 * the server never plays. Two bounds of the read index, both behind it: the
 * clock (less its lead: the sound heard, up to 19 ms behind the read index
 * after a flush here) and the segment before the one pulsesink last counted done
 * (its latency callback counts the segment holding the read index, and
 * after the cork of a flush the read index stands still). The later of the
 * two is at most a segment behind, which the lead-in covers.
 *
 * Setting next_sample is not enough: for every buffer GstAudioBaseSink
 * moves a write into a segment it counts as done to the segment after the
 * last done one, and pulsesink's latency callback (its own thread, at any
 * moment) counts the segment holding the read index as done. A write
 * starting just behind the read index, as ours does, then went one to two
 * segments past it, leaving a hole of old audio between the first buffer
 * and the second. The ring's segment base is raised by RESUME_SLACK_SEGMENTS
 * instead: a write is moved only when it starts two segments behind the
 * count, and then to the segment before the read index, never past it. The
 * base stays until the device's stream is set up again; the position
 * estimate that reads the count (read_device_now) allows for it.
 *
 * Only for pulsesink (restart_when_dry), which writes at absolute positions,
 * on PipeWire (a clock lead is set): PulseAudio needs none of it. */
#define RESUME_SLACK_SEGMENTS 2
static void
resume_at_device_position (AudioCastQueue *self, guint64 dev_now)
{
  GstAudioBaseSink *audio;
  GstAudioRingBuffer *rb;

  g_mutex_lock (&self->lock);
  audio = self->restart_when_dry && self->clock_lead > 0 && self->device_audio
      ? gst_object_ref (self->device_audio) : NULL;
  g_mutex_unlock (&self->lock);
  if (audio == NULL)
    return;
  rb = audio->ringbuffer;
  if (rb && gst_audio_ring_buffer_is_acquired (rb) && rb->samples_per_seg > 0) {
    guint64 read_floor = (guint64) MAX (g_atomic_int_get (&rb->segdone) - 1, 0)
        * rb->samples_per_seg;

    rb->segbase = RESUME_SLACK_SEGMENTS;
    GST_DEBUG_OBJECT (self, "resuming the device at %" G_GUINT64_FORMAT
        " (clock), %" G_GUINT64_FORMAT " (read index)", dev_now, read_floor);
    audio->next_sample = MAX (dev_now, read_floor);
  }
  gst_object_unref (audio);
}

/* The first buffer after a flush or a start: where the device stands. */
static void
restart_device_timeline (AudioCastQueue *self)
{
  guint64 dev_now;

  if (!read_device_now (self, &dev_now)) {
    GST_DEBUG_OBJECT (self, "no device position to resume at");
    return;
  }
  resume_at_device_position (self, dev_now);
  quiet_device_clock (self, dev_now);
}

/* The pipeline clock as the output thread sees it before a buffer. */
typedef struct
{
  gboolean playing;             /* PLAYING, with a clock: sync applies */
  gboolean own;                 /* the clock is this element's */
  GstClockTime now;
  GstClockTime base_time;
} SyncClock;

static void
read_sync_clock (AudioCastQueue *self, SyncClock *c)
{
  GstClock *clock = NULL;

  c->playing = FALSE;
  GST_OBJECT_LOCK (self);
  if (GST_STATE (self) == GST_STATE_PLAYING && GST_ELEMENT_CLOCK (self)) {
    clock = gst_object_ref (GST_ELEMENT_CLOCK (self));
    c->base_time = GST_ELEMENT_CAST (self)->base_time;
  }
  GST_OBJECT_UNLOCK (self);
  if (clock == NULL)
    return;
  c->own = clock == self->clock;
  c->now = gst_clock_get_time (clock);
  c->playing = GST_CLOCK_TIME_IS_VALID (c->now);
  gst_object_unref (clock);
}

typedef enum
{
  STEP_PLAY,                    /* read up to the frames given */
  STEP_WAIT,                    /* push the silence given */
  STEP_HOLD,                    /* timed data, not PLAYING: push silence */
  STEP_RESTART,                 /* flush the silence queued in the device */
  STEP_SKIPPED,                 /* late frames were dropped; nothing to push */
} SyncStep;

/* With the lock held: what sync asks of the next buffer, whose frames come
 * from the ring's read position on. @frames: in, the period; out, see
 * SyncStep. With the element's own clock, when the next frame pushed is
 * heard follows from the timeline alone (exact); with another clock, from
 * the audio queued in the device. */
static SyncStep
sync_step_locked (AudioCastQueue *self, const SyncClock *c, guint64 *frames)
{
  GstClockTime rt, target, expected;
  guint64 run, n, t_end = self->playout.t_end;
  gint rate = GST_AUDIO_INFO_RATE (&self->info);

  if (!self->sync_enabled || audio_cast_ring_fill (&self->ring) == 0
      || !audio_cast_sync_running_time (&self->sync, self->ring.read_pos, &rt,
          &run))
    return STEP_PLAY;
  if (!c->playing)
    return STEP_HOLD;

  target = c->base_time + rt + self->pipeline_latency;
  if (c->own)
    expected = MAX (c->now, gst_audio_clock_adjust (GST_AUDIO_CLOCK
            (self->clock), gst_util_uint64_scale_int (t_end - MIN (t_end,
                    self->clock_skipped), GST_SECOND, rate)));
  else
    expected = c->now + gst_util_uint64_scale_int (t_end
        - self->playout.heard_t, GST_SECOND, rate);

  switch (audio_cast_sync_decide (&self->sync, GST_CLOCK_DIFF (expected,
              target), self->latency_time, &n)) {
    case AUDIO_CAST_SYNC_PLAY:
      self->sync_restarted = FALSE;
      *frames = MIN (*frames, run);
      return STEP_PLAY;
    case AUDIO_CAST_SYNC_WAIT:
      *frames = MIN (*frames, n);
      return STEP_WAIT;
    case AUDIO_CAST_SYNC_SKIP:
      break;
  }
  /* Late behind silence (a resume, a seek's preroll): the silence goes. */
  if (!self->sync_restarted && audio_cast_playout_heard (&self->playout)
      == audio_cast_playout_pushed (&self->playout)) {
    self->sync_restarted = TRUE;
    return STEP_RESTART;
  }
  n = audio_cast_ring_skip (&self->ring, MIN (n, run));
  self->cleared += n;
  GST_DEBUG_OBJECT (self, "dropped %" G_GUINT64_FORMAT " late frames", n);
  if (self->space_wanted > 0
      && audio_cast_ring_space (&self->ring) >= self->space_wanted)
    g_cond_broadcast (&self->space_cond);
  return STEP_SKIPPED;
}

/* With the lock held: puts the next buffer's frames into @data — the fade
 * of a gentle clear, the ring's frames, or silence (a lead-in, PAUSED, sync
 * waiting, the ring dry) — and says whether they are data and whether the
 * EOS is due. For STEP_RESTART and STEP_SKIPPED nothing is filled. */
static SyncStep
fill_period_locked (AudioCastQueue *self, guint8 *data, guint period,
    const SyncClock *sc, guint64 *frames_out, gboolean *is_data,
    gboolean *send_eos)
{
  const GstAudioInfo *info = &self->info;
  SyncStep step = STEP_PLAY;
  guint64 frames = 0, want = period;

  if (self->fade_pending > 0 && self->lead_in == 0) {
    frames = self->fade_pending;
    memcpy (data, self->fade_buf, frames * GST_AUDIO_INFO_BPF (info));
    self->fade_pending = 0;
  } else if (self->lead_in == 0 && !self->holding) {
    step = sync_step_locked (self, sc, &want);
    if (step == STEP_RESTART || step == STEP_SKIPPED)
      return step;
    if (step == STEP_PLAY)
      frames = audio_cast_ring_read (&self->ring, data, want);
  }
  *is_data = frames > 0;
  if (*is_data) {
    self->dry = FALSE;
    self->data_since_flush = TRUE;
    if (self->space_wanted > 0
        && audio_cast_ring_space (&self->ring) >= self->space_wanted)
      g_cond_broadcast (&self->space_cond);
    *frames_out = frames;
    return step;
  }

  if (self->eos_received && !self->eos_sent && !self->holding
      && audio_cast_playout_heard (&self->playout) + self->cleared
      >= self->eos_target) {
    self->eos_sent = TRUE;
    *send_eos = TRUE;
  }
  if (self->lead_in > 0) {
    frames = MIN (period, self->lead_in);
    self->lead_in -= frames;
    /* The clock stands still until the audio after it is heard. */
    self->clock_skipped += frames;
  } else if (step == STEP_WAIT) {
    frames = want;
  } else if (self->holding || step == STEP_HOLD) {
    frames = period;
    /* With sync the clock stops while paused, as an audio sink's does: the
     * audio that waits is heard when the clock says, however much silence
     * the device still holds when PLAYING comes. */
    if (self->sync_enabled)
      self->clock_skipped += frames;
  } else {
    /* A dry ring is an underrun only while the application still meant to
     * write: not after drain(), EOS or clear(). */
    if (!self->dry && self->written > self->drain_mark)
      self->underruns++;
    self->dry = TRUE;
    audio_cast_sync_unalign (&self->sync);
    frames = period;
  }
  gst_audio_format_info_fill_silence (info->finfo, data,
      frames * GST_AUDIO_INFO_BPF (info));
  *frames_out = frames;
  return step;
}

/* Pushes the events upstream sent with the frames reached now. */
static void
push_due_events (AudioCastQueue *self)
{
  GstEvent *event;

  for (;;) {
    g_mutex_lock (&self->lock);
    event = audio_cast_pending_events_pop (&self->pending_events,
        self->ring.read_pos);
    g_mutex_unlock (&self->lock);
    if (event == NULL)
      return;
    if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START)
      self->need_stream_start = FALSE;
    gst_pad_push_event (self->srcpad, event);
  }
}

static void
push_loop (gpointer user_data)
{
  AudioCastQueue *self = user_data;
  GstAudioInfo info;
  GstBuffer *buffer = NULL;
  GstMapInfo map;
  GstFlowReturn ret;
  guint64 frames, t_start, dev_now;
  gboolean is_data, have_now, sc_wanted, send_eos = FALSE;
  SyncClock sc = { FALSE, };
  SyncStep step;
  guint epoch, period;
  gint rate;

  finish_flush (self);
  push_due_events (self);
  have_now = read_device_now (self, &dev_now);

  g_mutex_lock (&self->lock);
  if (have_now)
    audio_cast_playout_advance (&self->playout, dev_now);

  if (have_now && device_ran_dry_locked (self, dev_now)) {
    restart_device_locked (self, TRUE);
    return;
  }

  /* Waiting for preroll after a flush, nothing goes out until data comes:
   * silence pushed then would only hold the data back behind it. */
  while (self->src_running && !self->flush_stop_pending
      && (!self->have_info || self->eos_sent || (self->preroll_pending
              && audio_cast_ring_fill (&self->ring) == 0
              && !self->eos_received)))
    g_cond_wait (&self->work_cond, &self->lock);
  if (!self->src_running || self->src_failed) {
    g_mutex_unlock (&self->lock);
    stop_output (self, FALSE);
    return;
  }
  if (self->flush_stop_pending) {
    g_mutex_unlock (&self->lock);
    return;
  }

  info = self->info;
  period = self->period_frames;
  rate = GST_AUDIO_INFO_RATE (&info);
  sc_wanted = self->sync_enabled && audio_cast_ring_fill (&self->ring) > 0;
  if (self->caps_pending) {
    self->caps_pending = FALSE;
    g_mutex_unlock (&self->lock);
    if (!push_format (self, &info, period)) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
          ("Device chain refused %d Hz %s", rate,
              GST_AUDIO_INFO_NAME (&info)));
      stop_output (self, TRUE);
    }
    return;
  }
  g_mutex_unlock (&self->lock);

  if (self->need_segment)
    push_segment (self);

  if (gst_buffer_pool_acquire_buffer (self->pool, &buffer, NULL) != GST_FLOW_OK) {
    stop_output (self, FALSE);
    return;
  }
  gst_buffer_map (buffer, &map, GST_MAP_WRITE);

  if (sc_wanted)
    read_sync_clock (self, &sc);

  g_mutex_lock (&self->lock);
  if (self->need_discont)
    self->lead_in = gst_util_uint64_scale_int (self->flushed
        ? self->restart_lead_in_time : self->lead_in_time, rate, GST_SECOND);
  step = fill_period_locked (self, map.data, period, &sc, &frames, &is_data,
      &send_eos);
  if (step == STEP_RESTART || step == STEP_SKIPPED) {
    gst_buffer_unmap (buffer, &map);
    gst_buffer_unref (buffer);
    if (step == STEP_RESTART)
      restart_device_locked (self, FALSE);      /* unlocks */
    else
      g_mutex_unlock (&self->lock);
    return;
  }
  t_start = self->playout.t_end;
  audio_cast_playout_push (&self->playout, frames, is_data);
  epoch = self->epoch;
  g_mutex_unlock (&self->lock);

  gst_buffer_unmap (buffer, &map);

  if (send_eos) {
    gst_buffer_unref (buffer);
    GST_DEBUG_OBJECT (self, "everything heard, forwarding EOS");
    gst_pad_push_event (self->srcpad, gst_event_new_eos ());
    return;
  }

  if (frames < period)
    gst_buffer_resize (buffer, 0, frames * GST_AUDIO_INFO_BPF (&info));
  GST_BUFFER_OFFSET (buffer) = t_start;
  GST_BUFFER_OFFSET_END (buffer) = t_start + frames;
  GST_BUFFER_PTS (buffer) = gst_util_uint64_scale_int (t_start, GST_SECOND,
      rate);
  GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale_int (t_start + frames,
      GST_SECOND, rate) - GST_BUFFER_PTS (buffer);
  if (self->need_discont) {
    GST_BUFFER_FLAG_SET (buffer, GST_BUFFER_FLAG_DISCONT);
    self->need_discont = FALSE;
    self->flushed = FALSE;
    restart_device_timeline (self);
  }

  ret = gst_pad_push (self->srcpad, buffer);

  g_mutex_lock (&self->lock);
  if (ret == GST_FLOW_OK && epoch == self->epoch) {
    if (self->device_audio && self->device_clock && self->dev_rate > 0) {
      guint64 dev_end = self->device_audio->next_sample;

      GST_LOG_OBJECT (self, "anchor t %" G_GUINT64_FORMAT " dev %"
          G_GUINT64_FORMAT, self->sink_t_end, dev_end);
      if (dev_end != (guint64) - 1)
        audio_cast_playout_anchor (&self->playout, self->sink_t_end, dev_end,
            self->dev_rate);
      /* After a flush GstAudioBaseSink resumes at most two periods past
       * the read position: this buffer starts playing no earlier than
       * that (late is fine, early is not). */
      if (self->clock_broken && !self->wall_valid && dev_end != (guint64) - 1) {
        self->wall_valid = TRUE;
        self->wall_dev = dev_end - MIN (dev_end,
            gst_util_uint64_scale_int (frames, self->dev_rate, rate));
        self->wall_time = g_get_monotonic_time ()
            + 2 * (gint64) (self->latency_time / GST_USECOND);
      }
    } else {
      /* No device position: heard once the sink took it. */
      audio_cast_playout_anchor (&self->playout, self->sink_t_end, 0, rate);
      audio_cast_playout_advance (&self->playout, 0);
    }
  }
  g_cond_broadcast (&self->played_cond);
  g_mutex_unlock (&self->lock);

  if (ret == GST_FLOW_FLUSHING) {
    /* Either clear() flushed us (the next iteration finishes the flush) or
     * the device is shutting down (src_running drops). */
    g_mutex_lock (&self->lock);
    if (!self->flush_stop_pending && self->src_running)
      g_cond_wait_until (&self->work_cond, &self->lock,
          g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND);
    g_mutex_unlock (&self->lock);
  } else if (ret != GST_FLOW_OK) {
    /* EOS is an answer to ours; from a device that was sent none it is a
     * failure like any other, which the application must hear of. */
    gboolean failure;

    g_mutex_lock (&self->lock);
    failure = ret != GST_FLOW_EOS || !self->eos_sent;
    g_mutex_unlock (&self->lock);
    if (failure)
      GST_ELEMENT_FLOW_ERROR (self, ret);
    stop_output (self, TRUE);
  }
}

static gboolean
audio_cast_queue_src_activate_mode (GstPad *pad, GstObject *parent,
    GstPadMode mode, gboolean active)
{
  AudioCastQueue *self = AUDIO_CAST_QUEUE (parent);
  gboolean res;

  if (mode != GST_PAD_MODE_PUSH)
    return FALSE;

  g_mutex_lock (&self->lock);
  self->src_running = active;
  self->src_failed = FALSE;
  if (active) {
    self->need_stream_start = TRUE;
    self->last_restart = g_get_monotonic_time ();
    self->need_segment = TRUE;
    self->need_discont = TRUE;
    self->flushed = FALSE;
    self->caps_pending = self->have_info;
    self->eos_sent = FALSE;
    self->flush_stop_pending = FALSE;
    self->data_since_flush = FALSE;
  }
  g_cond_broadcast (&self->work_cond);
  g_cond_broadcast (&self->played_cond);
  g_mutex_unlock (&self->lock);

  if (active)
    return gst_pad_start_task (pad, push_loop, self, NULL);

  res = gst_pad_stop_task (pad);
  if (self->pool) {
    gst_buffer_pool_set_active (self->pool, FALSE);
    gst_clear_object (&self->pool);
  }
  return res;
}

static gboolean
audio_cast_queue_src_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  AudioCastQueue *self = AUDIO_CAST_QUEUE (parent);

  /* Seeks, navigation and steps come from the application through the
   * device sink and go on upstream, as through any sink: a flushing seek
   * comes back down as a flush, which clears the ring. Latency and QoS
   * describe the device's own timeline, which this element makes, so they
   * stop here; so does a reconfigure (the queue renegotiates itself). The
   * player has nothing upstream: there they are refused. */
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_SEEK:
    case GST_EVENT_NAVIGATION:
    case GST_EVENT_STEP:
      return gst_pad_push_event (self->sinkpad, event);
    default:
      gst_event_unref (event);
      return TRUE;
  }
}

static void
audio_cast_queue_finalize (GObject *object)
{
  AudioCastQueue *self = AUDIO_CAST_QUEUE (object);

  release_device (self);
  /* The pipeline may keep the clock longer than this element lives. */
  gst_audio_clock_invalidate (GST_AUDIO_CLOCK (self->clock));
  gst_object_unref (self->clock);
  audio_cast_pending_events_clear (&self->pending_events);
  audio_cast_ring_free (&self->ring);
  g_free (self->fade_buf);
  g_free (self->fade_scratch);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->flush_lock);
  g_rec_mutex_clear (&self->preroll_lock);
  g_rw_lock_clear (&self->device_lock);
  g_cond_clear (&self->space_cond);
  g_cond_clear (&self->work_cond);
  g_cond_clear (&self->played_cond);

  G_OBJECT_CLASS (audio_cast_queue_parent_class)->finalize (object);
}

static void
audio_cast_queue_class_init (AudioCastQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  object_class->finalize = audio_cast_queue_finalize;
  element_class->change_state =
      GST_DEBUG_FUNCPTR (audio_cast_queue_change_state);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "audiocast queue", "Generic/Audio",
      "Ring buffer that feeds an audio device, with instant clear and "
      "playout-exact drain", "audiocast developers");
}

static void
audio_cast_queue_init (AudioCastQueue *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->flush_lock);
  g_rec_mutex_init (&self->preroll_lock);
  g_rw_lock_init (&self->device_lock);
  g_cond_init (&self->space_cond);
  g_cond_init (&self->work_cond);
  g_cond_init (&self->played_cond);
  audio_cast_ring_init (&self->ring);
  memset (&self->playout, 0, sizeof (self->playout));
  self->buffer_time = 2 * GST_SECOND;
  self->latency_time = 10 * GST_MSECOND;
  self->sync_enabled = TRUE;
  self->async_enabled = TRUE;
  self->clock = gst_audio_clock_new ("audiocastclock", queue_clock_time, self,
      NULL);

  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad, audio_cast_queue_chain);
  gst_pad_set_event_function (self->sinkpad, audio_cast_queue_sink_event);
  gst_pad_set_query_function (self->sinkpad, audio_cast_queue_sink_query);
  gst_pad_set_activatemode_function (self->sinkpad,
      audio_cast_queue_sink_activate_mode);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_set_event_function (self->srcpad, audio_cast_queue_src_event);
  gst_pad_set_activatemode_function (self->srcpad,
      audio_cast_queue_src_activate_mode);
  gst_pad_use_fixed_caps (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);
}
