/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Watching output devices come and go: AudioCastDeviceMonitor, over one
 * GstDeviceMonitor shared by the whole process.
 *
 * The shared GstDeviceMonitor is never disposed: in GStreamer 1.22 a
 * disposed GstDeviceMonitor leaves its handler connected to the device
 * providers' buses (the providers are per-process singletons), so the next
 * device message of a started provider calls into freed memory and, in
 * practice, every other monitor goes deaf. Once started it is never stopped
 * either: PipeWire's device provider (gstreamer1.0-pipewire 0.3.65) aborts
 * or crashes the process now and then when it is stopped (double free,
 * SIGSEGV; within a few hundred start/stop cycles), and an application
 * cannot keep it out of a monitor. Listing devices and opening them by name
 * ask the PulseAudio server directly (audiocast-pulse.c) and start no
 * provider at all; only an AudioCastDeviceMonitor, or a listing on a system
 * with no PulseAudio-protocol server, starts the shared monitor.
 *
 * When a PulseAudio-protocol server answers, PipeWire's provider lists every
 * sink a second time (the same node through pipewiresink): such devices are
 * not reported, so a monitor shows what list_output_devices() lists.
 *
 * Threads: the providers post device messages from their own threads
 * (libpulse's threaded main loop for PulseAudio). A sync handler on the
 * shared monitor's bus copies each message onto the bus of every running
 * AudioCastDeviceMonitor (under `registry_lock`, which guards the list of
 * those buses and nothing else). Each AudioCastDeviceMonitor watches its
 * bus with a GSource on the main context that was the thread-default one at
 * its construction, and emits its signals there, holding no lock.
 * `start_lock` serialises the one start of the shared monitor, which
 * connects to the sound server; it is never taken by the providers'
 * threads, so holding it while they deliver the initial devices is safe.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-device.h"
#include "audiocast-error.h"
#include "audiocast-pulse.h"

static GMutex start_lock;
static gboolean shared_started; /* guarded by start_lock */
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

    /* outputs for the monitors; inputs too, for listings without a
     * PulseAudio-protocol server */
    gst_device_monitor_add_filter (m, "Audio/Sink", NULL);
    gst_device_monitor_add_filter (m, "Audio/Source", NULL);
    bus = gst_device_monitor_get_bus (m);
    gst_bus_set_sync_handler (bus, fan_out_sync_handler, NULL, NULL);
    gst_object_unref (bus);
    /* Lives as long as the process, on purpose (see the top of the file). */
    GST_OBJECT_FLAG_SET (m, GST_OBJECT_FLAG_MAY_BE_LEAKED);
    g_once_init_leave (&monitor, m);
  }
  return monitor;
}

/* Starts the shared monitor once; it then runs as long as the process
 * (see the top of the file). Retries on the next call when no provider
 * could start. */
static gboolean
shared_monitor_start (void)
{
  gboolean ok;

  g_mutex_lock (&start_lock);
  if (!shared_started)
    shared_started = gst_device_monitor_start (shared_monitor ());
  ok = shared_started;
  g_mutex_unlock (&start_lock);
  return ok;
}

/* The devices of class @classes ("Audio/Sink" or "Audio/Source") the
 * providers know now, for systems without a PulseAudio-protocol server.
 * Returns (transfer full) (element-type GstDevice). */
GList *
audio_cast_device_monitor_list_gst (const gchar *classes)
{
  GList *devices, *l, *out = NULL;

  shared_monitor_start ();
  devices = gst_device_monitor_get_devices (shared_monitor ());
  for (l = devices; l; l = l->next) {
    if (gst_device_has_classes (l->data, classes))
      out = g_list_prepend (out, gst_object_ref (l->data));
  }
  g_list_free_full (devices, gst_object_unref);
  return g_list_reverse (out);
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
 *
 * Since: 0.1
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
  /* Set at start when a PulseAudio-protocol server answers: PipeWire's
   * provider then only repeats its sinks (see the top of the file). */
  gboolean hide_pipewire;
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
  audio_cast_device_ensure_gst ();

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
   *
   * Since: 0.1
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
   *
   * Since: 0.1
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
   *
   * Since: 0.1
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
 *
 * Since: 0.1
 */
AudioCastDeviceMonitor *
audio_cast_device_monitor_new (void)
{
  return g_object_new (AUDIO_CAST_TYPE_DEVICE_MONITOR, NULL);
}

/* An input (the shared monitor lists those too), or a PipeWire node that
 * the PulseAudio server already lists as a sink. */
static gboolean
is_hidden (AudioCastDeviceMonitor *self, GstDevice *gst_device)
{
  return !gst_device_has_classes (gst_device, "Audio/Sink")
      || (self->hide_pipewire
      && g_str_has_prefix (G_OBJECT_TYPE_NAME (gst_device), "GstPipeWire"));
}

static void
on_device_added (AudioCastDeviceMonitor *self, GstDevice *gst_device)
{
  AudioCastDevice *device;

  if (is_hidden (self, gst_device)
      || g_hash_table_contains (self->devices, gst_device))
    return;
  device = audio_cast_device_new_from_gst (gst_device, TRUE);
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
  device = audio_cast_device_new_from_gst (gst_device, TRUE);
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
 * Returns: `TRUE` when watching; `FALSE` with [error@Error.BACKEND] when
 *   no audio system could be watched
 *
 * Since: 0.1
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

  self->hide_pipewire = audio_cast_pulse_answers (NULL);
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
 *
 * Since: 0.1
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

}
