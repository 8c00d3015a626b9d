/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * AudioCastQueue's output thread: each period it takes frames from the ring
 * (or silence), places them on the running time when sync is on, and pushes
 * them through the converters into the device.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-queue-private.h"

#include <stdlib.h>
#include <string.h>

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
  audio_cast_queue_wait_flush_start_flush_locked (self);
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
  audio_cast_wakeup_fire (&self->wakeup);
  g_mutex_unlock (&self->lock);
  gst_pad_pause_task (self->srcpad);
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
  audio_cast_wakeup_fire_if_reached (&self->wakeup,
      audio_cast_ring_space (&self->ring));
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
    self->dry_silence_frames = 0;
    self->data_since_flush = TRUE;
    self->data_since_start = TRUE;
    if (self->space_wanted > 0
        && audio_cast_ring_space (&self->ring) >= self->space_wanted)
      g_cond_broadcast (&self->space_cond);
    if (self->wakeup.wanted > 0)
      audio_cast_wakeup_fire_if_reached (&self->wakeup,
          audio_cast_ring_space (&self->ring));
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
    if (!self->dry && self->written > self->drain_mark) {
      GST_DEBUG_OBJECT (self, "underrun: the ring ran dry at %"
          G_GUINT64_FORMAT " frames written", self->written);
      self->underruns++;
    }
    self->dry = TRUE;
    audio_cast_sync_unalign (&self->sync);
    frames = period;
    self->dry_silence_frames += frames;
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

/* Whether the bin has started taking the device down (see
 * audio_cast_queue_set_device_usable()). */
static gboolean
device_going_down (AudioCastQueue *self)
{
  gboolean usable;

  g_rw_lock_reader_lock (&self->device_lock);
  usable = self->device_usable;
  g_rw_lock_reader_unlock (&self->device_lock);
  return !usable;
}

/* The first step of an iteration: finishes a flush, passes on the events
 * that are due, follows the device, and waits until there is something to
 * push. Returns FALSE when this iteration has nothing more to do (the
 * output stopped or restarted, or new caps went out); else the format and
 * period to push in, and whether the period has data to place in time. */
static gboolean
wait_for_work (AudioCastQueue *self, GstAudioInfo *info, guint *period,
    gboolean *sync_wanted)
{
  guint64 dev_now;
  gboolean have_now, ran_dry, late_lost;

  finish_flush (self);
  push_due_events (self);
  have_now = audio_cast_queue_read_device_now (self, &dev_now);

  g_mutex_lock (&self->lock);
  ran_dry = have_now && audio_cast_queue_device_ran_dry_locked (self, dev_now);
  /* a device that prebuffers loses no late push */
  late_lost = ran_dry && !self->device_prebuffers;
  if (have_now) {
    audio_cast_playout_advance (&self->playout, late_lost
        ? audio_cast_queue_heard_when_dry_locked (self, dev_now) : dev_now);
    audio_cast_queue_streams_heard_locked (self);
  }

  if (ran_dry && self->device_prebuffers) {
    /* it stopped at its last frame, everything pushed heard, and goes on
     * with the next push: an underrun, nothing lost */
    if (!self->dry_counted && !self->dry) {
      GST_DEBUG_OBJECT (self, "underrun: the device ran dry at %"
          G_GUINT64_FORMAT, dev_now);
      self->underruns++;
    }
    self->dry_counted = TRUE;
    ran_dry = FALSE;
  } else if (have_now)
    self->dry_counted = FALSE;
  if (ran_dry) {
    audio_cast_queue_restart_device_locked (self, TRUE);        /* unlocks */
    return FALSE;
  }
  /* the evidence of a stall is for the push it delayed */
  self->stalled_past_device = FALSE;
  if (have_now)
    audio_cast_queue_note_device_level_locked (self, dev_now);

  /* Waiting for preroll after a flush, or for the first data once the
   * format went out (the other streams play over the output's periods:
   * once one is open, those go on), nothing goes out until data comes:
   * silence pushed then would only hold the data back behind it. */
  while (self->src_running && !self->flush_stop_pending
      && (!self->have_info || self->eos_sent
          || ((self->preroll_pending || (self->hold_until_data
                      && !self->data_since_start && !self->caps_pending
                      && self->mixer == NULL))
              && audio_cast_ring_fill (&self->ring) == 0
              && !self->eos_received)))
    g_cond_wait (&self->work_cond, &self->lock);
  if (have_now) {
    audio_cast_queue_wait_for_late_write_locked (self);
    audio_cast_queue_wait_for_device_room_locked (self);
    if (audio_cast_queue_wait_dry_locked (self)) {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  }
  if (!self->src_running || self->src_failed) {
    g_mutex_unlock (&self->lock);
    stop_output (self, FALSE);
    return FALSE;
  }
  if (self->flush_stop_pending) {
    g_mutex_unlock (&self->lock);
    return FALSE;
  }

  *info = self->info;
  *period = self->period_frames;
  *sync_wanted = self->sync_enabled && audio_cast_ring_fill (&self->ring) > 0;
  if (self->caps_pending) {
    self->caps_pending = FALSE;
    g_mutex_unlock (&self->lock);
    if (!push_format (self, info, *period)) {
      if (device_going_down (self)) {
        /* Refused by a device the bin is stopping under us (its pad goes
         * down before our own stop): not an error. The caps go again to
         * the device of the next start; until our stop comes (it wakes
         * us), no retry spins on the refusing pad. */
        g_mutex_lock (&self->lock);
        self->caps_pending = TRUE;
        if (self->src_running)
          g_cond_wait_until (&self->work_cond, &self->lock,
              g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND);
        g_mutex_unlock (&self->lock);
        return FALSE;
      }
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
          ("Device chain refused %d Hz %s", GST_AUDIO_INFO_RATE (info),
              GST_AUDIO_INFO_NAME (info)));
      stop_output (self, TRUE);
    }
    return FALSE;
  }
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* Timestamps a period of @frames at @t_start on the device timeline; the
 * first after a start or flush is a discontinuity, where the device's own
 * position is taken up again. */
static void
stamp_period (AudioCastQueue *self, GstBuffer *buffer, guint64 t_start,
    guint64 frames, guint period, const GstAudioInfo *info)
{
  gint rate = GST_AUDIO_INFO_RATE (info);

  if (frames < period)
    gst_buffer_resize (buffer, 0, frames * GST_AUDIO_INFO_BPF (info));
  GST_BUFFER_OFFSET (buffer) = t_start;
  GST_BUFFER_OFFSET_END (buffer) = t_start + frames;
  GST_BUFFER_PTS (buffer) = gst_util_uint64_scale_int (t_start, GST_SECOND,
      rate);
  GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale_int (t_start + frames,
      GST_SECOND, rate) - GST_BUFFER_PTS (buffer);
  if (self->need_discont) {
    GST_BUFFER_FLAG_SET (buffer, GST_BUFFER_FLAG_DISCONT);
    self->need_discont = FALSE;
    audio_cast_queue_restart_device_timeline (self, self->flushed);
    self->flushed = FALSE;
  }
}

/* With the lock held: where the device's input ends, in the timeline
 * (@t_end) and in the device's sample counter (@dev_end). When the device
 * renders in this thread, the push just returned and next_sample is ours
 * to read; when it renders elsewhere, the probe of a later buffer or event
 * recorded a landing (see note_landing_locked), one period or so behind. */
static gboolean
device_input_end_locked (AudioCastQueue *self, guint64 *t_end,
    guint64 *dev_end)
{
  if (!self->renders_elsewhere) {
    *t_end = self->sink_t_end;
    *dev_end = self->device_audio->next_sample;
    return *dev_end != (guint64) - 1;
  }
  if (!self->landed_valid)
    return FALSE;
  self->landed_valid = FALSE;
  *t_end = self->landed_t;
  *dev_end = self->landed_dev;
  return TRUE;
}

/* With the lock held, after the device took a period of @frames: where it
 * landed in the device's sample counter, which is what maps the timeline
 * onto what is heard. */
static void
record_landing_locked (AudioCastQueue *self, guint64 frames, gint rate)
{
  guint64 t_end, dev_end;

  if (self->device_audio && self->device_clock && self->dev_rate > 0) {
    if (!device_input_end_locked (self, &t_end, &dev_end))
      return;
    GST_LOG_OBJECT (self, "anchor t %" G_GUINT64_FORMAT " dev %"
        G_GUINT64_FORMAT, t_end, dev_end);
    self->last_push_dev_start = self->playout.anchored
        ? self->playout.anchor_dev : dev_end;
    audio_cast_playout_anchor (&self->playout, t_end, dev_end, self->dev_rate);
    /* After a flush GstAudioBaseSink resumes at most two periods past
     * the read position: this buffer starts playing no earlier than
     * that (late is fine, early is not). */
    if (self->clock_broken && !self->wall_valid) {
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

/* What the device's answer to a push means for the output thread. */
static void
handle_push_result (AudioCastQueue *self, GstFlowReturn ret)
{
  /* A push that got past the device pad's flushing check just before the
   * bin took the device down gets whatever the half-stopped chain answers:
   * basesink's EOS for a pad no longer in push mode, or another failure of
   * a pad deactivated or unlinked under it (a writer racing a state change
   * to READY under valgrind got GST_FLOW_ERROR in 1 of 60 iterations). While the
   * device goes down each of them means "shutting down", not a failure. */
  if (ret != GST_FLOW_OK && device_going_down (self))
    ret = GST_FLOW_FLUSHING;
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

/* One iteration of the output thread: wait for work, take a period from
 * the ring (or silence), push it, record where it landed. */
void
audio_cast_queue_push_loop (gpointer user_data)
{
  AudioCastQueue *self = user_data;
  GstAudioInfo info;
  GstBuffer *buffer = NULL;
  GstMapInfo map;
  GstFlowReturn ret;
  GstBuffer *tapped;
  guint64 frames, t_start;
  gint64 push_began_us, pushed_us;
  gboolean is_data, sync_wanted, send_eos = FALSE;
  SyncClock sc = { FALSE, };
  SyncStep step;
  guint epoch, period;
  guint64 lead_in;
  gboolean mix;
  guint rewinds;

  /* the device probe tells this thread from a device's own */
  g_atomic_pointer_set (&self->output_thread, g_thread_self ());
  if (!wait_for_work (self, &info, &period, &sync_wanted))
    return;

  if (self->need_segment)
    push_segment (self);

  if (gst_buffer_pool_acquire_buffer (self->pool, &buffer, NULL) != GST_FLOW_OK) {
    stop_output (self, FALSE);
    return;
  }
  gst_buffer_map (buffer, &map, GST_MAP_WRITE);

  if (sync_wanted)
    read_sync_clock (self, &sc);

  g_mutex_lock (&self->lock);
  /* Since wait_for_work, either the format changed (the buffer was sized
   * for the old one and the ring holds the new one) or a clear came (what
   * the ring holds now was written after it, and the device is about to be
   * flushed): the next iteration starts over with the new format, or
   * finishes the flush first. */
  if (self->caps_pending || self->flush_stop_pending) {
    g_mutex_unlock (&self->lock);
    gst_buffer_unmap (buffer, &map);
    gst_buffer_unref (buffer);
    return;
  }
  if (self->need_discont)
    self->lead_in = gst_util_uint64_scale_int (self->flushed
        ? self->restart_lead_in_time : self->lead_in_time,
        GST_AUDIO_INFO_RATE (&info), GST_SECOND);
  lead_in = self->lead_in;
  step = fill_period_locked (self, map.data, period, &sc, &frames, &is_data,
      &send_eos);
  if (step == STEP_RESTART || step == STEP_SKIPPED) {
    gst_buffer_unmap (buffer, &map);
    gst_buffer_unref (buffer);
    if (step == STEP_RESTART)
      audio_cast_queue_restart_device_locked (self, FALSE);      /* unlocks */
    else
      g_mutex_unlock (&self->lock);
    return;
  }
  t_start = self->playout.t_end;
  /* the other streams play over it, but over a lead-in (the device may
   * lose its first frames) or while paused */
  mix = self->mixer != NULL && self->lead_in == lead_in && !self->holding
      && !send_eos;
  rewinds = self->mix_rewinds;
  audio_cast_playout_push (&self->playout, frames, is_data);
  epoch = self->epoch;
  g_mutex_unlock (&self->lock);

  if (mix)
    audio_cast_queue_mix_streams (self, &info, map.data, frames, t_start,
        is_data, rewinds);
  gst_buffer_unmap (buffer, &map);

  if (send_eos) {
    gst_buffer_unref (buffer);
    GST_DEBUG_OBJECT (self, "everything heard, forwarding EOS");
    gst_pad_push_event (self->srcpad, gst_event_new_eos ());
    return;
  }

  stamp_period (self, buffer, t_start, frames, period, &info);
  /* the tap reads the period once the device took it: by then where it
   * landed is known, and so when it is heard */
  tapped = g_atomic_pointer_get (&self->tap) ? gst_buffer_ref (buffer) : NULL;
  /* when the push ran: whether it waited for room in the device
   * (audiocast-queue-pace.c), and the tap's line (audiocast-queue-tap.c) */
  push_began_us = g_get_monotonic_time ();
  ret = gst_pad_push (self->srcpad, buffer);
  pushed_us = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  if (ret == GST_FLOW_OK && epoch == self->epoch) {
    record_landing_locked (self, frames, GST_AUDIO_INFO_RATE (&info));
    audio_cast_queue_note_push_time_locked (self, push_began_us, pushed_us);
    audio_cast_queue_note_push_end_locked (self, pushed_us);
  }
  g_cond_broadcast (&self->played_cond);
  audio_cast_wakeup_fire_if_reached (&self->wakeup,
      audio_cast_ring_space (&self->ring));
  g_mutex_unlock (&self->lock);
  if (tapped) {
    if (ret == GST_FLOW_OK)
      audio_cast_queue_call_tap (self, &info, tapped, frames, t_start,
          push_began_us, pushed_us);
    gst_buffer_unref (tapped);
  }

  handle_push_result (self, ret);
}

gboolean
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
    audio_cast_queue_forget_push_times_locked (self);
    self->need_segment = TRUE;
    self->need_discont = TRUE;
    self->flushed = FALSE;
    self->caps_pending = self->have_info;
    self->eos_sent = FALSE;
    self->flush_stop_pending = FALSE;
    self->data_since_flush = FALSE;
    self->data_since_start = FALSE;
  }
  g_cond_broadcast (&self->work_cond);
  g_cond_broadcast (&self->played_cond);
  audio_cast_wakeup_fire (&self->wakeup);
  g_mutex_unlock (&self->lock);

  if (active) {
    audio_cast_queue_start_flusher (self);
    return gst_pad_start_task (pad, audio_cast_queue_push_loop, self, NULL);
  }

  audio_cast_queue_stop_flusher (self);
  res = gst_pad_stop_task (pad);
  if (self->pool) {
    gst_buffer_pool_set_active (self->pool, FALSE);
    gst_clear_object (&self->pool);
  }
  return res;
}

gboolean
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

