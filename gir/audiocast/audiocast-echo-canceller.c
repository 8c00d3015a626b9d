/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Echo cancellation; see audiocast-echo-canceller.h.
 *
 * webrtcdsp takes its reference from a webrtcechoprobe, and lines the two
 * up by running time: the probe's buffers say when they play, the DSP's
 * when they were captured. Put in a player's pipeline, a probe would stamp
 * its buffers with that pipeline's running time, another timeline than the
 * recorder's, and with when they leave for the device rather than when
 * they are heard: the echo canceller would look for the echo at the wrong
 * place (a few dB of cancellation at best).
 *
 * So the probe lives here, in a small pipeline of its own
 *
 *   [reference pad] ! audioconvert ! audioresample ! capsfilter !
 *       webrtcechoprobe ! fakesink
 *
 * fed by the recorder's streaming thread just before each captured buffer
 * reaches the DSP. What it is fed comes from the player's queue: every
 * period the queue hands its device (the application's audio, the silence
 * after a clear or while idle) is copied by a tap into a ring, with when
 * its first frame will be heard on the monotonic clock; the feeder turns
 * that time into the recorder pipeline's running time. The probe's latency
 * is 0: its timestamps already say when each frame is heard, so the
 * reference reaches the DSP aligned with the capture of the same moment,
 * and the filter only has the room's own echo path left to find.
 *
 * Threads: the tap runs in the player's output thread and never waits (a
 * memcpy into the ring under ring_lock); everything else runs in the
 * recorder's streaming thread, or before and after it runs. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-echo-canceller.h"
#include "audiocast-capture-ring.h"
#include "audiocast-capture-clock.h"
#include "audiocast-echo-delay.h"
#include "audiocast-echo-gate.h"
#include "audiocast-error.h"

#include <gst/audio/audio.h>

GST_DEBUG_CATEGORY_STATIC (audio_cast_echo_debug);
#define GST_CAT_DEFAULT audio_cast_echo_debug

/* The reference the ring holds: enough for a recorder thread that stalls
 * for a while; older reference is of no use to the DSP anyway. */
#define REFERENCE_SECONDS 2
/* A reference buffer further than this from where the previous one ended
 * starts over (DISCONT): the player's device restarted. */
#define REFERENCE_JITTER (GST_MSECOND)
/* The reference is handed to the DSP this much before its echo is due: the
 * filter must see each sound before its echo, and the estimate of the
 * echo's delay is good to a millisecond or two. */
#define ECHO_MARGIN_MS 5

struct _AudioCastEchoCanceller
{
  AudioCastQueue *queue;        /* (owned) the player's, tapped */
  guint rate;                   /* the DSP's */
  GstClockTime dsp_delay;       /* see audio_cast_echo_canceller_dsp_delay() */
  GstElement *dsp;              /* in the recorder's pipeline */
  gulong feed_probe;
  gulong gate_probe;

  /* ring_lock: guards ring and ring_info against the feeder swapping them
   * (a new player format), and wanted_info/format_wanted, which the tap
   * sets when the player's format is not the ring's. Held by the tap for a
   * memcpy, by the feeder for a pointer swap. */
  GMutex ring_lock;
  AudioCastCaptureRing *ring;
  GstAudioInfo ring_info;
  GstAudioInfo wanted_info;
  gboolean format_wanted;

  /* The reference pipeline, and its state; the feeder's only. */
  GstElement *reference;
  GstPad *reference_pad;
  gboolean stream_started;
  GstClockTime next_pts;        /* where the last buffer pushed ended */
  /* How much later than heard the reference is stamped: the echo's delay
   * less the margin, once it is known (the feeder's only). */
  GstClockTimeDiff shift;
  GstClockTimeDiff pushed_shift; /* the shift of the last buffer pushed */
  AudioCastEchoDelay *delay;
  AudioCastCaptureClock capture_clock; /* see running_minus_monotonic() */
  AudioCastEchoGate gate;       /* the DSP's output's; see gate_output() */
};

guint
audio_cast_echo_canceller_rate (guint rate)
{
  if (rate <= 16000)
    return 16000;
  if (rate <= 32000)
    return 32000;
  return 48000;
}

/* webrtcdsp stamps what it hands out with the time of what went in, but
 * its canceller's framing holds the audio back: what comes out was
 * captured this many frames before its time says. Measured on
 * webrtc-audio-processing 0.3 (Debian 12's) with the settings the
 * canceller uses; tests/check/libs/echo_dsp_delay.c measures the library
 * installed against it. */
guint
audio_cast_echo_canceller_dsp_delay (guint dsp_rate)
{
  switch (dsp_rate) {
    case 16000:
      return 112;               /* 7.0 ms */
    case 32000:
      return 228;               /* 7.1 ms: the canceller runs on 16 kHz bands */
    default:
      return 382;               /* 8.0 ms */
  }
}

/* The player's output thread: see AudioCastQueueTap. */
static void
on_player_output (const GstAudioInfo *info, const guint8 *data,
    guint64 frames, gint64 heard_time_us, gpointer user_data)
{
  AudioCastEchoCanceller *self = user_data;

  g_mutex_lock (&self->ring_lock);
  if (self->ring != NULL && gst_audio_info_is_equal (info, &self->ring_info))
    audio_cast_capture_ring_push (self->ring, data, frames, heard_time_us);
  else if (!self->format_wanted
      || !gst_audio_info_is_equal (info, &self->wanted_info)) {
    /* the feeder makes a ring for it; until then this audio is lost */
    self->wanted_info = *info;
    self->format_wanted = TRUE;
  }
  g_mutex_unlock (&self->ring_lock);
}

static void
free_ring (AudioCastCaptureRing *ring)
{
  if (ring == NULL)
    return;
  audio_cast_capture_ring_clear (ring);
  g_free (ring);
}

/* The feeder: a ring for the player's new format, and the caps for it
 * down the reference pipeline. */
static void
follow_player_format (AudioCastEchoCanceller *self)
{
  AudioCastCaptureRing *ring, *old;
  GstAudioInfo info;
  GstCaps *caps;

  g_mutex_lock (&self->ring_lock);
  if (!self->format_wanted) {
    g_mutex_unlock (&self->ring_lock);
    return;
  }
  info = self->wanted_info;
  g_mutex_unlock (&self->ring_lock);

  ring = g_new0 (AudioCastCaptureRing, 1);
  if (!audio_cast_capture_ring_init (ring, GST_AUDIO_INFO_BPF (&info),
          GST_AUDIO_INFO_RATE (&info),
          (guint64) GST_AUDIO_INFO_RATE (&info) * REFERENCE_SECONDS)) {
    free_ring (ring);
    return;
  }
  g_mutex_lock (&self->ring_lock);
  old = self->ring;
  self->ring = ring;
  self->ring_info = info;
  self->format_wanted = !gst_audio_info_is_equal (&info, &self->wanted_info);
  g_mutex_unlock (&self->ring_lock);
  free_ring (old);

  if (!self->stream_started) {
    GstSegment segment;

    gst_pad_push_event (self->reference_pad,
        gst_event_new_stream_start ("audiocast-echo-reference"));
    caps = gst_audio_info_to_caps (&info);
    gst_pad_push_event (self->reference_pad, gst_event_new_caps (caps));
    gst_caps_unref (caps);
    gst_segment_init (&segment, GST_FORMAT_TIME);
    gst_pad_push_event (self->reference_pad, gst_event_new_segment (&segment));
    self->stream_started = TRUE;
  } else {
    caps = gst_audio_info_to_caps (&info);
    gst_pad_push_event (self->reference_pad, gst_event_new_caps (caps));
    gst_caps_unref (caps);
  }
  self->next_pts = GST_CLOCK_TIME_NONE;
  GST_DEBUG ("reference: the player plays %d Hz × %d now",
      GST_AUDIO_INFO_RATE (&info), GST_AUDIO_INFO_CHANNELS (&info));
}

/* The running time of @buffer, arriving on @pad; NONE without one. */
static GstClockTime
buffer_running_time (GstPad *pad, GstBuffer *buffer)
{
  GstEvent *event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  const GstSegment *segment;
  GstClockTime running = GST_CLOCK_TIME_NONE;

  if (event != NULL) {
    gst_event_parse_segment (event, &segment);
    running = gst_segment_to_running_time (segment, GST_FORMAT_TIME,
        GST_BUFFER_PTS (buffer));
    gst_event_unref (event);
  }
  return running;
}

/* The recorder pipeline's running time less the monotonic time (ns), from
 * the captured @buffer on @pad as it arrives: its running time against when
 * it would have arrived had no thread been late (audiocast-capture-clock.h).
 * That is later than it was captured, by a constant the echo's delay takes
 * in. Read from the pipeline's clock instead, the offset moved by the steps
 * of its period (pulsesrc's clock moves by 10 ms on PipeWire) and by its
 * wander (up to 20 ms over seconds on pipewire-pulse), while the capture's
 * own timestamps go by its samples: every move of the offset moved the
 * reference against the capture, and the filter had to converge anew.
 * FALSE while the buffer has no running time. */
static gboolean
running_minus_monotonic (AudioCastEchoCanceller *self, GstPad *pad,
    GstBuffer *buffer, gdouble *offset)
{
  GstClockTime running = buffer_running_time (pad, buffer);
  gint64 arrived;

  if (!GST_CLOCK_TIME_IS_VALID (running))
    return FALSE;
  arrived = audio_cast_capture_clock_update_arrival (&self->capture_clock,
      (gint64) (running / GST_USECOND), g_get_monotonic_time ());
  *offset = (gdouble) running - (gdouble) arrived * GST_USECOND;
  return TRUE;
}

/* When the reference stamped @pts (the recorder's running time, as the
 * DSP gets it) is heard: its stamp less the shift toward the echo. */
static GstClockTime
heard_running (const AudioCastEchoCanceller *self, GstClockTime pts)
{
  return pts - MIN (pts, (GstClockTime) self->shift);
}

/* Pushes one buffer of what the ring holds down the reference pipeline;
 * FALSE when there was nothing. */
static gboolean
push_some_reference (AudioCastEchoCanceller *self, gdouble clock_offset)
{
  AudioCastCaptureStats stats;
  AudioCastCaptureReadInfo got;
  GstBuffer *buffer;
  GstMapInfo map;
  gint64 running;
  GstClockTimeDiff jump, shift_move;
  gsize bpf = GST_AUDIO_INFO_BPF (&self->ring_info);
  gint rate = GST_AUDIO_INFO_RATE (&self->ring_info);

  audio_cast_capture_ring_get_stats (self->ring, &stats);
  if (stats.available == 0)
    return FALSE;
  buffer = gst_buffer_new_allocate (NULL, stats.available * bpf, NULL);
  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  audio_cast_capture_ring_read (self->ring, map.data, stats.available, 0,
      NULL, &got);
  gst_buffer_unmap (buffer, &map);
  if (got.got == 0 || got.first_time_us < 0) {
    gst_buffer_unref (buffer);
    return got.got > 0;
  }
  gst_buffer_set_size (buffer, got.got * bpf);

  running = (gint64) (clock_offset + (gdouble) got.first_time_us
      * GST_USECOND) + self->shift;
  GST_BUFFER_PTS (buffer) = (GstClockTime) MAX (running, 0);
  GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale_int (got.got,
      GST_SECOND, rate);
  /* audioresample counts its own timestamps on from the first buffer and
   * starts over only at a discontinuity */
  jump = GST_CLOCK_TIME_IS_VALID (self->next_pts) ?
      GST_CLOCK_DIFF (self->next_pts, GST_BUFFER_PTS (buffer)) : 0;
  shift_move = self->shift - self->pushed_shift;
  if (!GST_CLOCK_TIME_IS_VALID (self->next_pts) || got.dropped_before > 0
      || ABS (jump) > (GstClockTimeDiff) REFERENCE_JITTER) {
    GST_BUFFER_FLAG_SET (buffer, GST_BUFFER_FLAG_DISCONT);
    GST_DEBUG ("reference discont: %" G_GINT64_FORMAT " us from where the "
        "last ended, %" G_GINT64_FORMAT " us of them a move of the shift (%"
        G_GUINT64_FORMAT " dropped before)", jump / 1000, shift_move / 1000,
        got.dropped_before);
    /* Where the player's sound is heard moved against the capture (its
     * device was flushed): the echo's delay must be found anew. Not for a
     * move of the shift alone (that moves where the reference is handed,
     * not where it is heard), nor for a correction of where it is heard
     * under the delay's hysteresis (the capture's or the player's line
     * moved 1.06 to 1.11 ms in 3 room runs of 6, 1.3 s into the first
     * sentence): that moves no delay found, and starting the envelopes
     * over put off finding the first one by 0.6 s, the gate having no
     * bound on the echo meanwhile (the VAD fired on that sentence's echo
     * once). */
    if (GST_CLOCK_TIME_IS_VALID (self->next_pts) && (got.dropped_before > 0
            || ABS (jump - shift_move)
            >= AUDIO_CAST_ECHO_HYSTERESIS_MS * GST_MSECOND))
      audio_cast_echo_delay_relearn (self->delay);
    /* the filter leaves more of the echo for a while after any move of
     * the reference against the capture (audiocast-echo-gate.h) */
    audio_cast_echo_gate_restart (&self->gate,
        heard_running (self, GST_BUFFER_PTS (buffer)));
  }
  self->pushed_shift = self->shift;
  self->next_pts = GST_BUFFER_PTS (buffer) + GST_BUFFER_DURATION (buffer);
  gst_pad_push (self->reference_pad, buffer);
  return TRUE;
}

/* Adds @buffer (mono F32 at the DSP's rate, arriving on @pad) to the
 * envelope of what was heard or captured, at its running time less
 * @shift. */
static void
note_envelope (AudioCastEchoCanceller *self, GstPad *pad, GstBuffer *buffer,
    GstClockTimeDiff shift, gboolean heard)
{
  GstClockTime running = buffer_running_time (pad, buffer);
  GstMapInfo map;

  if (!GST_CLOCK_TIME_IS_VALID (running) || (GstClockTimeDiff) running < shift
      || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return;
  if (heard)
    audio_cast_echo_delay_add_heard (self->delay, (const gfloat *) map.data,
        map.size / sizeof (gfloat), self->rate, running - shift);
  else
    audio_cast_echo_delay_add_captured (self->delay,
        (const gfloat *) map.data, map.size / sizeof (gfloat), self->rate,
        running);
  gst_buffer_unmap (buffer, &map);
}

/* A pad probe on the DSP's sink pad, in the recorder's streaming thread:
 * before the DSP takes a captured buffer, the probe gets all the reference
 * heard so far. */
static GstPadProbeReturn
feed_reference (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  AudioCastEchoCanceller *self = user_data;
  gdouble clock_offset;
  gint delay_ms;

  note_envelope (self, pad, GST_PAD_PROBE_INFO_BUFFER (info), 0, FALSE);
  follow_player_format (self);
  if (self->ring == NULL || !running_minus_monotonic (self, pad,
          GST_PAD_PROBE_INFO_BUFFER (info), &clock_offset))
    return GST_PAD_PROBE_OK;
  while (push_some_reference (self, clock_offset));

  delay_ms = audio_cast_echo_delay_update (self->delay);
  if (delay_ms >= 0 && self->shift != (MAX (0, delay_ms - ECHO_MARGIN_MS)
          * GST_MSECOND)) {
    GST_DEBUG ("the echo comes %d ms after the sound is heard "
        "(correlation %.2f)", delay_ms, self->delay->correlation);
    /* the filter must find the echo anew: judged strictly from the
     * reference pushed next on, and from now on (the delay already says
     * where the echo is, the filter does not yet) */
    if (GST_CLOCK_TIME_IS_VALID (self->next_pts))
      audio_cast_echo_gate_restart (&self->gate,
          heard_running (self, self->next_pts));
    self->shift = MAX (0, delay_ms - ECHO_MARGIN_MS) * GST_MSECOND;
  }
  return GST_PAD_PROBE_OK;
}

/* A pad probe on the echo probe's sink pad: the reference as the DSP gets
 * it, its time put back to when it is heard. */
static GstPadProbeReturn
note_heard (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  AudioCastEchoCanceller *self = user_data;

  note_envelope (self, pad, GST_PAD_PROBE_INFO_BUFFER (info), self->shift,
      TRUE);
  return GST_PAD_PROBE_OK;
}

/* A pad probe on the DSP's source pad, in the recorder's streaming thread:
 * what the filter left of the echo is taken down (audiocast-echo-gate.h).
 * The DSP works in place, so the buffer is the one it was given, and is
 * writable without a copy. */
static GstPadProbeReturn
gate_output (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  AudioCastEchoCanceller *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime running;
  GstMapInfo map;

  buffer = gst_buffer_make_writable (buffer);
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  /* put each buffer back to when what it holds was captured, for the
   * recorder's capture times, and for the gate, which weighs it against
   * the captured envelope */
  if (GST_BUFFER_PTS_IS_VALID (buffer))
    GST_BUFFER_PTS (buffer) -= MIN (GST_BUFFER_PTS (buffer),
        self->dsp_delay);
  running = buffer_running_time (pad, buffer);
  if (!GST_CLOCK_TIME_IS_VALID (running))
    return GST_PAD_PROBE_OK;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READWRITE))
    return GST_PAD_PROBE_OK;
  audio_cast_echo_gate_apply (&self->gate, self->delay, (gfloat *) map.data,
      map.size / sizeof (gfloat), self->rate, running);
  gst_buffer_unmap (buffer, &map);
  return GST_PAD_PROBE_OK;
}

/* reference pad ! audioconvert ! audioresample ! capsfilter !
 * webrtcechoprobe ! fakesink, PLAYING; NULL when an element is missing. */
static gboolean
make_reference_pipeline (AudioCastEchoCanceller *self, const gchar *probe_name)
{
  GstElement *convert, *resample, *filter, *probe, *sink;
  GstCaps *caps;
  GstPad *pad;

  convert = gst_element_factory_make ("audioconvert", NULL);
  resample = gst_element_factory_make ("audioresample", NULL);
  filter = gst_element_factory_make ("capsfilter", NULL);
  probe = gst_element_factory_make ("webrtcechoprobe", probe_name);
  sink = gst_element_factory_make ("fakesink", NULL);
  self->reference = gst_pipeline_new ("audiocast-echo-reference");
  if (!convert || !resample || !filter || !probe || !sink) {
    gst_clear_object (&convert);
    gst_clear_object (&resample);
    gst_clear_object (&filter);
    gst_clear_object (&probe);
    gst_clear_object (&sink);
    return FALSE;
  }
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING,
      GST_AUDIO_NE (F32), "layout", G_TYPE_STRING, "non-interleaved",
      "rate", G_TYPE_INT, (gint) self->rate, "channels", G_TYPE_INT, 1, NULL);
  g_object_set (filter, "caps", caps, NULL);
  gst_caps_unref (caps);
  g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample",
      FALSE, NULL);
  gst_bin_add_many (GST_BIN (self->reference), convert, resample, filter,
      probe, sink, NULL);
  if (!gst_element_link_many (convert, resample, filter, probe, sink, NULL))
    return FALSE;

  self->reference_pad = gst_pad_new ("reference", GST_PAD_SRC);
  gst_pad_set_active (self->reference_pad, TRUE);
  pad = gst_element_get_static_pad (convert, "sink");
  gst_pad_link (self->reference_pad, pad);
  gst_object_unref (pad);
  if (gst_element_set_state (self->reference, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE)
    return FALSE;
  pad = gst_element_get_static_pad (probe, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, note_heard, self, NULL);
  gst_object_unref (pad);
  /* The probe only hands out reference once it knows its latency: none,
   * since its timestamps already say when each frame is heard. */
  pad = gst_element_get_static_pad (probe, "src");
  gst_pad_send_event (pad, gst_event_new_latency (0));
  gst_object_unref (pad);
  return TRUE;
}

AudioCastEchoCanceller *
audio_cast_echo_canceller_new (AudioCastQueue *queue, guint rate,
    GstElement **dsp, GError **error)
{
  static gint instances;
  AudioCastEchoCanceller *self;
  gchar *probe_name;
  GstPad *pad;

  GST_DEBUG_CATEGORY_INIT (audio_cast_echo_debug, "audiocastecho", 0,
      "audiocast echo cancellation");
  self = g_new0 (AudioCastEchoCanceller, 1);
  g_mutex_init (&self->ring_lock);
  self->delay = g_new (AudioCastEchoDelay, 1);
  audio_cast_echo_delay_init (self->delay);
  audio_cast_echo_gate_init (&self->gate);
  self->rate = rate;
  self->dsp_delay = gst_util_uint64_scale_int (
      audio_cast_echo_canceller_dsp_delay (rate), GST_SECOND, rate);
  self->next_pts = GST_CLOCK_TIME_NONE;
  probe_name = g_strdup_printf ("audiocast-echo-probe-%d",
      g_atomic_int_add (&instances, 1));
  self->dsp = gst_element_factory_make ("webrtcdsp", NULL);
  if (self->dsp == NULL || !make_reference_pipeline (self, probe_name)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
        "echo cancellation needs GStreamer's webrtcdsp and webrtcechoprobe "
        "(gst-plugins-bad; Debian: gstreamer1.0-plugins-bad)");
    g_free (probe_name);
    if (self->dsp) {
      gst_object_ref_sink (self->dsp);
      gst_clear_object (&self->dsp);
    }
    audio_cast_echo_canceller_free (self);
    return NULL;
  }
  /* The room's echo comes tens of milliseconds after the sound is heard,
   * longer than the default filter spans. Noise suppression and gain
   * control stay off: they would change the user's voice, which the
   * application wants as it was. The suppressor stays low: measured in the
   * simulated room, "moderate" took the user's voice 5 to 7 dB down while
   * the assistant talked, "low" 3 to 4 dB, with the echo still 40 dB and
   * more down. */
  g_object_set (self->dsp, "probe", probe_name, "echo-cancel", TRUE,
      "extended-filter", TRUE, "delay-agnostic", FALSE,
      "noise-suppression", FALSE, "gain-control", FALSE, NULL);
  gst_util_set_object_arg (G_OBJECT (self->dsp), "echo-suppression-level",
      "low");
  g_free (probe_name);

  pad = gst_element_get_static_pad (self->dsp, "sink");
  self->feed_probe = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER,
      feed_reference, self, NULL);
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (self->dsp, "src");
  self->gate_probe = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER,
      gate_output, self, NULL);
  gst_object_unref (pad);

  self->queue = gst_object_ref (queue);
  audio_cast_queue_set_tap (queue, on_player_output, self);
  *dsp = self->dsp;
  return self;
}

void
audio_cast_echo_canceller_free (AudioCastEchoCanceller *self)
{
  if (self->queue) {
    audio_cast_queue_set_tap (self->queue, NULL, NULL);
    gst_object_unref (self->queue);
  }
  if (self->feed_probe) {
    GstPad *pad = gst_element_get_static_pad (self->dsp, "sink");

    gst_pad_remove_probe (pad, self->feed_probe);
    gst_object_unref (pad);
  }
  if (self->gate_probe) {
    GstPad *pad = gst_element_get_static_pad (self->dsp, "src");

    gst_pad_remove_probe (pad, self->gate_probe);
    gst_object_unref (pad);
  }
  if (self->reference) {
    gst_element_set_state (self->reference, GST_STATE_NULL);
    gst_object_unref (self->reference);
  }
  if (self->reference_pad) {
    gst_pad_set_active (self->reference_pad, FALSE);
    gst_object_unref (self->reference_pad);
  }
  free_ring (self->ring);
  g_mutex_clear (&self->ring_lock);
  g_free (self->delay);
  g_free (self);
}
