/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The bus of a player's or recorder's pipeline, which nobody runs a main
 * loop on, and the failure it reports: the first ERROR the pipeline posted,
 * kept for the calls that fail because of it and reported the same to each
 * of them. */

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
  /* Set before watching, then read-only: called once, in the thread that
   * posted the first ERROR, after it was kept (nullable). */
  GFunc on_error;
  gpointer on_error_data;
} AudioCastPipelineFailure;

void audio_cast_pipeline_failure_init (AudioCastPipelineFailure *failure);
void audio_cast_pipeline_failure_clear (AudioCastPipelineFailure *failure);

/* Makes @bus drop every message as it is posted, keeping the first ERROR
 * in @failure, which must outlive the handler (unset it with
 * gst_bus_set_sync_handler (bus, NULL, NULL, NULL)). */
void audio_cast_pipeline_failure_watch (AudioCastPipelineFailure *failure,
    GstBus *bus);

/* Sets @error from the pipeline's first ERROR, in AudioCast's error
 * domain: "@doing failed: ...". */
void audio_cast_pipeline_failure_take (AudioCastPipelineFailure *failure,
    GError **error, const gchar *doing);

/* The device failed while streaming: sets @error (may be NULL) to the same
 * error for every caller, "@doing failed: ..." ("Playing", "Recording"). */
void audio_cast_pipeline_failure_report (AudioCastPipelineFailure *failure,
    GError **error, const gchar *doing);

G_END_DECLS
