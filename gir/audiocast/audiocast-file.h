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

#include <gio/gio.h>

#include <audiocast/audiocast-version-macros.h>

G_BEGIN_DECLS

AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_play_file (const gchar *path_or_uri,
                               const gchar *device,
                               GCancellable *cancellable,
                               GError **error);
AUDIO_CAST_AVAILABLE_IN_0_1
gboolean audio_cast_play_file_on (const gchar *path_or_uri,
                                  const gchar *device,
                                  const gchar *server,
                                  GCancellable *cancellable,
                                  GError **error);

G_END_DECLS
