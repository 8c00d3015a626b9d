/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Playing a whole file: playbin decodes, audiocastsink plays. The caller's
 * thread waits on the pipeline bus for one of EOS (posted by audiocastsink
 * once the last frame was heard), an error, or an application message that
 * the cancellable's handler posts from whichever thread cancels it. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-device.h"
#include "audiocast-log.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (audio_cast_file_debug);
#define GST_CAT_DEFAULT audio_cast_file_debug

#define CANCELLED_MESSAGE "audiocast-play-file-cancelled"
#define STARTED_MESSAGE "audiocast-play-file-started"

/* How long a local file may take until its audio reaches the sink; see
 * the main loop. */
#define START_TIMEOUT_US (10 * G_USEC_PER_SEC)

static gchar *
to_uri (const gchar *path_or_uri, GError **error)
{
  gchar *scheme = gst_uri_get_protocol (path_or_uri);
  gchar *uri = NULL;
  GError *local = NULL;

  /* A one-letter "scheme" is a Windows drive letter. */
  if (scheme && strlen (scheme) > 1) {
    g_free (scheme);
    return g_strdup (path_or_uri);
  }
  g_free (scheme);

  uri = gst_filename_to_uri (path_or_uri, &local);
  if (uri == NULL) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_FORMAT,
        "Cannot open \"%s\": %s", path_or_uri, local->message);
    g_error_free (local);
  }
  return uri;
}

/* Local files are checked up front: filesrc's own message does not say
 * which file, and the device need not be opened for a typo. */
static gboolean
check_local_file (const gchar *path_or_uri, const gchar *uri,
    gboolean *is_local, GError **error)
{
  gchar *filename = g_filename_from_uri (uri, NULL, NULL);
  gboolean ok = TRUE;

  *is_local = filename != NULL;
  if (filename == NULL)
    return TRUE;
  if (!g_file_test (filename, G_FILE_TEST_EXISTS)) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_FORMAT,
        "Cannot open \"%s\": no such file", path_or_uri);
    ok = FALSE;
  } else if (g_file_test (filename, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_FORMAT,
        "Cannot open \"%s\": it is a directory", path_or_uri);
    ok = FALSE;
  }
  g_free (filename);
  return ok;
}

/* The AudioCast error for an ERROR message: device problems come from
 * inside audiocastsink, everything else is about reading or decoding. */
static void
set_error_from_message (GError **error, GstMessage *message,
    GstElement *pipeline, GstElement *sink, const gchar *path_or_uri)
{
  GError *err = NULL;
  gchar *debug = NULL;
  gboolean from_sink;
  gint n_audio = -1;

  gst_message_parse_error (message, &err, &debug);
  from_sink = GST_MESSAGE_SRC (message) == GST_OBJECT (sink)
      || gst_object_has_as_ancestor (GST_MESSAGE_SRC (message),
      GST_OBJECT (sink));
  /* A video-only file fails as "not-linked", which says nothing. */
  if (!from_sink && g_error_matches (err, GST_STREAM_ERROR,
          GST_STREAM_ERROR_FAILED))
    g_object_get (pipeline, "n-audio", &n_audio, NULL);

  if (from_sink && g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NOT_FOUND)
      && g_str_has_prefix (err->message, "Device not found:")) {
    g_set_error_literal (error, AUDIO_CAST_ERROR,
        AUDIO_CAST_ERROR_DEVICE_NOT_FOUND, err->message);
  } else if (from_sink) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
        err->message);
  } else if (n_audio == 0) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_FORMAT,
        "Cannot play \"%s\": it holds no audio stream", path_or_uri);
  } else if (err->domain == GST_RESOURCE_ERROR
      || err->domain == GST_STREAM_ERROR
      || g_error_matches (err, GST_CORE_ERROR,
          GST_CORE_ERROR_MISSING_PLUGIN)) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_FORMAT,
        "Cannot play \"%s\": %s", path_or_uri, err->message);
  } else {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
        "Cannot play \"%s\": %s", path_or_uri, err->message);
  }
  GST_DEBUG ("error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (message),
      err->message, GST_STR_NULL (debug));

  g_error_free (err);
  g_free (debug);
}

static void
cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  GstBus *bus = user_data;

  /* Any thread: the bus is thread-safe and wakes the waiting caller. */
  gst_bus_post (bus, gst_message_new_application (NULL,
          gst_structure_new_empty (CANCELLED_MESSAGE)));
}

/* Streaming thread: the audio stream was found and decoded. */
static GstPadProbeReturn
sink_caps_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstBus *bus = user_data;

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_bus_post (bus, gst_message_new_application (NULL,
          gst_structure_new_empty (STARTED_MESSAGE)));
  return GST_PAD_PROBE_REMOVE;
}

static GstElement *
make_pipeline (const gchar *uri, const gchar *device, const gchar *server,
    GstElement **sink, GError **error)
{
  GstElement *playbin, *video_sink;

  playbin = gst_element_factory_make ("playbin", NULL);
  video_sink = gst_element_factory_make ("fakesink", NULL);
  if (playbin == NULL || video_sink == NULL) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
        "GStreamer's playbin or fakesink is missing (gst-plugins-base)");
    if (video_sink)
      gst_object_unref (gst_object_ref_sink (video_sink));
    if (playbin)
      gst_object_unref (gst_object_ref_sink (playbin));
    return NULL;
  }

  /* Audio only, nothing to keep in step with: every frame plays back to
   * back, as the player's do. */
  *sink = g_object_new (AUDIO_CAST_TYPE_SINK, "device", device,
      "server", server, "sync", FALSE, NULL);
  /* Audio only: video and subtitles are neither decoded nor shown; no
   * soft-volume, so the samples reach the sink untouched. */
  gst_util_set_object_arg (G_OBJECT (playbin), "flags", "audio");
  g_object_set (playbin, "uri", uri, "audio-sink", *sink,
      "video-sink", video_sink, NULL);
  return playbin;
}

/**
 * audio_cast_play_file:
 * @path_or_uri: (type filename): a file name (relative ones are resolved
 *   against the current directory) or a URI GStreamer can read
 * @device: (nullable): the output device, as audiocastsink's `device`
 *   property takes it (a [property@Device:name], or part of a name or
 *   description); `NULL` for the default device
 * @cancellable: (nullable): stops the playback from another thread
 * @error: return location for an error
 *
 * Plays an audio file to its end and returns once the last of it was heard.
 * Any format GStreamer can decode plays (WAV, FLAC, Ogg Vorbis or Opus, MP3
 * with the right plugins, the audio of a video file), converted to the
 * device's format.
 *
 * Cancelling @cancellable stops the sound at once and returns
 * `G_IO_ERROR_CANCELLED`.
 *
 * A local file whose audio has not reached the device within 10 seconds
 * counts as undecodable: GStreamer 1.22 can lose the demuxer's error for a
 * truncated file, which would otherwise leave the call waiting forever.
 *
 * ```python
 * AudioCast.play_file("chime.ogg", None, None)
 * ```
 *
 * Returns: `TRUE` when the file was played to its end; `FALSE` with
 *   [error@Error.FORMAT] when it cannot be read or decoded,
 *   [error@Error.DEVICE_NOT_FOUND] when @device matches no device,
 *   [error@Error.BACKEND] when the device failed, or
 *   `G_IO_ERROR_CANCELLED`
 *
 * Since: 0.1
 */
gboolean
audio_cast_play_file (const gchar *path_or_uri, const gchar *device,
    GCancellable *cancellable, GError **error)
{
  return audio_cast_play_file_on (path_or_uri, device, NULL, cancellable,
      error);
}

/**
 * audio_cast_play_file_on:
 * @path_or_uri: (type filename): as for [func@play_file]
 * @device: (nullable): the output device on @server, as for
 *   [func@play_file]; `NULL` for that server's default device
 * @server: (nullable): a PulseAudio protocol server address, as
 *   audiocastsink's `server` property takes it (`tcp:HOST:PORT`,
 *   `unix:/path/native`); `NULL` for the default server
 * @cancellable: (nullable): stops the playback from another thread
 * @error: return location for an error
 *
 * [func@play_file] on a given sound server, which may be on another
 * machine. A server that does not answer fails with
 * [error@Error.BACKEND] naming its address.
 *
 * Returns: as [func@play_file]
 *
 * Since: 0.1
 */
gboolean
audio_cast_play_file_on (const gchar *path_or_uri, const gchar *device,
    const gchar *server, GCancellable *cancellable, GError **error)
{
  GstElement *pipeline = NULL, *sink = NULL;
  GstBus *bus = NULL;
  gchar *uri = NULL;
  gulong cancel_id = 0;
  gboolean done = FALSE, ok = FALSE, is_local = FALSE;
  gint64 start_deadline = 0;
  static gsize debug_initialized = 0;

  g_return_val_if_fail (path_or_uri != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL
      || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  audio_cast_device_ensure_gst ();
  if (g_once_init_enter (&debug_initialized)) {
    GST_DEBUG_CATEGORY_INIT (audio_cast_file_debug, "audiocastfile", 0,
        "AudioCast file playback");
    g_once_init_leave (&debug_initialized, 1);
  }
  audio_cast_log_init ();

  if (*path_or_uri == '\0') {
    g_set_error_literal (error, AUDIO_CAST_ERROR,
        AUDIO_CAST_ERROR_INVALID_ARGUMENT, "path_or_uri is empty");
    return FALSE;
  }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  uri = to_uri (path_or_uri, error);
  if (uri == NULL || !check_local_file (path_or_uri, uri, &is_local, error))
    goto out;

  pipeline = make_pipeline (uri, device, server, &sink, error);
  if (pipeline == NULL)
    goto out;
  gst_object_ref_sink (pipeline);
  bus = gst_element_get_bus (pipeline);

  if (cancellable)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
        gst_object_ref (bus), gst_object_unref);

  /* decodebin drops an error that a demuxer posts while decodebin is still
   * setting that demuxer up (GStreamer 1.22, seen with truncated files):
   * then no audio comes and nothing else is posted, or only ASYNC_DONE
   * without an audio stream. Local files start in milliseconds, so a
   * deadline until the audio reaches the sink tells that case. */
  if (is_local) {
    GstPad *pad = gst_element_get_static_pad (sink, "sink");

    start_deadline = g_get_monotonic_time () + START_TIMEOUT_US;
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        sink_caps_probe, gst_object_ref (bus), gst_object_unref);
    gst_object_unref (pad);
  }

  /* A failure here also leaves its ERROR message on the bus. */
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  while (!done) {
    GstClockTime wait = GST_CLOCK_TIME_NONE;
    GstMessage *msg;

    if (start_deadline) {
      gint64 left = start_deadline - g_get_monotonic_time ();

      wait = left > 0 ? left * GST_USECOND : 0;
    }
    msg = gst_bus_timed_pop_filtered (bus, wait,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_APPLICATION
        | GST_MESSAGE_ASYNC_DONE | GST_MESSAGE_BUFFERING
        | GST_MESSAGE_CLOCK_LOST);

    if (msg == NULL) {
      g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_FORMAT,
          "Cannot play \"%s\": it could not be decoded", path_or_uri);
      break;
    }

    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_ASYNC_DONE:{
        gint n_audio = 0;

        /* Prerolled: every stream is known by now. */
        if (GST_MESSAGE_SRC (msg) == GST_OBJECT (pipeline)) {
          g_object_get (pipeline, "n-audio", &n_audio, NULL);
          if (n_audio == 0) {
            g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_FORMAT,
                "Cannot play \"%s\": it holds no audio stream", path_or_uri);
            done = TRUE;
          }
        }
        break;
      }
      case GST_MESSAGE_EOS:
        ok = done = TRUE;
        break;
      case GST_MESSAGE_ERROR:
        set_error_from_message (error, msg, pipeline, sink, path_or_uri);
        done = TRUE;
        break;
      case GST_MESSAGE_APPLICATION:
        if (gst_message_has_name (msg, STARTED_MESSAGE)) {
          start_deadline = 0;
        } else if (gst_message_has_name (msg, CANCELLED_MESSAGE)) {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
              "Playback was cancelled");
          done = TRUE;
        }
        break;
      case GST_MESSAGE_BUFFERING:{
        gint percent;

        /* Network streams: wait for data rather than play gaps. */
        gst_message_parse_buffering (msg, &percent);
        gst_element_set_state (pipeline,
            percent < 100 ? GST_STATE_PAUSED : GST_STATE_PLAYING);
        break;
      }
      case GST_MESSAGE_CLOCK_LOST:
        gst_element_set_state (pipeline, GST_STATE_PAUSED);
        gst_element_set_state (pipeline, GST_STATE_PLAYING);
        break;
      default:
        break;
    }
    gst_message_unref (msg);
  }

  /* Disconnect first, so no cancellation posts onto a dead bus; stopping
   * releases the device and drops what was not heard. */
  if (cancel_id)
    g_cancellable_disconnect (cancellable, cancel_id);
  gst_element_set_state (pipeline, GST_STATE_NULL);

out:
  gst_clear_object (&bus);
  gst_clear_object (&pipeline);
  g_free (uri);
  return ok;
}
