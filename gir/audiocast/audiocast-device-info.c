/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Output devices as applications see them.
 *
 * AudioCastDevice is a snapshot of a GstDevice taken when it was listed: the
 * name audiocastsink's `device` takes, and the device's own format where the
 * backend tells it (PulseAudio is asked for the sink's sample spec, since its
 * GstDevice caps accept anything).
 *
 * One GstDeviceMonitor serves the whole process and is never disposed: in
 * GStreamer 1.22 a disposed GstDeviceMonitor leaves its handler connected to
 * the device providers' buses (the providers are per-process singletons), so
 * the next device message of a started provider calls into freed memory and,
 * in practice, every other monitor goes deaf. Listing starts it for the
 * moment of the listing; each running AudioCastDeviceMonitor holds it
 * started.
 *
 * Threads: the providers post device messages from their own threads
 * (libpulse's threaded main loop for PulseAudio). A sync handler on the
 * shared monitor's bus copies each message onto the bus of every running
 * AudioCastDeviceMonitor (under `registry_lock`, which guards the list of
 * those buses and nothing else). Each AudioCastDeviceMonitor watches its
 * bus with a GSource on the main context that was the thread-default one at
 * its construction, and emits its signals there, holding no lock.
 * `start_lock` serialises starting and stopping the shared monitor, which
 * connects to the sound server; it is never taken by the providers'
 * threads, so holding it while they deliver the initial devices is safe.
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
 * reported by [class@DeviceMonitor].
 *
 * It is a snapshot: its properties never change. Pass
 * [property@Device:name] to [ctor@Player.new], [func@play_file] or
 * audiocastsink's `device` property to play on it.
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
   */
  properties[PROP_NAME] = g_param_spec_string ("name", "Name",
      "Device name, as audiocastsink's device property takes it", NULL, flags);

  /**
   * AudioCastDevice:description:
   *
   * The human-readable name of the device, for user interfaces.
   */
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description",
      "Description", "Human-readable device name", NULL, flags);

  /**
   * AudioCastDevice:backend:
   *
   * The audio system the device belongs to: `pulse` (which includes
   * PipeWire through pipewire-pulse), `alsa`, `pipewire`, `wasapi`,
   * `osxaudio`, or the lowercase name of another GStreamer device provider.
   */
  properties[PROP_BACKEND] = g_param_spec_string ("backend", "Backend",
      "Audio system of the device (pulse, alsa, pipewire, ...)", NULL, flags);

  /**
   * AudioCastDevice:is-default:
   *
   * Whether the device was the system's default output when it was listed.
   */
  properties[PROP_IS_DEFAULT] = g_param_spec_boolean ("is-default",
      "Is default", "Whether this is the default output device", FALSE, flags);

  /**
   * AudioCastDevice:sample-rate:
   *
   * The device's own sample rate in Hz, 0 when the backend does not say.
   */
  properties[PROP_SAMPLE_RATE] = g_param_spec_uint ("sample-rate",
      "Sample rate", "Native sample rate of the device (0: unknown)",
      0, G_MAXINT, 0, flags);

  /**
   * AudioCastDevice:channels:
   *
   * The device's own channel count, 0 when the backend does not say.
   */
  properties[PROP_CHANNELS] = g_param_spec_uint ("channels", "Channels",
      "Native channel count of the device (0: unknown)", 0, G_MAXINT, 0,
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
 */
guint
audio_cast_device_get_channels (AudioCastDevice *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_DEVICE (self), 0);
  return self->channels;
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
static AudioCastDevice *
device_new_from_gst (GstDevice *device, gboolean query_server)
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
    GstAudioInfo info;

    /* pulsesink's caps accept every format; the server knows the sink's. */
    gst_audio_info_init (&info);
    if (audio_cast_pulse_get_sink_format (name, &info)) {
      rate = GST_AUDIO_INFO_RATE (&info);
      channels = GST_AUDIO_INFO_CHANNELS (&info);
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

/* ---- The process-wide GstDeviceMonitor (see the top of the file) ---- */

static GMutex start_lock;
static guint shared_users;      /* holders of a start; guarded by start_lock */
static GMutex registry_lock;
static GSList *registry;        /* (element-type GstBus) running monitors' */

static GstBusSyncReply
fan_out_sync_handler (GstBus *bus, GstMessage *message, gpointer user_data)
{
  GSList *l;

  /* Providers' threads. Posting on a bus only queues the message and wakes
   * its watch; no application code runs here. */
  g_mutex_lock (&registry_lock);
  for (l = registry; l; l = l->next)
    gst_bus_post (l->data, gst_message_ref (message));
  g_mutex_unlock (&registry_lock);

  return GST_BUS_DROP;
}

static GstDeviceMonitor *
shared_monitor (void)
{
  static GstDeviceMonitor *monitor;

  if (g_once_init_enter (&monitor)) {
    GstDeviceMonitor *m = gst_device_monitor_new ();
    GstBus *bus;

    gst_device_monitor_add_filter (m, "Audio/Sink", NULL);
    bus = gst_device_monitor_get_bus (m);
    gst_bus_set_sync_handler (bus, fan_out_sync_handler, NULL, NULL);
    gst_object_unref (bus);
    /* Lives as long as the process, on purpose (see the top of the file). */
    GST_OBJECT_FLAG_SET (m, GST_OBJECT_FLAG_MAY_BE_LEAKED);
    g_once_init_leave (&monitor, m);
  }
  return monitor;
}

static gboolean
shared_monitor_start (void)
{
  gboolean ok = TRUE;

  g_mutex_lock (&start_lock);
  if (shared_users == 0)
    ok = gst_device_monitor_start (shared_monitor ());
  if (ok)
    shared_users++;
  g_mutex_unlock (&start_lock);
  return ok;
}

static void
shared_monitor_stop (void)
{
  g_mutex_lock (&start_lock);
  g_assert (shared_users > 0);
  if (--shared_users == 0)
    gst_device_monitor_stop (shared_monitor ());
  g_mutex_unlock (&start_lock);
}

/* Through a started monitor: the PulseAudio provider only learns which sink
 * is the default when it is started (a bare probe calls none the default).
 * One monitor serves the whole process: in GStreamer 1.22 releasing a
 * GstDeviceMonitor leaves a callback on the shared providers, which
 * silences every other running monitor. Returns (transfer full)
 * (element-type GstDevice). */
GList *
audio_cast_device_list_sinks (void)
{
  GList *devices;

  if (!shared_monitor_start ())
    return gst_device_monitor_get_devices (shared_monitor ());
  devices = gst_device_monitor_get_devices (shared_monitor ());
  shared_monitor_stop ();
  return devices;
}

static void
ensure_gst (void)
{
  /* Bindings may call in before anyone initialised GStreamer. */
  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  audio_cast_log_init ();
}

/**
 * audio_cast_list_output_devices:
 *
 * Lists the audio output devices present now: the default device first,
 * then the others by name.
 *
 * With a PulseAudio server (or PipeWire through pipewire-pulse) these are
 * its sinks; [property@Device:sample-rate] and [property@Device:channels]
 * then give each sink's own format, which plays bit-exact.
 *
 * ```python
 * for d in AudioCast.list_output_devices():
 *     print(d.props.name, d.props.description, d.props.sample_rate)
 * ```
 *
 * Returns: (transfer full) (element-type AudioCastDevice): the devices,
 *   empty when there are none
 */
GList *
audio_cast_list_output_devices (void)
{
  GList *gst_devices, *l, *out = NULL;

  ensure_gst ();

  gst_devices = audio_cast_device_list_sinks ();
  for (l = gst_devices; l; l = l->next)
    out = g_list_prepend (out, device_new_from_gst (l->data, TRUE));
  g_list_free_full (gst_devices, gst_object_unref);

  return g_list_sort (out, compare_devices);
}

/* ------------------------------------------------------------------------ */
/* AudioCastDeviceMonitor                                                   */
/* ------------------------------------------------------------------------ */

/**
 * AudioCastDeviceMonitor:
 *
 * Watches audio output devices appear and disappear.
 *
 * After [method@DeviceMonitor.start] it emits
 * [signal@DeviceMonitor::device-added] once for every device present then,
 * and again whenever a device appears; [signal@DeviceMonitor::device-removed]
 * when one goes away. The signals are emitted on the main context that was
 * the thread-default one when the monitor was created (the global default
 * context, unless the creating thread pushed its own), so a running
 * `GLib.MainLoop` is needed to receive them. Start, stop and release the
 * monitor from that context's thread.
 *
 * ```python
 * monitor = AudioCast.DeviceMonitor.new()
 * monitor.connect("device-added", lambda m, d: print("+", d.props.name))
 * monitor.connect("device-removed", lambda m, d: print("-", d.props.name))
 * monitor.start()
 * GLib.MainLoop().run()
 * ```
 */
struct _AudioCastDeviceMonitor
{
  GObject parent;

  GMainContext *context;        /* where the signals are emitted */
  GstBus *bus;                  /* device messages, from the fan-out */
  GSource *bus_source;          /* NULL while stopped */
  /* GstDevice → AudioCastDevice reported as added: removal hands out the
   * same object, whose format can no longer be asked for. */
  GHashTable *devices;
};

enum
{
  SIGNAL_DEVICE_ADDED,
  SIGNAL_DEVICE_REMOVED,
  SIGNAL_DEVICE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AudioCastDeviceMonitor, audio_cast_device_monitor,
    G_TYPE_OBJECT)

static void
audio_cast_device_monitor_init (AudioCastDeviceMonitor *self)
{
  ensure_gst ();

  self->context = g_main_context_ref_thread_default ();
  self->bus = gst_bus_new ();
  self->devices = g_hash_table_new_full (g_direct_hash, g_direct_equal,
      gst_object_unref, g_object_unref);
}

static void
audio_cast_device_monitor_dispose (GObject *object)
{
  AudioCastDeviceMonitor *self = AUDIO_CAST_DEVICE_MONITOR (object);

  if (self->bus)
    audio_cast_device_monitor_stop (self);
  gst_clear_object (&self->bus);
  g_clear_pointer (&self->devices, g_hash_table_unref);
  G_OBJECT_CLASS (audio_cast_device_monitor_parent_class)->dispose (object);
}

static void
audio_cast_device_monitor_finalize (GObject *object)
{
  AudioCastDeviceMonitor *self = AUDIO_CAST_DEVICE_MONITOR (object);

  g_main_context_unref (self->context);
  G_OBJECT_CLASS (audio_cast_device_monitor_parent_class)->finalize (object);
}

static void
audio_cast_device_monitor_class_init (AudioCastDeviceMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = audio_cast_device_monitor_dispose;
  object_class->finalize = audio_cast_device_monitor_finalize;

  /**
   * AudioCastDeviceMonitor::device-added:
   * @self: the monitor
   * @device: the device that appeared (or was present at start)
   *
   * Emitted on the monitor's main context for every output device present
   * when the monitor starts, and for every one that appears afterwards.
   */
  signals[SIGNAL_DEVICE_ADDED] = g_signal_new ("device-added",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, AUDIO_CAST_TYPE_DEVICE);

  /**
   * AudioCastDeviceMonitor::device-removed:
   * @self: the monitor
   * @device: the device that went away, as it was reported when added
   *
   * Emitted on the monitor's main context when an output device goes away.
   */
  signals[SIGNAL_DEVICE_REMOVED] = g_signal_new ("device-removed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, AUDIO_CAST_TYPE_DEVICE);

  /**
   * AudioCastDeviceMonitor::device-changed:
   * @self: the monitor
   * @device: the device as it is now
   * @old_device: the device as it was reported before
   *
   * Emitted on the monitor's main context when a device changed, for
   * example when it became or stopped being the default output. Devices are
   * snapshots, so the new state comes as a new object.
   *
   * With PulseAudio in GStreamer 1.22, a change of the default device is
   * only noticed at the next event about a sink (one added, removed or
   * changed), so this may come late.
   */
  signals[SIGNAL_DEVICE_CHANGED] = g_signal_new ("device-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, AUDIO_CAST_TYPE_DEVICE, AUDIO_CAST_TYPE_DEVICE);
}

/**
 * audio_cast_device_monitor_new:
 *
 * Creates a monitor of audio output devices. Its signals will be emitted on
 * the calling thread's thread-default main context.
 *
 * Returns: (transfer full): a new, stopped monitor
 */
AudioCastDeviceMonitor *
audio_cast_device_monitor_new (void)
{
  return g_object_new (AUDIO_CAST_TYPE_DEVICE_MONITOR, NULL);
}

static void
on_device_added (AudioCastDeviceMonitor *self, GstDevice *gst_device)
{
  AudioCastDevice *device;

  if (g_hash_table_contains (self->devices, gst_device))
    return;
  device = device_new_from_gst (gst_device, TRUE);
  g_hash_table_insert (self->devices, gst_object_ref (gst_device), device);
  g_signal_emit (self, signals[SIGNAL_DEVICE_ADDED], 0, device);
}

/* Messages that raced with the snapshot taken at start may name a device
 * this monitor never reported (gone already) or report one twice; both
 * are dropped here. */
static void
on_device_removed (AudioCastDeviceMonitor *self, GstDevice *gst_device)
{
  AudioCastDevice *device = NULL;
  gpointer key = NULL;

  if (!g_hash_table_steal_extended (self->devices, gst_device, &key,
          (gpointer *) & device))
    return;
  g_signal_emit (self, signals[SIGNAL_DEVICE_REMOVED], 0, device);
  g_object_unref (device);
  gst_object_unref (key);
}

static void
on_device_changed (AudioCastDeviceMonitor *self, GstDevice *gst_device,
    GstDevice *old_gst_device)
{
  AudioCastDevice *device, *old = NULL;
  gpointer key = NULL;

  if (!g_hash_table_steal_extended (self->devices, old_gst_device, &key,
          (gpointer *) & old)) {
    on_device_added (self, gst_device);
    return;
  }
  device = device_new_from_gst (gst_device, TRUE);
  g_hash_table_insert (self->devices, gst_object_ref (gst_device),
      g_object_ref (device));
  g_signal_emit (self, signals[SIGNAL_DEVICE_CHANGED], 0, device, old);
  g_object_unref (device);
  g_object_unref (old);
  gst_object_unref (key);
}

/* Runs on self->context. */
static gboolean
bus_message_cb (GstBus *bus, GstMessage *message, gpointer user_data)
{
  AudioCastDeviceMonitor *self = user_data;
  GstDevice *device = NULL, *old_device = NULL;

  /* A handler may drop the last reference to the monitor. */
  g_object_ref (self);
  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_DEVICE_ADDED:
      gst_message_parse_device_added (message, &device);
      on_device_added (self, device);
      break;
    case GST_MESSAGE_DEVICE_REMOVED:
      gst_message_parse_device_removed (message, &device);
      on_device_removed (self, device);
      break;
    case GST_MESSAGE_DEVICE_CHANGED:
      gst_message_parse_device_changed (message, &device, &old_device);
      on_device_changed (self, device, old_device);
      break;
    default:
      break;
  }
  gst_clear_object (&device);
  gst_clear_object (&old_device);
  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

/**
 * audio_cast_device_monitor_start:
 * @self: a monitor
 * @error: return location for an error
 *
 * Starts watching. [signal@DeviceMonitor::device-added] follows for every
 * device present now, from the monitor's main context. Does nothing when
 * the monitor is running already.
 *
 * Returns: %TRUE when watching; %FALSE with %AUDIO_CAST_ERROR_BACKEND when
 *   no audio system could be watched
 */
gboolean
audio_cast_device_monitor_start (AudioCastDeviceMonitor *self,
    GError **error)
{
  GList *present, *l;

  g_return_val_if_fail (AUDIO_CAST_IS_DEVICE_MONITOR (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->bus_source)
    return TRUE;

  if (!shared_monitor_start ()) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
        "Cannot watch output devices: no audio system answered");
    return FALSE;
  }

  gst_bus_set_flushing (self->bus, FALSE);
  self->bus_source = gst_bus_create_watch (self->bus);
  g_source_set_callback (self->bus_source, G_SOURCE_FUNC (bus_message_cb),
      self, NULL);
  g_source_attach (self->bus_source, self->context);

  /* The devices present now, then every change after them: snapshot and
   * registration under the fan-out's lock keep the two in order. */
  g_mutex_lock (&registry_lock);
  present = gst_device_monitor_get_devices (shared_monitor ());
  for (l = present; l; l = l->next)
    gst_bus_post (self->bus, gst_message_new_device_added (NULL, l->data));
  registry = g_slist_prepend (registry, gst_object_ref (self->bus));
  g_mutex_unlock (&registry_lock);
  g_list_free_full (present, gst_object_unref);

  return TRUE;
}

/**
 * audio_cast_device_monitor_stop:
 * @self: a monitor
 *
 * Stops watching. No signal is emitted after this returns, also none that
 * was already on its way. [method@DeviceMonitor.start] starts again, and
 * reports the devices present then as added.
 */
void
audio_cast_device_monitor_stop (AudioCastDeviceMonitor *self)
{
  g_return_if_fail (AUDIO_CAST_IS_DEVICE_MONITOR (self));

  if (self->bus_source == NULL)
    return;

  g_mutex_lock (&registry_lock);
  registry = g_slist_remove (registry, self->bus);
  g_mutex_unlock (&registry_lock);
  gst_object_unref (self->bus);         /* the registry's reference */

  g_source_destroy (self->bus_source);
  g_clear_pointer (&self->bus_source, g_source_unref);
  /* Drop what is still queued, so a restart begins afresh. */
  gst_bus_set_flushing (self->bus, TRUE);
  g_hash_table_remove_all (self->devices);

  shared_monitor_stop ();
}
