/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Sample formats and channel positions between GStreamer's names and a
 * PulseAudio-protocol server's: one table each, read both ways, so that
 * what a sink is found to play (audiocast-pulse.c) and what our stream
 * asks for (audiocast-pulse-ring.c) cannot disagree. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-pulse-format.h"

static const struct
{
  GstAudioFormat gst;
  pa_sample_format_t pulse;
} formats[] = {
  {GST_AUDIO_FORMAT_U8, PA_SAMPLE_U8},
  {GST_AUDIO_FORMAT_S16LE, PA_SAMPLE_S16LE},
  {GST_AUDIO_FORMAT_S16BE, PA_SAMPLE_S16BE},
  {GST_AUDIO_FORMAT_S24LE, PA_SAMPLE_S24LE},
  {GST_AUDIO_FORMAT_S24BE, PA_SAMPLE_S24BE},
  {GST_AUDIO_FORMAT_S24_32LE, PA_SAMPLE_S24_32LE},
  {GST_AUDIO_FORMAT_S24_32BE, PA_SAMPLE_S24_32BE},
  {GST_AUDIO_FORMAT_S32LE, PA_SAMPLE_S32LE},
  {GST_AUDIO_FORMAT_S32BE, PA_SAMPLE_S32BE},
  {GST_AUDIO_FORMAT_F32LE, PA_SAMPLE_FLOAT32LE},
  {GST_AUDIO_FORMAT_F32BE, PA_SAMPLE_FLOAT32BE},
};

static const struct
{
  GstAudioChannelPosition gst;
  pa_channel_position_t pulse;
} positions[] = {
  {GST_AUDIO_CHANNEL_POSITION_MONO, PA_CHANNEL_POSITION_MONO},
  {GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT, PA_CHANNEL_POSITION_FRONT_LEFT},
  {GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT, PA_CHANNEL_POSITION_FRONT_RIGHT},
  {GST_AUDIO_CHANNEL_POSITION_FRONT_CENTER, PA_CHANNEL_POSITION_FRONT_CENTER},
  {GST_AUDIO_CHANNEL_POSITION_LFE1, PA_CHANNEL_POSITION_LFE},
  {GST_AUDIO_CHANNEL_POSITION_REAR_LEFT, PA_CHANNEL_POSITION_REAR_LEFT},
  {GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT, PA_CHANNEL_POSITION_REAR_RIGHT},
  {GST_AUDIO_CHANNEL_POSITION_REAR_CENTER, PA_CHANNEL_POSITION_REAR_CENTER},
  {GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT, PA_CHANNEL_POSITION_SIDE_LEFT},
  {GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT, PA_CHANNEL_POSITION_SIDE_RIGHT},
  {GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT_OF_CENTER,
      PA_CHANNEL_POSITION_FRONT_LEFT_OF_CENTER},
  {GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT_OF_CENTER,
      PA_CHANNEL_POSITION_FRONT_RIGHT_OF_CENTER},
};

/* PA_SAMPLE_INVALID: a format the server has no name for. */
pa_sample_format_t
audio_cast_pulse_format_from_gst (GstAudioFormat format)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].gst == format)
      return formats[i].pulse;
  return PA_SAMPLE_INVALID;
}

/* GST_AUDIO_FORMAT_UNKNOWN: one audiocast does not play (A-law, mu-law). */
GstAudioFormat
audio_cast_pulse_format_to_gst (pa_sample_format_t format)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].pulse == format)
      return formats[i].gst;
  return GST_AUDIO_FORMAT_UNKNOWN;
}

static pa_channel_position_t
position_from_gst (GstAudioChannelPosition position)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (positions); i++)
    if (positions[i].gst == position)
      return positions[i].pulse;
  return PA_CHANNEL_POSITION_INVALID;
}

/* The server's channel map for @info: its own positions where GStreamer's
 * have a PulseAudio name, else the server's default map for the count
 * (unpositioned channels, or ones it has no name for). */
void
audio_cast_pulse_channel_map_for (const GstAudioInfo *info,
    pa_channel_map *map)
{
  gint i, channels = GST_AUDIO_INFO_CHANNELS (info);

  pa_channel_map_init (map);
  map->channels = channels;
  for (i = 0; i < channels; i++) {
    map->map[i] = GST_AUDIO_INFO_IS_UNPOSITIONED (info)
        ? PA_CHANNEL_POSITION_INVALID : position_from_gst (info->position[i]);
    if (map->map[i] == PA_CHANNEL_POSITION_INVALID) {
      pa_channel_map_init_extend (map, channels, PA_CHANNEL_MAP_DEFAULT);
      return;
    }
  }
}
