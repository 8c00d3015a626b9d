/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "audiocast-log.h"

#include <gst/gst.h>

static const struct
{
  const gchar *name;
  GstDebugLevel level;
} levels[] = {
  /* as README.md lists them */
  {"error", GST_LEVEL_ERROR},
  {"warning", GST_LEVEL_WARNING},
  {"info", GST_LEVEL_INFO},
  {"debug", GST_LEVEL_DEBUG},
  {"trace", GST_LEVEL_LOG},
};

void
audio_cast_log_init (void)
{
  static gsize done = 0;
  const gchar *wanted;
  guint i;

  if (!g_once_init_enter (&done))
    return;

  wanted = g_getenv ("AUDIOCAST_LOG");
  if (wanted && *wanted) {
    for (i = 0; i < G_N_ELEMENTS (levels); i++) {
      if (g_ascii_strcasecmp (wanted, levels[i].name) == 0) {
        /* GST_DEBUG may have been left unset, which switches logging off
         * altogether. */
        gst_debug_set_active (TRUE);
        gst_debug_set_threshold_for_name ("audiocast*", levels[i].level);
        break;
      }
    }
    if (i == G_N_ELEMENTS (levels))
      g_printerr ("AUDIOCAST_LOG=%s is not one of error, warning, info, "
          "debug, trace; ignored\n", wanted);
  }
  g_once_init_leave (&done, 1);
}
