/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The ring element's sink pad: the stream upstream sends. Buffers are
 * clipped to the segment (with sync), their timestamps recorded for the
 * media position and for sync, and copied into the ring by
 * audio_cast_queue_write(); caps set the ring's format, events either act
 * at once (flushes, EOS, segments) or wait in the ring for the output to
 * reach them (stream-start, tags). The threading essay is at the top of
 * audiocast-queue.c. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-queue-private.h"

GST_DEBUG_CATEGORY_EXTERN (audio_cast_queue_debug);
#define GST_CAT_DEFAULT audio_cast_queue_debug

/* With the lock held: the running time of a timestamp in upstream's
 * segment; NONE without one (untimed frames play back to back). */
static GstClockTime
running_time_locked (AudioCastQueue *self, GstClockTime pts)
{
  if (!self->media.have_segment || !GST_CLOCK_TIME_IS_VALID (pts))
    return GST_CLOCK_TIME_NONE;
  return gst_segment_to_running_time (&self->media.segment, GST_FORMAT_TIME,
      pts);
}

/* With sync, what lies outside upstream's segment is not played (the head
 * of the buffer an accurate seek lands in, the tail past its stop), as in
 * any audio sink; without it every frame is. */
static GstBuffer *
clip_to_segment (AudioCastQueue *self, GstBuffer *buffer)
{
  GstSegment segment;
  gboolean clip;
  gint rate;
  gsize bpf;

  g_mutex_lock (&self->lock);
  clip = self->sync_enabled && self->have_info && self->media.have_segment
      && GST_BUFFER_PTS_IS_VALID (buffer);
  if (clip) {
    segment = self->media.segment;
    rate = GST_AUDIO_INFO_RATE (&self->info);
    bpf = GST_AUDIO_INFO_BPF (&self->info);
  }
  g_mutex_unlock (&self->lock);
  return clip ? gst_audio_buffer_clip (buffer, &segment, rate, bpf) : buffer;
}

GstFlowReturn
audio_cast_queue_chain (GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
  AudioCastQueue *self = AUDIO_CAST_QUEUE (parent);
  GstFlowReturn ret;
  GstMapInfo map;
  guint64 accepted;
  gsize bpf, partial;

  /* The format only changes in this same thread (caps events). */
  bpf = self->have_info ? GST_AUDIO_INFO_BPF (&self->info) : 1;
  buffer = clip_to_segment (self, buffer);
  if (buffer == NULL) {
    audio_cast_queue_commit_preroll (self);
    return GST_FLOW_OK;
  }

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    gst_buffer_unref (buffer);
    GST_ELEMENT_ERROR (self, RESOURCE, READ, (NULL), ("Failed to map buffer"));
    return GST_FLOW_ERROR;
  }
  partial = map.size % bpf;
  /* once per stream: a source that cuts frames does it to every buffer */
  if (G_UNLIKELY (partial != 0) && !self->partial_warned) {
    self->partial_warned = TRUE;
    GST_ELEMENT_WARNING (self, STREAM, FORMAT, (NULL),
        ("buffer of %" G_GSIZE_FORMAT " bytes holds no whole number of %"
            G_GSIZE_FORMAT "-byte frames; the last %" G_GSIZE_FORMAT
            " bytes were dropped (of this and any such buffer until the next "
            "stream)", map.size, bpf, partial));
  }

  g_mutex_lock (&self->lock);
  if (self->have_info) {
    audio_cast_media_position_add_buffer (&self->media,
        GST_BUFFER_PTS (buffer), self->written, GST_AUDIO_INFO_RATE (&self->info));
    audio_cast_sync_mark (&self->sync, self->ring.write_pos,
        running_time_locked (self, GST_BUFFER_PTS (buffer)),
        GST_BUFFER_IS_DISCONT (buffer));
  }
  g_mutex_unlock (&self->lock);
  audio_cast_queue_commit_preroll (self);

  ret = audio_cast_queue_write (self, map.data, map.size / bpf, TRUE,
      &accepted);

  gst_buffer_unmap (buffer, &map);
  gst_buffer_unref (buffer);
  return ret;
}

static gboolean
set_format_from_caps (AudioCastQueue *self, GstCaps *caps)
{
  GError *error = NULL;
  GstAudioInfo info;

  if (!gst_audio_info_from_caps (&info, caps)
      || GST_AUDIO_INFO_LAYOUT (&info) != GST_AUDIO_LAYOUT_INTERLEAVED) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("Unsupported caps %" GST_PTR_FORMAT ": interleaved raw audio expected",
            caps));
    return FALSE;
  }
  if (!audio_cast_queue_set_format (self, &info, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, ("%s", error->message),
        (NULL));
    g_error_free (error);
    return FALSE;
  }
  return TRUE;
}

gboolean
audio_cast_queue_sink_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  AudioCastQueue *self = AUDIO_CAST_QUEUE (parent);
  gboolean res = TRUE;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps;

      gst_event_parse_caps (event, &caps);
      res = set_format_from_caps (self, caps);
      break;
    }
    case GST_EVENT_SEGMENT:{
      const GstSegment *segment;

      gst_event_parse_segment (event, &segment);
      g_mutex_lock (&self->lock);
      audio_cast_media_position_set_segment (&self->media, segment,
          self->written);
      g_mutex_unlock (&self->lock);
      break;
    }
    case GST_EVENT_EOS:
      g_mutex_lock (&self->lock);
      self->eos_received = TRUE;
      self->eos_target = self->written;
      self->drain_mark = self->written;
      g_cond_broadcast (&self->work_cond);
      g_mutex_unlock (&self->lock);
      audio_cast_queue_commit_preroll (self);
      break;
    case GST_EVENT_GAP:
      /* Nothing to play for a while: enough to preroll on. The frames after
       * it carry their timestamps, which with sync puts the silence in. */
      audio_cast_queue_commit_preroll (self);
      break;
    case GST_EVENT_STREAM_START:
      self->partial_warned = FALSE;
      /* fall through */
    case GST_EVENT_TAG:
      /* They go downstream when the output reaches this frame: a gapless
       * track's STREAM_START then comes as its audio goes out. */
      g_mutex_lock (&self->lock);
      audio_cast_pending_events_add (&self->pending_events,
          self->ring.write_pos, gst_event_ref (event));
      g_cond_broadcast (&self->work_cond);
      g_mutex_unlock (&self->lock);
      break;
    case GST_EVENT_FLUSH_START:
      /* A seek upstream: what is queued belongs to the old position. */
      g_mutex_lock (&self->lock);
      self->sink_flushing = TRUE;
      g_cond_broadcast (&self->space_cond);
      audio_cast_wakeup_fire (&self->wakeup);
      g_mutex_unlock (&self->lock);
      audio_cast_queue_clear (self, NULL, NULL);
      audio_cast_queue_lose_preroll (self);
      break;
    case GST_EVENT_FLUSH_STOP:{
      gboolean reset_time;

      gst_event_parse_flush_stop (event, &reset_time);
      g_mutex_lock (&self->lock);
      self->sink_flushing = FALSE;
      self->eos_received = FALSE;
      self->eos_sent = FALSE;
      /* The next buffer is placed by its own timestamp. */
      audio_cast_sync_reset (&self->sync, self->sync.rate);
      g_cond_broadcast (&self->work_cond);
      g_mutex_unlock (&self->lock);
      /* Running time starts over: the pipeline takes a new base time. */
      if (reset_time)
        gst_element_post_message (GST_ELEMENT (self),
            gst_message_new_reset_time (GST_OBJECT (self), 0));
      break;
    }
    default:
      /* Other events do not change what the device plays: the queue makes
       * its own timeline downstream. */
      break;
  }
  gst_event_unref (event);
  return res;
}

gboolean
audio_cast_queue_sink_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_CAPS:{
      GstCaps *filter, *caps = gst_pad_get_pad_template_caps (pad);

      gst_query_parse_caps (query, &filter);
      if (filter) {
        GstCaps *tmp = gst_caps_intersect_full (filter, caps,
            GST_CAPS_INTERSECT_FIRST);
        gst_caps_unref (caps);
        caps = tmp;
      }
      gst_query_set_caps_result (query, caps);
      gst_caps_unref (caps);
      return TRUE;
    }
    case GST_QUERY_DRAIN:
      /* Upstream's buffers are copied, never held. */
      return TRUE;
    default:
      return gst_pad_query_default (pad, parent, query);
  }
}

gboolean
audio_cast_queue_sink_activate_mode (GstPad *pad, GstObject *parent,
    GstPadMode mode, gboolean active)
{
  AudioCastQueue *self = AUDIO_CAST_QUEUE (parent);

  if (mode != GST_PAD_MODE_PUSH)
    return FALSE;

  g_mutex_lock (&self->lock);
  self->sink_flushing = !active;
  if (!active) {
    audio_cast_queue_discard_unheard_locked (self);
    self->have_info = FALSE;
    self->eos_received = FALSE;
    audio_cast_pending_events_clear (&self->pending_events);
  }
  g_cond_broadcast (&self->space_cond);
  audio_cast_wakeup_fire (&self->wakeup);
  g_mutex_unlock (&self->lock);
  return TRUE;
}
