/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * AudioCastPlayer:
 *
 * Streams audio that the application produces as it goes (speech synthesis,
 * generated audio) to an output device.
 *
 * The player owns a pipeline holding one [class@Sink]. [method@Player.write]
 * puts samples straight into the element's ring buffer from the calling
 * thread — the role appsrc plays in a pipeline, without a queue of its own, so
 * "written" means "in the ring" and drain knows exactly what to wait for.
 * Conversion, resampling and channel mixing to the device happen in GStreamer
 * (audioconvert, audioresample and GstAudioConverter), never in hand-written
 * loops.
 *
 * Every method may be called from any thread: a voice-activity detector can
 * call [method@Player.clear] while another thread is blocked in
 * [method@Player.write] or [method@Player.drain].
 *
 * ```c
 * g_autoptr (GError) error = NULL;
 * g_autoptr (AudioCastPlayer) player =
 *     audio_cast_player_new ("Virtual-Mic", 22050, 1, &error);
 *
 * if (player == NULL) {
 *   g_printerr ("%s\n", error->message);
 *   return;
 * }
 * audio_cast_player_write (player, AUDIO_CAST_SAMPLE_FORMAT_S16LE,
 *     samples, n_bytes, &error);
 * if (!audio_cast_player_drain (player, -1, &error))
 *   g_printerr ("%s\n", error->message);
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
#include "audiocast-player-private.h"
#include "audiocast-sink-private.h"
#include "audiocast-stream-properties.h"


GST_DEBUG_CATEGORY_STATIC (audio_cast_player_debug);
#define GST_CAT_DEFAULT audio_cast_player_debug

/* When neither the application nor the device says. */
#define FALLBACK_SAMPLE_RATE 48000
#define FALLBACK_CHANNELS 2


GParamSpec *audio_cast_player_properties[PROP_STREAM_FIRST];

static void audio_cast_player_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AudioCastPlayer, audio_cast_player,
    G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
        audio_cast_player_initable_iface_init);
    GST_DEBUG_CATEGORY_INIT (audio_cast_player_debug, "audiocastplayer", 0,
        "audiocast player"));

static gboolean
audio_cast_player_initable_init (GInitable *initable,
    GCancellable *cancellable, GError **error)
{
  AudioCastPlayer *self = AUDIO_CAST_PLAYER (initable);
  GstAudioInfo device_info;
  GstBus *bus;

  if (!audio_cast_check_stream_request (self->requested_rate,
          self->requested_channels,
          audio_cast_tuning_latency_time (&self->tuning),
          audio_cast_tuning_buffer_time (&self->tuning), error))
    return FALSE;

  /* a player is the first thing some applications make of GStreamer */
  audio_cast_device_ensure_gst ();
  self->pipeline = gst_pipeline_new ("audiocast-player");
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  audio_cast_pipeline_failure_watch (&self->failure, bus);
  gst_object_unref (bus);
  self->sink = g_object_new (AUDIO_CAST_TYPE_SINK, "name", "sink",
      "device", self->device, "server", self->server,
      "buffer-time", self->tuning.buffer_time,
      "latency-time", self->tuning.latency_time,
      "fade-time", self->tuning.fade_time,
      "latency-mode", self->tuning.latency_mode,
      /* The application's writes have no timestamps and no pad: every frame
       * plays back to back, and no state waits for a preroll. */
      "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (self->pipeline), GST_ELEMENT (self->sink));
  self->queue = audio_cast_sink_get_queue (self->sink);

  /* READY picks and opens the device, so its format is known before the
   * stream's is decided. */
  if (gst_element_set_state (self->pipeline, GST_STATE_READY)
      == GST_STATE_CHANGE_FAILURE) {
    audio_cast_pipeline_failure_take (&self->failure, error,
        "Opening the output device");
    return FALSE;
  }

  if (audio_cast_sink_get_device_format (self->sink, &device_info)) {
    self->device_rate = GST_AUDIO_INFO_RATE (&device_info);
    self->device_channels = GST_AUDIO_INFO_CHANNELS (&device_info);
  }
  self->rate = self->requested_rate ? self->requested_rate
      : self->device_rate ? self->device_rate : FALLBACK_SAMPLE_RATE;
  self->channels = self->requested_channels ? self->requested_channels
      : self->device_channels ? self->device_channels : FALLBACK_CHANNELS;
  if (self->device_rate == 0)
    self->device_rate = self->rate;
  if (self->device_channels == 0)
    self->device_channels = self->channels;
  audio_cast_player_input_init (&self->input, self->rate, self->channels);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE) {
    audio_cast_pipeline_failure_take (&self->failure, error,
        "Starting the output device");
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
    return FALSE;
  }

  /* Where it can, the device stream opens now rather than at the first
   * write, which would wait for it (docs/design.md, The device stream):
   * the ring in float32, the format of the fastest writes; a first write
   * in another one changes only the ring's. */
  if (audio_cast_sink_device_opens_early (self->sink)) {
    audio_cast_player_input_info (&self->input,
        AUDIO_CAST_SAMPLE_FORMAT_F32LE, &device_info);
    audio_cast_queue_open_before_data (self->queue, &device_info, NULL);
  }

  GST_DEBUG_OBJECT (self, "streaming %u Hz × %u to a %u Hz × %u device",
      self->rate, self->channels, self->device_rate, self->device_channels);
  return TRUE;
}

static void
audio_cast_player_initable_iface_init (GInitableIface *iface)
{
  iface->init = audio_cast_player_initable_init;
}

/**
 * audio_cast_player_new:
 * @device: (nullable): an output device's name, or a case-insensitive part
 *   of its name or description; `NULL` for the default device
 * @sample_rate: the rate of the samples you will write, in Hz; 0 for the
 *   device's own rate
 * @channels: the channel count of the samples you will write; 0 for the
 *   device's own count
 * @error: return location for an error
 *
 * Opens the device and starts the stream. Writes are resampled and remixed
 * to what the device plays.
 *
 * Returns: (transfer full): a new [class@Player], or `NULL` with @error set
 *   ([error@Error.DEVICE_NOT_FOUND], whose message lists the devices,
 *   [error@Error.INVALID_ARGUMENT] or [error@Error.BACKEND]).
 *
 * Since: 0.1
 */
AudioCastPlayer *
audio_cast_player_new (const gchar *device, guint sample_rate, guint channels,
    GError **error)
{
  return g_initable_new (AUDIO_CAST_TYPE_PLAYER, NULL, error,
      "device", device, "sample-rate", sample_rate, "channels", channels,
      NULL);
}

/**
 * audio_cast_player_write:
 * @self: an [class@Player]
 * @format: the sample format of @data
 * @data: (array length=size) (element-type guint8): interleaved samples
 * @size: the length of @data in bytes: a whole number of frames
 * @error: return location for an error
 *
 * Queues samples for playback. Blocks only while the ring buffer is full,
 * and returns early when another thread clears or stops the player; what was
 * not accepted by then is dropped. NaN and infinite samples are played as
 * silence.
 *
 * The first write fixes the stream's sample format; later writes in other
 * formats are converted to it.
 *
 * Returns: the number of frames accepted; 0 with @error set when the player
 *   is stopped ([error@Error.CLOSED]), @size is not a whole number of
 *   frames ([error@Error.INVALID_ARGUMENT]) or the device failed
 *   ([error@Error.BACKEND]).
 *
 * Since: 0.1
 */
/* With the write lock held: the first write (or the first other stream)
 * fixes the stream's format. */
static gboolean
fix_stream_format_locked (AudioCastPlayer *self, AudioCastSampleFormat format,
    GError **error)
{
  GError *format_error = NULL;
  GstAudioInfo info;

  if (self->input.have_stream_format)
    return TRUE;
  audio_cast_player_input_info (&self->input, format, &info);
  if (!audio_cast_queue_set_format (self->queue, &info, &format_error)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR,
        AUDIO_CAST_ERROR_INVALID_ARGUMENT, format_error->message);
    g_error_free (format_error);
    return FALSE;
  }
  self->input.stream_format = format;
  self->input.have_stream_format = TRUE;
  return TRUE;
}

gsize
audio_cast_player_write (AudioCastPlayer *self, AudioCastSampleFormat format,
    const guint8 *data, gsize size, GError **error)
{
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), 0);
  g_return_val_if_fail (data != NULL || size == 0, 0);

  return audio_cast_player_write_frames (self, format, data, size, TRUE,
      error);
}

/* audio_cast_player_write() and, when @wait is FALSE,
 * audio_cast_player_try_write(): that one takes only what fits now, and
 * nothing while another thread's write holds the ring (it may be waiting
 * for room). */
gsize
audio_cast_player_write_frames (AudioCastPlayer *self,
    AudioCastSampleFormat format, const guint8 *data, gsize size,
    gboolean wait, GError **error)
{
  GstFlowReturn ret;
  guint64 accepted = 0;
  gsize frames;
  const guint8 *samples;

  if (g_atomic_int_get (&self->stopped)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
        "the player is closed: it was stopped");
    return 0;
  }
  if (!audio_cast_player_input_count_frames (&self->input, format, size,
          &frames, error))
    return 0;
  if (frames == 0)
    return 0;

  if (wait)
    g_mutex_lock (&self->write_lock);
  else if (!g_mutex_trylock (&self->write_lock))
    return 0;
  if (!fix_stream_format_locked (self, format, error)) {
    g_mutex_unlock (&self->write_lock);
    return 0;
  }

  samples = audio_cast_player_input_prepare (&self->input, format, data,
      frames);

  ret = samples ? audio_cast_queue_write (self->queue, samples, frames, wait,
      &accepted) : GST_FLOW_ERROR;
  g_mutex_unlock (&self->write_lock);

  switch (ret) {
    case GST_FLOW_OK:
      break;
    case GST_FLOW_FLUSHING:
      if (g_atomic_int_get (&self->stopped))
        break;              /* stopped meanwhile: report what got in */
      /* fall through */
    default:
      audio_cast_pipeline_failure_report (&self->failure, error, "Playing");
      return 0;
  }
  return accepted;
}

/**
 * audio_cast_player_drain:
 * @self: an [class@Player]
 * @timeout_us: how long to wait at most, in microseconds; -1 for no limit
 * @error: return location for a `GError`, or `NULL`
 *
 * Waits until everything written before the call has been heard.
 *
 * When it returns `FALSE`, @error says why: `G_IO_ERROR_TIMED_OUT` when the
 * timeout came first, `G_IO_ERROR_CANCELLED` when a clear or a stop ended the
 * wait, [error@Error.CLOSED] when the player was stopped before, and
 * [error@Error.BACKEND] when the device failed (the sound server went
 * away, say) — then at once, not after the timeout.
 *
 * Returns: `TRUE` when it was heard (at once when nothing is queued)
 *
 * Since: 0.1
 */
gboolean
audio_cast_player_drain (AudioCastPlayer *self, gint64 timeout_us,
    GError **error)
{
  AudioCastDrainResult result;

  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_atomic_int_get (&self->stopped)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
        "the player is closed: it was stopped");
    return FALSE;
  }

  /* Interrupted: stopped meanwhile, or a clear (which a drain after stop()
   * would not see: that says CLOSED above). */
  result = audio_cast_queue_drain (self->queue, timeout_us);
  if (audio_cast_drain_result_to_error (result, timeout_us,
          g_atomic_int_get (&self->stopped), error))
    return TRUE;
  if (result == AUDIO_CAST_DRAIN_FAILED)
    audio_cast_pipeline_failure_report (&self->failure, error, "Playing");
  return FALSE;
}

/**
 * audio_cast_player_clear:
 * @self: an [class@Player]
 *
 * Discards everything not yet heard, at once (see [method@Sink.clear]).
 * Unblocks writers and drains. Callable from any thread.
 *
 * Returns: the frames heard since the previous clear — where a voice
 *   assistant cuts its transcript when the user interrupted.
 *
 * Since: 0.1
 */
guint64
audio_cast_player_clear (AudioCastPlayer *self)
{
  guint64 heard = 0;

  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), 0);

  if (!g_atomic_int_get (&self->stopped))
    audio_cast_sink_clear (self->sink, &heard, NULL);
  return heard;
}

/**
 * audio_cast_player_stop:
 * @self: an [class@Player]
 *
 * Stops playback at once and releases the device. Blocked writers and drains
 * return. Calling it again does nothing; writing afterwards fails with
 * [error@Error.CLOSED].
 *
 * Since: 0.1
 */
void
audio_cast_player_stop (AudioCastPlayer *self)
{
  g_return_if_fail (AUDIO_CAST_IS_PLAYER (self));

  if (!g_atomic_int_compare_and_exchange (&self->stopped, FALSE, TRUE))
    return;
  /* a callback feeder ends with its next wait or write */
  audio_cast_callback_slot_ask_stop (&self->callback);
  if (self->pipeline)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_object_notify_by_pspec (G_OBJECT (self), audio_cast_player_properties[PROP_ACTIVE]);
}

/**
 * audio_cast_player_get_sample_rate:
 * @self: an [class@Player]
 *
 * Returns: the rate of the samples the player expects, in Hz
 *
 * Since: 0.1
 */
guint
audio_cast_player_get_sample_rate (AudioCastPlayer *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), 0);
  return self->rate;
}

/**
 * audio_cast_player_get_channels:
 * @self: an [class@Player]
 *
 * Returns: the channel count of the samples the player expects
 *
 * Since: 0.1
 */
guint
audio_cast_player_get_channels (AudioCastPlayer *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), 0);
  return self->channels;
}

/**
 * audio_cast_player_get_device_sample_rate:
 * @self: an [class@Player]
 *
 * Returns: the rate the device plays at, in Hz
 *
 * Since: 0.1
 */
guint
audio_cast_player_get_device_sample_rate (AudioCastPlayer *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), 0);
  return self->device_rate;
}

/**
 * audio_cast_player_get_device_channels:
 * @self: an [class@Player]
 *
 * Returns: the channel count the device plays
 *
 * Since: 0.1
 */
guint
audio_cast_player_get_device_channels (AudioCastPlayer *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), 0);
  return self->device_channels;
}

/**
 * audio_cast_player_get_active:
 * @self: an [class@Player]
 *
 * Returns: `TRUE` until the player is stopped
 *
 * Since: 0.1
 */
gboolean
audio_cast_player_get_active (AudioCastPlayer *self)
{
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), FALSE);
  return !g_atomic_int_get (&self->stopped);
}

/**
 * audio_cast_player_get_latency:
 * @self: an [class@Player]
 *
 * The current output latency: how long a frame written now to an empty ring
 * takes to be heard, that is what the device and the converters hold; at
 * least a period where the device stream is let run dry while idle.
 *
 * Returns: the latency in microseconds
 *
 * Since: 0.1
 */
gint64
audio_cast_player_get_latency (AudioCastPlayer *self)
{
  AudioCastQueueStats stats;

  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), 0);

  audio_cast_queue_get_stats (self->queue, &stats);
  if (stats.rate <= 0)
    return 0;
  /* a device stream let run dry while idle (it prebuffers) holds nothing,
   * and plays again once a period of the new audio reached it */
  return gst_util_uint64_scale_int (MAX (stats.queued_timeline,
          stats.restart_frames), G_USEC_PER_SEC, stats.rate);
}

/**
 * audio_cast_player_get_stats:
 * @self: an [class@Player]
 *
 * All the counters, read at one moment, so that frames-written =
 * frames-played + frames-cleared + buffered-frames holds exactly even while
 * audio plays (reading the properties one by one cannot promise that).
 * buffered-frames counts everything written and not heard: in the ring and
 * in what the device holds.
 *
 * periods-pushed counts the periods (silence included) the device took, and
 * device-waits those it took only after the output thread waited inside it
 * for room: a few in a steady stream, since the thread waits for the
 * device's room in its own condition first (each wait inside pulsesink wakes
 * the other players of the process too).
 *
 * Returns: (transfer full): a `GstStructure` named "audiocast-stats" with the
 *   guint64 fields frames-written, frames-played, frames-cleared,
 *   buffered-frames, periods-pushed and device-waits, and the guint field
 *   underruns
 *
 * Since: 0.1
 */
GstStructure *
audio_cast_player_get_stats (AudioCastPlayer *self)
{
  AudioCastQueueStats stats;

  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), NULL);

  audio_cast_queue_get_stats (self->queue, &stats);
  return gst_structure_new ("audiocast-stats",
      "frames-written", G_TYPE_UINT64, stats.written,
      "frames-played", G_TYPE_UINT64, stats.played,
      "frames-cleared", G_TYPE_UINT64, stats.cleared,
      "buffered-frames", G_TYPE_UINT64, stats.buffered,
      "underruns", G_TYPE_UINT, stats.underruns,
      "periods-pushed", G_TYPE_UINT64, stats.periods_pushed,
      "device-waits", G_TYPE_UINT64, stats.device_waits, NULL);
}

/**
 * audio_cast_player_get_heard_position:
 * @self: an [class@Player]
 * @time_us: (out) (optional): the moment the count is true, in
 *   microseconds of the monotonic clock (g_get_monotonic_time())
 *
 * How many frames had been heard (frames-played) at a moment of the
 * monotonic clock: the clock [method@Recorder.read] reports capture times
 * on, so that an application can tell what was being heard when a
 * recorded sound was captured. While audio plays, the frame heard at an
 * earlier moment t is the count minus (@time_us − t) × rate / 10⁶ (unless
 * a clear or an underrun came between).
 *
 * Returns: the frames heard, at the player's rate
 *
 * Since: 0.1
 */
guint64
audio_cast_player_get_heard_position (AudioCastPlayer *self, gint64 *time_us)
{
  AudioCastQueueStats stats;
  gint64 before, after;

  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), 0);

  before = g_get_monotonic_time ();
  audio_cast_queue_get_stats (self->queue, &stats);
  after = g_get_monotonic_time ();
  /* the position was read somewhere in between */
  if (time_us)
    *time_us = before + (after - before) / 2;
  return stats.played;
}

AudioCastQueue *
audio_cast_player_peek_queue (AudioCastPlayer *self)
{
  return self->queue;
}

const gchar *
audio_cast_player_peek_server (AudioCastPlayer *self)
{
  return self->server;
}

gboolean
audio_cast_player_ensure_stream_format (AudioCastPlayer *self, GError **error)
{
  gboolean ok;

  g_mutex_lock (&self->write_lock);
  ok = fix_stream_format_locked (self, AUDIO_CAST_SAMPLE_FORMAT_F32LE, error);
  g_mutex_unlock (&self->write_lock);
  return ok;
}

static void
audio_cast_player_dispose (GObject *object)
{
  AudioCastPlayer *self = AUDIO_CAST_PLAYER (object);

  if (self->pipeline) {
    GstBus *bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));

    gst_element_set_state (self->pipeline, GST_STATE_NULL);
    /* the handler's user data is this object, going away */
    gst_bus_set_sync_handler (bus, NULL, NULL, NULL);
    gst_object_unref (bus);
    gst_clear_object (&self->pipeline);
  }
  self->sink = NULL;
  self->queue = NULL;
  G_OBJECT_CLASS (audio_cast_player_parent_class)->dispose (object);
}

static void
audio_cast_player_finalize (GObject *object)
{
  AudioCastPlayer *self = AUDIO_CAST_PLAYER (object);

  g_free (self->device);
  g_free (self->server);
  audio_cast_player_input_clear (&self->input);
  g_mutex_clear (&self->write_lock);
  audio_cast_callback_slot_clear (&self->callback);
  audio_cast_pipeline_failure_clear (&self->failure);
  G_OBJECT_CLASS (audio_cast_player_parent_class)->finalize (object);
}

static void
audio_cast_player_class_init (AudioCastPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = audio_cast_player_set_property;
  object_class->get_property = audio_cast_player_get_property;
  object_class->dispose = audio_cast_player_dispose;
  object_class->finalize = audio_cast_player_finalize;

  audio_cast_player_install_properties (object_class);
}

static void
audio_cast_player_init (AudioCastPlayer *self)
{
  audio_cast_callback_slot_init (&self->callback);
  g_mutex_init (&self->write_lock);
  audio_cast_pipeline_failure_init (&self->failure);
  audio_cast_tuning_init (&self->tuning);
}
