/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The capture sink: see audiocast-capture-sink.h.
 *
 * It runs in the source's streaming thread, which must never wait for the
 * application: render() maps the buffer and hands it to the ring, whose
 * push only takes a lock for a memcpy. No allocation, no logging above
 * DEBUG. It does not synchronise to the clock: a live source delivers
 * audio as it is captured, and each frame should reach the reader as soon
 * as it exists.
 *
 * Capture times: GstAudioBaseSrc stamps each buffer with the running time
 * its first frame was captured at, on the pipeline's clock, which is the
 * source's own (the device's sample clock): a pipeline slaving the source
 * to another clock would have it skip or repeat samples to follow that
 * clock, and recording must be exact. That time is turned into monotonic
 * time by reading both clocks at once. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-capture-sink.h"
#include "audiocast-capture-clock.h"

#include <gst/audio/audio.h>

GST_DEBUG_CATEGORY_STATIC (audio_cast_capture_sink_debug);
#define GST_CAT_DEFAULT audio_cast_capture_sink_debug

/* A device clock read at the moment a buffer arrives says when it was
 * captured only roughly (pulsesrc's clock moves in steps of its period,
 * and wanders by tens of ms on pipewire-pulse): each buffer's time is
 * rather its place in the stream (frames since the start, at the rate)
 * placed by when buffers arrive and by the average of those readings
 * (audiocast-capture-clock.h). It starts over at a discontinuity, or a
 * reading that far off. */
#define OFFSET_RESET_US (50 * 1000)

struct _AudioCastCaptureSink
{
  GstBaseSink parent;

  AudioCastCaptureRing *ring;   /* set at creation, not owned */

  /* streaming thread only */
  gint rate;
  guint64 frames;               /* frames since the timing started over */
  AudioCastCaptureClock clock;  /* when they were captured */
};

G_DEFINE_FINAL_TYPE_WITH_CODE (AudioCastCaptureSink, audio_cast_capture_sink,
    GST_TYPE_BASE_SINK,
    GST_DEBUG_CATEGORY_INIT (audio_cast_capture_sink_debug,
        "audiocastcapturesink", 0, "audiocast recorder's capture sink"));

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, layout = (string) interleaved"));

/* When the first frame of @buffer was captured, in monotonic µs; -1 when
 * the buffer has no timestamp. */
static gint64
capture_time_us (GstBaseSink *base, GstBuffer *buffer)
{
  GstClockTime running, captured, clock_now;
  GstClock *clock;
  gint64 monotonic_now;

  if (!GST_BUFFER_PTS_IS_VALID (buffer))
    return -1;
  running = gst_segment_to_running_time (&base->segment, GST_FORMAT_TIME,
      GST_BUFFER_PTS (buffer));
  clock = gst_element_get_clock (GST_ELEMENT (base));
  if (!GST_CLOCK_TIME_IS_VALID (running) || clock == NULL) {
    gst_clear_object (&clock);
    return -1;
  }
  captured = running + gst_element_get_base_time (GST_ELEMENT (base));
  clock_now = gst_clock_get_time (clock);
  monotonic_now = g_get_monotonic_time ();
  gst_object_unref (clock);
  /* how long ago on the pipeline's clock, back from now on the monotonic
   * one */
  return monotonic_now - GST_CLOCK_DIFF (captured, clock_now) / GST_USECOND;
}

/* The capture time of @buffer's first frame, from the clock reading
 * @measured (-1: none) and the buffer's place in the stream. */
static gint64
smooth_capture_time (AudioCastCaptureSink *self, GstBuffer *buffer,
    gint64 measured, guint64 frames)
{
  gint64 place_us;

  if (measured < 0 || self->rate <= 0)
    return measured;
  if (GST_BUFFER_IS_DISCONT (buffer)) {
    audio_cast_capture_clock_reset (&self->clock);
    self->frames = 0;
  }
  place_us = (gint64) gst_util_uint64_scale_int (self->frames,
      G_USEC_PER_SEC, self->rate);
  self->frames += frames;
  return audio_cast_capture_clock_update (&self->clock, place_us,
      g_get_monotonic_time (), measured, (gint64)
      gst_util_uint64_scale_int (frames, G_USEC_PER_SEC, self->rate),
      OFFSET_RESET_US);
}

static gboolean
audio_cast_capture_sink_set_caps (GstBaseSink *base, GstCaps *caps)
{
  AudioCastCaptureSink *self = AUDIO_CAST_CAPTURE_SINK (base);
  GstAudioInfo info;

  if (!gst_audio_info_from_caps (&info, caps))
    return FALSE;
  self->rate = GST_AUDIO_INFO_RATE (&info);
  audio_cast_capture_clock_reset (&self->clock);
  self->frames = 0;
  return TRUE;
}

static GstFlowReturn
audio_cast_capture_sink_render (GstBaseSink *base, GstBuffer *buffer)
{
  AudioCastCaptureSink *self = AUDIO_CAST_CAPTURE_SINK (base);
  gsize bpf = self->ring->ring.bpf;
  guint64 frames;
  GstMapInfo map;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Cannot read captured audio"),
        (NULL));
    return GST_FLOW_ERROR;
  }
  /* the capsfilter before this element fixed the format: whole frames */
  frames = map.size / bpf;
  audio_cast_capture_ring_push (self->ring, map.data, frames,
      smooth_capture_time (self, buffer, capture_time_us (base, buffer),
          frames));
  gst_buffer_unmap (buffer, &map);
  return GST_FLOW_OK;
}

static void
audio_cast_capture_sink_class_init (AudioCastCaptureSinkClass *klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *base_class = GST_BASE_SINK_CLASS (klass);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "audiocast capture sink", "Sink/Audio",
      "Hands captured audio to an audiocast recorder",
      "audiocast developers");
  base_class->render = audio_cast_capture_sink_render;
  base_class->set_caps = audio_cast_capture_sink_set_caps;
}

static void
audio_cast_capture_sink_init (AudioCastCaptureSink *self)
{
  /* Audio is handed on as it arrives (no clock wait), and no preroll holds
   * a state change: the source is live. */
  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
  gst_base_sink_set_async_enabled (GST_BASE_SINK (self), FALSE);
  gst_base_sink_set_last_sample_enabled (GST_BASE_SINK (self), FALSE);
}

GstElement *
audio_cast_capture_sink_new (AudioCastCaptureRing *ring)
{
  AudioCastCaptureSink *self = g_object_new (AUDIO_CAST_TYPE_CAPTURE_SINK,
      NULL);

  self->ring = ring;
  return GST_ELEMENT (self);
}
