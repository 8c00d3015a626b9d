/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/*
 * AudioCastQueue's preroll and state changes: PAUSED completes with the
 * first data, as for a GstBaseSink, and a flush loses it.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-queue-private.h"

/* ---- preroll ---- */

/* With the lock held: what a PAUSED sink needs to complete its state. */
static gboolean
prerolled_locked (AudioCastQueue *self)
{
  return audio_cast_ring_fill (&self->ring) > 0 || self->eos_received;
}

/* Data, EOS or a gap arrived: a pending PAUSED completes. */
void
audio_cast_queue_commit_preroll (AudioCastQueue *self)
{
  gboolean pending;

  g_rec_mutex_lock (&self->preroll_lock);
  g_mutex_lock (&self->lock);
  pending = self->preroll_pending;
  self->preroll_pending = FALSE;
  g_cond_broadcast (&self->work_cond);
  g_mutex_unlock (&self->lock);
  if (pending) {
    GST_DEBUG_OBJECT (self, "prerolled");
    gst_element_continue_state (GST_ELEMENT (self), GST_STATE_CHANGE_SUCCESS);
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_async_done (GST_OBJECT (self), GST_CLOCK_TIME_NONE));
  }
  g_rec_mutex_unlock (&self->preroll_lock);
}

/* A flush while PAUSED or PLAYING: as for any GstBaseSink the state is lost
 * until new data comes, and what comes is held until the pipeline says
 * PLAYING again, with the new base time the seek called for. */
void
audio_cast_queue_lose_preroll (AudioCastQueue *self)
{
  gboolean lose;

  g_rec_mutex_lock (&self->preroll_lock);
  GST_OBJECT_LOCK (self);
  lose = self->async_enabled && GST_STATE (self) >= GST_STATE_PAUSED
      && GST_STATE_TARGET (self) >= GST_STATE_PAUSED;
  GST_OBJECT_UNLOCK (self);
  if (lose) {
    g_mutex_lock (&self->lock);
    self->preroll_pending = TRUE;
    g_mutex_unlock (&self->lock);
    audio_cast_queue_set_holding (self, TRUE);
    gst_element_lost_state (GST_ELEMENT (self));
  }
  g_rec_mutex_unlock (&self->preroll_lock);
}

/* After the state change itself: whether it waits for preroll. */
static GstStateChangeReturn
wait_preroll (AudioCastQueue *self, GstStateChange transition)
{
  gboolean wait;

  g_rec_mutex_lock (&self->preroll_lock);
  g_mutex_lock (&self->lock);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_PLAYING)
    wait = self->preroll_pending;
  else
    wait = self->async_enabled && !prerolled_locked (self);
  self->preroll_pending = wait;
  if (transition == GST_STATE_CHANGE_PAUSED_TO_PLAYING && !wait)
    self->holding = FALSE;
  g_mutex_unlock (&self->lock);
  if (wait)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_async_start (GST_OBJECT (self)));
  g_rec_mutex_unlock (&self->preroll_lock);
  return wait ? GST_STATE_CHANGE_ASYNC : GST_STATE_CHANGE_SUCCESS;
}

GstStateChangeReturn
audio_cast_queue_change_state (GstElement *element, GstStateChange transition)
{
  AudioCastQueue *self = AUDIO_CAST_QUEUE (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      audio_cast_queue_set_holding (self, FALSE);
      break;
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
      audio_cast_queue_set_holding (self, TRUE);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      g_rec_mutex_lock (&self->preroll_lock);
      g_mutex_lock (&self->lock);
      self->preroll_pending = FALSE;
      g_mutex_unlock (&self->lock);
      g_rec_mutex_unlock (&self->preroll_lock);
      break;
    default:
      break;
  }

  /* AudioCastQueue is final: its parent class is GstElement's */
  ret = GST_ELEMENT_CLASS (g_type_class_peek_parent (G_OBJECT_GET_CLASS
          (element)))->change_state (element, transition);
  if (ret == GST_STATE_CHANGE_FAILURE)
    return ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
    case GST_STATE_CHANGE_PLAYING_TO_PAUSED:
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      if (wait_preroll (self, transition) == GST_STATE_CHANGE_ASYNC)
        ret = GST_STATE_CHANGE_ASYNC;
      break;
    default:
      break;
  }
  return ret;
}

