/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Which platform sink plays for AudioCastSink, and how it is opened (see
 * audiocast-sink-device.h). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-sink-device.h"
#include "audiocast-sink-instance.h"
#include "audiocast-sink-private.h"
#include "audiocast-sink-timing.h"
#include "audiocast-device.h"
#include "audiocast-pulse.h"
#ifdef HAVE_PULSE
#include "audiocast-pulse-sink.h"
#endif

#include <string.h>

#define GST_CAT_DEFAULT audio_cast_sink_debug

/* Sets @name on @element when it has such a property: the sinks we wrap
 * differ in what they offer. */
void
audio_cast_sink_set_if_exists (GstElement *element, const gchar *name, ...)
{
  va_list args;

  if (!g_object_class_find_property (G_OBJECT_GET_CLASS (element), name))
    return;
  va_start (args, name);
  g_object_set_valist (G_OBJECT (element), name, args);
  va_end (args);
}

/* autoaudiosink falls back to a fakesink when no real sink opens: audio
 * would vanish while every call reported success. */
static gboolean
is_fake_output (GstElement *sink)
{
  GstIterator *it;
  GValue item = G_VALUE_INIT;
  gboolean fake = FALSE;

  if (!GST_IS_BIN (sink))
    return FALSE;
  it = gst_bin_iterate_recurse (GST_BIN (sink));
  while (!fake && gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElementFactory *factory =
        gst_element_get_factory (g_value_get_object (&item));

    fake = factory != NULL
        && g_str_equal (GST_OBJECT_NAME (factory), "fakesink");
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
  return fake;
}

/* Opens @sink (NULL to READY) as a candidate (see
 * audio_cast_device_try_ready()); autoaudiosink's fakesink fallback does
 * not count as opened. */
static gboolean
try_candidate (GstElement *sink, const gchar *name, GString *reasons)
{
  if (!audio_cast_device_try_ready (sink, name, reasons))
    return FALSE;
  if (!is_fake_output (sink))
    return TRUE;
  g_string_append_printf (reasons, "; %s: it has only a fakesink", name);
  gst_element_set_state (sink, GST_STATE_NULL);
  return FALSE;
}

/* The element that plays on a PulseAudio-protocol server: audiocast's own
 * stream (AudioCastPulseSink) for an application's stream (sync off: the
 * player) on PipeWire, else GStreamer's pulsesink; AUDIOCAST_PULSE_STREAM
 * set when the device opens asks for ours everywhere (1) or nowhere (0).
 * Media pipelines (sync on) keep pulsesink. The sink is asked about here,
 * once, for the timing too (self->probed).
 *
 * Not on PulseAudio: on a sink that may rewind (every sink of a sound
 * card) ours cannot prebuffer, so it gains nothing, and its count of what a
 * restart dropped ran up to 24 frames off where pulsesink's is exact. On a
 * null sink without rewinds, under the load of the suite's two files at a
 * time, a callback player stalled 0.3 s never finished (test_py_callback)
 * and PyAudio's callback example heard a 5 ms dropout.
 * docs/design.md, The device stream. */
static const gchar *
pulse_sink_factory (AudioCastSink *self, const gchar *device,
    const gchar *server)
{
#ifdef HAVE_PULSE
  const gchar *wanted = g_getenv ("AUDIOCAST_PULSE_STREAM");
  gboolean sync, ours;

  GST_OBJECT_LOCK (self);
  sync = self->sync;
  GST_OBJECT_UNLOCK (self);
  if (sync || g_strcmp0 (wanted, "0") == 0)
    return "pulsesink";
  g_clear_pointer (&self->probed, audio_cast_pulse_device_free);
  self->probed = audio_cast_pulse_find_sink (server, device,
      g_strcmp0 (wanted, "1") == 0);
  ours = self->probed != NULL
      && (self->probed->on_pipewire || g_strcmp0 (wanted, "1") == 0);
  return ours ? audio_cast_pulse_sink_register () : "pulsesink";
#else
  return "pulsesink";
#endif
}

#ifndef HAVE_PULSE
static const gchar *
audio_cast_pulse_sink_register (void)
{
  return "pulsesink";
}
#endif

static GstElement *
make_pulsesink (AudioCastSink *self, const gchar *device, const gchar *server)
{
  GstElement *sink;

  sink = gst_element_factory_make (pulse_sink_factory (self, device, server),
      NULL);

  if (sink == NULL)
    return NULL;
  gst_object_ref_sink (sink);
  g_object_set (sink, "device", device, "server", server, NULL);
  return sink;
}

/* @server: the PulseAudio-protocol server to play on; NULL: the first
 * platform sink that opens. Why each candidate did not is appended to
 * @reasons. */
static GstElement *
audio_cast_sink_open_default_device (AudioCastSink *self, const gchar *server,
    GString *reasons)
{
  /* the first: audiocast's own stream, or pulsesink (pulse_sink_factory) */
  static const gchar *const candidates[] = {
    "pulsesink", "alsasink", "wasapi2sink", "wasapisink", "osxaudiosink",
    "autoaudiosink",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (candidates); i++) {
    const gchar *name = i == 0 ? pulse_sink_factory (self, NULL, server)
        : candidates[i];
    GstElement *sink = gst_element_factory_make (name, NULL);

    if (sink == NULL)
      continue;
    gst_object_ref_sink (sink);
    if (server)
      g_object_set (sink, "server", server, NULL);
    if (try_candidate (sink, name, reasons)) {
      GST_INFO_OBJECT (self, "using %s", name);
      return sink;
    }
    GST_INFO_OBJECT (self, "%s cannot open, trying the next", name);
    gst_object_unref (sink);
    if (server)
      break;                    /* only the first speaks to a server */
  }
  return NULL;
}

static GstElement *
open_alsa_pcm (AudioCastSink *self, const gchar *pcm)
{
  GstElement *sink = gst_element_factory_make ("alsasink", NULL);

  if (sink == NULL)
    return NULL;
  gst_object_ref_sink (sink);
  g_object_set (sink, "device", pcm, NULL);
  if (gst_element_set_state (sink, GST_STATE_READY)
      == GST_STATE_CHANGE_SUCCESS) {
    GST_INFO_OBJECT (self, "\"%s\" is an ALSA PCM", pcm);
    return sink;
  }
  gst_element_set_state (sink, GST_STATE_NULL);
  gst_object_unref (sink);
  return NULL;
}

/* The sink element of @device: pulsesink for a PulseAudio-protocol
 * server's sink (*@pulse_name set to its name), else what its provider
 * makes. */
static GstElement *
create_device_sink (AudioCastSink *self, AudioCastDevice *device,
    const gchar *server, gchar **pulse_name)
{
  GstDevice *gst_device = audio_cast_device_get_gst_device (device);
  GstElement *sink;

  if (gst_device == NULL) {
    sink = make_pulsesink (self, audio_cast_device_get_name (device), server);
    if (sink)
      *pulse_name = g_strdup (audio_cast_device_get_name (device));
    return sink;
  }
  sink = gst_device_create_element (gst_device, NULL);
  if (sink)
    gst_object_ref_sink (sink);
  return sink;
}

static GstElement *
audio_cast_sink_open_named_device (AudioCastSink *self, const gchar *wanted,
    const gchar *server, gchar **pulse_name)
{
  GList *devices;
  AudioCastDevice *device;
  GstElement *sink = NULL;
  GError *error = NULL;
  gboolean ok;

  /* No device has such a name, and neither the lookup (casefolding) nor an
   * error message may be given one. */
  if (!g_utf8_validate (wanted, -1, NULL)) {
    gchar *valid = g_utf8_make_valid (wanted, -1);

    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("Device not found: \"%s\" is not valid UTF-8", valid), (NULL));
    g_free (valid);
    return NULL;
  }

  devices = audio_cast_device_collect (server, FALSE, &ok, &error);
  if (!ok) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("%s", error->message),
        (NULL));
    g_error_free (error);
    return NULL;
  }
  device = audio_cast_device_find (devices, wanted);
  if (device == NULL && server == NULL && audio_cast_device_is_alsa_pcm_name (wanted))
    sink = open_alsa_pcm (self, wanted);
  if (sink != NULL)
    goto out;

  if (device == NULL) {
    gchar *available = audio_cast_device_describe_all (devices);

    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("Device not found: \"%s\". Available devices: %s", wanted, available),
        ("no audio sink is named \"%s\" or has it in its name or description",
            wanted));
    g_free (available);
    goto out;
  }

  sink = create_device_sink (self, device, server, pulse_name);
  if (sink == NULL)
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
        ("Cannot open device \"%s\"", wanted), (NULL));
  g_object_unref (device);

out:
  g_list_free_full (devices, g_object_unref);
  return sink;
}

/* A named server must answer, within the lookup's 2 s, before pulsesink
 * is given it: pulsesink's own connect has no such bound. */
static gboolean
audio_cast_sink_check_server (AudioCastSink *self, const gchar *server)
{
  GList *sinks = NULL;
  GError *error = NULL;

  if (server == NULL)
    return TRUE;
  if (!audio_cast_pulse_list_sinks (server, &sinks, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("%s", error->message),
        (NULL));
    g_error_free (error);
    return FALSE;
  }
  g_list_free_full (sinks, (GDestroyNotify) audio_cast_pulse_device_free);
  return TRUE;
}

/* pulsesink, or audiocast's own stream on a PulseAudio-protocol server. */
gboolean
audio_cast_sink_is_pulsesink (GstElement *element)
{
  GstElementFactory *factory = gst_element_get_factory (element);

#ifdef HAVE_PULSE
  if (AUDIO_CAST_IS_PULSE_SINK (element))
    return TRUE;
#endif
  return factory && g_strcmp0 (GST_OBJECT_NAME (factory), "pulsesink") == 0;
}

/* audiocast's own stream: it prebuffers, so nothing written is lost
 * behind the server's read index. */
gboolean
audio_cast_sink_is_own_pulse_stream (GstElement *element)
{
#ifdef HAVE_PULSE
  return AUDIO_CAST_IS_PULSE_SINK (element);
#else
  return FALSE;
#endif
}

/* Our stream can be made before the first write: it waits empty, corked,
 * its time standing at 0. pulsesink's time runs from when its stream is
 * made, which a stream opened early would count as heard. */
gboolean
audio_cast_sink_device_opens_early (AudioCastSink *self)
{
  return self->device_sink != NULL
      && audio_cast_sink_is_own_pulse_stream (self->device_sink);
}

/* The graph quantum PipeWire runs at when our stream is the one asking for
 * the shortest latency: pipewire-pulse turns the period pulsesink asks for
 * into the stream's node.latency, and the graph rounds that down to a power
 * of two frames at its rate (48 kHz by default): 256 frames for 10 ms.
 * Other clients can only make it smaller. */
GstClockTime
audio_cast_sink_pipewire_quantum (gint64 latency_us)
{
  guint64 frames = gst_util_uint64_scale (latency_us, 48000, G_USEC_PER_SEC);
  guint64 quantum = 1;

  while (quantum * 2 <= frames)
    quantum *= 2;
  return gst_util_uint64_scale (quantum, GST_SECOND, 48000);
}

GstElement *
audio_cast_sink_open_device (AudioCastSink *self, GstElement *given,
    const gchar *device, const gchar *server, gchar **pulse_name)
{
  GstElement *sink = given;
  GString *reasons = g_string_new (NULL);
  gboolean reported = FALSE;

  if (sink == NULL && device != NULL) {
    sink = audio_cast_sink_open_named_device (self, device, server,
        pulse_name);
    reported = sink == NULL;
  } else if (sink == NULL) {
    reported = !audio_cast_sink_check_server (self, server);
    if (!reported)
      sink = audio_cast_sink_open_default_device (self, server, reasons);
  }

  /* reasons->str + 2: without the first "; " */
  if (sink == NULL && !reported && server != NULL)
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("Cannot play on the sound server \"%s\" (%s)", server,
            reasons->len ? reasons->str + 2 : "pulsesink is not installed"),
        (NULL));
  else if (sink == NULL && !reported)
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No audio output is available (%s)",
            reasons->len ? reasons->str + 2
            : "none of pulsesink, alsasink, wasapi2sink, wasapisink, "
            "osxaudiosink, autoaudiosink is installed"), (NULL));
  g_string_free (reasons, TRUE);
  return sink;
}

/* ------------------------------------------------------------------------
 * The device in the bin: opened at NULL to READY, closed at READY to NULL
 * ---------------------------------------------------------------------- */

/* Until the device is chosen (NULL to READY), a fakesink stands where it
 * will go, as in autoaudiosink: a bin with an unlinked pad inside gets that
 * pad ghosted onto itself when gst_parse builds it from a description
 * (`playbin audio-sink=audiocastsink`), and the device then no longer links.
 * Its state stays locked in NULL. */
void
audio_cast_sink_hold_device_place (AudioCastSink *self)
{
  /* The bin takes a reference of its own; ours is kept for the next time. */
  gst_bin_add (GST_BIN (self), self->placeholder);
  gst_element_link (self->capsfilter, self->placeholder);
}

static void
give_up_device_place (AudioCastSink *self)
{
  gst_element_unlink (self->capsfilter, self->placeholder);
  gst_bin_remove (GST_BIN (self), self->placeholder);
}

/* The queue paces and times the stream itself: the device must play
 * samples in the order they come (no clock sync, so nothing is dropped as
 * late), and must not wait for preroll (so a flush costs no state). That
 * holds for the sinks inside a bin too (an audio-sink such as
 * "queue ! alsasink"), which otherwise preroll and sync on their own. */
static void
configure_device_sink (GstElement *sink, gint64 latency_us,
    gint64 device_buffer_us)
{
  audio_cast_sink_set_if_exists (sink, "sync", FALSE, NULL);
  audio_cast_sink_set_if_exists (sink, "async", FALSE, NULL);
  audio_cast_sink_set_if_exists (sink, "latency-time", latency_us, NULL);
  audio_cast_sink_set_if_exists (sink, "buffer-time", device_buffer_us, NULL);
}

static void
configure_device_sinks (GstElement *sink, gint64 latency_us,
    gint64 device_buffer_us)
{
  GstIterator *it;
  GValue item = G_VALUE_INIT;

  configure_device_sink (sink, latency_us, device_buffer_us);
  if (!GST_IS_BIN (sink))
    return;
  it = gst_bin_iterate_recurse (GST_BIN (sink));
  while (gst_iterator_next (it, &item) == GST_ITERATOR_OK) {
    GstElement *child = g_value_get_object (&item);

    if (GST_IS_BASE_SINK (child))
      configure_device_sink (child, latency_us, device_buffer_us);
    g_value_reset (&item);
  }
  g_value_unset (&item);
  gst_iterator_free (it);
}

/* Sets the platform sink and the queue up for the device opened. */
static void
apply_timing (AudioCastSink *self, GstElement *sink, const gchar *server,
    const gchar *pulse_name)
{
  AudioCastSinkTiming timing;
  gint64 buffer_us, latency_us, fade_us;
  AudioCastLatencyMode mode;
  gboolean sync;

  GST_OBJECT_LOCK (self);
  buffer_us = audio_cast_tuning_buffer_time (&self->tuning);
  latency_us = audio_cast_tuning_latency_time (&self->tuning);
  fade_us = self->tuning.fade_time;
  mode = self->tuning.latency_mode;
  sync = self->sync;
  GST_OBJECT_UNLOCK (self);

  audio_cast_sink_timing_for (&timing, sink, server, pulse_name,
      self->probed, latency_us, sync, mode);
  g_clear_pointer (&self->probed, audio_cast_pulse_device_free);
  g_atomic_int_set (&self->pool_period_us, (guint) latency_us);

  configure_device_sinks (sink, latency_us, timing.device_buffer_us);
  g_object_set (self->capsfilter, "caps", timing.device_caps, NULL);

  audio_cast_queue_set_clock_lead (self->queue, timing.clock_lead);
  audio_cast_queue_set_times (self->queue, buffer_us * GST_USECOND,
      latency_us * GST_USECOND, fade_us * GST_USECOND, timing.lead_in,
      timing.restart_lead_in);
  audio_cast_queue_set_restart_when_dry (self->queue,
      timing.restart_when_dry);
  audio_cast_queue_set_device_prebuffers (self->queue,
      timing.device_prebuffers);
  audio_cast_queue_set_pace_pushes (self->queue, timing.pace_pushes);
  audio_cast_queue_set_wait_for_late_writes (self->queue,
      timing.late_write_margin);
  audio_cast_queue_set_clock_settle_time (self->queue,
      timing.clock_settle_time);
  GST_OBJECT_LOCK (self);
  self->device_latency = timing.device_latency;
  GST_OBJECT_UNLOCK (self);
  audio_cast_sink_timing_clear (&timing);
}

/* Opens the device (NULL to READY) the properties name. */
static GstElement *
open_device_sink (AudioCastSink *self, gchar **server, gchar **pulse_name)
{
  GstElement *given, *sink;
  gchar *device;

  GST_OBJECT_LOCK (self);
  device = g_strdup (self->device);
  *server = g_strdup (self->server);
  given = self->audio_sink ? gst_object_ref (self->audio_sink) : NULL;
  GST_OBJECT_UNLOCK (self);

  sink = audio_cast_sink_open_device (self, given, device, *server,
      pulse_name);
  g_free (device);
  return sink;
}

gboolean
audio_cast_sink_setup_device (AudioCastSink *self)
{
  GstElement *sink;
  gchar *server = NULL, *pulse_name = NULL;

  sink = open_device_sink (self, &server, &pulse_name);
  if (sink != NULL)
    apply_timing (self, sink, server, pulse_name);
  g_free (pulse_name);
  g_free (server);
  if (sink == NULL)
    return FALSE;

  /* The bin drives the device's state itself: see the state changes. */
  gst_element_set_locked_state (sink, TRUE);
  give_up_device_place (self);
  if (!gst_bin_add (GST_BIN (self), sink)
      || !gst_element_link (self->capsfilter, sink)
      || gst_element_set_state (sink,
          GST_STATE_READY) == GST_STATE_CHANGE_FAILURE) {
    GST_ELEMENT_ERROR (self, CORE, FAILED, (NULL),
        ("cannot link the device sink %s", GST_OBJECT_NAME (sink)));
    gst_element_set_state (sink, GST_STATE_NULL);
    if (GST_OBJECT_PARENT (sink) == GST_OBJECT (self))
      gst_bin_remove (GST_BIN (self), sink);
    gst_object_unref (sink);
    audio_cast_sink_hold_device_place (self);
    return FALSE;
  }
  self->device_sink = sink;     /* keeps our reference */
  return TRUE;
}

void
audio_cast_sink_teardown_device (AudioCastSink *self)
{
  if (self->device_sink == NULL)
    return;
  audio_cast_queue_set_device (self->queue, NULL);
  gst_element_set_state (self->device_sink, GST_STATE_NULL);
  gst_element_set_locked_state (self->device_sink, FALSE);
  gst_bin_remove (GST_BIN (self), self->device_sink);
  gst_clear_object (&self->device_sink);
  audio_cast_sink_hold_device_place (self);
}

/* Moves the device sink, whose state is locked, to @state. */
gboolean
audio_cast_sink_set_device_state (AudioCastSink *self, GstState state)
{
  return self->device_sink == NULL
      || gst_element_set_state (self->device_sink, state)
      != GST_STATE_CHANGE_FAILURE;
}
