/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Questions to a PulseAudio-protocol server (PulseAudio, or PipeWire
 * through pipewire-pulse): which sinks it has, which is the default, and
 * each sink's own sample format.
 *
 * Each question opens its own short-lived connection with a private
 * pa_mainloop run in the calling thread, bounded by QUERY_TIMEOUT_USEC in
 * all (connecting included), so a server that does not answer, or an
 * address nobody listens on, costs at most that long and never hangs the
 * caller. Nothing here runs while audio streams: the element asks when it
 * opens its device. No device provider is involved, so no provider thread
 * (PipeWire's crashes when stopped) and no second listing of the same sink
 * through another provider.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-pulse.h"
#include "audiocast-error.h"

#include <string.h>

void
audio_cast_pulse_device_free (AudioCastPulseDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->name);
  g_free (device->description);
  g_free (device);
}

#ifdef HAVE_PULSE
#include <pulse/pulseaudio.h>
#include "audiocast-pulse-format.h"

#define QUERY_TIMEOUT_USEC (2 * G_USEC_PER_SEC)
/* One poll at most this long, so the deadline is checked often. */
#define POLL_SLICE_USEC 50000

/* One connection and what the callbacks collected through it. */
typedef struct
{
  pa_mainloop *loop;
  pa_context *ctx;
  gint64 deadline;
  /* collected */
  GList *devices;               /* (element-type AudioCastPulseDevice) reversed */
  gchar *default_sink;
  gchar *default_source;
  gboolean on_pipewire;
  gboolean got_server_info;
  gboolean got_devices;
  GList *never_rewinding;       /* module indices + 1 (module_info_cb) */
  gboolean got_modules;
} PulseQuery;

static void
query_clear (PulseQuery *q)
{
  if (q->ctx) {
    pa_context_disconnect (q->ctx);
    pa_context_unref (q->ctx);
  }
  if (q->loop)
    pa_mainloop_free (q->loop);
  g_list_free_full (q->devices, (GDestroyNotify) audio_cast_pulse_device_free);
  g_free (q->default_sink);
  g_free (q->default_source);
  g_list_free (q->never_rewinding);
}

/* The address as users wrote it, for messages: "the default server" when
 * they gave none. */
static gchar *
describe_server (const gchar *server)
{
  return server ? g_strdup_printf ("\"%s\"", server)
      : g_strdup ("the default server");
}

static void
set_unreachable (GError **error, const gchar *server, const gchar *why)
{
  gchar *where = describe_server (server);

  g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
      "Cannot reach the sound server %s: %s", where, why);
  g_free (where);
}

/* Runs the loop once, for at most a slice of the time left. */
static gboolean
query_iterate (PulseQuery *q)
{
  gint64 left = q->deadline - g_get_monotonic_time ();

  if (left <= 0)
    return FALSE;
  return pa_mainloop_prepare (q->loop, MIN (left, POLL_SLICE_USEC)) >= 0
      && pa_mainloop_poll (q->loop) >= 0 && pa_mainloop_dispatch (q->loop) >= 0;
}

static gboolean
query_connect (PulseQuery *q, const gchar *server, GError **error)
{
  q->deadline = g_get_monotonic_time () + QUERY_TIMEOUT_USEC;
  q->loop = pa_mainloop_new ();
  /* libpulse refuses a context in a child forked after it was used */
  q->ctx = q->loop ? pa_context_new (pa_mainloop_get_api (q->loop),
      "audiocast") : NULL;
  if (q->ctx == NULL) {
    set_unreachable (error, server, "libpulse could not make a context");
    return FALSE;
  }
  if (pa_context_connect (q->ctx, server, PA_CONTEXT_NOAUTOSPAWN, NULL) < 0) {
    set_unreachable (error, server,
        pa_strerror (pa_context_errno (q->ctx)));
    return FALSE;
  }
  for (;;) {
    pa_context_state_t state = pa_context_get_state (q->ctx);

    if (state == PA_CONTEXT_READY)
      return TRUE;
    if (!PA_CONTEXT_IS_GOOD (state)) {
      set_unreachable (error, server,
          pa_strerror (pa_context_errno (q->ctx)));
      return FALSE;
    }
    if (!query_iterate (q)) {
      set_unreachable (error, server, "no answer within 2 s");
      return FALSE;
    }
  }
}

/* Waits for @op, which sets *@done from its callback. */
static gboolean
query_wait (PulseQuery *q, pa_operation *op, const gboolean *done,
    const gchar *server, GError **error)
{
  gboolean ok = TRUE;

  if (op == NULL) {
    set_unreachable (error, server, pa_strerror (pa_context_errno (q->ctx)));
    return FALSE;
  }
  while (!*done && ok) {
    if (!PA_CONTEXT_IS_GOOD (pa_context_get_state (q->ctx))) {
      set_unreachable (error, server,
          pa_strerror (pa_context_errno (q->ctx)));
      ok = FALSE;
    } else if (!query_iterate (q)) {
      set_unreachable (error, server, "no answer within 2 s");
      ok = FALSE;
    }
  }
  if (!ok)
    pa_operation_cancel (op);
  pa_operation_unref (op);
  return ok;
}

static void
server_info_cb (pa_context *c, const pa_server_info *i, void *userdata)
{
  PulseQuery *q = userdata;

  if (i && i->default_sink_name)
    q->default_sink = g_strdup (i->default_sink_name);
  if (i && i->default_source_name)
    q->default_source = g_strdup (i->default_source_name);
  /* pipewire-pulse calls itself "PulseAudio (on PipeWire 0.3.65)" */
  q->on_pipewire = i && i->server_name
      && strstr (i->server_name, "PipeWire") != NULL;
  q->got_server_info = TRUE;
}

/* A device of the server's list, in the format audiocast knows, if any. */
static AudioCastPulseDevice *
device_new (const gchar *name, const gchar *description,
    const pa_sample_spec *spec)
{
  AudioCastPulseDevice *device = g_new0 (AudioCastPulseDevice, 1);
  GstAudioFormat format = audio_cast_pulse_format_to_gst (spec->format);

  device->name = g_strdup (name);
  device->description = g_strdup (description ? description : name);
  gst_audio_info_init (&device->info);
  if (format != GST_AUDIO_FORMAT_UNKNOWN && spec->channels > 0)
    gst_audio_info_set_format (&device->info, format, spec->rate,
        spec->channels, NULL);
  return device;
}

static void
sink_info_cb (pa_context *c, const pa_sink_info *i, int eol, void *userdata)
{
  PulseQuery *q = userdata;
  AudioCastPulseDevice *device;

  if (eol != 0) {
    q->got_devices = TRUE;
    return;
  }
  if (i == NULL || i->name == NULL)
    return;
  device = device_new (i->name, i->description, &i->sample_spec);
  device->owner_module = i->owner_module;
  q->devices = g_list_prepend (q->devices, device);
}

/* Collects the modules known never to rewind their sinks: null sinks
 * loaded with norewinds=1. Every other sink of PulseAudio may (an ALSA
 * sink with timer-based scheduling does). */
static void
module_info_cb (pa_context *c, const pa_module_info *i, int eol,
    void *userdata)
{
  PulseQuery *q = userdata;

  if (eol != 0) {
    q->got_modules = TRUE;
    return;
  }
  if (i && g_strcmp0 (i->name, "module-null-sink") == 0 && i->argument
      && strstr (i->argument, "norewinds=1"))
    q->never_rewinding = g_list_prepend (q->never_rewinding,
        GUINT_TO_POINTER (i->index + 1));
}

static void
source_info_cb (pa_context *c, const pa_source_info *i, int eol,
    void *userdata)
{
  PulseQuery *q = userdata;
  AudioCastPulseDevice *device;

  if (eol != 0) {
    q->got_devices = TRUE;
    return;
  }
  if (i == NULL || i->name == NULL)
    return;
  device = device_new (i->name, i->description, &i->sample_spec);
  device->is_monitor = i->monitor_of_sink != PA_INVALID_INDEX;
  q->devices = g_list_prepend (q->devices, device);
}

/* Asks the server at @server (NULL: the default one) for its sinks, or
 * with @sources its sources, in the server's order, the default one
 * flagged; with @ask_rewinds also which sinks never rewind (one more
 * question: only audiocast's own stream needs the answer). */
static gboolean
list_devices (const gchar *server, gboolean sources, gboolean ask_rewinds,
    GList **devices, GError **error)
{
  PulseQuery q = { 0, };
  pa_operation *op;
  const gchar *default_name;
  gboolean ok = FALSE;
  GList *l;

  *devices = NULL;
  if (!query_connect (&q, server, error))
    goto out;
  if (!query_wait (&q, pa_context_get_server_info (q.ctx, server_info_cb, &q),
          &q.got_server_info, server, error))
    goto out;
  op = sources ? pa_context_get_source_info_list (q.ctx, source_info_cb, &q)
      : pa_context_get_sink_info_list (q.ctx, sink_info_cb, &q);
  if (!query_wait (&q, op, &q.got_devices, server, error))
    goto out;

  /* pipewire-pulse never rewinds; only PulseAudio's sinks are asked. A
   * server that does not list its modules: every sink may rewind. */
  if (ask_rewinds && !sources && !q.on_pipewire) {
    op = pa_context_get_module_info_list (q.ctx, module_info_cb, &q);
    if (op && !query_wait (&q, op, &q.got_modules, server, error))
      goto out;
  }

  default_name = sources ? q.default_source : q.default_sink;
  for (l = q.devices; l; l = l->next) {
    AudioCastPulseDevice *device = l->data;

    device->is_default = g_strcmp0 (device->name, default_name) == 0;
    device->on_pipewire = q.on_pipewire;
    device->may_rewind = !sources && !q.on_pipewire
        && !g_list_find (q.never_rewinding,
        GUINT_TO_POINTER (device->owner_module + 1));
  }
  *devices = g_list_reverse (q.devices);
  q.devices = NULL;
  ok = TRUE;

out:
  query_clear (&q);
  return ok;
}

/* @server: (nullable): a PulseAudio server address ("unix:/path",
 * "tcp:host:port", ...), NULL for the default one. Returns the sinks in the
 * server's order, the default one flagged. */
gboolean
audio_cast_pulse_list_sinks (const gchar *server, GList **sinks,
    GError **error)
{
  return list_devices (server, FALSE, FALSE, sinks, error);
}

/* The same for the server's sources: its inputs and the monitors of its
 * sinks (is_monitor set). */
gboolean
audio_cast_pulse_list_sources (const gchar *server, GList **sources,
    GError **error)
{
  return list_devices (server, TRUE, FALSE, sources, error);
}

/* Whether a PulseAudio-protocol server answers at @server (NULL: the
 * default one). */
gboolean
audio_cast_pulse_answers (const gchar *server)
{
  PulseQuery q = { 0, };
  gboolean ok = query_connect (&q, server, NULL);

  query_clear (&q);
  return ok;
}

/* @sink_name: (nullable): NULL for the server's default sink. Returns
 * (transfer full) (nullable): the sink, if the server answered and has it
 * with a format audiocast knows; its may_rewind asked of the server with
 * @ask_rewinds, else TRUE on PulseAudio. */
AudioCastPulseDevice *
audio_cast_pulse_find_sink (const gchar *server, const gchar *sink_name,
    gboolean ask_rewinds)
{
  GList *sinks = NULL, *l;
  AudioCastPulseDevice *found = NULL;

  if (!list_devices (server, FALSE, ask_rewinds, &sinks, NULL))
    return NULL;
  for (l = sinks; l && !found; l = l->next) {
    AudioCastPulseDevice *sink = l->data;

    if ((sink_name ? g_strcmp0 (sink->name, sink_name) == 0
            : sink->is_default) && GST_AUDIO_INFO_RATE (&sink->info) > 0) {
      found = sink;
      l->data = NULL;
    }
  }
  g_list_free_full (sinks, (GDestroyNotify) audio_cast_pulse_device_free);
  return found;
}

#else

gboolean
audio_cast_pulse_list_sinks (const gchar *server, GList **sinks,
    GError **error)
{
  *sinks = NULL;
  g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
      "This build of audiocast has no PulseAudio support");
  return FALSE;
}

gboolean
audio_cast_pulse_list_sources (const gchar *server, GList **sources,
    GError **error)
{
  return audio_cast_pulse_list_sinks (server, sources, error);
}

gboolean
audio_cast_pulse_answers (const gchar *server)
{
  return FALSE;
}

AudioCastPulseDevice *
audio_cast_pulse_find_sink (const gchar *server, const gchar *sink_name,
    gboolean ask_rewinds)
{
  return NULL;
}

#endif
