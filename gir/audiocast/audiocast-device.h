/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* Finding output devices by the names users type. Internal for now; the
 * public device listing builds on it. */

/* Every audio sink the device providers know now (defined with the shared
 * monitor in audiocast-device-info.c). */
GList   *audio_cast_device_list_sinks  (void);
gchar   *audio_cast_device_dup_name    (GstDevice *device);
GstDevice *audio_cast_device_find      (GList *devices, const gchar *wanted);
gchar   *audio_cast_device_describe_all (GList *devices);

G_END_DECLS
