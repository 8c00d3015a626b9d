/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What AudioCastPlayer does to the samples an application writes before
 * they go into the ring: checks them, plays NaN and infinity as silence,
 * and converts writes in another sample format to the stream's (the format
 * of the first write), with GStreamer's converter. */

#pragma once

#include "audiocast-player.h"

#include <gst/audio/audio.h>

G_BEGIN_DECLS

/* Owned by the player and used under its write lock only. */
typedef struct
{
  guint rate;
  guint channels;
  gboolean have_stream_format;
  AudioCastSampleFormat stream_format;  /* of the first write */
  GstAudioConverter *converter;         /* from converter_format to it */
  AudioCastSampleFormat converter_format;
  /* Reused between writes; see ensure_buffer(). */
  guint8 *converted;
  gsize converted_size;
  guint8 *sanitized;
  gsize sanitized_size;
} AudioCastPlayerInput;

/* GStreamer's name for @format; GST_AUDIO_FORMAT_UNKNOWN for a value that
 * is none of AudioCastSampleFormat's. */
GstAudioFormat audio_cast_sample_format_to_gst (AudioCastSampleFormat format);
/* The same, with @error set (naming the accepted formats) for a value that
 * is none of them. */
GstAudioFormat audio_cast_sample_format_check (AudioCastSampleFormat format,
    GError **error);
/* Bytes per frame of @channels channels of @format; 0 for an unknown one. */
gsize audio_cast_sample_format_bpf (AudioCastSampleFormat format,
    guint channels);

void audio_cast_player_input_init (AudioCastPlayerInput *input, guint rate,
    guint channels);
void audio_cast_player_input_clear (AudioCastPlayerInput *input);

/* How many frames @size bytes of @format are: FALSE with @error set
 * (AUDIO_CAST_ERROR_INVALID_ARGUMENT) for an unknown format or a partial
 * frame. Needs no lock. */
gboolean audio_cast_player_input_count_frames (const AudioCastPlayerInput *input,
    AudioCastSampleFormat format, gsize size, gsize *frames, GError **error);

/* The stream's caps for samples in @format at the input's rate and
 * channels. */
void audio_cast_player_input_info (const AudioCastPlayerInput *input,
    AudioCastSampleFormat format, GstAudioInfo *info);

/* @frames frames of @format as the stream's format, free of NaN and
 * infinity: @data itself when nothing needs changing, else a buffer the
 * input owns until the next call. NULL when the converter failed. */
const guint8 *audio_cast_player_input_prepare (AudioCastPlayerInput *input,
    AudioCastSampleFormat format, const guint8 *data, gsize frames);

G_END_DECLS
