/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* AudioCastRecorder's GObject properties, each with its documentation. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-recorder-private.h"
#include "audiocast-stream-properties.h"

void
audio_cast_recorder_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  AudioCastRecorder *self = AUDIO_CAST_RECORDER (object);

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
    case PROP_FORMAT:
      self->format = g_value_get_enum (value);
      break;
    case PROP_BUFFER_TIME:
      self->buffer_time = g_value_get_int64 (value);
      break;
    case PROP_LATENCY_TIME:
      self->latency_time = g_value_get_int64 (value);
      break;
    case PROP_ECHO_CANCEL:
      self->echo_player = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

void
audio_cast_recorder_get_property (GObject *object, guint prop_id,
    GValue *value, GParamSpec *pspec)
{
  AudioCastRecorder *self = AUDIO_CAST_RECORDER (object);

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
    case PROP_FORMAT:
      g_value_set_enum (value, self->format);
      break;
    case PROP_BUFFER_TIME:
      g_value_set_int64 (value, self->buffer_time);
      break;
    case PROP_LATENCY_TIME:
      g_value_set_int64 (value, self->latency_time);
      break;
    case PROP_ECHO_CANCEL:
      g_value_set_object (value, self->echo_player);
      break;
    case PROP_DEVICE_SAMPLE_RATE:
      g_value_set_uint (value, self->device_rate);
      break;
    case PROP_DEVICE_CHANNELS:
      g_value_set_uint (value, self->device_channels);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, audio_cast_recorder_get_active (self));
      break;
    case PROP_LATENCY:
      g_value_set_int64 (value, audio_cast_recorder_get_latency (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

/* The properties, each with its documentation. */
void
audio_cast_recorder_install_properties (GObjectClass *object_class)
{
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY
      | G_PARAM_STATIC_STRINGS;

  /**
   * AudioCastRecorder:device:
   *
   * The input device's name, or a part of its name or description; `NULL`
   * for the default input.
   *
   * Since: 0.1
   */
  audio_cast_recorder_properties[PROP_DEVICE] =
      g_param_spec_string ("device", "Device",
      "Input device (NULL: default)", NULL, construct);

  /**
   * AudioCastRecorder:server:
   *
   * The sound server to record from, by its PulseAudio protocol address
   * (as [property@Player:server] takes it); `NULL` for the default server.
   * [property@Recorder:device] then names one of that server's sources
   * (see [func@list_input_devices_on]).
   *
   * Since: 0.1
   */
  audio_cast_recorder_properties[PROP_SERVER] =
      g_param_spec_string ("server", "Server",
      "Sound server address (tcp:HOST:PORT, unix:PATH; NULL: default)", NULL,
      construct);

  /**
   * AudioCastRecorder:sample-rate:
   *
   * The rate of the frames read, in Hz. Set 0 to take the device's; reads
   * back the rate in use.
   *
   * Since: 0.1
   */
  audio_cast_recorder_properties[PROP_SAMPLE_RATE] =
      g_param_spec_uint ("sample-rate",
      "Sample rate", "Rate of the frames read (0: the device's)", 0,
      G_MAXUINT, 0, construct);

  /**
   * AudioCastRecorder:channels:
   *
   * The channel count of the frames read. Set 0 to take the device's;
   * reads back the count in use.
   *
   * Since: 0.1
   */
  audio_cast_recorder_properties[PROP_CHANNELS] =
      g_param_spec_uint ("channels", "Channels",
      "Channels of the frames read (0: the device's)", 0, G_MAXUINT, 0,
      construct);

  /**
   * AudioCastRecorder:format:
   *
   * The sample format of the frames read, interleaved.
   *
   * Since: 0.1
   */
  audio_cast_recorder_properties[PROP_FORMAT] =
      g_param_spec_enum ("format", "Format",
      "Sample format of the frames read", AUDIO_CAST_TYPE_SAMPLE_FORMAT,
      AUDIO_CAST_SAMPLE_FORMAT_F32LE, construct);

  /**
   * AudioCastRecorder:buffer-time:
   *
   * How much audio the ring holds, in microseconds: how far a reader may
   * fall behind before the oldest audio is dropped.
   *
   * Since: 0.1
   */
  audio_cast_recorder_properties[PROP_BUFFER_TIME] =
      g_param_spec_int64 ("buffer-time",
      "Buffer time", "Ring capacity in microseconds", 1000,
      G_MAXINT64 / 1000, AUDIO_CAST_DEFAULT_BUFFER_TIME_US, construct);

  /**
   * AudioCastRecorder:latency-time:
   *
   * The device period asked for, in microseconds: how often the device
   * hands over what it captured.
   *
   * Since: 0.1
   */
  audio_cast_recorder_properties[PROP_LATENCY_TIME] =
      g_param_spec_int64 ("latency-time",
      "Latency time", "Device period in microseconds", 1000, G_USEC_PER_SEC,
      AUDIO_CAST_DEFAULT_LATENCY_TIME_US, construct);

  /**
   * AudioCastRecorder:echo-cancel:
   *
   * A player whose sound the microphone picks up: the recorder removes it
   * from what it records (acoustic echo cancellation, with GStreamer's
   * webrtcdsp), fed with exactly what the player's device plays and when
   * it is heard — the silence after a clear or while idle included, and
   * across format changes. The player must be playing, on the recorder's
   * server. `NULL`: no echo cancellation.
   *
   * Since: 0.1
   */
  audio_cast_recorder_properties[PROP_ECHO_CANCEL] =
      g_param_spec_object ("echo-cancel", "Echo cancel",
      "Player whose sound to remove from the recording (NULL: none)",
      AUDIO_CAST_TYPE_PLAYER, construct);

  /**
   * AudioCastRecorder:device-sample-rate:
   *
   * The rate the device records at, in Hz (0: the device did not say).
   *
   * Since: 0.1
   */
  audio_cast_recorder_properties[PROP_DEVICE_SAMPLE_RATE] =
      g_param_spec_uint
      ("device-sample-rate", "Device sample rate",
      "Rate the device records at", 0, G_MAXUINT, 0, ro);

  /**
   * AudioCastRecorder:device-channels:
   *
   * The channel count the device records (0: the device did not say).
   *
   * Since: 0.1
   */
  audio_cast_recorder_properties[PROP_DEVICE_CHANNELS] =
      g_param_spec_uint ("device-channels",
      "Device channels", "Channels the device records", 0, G_MAXUINT, 0, ro);

  /**
   * AudioCastRecorder:active:
   *
   * `TRUE` until the recorder is stopped or its device failed.
   *
   * Since: 0.1
   */
  audio_cast_recorder_properties[PROP_ACTIVE] =
      g_param_spec_boolean ("active", "Active",
      "Whether the recorder records", FALSE, ro);

  /**
   * AudioCastRecorder:latency:
   *
   * The capture latency in microseconds (see
   * [method@Recorder.get_latency]).
   *
   * Since: 0.1
   */
  audio_cast_recorder_properties[PROP_LATENCY] =
      g_param_spec_int64 ("latency", "Latency",
      "Capture latency in microseconds", 0, G_MAXINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS,
      audio_cast_recorder_properties);
}

