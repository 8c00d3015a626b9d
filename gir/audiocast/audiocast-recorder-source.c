/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* A recorder's source element; see audiocast-recorder-source.h. Devices
 * are found the way the player finds outputs (audiocast-sink-device.c),
 * among the inputs: a PulseAudio-protocol server's sources (pulsesrc
 * records them), else what the device providers list. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-recorder-source.h"
#include "audiocast-device.h"
#include "audiocast-error.h"

static GstElement *
make_pulsesrc (const gchar *device, const gchar *server)
{
  GstElement *src = gst_element_factory_make ("pulsesrc", NULL);

  if (src == NULL)
    return NULL;
  gst_object_ref_sink (src);
  g_object_set (src, "device", device, "server", server, NULL);
  return src;
}

/* The element that records @device: pulsesrc for a PulseAudio-protocol
 * server's source, else what its provider makes. @name: NULL for the
 * server's default source. */
static GstElement *
create_device_source (AudioCastDevice *device, const gchar *name,
    const gchar *server)
{
  GstDevice *gst_device = audio_cast_device_get_gst_device (device);
  GstElement *src;

  if (gst_device == NULL)
    return make_pulsesrc (name, server);
  src = gst_device_create_element (gst_device, NULL);
  if (src)
    gst_object_ref_sink (src);
  return src;
}

static void
take_device (AudioCastRecorderSource *source, AudioCastDevice *device)
{
  source->rate = audio_cast_device_get_sample_rate (device);
  source->channels = audio_cast_device_get_channels (device);
}

static AudioCastDevice *
find_exact (GList *devices, const gchar *name)
{
  GList *l;

  for (l = devices; l; l = l->next)
    if (g_strcmp0 (audio_cast_device_get_name (l->data), name) == 0)
      return g_object_ref (l->data);
  return NULL;
}

/* @wanted is no input's name but an output's: recording it would be a
 * mistake (a substring match would pick some input, its monitor most
 * likely, without saying so). Sets @error naming the monitor to record
 * instead, when the server has one of that name. */
static gboolean
refuse_output_name (const gchar *wanted, const gchar *server, GList *inputs,
    GError **error)
{
  GList *outputs;
  AudioCastDevice *output, *monitor;
  gchar *monitor_name, *available;
  gboolean ok;

  outputs = audio_cast_device_collect (server, FALSE, &ok, NULL);
  output = find_exact (outputs, wanted);
  g_list_free_full (outputs, g_object_unref);
  if (output == NULL)
    return FALSE;
  g_object_unref (output);

  monitor_name = g_strconcat (wanted, ".monitor", NULL);
  monitor = find_exact (inputs, monitor_name);
  available = audio_cast_device_describe_all (inputs);
  if (monitor != NULL)
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_DEVICE_NOT_FOUND,
        "Device not found: \"%s\" is an output device, not an input; to "
        "record what it plays, record its monitor \"%s\". Available input "
        "devices: %s", wanted, monitor_name, available);
  else
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_DEVICE_NOT_FOUND,
        "Device not found: \"%s\" is an output device, not an input. "
        "Available input devices: %s", wanted, available);
  g_clear_object (&monitor);
  g_free (monitor_name);
  g_free (available);
  return TRUE;
}

static GstElement *
open_alsa_pcm (const gchar *pcm)
{
  GstElement *src = gst_element_factory_make ("alsasrc", NULL);
  GString *reasons = g_string_new (NULL);

  if (src != NULL) {
    gst_object_ref_sink (src);
    g_object_set (src, "device", pcm, NULL);
    if (!audio_cast_device_try_ready (src, "alsasrc", reasons))
      gst_clear_object (&src);
  }
  g_string_free (reasons, TRUE);
  return src;
}

static gboolean
open_named (const gchar *wanted, const gchar *server,
    AudioCastRecorderSource *source, GError **error)
{
  AudioCastDevice *device;
  GList *inputs;
  gboolean ok;

  /* No device has such a name, and neither the lookup (casefolding) nor an
   * error message may be given one. */
  if (!g_utf8_validate (wanted, -1, NULL)) {
    gchar *valid = g_utf8_make_valid (wanted, -1);

    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_DEVICE_NOT_FOUND,
        "Device not found: \"%s\" is not valid UTF-8", valid);
    g_free (valid);
    return FALSE;
  }

  inputs = audio_cast_device_collect (server, TRUE, &ok, error);
  if (!ok)
    return FALSE;
  device = find_exact (inputs, wanted);
  if (device == NULL && refuse_output_name (wanted, server, inputs, error)) {
    g_list_free_full (inputs, g_object_unref);
    return FALSE;
  }
  if (device == NULL)
    device = audio_cast_device_find (inputs, wanted);
  if (device != NULL) {
    take_device (source, device);
    source->element = create_device_source (device,
        audio_cast_device_get_name (device), server);
    if (source->element == NULL)
      g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
          "Cannot open input device \"%s\"", wanted);
    g_object_unref (device);
  } else if (server == NULL && audio_cast_device_is_alsa_pcm_name (wanted)
      && (source->element = open_alsa_pcm (wanted)) != NULL) {
    /* an ALSA PCM: its format is known once it records */
  } else {
    gchar *available = audio_cast_device_describe_all (inputs);

    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_DEVICE_NOT_FOUND,
        "Device not found: \"%s\". Available input devices: %s", wanted,
        available);
    g_free (available);
  }
  g_list_free_full (inputs, g_object_unref);
  return source->element != NULL;
}

/* The first of the platform sources that opens; why the others did not
 * goes into @reasons. */
static GstElement *
open_first_candidate (GString *reasons)
{
  static const gchar *const candidates[] = {
    "pulsesrc", "alsasrc", "wasapi2src", "wasapisrc", "osxaudiosrc",
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (candidates); i++) {
    GstElement *src = gst_element_factory_make (candidates[i], NULL);

    if (src == NULL)
      continue;
    gst_object_ref_sink (src);
    if (audio_cast_device_try_ready (src, candidates[i], reasons))
      return src;
    gst_object_unref (src);
  }
  return NULL;
}

static gboolean
open_default (const gchar *server, AudioCastRecorderSource *source,
    GError **error)
{
  GString *reasons;
  GList *inputs, *l;
  gboolean ok;

  inputs = audio_cast_device_collect (server, TRUE, &ok, error);
  if (!ok)
    return FALSE;
  for (l = inputs; l && source->element == NULL; l = l->next) {
    if (!audio_cast_device_get_is_default (l->data))
      continue;
    take_device (source, l->data);
    /* NULL: pulsesrc follows the server's default source */
    source->element = create_device_source (l->data, NULL, server);
  }
  g_list_free_full (inputs, g_object_unref);
  if (source->element != NULL)
    return TRUE;

  /* a server must have answered the listing: its default is pulsesrc's */
  if (server != NULL) {
    source->element = make_pulsesrc (NULL, server);
    if (source->element == NULL)
      g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
          "Cannot record from the sound server \"%s\": pulsesrc is not "
          "installed", server);
    return source->element != NULL;
  }

  reasons = g_string_new (NULL);
  source->element = open_first_candidate (reasons);
  if (source->element == NULL)
    /* reasons->str + 2: without the first "; " */
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
        "No audio input is available (%s)", reasons->len ? reasons->str + 2
        : "none of pulsesrc, alsasrc, wasapi2src, wasapisrc, osxaudiosrc "
        "is installed");
  g_string_free (reasons, TRUE);
  return source->element != NULL;
}

gboolean
audio_cast_recorder_source_open (const gchar *device, const gchar *server,
    AudioCastRecorderSource *source, GError **error)
{
  source->element = NULL;
  source->rate = 0;
  source->channels = 0;
  if (device != NULL)
    return open_named (device, server, source, error);
  return open_default (server, source, error);
}

void
audio_cast_recorder_source_clear (AudioCastRecorderSource *source)
{
  if (source->element)
    gst_element_set_state (source->element, GST_STATE_NULL);
  gst_clear_object (&source->element);
}
