/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The plugin only registers the element; its code lives in the AudioCast
 * library (gir/), which applications can also use directly. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <audiocast/audiocast.h>

static gboolean
plugin_init (GstPlugin *plugin)
{
  return gst_element_register (plugin, "audiocastsink", GST_RANK_NONE,
      AUDIO_CAST_TYPE_SINK);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, audiocast,
    "Streaming audio output with instant clear and exact drain",
    plugin_init, PACKAGE_VERSION, "LGPL", PACKAGE_NAME, PACKAGE_ORIGIN)
