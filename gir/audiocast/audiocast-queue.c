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
 * Files
 * -----
 * - audiocast-queue.c: the object, its settings, the producer side
 *   (write, backpressure), format changes and the statistics.
 * - audiocast-queue-pad.c: the sink pad: chain, its events and queries.
 * - audiocast-queue-output.c: the output thread (push_loop) and the source
 *   pad.
 * - audiocast-queue-tap.c: the tap, which hands each period pushed to the
 *   echo canceller with when it is heard.
 * - audiocast-queue-clear.c: clear and drain.
 * - audiocast-queue-device.c: the device sink, where it is playing, its
 *   restarts, and the clock the element provides.
 * - audiocast-queue-preroll.c: preroll and state changes.
 * - audiocast-queue-private.h: the instance struct they share.
 *
 * Threads
 * -------
 * - The producer (upstream's streaming thread) runs chain() and the
 *   serialized events: it copies frames into the ring and waits on
 *   space_cond while the ring is full.
 * - The output thread is the source pad's task (audio_cast_queue_push_loop).
 *   Every iteration it takes one period (latency-time) of frames from the
 *   ring, or silence when the ring is dry, and pushes it through
 *   audioconvert/audioresample into the device sink, which blocks while the
 *   device is full. The device never starves, the timeline it receives is
 *   continuous (so the device drops nothing as "late" and positions are
 *   exact), and the tail of every write leaves the converter and the sink's
 *   partial segments. With sync on, the output thread itself places frames
 *   on their running time: silence for a gap, late frames dropped.
 * - A device that renders in a thread of its own (an audio-sink such as
 *   "queue ! alsasink") is noticed by the device probe: where each buffer
 *   landed is then read in that thread, by the probe of the next buffer or
 *   event, and the heard position trails by a period.
 * - Application threads call clear(), drain() and read the statistics.
 *
 * Locks
 * -----
 * - lock: the ring, the counters, the flags and the playout tracker. Held
 *   only for bookkeeping and memcpy, never across a push, a wait on another
 *   element or a call into the device.
 * - flush_lock: makes the FLUSH_START of a clear (sent at once by the
 *   flusher thread, audiocast-queue-flusher.c, whose state it guards)
 *   always precede the FLUSH_STOP that the output thread sends before its
 *   next buffer.
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

#include "audiocast-queue-private.h"

#include <string.h>

GST_DEBUG_CATEGORY (audio_cast_queue_debug);

G_DEFINE_FINAL_TYPE_WITH_CODE (AudioCastQueue, audio_cast_queue,
    GST_TYPE_ELEMENT,
    GST_DEBUG_CATEGORY_INIT (audio_cast_queue_debug, "audiocastqueue", 0,
        "audiocast ring buffer"));

/* The bin's ghost pad takes this template too: what the ring accepts is
 * what the element accepts. */
GstStaticPadTemplate audio_cast_queue_sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
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

/* With the lock held. Frames accepted but neither heard nor cleared. */
guint64
audio_cast_queue_buffered_locked (AudioCastQueue *self)
{
  return audio_cast_ring_fill (&self->ring) + self->fade_pending
      + audio_cast_playout_pushed (&self->playout)
      - audio_cast_playout_heard (&self->playout);
}

void
audio_cast_queue_get_stats (AudioCastQueue *self, AudioCastQueueStats *stats)
{
  g_return_if_fail (AUDIO_CAST_IS_QUEUE (self));

  audio_cast_queue_update_position (self);
  g_mutex_lock (&self->lock);
  stats->written = self->written;
  stats->played = audio_cast_playout_heard (&self->playout);
  stats->cleared = self->cleared;
  stats->buffered = audio_cast_queue_buffered_locked (self);
  stats->underruns = self->underruns;
  stats->queued_timeline = self->playout.t_end - self->playout.heard_t;
  stats->restart_frames = self->device_prebuffers ? self->period_frames : 0;
  stats->periods_pushed = self->periods_pushed;
  stats->device_waits = self->device_waits;
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

  audio_cast_queue_update_position (self);
  g_mutex_lock (&self->lock);
  ok = self->have_info && audio_cast_media_position_get (&self->media,
      audio_cast_playout_heard (&self->playout) + self->cleared,
      GST_AUDIO_INFO_RATE (&self->info), stream_time);
  g_mutex_unlock (&self->lock);
  return ok;
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
  audio_cast_wakeup_fire (&self->wakeup);
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
 * must not be read (see audio_cast_queue_quiet_device_clock()): for pulsesink, longer than
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

/**
 * audio_cast_queue_set_device_prebuffers:
 *
 * For a device stream that prebuffers (audiocast's own on a
 * PulseAudio-protocol server): when it ran dry it stopped at its last frame
 * and waits for the next, losing nothing, so it is not restarted; the
 * underrun is counted and everything pushed counts as heard.
 */
void
audio_cast_queue_set_device_prebuffers (AudioCastQueue *self,
    gboolean prebuffers)
{
  g_mutex_lock (&self->lock);
  self->device_prebuffers = prebuffers;
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
void
audio_cast_queue_set_holding (AudioCastQueue *self, gboolean holding)
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

/* ---- producer side ---- */

/* With the lock held: the output thread is feeding the device silence
 * because everything written was heard, and it knows where the device is. */
static gboolean
idle_locked (AudioCastQueue *self)
{
  return self->src_running && !self->src_failed && self->have_info
      && !self->holding && !self->eos_received && !self->flush_stop_pending
      && self->dry && self->fade_pending == 0 && self->device_clock != NULL
      && self->playout.anchored && audio_cast_queue_buffered_locked (self) == 0;
}

/* How far past the end of the ring's audio the heard position must be
 * before an idle device is flushed: on a PulseAudio sink with rewinds the
 * position runs up to a period ahead of what the sink has rendered, and a
 * flush as soon as the audio counted heard cut up to 475 frames of its
 * tail (test_gaps@pulse-rewinds, 4 runs in 6; none in 8 with this). */
#define IDLE_FLUSH_MARGIN_PERIODS 2

/* Flushes the device when the queue is idle (all of the ring's audio was
 * heard, IDLE_FLUSH_MARGIN_PERIODS ago) and the device holds more than
 * @worth_it timeline frames: the ring loses nothing, and the other streams
 * play again what the device had not played of them. */
static void
flush_idle_device (AudioCastQueue *self, guint64 worth_it)
{
  gboolean flush;

  g_mutex_lock (&self->lock);
  flush = idle_locked (self);
  g_mutex_unlock (&self->lock);
  if (!flush)
    return;

  audio_cast_queue_update_position (self);

  g_mutex_lock (&self->flush_lock);
  g_mutex_lock (&self->lock);
  flush = idle_locked (self)
      && self->playout.t_end - self->playout.heard_t > worth_it
      && audio_cast_playout_heard_past_data (&self->playout)
      >= gst_util_uint64_scale_int (IDLE_FLUSH_MARGIN_PERIODS
      * self->latency_time, GST_AUDIO_INFO_RATE (&self->info), GST_SECOND);
  if (flush) {
    GST_DEBUG_OBJECT (self, "flushing the %" G_GUINT64_FORMAT " frames "
        "queued in the device", self->playout.t_end - self->playout.heard_t);
    /* Nothing unheard is the ring's data: no frame counts change. */
    audio_cast_queue_new_epoch_locked (self);
    audio_cast_queue_request_flush_locked (self);
  }
  g_mutex_unlock (&self->lock);

  if (flush)
    gst_pad_push_event (self->srcpad, gst_event_new_flush_start ());
  g_mutex_unlock (&self->flush_lock);
}

/* A write into an idle queue would start behind the silence the device was
 * kept fed with (up to its whole buffer). When that is more than a restart
 * costs — the lead-in, and up to two periods past the read position where
 * the first buffer after a flush goes (one on pulsesink, see
 * audio_cast_queue_resume_at_device_position()) — it is dropped the way
 * clear() drops audio, so the new audio starts sooner. */
static void
skip_queued_silence (AudioCastQueue *self)
{
  guint64 worth_it;

  g_mutex_lock (&self->lock);
  worth_it = self->have_info ? gst_util_uint64_scale_int
      (self->restart_lead_in_time + 2 * self->latency_time,
      GST_AUDIO_INFO_RATE (&self->info), GST_SECOND) : 0;
  g_mutex_unlock (&self->lock);
  flush_idle_device (self, worth_it);
}

/**
 * audio_cast_queue_flush_if_idle: (skip)
 *
 * After a clear of one of the other streams: when the ring's own audio was
 * all heard, the device is flushed, so that the stream's audio it held
 * stops at once (the others play on from what they had not played). While
 * the ring's audio plays, nothing is done: a flush would lose it.
 */
void
audio_cast_queue_flush_if_idle (AudioCastQueue *self)
{
  flush_idle_device (self, 0);
}

/**
 * audio_cast_queue_write:
 * @frames_accepted: (out): frames that went into the ring
 *
 * Copies interleaved frames of the negotiated format into the ring, waiting
 * while it is full (unless @wait is FALSE: then only what fits now). Returns early, with GST_FLOW_OK, when a clear discards
 * the rest (it belongs to the audio the application just dropped); with
 * GST_FLOW_FLUSHING when the element stops; GST_FLOW_ERROR when the device
 * failed, so no writer waits for a ring nobody empties.
 *
 * Serves both the sink pad's chain function and the player, which writes
 * from the application's thread without a pad in between.
 */
GstFlowReturn
audio_cast_queue_write (AudioCastQueue *self, const guint8 *data,
    guint64 frames, gboolean wait, guint64 *frames_accepted)
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
    /* the output waits for a late write, or for its first data */
    if (n > 0 && (self->late_write_waiting || self->dry_waiting
            || (self->hold_until_data && !self->data_since_start)))
      g_cond_broadcast (&self->work_cond);
    if (done == frames)
      break;
    if (self->src_failed) {
      ret = GST_FLOW_ERROR;
      break;
    }
    if (!wait)
      break;

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

/* Room in the ring, in frames; before the first format is set, the room a
 * ring of buffer-time at @rate will have. */
guint64
audio_cast_queue_get_space (AudioCastQueue *self, guint rate)
{
  guint64 space;

  g_return_val_if_fail (AUDIO_CAST_IS_QUEUE (self), 0);

  g_mutex_lock (&self->lock);
  if (self->have_info)
    space = audio_cast_ring_space (&self->ring);
  else
    space = MAX (1, gst_util_uint64_scale_int (self->buffer_time, rate,
            GST_SECOND));
  g_mutex_unlock (&self->lock);
  return space;
}

/* The fd of the queue's wakeup, -1 when no pipe could be opened. */
gint
audio_cast_queue_get_wakeup_fd (AudioCastQueue *self)
{
  gint fd;

  g_return_val_if_fail (AUDIO_CAST_IS_QUEUE (self), -1);

  g_mutex_lock (&self->lock);
  fd = audio_cast_wakeup_get_fd (&self->wakeup);
  g_mutex_unlock (&self->lock);
  return fd;
}

/* Arms the wakeup for room for @space_frames frames (capped to the ring:
 * more never fits), or for the next period the output thread takes when
 * @space_frames is 0; a clear, a failure and the output stopping fire it
 * whatever it waits for. Fired at once when the room is already there. */
void
audio_cast_queue_arm_wakeup (AudioCastQueue *self, guint64 space_frames)
{
  g_return_if_fail (AUDIO_CAST_IS_QUEUE (self));

  g_mutex_lock (&self->lock);
  if (self->have_info)
    space_frames = MIN (space_frames, self->ring.capacity);
  audio_cast_wakeup_arm (&self->wakeup, space_frames);
  if (!self->src_running || self->src_failed)
    audio_cast_wakeup_fire (&self->wakeup);
  else if (space_frames > 0 && self->have_info)
    audio_cast_wakeup_fire_if_reached (&self->wakeup,
        audio_cast_ring_space (&self->ring));
  g_mutex_unlock (&self->lock);
}

/* Waits, with the lock held, until everything accepted so far was heard, so
 * a new format cannot reinterpret queued frames. */
static void
wait_all_heard_locked (AudioCastQueue *self)
{
  guint generation = self->generation;

  while (audio_cast_queue_buffered_locked (self) > 0 && self->src_running && !self->src_failed
      && !self->sink_flushing && generation == self->generation) {
    g_cond_wait (&self->played_cond, &self->lock);
    g_mutex_unlock (&self->lock);
    audio_cast_queue_update_position (self);
    g_mutex_lock (&self->lock);
  }
}

/* Opens the device in @pinfo's format before the first write
 * (audio_cast_queue_set_format()), and sends it nothing until data comes:
 * the device stream waits empty. */
gboolean
audio_cast_queue_open_before_data (AudioCastQueue *self,
    const GstAudioInfo *pinfo, GError **error)
{
  g_mutex_lock (&self->lock);
  self->hold_until_data = TRUE;
  g_mutex_unlock (&self->lock);
  return audio_cast_queue_set_format (self, pinfo, error);
}

/* Sets the format of the frames written from now on; waits until the frames
 * of the previous format were heard. FALSE, with the format unchanged and
 * @error set, when a ring of buffer-time in it cannot be allocated. */
gboolean
audio_cast_queue_set_format (AudioCastQueue *self, const GstAudioInfo *pinfo,
    GError **error)
{
  GstAudioInfo info = *pinfo;
  guint64 period, capacity;
  gboolean same;

  g_mutex_lock (&self->lock);
  same = self->have_info && gst_audio_info_is_equal (&info, &self->info);
  g_mutex_unlock (&self->lock);
  if (same)
    return TRUE;
  /* The new format's first frames would start behind the silence an idle
   * device was fed, as a write's would (a player's stream runs before
   * its first write says the format). */
  skip_queued_silence (self);

  g_mutex_lock (&self->lock);
  if (self->have_info)
    wait_all_heard_locked (self);

  period = MAX (1, gst_util_uint64_scale_int (self->latency_time,
          GST_AUDIO_INFO_RATE (&info), GST_SECOND));
  capacity = MAX (period, gst_util_uint64_scale_int (self->buffer_time,
          GST_AUDIO_INFO_RATE (&info), GST_SECOND));
  if (!audio_cast_ring_alloc (&self->ring, GST_AUDIO_INFO_BPF (&info),
          capacity)) {
    g_mutex_unlock (&self->lock);
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT,
        "buffer-time %" G_GUINT64_FORMAT " µs needs a ring of %"
        G_GUINT64_FORMAT " frames of %d bytes at %d Hz, more memory than "
        "there is: use a shorter buffer-time", self->buffer_time / GST_USECOND,
        capacity, GST_AUDIO_INFO_BPF (&info), GST_AUDIO_INFO_RATE (&info));
    return FALSE;
  }

  self->info = info;
  self->have_info = TRUE;
  self->caps_pending = TRUE;
  self->period_frames = period;
  self->device_full_frames = 0;
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
  audio_cast_queue_streams_set_format_locked (self);
  self->clock_skipped = 0;
  g_cond_broadcast (&self->work_cond);
  g_mutex_unlock (&self->lock);
  /* The heard timeline starts over; the clock goes on from where it was. */
  gst_audio_clock_reset (GST_AUDIO_CLOCK (self->clock), 0);

  GST_DEBUG_OBJECT (self, "%d Hz %s ×%d, ring of %" G_GUINT64_FORMAT " frames",
      GST_AUDIO_INFO_RATE (&info), GST_AUDIO_INFO_NAME (&info),
      GST_AUDIO_INFO_CHANNELS (&info), self->ring.capacity);
  return TRUE;
}

static void
audio_cast_queue_finalize (GObject *object)
{
  AudioCastQueue *self = AUDIO_CAST_QUEUE (object);

  /* stopped with the source pad; this is for a pad never deactivated */
  audio_cast_queue_stop_flusher (self);
  audio_cast_queue_release_device (self);
  /* The pipeline may keep the clock longer than this element lives. */
  gst_audio_clock_invalidate (GST_AUDIO_CLOCK (self->clock));
  gst_object_unref (self->clock);
  audio_cast_pending_events_clear (&self->pending_events);
  audio_cast_queue_drop_held_taps (self);
  audio_cast_ring_free (&self->ring);
  g_clear_pointer (&self->to_mix, gst_audio_converter_free);
  g_clear_pointer (&self->from_mix, gst_audio_converter_free);
  g_free (self->mix_out);
  g_free (self->mix_period);
  g_clear_pointer (&self->mixer, audio_cast_mixer_free);
  g_free (self->fade_buf);
  g_free (self->fade_scratch);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->flush_lock);
  g_cond_clear (&self->flusher_cond);
  g_mutex_clear (&self->tap_lock);
  g_mutex_clear (&self->mix_lock);
  g_rec_mutex_clear (&self->preroll_lock);
  g_rw_lock_clear (&self->device_lock);
  g_cond_clear (&self->space_cond);
  audio_cast_wakeup_clear (&self->wakeup);
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

  gst_element_class_add_static_pad_template (element_class,
      &audio_cast_queue_sink_template);
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
  g_cond_init (&self->flusher_cond);
  g_mutex_init (&self->tap_lock);
  g_mutex_init (&self->mix_lock);
  g_rec_mutex_init (&self->preroll_lock);
  g_rw_lock_init (&self->device_lock);
  g_cond_init (&self->space_cond);
  audio_cast_wakeup_init (&self->wakeup);
  g_cond_init (&self->work_cond);
  g_cond_init (&self->played_cond);
  audio_cast_ring_init (&self->ring);
  memset (&self->playout, 0, sizeof (self->playout));
  self->buffer_time = 2 * GST_SECOND;
  self->latency_time = 10 * GST_MSECOND;
  self->sync_enabled = TRUE;
  self->async_enabled = TRUE;
  self->duck_level = 1.0;
  self->clock = gst_audio_clock_new ("audiocastclock", audio_cast_queue_clock_time, self,
      NULL);

  self->sinkpad =
      gst_pad_new_from_static_template (&audio_cast_queue_sink_template,
      "sink");
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
