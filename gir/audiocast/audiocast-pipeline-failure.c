/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* A pipeline's bus and the failure it reports; see
 * audiocast-pipeline-failure.h. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-error.h"
#include "audiocast-pipeline-failure.h"

void
audio_cast_pipeline_failure_init (AudioCastPipelineFailure *failure)
{
  g_mutex_init (&failure->lock);
  failure->first_error = NULL;
  failure->failure = NULL;
  failure->on_error = NULL;
  failure->on_error_data = NULL;
}

void
audio_cast_pipeline_failure_clear (AudioCastPipelineFailure *failure)
{
  g_clear_error (&failure->failure);
  gst_clear_message (&failure->first_error);
  g_mutex_clear (&failure->lock);
}

/* The pipeline's bus sync handler. Nobody runs a main loop on the
 * pipeline, so nothing may stay queued on its bus: a voice assistant that
 * clears thousands of times would otherwise hoard a latency message or two
 * per clear for as long as it runs. The first ERROR is kept for the calls
 * that fail because of it; everything else is dropped here. */
static GstBusSyncReply
on_bus_message (GstBus *bus, GstMessage *msg, gpointer user_data)
{
  AudioCastPipelineFailure *failure = user_data;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    gboolean first;

    g_mutex_lock (&failure->lock);
    first = failure->first_error == NULL;
    if (first)
      failure->first_error = gst_message_ref (msg);
    g_mutex_unlock (&failure->lock);
    if (first && failure->on_error)
      failure->on_error (msg, failure->on_error_data);
  }
  /* a handler that drops a message owns it */
  gst_message_unref (msg);
  return GST_BUS_DROP;
}

/* With failure->lock held: the pipeline's first ERROR as a GError in our
 * domain. */
static void
take_locked (AudioCastPipelineFailure *failure, GError **error,
    const gchar *doing)
{
  GError *gst_error = NULL;

  if (failure->first_error == NULL) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
        "%s failed", doing);
    return;
  }

  gst_message_parse_error (failure->first_error, &gst_error, NULL);
  if (g_error_matches (gst_error, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NOT_FOUND)
      && g_str_has_prefix (gst_error->message, "Device not found:"))
    g_set_error_literal (error, AUDIO_CAST_ERROR,
        AUDIO_CAST_ERROR_DEVICE_NOT_FOUND, gst_error->message);
  else
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
        "%s failed: %s", doing, gst_error->message);
  g_error_free (gst_error);
}

void
audio_cast_pipeline_failure_take (AudioCastPipelineFailure *failure,
    GError **error, const gchar *doing)
{
  g_mutex_lock (&failure->lock);
  take_locked (failure, error, doing);
  g_mutex_unlock (&failure->lock);
}

/* The bus held the error for the first one only. */
void
audio_cast_pipeline_failure_report (AudioCastPipelineFailure *failure,
    GError **error, const gchar *doing)
{
  g_mutex_lock (&failure->lock);
  if (failure->failure == NULL)
    take_locked (failure, &failure->failure, doing);
  if (error)
    *error = g_error_copy (failure->failure);
  g_mutex_unlock (&failure->lock);
}

void
audio_cast_pipeline_failure_watch (AudioCastPipelineFailure *failure,
    GstBus *bus)
{
  gst_bus_set_sync_handler (bus, on_bus_message, failure, NULL);
}
