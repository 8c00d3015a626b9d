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
audio_cast_pulse_sink_free (AudioCastPulseSink *sink)
{
  if (sink == NULL)
    return;
  g_free (sink->name);
  g_free (sink->description);
  g_free (sink);
}

#ifdef HAVE_PULSE
#include <pulse/pulseaudio.h>

#define QUERY_TIMEOUT_USEC (2 * G_USEC_PER_SEC)
/* One poll at most this long, so the deadline is checked often. */
#define POLL_SLICE_USEC 50000

static GstAudioFormat
format_from_pulse (pa_sample_format_t f)
{
  switch (f) {
    case PA_SAMPLE_U8:
      return GST_AUDIO_FORMAT_U8;
    case PA_SAMPLE_S16LE:
      return GST_AUDIO_FORMAT_S16LE;
    case PA_SAMPLE_S16BE:
      return GST_AUDIO_FORMAT_S16BE;
    case PA_SAMPLE_FLOAT32LE:
      return GST_AUDIO_FORMAT_F32LE;
    case PA_SAMPLE_FLOAT32BE:
      return GST_AUDIO_FORMAT_F32BE;
    case PA_SAMPLE_S32LE:
      return GST_AUDIO_FORMAT_S32LE;
    case PA_SAMPLE_S32BE:
      return GST_AUDIO_FORMAT_S32BE;
    case PA_SAMPLE_S24LE:
      return GST_AUDIO_FORMAT_S24LE;
    case PA_SAMPLE_S24BE:
      return GST_AUDIO_FORMAT_S24BE;
    case PA_SAMPLE_S24_32LE:
      return GST_AUDIO_FORMAT_S24_32LE;
    case PA_SAMPLE_S24_32BE:
      return GST_AUDIO_FORMAT_S24_32BE;
    default:
      return GST_AUDIO_FORMAT_UNKNOWN;
  }
}

/* One connection and what the callbacks collected through it. */
typedef struct
{
  pa_mainloop *loop;
  pa_context *ctx;
  gint64 deadline;
  /* collected */
  GList *sinks;                 /* (element-type AudioCastPulseSink) reversed */
  gchar *default_sink;
  gboolean on_pipewire;
  gboolean got_server_info;
  gboolean got_sinks;
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
  g_list_free_full (q->sinks, (GDestroyNotify) audio_cast_pulse_sink_free);
  g_free (q->default_sink);
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
  /* pipewire-pulse calls itself "PulseAudio (on PipeWire 0.3.65)" */
  q->on_pipewire = i && i->server_name
      && strstr (i->server_name, "PipeWire") != NULL;
  q->got_server_info = TRUE;
}

static void
sink_info_cb (pa_context *c, const pa_sink_info *i, int eol, void *userdata)
{
  PulseQuery *q = userdata;
  AudioCastPulseSink *sink;
  GstAudioFormat format;

  if (eol != 0) {
    q->got_sinks = TRUE;
    return;
  }
  if (i == NULL || i->name == NULL)
    return;
  sink = g_new0 (AudioCastPulseSink, 1);
  sink->name = g_strdup (i->name);
  sink->description = g_strdup (i->description ? i->description : i->name);
  gst_audio_info_init (&sink->info);
  format = format_from_pulse (i->sample_spec.format);
  if (format != GST_AUDIO_FORMAT_UNKNOWN && i->sample_spec.channels > 0)
    gst_audio_info_set_format (&sink->info, format, i->sample_spec.rate,
        i->sample_spec.channels, NULL);
  q->sinks = g_list_prepend (q->sinks, sink);
}

/* @server: (nullable): a PulseAudio server address ("unix:/path",
 * "tcp:host:port", ...), NULL for the default one. Returns the sinks in the
 * server's order, the default one flagged. */
gboolean
audio_cast_pulse_list_sinks (const gchar *server, GList **sinks,
    GError **error)
{
  PulseQuery q = { 0, };
  gboolean ok = FALSE;
  GList *l;

  *sinks = NULL;
  if (!query_connect (&q, server, error))
    goto out;
  if (!query_wait (&q, pa_context_get_server_info (q.ctx, server_info_cb, &q),
          &q.got_server_info, server, error))
    goto out;
  if (!query_wait (&q, pa_context_get_sink_info_list (q.ctx, sink_info_cb,
              &q), &q.got_sinks, server, error))
    goto out;

  for (l = q.sinks; l; l = l->next) {
    AudioCastPulseSink *sink = l->data;

    sink->is_default = g_strcmp0 (sink->name, q.default_sink) == 0;
    sink->on_pipewire = q.on_pipewire;
  }
  *sinks = g_list_reverse (q.sinks);
  q.sinks = NULL;
  ok = TRUE;

out:
  query_clear (&q);
  return ok;
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
 * with a format audiocast knows. */
AudioCastPulseSink *
audio_cast_pulse_find_sink (const gchar *server, const gchar *sink_name)
{
  GList *sinks = NULL, *l;
  AudioCastPulseSink *found = NULL;

  if (!audio_cast_pulse_list_sinks (server, &sinks, NULL))
    return NULL;
  for (l = sinks; l && !found; l = l->next) {
    AudioCastPulseSink *sink = l->data;

    if ((sink_name ? g_strcmp0 (sink->name, sink_name) == 0
            : sink->is_default) && GST_AUDIO_INFO_RATE (&sink->info) > 0) {
      found = sink;
      l->data = NULL;
    }
  }
  g_list_free_full (sinks, (GDestroyNotify) audio_cast_pulse_sink_free);
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
audio_cast_pulse_answers (const gchar *server)
{
  return FALSE;
}

AudioCastPulseSink *
audio_cast_pulse_find_sink (const gchar *server, const gchar *sink_name)
{
  return NULL;
}

#endif
