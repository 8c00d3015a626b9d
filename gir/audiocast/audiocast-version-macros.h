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

#include <audiocast/audiocast-version.h>

/*
 * The library is built with hidden symbol visibility: only what is marked
 * with one of these macros is exported, so `nm -D` lists the public API and
 * nothing else. Internal functions are reached by the unit tests through the
 * static library they link instead.
 */

#if defined(_WIN32) && defined(AUDIOCAST_COMPILATION)
# define _AUDIO_CAST_EXPORT __declspec(dllexport)
#elif defined(_WIN32)
# define _AUDIO_CAST_EXPORT __declspec(dllimport)
#elif defined(__GNUC__)
# define _AUDIO_CAST_EXPORT __attribute__ ((visibility ("default")))
#else
# define _AUDIO_CAST_EXPORT
#endif

/**
 * AUDIO_CAST_API:
 *
 * Marks a symbol as part of the library's public API.
 *
 * Since: 0.1
 */
#define AUDIO_CAST_API _AUDIO_CAST_EXPORT extern

/**
 * AUDIO_CAST_AVAILABLE_IN_0_1:
 *
 * Marks a public symbol that exists since version 0.1. Each later minor
 * version adds its own macro, so a header says when each symbol came.
 *
 * Since: 0.1
 */
#define AUDIO_CAST_AVAILABLE_IN_0_1 AUDIO_CAST_API
