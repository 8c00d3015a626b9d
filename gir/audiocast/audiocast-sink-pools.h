/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Buffer pools for the conversion inside AudioCastSink, so that the
 * streaming thread allocates no buffer per period when the input format is
 * not the device's (the player's usual case: 22050 Hz mono into a 48 kHz
 * stereo device). Used by audiocast-sink.c only. */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* Makes @transform (audioconvert, audioresample) take its output buffers
 * from a pool of its own when nothing downstream offers one: a
 * GstBaseTransform that is not in passthrough otherwise allocates every
 * output buffer. The buffers hold the longest output of one input buffer,
 * which is at most one period of *@period_us microseconds (read
 * atomically when the pool is set up). */
void audio_cast_sink_pool_output (GstElement *transform,
    const guint *period_us);

G_END_DECLS
