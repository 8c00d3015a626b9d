/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <gst/audio/audio.h>

G_BEGIN_DECLS

/* GStreamer's channel mixer (in audioconvert and GstAudioConverter) takes
 * at most 63 channels. */
#define AUDIO_CAST_MAX_CHANNELS 63

/* The ring-buffer element inside audiocastsink. Private to the library: the
 * bin is the public face. */
#define AUDIO_CAST_TYPE_QUEUE (audio_cast_queue_get_type ())
G_DECLARE_FINAL_TYPE (AudioCastQueue, audio_cast_queue, AUDIO_CAST, QUEUE, GstElement)

/* Any interleaved raw audio of up to AUDIO_CAST_MAX_CHANNELS channels. */
extern GstStaticPadTemplate audio_cast_queue_sink_template;

typedef struct
{
  guint64 written;
  guint64 played;
  guint64 cleared;
  guint64 buffered;
  guint underruns;
  gint rate;
  guint64 queued_timeline;      /* pushed, not heard, silence included */
  guint64 restart_frames;       /* what a device let run dry waits for
                                 * before it plays again (a period), 0 where
                                 * the device is kept fed */
  guint64 periods_pushed;       /* periods the device took */
  guint64 device_waits;         /* ...of which it took after waiting for room */
} AudioCastQueueStats;

/* Why audio_cast_queue_drain() returned. */
typedef enum
{
  AUDIO_CAST_DRAIN_HEARD,       /* everything written before was heard */
  AUDIO_CAST_DRAIN_INTERRUPTED, /* a clear or the element stopping */
  AUDIO_CAST_DRAIN_TIMED_OUT,
  AUDIO_CAST_DRAIN_FAILED,      /* the device failed */
} AudioCastDrainResult;

void     audio_cast_queue_set_times   (AudioCastQueue *self,
                                       GstClockTime buffer_time,
                                       GstClockTime latency_time,
                                       GstClockTime fade_time,
                                       GstClockTime lead_in_time,
                                       GstClockTime restart_lead_in_time);
void     audio_cast_queue_set_clock_lead (AudioCastQueue *self,
                                          GstClockTime lead);
void     audio_cast_queue_set_clock_settle_time (AudioCastQueue *self,
                                                 GstClockTime settle_time);
void     audio_cast_queue_set_device_prebuffers (AudioCastQueue *self,
                                                gboolean prebuffers);
void     audio_cast_queue_set_restart_when_dry (AudioCastQueue *self,
                                                gboolean restart);
void     audio_cast_queue_set_wait_for_late_writes (AudioCastQueue *self,
                                                    guint margin_periods);
void     audio_cast_queue_set_pace_pushes (AudioCastQueue *self,
                                           gboolean pace);
void     audio_cast_queue_set_device_usable (AudioCastQueue *self,
                                             gboolean usable);
void     audio_cast_queue_set_sync    (AudioCastQueue *self,
                                       gboolean sync);
void     audio_cast_queue_set_async   (AudioCastQueue *self,
                                       gboolean async);
void     audio_cast_queue_set_pipeline_latency (AudioCastQueue *self,
                                                GstClockTime latency);
GstClock *audio_cast_queue_get_clock  (AudioCastQueue *self);
gboolean audio_cast_queue_open_before_data (AudioCastQueue *self,
                                           const GstAudioInfo *info,
                                           GError **error);
gboolean audio_cast_queue_set_format  (AudioCastQueue *self,
                                       const GstAudioInfo *info,
                                       GError **error);
GstFlowReturn audio_cast_queue_write  (AudioCastQueue *self,
                                       const guint8 *data,
                                       guint64 frames,
                                       gboolean wait,
                                       guint64 *frames_accepted);
guint64  audio_cast_queue_get_space   (AudioCastQueue *self, guint rate);
gint     audio_cast_queue_get_wakeup_fd (AudioCastQueue *self);
void     audio_cast_queue_arm_wakeup  (AudioCastQueue *self,
                                       guint64 space_frames);
void     audio_cast_queue_set_device  (AudioCastQueue *self,
                                       GstElement *device_sink);
void     audio_cast_queue_clear       (AudioCastQueue *self,
                                       guint64 *frames_heard,
                                       guint64 *frames_discarded);
AudioCastDrainResult audio_cast_queue_drain (AudioCastQueue *self,
                                             gint64 timeout_us);
gboolean audio_cast_drain_result_to_error (AudioCastDrainResult result,
                                           gint64 timeout_us,
                                           gboolean stopped,
                                           GError **error);
void     audio_cast_queue_fail        (AudioCastQueue *self);
void     audio_cast_queue_get_stats   (AudioCastQueue *self,
                                       AudioCastQueueStats *stats);
gboolean audio_cast_queue_query_position (AudioCastQueue *self,
                                          gint64 *stream_time);

/* Called by the output thread with each period it handed to the device
 * (application audio or silence), once the device took it: @heard_time_us is when
 * the period's first frame will be heard, on the monotonic clock. Must
 * return at once (no waiting, no allocation): echo cancellation copies the
 * audio into a ring of its own. */
typedef void (*AudioCastQueueTap) (const GstAudioInfo *info,
                                   const guint8 *data, guint64 frames,
                                   gint64 heard_time_us, gpointer user_data);

/* Sets the tap (NULL: none). Once it returns, the tap it replaced is not
 * running and will not run again. */
void     audio_cast_queue_set_tap     (AudioCastQueue *self,
                                       AudioCastQueueTap tap,
                                       gpointer user_data);

/* Other streams, mixed over the ring's audio (audiocast-queue-streams.c) */
typedef struct _AudioCastMixerStream AudioCastMixerStream;

AudioCastMixerStream *audio_cast_queue_open_stream (AudioCastQueue *self,
                                       const GstAudioInfo *info,
                                       guint64 capacity,
                                       GError **error);
void     audio_cast_queue_close_stream (AudioCastQueue *self,
                                       AudioCastMixerStream *stream);
guint64  audio_cast_queue_stream_write (AudioCastQueue *self,
                                       AudioCastMixerStream *stream,
                                       const guint8 *data, guint64 frames,
                                       gint64 timeout_us,
                                       const volatile guint *generation,
                                       gboolean *stopped);
AudioCastDrainResult audio_cast_queue_stream_drain (AudioCastQueue *self,
                                       AudioCastMixerStream *stream,
                                       gint64 timeout_us,
                                       const volatile guint *generation);
gboolean audio_cast_queue_stream_wait_pending_below (AudioCastQueue *self,
                                         AudioCastMixerStream *stream,
                                         guint64 frames,
                                         gint64 timeout_us,
                                         const volatile guint *generation);
void     audio_cast_queue_stream_set_fed (AudioCastQueue *self,
                                         AudioCastMixerStream *stream,
                                         gboolean fed);
void     audio_cast_queue_wake_streams (AudioCastQueue *self);
void     audio_cast_queue_update_position (AudioCastQueue *self);
void     audio_cast_queue_flush_if_idle (AudioCastQueue *self);
gboolean audio_cast_queue_wait_ring_below (AudioCastQueue *self,
                                       guint64 frames, gint64 timeout_us);
void     audio_cast_queue_set_ducking (AudioCastQueue *self, gdouble level,
                                       GstClockTime ramp);
guint64  audio_cast_queue_get_timeline (AudioCastQueue *self,
                                       guint64 *earliest, gint64 *time_us);
gboolean audio_cast_queue_start_stream_at (AudioCastQueue *self,
                                       AudioCastMixerStream *stream,
                                       gint64 at, GError **error);

G_END_DECLS
