/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The player's pipeline bus, which nobody runs a main loop on, and the
 * failure it reports: the first ERROR the pipeline posted, kept for the
 * calls that fail because of it and reported the same to each of them. */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct
{
  /* lock: guards first_error (kept by the bus handler, in the posting
   * thread) and failure (that error as the first call that met it reported
   * it). Held only to swap pointers, never while waiting. */
  GMutex lock;
  GstMessage *first_error;
  GError *failure;
} AudioCastPlayerFailure;

void audio_cast_player_failure_init (AudioCastPlayerFailure *failure);
void audio_cast_player_failure_clear (AudioCastPlayerFailure *failure);

/* Makes @bus drop every message as it is posted, keeping the first ERROR
 * in @failure, which must outlive the handler (unset it with
 * gst_bus_set_sync_handler (bus, NULL, NULL, NULL)). */
void audio_cast_player_failure_watch (AudioCastPlayerFailure *failure,
    GstBus *bus);

/* Sets @error from the pipeline's first ERROR, in AudioCast's error
 * domain: "@doing failed: ...". */
void audio_cast_player_failure_take (AudioCastPlayerFailure *failure,
    GError **error, const gchar *doing);

/* The device failed while streaming: sets @error (may be NULL) to the same
 * error for every caller. */
void audio_cast_player_failure_report (AudioCastPlayerFailure *failure,
    GError **error);

G_END_DECLS
