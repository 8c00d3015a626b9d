/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-pulse.h"

#ifdef HAVE_PULSE
#include <pulse/pulseaudio.h>

#define QUERY_TIMEOUT_USEC (2 * G_USEC_PER_SEC)

typedef struct
{
  pa_sample_spec spec;
  gboolean found;
  gboolean done;
} SinkQuery;

static void
sink_info_cb (pa_context *c, const pa_sink_info *i, int eol, void *userdata)
{
  SinkQuery *q = userdata;

  if (eol != 0) {
    q->done = TRUE;
    return;
  }
  if (i && !q->found) {
    q->spec = i->sample_spec;
    q->found = TRUE;
  }
}

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

/* @sink_name: (nullable): NULL for the server's default sink. Runs its own
 * short-lived main loop; called at NULL→READY, never while streaming. */
gboolean
audio_cast_pulse_get_sink_format (const gchar *sink_name, GstAudioInfo *info)
{
  pa_mainloop *loop = pa_mainloop_new ();
  pa_context *ctx = pa_context_new (pa_mainloop_get_api (loop), "audiocast");
  SinkQuery q = { 0, };
  pa_operation *op = NULL;
  gint64 deadline = g_get_monotonic_time () + QUERY_TIMEOUT_USEC;
  GstAudioFormat format;
  gboolean ok = FALSE;

  if (pa_context_connect (ctx, NULL, PA_CONTEXT_NOAUTOSPAWN, NULL) < 0)
    goto out;

  while (g_get_monotonic_time () < deadline && !q.done) {
    pa_context_state_t state = pa_context_get_state (ctx);

    if (!PA_CONTEXT_IS_GOOD (state))
      goto out;
    if (state == PA_CONTEXT_READY && op == NULL)
      op = pa_context_get_sink_info_by_name (ctx,
          sink_name ? sink_name : "@DEFAULT_SINK@", sink_info_cb, &q);
    /* Bounded waits, so a server that stopped answering cannot hang us. */
    if (pa_mainloop_prepare (loop, 50000) < 0 || pa_mainloop_poll (loop) < 0
        || pa_mainloop_dispatch (loop) < 0)
      goto out;
  }

  if (!q.found)
    goto out;
  format = format_from_pulse (q.spec.format);
  if (format == GST_AUDIO_FORMAT_UNKNOWN)
    goto out;
  gst_audio_info_set_format (info, format, q.spec.rate, q.spec.channels, NULL);
  ok = TRUE;

out:
  if (op) {
    pa_operation_cancel (op);
    pa_operation_unref (op);
  }
  pa_context_disconnect (ctx);
  pa_context_unref (ctx);
  pa_mainloop_free (loop);
  return ok;
}

#else

gboolean
audio_cast_pulse_get_sink_format (const gchar *sink_name, GstAudioInfo *info)
{
  return FALSE;
}

#endif
