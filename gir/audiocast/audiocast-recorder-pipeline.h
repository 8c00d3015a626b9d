/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The recorder's pipeline, put together once its source is chosen.
 * Private to the library. */

#pragma once

#include "audiocast-recorder-private.h"

G_BEGIN_DECLS

/* source ! [device caps] ! audioconvert ! audioresample [! echo canceller]
 * ! capsfilter ! capture sink, in @self's pipeline (which takes @src).
 * FALSE with @error set when an element is missing or will not link. */
gboolean audio_cast_recorder_build_pipeline (AudioCastRecorder *self,
    GstElement *src, GError **error);

G_END_DECLS
