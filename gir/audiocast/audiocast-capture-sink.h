/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The end of a recorder's pipeline: a sink that copies each buffer into
 * the recorder's capture ring, with the time its first frame was captured.
 * Private to the library. */

#pragma once

#include "audiocast-capture-ring.h"

#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

#define AUDIO_CAST_TYPE_CAPTURE_SINK (audio_cast_capture_sink_get_type ())
G_DECLARE_FINAL_TYPE (AudioCastCaptureSink, audio_cast_capture_sink,
    AUDIO_CAST, CAPTURE_SINK, GstBaseSink)

/* @ring must outlive the element (the recorder stops the pipeline and
 * drops the element before it clears the ring). */
GstElement *audio_cast_capture_sink_new (AudioCastCaptureRing *ring);

G_END_DECLS
