/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What audiocast-mixer.c asks of a stream (audiocast-mixer-stream.c).
 * Called by the rendering thread with the mixer's streams_lock held, except
 * new and free. */

#pragma once

#include "audiocast-mixer.h"

G_BEGIN_DECLS

AudioCastMixerStream *audio_cast_mixer_stream_new (const GstAudioInfo *info,
    const GstAudioInfo *mix_info, guint64 capacity, guint max_period_frames,
    guint64 rendered, GError **error);
void audio_cast_mixer_stream_free (AudioCastMixerStream *stream);
gboolean audio_cast_mixer_stream_set_mix_format (AudioCastMixerStream *stream,
    const GstAudioInfo *mix_info, guint max_period_frames);

/* Adds the stream's next @frames frames of the mix format, at its gain, to
 * @out, which starts at timeline position @t; FALSE when the stream had
 * nothing to add (idle). */
gboolean audio_cast_mixer_stream_render_add (AudioCastMixerStream *stream,
    gfloat *out, guint frames, guint64 t);
void audio_cast_mixer_stream_set_heard (AudioCastMixerStream *stream,
    guint64 heard);
void audio_cast_mixer_stream_rewind (AudioCastMixerStream *stream,
    guint64 heard, guint64 rendered);

G_END_DECLS
