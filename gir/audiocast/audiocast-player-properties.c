/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* AudioCastPlayer's GObject properties, each with its documentation. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-player-private.h"

void
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
    default:
      if (prop_id < PROP_STREAM_FIRST
          || !audio_cast_tuning_set_property (&self->tuning,
              prop_id - PROP_STREAM_FIRST, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

void
audio_cast_player_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
  AudioCastPlayer *self = AUDIO_CAST_PLAYER (object);

  if (prop_id >= PROP_STREAM_FIRST) {
    if (!audio_cast_tuning_get_property (&self->tuning,
            prop_id - PROP_STREAM_FIRST, value)
        && !audio_cast_stats_get_property (self->queue,
            prop_id - PROP_STREAM_FIRST, value))
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }

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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

/* The properties, each with its documentation. */
void
audio_cast_player_install_properties (GObjectClass *object_class)
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
  audio_cast_player_properties[PROP_DEVICE] =
      g_param_spec_string ("device", "Device",
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
  audio_cast_player_properties[PROP_SERVER] =
      g_param_spec_string ("server", "Server",
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
  audio_cast_player_properties[PROP_SAMPLE_RATE] =
      g_param_spec_uint ("sample-rate",
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
  audio_cast_player_properties[PROP_CHANNELS] =
      g_param_spec_uint ("channels", "Channels",
      "Channels of the samples written (0: the device's)", 0, G_MAXUINT, 0,
      construct);

  /**
   * AudioCastPlayer:device-sample-rate:
   *
   * The rate the device plays at, in Hz.
   *
   * Since: 0.1
   */
  audio_cast_player_properties[PROP_DEVICE_SAMPLE_RATE] =
      g_param_spec_uint
      ("device-sample-rate", "Device sample rate", "Rate the device plays at",
      0, G_MAXUINT, 0, ro);

  /**
   * AudioCastPlayer:device-channels:
   *
   * The channel count the device plays.
   *
   * Since: 0.1
   */
  audio_cast_player_properties[PROP_DEVICE_CHANNELS] =
      g_param_spec_uint ("device-channels",
      "Device channels", "Channels the device plays", 0, G_MAXUINT, 0, ro);

  /**
   * AudioCastPlayer:active:
   *
   * `TRUE` until the player is stopped.
   *
   * Since: 0.1
   */
  audio_cast_player_properties[PROP_ACTIVE] =
      g_param_spec_boolean ("active", "Active",
      "Whether the player plays (not stopped)", FALSE, ro);

  /**
   * AudioCastPlayer:latency:
   *
   * The current output latency in microseconds.
   *
   * Since: 0.1
   */
  audio_cast_player_properties[PROP_LATENCY] =
      g_param_spec_int64 ("latency", "Latency",
      "Current output latency in microseconds", 0, G_MAXINT64, 0, ro);

  g_object_class_install_properties (object_class, PROP_STREAM_FIRST,
      audio_cast_player_properties);
  audio_cast_stream_properties_install (object_class, PROP_STREAM_FIRST,
      G_PARAM_CONSTRUCT_ONLY);
}

