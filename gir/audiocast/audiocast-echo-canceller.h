/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Echo cancellation for a recorder: GStreamer's webrtcdsp in the
 * recorder's pipeline, its reference (webrtcechoprobe) fed with exactly
 * what a player's device plays, each frame stamped with when it is heard.
 * Private to the library. */

#pragma once

#include "audiocast-queue.h"

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _AudioCastEchoCanceller AudioCastEchoCanceller;

/* The DSP's rate for a recorder at @rate Hz: one webrtcdsp accepts. */
guint audio_cast_echo_canceller_rate (guint rate);

/* How many frames webrtcdsp, at @dsp_rate Hz (one of the rates above),
 * holds the captured audio back; the canceller puts the times of what it
 * hands out back by as much. */
guint audio_cast_echo_canceller_dsp_delay (guint dsp_rate);

/* Starts taking what @queue (a player's) plays. *@dsp is set to the
 * webrtcdsp element to put in the recorder's pipeline (floating), working
 * on mono F32 at @rate Hz (see audio_cast_echo_canceller_rate()). NULL
 * with @error set when webrtcdsp is not installed. */
AudioCastEchoCanceller *audio_cast_echo_canceller_new (AudioCastQueue *queue,
    guint rate, GstElement **dsp, GError **error);

/* Stops taking the player's output; the dsp element may then be disposed
 * of with its pipeline. Call it once the recorder's pipeline stopped. */
void audio_cast_echo_canceller_free (AudioCastEchoCanceller *self);

G_END_DECLS
