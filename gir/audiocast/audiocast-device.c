/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "audiocast-device.h"
#include "audiocast-log.h"

#include <string.h>

/* The name a user gives as `device`: the backend's own identifier when the
 * provider exposes one (PulseAudio sink name, ALSA device string), otherwise
 * the display name. */
gchar *
audio_cast_device_dup_name (GstDevice *device)
{
  gchar *name = NULL;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (device),
          "internal-name"))
    g_object_get (device, "internal-name", &name, NULL);
  if (name == NULL || *name == '\0') {
    g_free (name);
    name = gst_device_get_display_name (device);
  }
  return name;
}

static gboolean
contains_casefold (const gchar *haystack, const gchar *needle_folded)
{
  gchar *folded;
  gboolean found;

  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  found = strstr (folded, needle_folded) != NULL;
  g_free (folded);
  return found;
}

/* Exact name first, then a case-insensitive substring of the name or the
 * description, in the list's order (the default device first). Returns
 * (transfer full) (nullable). */
AudioCastDevice *
audio_cast_device_find (GList *devices, const gchar *wanted)
{
  AudioCastDevice *match = NULL;
  gchar *folded;
  GList *l;

  for (l = devices; l && !match; l = l->next)
    if (g_strcmp0 (audio_cast_device_get_name (l->data), wanted) == 0)
      match = l->data;

  folded = g_utf8_casefold (wanted, -1);
  for (l = devices; l && !match; l = l->next)
    if (contains_casefold (audio_cast_device_get_name (l->data), folded)
        || contains_casefold (audio_cast_device_get_description (l->data),
            folded))
      match = l->data;
  g_free (folded);

  return match ? g_object_ref (match) : NULL;
}

/* "name (description), …" for error messages. */
gchar *
audio_cast_device_describe_all (GList *devices)
{
  GString *s = g_string_new (NULL);
  GList *l;

  for (l = devices; l; l = l->next) {
    const gchar *name = audio_cast_device_get_name (l->data);
    const gchar *description = audio_cast_device_get_description (l->data);

    if (s->len)
      g_string_append (s, ", ");
    g_string_append (s, name);
    if (description && g_strcmp0 (name, description) != 0)
      g_string_append_printf (s, " (%s)", description);
  }
  if (s->len == 0)
    g_string_append (s, "none");
  return g_string_free (s, FALSE);
}

void
audio_cast_device_ensure_gst (void)
{
  /* Bindings may call in before anyone initialised GStreamer. */
  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  audio_cast_log_init ();
}
