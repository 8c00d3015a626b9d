/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The properties AudioCastSink and AudioCastPlayer share. Each is defined
 * once below; the documentation of each class's copy stays here beside it,
 * where g-ir-scanner finds it for the class the comment names. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-stream-properties.h"
#include "audiocast-error.h"

/**
 * AudioCastSink:buffer-time:
 *
 * Capacity of the ring buffer in microseconds. Writers block while it is
 * full. Left at its default, it is one period in
 * %AUDIO_CAST_LATENCY_MODE_LOW (reading the property says so).
 *
 * Since: 0.1
 */
/**
 * AudioCastPlayer:buffer-time:
 *
 * Ring buffer capacity in microseconds; [method@Player.write] blocks while
 * the ring is full. Left at its default, it is one period in
 * %AUDIO_CAST_LATENCY_MODE_LOW.
 *
 * Since: 0.1
 */
/**
 * AudioCastSink:latency-time:
 *
 * The device period in microseconds: the size of the chunks handed to the
 * device, and the bound on how late silence comes after a clear. Left at
 * its default, it is 2500 in %AUDIO_CAST_LATENCY_MODE_LOW (reading the
 * property says so).
 *
 * Since: 0.1
 */
/**
 * AudioCastPlayer:latency-time:
 *
 * Device period in microseconds (see [property@Sink:latency-time]).
 *
 * Since: 0.1
 */
/**
 * AudioCastSink:latency-mode:
 *
 * How far ahead of the device the stream runs (see #AudioCastLatencyMode).
 * %AUDIO_CAST_LATENCY_MODE_LOW keeps a steady stream just ahead of the
 * device: a frame written is heard about four periods and the ring later,
 * instead of tens of milliseconds and up to the whole 2 s ring. The price
 * is robustness: a stall of the machine longer than the device buffer (10
 * ms) is heard as a gap, where the default rides out 50 ms and more. Takes
 * effect when the device opens (NULL to READY).
 *
 * Since: 0.1
 */
/**
 * AudioCastPlayer:latency-mode:
 *
 * How far ahead of the device the stream runs (see
 * [property@Sink:latency-mode]).
 *
 * Since: 0.1
 */
/**
 * AudioCastSink:fade-time:
 *
 * How clear stops the sound. 0 (the default) cuts at once: the platform
 * sink and the sound server are flushed and silence follows within one
 * [property@Sink:latency-time], at the price of a click when the waveform
 * is cut away from zero. A positive value (at most one latency-time) is
 * click-free: the few periods the device already holds play out and the
 * next frames fade out over this many microseconds. Sound servers cannot
 * rewrite audio they already hold, so no clear can be both instant and
 * faded.
 *
 * Since: 0.1
 */
/**
 * AudioCastPlayer:fade-time:
 *
 * 0 for an instant clear, or the fade-out of a click-free clear in
 * microseconds (see [property@Sink:fade-time]).
 *
 * Since: 0.1
 */
static void
install_tuning (GObjectClass *klass, guint first_id, GParamFlags flags)
{
  flags |= G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  g_object_class_install_property (klass,
      first_id + AUDIO_CAST_STREAM_PROP_BUFFER_TIME,
      g_param_spec_int64 ("buffer-time", "Buffer time",
          "Ring buffer capacity in microseconds", 1000, G_MAXINT64 / 1000,
          AUDIO_CAST_DEFAULT_BUFFER_TIME_US, flags));
  g_object_class_install_property (klass,
      first_id + AUDIO_CAST_STREAM_PROP_LATENCY_TIME,
      g_param_spec_int64 ("latency-time", "Latency time",
          "Device period in microseconds", 1000, G_USEC_PER_SEC,
          AUDIO_CAST_DEFAULT_LATENCY_TIME_US, flags));
  g_object_class_install_property (klass,
      first_id + AUDIO_CAST_STREAM_PROP_FADE_TIME,
      g_param_spec_int64 ("fade-time", "Fade time",
          "Fade-out on clear in microseconds (0: instant hard cut)", 0,
          G_USEC_PER_SEC, AUDIO_CAST_DEFAULT_FADE_TIME_US, flags));
  g_object_class_install_property (klass,
      first_id + AUDIO_CAST_STREAM_PROP_LATENCY_MODE,
      g_param_spec_enum ("latency-mode", "Latency mode",
          "How far ahead of the device the stream runs",
          AUDIO_CAST_TYPE_LATENCY_MODE, AUDIO_CAST_DEFAULT_LATENCY_MODE,
          flags));
}

/**
 * AudioCastSink:frames-written:
 *
 * Frames accepted into the ring since the element started. All frame
 * counts are at the input rate, and frames-written = frames-played +
 * frames-cleared + buffered-frames.
 *
 * Since: 0.1
 */
/**
 * AudioCastPlayer:frames-written:
 *
 * Frames accepted. frames-written = frames-played + frames-cleared +
 * buffered-frames; [method@Player.get_stats] reads all of them at one
 * moment.
 *
 * Since: 0.1
 */
/**
 * AudioCastSink:frames-played:
 *
 * Frames the device has played (heard), by the device's own position.
 *
 * Since: 0.1
 */
/**
 * AudioCastPlayer:frames-played:
 *
 * Frames heard, by the device's own position.
 *
 * Since: 0.1
 */
/**
 * AudioCastSink:frames-cleared:
 *
 * Frames that were accepted but discarded by a clear before being heard.
 *
 * Since: 0.1
 */
/**
 * AudioCastPlayer:frames-cleared:
 *
 * Frames discarded by clears before being heard.
 *
 * Since: 0.1
 */
/**
 * AudioCastSink:buffered-frames:
 *
 * Frames accepted and not heard yet: in the ring, the converter, the
 * platform sink or the sound server.
 *
 * Since: 0.1
 */
/**
 * AudioCastPlayer:buffered-frames:
 *
 * Frames accepted and not heard yet.
 *
 * Since: 0.1
 */
/**
 * AudioCastSink:underruns:
 *
 * How many times the ring ran dry while the application was still writing
 * (after drain, EOS or clear a dry ring is expected and not counted), or
 * the PulseAudio device ran dry mid-stream because the output thread was
 * starved of CPU. The stream then restarts after a gap; when the device's
 * rate is not the stream's, the few frames the resampler held back (under
 * a millisecond or two) are lost with that restart and counted in
 * [property@Sink:frames-cleared].
 *
 * Since: 0.1
 */
/**
 * AudioCastPlayer:underruns:
 *
 * Times the ring or the device ran dry while the application was still
 * writing (see [property@Sink:underruns]).
 *
 * Since: 0.1
 */
static void
install_statistics (GObjectClass *klass, guint first_id)
{
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  g_object_class_install_property (klass,
      first_id + AUDIO_CAST_STREAM_PROP_FRAMES_WRITTEN,
      g_param_spec_uint64 ("frames-written", "Frames written",
          "Frames accepted into the ring", 0, G_MAXUINT64, 0, ro));
  g_object_class_install_property (klass,
      first_id + AUDIO_CAST_STREAM_PROP_FRAMES_PLAYED,
      g_param_spec_uint64 ("frames-played", "Frames played",
          "Frames the device has played", 0, G_MAXUINT64, 0, ro));
  g_object_class_install_property (klass,
      first_id + AUDIO_CAST_STREAM_PROP_FRAMES_CLEARED,
      g_param_spec_uint64 ("frames-cleared", "Frames cleared",
          "Frames discarded by clear before being heard", 0, G_MAXUINT64, 0,
          ro));
  g_object_class_install_property (klass,
      first_id + AUDIO_CAST_STREAM_PROP_BUFFERED_FRAMES,
      g_param_spec_uint64 ("buffered-frames", "Buffered frames",
          "Frames accepted and not yet heard", 0, G_MAXUINT64, 0, ro));
  g_object_class_install_property (klass,
      first_id + AUDIO_CAST_STREAM_PROP_UNDERRUNS,
      g_param_spec_uint ("underruns", "Underruns",
          "Times the ring or the device ran dry mid-stream", 0, G_MAXUINT, 0,
          ro));
}

void
audio_cast_stream_properties_install (GObjectClass *klass, guint first_id,
    GParamFlags tuning_flags)
{
  install_tuning (klass, first_id, tuning_flags);
  install_statistics (klass, first_id);
}

void
audio_cast_tuning_init (AudioCastTuning *tuning)
{
  tuning->buffer_time = AUDIO_CAST_DEFAULT_BUFFER_TIME_US;
  tuning->latency_time = AUDIO_CAST_DEFAULT_LATENCY_TIME_US;
  tuning->fade_time = AUDIO_CAST_DEFAULT_FADE_TIME_US;
  tuning->latency_mode = AUDIO_CAST_DEFAULT_LATENCY_MODE;
}

gint64
audio_cast_tuning_latency_time (const AudioCastTuning *tuning)
{
  if (tuning->latency_mode == AUDIO_CAST_LATENCY_MODE_LOW
      && tuning->latency_time == AUDIO_CAST_DEFAULT_LATENCY_TIME_US)
    return AUDIO_CAST_LOW_LATENCY_TIME_US;
  return tuning->latency_time;
}

gint64
audio_cast_tuning_buffer_time (const AudioCastTuning *tuning)
{
  if (tuning->latency_mode == AUDIO_CAST_LATENCY_MODE_LOW
      && tuning->buffer_time == AUDIO_CAST_DEFAULT_BUFFER_TIME_US)
    return AUDIO_CAST_LOW_LATENCY_RING_PERIODS
        * audio_cast_tuning_latency_time (tuning);
  return tuning->buffer_time;
}

gboolean
audio_cast_tuning_set_property (AudioCastTuning *tuning,
    AudioCastStreamProperty property, const GValue *value)
{
  switch (property) {
    case AUDIO_CAST_STREAM_PROP_BUFFER_TIME:
      tuning->buffer_time = g_value_get_int64 (value);
      return TRUE;
    case AUDIO_CAST_STREAM_PROP_LATENCY_TIME:
      tuning->latency_time = g_value_get_int64 (value);
      return TRUE;
    case AUDIO_CAST_STREAM_PROP_FADE_TIME:
      tuning->fade_time = g_value_get_int64 (value);
      return TRUE;
    case AUDIO_CAST_STREAM_PROP_LATENCY_MODE:
      tuning->latency_mode = g_value_get_enum (value);
      return TRUE;
    default:
      return FALSE;
  }
}

gboolean
audio_cast_tuning_get_property (const AudioCastTuning *tuning,
    AudioCastStreamProperty property, GValue *value)
{
  switch (property) {
    case AUDIO_CAST_STREAM_PROP_BUFFER_TIME:
      g_value_set_int64 (value, audio_cast_tuning_buffer_time (tuning));
      return TRUE;
    case AUDIO_CAST_STREAM_PROP_LATENCY_TIME:
      g_value_set_int64 (value, audio_cast_tuning_latency_time (tuning));
      return TRUE;
    case AUDIO_CAST_STREAM_PROP_FADE_TIME:
      g_value_set_int64 (value, tuning->fade_time);
      return TRUE;
    case AUDIO_CAST_STREAM_PROP_LATENCY_MODE:
      g_value_set_enum (value, tuning->latency_mode);
      return TRUE;
    default:
      return FALSE;
  }
}

gboolean
audio_cast_stats_get_property (AudioCastQueue *queue,
    AudioCastStreamProperty property, GValue *value)
{
  AudioCastQueueStats read = { 0, };
  const AudioCastQueueStats *stats = &read;

  if (property < AUDIO_CAST_STREAM_PROP_FRAMES_WRITTEN
      || property >= AUDIO_CAST_N_STREAM_PROPS)
    return FALSE;
  if (queue)
    audio_cast_queue_get_stats (queue, &read);

  switch (property) {
    case AUDIO_CAST_STREAM_PROP_FRAMES_WRITTEN:
      g_value_set_uint64 (value, stats->written);
      return TRUE;
    case AUDIO_CAST_STREAM_PROP_FRAMES_PLAYED:
      g_value_set_uint64 (value, stats->played);
      return TRUE;
    case AUDIO_CAST_STREAM_PROP_FRAMES_CLEARED:
      g_value_set_uint64 (value, stats->cleared);
      return TRUE;
    case AUDIO_CAST_STREAM_PROP_BUFFERED_FRAMES:
      g_value_set_uint64 (value, stats->buffered);
      return TRUE;
    case AUDIO_CAST_STREAM_PROP_UNDERRUNS:
      g_value_set_uint (value, stats->underruns);
      return TRUE;
    default:
      return FALSE;
  }
}

gboolean
audio_cast_check_stream_request (guint rate, guint channels,
    gint64 latency_time, gint64 buffer_time, GError **error)
{
  if (rate > AUDIO_CAST_MAX_SAMPLE_RATE) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "sample rate %u Hz is out of range: use 1 to %u Hz, or 0 for the "
        "device's own rate", rate, AUDIO_CAST_MAX_SAMPLE_RATE);
    return FALSE;
  }
  if (channels > AUDIO_CAST_MAX_CHANNELS) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "%u channels is out of range: use 1 to %u, or 0 for the device's "
        "own count", channels, AUDIO_CAST_MAX_CHANNELS);
    return FALSE;
  }
  if (latency_time > buffer_time) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "latency-time (%" G_GINT64_FORMAT " µs) is longer than buffer-time (%"
        G_GINT64_FORMAT " µs)", latency_time, buffer_time);
    return FALSE;
  }
  return TRUE;
}
