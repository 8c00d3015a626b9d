/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "audiocast-sink.h"
#include "audiocast-queue.h"

#include <gst/audio/audio.h>

G_BEGIN_DECLS

/* For the player, which writes into the ring without a pad in between. */
AudioCastQueue *audio_cast_sink_get_queue (AudioCastSink *self);

/* The device's own format when known (after NULL→READY): the sample format,
 * rate and channels audioconvert/audioresample produce. */
gboolean audio_cast_sink_get_device_format (AudioCastSink *self,
                                            GstAudioInfo *info);

/* Whether the device opened (after NULL→READY) may have its stream made
 * before the first write. */
gboolean audio_cast_sink_device_opens_early (AudioCastSink *self);

G_END_DECLS
