/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The player's input checks and conversion; see audiocast-player-input.h. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-error.h"
#include "audiocast-player-input.h"

#include <math.h>
#include <string.h>

GstAudioFormat
audio_cast_sample_format_to_gst (AudioCastSampleFormat format)
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

GstAudioFormat
audio_cast_sample_format_check (AudioCastSampleFormat format, GError **error)
{
  GstAudioFormat gst_format = audio_cast_sample_format_to_gst (format);

  if (gst_format == GST_AUDIO_FORMAT_UNKNOWN)
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "unknown sample format %d: use S16LE, S32LE, F32LE or F64LE", format);
  return gst_format;
}

gsize
audio_cast_sample_format_bpf (AudioCastSampleFormat format, guint channels)
{
  GstAudioFormat gst_format = audio_cast_sample_format_to_gst (format);

  if (gst_format == GST_AUDIO_FORMAT_UNKNOWN)
    return 0;
  return GST_AUDIO_FORMAT_INFO_WIDTH (gst_audio_format_get_info (gst_format))
      / 8 * (gsize) channels;
}

void
audio_cast_player_input_init (AudioCastPlayerInput *input, guint rate,
    guint channels)
{
  memset (input, 0, sizeof *input);
  input->rate = rate;
  input->channels = channels;
}

void
audio_cast_player_input_clear (AudioCastPlayerInput *input)
{
  g_clear_pointer (&input->converter, gst_audio_converter_free);
  g_clear_pointer (&input->converted, g_free);
  g_clear_pointer (&input->sanitized, g_free);
  input->converted_size = input->sanitized_size = 0;
}

void
audio_cast_player_input_info (const AudioCastPlayerInput *input,
    AudioCastSampleFormat format, GstAudioInfo *info)
{
  gst_audio_info_set_format (info, audio_cast_sample_format_to_gst (format), input->rate,
      input->channels, NULL);
}

gboolean
audio_cast_player_input_count_frames (const AudioCastPlayerInput *input,
    AudioCastSampleFormat format, gsize size, gsize *frames, GError **error)
{
  gsize bpf;

  if (audio_cast_sample_format_check (format, error)
      == GST_AUDIO_FORMAT_UNKNOWN)
    return FALSE;
  if (input->channels == 0) {
    g_set_error_literal (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_CLOSED,
        "the player was never opened: make it with audio_cast_player_new() "
        "or g_initable_new()");
    return FALSE;
  }
  bpf = audio_cast_sample_format_bpf (format, input->channels);
  if (size % bpf != 0) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_INVALID_ARGUMENT,
        "%" G_GSIZE_FORMAT " bytes is not a whole number of frames: a frame "
        "of %u channels is %" G_GSIZE_FORMAT " bytes", size, input->channels,
        bpf);
    return FALSE;
  }
  *frames = size / bpf;
  return TRUE;
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

/* Returns @data, or a copy with every NaN and infinity replaced by
 * silence, so none reaches the device. */
static const guint8 *
sanitize_floats (AudioCastPlayerInput *input, AudioCastSampleFormat format,
    const guint8 *data, gsize size)
{
  gsize n, i, first_bad;

  if (format == AUDIO_CAST_SAMPLE_FORMAT_F32LE) {
    n = size / sizeof (gfloat);
    first_bad = first_non_finite_f32 (data, n);
    if (first_bad != G_MAXSIZE) {
      gfloat *out = (gfloat *) ensure_buffer (&input->sanitized,
          &input->sanitized_size, size);
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
      gdouble *out = (gdouble *) ensure_buffer (&input->sanitized,
          &input->sanitized_size, size);
      memcpy (out, data, size);
      for (i = first_bad; i < n; i++)
        if (!isfinite (out[i]))
          out[i] = 0.0;
      return (const guint8 *) out;
    }
  }
  return data;
}

/* @frames of @format as the stream's format, via GStreamer's converter. */
static const guint8 *
convert_to_stream (AudioCastPlayerInput *input, AudioCastSampleFormat format,
    const guint8 *data, gsize frames)
{
  gpointer in[1] = { (gpointer) data };
  gpointer out[1];
  GstAudioInfo stream;

  audio_cast_player_input_info (input, input->stream_format, &stream);
  if (input->converter == NULL || input->converter_format != format) {
    GstAudioInfo from;

    g_clear_pointer (&input->converter, gst_audio_converter_free);
    audio_cast_player_input_info (input, format, &from);
    /* Exact sample values: no dither or noise shaping added. */
    input->converter = gst_audio_converter_new (GST_AUDIO_CONVERTER_FLAG_NONE,
        &from, &stream, gst_structure_new ("options",
            GST_AUDIO_CONVERTER_OPT_DITHER_METHOD, GST_TYPE_AUDIO_DITHER_METHOD,
            GST_AUDIO_DITHER_NONE, NULL));
    input->converter_format = format;
  }
  out[0] = ensure_buffer (&input->converted, &input->converted_size,
      frames * GST_AUDIO_INFO_BPF (&stream));
  if (!gst_audio_converter_samples (input->converter, 0, in, frames, out,
          frames))
    return NULL;
  return out[0];
}

const guint8 *
audio_cast_player_input_prepare (AudioCastPlayerInput *input,
    AudioCastSampleFormat format, const guint8 *data, gsize frames)
{
  GstAudioInfo info;
  const guint8 *samples;

  audio_cast_player_input_info (input, format, &info);
  samples = sanitize_floats (input, format, data,
      frames * GST_AUDIO_INFO_BPF (&info));
  if (format != input->stream_format)
    samples = convert_to_stream (input, format, samples, frames);
  return samples;
}
