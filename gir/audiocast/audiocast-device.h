/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Device lookup, private to the library. */

#pragma once

#include "audiocast-device-info.h"

#include <gst/gst.h>

G_BEGIN_DECLS

void        audio_cast_device_ensure_gst      (void);

/* audiocast-device-info.c */
GList      *audio_cast_device_collect         (const gchar *server,
                                               gboolean inputs,
                                               gboolean *ok,
                                               GError **error);
AudioCastDevice *audio_cast_device_new_from_gst (GstDevice *device,
                                               gboolean query_server);
GstDevice  *audio_cast_device_get_gst_device  (AudioCastDevice *self);

/* audiocast-device-monitor.c */
GList      *audio_cast_device_monitor_list_gst (const gchar *classes);

/* audiocast-device.c */
gchar      *audio_cast_device_dup_name        (GstDevice *device);
AudioCastDevice *audio_cast_device_find       (GList *devices,
                                               const gchar *wanted);
gchar      *audio_cast_device_describe_all    (GList *devices);
gboolean    audio_cast_device_is_alsa_pcm_name (const gchar *name);
gboolean    audio_cast_device_try_ready       (GstElement *element,
                                               const gchar *name,
                                               GString *reasons);

G_END_DECLS
