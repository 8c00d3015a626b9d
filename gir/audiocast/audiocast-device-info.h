/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#if !defined(AUDIOCAST_INSIDE) && !defined(AUDIOCAST_COMPILATION)
#error "Only <audiocast/audiocast.h> can be included directly."
#endif

#include <gst/gst.h>

#include <audiocast/audiocast-version-macros.h>

G_BEGIN_DECLS

/* An output or input device as applications see it. Immutable. */
#define AUDIO_CAST_TYPE_DEVICE (audio_cast_device_get_type ())
AUDIO_CAST_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (AudioCastDevice, audio_cast_device, AUDIO_CAST, DEVICE, GObject)

AUDIO_CAST_AVAILABLE_IN_0_1
const gchar *audio_cast_device_get_name          (AudioCastDevice *self);
AUDIO_CAST_AVAILABLE_IN_0_1
const gchar *audio_cast_device_get_description   (AudioCastDevice *self);
AUDIO_CAST_AVAILABLE_IN_0_1
const gchar *audio_cast_device_get_backend       (AudioCastDevice *self);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean     audio_cast_device_get_is_default    (AudioCastDevice *self);
AUDIO_CAST_AVAILABLE_IN_0_1
guint        audio_cast_device_get_sample_rate   (AudioCastDevice *self);
AUDIO_CAST_AVAILABLE_IN_0_1
guint        audio_cast_device_get_channels      (AudioCastDevice *self);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean     audio_cast_device_get_is_monitor    (AudioCastDevice *self);

AUDIO_CAST_AVAILABLE_IN_0_1
GList       *audio_cast_list_output_devices      (void);
AUDIO_CAST_AVAILABLE_IN_0_1
GList       *audio_cast_list_output_devices_on   (const gchar *server,
                                                  GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
GList       *audio_cast_list_input_devices       (void);
AUDIO_CAST_AVAILABLE_IN_0_1
GList       *audio_cast_list_input_devices_on    (const gchar *server,
                                                  GError **error);

/* Watches output devices come and go; its signals are emitted on the main
 * context that was the thread-default one when it was created. */
#define AUDIO_CAST_TYPE_DEVICE_MONITOR (audio_cast_device_monitor_get_type ())
AUDIO_CAST_AVAILABLE_IN_0_1
G_DECLARE_FINAL_TYPE (AudioCastDeviceMonitor, audio_cast_device_monitor, AUDIO_CAST, DEVICE_MONITOR, GObject)

AUDIO_CAST_AVAILABLE_IN_0_1
AudioCastDeviceMonitor *audio_cast_device_monitor_new (void);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_device_monitor_start (AudioCastDeviceMonitor *self, GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
void     audio_cast_device_monitor_stop  (AudioCastDeviceMonitor *self);

G_END_DECLS
