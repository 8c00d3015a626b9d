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
#include "audiocast-sink-private.h"

#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (audio_cast_player_debug);
#define GST_CAT_DEFAULT audio_cast_player_debug

#define MAX_SAMPLE_RATE 384000
#define MAX_CHANNELS AUDIO_CAST_MAX_CHANNELS
/* When neither the application nor the device says. */
#define FALLBACK_SAMPLE_RATE 48000
#define FALLBACK_CHANNELS 2

#define DEFAULT_BUFFER_TIME (2 * G_USEC_PER_SEC)
#define DEFAULT_LATENCY_TIME (10 * 1000)

struct _AudioCastPlayer
{
  GObject parent;

  /* Construct-only. */
  gchar *device;
  gchar *server;                /* PulseAudio-protocol address; NULL: default */
  guint requested_rate;
  guint requested_channels;
  gint64 buffer_time;
  gint64 latency_time;
  gint64 fade_time;

  /* Set by init, then read-only. */
  guint rate;
  guint channels;
  guint device_rate;
  guint device_channels;
  GstElement *pipeline;
  AudioCastSink *sink;
  AudioCastQueue *queue;

  gint stopped;                 /* atomic */

  /* write_lock: one writer at a time, so frames are never interleaved and the
   * conversion scratch can be reused. A writer may hold it while blocked on
   * a full ring; clear() and stop() release it without taking it. */
  GMutex write_lock;
  gboolean have_stream_format;
  AudioCastSampleFormat stream_format;  /* of the first write */
  GstAudioConverter *converter;         /* from converter_format to it */
  AudioCastSampleFormat converter_format;
  guint8 *scratch;
  gsize scratch_size;
  guint8 *sanitized;
  gsize sanitized_size;

  /* failure_lock: guards first_error, the first ERROR the pipeline posted
   * (kept by on_bus_message, in the posting thread), and failure, that
   * error as the first call that met it reported it, so every later call
   * reports the same. Held only to swap pointers, never while waiting. */
  GMutex failure_lock;
  GstMessage *first_error;
  GError *failure;
};

enum
{
  PROP_0,
  PROP_DEVICE,
  PROP_SERVER,
  PROP_SAMPLE_RATE,
  PROP_CHANNELS,
  PROP_BUFFER_TIME,
  PROP_LATENCY_TIME,
  PROP_FADE_TIME,
  PROP_DEVICE_SAMPLE_RATE,
  PROP_DEVICE_CHANNELS,
  PROP_ACTIVE,
  PROP_LATENCY,
  PROP_FRAMES_WRITTEN,
  PROP_FRAMES_PLAYED,
  PROP_FRAMES_CLEARED,
  PROP_BUFFERED_FRAMES,
  PROP_UNDERRUNS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void audio_cast_player_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AudioCastPlayer, audio_cast_player,
    G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
        audio_cast_player_initable_iface_init);
    GST_DEBUG_CATEGORY_INIT (audio_cast_player_debug, "audiocastplayer", 0,
        "audiocast player"));

static GstAudioFormat
to_gst_format (AudioCastSampleFormat format)
{
  switch (format) {
    case AUDIO_CAST_SAMPLE_FORMAT_S16LE:
      return GST_AUDIO_FORMAT_S16LE;
    case AUDIO_CAST_SAMPLE_FORMAT_S32LE:
      return GST_AUDIO_FORMAT_S32LE;
    case AUDIO_CAST_SAMPLE_FORMAT_F32LE:
      return GST_AUDIO_FORMAT_F32LE;
    case AUDIO_CAST_SAMPLE_FORMAT_F64LE:
      return GST_AUDIO_FORMAT_F64LE;
    default:
      return GST_AUDIO_FORMAT_UNKNOWN;
  }
}

static void
stream_info (AudioCastPlayer *self, AudioCastSampleFormat format,
    GstAudioInfo *info)
{
  gst_audio_info_set_format (info, to_gst_format (format), self->rate,
      self->channels, NULL);
}

/* The pipeline's bus sync handler. Nobody runs a main loop on the player's
 * pipeline, so nothing may stay queued on its bus: a voice assistant that
 * clears thousands of times would otherwise hoard a latency message or two
 * per clear for as long as it runs. The first ERROR is kept for the calls
 * that fail because of it; everything else is dropped here. */
static GstBusSyncReply
on_bus_message (GstBus *bus, GstMessage *msg, gpointer user_data)
{
  AudioCastPlayer *self = user_data;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_mutex_lock (&self->failure_lock);
    if (self->first_error == NULL)
      self->first_error = gst_message_ref (msg);
    g_mutex_unlock (&self->failure_lock);
  }
  /* a handler that drops a message owns it */
  gst_message_unref (msg);
  return GST_BUS_DROP;
}

/* With failure_lock held: the pipeline's first ERROR as a GError in our
 * domain. */
static void
take_bus_error_locked (AudioCastPlayer *self, GError **error,
    const gchar *doing)
{
  GError *gst_error = NULL;

  if (self->first_error == NULL) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_BACKEND,
        "%s failed", doing);
    return;
  }

  gst_message_parse_error (self->first_error, &gst_error, NULL);
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

static void
take_bus_error (AudioCastPlayer *self, GError **error, const gchar *doing)
{
  g_mutex_lock (&self->failure_lock);
  take_bus_error_locked (self, error, doing);
  g_mutex_unlock (&self->failure_lock);
}

/* The device failed while streaming: reports its error, the same to every
 * caller (the bus holds it for the first one only). */
static void
report_failure (AudioCastPlayer *self, GError **error)
{
  g_mutex_lock (&self->failure_lock);
  if (self->failure == NULL)
    take_bus_error_locked (self, &self->failure, "Playing");
  if (error)
    *error = g_error_copy (self->failure);
  g_mutex_unlock (&self->failure_lock);
}

static gboolean
check_parameters (AudioCastPlayer *self, GError **error)
{
  if (self->requested_rate > MAX_SAMPLE_RATE) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "sample rate %u Hz is out of range: use 1 to %u Hz, or 0 for the "
        "device's own rate", self->requested_rate, MAX_SAMPLE_RATE);
    return FALSE;
  }
  if (self->requested_channels > MAX_CHANNELS) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "%u channels is out of range: use 1 to %u, or 0 for the device's "
        "own count", self->requested_channels, MAX_CHANNELS);
    return FALSE;
  }
  if (self->latency_time > self->buffer_time) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "latency-time (%" G_GINT64_FORMAT " µs) is longer than buffer-time (%"
        G_GINT64_FORMAT " µs)", self->latency_time, self->buffer_time);
    return FALSE;
  }
  return TRUE;
}

static gboolean
audio_cast_player_initable_init (GInitable *initable,
    GCancellable *cancellable, GError **error)
{
  AudioCastPlayer *self = AUDIO_CAST_PLAYER (initable);
  GstAudioInfo device_info;
  GstBus *bus;

  if (!check_parameters (self, error))
    return FALSE;

  /* a player is the first thing some applications make of GStreamer */
  audio_cast_device_ensure_gst ();
  self->pipeline = gst_pipeline_new ("audiocast-player");
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  gst_bus_set_sync_handler (bus, on_bus_message, self, NULL);
  gst_object_unref (bus);
  self->sink = g_object_new (AUDIO_CAST_TYPE_SINK, "name", "sink",
      "device", self->device, "server", self->server,
      "buffer-time", self->buffer_time,
      "latency-time", self->latency_time, "fade-time", self->fade_time,
      /* The application's writes have no timestamps and no pad: every frame
       * plays back to back, and no state waits for a preroll. */
      "sync", FALSE, "async", FALSE, NULL);
  gst_bin_add (GST_BIN (self->pipeline), GST_ELEMENT (self->sink));
  self->queue = audio_cast_sink_get_queue (self->sink);

  /* READY picks and opens the device, so its format is known before the
   * stream's is decided. */
  if (gst_element_set_state (self->pipeline, GST_STATE_READY)
      == GST_STATE_CHANGE_FAILURE) {
    take_bus_error (self, error, "Opening the output device");
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

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE) {
    take_bus_error (self, error, "Starting the output device");
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
    return FALSE;
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

static gsize
sample_size (AudioCastSampleFormat format)
{
  return GST_AUDIO_FORMAT_INFO_WIDTH (gst_audio_format_get_info
      (to_gst_format (format))) / 8;
}

/* Conversion buffers sized for the writes: grown to the largest, and given
 * back once writes are much smaller again, so one long write (a whole file
 * converted at once) does not keep its size in memory for the life of the
 * player. Below KEEP_BUFFER_BYTES a buffer is always kept. */
#define KEEP_BUFFER_BYTES (256 * 1024)

static guint8 *
ensure_buffer (guint8 **buffer, gsize *allocated, gsize size)
{
  gboolean oversized = *allocated > KEEP_BUFFER_BYTES
      && *allocated / 4 > size;

  if (*allocated < size || oversized) {
    g_free (*buffer);
    *allocated = MAX (size, oversized ? KEEP_BUFFER_BYTES : 0);
    *buffer = g_malloc (*allocated);
  }
  return *buffer;
}

/* NaN and infinity are the floats whose exponent bits are all set. This
 * runs over every float the application writes, so whole blocks are checked
 * with a loop of fixed length and no branch per sample, which the compiler
 * vectorises; only from a block that has one on is searched sample by
 * sample. Returns the index of the first such sample, or G_MAXSIZE. @data
 * need not be aligned. */
#define SCAN_BLOCK 256
#define DEFINE_FIRST_NON_FINITE(name, bits_type, exponent)                  \
static gsize                                                                \
name (const guint8 *data, gsize n)                                          \
{                                                                           \
  gsize i = 0, j;                                                           \
  bits_type bits, hit = 0;                                                  \
                                                                            \
  for (; i + SCAN_BLOCK <= n && !hit; i += SCAN_BLOCK)                      \
    for (j = 0; j < SCAN_BLOCK; j++) {                                      \
      memcpy (&bits, data + (i + j) * sizeof bits, sizeof bits);            \
      hit |= (bits & (exponent)) == (exponent);                             \
    }                                                                       \
  for (i = hit ? i - SCAN_BLOCK : i; i < n; i++) {                          \
    memcpy (&bits, data + i * sizeof bits, sizeof bits);                    \
    if ((bits & (exponent)) == (exponent))                                  \
      return i;                                                             \
  }                                                                         \
  return G_MAXSIZE;                                                         \
}

DEFINE_FIRST_NON_FINITE (first_non_finite_f32, guint32, 0x7f800000u)
DEFINE_FIRST_NON_FINITE (first_non_finite_f64, guint64,
    G_GUINT64_CONSTANT (0x7ff0000000000000))

/* With the write lock held. Returns @data, or a copy with every NaN and
 * infinity replaced by silence, so none reaches the device. */
static const guint8 *
sanitize_floats (AudioCastPlayer *self, AudioCastSampleFormat format,
    const guint8 *data, gsize size)
{
  gsize n, i, first_bad;

  if (format == AUDIO_CAST_SAMPLE_FORMAT_F32LE) {
    n = size / sizeof (gfloat);
    first_bad = first_non_finite_f32 (data, n);
    if (first_bad != G_MAXSIZE) {
      gfloat *out = (gfloat *) ensure_buffer (&self->sanitized,
          &self->sanitized_size, size);
      memcpy (out, data, size);
      for (i = first_bad; i < n; i++)
        if (!isfinite (out[i]))
          out[i] = 0.0f;
      return (const guint8 *) out;
    }
  } else if (format == AUDIO_CAST_SAMPLE_FORMAT_F64LE) {
    n = size / sizeof (gdouble);
    first_bad = first_non_finite_f64 (data, n);
    if (first_bad != G_MAXSIZE) {
      gdouble *out = (gdouble *) ensure_buffer (&self->sanitized,
          &self->sanitized_size, size);
      memcpy (out, data, size);
      for (i = first_bad; i < n; i++)
        if (!isfinite (out[i]))
          out[i] = 0.0;
      return (const guint8 *) out;
    }
  }
  return data;
}

/* With the write lock held: @frames of @format as the stream's format, via
 * GStreamer's converter. */
static const guint8 *
convert_to_stream (AudioCastPlayer *self, AudioCastSampleFormat format,
    const guint8 *data, gsize frames)
{
  gpointer in[1] = { (gpointer) data };
  gpointer out[1];
  GstAudioInfo stream;

  if (self->converter == NULL || self->converter_format != format) {
    GstAudioInfo from;

    g_clear_pointer (&self->converter, gst_audio_converter_free);
    stream_info (self, format, &from);
    stream_info (self, self->stream_format, &stream);
    /* Exact sample values: no dither or noise shaping added. */
    self->converter = gst_audio_converter_new (GST_AUDIO_CONVERTER_FLAG_NONE,
        &from, &stream, gst_structure_new ("options",
            GST_AUDIO_CONVERTER_OPT_DITHER_METHOD, GST_TYPE_AUDIO_DITHER_METHOD,
            GST_AUDIO_DITHER_NONE, NULL));
    self->converter_format = format;
  }
  stream_info (self, self->stream_format, &stream);
  out[0] = ensure_buffer (&self->scratch, &self->scratch_size,
      frames * GST_AUDIO_INFO_BPF (&stream));
  if (!gst_audio_converter_samples (self->converter, 0, in, frames, out,
          frames))
    return NULL;
  return out[0];
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
gsize
audio_cast_player_write (AudioCastPlayer *self, AudioCastSampleFormat format,
    const guint8 *data, gsize size, GError **error)
{
  GstAudioInfo info;
  GstFlowReturn ret;
  guint64 accepted = 0;
  gsize bpf, frames;
  const guint8 *samples;

  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), 0);
  g_return_val_if_fail (data != NULL || size == 0, 0);

  if (to_gst_format (format) == GST_AUDIO_FORMAT_UNKNOWN) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "unknown sample format %d: use S16LE, S32LE, F32LE or F64LE", format);
    return 0;
  }
  if (g_atomic_int_get (&self->stopped)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
        "the player is closed: it was stopped");
    return 0;
  }
  bpf = sample_size (format) * self->channels;
  if (size % bpf != 0) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "%" G_GSIZE_FORMAT " bytes is not a whole number of frames: a frame "
        "of %u channels is %" G_GSIZE_FORMAT " bytes", size, self->channels,
        bpf);
    return 0;
  }
  frames = size / bpf;
  if (frames == 0)
    return 0;

  g_mutex_lock (&self->write_lock);
  if (!self->have_stream_format) {
    GError *format_error = NULL;

    stream_info (self, format, &info);
    if (!audio_cast_queue_set_format (self->queue, &info, &format_error)) {
      g_mutex_unlock (&self->write_lock);
      g_set_error_literal (error, AUDIO_CAST_ERROR,
          AUDIO_CAST_ERROR_INVALID_ARGUMENT, format_error->message);
      g_error_free (format_error);
      return 0;
    }
    self->stream_format = format;
    self->have_stream_format = TRUE;
  }

  samples = sanitize_floats (self, format, data, size);
  if (format != self->stream_format)
    samples = convert_to_stream (self, format, samples, frames);

  ret = samples ? audio_cast_queue_write (self->queue, samples, frames,
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
      report_failure (self, error);
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
  g_return_val_if_fail (AUDIO_CAST_IS_PLAYER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_atomic_int_get (&self->stopped)) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
        "the player is closed: it was stopped");
    return FALSE;
  }

  switch (audio_cast_queue_drain (self->queue, timeout_us)) {
    case AUDIO_CAST_DRAIN_HEARD:
      return TRUE;
    case AUDIO_CAST_DRAIN_TIMED_OUT:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
          "drain timed out after %" G_GINT64_FORMAT " µs", timeout_us);
      return FALSE;
    case AUDIO_CAST_DRAIN_INTERRUPTED:
      /* Stopped meanwhile, or a clear (which a drain after stop() would
       * not see: that says CLOSED above). */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
          g_atomic_int_get (&self->stopped) ? "drain interrupted by stop"
          : "drain interrupted by clear");
      return FALSE;
    default:
      report_failure (self, error);
      return FALSE;
  }
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
  if (self->pipeline)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
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
 * takes to be heard, that is what the device and the converters hold.
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
  return gst_util_uint64_scale_int (stats.queued_timeline, G_USEC_PER_SEC,
      stats.rate);
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
 * Returns: (transfer full): a `GstStructure` named "audiocast-stats" with the
 *   guint64 fields frames-written, frames-played, frames-cleared,
 *   buffered-frames and the guint field underruns
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
      "underruns", G_TYPE_UINT, stats.underruns, NULL);
}

static void
audio_cast_player_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  AudioCastPlayer *self = AUDIO_CAST_PLAYER (object);

  switch (prop_id) {
    case PROP_DEVICE:
      self->device = g_value_dup_string (value);
      break;
    case PROP_SERVER:
      self->server = g_value_dup_string (value);
      break;
    case PROP_SAMPLE_RATE:
      self->requested_rate = g_value_get_uint (value);
      break;
    case PROP_CHANNELS:
      self->requested_channels = g_value_get_uint (value);
      break;
    case PROP_BUFFER_TIME:
      self->buffer_time = g_value_get_int64 (value);
      break;
    case PROP_LATENCY_TIME:
      self->latency_time = g_value_get_int64 (value);
      break;
    case PROP_FADE_TIME:
      self->fade_time = g_value_get_int64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
audio_cast_player_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
  AudioCastPlayer *self = AUDIO_CAST_PLAYER (object);
  AudioCastQueueStats stats = { 0, };

  if (prop_id >= PROP_FRAMES_WRITTEN && self->queue)
    audio_cast_queue_get_stats (self->queue, &stats);

  switch (prop_id) {
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_SERVER:
      g_value_set_string (value, self->server);
      break;
    case PROP_SAMPLE_RATE:
      g_value_set_uint (value, self->rate ? self->rate : self->requested_rate);
      break;
    case PROP_CHANNELS:
      g_value_set_uint (value, self->channels ? self->channels
          : self->requested_channels);
      break;
    case PROP_BUFFER_TIME:
      g_value_set_int64 (value, self->buffer_time);
      break;
    case PROP_LATENCY_TIME:
      g_value_set_int64 (value, self->latency_time);
      break;
    case PROP_FADE_TIME:
      g_value_set_int64 (value, self->fade_time);
      break;
    case PROP_DEVICE_SAMPLE_RATE:
      g_value_set_uint (value, self->device_rate);
      break;
    case PROP_DEVICE_CHANNELS:
      g_value_set_uint (value, self->device_channels);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, audio_cast_player_get_active (self));
      break;
    case PROP_LATENCY:
      g_value_set_int64 (value, self->queue ?
          audio_cast_player_get_latency (self) : 0);
      break;
    case PROP_FRAMES_WRITTEN:
      g_value_set_uint64 (value, stats.written);
      break;
    case PROP_FRAMES_PLAYED:
      g_value_set_uint64 (value, stats.played);
      break;
    case PROP_FRAMES_CLEARED:
      g_value_set_uint64 (value, stats.cleared);
      break;
    case PROP_BUFFERED_FRAMES:
      g_value_set_uint64 (value, stats.buffered);
      break;
    case PROP_UNDERRUNS:
      g_value_set_uint (value, stats.underruns);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
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
  g_clear_pointer (&self->converter, gst_audio_converter_free);
  g_free (self->scratch);
  g_free (self->sanitized);
  g_mutex_clear (&self->write_lock);
  g_clear_error (&self->failure);
  gst_clear_message (&self->first_error);
  g_mutex_clear (&self->failure_lock);
  G_OBJECT_CLASS (audio_cast_player_parent_class)->finalize (object);
}

/* The statistics, read-only and in input frames: written = played +
 * cleared + buffered. */
static void
install_statistics_properties (void)
{
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  /**
   * AudioCastPlayer:frames-written:
   *
   * Frames accepted. frames-written = frames-played + frames-cleared +
   * buffered-frames.
   *
   * Since: 0.1
   */
  properties[PROP_FRAMES_WRITTEN] = g_param_spec_uint64 ("frames-written",
      "Frames written", "Frames accepted", 0, G_MAXUINT64, 0, ro);

  /**
   * AudioCastPlayer:frames-played:
   *
   * Frames heard, by the device's own position.
   *
   * Since: 0.1
   */
  properties[PROP_FRAMES_PLAYED] = g_param_spec_uint64 ("frames-played",
      "Frames played", "Frames heard", 0, G_MAXUINT64, 0, ro);

  /**
   * AudioCastPlayer:frames-cleared:
   *
   * Frames discarded by clears before being heard.
   *
   * Since: 0.1
   */
  properties[PROP_FRAMES_CLEARED] = g_param_spec_uint64 ("frames-cleared",
      "Frames cleared", "Frames discarded unheard", 0, G_MAXUINT64, 0, ro);

  /**
   * AudioCastPlayer:buffered-frames:
   *
   * Frames accepted and not heard yet.
   *
   * Since: 0.1
   */
  properties[PROP_BUFFERED_FRAMES] = g_param_spec_uint64 ("buffered-frames",
      "Buffered frames", "Frames not heard yet", 0, G_MAXUINT64, 0, ro);

  /**
   * AudioCastPlayer:underruns:
   *
   * Times the ring ran dry while the application was still writing.
   *
   * Since: 0.1
   */
  properties[PROP_UNDERRUNS] = g_param_spec_uint ("underruns", "Underruns",
      "Times the ring ran dry mid-stream", 0, G_MAXUINT, 0, ro);
}

/* Buffering and clear tuning, fixed at construction. */
static void
install_tuning_properties (void)
{
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
      | G_PARAM_STATIC_STRINGS;

  /**
   * AudioCastPlayer:buffer-time:
   *
   * Ring buffer capacity in microseconds.
   *
   * Since: 0.1
   */
  properties[PROP_BUFFER_TIME] = g_param_spec_int64 ("buffer-time",
      "Buffer time", "Ring buffer capacity in microseconds", 1000,
      G_MAXINT64 / 1000, DEFAULT_BUFFER_TIME, construct);

  /**
   * AudioCastPlayer:latency-time:
   *
   * Device period in microseconds.
   *
   * Since: 0.1
   */
  properties[PROP_LATENCY_TIME] = g_param_spec_int64 ("latency-time",
      "Latency time", "Device period in microseconds", 1000, G_USEC_PER_SEC,
      DEFAULT_LATENCY_TIME, construct);

  /**
   * AudioCastPlayer:fade-time:
   *
   * 0 for an instant clear, or the fade-out of a click-free clear in
   * microseconds (see [property@Sink:fade-time]).
   *
   * Since: 0.1
   */
  properties[PROP_FADE_TIME] = g_param_spec_int64 ("fade-time", "Fade time",
      "Fade-out on clear in microseconds (0: instant)", 0, G_USEC_PER_SEC, 0,
      construct);
}

/* The properties, each with its documentation. */
static void
install_properties (GObjectClass *object_class)
{
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
      | G_PARAM_STATIC_STRINGS;

  /**
   * AudioCastPlayer:device:
   *
   * The output device's name, or a part of its name or description; `NULL`
   * for the default device.
   *
   * Since: 0.1
   */
  properties[PROP_DEVICE] = g_param_spec_string ("device", "Device",
      "Output device (NULL: default)", NULL, construct);

  /**
   * AudioCastPlayer:server:
   *
   * The sound server to play on, by its PulseAudio protocol address
   * (`tcp:HOST:PORT` for a server on another machine, `unix:/path`);
   * `NULL` for the default server. [property@Player:device] then names one
   * of that server's sinks (see [func@list_output_devices_on]). A server
   * that does not answer within 2 s fails the construction with
   * [error@Error.BACKEND] naming the address.
   *
   * Since: 0.1
   */
  properties[PROP_SERVER] = g_param_spec_string ("server", "Server",
      "Sound server address (tcp:HOST:PORT, unix:PATH; NULL: default)", NULL,
      construct);

  /**
   * AudioCastPlayer:sample-rate:
   *
   * The rate of the samples written, in Hz. Set 0 to take the device's;
   * reads back the rate in use.
   *
   * Since: 0.1
   */
  properties[PROP_SAMPLE_RATE] = g_param_spec_uint ("sample-rate",
      "Sample rate", "Rate of the samples written (0: the device's)", 0,
      G_MAXUINT, 0, construct);

  /**
   * AudioCastPlayer:channels:
   *
   * The channel count of the samples written. Set 0 to take the device's;
   * reads back the count in use.
   *
   * Since: 0.1
   */
  properties[PROP_CHANNELS] = g_param_spec_uint ("channels", "Channels",
      "Channels of the samples written (0: the device's)", 0, G_MAXUINT, 0,
      construct);

  install_tuning_properties ();

  /**
   * AudioCastPlayer:device-sample-rate:
   *
   * The rate the device plays at, in Hz.
   *
   * Since: 0.1
   */
  properties[PROP_DEVICE_SAMPLE_RATE] = g_param_spec_uint
      ("device-sample-rate", "Device sample rate", "Rate the device plays at",
      0, G_MAXUINT, 0, ro);

  /**
   * AudioCastPlayer:device-channels:
   *
   * The channel count the device plays.
   *
   * Since: 0.1
   */
  properties[PROP_DEVICE_CHANNELS] = g_param_spec_uint ("device-channels",
      "Device channels", "Channels the device plays", 0, G_MAXUINT, 0, ro);

  /**
   * AudioCastPlayer:active:
   *
   * `TRUE` until the player is stopped.
   *
   * Since: 0.1
   */
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", "Active",
      "Whether the player plays (not stopped)", FALSE, ro);

  /**
   * AudioCastPlayer:latency:
   *
   * The current output latency in microseconds.
   *
   * Since: 0.1
   */
  properties[PROP_LATENCY] = g_param_spec_int64 ("latency", "Latency",
      "Current output latency in microseconds", 0, G_MAXINT64, 0, ro);

  install_statistics_properties ();

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
audio_cast_player_class_init (AudioCastPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = audio_cast_player_set_property;
  object_class->get_property = audio_cast_player_get_property;
  object_class->dispose = audio_cast_player_dispose;
  object_class->finalize = audio_cast_player_finalize;

  install_properties (object_class);
}

static void
audio_cast_player_init (AudioCastPlayer *self)
{
  g_mutex_init (&self->write_lock);
  g_mutex_init (&self->failure_lock);
  self->buffer_time = DEFAULT_BUFFER_TIME;
  self->latency_time = DEFAULT_LATENCY_TIME;
}
