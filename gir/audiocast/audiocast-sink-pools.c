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
 * must hold the largest output (a smaller one made audioresample write past
 * its end: gst_buffer_resize failed for 1 Hz input). The ring element
 * pushes at most a period per buffer (see longest_output()); audioconvert
 * outputs as many frames, audioresample about as many at its output rate
 * plus what its filter releases. Twice that and this many frames more leave
 * room for both. */
#define SPARE_FRAMES 256

/* The most frames the element behind @src outputs for one input buffer, at
 * @out_rate; 0 when its input format is not known yet. The ring element
 * pushes a period per buffer, but never less than a frame: at very low
 * input rates one frame lasts longer than the period, and audioresample
 * turns it into that much more output. */
static guint64
longest_output (GstPad *src, guint period_us, gint out_rate)
{
  GstElement *element = gst_pad_get_parent_element (src);
  GstPad *sink = element ? gst_element_get_static_pad (element, "sink") : NULL;
  GstPad *peer = sink ? gst_pad_get_peer (sink) : NULL;
  /* The element asks while it handles its input caps, before its sink pad
   * holds them; the pad upstream stored them before sending them. */
  GstCaps *caps = peer ? gst_pad_get_current_caps (peer) : NULL;
  GstAudioInfo in;
  guint64 frames = 0, in_frames;

  if (caps && gst_audio_info_from_caps (&in, caps)
      && GST_AUDIO_INFO_RATE (&in) > 0) {
    in_frames = MAX (1, gst_util_uint64_scale_int_ceil (period_us,
            GST_AUDIO_INFO_RATE (&in), G_USEC_PER_SEC));
    frames = gst_util_uint64_scale_int_ceil (in_frames, out_rate,
        GST_AUDIO_INFO_RATE (&in));
  }
  gst_clear_caps (&caps);
  g_clear_object (&peer);
  g_clear_object (&sink);
  g_clear_object (&element);
  return frames;
}

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

  frames = longest_output (pad, g_atomic_int_get (period_us),
      GST_AUDIO_INFO_RATE (&audio));
  if (frames == 0)
    return GST_PAD_PROBE_OK;    /* unknown: it allocates, as without us */
  frames = 2 * frames + SPARE_FRAMES;
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
