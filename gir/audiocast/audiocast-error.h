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

#include <glib.h>

#include <audiocast/audiocast-version-macros.h>

G_BEGIN_DECLS

/**
 * AUDIO_CAST_ERROR:
 *
 * The error domain of the AudioCast library.
 *
 * Since: 0.1
 */
#define AUDIO_CAST_ERROR (audio_cast_error_quark ())

/**
 * AudioCastError:
 * @AUDIO_CAST_ERROR_DEVICE_NOT_FOUND: no device matches the name; the
 *   message starts with "Device not found:" and lists the available devices
 * @AUDIO_CAST_ERROR_INVALID_ARGUMENT: a parameter is out of range or does not
 *   fit the stream (the message names it and what is accepted)
 * @AUDIO_CAST_ERROR_CLOSED: the player or recorder was stopped
 * @AUDIO_CAST_ERROR_BACKEND: the sound server or device failed
 * @AUDIO_CAST_ERROR_FORMAT: a file could not be read or decoded
 * @AUDIO_CAST_ERROR_BUSY: another thread is doing what only one thread may
 *   do at a time: reading from the same [class@Recorder]
 *
 * Errors of the AudioCast library.
 *
 * Since: 0.1
 */
typedef enum
{
  AUDIO_CAST_ERROR_DEVICE_NOT_FOUND,
  AUDIO_CAST_ERROR_INVALID_ARGUMENT,
  AUDIO_CAST_ERROR_CLOSED,
  AUDIO_CAST_ERROR_BACKEND,
  AUDIO_CAST_ERROR_FORMAT,
  AUDIO_CAST_ERROR_BUSY,
} AudioCastError;

/**
 * audio_cast_error_quark:
 *
 * The quark of #AUDIO_CAST_ERROR.
 *
 * Returns: the error domain of the AudioCast library
 *
 * Since: 0.1
 */
AUDIO_CAST_AVAILABLE_IN_0_1
GQuark audio_cast_error_quark (void);

G_END_DECLS
