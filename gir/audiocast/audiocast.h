/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#define AUDIOCAST_INSIDE
#include <audiocast/audiocast-version.h>
#include <audiocast/audiocast-version-macros.h>
#include <audiocast/audiocast-device-info.h>
#include <audiocast/audiocast-enum-types.h>
#include <audiocast/audiocast-error.h>
#include <audiocast/audiocast-file.h>
#include <audiocast/audiocast-player.h>
#include <audiocast/audiocast-recorder.h>
#include <audiocast/audiocast-stream.h>
#include <audiocast/audiocast-sink.h>
#undef AUDIOCAST_INSIDE
