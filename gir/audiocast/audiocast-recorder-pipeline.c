/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The recorder's pipeline; see audiocast-recorder-pipeline.h. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-capture-sink.h"
#include "audiocast-player-input.h"
#include "audiocast-player-internal.h"
#include "audiocast-recorder-pipeline.h"

#include <gst/audio/audio.h>

/* The source's own buffer: what it holds while this pipeline's thread is
 * late, on top of the ring. */
#define SOURCE_BUFFER_TIME_US (200 * 1000)

/* Raw interleaved audio at @rate Hz × @channels, in @format when not
 * NULL. */
static GstCaps *
raw_caps (const gchar *format, guint rate, guint channels)
{
  GstCaps *caps = gst_caps_new_simple ("audio/x-raw",
      "rate", G_TYPE_INT, (gint) rate,
      "channels", G_TYPE_INT, (gint) channels,
      "layout", G_TYPE_STRING, "interleaved", NULL);

  if (format)
    gst_caps_set_simple (caps, "format", G_TYPE_STRING, format, NULL);
  return caps;
}

/* Adds audioconvert ! audioresample to the pipeline, linked after @from
 * through @from_caps (nullable); returns audioresample, or NULL. */
static GstElement *
add_converters (AudioCastRecorder *self, GstElement *from, GstCaps *from_caps)
{
  GstElement *convert = gst_element_factory_make ("audioconvert", NULL);
  GstElement *resample = gst_element_factory_make ("audioresample", NULL);

  if (convert == NULL || resample == NULL) {
    gst_clear_object (&convert);
    gst_clear_object (&resample);
    return NULL;
  }
  /* Deterministic samples: what was captured at a depth the application
   * asks for comes back exactly (int16 played into a float device reads
   * back as the same int16), not with dither noise added. */
  g_object_set (convert, "dithering", GST_AUDIO_DITHER_NONE, "noise-shaping",
      GST_AUDIO_NOISE_SHAPING_NONE, NULL);
  gst_bin_add_many (GST_BIN (self->pipeline), convert, resample, NULL);
  if (!gst_element_link_filtered (from, convert, from_caps)
      || !gst_element_link (convert, resample))
    return NULL;
  return resample;
}

/* With echo cancellation: the canceller's DSP after @from, mono F32 at one
 * of its rates, then converters again; returns the last element, or NULL
 * with @error set. */
static GstElement *
add_echo_canceller (AudioCastRecorder *self, GstElement *from,
    GError **error)
{
  guint rate = audio_cast_echo_canceller_rate (self->rate);
  GstElement *dsp;
  GstCaps *caps;
  gboolean linked;

  self->echo = audio_cast_echo_canceller_new (
      audio_cast_player_peek_queue (self->echo_player), rate,
      &dsp, error);
  if (self->echo == NULL)
    return NULL;
  gst_bin_add (GST_BIN (self->pipeline), dsp);
  caps = gst_caps_new_simple ("audio/x-raw", "format", G_TYPE_STRING,
      GST_AUDIO_NE (F32), "layout", G_TYPE_STRING, "non-interleaved",
      "rate", G_TYPE_INT, (gint) rate, "channels", G_TYPE_INT, 1, NULL);
  linked = gst_element_link_filtered (from, dsp, caps);
  gst_caps_unref (caps);
  return linked ? add_converters (self, dsp, NULL) : NULL;
}

/* source ! [device caps] ! audioconvert ! audioresample [! echo canceller]
 * ! capsfilter ! capture sink. The source is held to the device's own rate
 * and channels when they are known, so that the conversion is GStreamer's
 * on every server (a sound server asked for another format converts with
 * its own mixing rules: PipeWire's stereo-to-mono keeps 3 dB more than
 * PulseAudio's). */
gboolean
audio_cast_recorder_build_pipeline (AudioCastRecorder *self, GstElement *src,
    GError **error)
{
  GstCaps *device_caps = NULL, *caps;
  GstElement *last;
  gboolean linked;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (src), "latency-time"))
    g_object_set (src, "latency-time", self->latency_time, "buffer-time",
        MAX (SOURCE_BUFFER_TIME_US, 4 * self->latency_time), NULL);
  gst_bin_add (GST_BIN (self->pipeline), src);
  if (self->device_rate && self->device_channels)
    device_caps = raw_caps (NULL, self->device_rate, self->device_channels);
  last = add_converters (self, src, device_caps);
  gst_clear_caps (&device_caps);
  if (last != NULL && self->echo_player != NULL) {
    last = add_echo_canceller (self, last, error);
    if (last == NULL)
      return FALSE;
  }
  if (last == NULL) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
        "cannot link the input device's source %s to audioconvert and "
        "audioresample (gst-plugins-base)", GST_OBJECT_NAME (src));
    return FALSE;
  }

  self->capture = audio_cast_capture_sink_new (&self->ring);
  gst_bin_add (GST_BIN (self->pipeline), self->capture);
  caps = raw_caps (gst_audio_format_to_string (audio_cast_sample_format_to_gst
          (self->format)), self->rate, self->channels);
  linked = gst_element_link_filtered (last, self->capture, caps);
  gst_caps_unref (caps);
  if (!linked)
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
        "cannot link the recorder's pipeline to %u Hz × %u", self->rate,
        self->channels);
  return linked;
}

