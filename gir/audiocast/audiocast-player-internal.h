/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What the rest of the library asks of a player (the recorder's echo
 * cancellation). Private to the library. */

#pragma once

#include "audiocast-player.h"
#include "audiocast-queue.h"

G_BEGIN_DECLS

/* The ring-buffer element the player writes into. (transfer none) */
AudioCastQueue *audio_cast_player_peek_queue  (AudioCastPlayer *self);
/* The server address it was made with; NULL for the default. */
const gchar    *audio_cast_player_peek_server (AudioCastPlayer *self);
/* Gives the player's own stream a format (32-bit float) if nothing was
 * written yet, so that other streams can be mixed with it. */
gboolean        audio_cast_player_ensure_stream_format (AudioCastPlayer *self,
                                                        GError **error);

/* The write of audio_cast_player_write() (@wait TRUE) and
 * audio_cast_player_try_write(). */
gsize           audio_cast_player_write_frames (AudioCastPlayer *self,
                                                AudioCastSampleFormat format,
                                                const guint8 *data,
                                                gsize size,
                                                gboolean wait,
                                                GError **error);

G_END_DECLS
