/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* AudioCastRecorder's instance, shared by audiocast-recorder.c (its life
 * and its reads) and audiocast-recorder-properties.c (its GObject
 * properties). Private to the library. */

#pragma once

#include "audiocast-recorder.h"
#include "audiocast-capture-ring.h"
#include "audiocast-echo-canceller.h"
#include "audiocast-pipeline-failure.h"

G_BEGIN_DECLS

struct _AudioCastRecorder
{
  GObject parent;

  /* Construct-only. */
  gchar *device;
  gchar *server;
  guint requested_rate;
  guint requested_channels;
  AudioCastSampleFormat format;
  gint64 buffer_time;           /* µs of audio the ring holds */
  gint64 latency_time;          /* µs: the device period asked for */
  AudioCastPlayer *echo_player; /* (owned) whose sound to cancel; nullable */

  /* Set by init, then read-only. */
  guint rate;
  guint channels;
  guint device_rate;
  guint device_channels;
  gsize bpf;
  GstElement *pipeline;
  GstElement *capture;          /* the capture sink, owned by the pipeline */
  gboolean have_ring;
  AudioCastCaptureRing ring;    /* has a lock of its own */
  AudioCastEchoCanceller *echo; /* with echo_player */

  gint stopped;                 /* atomic */
  gint failed;                  /* atomic: the pipeline posted an error */

  /* read_lock: one reader at a time, so that the frames of one read are
   * contiguous. Only ever tried (g_mutex_trylock): a second reader fails
   * with AUDIO_CAST_ERROR_BUSY rather than wait behind a read that may
   * block for as long as its timeout. */
  GMutex read_lock;

  AudioCastPipelineFailure failure;     /* has a lock of its own */
};

enum
{
  PROP_0,
  PROP_DEVICE,
  PROP_SERVER,
  PROP_SAMPLE_RATE,
  PROP_CHANNELS,
  PROP_FORMAT,
  PROP_BUFFER_TIME,
  PROP_LATENCY_TIME,
  PROP_ECHO_CANCEL,
  PROP_DEVICE_SAMPLE_RATE,
  PROP_DEVICE_CHANNELS,
  PROP_ACTIVE,
  PROP_LATENCY,
  N_PROPS
};

extern GParamSpec *audio_cast_recorder_properties[N_PROPS];

void audio_cast_recorder_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec);
void audio_cast_recorder_get_property (GObject *object, guint prop_id,
    GValue *value, GParamSpec *pspec);
void audio_cast_recorder_install_properties (GObjectClass *object_class);

G_END_DECLS
