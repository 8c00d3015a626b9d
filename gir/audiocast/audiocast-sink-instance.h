/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The instance of AudioCastSink, for the files that make up the element
 * (audiocast-sink.c: the bin, its properties and states;
 * audiocast-sink-device.c: the device in it). Nothing else sees it. */

#pragma once

#include "audiocast-sink.h"
#include "audiocast-queue.h"
#include "audiocast-stream-properties.h"
#include "audiocast-pulse.h"

#include <gst/gst.h>

G_BEGIN_DECLS

struct _AudioCastSink
{
  GstBin parent;

  GstPad *ghostpad;
  AudioCastQueue *queue;
  GstElement *convert;
  GstElement *resample;
  GstElement *capsfilter;
  GstElement *device_sink;      /* the platform sink in use, in the bin */
  GstElement *placeholder;      /* in the bin while device_sink is not */
  /* The PulseAudio-protocol sink asked about when the platform sink was
   * chosen (NULL to READY), for its timing; taken by the timing. */
  AudioCastPulseDevice *probed;
  /* The period the conversion's buffer pools are sized for (atomic: read
   * by their allocation queries, in the streaming thread). */
  guint pool_period_us;

  /* Properties, guarded by the object lock. */
  gchar *device;
  gchar *server;
  GstElement *audio_sink;
  AudioCastTuning tuning;
  gboolean sync;
  gboolean async;
  /* From the device opened: how long after its running time a frame is
   * heard at the least (the device's buffer, a period, PipeWire's quantum),
   * for live pipelines' latency. */
  GstClockTime device_latency;
};

G_END_DECLS
