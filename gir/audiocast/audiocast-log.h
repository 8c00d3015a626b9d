/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Applies AUDIOCAST_LOG (error|warning|info|debug|trace) to the audiocast
 * debug categories, once. Without it the library prints nothing. */
void audio_cast_log_init (void);

G_END_DECLS
