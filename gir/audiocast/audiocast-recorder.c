/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * AudioCastRecorder:
 *
 * Records from an input device (a microphone, or the monitor of an output
 * device, which records what it plays) into a ring the application reads
 * from at its own pace.
 *
 * The recorder owns a pipeline: the device's source element, then
 * audioconvert and audioresample to the format asked for, then a sink that
 * copies each captured buffer into the ring. That streaming thread never
 * waits for the application: when the reader falls behind by more than
 * [property@Recorder:buffer-time], the oldest audio is dropped to make room,
 * counted (frames-dropped, overflows in [method@Recorder.get_stats]), and
 * the next read reports how many frames went just before its first one.
 * The frames one read returns are always contiguous audio.
 *
 * Each read can say when its first frame was captured, in microseconds of
 * the monotonic clock (g_get_monotonic_time()): the source stamps each
 * buffer with its capture time on the device's clock, which the recorder
 * maps to the monotonic clock. The pipeline runs on the device's clock, so
 * no sample is ever skipped or repeated to follow another clock.
 *
 * One thread reads at a time (a second one gets [error@Error.BUSY]); stop
 * and the getters may be called from any thread.
 *
 * ```c
 * g_autoptr (GError) error = NULL;
 * g_autoptr (AudioCastRecorder) recorder = audio_cast_recorder_new (NULL,
 *     16000, 1, AUDIO_CAST_SAMPLE_FORMAT_S16LE, &error);
 * gint16 samples[1600];
 * gint64 captured_at;
 * guint64 dropped;
 *
 * if (recorder == NULL) {
 *   g_printerr ("%s\n", error->message);
 *   return;
 * }
 * // 100 ms of audio, waiting at most 1 s for it
 * audio_cast_recorder_read_into (recorder, (guint8 *) samples, 1600,
 *     G_USEC_PER_SEC, NULL, &captured_at, &dropped, &error);
 * ```
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-device.h"
#include "audiocast-pipeline-failure.h"
#include "audiocast-player-input.h"
#include "audiocast-player-internal.h"
#include "audiocast-recorder-private.h"
#include "audiocast-recorder-pipeline.h"
#include "audiocast-recorder-source.h"
#include "audiocast-stream-properties.h"

#include <gst/audio/audio.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (audio_cast_recorder_debug);
#define GST_CAT_DEFAULT audio_cast_recorder_debug

/* When neither the application nor the device says. */
#define FALLBACK_SAMPLE_RATE 48000
#define FALLBACK_CHANNELS 2
/* How long a device may take to deliver its first audio: a Bluetooth
 * headset waking up takes a second or two. */
#define START_TIMEOUT_US (5 * G_USEC_PER_SEC)

GParamSpec *audio_cast_recorder_properties[N_PROPS];

static void audio_cast_recorder_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AudioCastRecorder, audio_cast_recorder,
    G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
        audio_cast_recorder_initable_iface_init);
    GST_DEBUG_CATEGORY_INIT (audio_cast_recorder_debug, "audiocastrecorder",
        0, "audiocast recorder"));

/* The player to cancel must be playing, where this microphone hears it. */
static gboolean
check_echo_player (AudioCastRecorder *self, GError **error)
{
  AudioCastPlayer *player = self->echo_player;
  const gchar *server;

  if (player == NULL)
    return TRUE;
  if (!audio_cast_player_get_active (player)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR,
        AUDIO_CAST_ERROR_INVALID_ARGUMENT, "echo-cancel: the player is "
        "stopped; give a player that plays, or none");
    return FALSE;
  }
  server = audio_cast_player_peek_server (player);
  if (g_strcmp0 (server, self->server) != 0) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "echo-cancel: the player plays on server %s%s%s and the recorder "
        "records from server %s%s%s; give a player on the recorder's server",
        server ? "\"" : "", server ? server : "(default)",
        server ? "\"" : "", self->server ? "\"" : "",
        self->server ? self->server : "(default)", self->server ? "\"" : "");
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_parameters (AudioCastRecorder *self, GError **error)
{
  if (!audio_cast_check_stream_request (self->requested_rate,
          self->requested_channels, self->latency_time, self->buffer_time,
          error))
    return FALSE;
  if (audio_cast_sample_format_check (self->format, error)
      == GST_AUDIO_FORMAT_UNKNOWN)
    return FALSE;
  return check_echo_player (self, error);
}

/* The bus handler's hook, in the thread that posted the error: readers
 * waiting for audio that will not come are released. */
static void
on_pipeline_error (gpointer message, gpointer user_data)
{
  AudioCastRecorder *self = user_data;

  g_atomic_int_set (&self->failed, TRUE);
  audio_cast_capture_ring_stop (&self->ring);
}

static gboolean
make_ring (AudioCastRecorder *self, GError **error)
{
  GstAudioFormat gst_format = audio_cast_sample_format_to_gst (self->format);
  guint64 capacity;

  self->bpf = (gsize) GST_AUDIO_FORMAT_INFO_WIDTH (gst_audio_format_get_info
      (gst_format)) / 8 * self->channels;
  capacity = MAX (1, gst_util_uint64_scale (self->buffer_time, self->rate,
          G_USEC_PER_SEC));
  if (!audio_cast_capture_ring_init (&self->ring, self->bpf, self->rate,
          capacity)) {
    audio_cast_capture_ring_clear (&self->ring);
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "buffer-time of %" G_GINT64_FORMAT " µs is too long: %"
        G_GUINT64_FORMAT " frames of %" G_GSIZE_FORMAT " bytes cannot be "
        "allocated", self->buffer_time, capacity, self->bpf);
    return FALSE;
  }
  self->have_ring = TRUE;
  return TRUE;
}

static gboolean
audio_cast_recorder_initable_init (GInitable *initable,
    GCancellable *cancellable, GError **error)
{
  AudioCastRecorder *self = AUDIO_CAST_RECORDER (initable);
  AudioCastRecorderSource source;
  GstBus *bus;

  if (!check_parameters (self, error))
    return FALSE;

  /* a recorder may be the first thing an application makes of GStreamer */
  audio_cast_device_ensure_gst ();
  if (!audio_cast_recorder_source_open (self->device, self->server, &source,
          error))
    return FALSE;
  self->device_rate = source.rate;
  self->device_channels = source.channels;
  self->rate = self->requested_rate ? self->requested_rate
      : self->device_rate ? self->device_rate : FALLBACK_SAMPLE_RATE;
  self->channels = self->requested_channels ? self->requested_channels
      : self->device_channels ? self->device_channels : FALLBACK_CHANNELS;
  if (!make_ring (self, error)) {
    audio_cast_recorder_source_clear (&source);
    return FALSE;
  }

  self->pipeline = gst_pipeline_new ("audiocast-recorder");
  self->failure.on_error = on_pipeline_error;
  self->failure.on_error_data = self;
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  audio_cast_pipeline_failure_watch (&self->failure, bus);
  gst_object_unref (bus);
  /* the pipeline takes its own reference */
  if (!audio_cast_recorder_build_pipeline (self, source.element, error)) {
    audio_cast_recorder_source_clear (&source);
    return FALSE;
  }
  gst_object_unref (source.element);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE) {
    audio_cast_pipeline_failure_take (&self->failure, error,
        "Opening the input device");
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
    return FALSE;
  }
  /* Recording has begun when the constructor returns: a sound played
   * right after is in the ring. */
  if (!audio_cast_capture_ring_wait_first (&self->ring, START_TIMEOUT_US)) {
    if (g_atomic_int_get (&self->failed))
      audio_cast_pipeline_failure_take (&self->failure, error,
          "Starting the input device");
    else
      g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
          "Starting the input device failed: it delivered no audio within "
          "%d s", (gint) (START_TIMEOUT_US / G_USEC_PER_SEC));
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
    return FALSE;
  }
  GST_DEBUG_OBJECT (self, "recording %u Hz × %u from a %u Hz × %u device",
      self->rate, self->channels, self->device_rate, self->device_channels);
  return TRUE;
}

static void
audio_cast_recorder_initable_iface_init (GInitableIface *iface)
{
  iface->init = audio_cast_recorder_initable_init;
}

/**
 * audio_cast_recorder_new:
 * @device: (nullable): an input device's name (see
 *   [func@list_input_devices]), or a case-insensitive part of its name or
 *   description; `NULL` for the default input
 * @sample_rate: the rate to record at, in Hz; 0 for the device's own rate
 * @channels: the channel count to record; 0 for the device's own count
 * @format: the sample format reads return
 * @error: return location for an error
 *
 * Opens the device and starts recording into the ring; it returns once the
 * device delivers audio, so that a sound played afterwards is recorded.
 * The audio is converted, resampled and up/down-mixed from what the device
 * captures.
 *
 * Returns: (transfer full): a new [class@Recorder], or `NULL` with @error
 *   set ([error@Error.DEVICE_NOT_FOUND], whose message lists the input
 *   devices, [error@Error.INVALID_ARGUMENT] or [error@Error.BACKEND]).
 *
 * Since: 0.1
 */
AudioCastRecorder *
audio_cast_recorder_new (const gchar *device, guint sample_rate,
    guint channels, AudioCastSampleFormat format, GError **error)
{
  return g_initable_new (AUDIO_CAST_TYPE_RECORDER, NULL, error,
      "device", device, "sample-rate", sample_rate, "channels", channels,
      "format", format, NULL);
}

/* A recorder made with g_object_new() and never initialised has no ring
 * and no pipeline. */
static gboolean
check_started (AudioCastRecorder *self, GError **error)
{
  if (self->have_ring)
    return TRUE;
  g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
      "the recorder was never started: make it with "
      "audio_cast_recorder_new() or g_initable_new()");
  return FALSE;
}

/* A read that got nothing because the recorder was stopped or failed. */
static void
set_closed_error (AudioCastRecorder *self, GError **error)
{
  if (g_atomic_int_get (&self->failed))
    audio_cast_pipeline_failure_report (&self->failure, error, "Recording");
  else
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
        "the recorder is closed: it was stopped");
}

/**
 * audio_cast_recorder_read_into: (skip)
 * @self: an [class@Recorder]
 * @data: where to put the frames: room for @frames frames
 * @frames: how many frames to read
 * @timeout_us: how long to wait for them at most, in microseconds; -1 for
 *   no limit
 * @cancellable: (nullable): ends the wait when cancelled
 * @capture_time_us: (out) (optional): when the first frame returned was
 *   captured, in microseconds of the monotonic clock
 *   (g_get_monotonic_time()); -1 when nothing was read or the device gave
 *   no time
 * @dropped_frames: (out) (optional): how many frames were dropped just
 *   before the first one returned, because the reader fell behind by more
 *   than the ring holds; 0 when none were
 * @error: return location for an error
 *
 * Reads the next @frames frames into @data, waiting for them as they are
 * captured. Fewer frames come back when the timeout ran out, @cancellable
 * was cancelled, the recorder was stopped (what was captured before can
 * still be read), or frames after them were dropped (the next read then
 * reports how many in @dropped_frames): the frames of one read are always
 * contiguous audio. Reading 0 frames returns 0 at once.
 *
 * Returns: the number of frames read; 0 with @error set when nothing was
 *   read because the recorder is stopped ([error@Error.CLOSED]), the device
 *   failed ([error@Error.BACKEND]), @cancellable was cancelled
 *   (`G_IO_ERROR_CANCELLED`) or another thread is reading
 *   ([error@Error.BUSY]); 0 without an error when the timeout ran out first
 *
 * Since: 0.1
 */
gsize
audio_cast_recorder_read_into (AudioCastRecorder *self, guint8 *data,
    gsize frames, gint64 timeout_us, GCancellable *cancellable,
    gint64 *capture_time_us, guint64 *dropped_frames, GError **error)
{
  AudioCastCaptureReadInfo info = { 0, 0, -1 };
  AudioCastCaptureRead result;

  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self), 0);
  g_return_val_if_fail (data != NULL || frames == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (capture_time_us)
    *capture_time_us = -1;
  if (dropped_frames)
    *dropped_frames = 0;
  if (frames == 0)
    return 0;
  if (!check_started (self, error))
    return 0;
  if (!g_mutex_trylock (&self->read_lock)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BUSY,
        "another thread is reading from this recorder: read from one "
        "thread at a time");
    return 0;
  }
  result = audio_cast_capture_ring_read (&self->ring, data, frames,
      timeout_us, cancellable, &info);
  g_mutex_unlock (&self->read_lock);

  if (capture_time_us)
    *capture_time_us = info.first_time_us;
  if (dropped_frames)
    *dropped_frames = info.dropped_before;
  if (info.got > 0)
    return info.got;
  if (result == AUDIO_CAST_CAPTURE_READ_STOPPED)
    set_closed_error (self, error);
  else if (result == AUDIO_CAST_CAPTURE_READ_CANCELLED)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
        "read cancelled");
  return 0;
}

/**
 * audio_cast_recorder_read:
 * @self: an [class@Recorder]
 * @frames: how many frames to read
 * @timeout_us: how long to wait for them at most, in microseconds; -1 for
 *   no limit
 * @cancellable: (nullable): ends the wait when cancelled
 * @capture_time_us: (out) (optional): when the first frame returned was
 *   captured (see [method@Recorder.read_into])
 * @dropped_frames: (out) (optional): how many frames were dropped just
 *   before the first one returned
 * @error: return location for an error
 *
 * Reads the next @frames frames as [method@Recorder.read_into] does, into
 * new bytes: interleaved samples in [property@Recorder:format].
 *
 * Returns: (transfer full): the frames read (fewer than @frames, or none,
 *   when the timeout ran out or the read was cut short as
 *   [method@Recorder.read_into] says), or `NULL` with @error set
 *
 * Since: 0.1
 */
GBytes *
audio_cast_recorder_read (AudioCastRecorder *self, gsize frames,
    gint64 timeout_us, GCancellable *cancellable, gint64 *capture_time_us,
    guint64 *dropped_frames, GError **error)
{
  GError *read_error = NULL;
  guint8 *data;
  gsize got;

  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_started (self, error))
    return NULL;
  if (frames > G_MAXSIZE / self->bpf
      || (data = g_try_malloc (MAX (1, frames * self->bpf))) == NULL) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "cannot read %" G_GSIZE_FORMAT " frames at once: there is no memory "
        "for them; read fewer frames per call", frames);
    return NULL;
  }
  got = audio_cast_recorder_read_into (self, data, frames, timeout_us,
      cancellable, capture_time_us, dropped_frames, &read_error);
  if (read_error != NULL) {
    g_free (data);
    g_propagate_error (error, read_error);
    return NULL;
  }
  return g_bytes_new_take (g_realloc (data, MAX (1, got * self->bpf)),
      got * self->bpf);
}

/**
 * audio_cast_recorder_wait:
 * @self: an [class@Recorder]
 * @frames: how many frames to wait for (at most
 *   [property@Recorder:buffer-time]'s worth count)
 * @timeout_us: how long to wait at most, in microseconds; -1 for no limit
 * @cancellable: (nullable): ends the wait when cancelled
 *
 * Waits until a read of @frames frames would return at once, without
 * reading anything: the frames are there, or frames were dropped (a read
 * returns what comes before them), or the recorder stopped. For an event
 * loop or a thread that must stay responsive (Python's main thread waits
 * in slices so that Ctrl-C works).
 *
 * Returns: `TRUE` when @frames frames can be read now, `FALSE` when the
 *   timeout ran out, @cancellable was cancelled or the recorder stopped
 *
 * Since: 0.1
 */
gboolean
audio_cast_recorder_wait (AudioCastRecorder *self, gsize frames,
    gint64 timeout_us, GCancellable *cancellable)
{
  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self), FALSE);

  if (!self->have_ring)
    return FALSE;
  return audio_cast_capture_ring_wait (&self->ring, frames, timeout_us,
      cancellable);
}

/**
 * audio_cast_recorder_stop:
 * @self: an [class@Recorder]
 *
 * Stops recording at once and releases the device. A blocked read returns
 * with what it has; what was captured and not read yet can still be read,
 * then reads fail with [error@Error.CLOSED]. Calling it again does
 * nothing.
 *
 * Since: 0.1
 */
void
audio_cast_recorder_stop (AudioCastRecorder *self)
{
  g_return_if_fail (AUDIO_CAST_IS_RECORDER (self));

  if (!g_atomic_int_compare_and_exchange (&self->stopped, FALSE, TRUE))
    return;
  if (self->have_ring)
    audio_cast_capture_ring_stop (&self->ring);
  if (self->pipeline)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_object_notify_by_pspec (G_OBJECT (self), audio_cast_recorder_properties[PROP_ACTIVE]);
}

/**
 * audio_cast_recorder_get_sample_rate:
 * @self: an [class@Recorder]
 *
 * Returns: the rate of the frames read, in Hz
 *
 * Since: 0.1
 */
guint
audio_cast_recorder_get_sample_rate (AudioCastRecorder *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self), 0);
  return self->rate;
}

/**
 * audio_cast_recorder_get_channels:
 * @self: an [class@Recorder]
 *
 * Returns: the channel count of the frames read
 *
 * Since: 0.1
 */
guint
audio_cast_recorder_get_channels (AudioCastRecorder *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self), 0);
  return self->channels;
}

/**
 * audio_cast_recorder_get_format:
 * @self: an [class@Recorder]
 *
 * Returns: the sample format of the frames read
 *
 * Since: 0.1
 */
AudioCastSampleFormat
audio_cast_recorder_get_format (AudioCastRecorder *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self),
      AUDIO_CAST_SAMPLE_FORMAT_F32LE);
  return self->format;
}

/**
 * audio_cast_recorder_get_device_sample_rate:
 * @self: an [class@Recorder]
 *
 * Returns: the rate the device records at, in Hz; 0 when the device did
 *   not say
 *
 * Since: 0.1
 */
guint
audio_cast_recorder_get_device_sample_rate (AudioCastRecorder *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self), 0);
  return self->device_rate;
}

/**
 * audio_cast_recorder_get_device_channels:
 * @self: an [class@Recorder]
 *
 * Returns: the channel count the device records; 0 when the device did not
 *   say
 *
 * Since: 0.1
 */
guint
audio_cast_recorder_get_device_channels (AudioCastRecorder *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self), 0);
  return self->device_channels;
}

/**
 * audio_cast_recorder_get_active:
 * @self: an [class@Recorder]
 *
 * Returns: `TRUE` until the recorder is stopped or its device failed
 *
 * Since: 0.1
 */
gboolean
audio_cast_recorder_get_active (AudioCastRecorder *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self), FALSE);
  return !g_atomic_int_get (&self->stopped)
      && !g_atomic_int_get (&self->failed);
}

/**
 * audio_cast_recorder_get_available:
 * @self: an [class@Recorder]
 *
 * Returns: how many frames a read would get now without waiting
 *
 * Since: 0.1
 */
guint64
audio_cast_recorder_get_available (AudioCastRecorder *self)
{
  AudioCastCaptureStats stats;

  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self), 0);
  if (!self->have_ring)
    return 0;
  audio_cast_capture_ring_get_stats (&self->ring, &stats);
  return stats.available;
}

/**
 * audio_cast_recorder_get_latency:
 * @self: an [class@Recorder]
 *
 * The capture latency the device and the converters report: how long
 * after a sound reaches the device it is in the ring at the earliest.
 *
 * Returns: the latency in microseconds; 0 before the device started or
 *   after the recorder stopped
 *
 * Since: 0.1
 */
gint64
audio_cast_recorder_get_latency (AudioCastRecorder *self)
{
  GstQuery *query;
  GstPad *pad;
  GstClockTime min = 0;
  gboolean live;

  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self), 0);

  if (self->capture == NULL || g_atomic_int_get (&self->stopped))
    return 0;
  query = gst_query_new_latency ();
  pad = gst_element_get_static_pad (self->capture, "sink");
  if (!gst_pad_peer_query (pad, query))
    min = 0;
  else
    gst_query_parse_latency (query, &live, &min, NULL);
  gst_object_unref (pad);
  gst_query_unref (query);
  return GST_CLOCK_TIME_IS_VALID (min) ? (gint64) (min / GST_USECOND) : 0;
}

/**
 * audio_cast_recorder_get_stats:
 * @self: an [class@Recorder]
 *
 * All the counters, read at one moment, so that frames-captured =
 * frames-read + frames-dropped + available-frames holds exactly.
 *
 * Returns: (transfer full): a `GstStructure` named "audiocast-recorder-stats"
 *   with the guint64 fields frames-captured, frames-read, frames-dropped,
 *   available-frames and the guint field overflows (how many times the
 *   capture thread had to drop frames)
 *
 * Since: 0.1
 */
GstStructure *
audio_cast_recorder_get_stats (AudioCastRecorder *self)
{
  AudioCastCaptureStats stats;

  g_return_val_if_fail (AUDIO_CAST_IS_RECORDER (self), NULL);

  if (self->have_ring)
    audio_cast_capture_ring_get_stats (&self->ring, &stats);
  else
    memset (&stats, 0, sizeof (stats));
  return gst_structure_new ("audiocast-recorder-stats",
      "frames-captured", G_TYPE_UINT64, stats.captured,
      "frames-read", G_TYPE_UINT64, stats.read,
      "frames-dropped", G_TYPE_UINT64, stats.dropped,
      "available-frames", G_TYPE_UINT64, stats.available,
      "overflows", G_TYPE_UINT, stats.overflows, NULL);
}

static void
audio_cast_recorder_dispose (GObject *object)
{
  AudioCastRecorder *self = AUDIO_CAST_RECORDER (object);

  if (self->pipeline) {
    GstBus *bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));

    gst_element_set_state (self->pipeline, GST_STATE_NULL);
    /* the handler's user data is this object, going away */
    gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
    gst_object_unref (bus);
  }
  /* the pipeline stopped: the DSP's feeder does not run any more */
  if (self->echo) {
    audio_cast_echo_canceller_free (self->echo);
    self->echo = NULL;
  }
  gst_clear_object (&self->pipeline);
  g_clear_object (&self->echo_player);
  self->capture = NULL;
  G_OBJECT_CLASS (audio_cast_recorder_parent_class)->dispose (object);
}

static void
audio_cast_recorder_finalize (GObject *object)
{
  AudioCastRecorder *self = AUDIO_CAST_RECORDER (object);

  g_free (self->device);
  g_free (self->server);
  /* the capture sink, which pushed into it, went with the pipeline */
  if (self->have_ring)
    audio_cast_capture_ring_clear (&self->ring);
  g_mutex_clear (&self->read_lock);
  audio_cast_pipeline_failure_clear (&self->failure);
  G_OBJECT_CLASS (audio_cast_recorder_parent_class)->finalize (object);
}

static void
audio_cast_recorder_class_init (AudioCastRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = audio_cast_recorder_set_property;
  object_class->get_property = audio_cast_recorder_get_property;
  object_class->dispose = audio_cast_recorder_dispose;
  object_class->finalize = audio_cast_recorder_finalize;

  audio_cast_recorder_install_properties (object_class);
}

static void
audio_cast_recorder_init (AudioCastRecorder *self)
{
  g_mutex_init (&self->read_lock);
  audio_cast_pipeline_failure_init (&self->failure);
  self->format = AUDIO_CAST_SAMPLE_FORMAT_F32LE;
  self->buffer_time = AUDIO_CAST_DEFAULT_BUFFER_TIME_US;
  self->latency_time = AUDIO_CAST_DEFAULT_LATENCY_TIME_US;
}
