/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* AudioCastPlayer's instance, shared by audiocast-player.c (its life and
 * its calls) and audiocast-player-properties.c (its GObject properties).
 * Private to the library. */

#pragma once

#include "audiocast-callback-private.h"
#include "audiocast-player.h"
#include "audiocast-pipeline-failure.h"
#include "audiocast-player-input.h"
#include "audiocast-queue.h"
#include "audiocast-sink.h"
#include "audiocast-stream-properties.h"

G_BEGIN_DECLS

struct _AudioCastPlayer
{
  GObject parent;

  /* Construct-only. */
  gchar *device;
  gchar *server;                /* PulseAudio-protocol address; NULL: default */
  guint requested_rate;
  guint requested_channels;
  AudioCastTuning tuning;

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
  AudioCastPlayerInput input;

  AudioCastPipelineFailure failure;       /* has a lock of its own */

  /* Callback mode on the player's own audio (audiocast-callback.c). */
  AudioCastCallbackSlot callback;
};

enum
{
  PROP_0,
  PROP_DEVICE,
  PROP_SERVER,
  PROP_SAMPLE_RATE,
  PROP_CHANNELS,
  PROP_DEVICE_SAMPLE_RATE,
  PROP_DEVICE_CHANNELS,
  PROP_ACTIVE,
  PROP_LATENCY,
  /* then the tuning and statistics, audiocast-stream-properties.h */
  PROP_STREAM_FIRST,
};

extern GParamSpec *audio_cast_player_properties[PROP_STREAM_FIRST];

void audio_cast_player_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec);
void audio_cast_player_get_property (GObject *object, guint prop_id,
    GValue *value, GParamSpec *pspec);
void audio_cast_player_install_properties (GObjectClass *object_class);

G_END_DECLS
