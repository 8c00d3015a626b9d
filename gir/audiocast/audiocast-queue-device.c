/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * AudioCastQueue's device: attaching the device sink, reading where it is
 * playing (the estimate from its clock, and the extrapolation once that
 * clock broke), restarting it when it ran dry, and the clock the element
 * provides, of the audio heard.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-queue-private.h"
#ifdef HAVE_PULSE
#include "audiocast-pulse-ring.h"
#endif

/* A device clock reading this far past the last written sample is nonsense.
 * libpulse can return one right after a cork (its smoother extrapolates
 * backwards and wraps), and then keeps returning it, as its time must never
 * go back. */
#define IMPLAUSIBLE_LEAD_SECONDS 10

/* When audiocast's own stream, prebuffering, started to be heard; 0: not
 * yet, or not such a stream. */
static gint64
own_stream_heard_from (GstAudioRingBuffer *rb)
{
#ifdef HAVE_PULSE
  gint64 from_us;

  if (rb && AUDIO_CAST_IS_PULSE_RING (rb)
      && audio_cast_pulse_ring_heard_from (AUDIO_CAST_PULSE_RING (rb),
          &from_us))
    return from_us;
#endif
  return 0;
}

/* With the lock held: where the device plays, extrapolated at its rate
 * from the last good reading (clock_broken), or FALSE without one. */
static gboolean
extrapolated_position_locked (AudioCastQueue *self, gint64 prebuffered_from,
    gint rate, guint64 *played)
{
  gint64 from, elapsed;

  if (!self->wall_valid)
    return FALSE;
  /* a prebuffering stream is heard from when the server started it (0:
   * not yet): extrapolating from its restart would run ahead by the time
   * its first segment took to reach the server, and its latency */
  from = self->device_prebuffers
      ? MAX (self->wall_time, prebuffered_from) : self->wall_time;
  elapsed = self->device_prebuffers && prebuffered_from == 0
      ? 0 : g_get_monotonic_time () - from;
  *played = self->wall_dev + (elapsed > 0 ?
      gst_util_uint64_scale_int (elapsed, rate, G_USEC_PER_SEC) : 0);
  *played = MIN (*played, self->playout.anchor_dev);
  return TRUE;
}

/* Reads the sample the device is playing now, in the counter of
 * GstAudioBaseSink::next_sample. Called without the lock: the device clock
 * may take the sound server's lock. */
gboolean
audio_cast_queue_read_device_now (AudioCastQueue *self, guint64 *dev_now)
{
  GstAudioBaseSink *audio = NULL;
  GstClock *clock = NULL;
  GstClockTime now;
  gboolean clock_broken, quiet, have_estimate, prebuffers;
  guint64 limit, lead, played;
  gint64 prebuffered_from = 0;
  gint rate;

  g_mutex_lock (&self->lock);
  lead = self->clock_lead;
  prebuffers = self->device_prebuffers;
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
  if (prebuffers)
    prebuffered_from = own_stream_heard_from (audio->ringbuffer);

  if (!clock_broken && !quiet) {
    now = gst_audio_clock_get_time (GST_AUDIO_CLOCK (clock));
    if (!GST_CLOCK_TIME_IS_VALID (now))
      goto unusable_locked;
    now -= MIN (now, lead);
    *dev_now = gst_util_uint64_scale_int (now, rate, GST_SECOND);
    g_mutex_lock (&self->lock);
    self->device_started = !prebuffers || prebuffered_from != 0;
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
     * (see audio_cast_queue_resume_at_device_position). */
    guint64 back = 2 * (guint64) audio->ringbuffer->samples_per_seg;
    guint64 base = (guint64) MAX (audio->ringbuffer->segbase, 0)
        * audio->ringbuffer->samples_per_seg;

    *dev_now = gst_audio_ring_buffer_samples_done (audio->ringbuffer);
    *dev_now -= MIN (*dev_now, back - MIN (back, base));
  }
  g_mutex_lock (&self->lock);
  self->device_started = !prebuffers || prebuffered_from != 0;
  if (extrapolated_position_locked (self, prebuffered_from, rate, &played)) {
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

/**
 * audio_cast_queue_update_position: (skip)
 *
 * Brings the heard position up to date from the device's, and with it
 * every stream's heard count; takes the lock. The output thread does so
 * only after its pushes (a period or two apart).
 */
void
audio_cast_queue_update_position (AudioCastQueue *self)
{
  guint64 dev_now;

  if (!audio_cast_queue_read_device_now (self, &dev_now))
    return;
  g_mutex_lock (&self->lock);
  audio_cast_playout_advance (&self->playout, dev_now);
  audio_cast_queue_streams_heard_locked (self);
  g_mutex_unlock (&self->lock);
}

/* The time function of the element's clock: the timeline heard, less the
 * frames it does not count (see clock_skipped). It runs as the device plays,
 * silence included (paused, or an application writing slower than real
 * time), so pipelines run on it while nothing comes; after a restart it
 * stands still until the new audio is heard, which keeps what comes after
 * a seek or a clear on time. GstAudioClock keeps it monotonic. */
GstClockTime
audio_cast_queue_clock_time (GstClock *clock, gpointer user_data)
{
  AudioCastQueue *self = user_data;
  GstClockTime time = GST_CLOCK_TIME_NONE;

  audio_cast_queue_update_position (self);
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

/* With the lock held, in the thread that renders: the buffer before the
 * one now arriving has landed, and next_sample says where it ends. */
static void
note_landing_locked (AudioCastQueue *self)
{
  guint64 dev_end;

  if (!self->renders_elsewhere || self->device_audio == NULL
      || self->sink_t_end == 0)
    return;
  dev_end = self->device_audio->next_sample;
  if (dev_end == (guint64) - 1)
    return;
  self->landed_t = self->sink_t_end;
  self->landed_dev = dev_end;
  self->landed_valid = TRUE;
}

/* Runs in the thread that renders, for every buffer and event the device
 * gets: remembers where in the timeline the device's input ends, and the
 * device's rate. */
static GstPadProbeReturn
device_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  AudioCastQueue *self = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
    gboolean elsewhere = g_thread_self ()
        != g_atomic_pointer_get (&self->output_thread);
    gint rate;

    g_mutex_lock (&self->lock);
    if (elsewhere && !self->renders_elsewhere)
      GST_INFO_OBJECT (self, "the device renders in a thread of its own");
    self->renders_elsewhere = elsewhere;
    note_landing_locked (self);
    rate = GST_AUDIO_INFO_RATE (&self->info);
    if (GST_BUFFER_PTS_IS_VALID (buf) && GST_BUFFER_DURATION_IS_VALID (buf)
        && rate > 0)
      self->sink_t_end = gst_util_uint64_scale_int_round (GST_BUFFER_PTS (buf)
          + GST_BUFFER_DURATION (buf), rate, GST_SECOND);
    g_mutex_unlock (&self->lock);
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_FLUSH) {
    /* what lands after a flush belongs to a timeline started afresh */
    g_mutex_lock (&self->lock);
    self->landed_valid = FALSE;
    self->sink_t_end = 0;
    g_mutex_unlock (&self->lock);
  } else if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

    if (GST_EVENT_IS_SERIALIZED (event)) {
      g_mutex_lock (&self->lock);
      note_landing_locked (self);
      g_mutex_unlock (&self->lock);
    }
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

void
audio_cast_queue_release_device (AudioCastQueue *self)
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
  self->renders_elsewhere = FALSE;
  self->landed_valid = FALSE;
  self->sink_t_end = 0;
  g_mutex_unlock (&self->lock);
}

/* Called by the bin once the device sink is in READY (wrappers have created
 * their child by then). */
void
audio_cast_queue_set_device (AudioCastQueue *self, GstElement *device_sink)
{
  GstAudioBaseSink *audio;
  GstElement *probed;

  audio_cast_queue_release_device (self);
  if (device_sink == NULL)
    return;

  audio = find_audio_base_sink (device_sink);
  probed = audio ? GST_ELEMENT (audio) : device_sink;
  self->probe_pad = gst_element_get_static_pad (probed, "sink");
  if (self->probe_pad)
    self->probe_id = gst_pad_add_probe (self->probe_pad,
        GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM
        | GST_PAD_PROBE_TYPE_EVENT_FLUSH,
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

/* With the lock held, at a stream's start or a flush: no push landed in
 * this device stream yet, so none can have come late. */
void
audio_cast_queue_forget_push_times_locked (AudioCastQueue *self)
{
  self->last_push_end_us = 0;
  self->stalled_past_device = FALSE;
  self->dry_deadline_us = 0;
  self->pushed_late = FALSE;
}

/* With the lock held, at @dev_now, after the last push landed: when the
 * device runs dry unless fed, by its clock (at its rate from now). */
void
audio_cast_queue_note_device_level_locked (AudioCastQueue *self,
    guint64 dev_now)
{
  guint64 held;

  self->dry_deadline_us = 0;
  if (!self->playout.anchored || self->dev_rate <= 0
      || dev_now >= self->playout.anchor_dev)
    return;
  held = self->playout.anchor_dev - dev_now;
  /* Fed again with more than a period to spare: what a late push lost, if
   * anything, was the part of it the read position had passed, which no
   * restart followed. */
  if (held > gst_util_uint64_scale_int (self->latency_time, self->dev_rate,
          GST_SECOND))
    self->pushed_late = FALSE;
  self->dry_deadline_us = saturating_add_us (g_get_monotonic_time (),
      (gint64) gst_util_uint64_scale_int (held, G_USEC_PER_SEC,
          self->dev_rate));
}

/* With the lock held, after a push the device took at @ended_us.
 *
 * Whether it landed after the device ran dry (half a period of slack for
 * the clock's interpolation): this thread was preempted, or the whole
 * process stalled, the push blocked in the device meanwhile. The push then
 * went in behind the server's read position, which drops it: in a 3 s
 * low-latency stream with both cores busy, stalls of 30 ms dropped 600 to
 * 6500 frames counted as played, before the device was restarted at the
 * read position; now the restart comes before the next push, and the late
 * ones since the device was last found fed count as cleared
 * (audio_cast_queue_heard_when_dry_locked()).
 *
 * And whether this thread stood still since the push before for longer
 * than the device can hold at all (its buffer and half a period), which no
 * reading of the clock can explain: then the device surely ran dry, even in
 * a stream's first seconds (audio_cast_queue_device_ran_dry_locked()). */
void
audio_cast_queue_note_push_end_locked (AudioCastQueue *self, gint64 ended_us)
{
  gint64 half_period_us = (gint64) (self->latency_time / GST_USECOND / 2);

  if (self->device_audio == NULL)
    return;
  if (!self->pushed_late && self->dry_deadline_us > 0
      && ended_us > saturating_add_us (self->dry_deadline_us, half_period_us)) {
    self->pushed_late = TRUE;
    self->late_from_dev = self->last_push_dev_start;
  }
  if (self->last_push_end_us > 0 && ended_us - self->last_push_end_us
      > (gint64) self->device_audio->buffer_time + half_period_us)
    self->stalled_past_device = TRUE;
  self->last_push_end_us = ended_us;
}

/* With the lock held: the device played everything it was given, so this
 * thread ran late (CPU starvation) and the device is playing silence. Half
 * a period of slack absorbs the clock's interpolation. Only for devices
 * that write at absolute positions (see audio_cast_queue_set_restart_when_dry).
 * Within RESTART_INTERVAL_US of the stream's start or of the last restart,
 * only when this thread is known to have stood still for longer than the
 * device holds (audio_cast_queue_note_push_end_locked): a PulseAudio sink
 * that cannot rewind renders far ahead when a stream appears, so its read
 * position runs past what was written until it settles, while pushes come
 * in time, and restarting then would only start over. */
#define RESTART_INTERVAL_US (2 * G_USEC_PER_SEC)
gboolean
audio_cast_queue_device_ran_dry_locked (AudioCastQueue *self, guint64 dev_now)
{
  return self->restart_when_dry && self->src_running && self->playout.anchored
      && (self->stalled_past_device
          || g_get_monotonic_time () - self->last_restart >= RESTART_INTERVAL_US)
      && !self->clock_broken
      && !self->holding && !self->flush_stop_pending && self->dev_rate > 0
      && dev_now > self->playout.anchor_dev
      + gst_util_uint64_scale_int (self->latency_time / 2, self->dev_rate,
          GST_SECOND);
}

/* With the lock held, the device found dry at @dev_now: the position up to
 * which what was pushed was heard. Pushes that landed after the device ran
 * dry (audio_cast_queue_note_push_end_locked()) went in behind the server's
 * read position, which drops them: they were not heard, and the restart
 * counts them as cleared. Else everything pushed was heard before the
 * device ran dry. */
guint64
audio_cast_queue_heard_when_dry_locked (AudioCastQueue *self, guint64 dev_now)
{
  if (!self->pushed_late)
    return dev_now;
  GST_DEBUG_OBJECT (self, "pushes landed after the device ran dry; "
      "their %" G_GUINT64_FORMAT " device frames were dropped",
      self->playout.anchor_dev - MIN (self->playout.anchor_dev,
          self->late_from_dev));
  return MIN (dev_now, self->late_from_dev);
}

/* Called with the lock held, releases it. After the device ran dry, the
 * sink (sync=false) would go on writing where it left off, behind the
 * server's read position, and the server would drop that audio: the device
 * is flushed so its timeline restarts at the read position, the way clear()
 * does but keeping the ring. Audio pushed before was played, or is dropped
 * by the flush: the frames audioresample still held back (its filter's
 * history, some dozens of frames), which the device never received. Those
 * count as cleared, or written = played + cleared + buffered would break
 * and a drain or EOS waiting for them to be heard would wait forever. */
void
audio_cast_queue_restart_device_locked (AudioCastQueue *self, gboolean ran_dry)
{
  guint64 pushed = audio_cast_playout_pushed (&self->playout);
  guint64 heard = audio_cast_playout_heard (&self->playout);
  guint64 dropped = pushed > heard ? pushed - heard : 0;

  GST_DEBUG_OBJECT (self, "%s; restarting the device, %" G_GUINT64_FORMAT
      " frames pushed and not heard are dropped", ran_dry
      ? "the device ran dry" : "catching up with the clock", dropped);
  self->last_restart = g_get_monotonic_time ();
  self->cleared += dropped;
  if (ran_dry && !self->dry)
    self->underruns++;
  audio_cast_queue_new_epoch_locked (self);
  audio_cast_queue_request_flush_locked (self);
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
void
audio_cast_queue_quiet_device_clock (AudioCastQueue *self, guint64 dev_now)
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
 * one to two periods past the read index. Only for pulsesink
 * (restart_when_dry), which writes at absolute positions, the first buffer
 * after a flush goes where the server will really read it instead.
 *
 * On PulseAudio that hole was silence every restart began with: a write
 * after idle and the audio after a clear were heard 19-29 ms after the
 * write with 10 ms periods (the hole, the 5 ms lead-in and the server's
 * mixing block). pulsesink's segment count is the read index rounded up to
 * a segment, from the timing reply to the cork of the flush, which comes
 * back before the flush completes, and the read index stands still while
 * the stream is corked. So the first buffer, the lead-in, starts at that
 * rounded-up read index: at most a segment past it. That count is only as
 * fresh as pulsesink's last timing reply, which does not always come
 * between the cork and the restart: in a low-latency stream restarted after
 * a 6.5 ms stall it stood 350 frames behind the clock, the lead-in and the
 * first 120 frames of the audio went in behind the read index and were
 * dropped. The clock, read while the stream is corked, stands at or behind
 * the read index, so the first buffer after a flush starts no earlier than
 * the clock either, rounded up to a segment. (Not a new stream's: its
 * clock, a millisecond or so into a stream still corked, would put its
 * first buffer a whole segment on, and every onset that much later.) It
 * does not start
 * behind it, the lead-in dropped and the audio right at the read index:
 * pulsesink uncorks as soon as it finds no room to write, at times before
 * the first write reached the server, and the read index then runs on (a
 * sink with rewinds dropped the first 68 frames of the audio that way); the
 * lead-in is what covers that.
 *
 * On PipeWire, pipewire-pulse 0.3.65 (Debian 12) leaves its ring's old
 * bytes in that hole (its flush only moves the write index back to the read
 * index), so audio that clear() reported discarded played again: 15 to 27 ms
 * of it after a clear, at times after a quantum of silence. So the first
 * buffer after a flush starts at or just behind the read index, and its
 * lead-in of silence overwrites what the server still holds; what lands
 * behind the read index the server never plays. Two bounds of the read
 * index, both behind it: the clock (less its lead: the sound heard, up to
 * 19 ms behind the read index after a flush here) and the segment before
 * the one pulsesink last counted done (its latency callback counts the
 * segment holding the read index, and after the cork of a flush the read
 * index stands still). The later of the two is at most a segment behind,
 * which the lead-in covers.
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
 * estimate that reads the count (audio_cast_queue_read_device_now) allows
 * for it. */
#define RESUME_SLACK_SEGMENTS 2
static guint64
round_up_to_segment (guint64 sample, guint samples_per_seg)
{
  return (sample + samples_per_seg - 1) / samples_per_seg * samples_per_seg;
}

/* audiocast's own stream prebuffers: its read index stands still until
 * the first write after a stop reaches it, so that write goes right there,
 * not at the segment after. */
static gboolean
own_stream_read_index (GstAudioRingBuffer *rb, guint64 *frames)
{
#ifdef HAVE_PULSE
  return AUDIO_CAST_IS_PULSE_RING (rb)
      && audio_cast_pulse_ring_read_index (AUDIO_CAST_PULSE_RING (rb), frames);
#else
  return FALSE;
#endif
}

void
audio_cast_queue_resume_at_device_position (AudioCastQueue *self,
    guint64 dev_now, gboolean after_flush)
{
  GstAudioBaseSink *audio;
  GstAudioRingBuffer *rb;
  gboolean on_pipewire;

  g_mutex_lock (&self->lock);
  /* next_sample belongs to the thread that renders: this one, unless the
   * device renders in a thread of its own */
  audio = self->restart_when_dry && self->device_audio
      && !self->renders_elsewhere ? gst_object_ref (self->device_audio) : NULL;
  on_pipewire = self->clock_lead > 0;
  g_mutex_unlock (&self->lock);
  if (audio == NULL)
    return;
  rb = audio->ringbuffer;
  if (rb && gst_audio_ring_buffer_is_acquired (rb) && rb->samples_per_seg > 0) {
    gint done = MAX (g_atomic_int_get (&rb->segdone), 0);
    guint64 read_ceil = (guint64) done * rb->samples_per_seg;
    guint64 read_floor = (guint64) MAX (done - 1, 0) * rb->samples_per_seg;
    guint64 read_exact;

    rb->segbase = RESUME_SLACK_SEGMENTS;
    GST_DEBUG_OBJECT (self, "resuming the device %s at %" G_GUINT64_FORMAT
        " (clock), read index in [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
        "]", after_flush ? "after a flush" : "at its start", dev_now,
        read_floor, read_ceil);
    if (!on_pipewire && own_stream_read_index (rb, &read_exact))
      audio->next_sample = read_exact;
    else if (on_pipewire)
      audio->next_sample = MAX (dev_now, read_floor);
    else if (after_flush)
      audio->next_sample = MAX (read_ceil,
          round_up_to_segment (dev_now, rb->samples_per_seg));
    else
      audio->next_sample = read_ceil;
  }
  gst_object_unref (audio);
}

/* The first buffer after a flush (@after_flush) or a start: where the
 * device stands. */
void
audio_cast_queue_restart_device_timeline (AudioCastQueue *self,
    gboolean after_flush)
{
  guint64 dev_now;

  if (!audio_cast_queue_read_device_now (self, &dev_now)) {
    GST_DEBUG_OBJECT (self, "no device position to resume at");
    return;
  }
  audio_cast_queue_resume_at_device_position (self, dev_now, after_flush);
  audio_cast_queue_quiet_device_clock (self, dev_now);
}

