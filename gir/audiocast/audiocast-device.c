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

/* Names that are ALSA PCMs rather than devices the providers list: what
 * PyAudioCast users pass ("pulse", "default", "hw:CARD=Audio", "plughw:0").
 * Only such names are tried, so a mistyped device name costs no ALSA
 * error output. */
gboolean
audio_cast_device_is_alsa_pcm_name (const gchar *name)
{
  static const gchar *const plain[] = { "default", "pulse", "pipewire",
    "sysdefault", "jack", NULL
  };

  return strchr (name, ':') != NULL || g_strv_contains (plain, name);
}

/* Opens @element (NULL to READY) with a bus of its own, as gstautodetect
 * does: a candidate's error is not the application's, since the next
 * candidate may open, but it is why this one did not, which goes into
 * @reasons ("; name: why") for the error reported when none opens. On
 * failure @element is back in NULL. */
gboolean
audio_cast_device_try_ready (GstElement *element, const gchar *name,
    GString *reasons)
{
  GstBus *bus = gst_bus_new ();
  GstMessage *message;
  gboolean opened, explained = FALSE;

  gst_element_set_bus (element, bus);
  /* READY opens the device or connects to the server: that is the test
   * of being usable. */
  opened = gst_element_set_state (element, GST_STATE_READY)
      == GST_STATE_CHANGE_SUCCESS;
  while (!opened
      && (message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR)) != NULL) {
    GError *error = NULL;

    gst_message_parse_error (message, &error, NULL);
    g_string_append_printf (reasons, "; %s: %s", name, error->message);
    explained = TRUE;
    g_error_free (error);
    gst_message_unref (message);
  }
  if (!opened) {
    if (!explained)
      g_string_append_printf (reasons, "; %s: cannot open", name);
    gst_element_set_state (element, GST_STATE_NULL);
  }
  gst_element_set_bus (element, NULL);
  gst_object_unref (bus);
  return opened;
}

void
audio_cast_device_ensure_gst (void)
{
  /* Bindings may call in before anyone initialised GStreamer. */
  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  audio_cast_log_init ();
}
