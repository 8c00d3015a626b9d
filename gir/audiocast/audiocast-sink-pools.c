/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* Buffer pools for the conversion inside AudioCastSink (see
 * audiocast-sink-pools.h). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-sink-pools.h"

#include <gst/audio/audio.h>

/* GstBaseTransform sizes nothing when its buffers come from a pool: each
 * must hold the largest output. The ring element pushes at most a period
 * per buffer; audioconvert outputs as many frames, audioresample about as
 * many at its output rate plus what its filter releases. Twice a period
 * and this many frames more leave room for both. */
#define SPARE_FRAMES 256

/* Runs as the allocation query leaves @pad, before downstream answers: an
 * entry without a pool makes GstBaseTransform's decide_allocation create
 * one of that size. A pool downstream proposes comes after ours and is not
 * used; the sinks wrapped propose none. */
static GstPadProbeReturn
offer_pool (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  const guint *period_us = user_data;
  GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);
  GstCaps *caps = NULL;
  GstAudioInfo audio;
  guint64 frames;

  if (GST_QUERY_TYPE (query) != GST_QUERY_ALLOCATION
      || gst_query_get_n_allocation_pools (query) > 0)
    return GST_PAD_PROBE_OK;
  gst_query_parse_allocation (query, &caps, NULL);
  if (caps == NULL || !gst_audio_info_from_caps (&audio, caps)
      || GST_AUDIO_INFO_LAYOUT (&audio) != GST_AUDIO_LAYOUT_INTERLEAVED)
    return GST_PAD_PROBE_OK;

  frames = 2 * gst_util_uint64_scale_int_ceil (g_atomic_int_get (period_us),
      GST_AUDIO_INFO_RATE (&audio), G_USEC_PER_SEC) + SPARE_FRAMES;
  if (frames * GST_AUDIO_INFO_BPF (&audio) > G_MAXUINT)
    return GST_PAD_PROBE_OK;
  gst_query_add_allocation_pool (query, NULL,
      frames * GST_AUDIO_INFO_BPF (&audio), 0, 0);
  return GST_PAD_PROBE_OK;
}

void
audio_cast_sink_pool_output (GstElement *transform, const guint *period_us)
{
  GstPad *src = gst_element_get_static_pad (transform, "src");

  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM
      | GST_PAD_PROBE_TYPE_PUSH, offer_pool, (gpointer) period_us, NULL);
  gst_object_unref (src);
}
