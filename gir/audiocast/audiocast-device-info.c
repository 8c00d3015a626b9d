/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Output and input devices as applications see them.
 *
 * AudioCastDevice is a snapshot of a device taken when it was listed: the
 * name audiocastsink's `device` takes, and the device's own format where the
 * backend tells it.
 *
 * Where devices come from: a PulseAudio-protocol server (PulseAudio, or
 * PipeWire through pipewire-pulse) is asked for its sinks directly
 * (audiocast-pulse.c): one entry per sink, the server's own default flag
 * and sample spec, on any server address, and no GStreamer device provider
 * is started. Only when no such server answers (and none was named) do the
 * providers of the shared GstDeviceMonitor (audiocast-device-monitor.c)
 * list what the system has: ALSA, native PipeWire, WASAPI, Core Audio.
 * Those devices keep their GstDevice, which makes their sink element.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-device.h"
#include "audiocast-error.h"
#include "audiocast-log.h"
#include "audiocast-pulse.h"

#include <gst/audio/audio.h>

#include <string.h>

/* ------------------------------------------------------------------------ */
/* AudioCastDevice                                                          */
/* ------------------------------------------------------------------------ */

/**
 * AudioCastDevice:
 *
 * An audio output device, as found by [func@list_output_devices] or
 * reported by [class@DeviceMonitor], or an input device, as found by
 * [func@list_input_devices].
 *
 * It is a snapshot: its properties never change. Pass an output's
 * [property@Device:name] to [ctor@Player.new], [func@play_file] or
 * audiocastsink's `device` property to play on it.
 *
 * Since: 0.1
 */
struct _AudioCastDevice
{
  GObject parent;

  gchar *name;
  gchar *description;
  gchar *backend;
  gboolean is_default;
  guint sample_rate;
  guint channels;
  gboolean is_monitor;
  /* The provider's device, which creates the sink element; NULL for a sink
   * of a PulseAudio-protocol server, played through pulsesink. */
  GstDevice *gst_device;
};

enum
{
  PROP_0,
  PROP_NAME,
  PROP_DESCRIPTION,
  PROP_BACKEND,
  PROP_IS_DEFAULT,
  PROP_SAMPLE_RATE,
  PROP_CHANNELS,
  PROP_IS_MONITOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AudioCastDevice, audio_cast_device, G_TYPE_OBJECT)

static void
audio_cast_device_init (AudioCastDevice *self)
{
}

static void
audio_cast_device_finalize (GObject *object)
{
  AudioCastDevice *self = AUDIO_CAST_DEVICE (object);

  g_free (self->name);
  g_free (self->description);
  g_free (self->backend);
  gst_clear_object (&self->gst_device);
  G_OBJECT_CLASS (audio_cast_device_parent_class)->finalize (object);
}

static void
audio_cast_device_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  AudioCastDevice *self = AUDIO_CAST_DEVICE (object);

  /* Construct-only: nobody can observe these yet, so no notify. */
  switch (prop_id) {
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_DESCRIPTION:
      self->description = g_value_dup_string (value);
      break;
    case PROP_BACKEND:
      self->backend = g_value_dup_string (value);
      break;
    case PROP_IS_DEFAULT:
      self->is_default = g_value_get_boolean (value);
      break;
    case PROP_SAMPLE_RATE:
      self->sample_rate = g_value_get_uint (value);
      break;
    case PROP_CHANNELS:
      self->channels = g_value_get_uint (value);
      break;
    case PROP_IS_MONITOR:
      self->is_monitor = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
audio_cast_device_get_property (GObject *object, guint prop_id,
    GValue *value, GParamSpec *pspec)
{
  AudioCastDevice *self = AUDIO_CAST_DEVICE (object);

  switch (prop_id) {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_BACKEND:
      g_value_set_string (value, self->backend);
      break;
    case PROP_IS_DEFAULT:
      g_value_set_boolean (value, self->is_default);
      break;
    case PROP_SAMPLE_RATE:
      g_value_set_uint (value, self->sample_rate);
      break;
    case PROP_CHANNELS:
      g_value_set_uint (value, self->channels);
      break;
    case PROP_IS_MONITOR:
      g_value_set_boolean (value, self->is_monitor);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
audio_cast_device_class_init (AudioCastDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
      | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = audio_cast_device_finalize;
  object_class->set_property = audio_cast_device_set_property;
  object_class->get_property = audio_cast_device_get_property;

  /**
   * AudioCastDevice:name:
   *
   * What the `device` arguments take to select exactly this device: for
   * PulseAudio the sink name (such as `alsa_output.pci-0000_00_1f.3.analog-stereo`),
   * for other backends their own device identifier, else
   * [property@Device:description].
   *
   * Since: 0.1
   */
  properties[PROP_NAME] = g_param_spec_string ("name", "Name",
      "Device name, as audiocastsink's device property takes it", NULL, flags);

  /**
   * AudioCastDevice:description:
   *
   * The human-readable name of the device, for user interfaces.
   *
   * Since: 0.1
   */
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description",
      "Description", "Human-readable device name", NULL, flags);

  /**
   * AudioCastDevice:backend:
   *
   * The audio system the device belongs to: `pulse` (which includes
   * PipeWire through pipewire-pulse), `alsa`, `pipewire`, `wasapi`,
   * `osxaudio`, or the lowercase name of another GStreamer device provider.
   *
   * Since: 0.1
   */
  properties[PROP_BACKEND] = g_param_spec_string ("backend", "Backend",
      "Audio system of the device (pulse, alsa, pipewire, ...)", NULL, flags);

  /**
   * AudioCastDevice:is-default:
   *
   * Whether the device was the system's default output when it was listed.
   *
   * Since: 0.1
   */
  properties[PROP_IS_DEFAULT] = g_param_spec_boolean ("is-default",
      "Is default", "Whether this is the default output device", FALSE, flags);

  /**
   * AudioCastDevice:sample-rate:
   *
   * The device's own sample rate in Hz, 0 when the backend does not say.
   *
   * Since: 0.1
   */
  properties[PROP_SAMPLE_RATE] = g_param_spec_uint ("sample-rate",
      "Sample rate", "Native sample rate of the device (0: unknown)",
      0, G_MAXINT, 0, flags);

  /**
   * AudioCastDevice:channels:
   *
   * The device's own channel count, 0 when the backend does not say.
   *
   * Since: 0.1
   */
  properties[PROP_CHANNELS] = g_param_spec_uint ("channels", "Channels",
      "Native channel count of the device (0: unknown)", 0, G_MAXINT, 0,
      flags);

  /**
   * AudioCastDevice:is-monitor:
   *
   * Whether the device is an input that records what an output plays (a
   * PulseAudio sink's monitor, such as `speaker.monitor`), rather than a
   * microphone or line input. Always `FALSE` for outputs.
   *
   * Since: 0.1
   */
  properties[PROP_IS_MONITOR] = g_param_spec_boolean ("is-monitor",
      "Is monitor", "Whether this input records what an output plays", FALSE,
      flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/**
 * audio_cast_device_get_name:
 * @self: a device
 *
 * Gets [property@Device:name].
 *
 * Returns: (transfer none): the name to select this device with
 *
 * Since: 0.1
 */
const gchar *
audio_cast_device_get_name (AudioCastDevice *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_DEVICE (self), NULL);
  return self->name;
}

/**
 * audio_cast_device_get_description:
 * @self: a device
 *
 * Gets [property@Device:description].
 *
 * Returns: (transfer none): the human-readable name of the device
 *
 * Since: 0.1
 */
const gchar *
audio_cast_device_get_description (AudioCastDevice *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_DEVICE (self), NULL);
  return self->description;
}

/**
 * audio_cast_device_get_backend:
 * @self: a device
 *
 * Gets [property@Device:backend].
 *
 * Returns: (transfer none): the audio system, such as `pulse` or `alsa`
 *
 * Since: 0.1
 */
const gchar *
audio_cast_device_get_backend (AudioCastDevice *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_DEVICE (self), NULL);
  return self->backend;
}

/**
 * audio_cast_device_get_is_default:
 * @self: a device
 *
 * Gets [property@Device:is-default].
 *
 * Returns: whether the device was the default output when it was listed
 *
 * Since: 0.1
 */
gboolean
audio_cast_device_get_is_default (AudioCastDevice *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_DEVICE (self), FALSE);
  return self->is_default;
}

/**
 * audio_cast_device_get_sample_rate:
 * @self: a device
 *
 * Gets [property@Device:sample-rate].
 *
 * Returns: the device's own sample rate in Hz, or 0 when unknown
 *
 * Since: 0.1
 */
guint
audio_cast_device_get_sample_rate (AudioCastDevice *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_DEVICE (self), 0);
  return self->sample_rate;
}

/**
 * audio_cast_device_get_channels:
 * @self: a device
 *
 * Gets [property@Device:channels].
 *
 * Returns: the device's own channel count, or 0 when unknown
 *
 * Since: 0.1
 */
guint
audio_cast_device_get_channels (AudioCastDevice *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_DEVICE (self), 0);
  return self->channels;
}

/**
 * audio_cast_device_get_is_monitor:
 * @self: a device
 *
 * Gets [property@Device:is-monitor].
 *
 * Returns: whether the device records what an output plays
 *
 * Since: 0.1
 */
gboolean
audio_cast_device_get_is_monitor (AudioCastDevice *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_DEVICE (self), FALSE);
  return self->is_monitor;
}

/* "GstPulseDevice" → "pulse": the GstDevice subclass names its provider.
 * The known ones are spelled the way users know the audio systems. */
static gchar *
backend_from_device (GstDevice *device)
{
  static const struct
  {
    const gchar *prefix;
    const gchar *backend;
  } known[] = {
    {"GstPulse", "pulse"},
    {"GstAlsa", "alsa"},
    {"GstPipeWire", "pipewire"},
    {"GstWasapi", "wasapi"},    /* GstWasapiDevice and GstWasapi2Device */
    {"GstOsxAudio", "osxaudio"},
    {"GstDirectSound", "directsound"},
  };
  const gchar *type = G_OBJECT_TYPE_NAME (device);
  gsize len;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_str_has_prefix (type, known[i].prefix))
      return g_strdup (known[i].backend);

  if (g_str_has_prefix (type, "Gst"))
    type += 3;
  len = strlen (type);
  if (len > 6 && g_str_has_suffix (type, "Device"))
    len -= 6;
  return g_ascii_strdown (type, len);
}

/* A value every caps structure holds as the same fixed integer, else 0:
 * devices that accept a range have no format of their own. */
static guint
fixed_caps_int (GstCaps *caps, const gchar *field)
{
  gint common = 0;
  guint i, n;

  if (caps == NULL || gst_caps_is_any (caps))
    return 0;
  n = gst_caps_get_size (caps);
  for (i = 0; i < n; i++) {
    gint v;

    if (!gst_structure_get_int (gst_caps_get_structure (caps, i), field, &v)
        || v <= 0 || (common != 0 && v != common))
      return 0;
    common = v;
  }
  return common;
}

/* @query_server: FALSE for a device that is gone, whose format nobody can
 * tell any more. */
AudioCastDevice *
audio_cast_device_new_from_gst (GstDevice *device, gboolean query_server)
{
  AudioCastDevice *self;
  gchar *name = audio_cast_device_dup_name (device);
  gchar *description = gst_device_get_display_name (device);
  gchar *backend = backend_from_device (device);
  GstStructure *props = gst_device_get_properties (device);
  gboolean is_default = FALSE;
  guint rate = 0, channels = 0;

  if (props) {
    gst_structure_get_boolean (props, "is-default", &is_default);
    gst_structure_free (props);
  }

  if (query_server && g_strcmp0 (backend, "pulse") == 0) {
    /* pulsesink's caps accept every format; the server knows the sink's. */
    AudioCastPulseDevice *sink = audio_cast_pulse_find_sink (NULL, name, FALSE);

    if (sink) {
      rate = GST_AUDIO_INFO_RATE (&sink->info);
      channels = GST_AUDIO_INFO_CHANNELS (&sink->info);
      audio_cast_pulse_device_free (sink);
    }
  } else {
    GstCaps *caps = gst_device_get_caps (device);

    rate = fixed_caps_int (caps, "rate");
    channels = fixed_caps_int (caps, "channels");
    gst_clear_caps (&caps);
  }

  self = g_object_new (AUDIO_CAST_TYPE_DEVICE,
      "name", name,
      "description", description,
      "backend", backend,
      "is-default", is_default,
      "sample-rate", rate,
      "channels", channels,
      NULL);
  self->gst_device = gst_object_ref (device);

  g_free (name);
  g_free (description);
  g_free (backend);
  return self;
}

static gint
compare_devices (gconstpointer a, gconstpointer b)
{
  AudioCastDevice *da = (AudioCastDevice *) a, *db = (AudioCastDevice *) b;
  gint r;

  if (da->is_default != db->is_default)
    return da->is_default ? -1 : 1;
  if (da->name == NULL || db->name == NULL)
    return g_strcmp0 (da->name, db->name);
  r = g_ascii_strcasecmp (da->name, db->name);
  return r != 0 ? r : strcmp (da->name, db->name);
}


static AudioCastDevice *
device_new_from_pulse (const AudioCastPulseDevice *device)
{
  return g_object_new (AUDIO_CAST_TYPE_DEVICE,
      "name", device->name,
      "description", device->description,
      "backend", "pulse",
      "is-default", device->is_default,
      "sample-rate", GST_AUDIO_INFO_RATE (&device->info),
      "channels", GST_AUDIO_INFO_CHANNELS (&device->info),
      "is-monitor", device->is_monitor,
      NULL);
}

/* The provider's device that makes this device's sink element, or NULL
 * when pulsesink plays it (a sink of a PulseAudio-protocol server). */
GstDevice *
audio_cast_device_get_gst_device (AudioCastDevice *self)
{
  return self->gst_device;
}

/* The output devices, or with @inputs the input devices, sorted (see the
 * top of the file). @server: NULL for the default server, which may be
 * absent (then the device providers answer); a named server must answer.
 * Returns (transfer full) (element-type AudioCastDevice), or NULL with
 * @error set. An empty list is a valid answer: a server with no sinks. */
GList *
audio_cast_device_collect (const gchar *server, gboolean inputs,
    gboolean *ok, GError **error)
{
  GList *found = NULL, *l, *out = NULL;
  GError *pulse_error = NULL;
  gboolean listed;

  audio_cast_device_ensure_gst ();

  listed = inputs ? audio_cast_pulse_list_sources (server, &found,
      &pulse_error) : audio_cast_pulse_list_sinks (server, &found,
      &pulse_error);
  if (listed) {
    for (l = found; l; l = l->next)
      out = g_list_prepend (out, device_new_from_pulse (l->data));
    g_list_free_full (found, (GDestroyNotify) audio_cast_pulse_device_free);
  } else if (server != NULL) {
    g_propagate_error (error, pulse_error);
    *ok = FALSE;
    return NULL;
  } else {
    GList *gst_devices = audio_cast_device_monitor_list_gst (inputs
        ? "Audio/Source" : "Audio/Sink");

    g_clear_error (&pulse_error);
    for (l = gst_devices; l; l = l->next)
      out = g_list_prepend (out, audio_cast_device_new_from_gst (l->data,
              FALSE));
    g_list_free_full (gst_devices, gst_object_unref);
  }
  *ok = TRUE;
  return g_list_sort (out, compare_devices);
}

/**
 * audio_cast_list_output_devices:
 *
 * Lists the audio output devices of the default sound server present now:
 * the default device first, then the others by name.
 *
 * With a PulseAudio server (or PipeWire through pipewire-pulse) these are
 * its sinks, each once; [property@Device:sample-rate] and
 * [property@Device:channels] then give each sink's format as the server
 * reports it. Without one, the system's other audio systems are asked
 * (ALSA, PipeWire's own protocol, WASAPI, Core Audio).
 *
 * ```python
 * for d in AudioCast.list_output_devices():
 *     print(d.props.name, d.props.description, d.props.sample_rate)
 * ```
 *
 * Returns: (transfer full) (element-type AudioCastDevice): the devices,
 *   empty when there are none
 *
 * Since: 0.1
 */
GList *
audio_cast_list_output_devices (void)
{
  gboolean ok;

  return audio_cast_device_collect (NULL, FALSE, &ok, NULL);
}

/**
 * audio_cast_list_output_devices_on:
 * @server: (nullable): a PulseAudio-protocol server address, such as
 *   `tcp:192.0.2.7:4713` or `unix:/run/user/1000/pulse/native`; `NULL` for
 *   the default server (as [func@list_output_devices] does)
 * @error: return location for an error
 *
 * Lists the output devices of a given sound server, which may run on
 * another machine: the default device first, then the others by name.
 * Their names play on that server when given with the same @server to
 * [property@Player:server] or audiocastsink's `server` property.
 *
 * Returns: (transfer full) (element-type AudioCastDevice): the devices
 *   (empty when the server has none), or `NULL` with
 *   [error@Error.BACKEND] when the server did not answer within 2 s;
 *   the message names the address
 *
 * Since: 0.1
 */
GList *
audio_cast_list_output_devices_on (const gchar *server, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return audio_cast_device_collect (server, FALSE, &ok, error);
}

/**
 * audio_cast_list_input_devices:
 *
 * Lists the audio input devices of the default sound server present now:
 * the default input first, then the others by name. With a PulseAudio
 * server (or PipeWire through pipewire-pulse) these are its sources, among
 * them the monitor of each sink, which records what that sink plays
 * ([property@Device:is-monitor]); without one, the system's other audio
 * systems are asked.
 *
 * ```python
 * for d in AudioCast.list_input_devices():
 *     print(d.props.name, d.props.is_monitor, d.props.sample_rate)
 * ```
 *
 * Returns: (transfer full) (element-type AudioCastDevice): the devices,
 *   empty when there are none
 *
 * Since: 0.1
 */
GList *
audio_cast_list_input_devices (void)
{
  gboolean ok;

  return audio_cast_device_collect (NULL, TRUE, &ok, NULL);
}

/**
 * audio_cast_list_input_devices_on:
 * @server: (nullable): a PulseAudio-protocol server address, as
 *   [func@list_output_devices_on] takes it; `NULL` for the default server
 * @error: return location for an error
 *
 * Lists the input devices of a given sound server, which may run on
 * another machine: the default input first, then the others by name.
 *
 * Returns: (transfer full) (element-type AudioCastDevice): the devices
 *   (empty when the server has none), or `NULL` with
 *   [error@Error.BACKEND] when the server did not answer within 2 s;
 *   the message names the address
 *
 * Since: 0.1
 */
GList *
audio_cast_list_input_devices_on (const gchar *server, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return audio_cast_device_collect (server, TRUE, &ok, error);
}
