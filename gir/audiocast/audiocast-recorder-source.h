/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Which element a recorder captures with, and the device's own format.
 * Private to the library. */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct
{
  GstElement *element;          /* (owned) the source, not in a bin yet */
  guint rate;                   /* the device's own rate; 0: unknown */
  guint channels;               /* the device's own channels; 0: unknown */
} AudioCastRecorderSource;

/* Picks the source for @device (nullable: the default input) on @server
 * (nullable: the default server): an input device by exact name, then by
 * a case-insensitive part of its name or description; an ALSA PCM name
 * when no device matches. Fills @source, or sets @error
 * (AUDIO_CAST_ERROR_DEVICE_NOT_FOUND with the inputs listed, or
 * AUDIO_CAST_ERROR_BACKEND) and returns FALSE. */
gboolean audio_cast_recorder_source_open (const gchar *device,
    const gchar *server, AudioCastRecorderSource *source, GError **error);

void     audio_cast_recorder_source_clear (AudioCastRecorderSource *source);

G_END_DECLS
