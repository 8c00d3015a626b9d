/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* AudioCastPulseSink: GstAudioBaseSink over AudioCastPulseRing, with the
 * stream's own time as its clock. Its "device" (a sink's name) and
 * "server" take effect when it opens, as pulsesink's do. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-pulse-sink.h"
#include "audiocast-pulse-ring.h"

struct _AudioCastPulseSink
{
  GstAudioBaseSink parent;

  /* the object lock guards both: set from any thread, read at open */
  gchar *server;
  gchar *device;
  gboolean prebuffer;
};

enum
{
  PROP_0,
  PROP_SERVER,
  PROP_DEVICE,
  PROP_PREBUFFER,
};

#define PULSE_CAPS \
  "audio/x-raw, " \
  "format = (string) { F32LE, F32BE, S32LE, S32BE, S24_32LE, S24_32BE, " \
  "S24LE, S24BE, S16LE, S16BE, U8 }, " \
  "layout = (string) interleaved, " \
  "rate = (int) [ 1, 384000 ], channels = (int) [ 1, 32 ]"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (PULSE_CAPS));

G_DEFINE_FINAL_TYPE (AudioCastPulseSink, audio_cast_pulse_sink,
    GST_TYPE_AUDIO_BASE_SINK);

static GstAudioRingBuffer *
audio_cast_pulse_sink_create_ringbuffer (GstAudioBaseSink *sink)
{
  AudioCastPulseSink *self = AUDIO_CAST_PULSE_SINK (sink);
  const gchar *client = g_get_application_name ();
  GstAudioRingBuffer *ring;

  if (client == NULL)
    client = g_get_prgname ();
  GST_OBJECT_LOCK (self);
  ring = GST_AUDIO_RING_BUFFER (audio_cast_pulse_ring_new (self->server,
          self->device, client));
  GST_OBJECT_UNLOCK (self);
  gst_object_set_parent (GST_OBJECT (ring), GST_OBJECT (sink));
  return ring;
}

static GstClockTime
audio_cast_pulse_sink_get_time (GstClock *clock, gpointer user_data)
{
  GstAudioBaseSink *sink = user_data;

  if (sink->ringbuffer == NULL || !sink->ringbuffer->acquired)
    return GST_CLOCK_TIME_NONE;
  return audio_cast_pulse_ring_get_time (AUDIO_CAST_PULSE_RING
      (sink->ringbuffer));
}

static void
audio_cast_pulse_sink_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  AudioCastPulseSink *self = AUDIO_CAST_PULSE_SINK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SERVER:
      g_free (self->server);
      self->server = g_value_dup_string (value);
      break;
    case PROP_DEVICE:
      g_free (self->device);
      self->device = g_value_dup_string (value);
      break;
    case PROP_PREBUFFER:
      self->prebuffer = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
audio_cast_pulse_sink_get_property (GObject *object, guint prop_id,
    GValue *value, GParamSpec *pspec)
{
  AudioCastPulseSink *self = AUDIO_CAST_PULSE_SINK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SERVER:
      g_value_set_string (value, self->server);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_PREBUFFER:
      g_value_set_boolean (value, self->prebuffer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
audio_cast_pulse_sink_finalize (GObject *object)
{
  AudioCastPulseSink *self = AUDIO_CAST_PULSE_SINK (object);

  g_free (self->server);
  g_free (self->device);
  G_OBJECT_CLASS (audio_cast_pulse_sink_parent_class)->finalize (object);
}

static void
audio_cast_pulse_sink_class_init (AudioCastPulseSinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstAudioBaseSinkClass *audio_class = GST_AUDIO_BASE_SINK_CLASS (klass);

  object_class->set_property = audio_cast_pulse_sink_set_property;
  object_class->get_property = audio_cast_pulse_sink_get_property;
  object_class->finalize = audio_cast_pulse_sink_finalize;
  audio_class->create_ringbuffer = audio_cast_pulse_sink_create_ringbuffer;

  g_object_class_install_property (object_class, PROP_SERVER,
      g_param_spec_string ("server", "Server",
          "The PulseAudio-protocol server to play on (NULL: the default)",
          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_DEVICE,
      g_param_spec_string ("device", "Device",
          "The server's sink to play on (NULL: its default sink)",
          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_property (object_class, PROP_PREBUFFER,
      g_param_spec_boolean ("prebuffer", "Prebuffer",
          "The server holds the stream back until a segment is queued, and "
          "again whenever it ran empty (FALSE: it reads on through an empty "
          "stream, as pulsesink's does); takes effect when the stream opens",
          TRUE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "audiocast PulseAudio stream", "Sink/Audio",
      "Plays on a PulseAudio-protocol server through a prebuffering stream",
      "audiocast developers");
}

static void
audio_cast_pulse_sink_init (AudioCastPulseSink *self)
{
  GstAudioBaseSink *sink = GST_AUDIO_BASE_SINK (self);

  self->prebuffer = TRUE;
  /* the stream's own time, interpolated by libpulse, not the ring's
   * segment count */
  gst_object_replace ((GstObject **) &sink->provided_clock, NULL);
  sink->provided_clock = gst_audio_clock_new ("AudioCastPulseClock",
      audio_cast_pulse_sink_get_time, self, NULL);
}

/* Registers the element with GStreamer (once, for the process: it is the
 * library's, not the plugin's) and returns its factory's name. */
const gchar *
audio_cast_pulse_sink_register (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered)) {
    gst_element_register (NULL, AUDIO_CAST_PULSE_SINK_NAME, GST_RANK_NONE,
        AUDIO_CAST_TYPE_PULSE_SINK);
    g_once_init_leave (&registered, 1);
  }
  return AUDIO_CAST_PULSE_SINK_NAME;
}
