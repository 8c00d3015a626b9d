/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The properties AudioCastSink and AudioCastPlayer share: the buffering
 * and clear tuning, and the statistics of the ring. One definition of each
 * (name, range, default, meaning) so that the element and the player cannot
 * drift apart. A class numbers its own properties first and hands the id
 * after them to audio_cast_stream_properties_install(); the shared ones
 * follow in the order of AudioCastStreamProperty. */

#pragma once

#include "audiocast-queue.h"
#include "audiocast-enum-types.h"
#include "audiocast-sink.h"

#include <glib-object.h>

G_BEGIN_DECLS

#define AUDIO_CAST_DEFAULT_BUFFER_TIME_US (2 * G_USEC_PER_SEC)
#define AUDIO_CAST_DEFAULT_LATENCY_TIME_US (10 * 1000)
#define AUDIO_CAST_DEFAULT_FADE_TIME_US 0
#define AUDIO_CAST_DEFAULT_LATENCY_MODE AUDIO_CAST_LATENCY_MODE_DEFAULT

/* AUDIO_CAST_LATENCY_MODE_LOW's period and ring, in microseconds and in
 * periods (see audio_cast_tuning_latency_time()). A writer blocked on a
 * ring of one period is woken as the device takes each period, and a late
 * one is waited for (audiocast-queue-late-write.c): measured with the other
 * core busy, one period had no gap in 10 s and was heard 2.5 ms sooner than
 * two. */
#define AUDIO_CAST_LOW_LATENCY_TIME_US 2500
#define AUDIO_CAST_LOW_LATENCY_RING_PERIODS 1

typedef enum
{
  AUDIO_CAST_STREAM_PROP_BUFFER_TIME,
  AUDIO_CAST_STREAM_PROP_LATENCY_TIME,
  AUDIO_CAST_STREAM_PROP_FADE_TIME,
  AUDIO_CAST_STREAM_PROP_LATENCY_MODE,
  AUDIO_CAST_STREAM_PROP_FRAMES_WRITTEN,
  AUDIO_CAST_STREAM_PROP_FRAMES_PLAYED,
  AUDIO_CAST_STREAM_PROP_FRAMES_CLEARED,
  AUDIO_CAST_STREAM_PROP_BUFFERED_FRAMES,
  AUDIO_CAST_STREAM_PROP_UNDERRUNS,
  AUDIO_CAST_N_STREAM_PROPS
} AudioCastStreamProperty;

/* The tuning properties' values as set, times in microseconds. The owner
 * guards them (the sink with its object lock; the player sets them only at
 * construction). Read the period and the ring through the functions below,
 * which apply the latency mode. */
typedef struct
{
  gint64 buffer_time;
  gint64 latency_time;
  gint64 fade_time;
  AudioCastLatencyMode latency_mode;
} AudioCastTuning;

void audio_cast_tuning_init (AudioCastTuning *tuning);

/* The period and the ring capacity in effect, in microseconds: what was
 * set, except that in AUDIO_CAST_LATENCY_MODE_LOW a period left at its
 * default is AUDIO_CAST_LOW_LATENCY_TIME_US and a ring left at its default
 * holds AUDIO_CAST_LOW_LATENCY_RING_PERIODS periods. A value set equal to
 * the default counts as left at it: GObject gives a construct-only
 * property its default when nothing is set, so the two cannot be told
 * apart. */
gint64 audio_cast_tuning_latency_time (const AudioCastTuning *tuning);
gint64 audio_cast_tuning_buffer_time (const AudioCastTuning *tuning);

/* The player's and the recorder's shared checks of what they are asked
 * for: a rate up to AUDIO_CAST_MAX_SAMPLE_RATE and a channel count up to
 * AUDIO_CAST_MAX_CHANNELS (0: the device's own), a period no longer than
 * the buffer. FALSE with @error set (AUDIO_CAST_ERROR_INVALID_ARGUMENT,
 * naming what is accepted). */
#define AUDIO_CAST_MAX_SAMPLE_RATE 384000
gboolean audio_cast_check_stream_request (guint rate, guint channels,
    gint64 latency_time, gint64 buffer_time, GError **error);

/* Installs the shared properties with ids @first_id onwards. The tuning is
 * readable and writable with @tuning_flags added (construct-only for the
 * player, mutable in READY for the element). */
void audio_cast_stream_properties_install (GObjectClass *klass,
    guint first_id, GParamFlags tuning_flags);

/* Each returns FALSE, touching nothing, when @property is not one of its
 * group. */
gboolean audio_cast_tuning_set_property (AudioCastTuning *tuning,
    AudioCastStreamProperty property, const GValue *value);
gboolean audio_cast_tuning_get_property (const AudioCastTuning *tuning,
    AudioCastStreamProperty property, GValue *value);
/* Reads the statistics of @queue (zeros while it is NULL) only for a
 * statistics property. Takes the queue's lock: call it without other
 * locks held. */
gboolean audio_cast_stats_get_property (AudioCastQueue *queue,
    AudioCastStreamProperty property, GValue *value);

G_END_DECLS
