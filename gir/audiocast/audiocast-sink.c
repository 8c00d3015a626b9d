/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * AudioCastSink:
 *
 * The `audiocastsink` element: streaming audio output for real-time applications: a ring buffer in front
 * of the platform's audio sink, with an instant [signal@Sink::clear]
 * (barge-in) and a [signal@Sink::drain] that returns when the audio was
 * heard.
 *
 * Inside, the bin holds its ring buffer, audioconvert and audioresample (so
 * any raw audio plays on any device), and the platform sink: pulsesink
 * (which also reaches PipeWire through pipewire-pulse), alsasink,
 * wasapi2sink/wasapisink, osxaudiosink or autoaudiosink, whichever is
 * available and connects first, or the device named by [property@Sink:device].
 *
 * Every frame is played, from the first one on, and bit-exact when the input
 * format is the device's own. When the application writes slower than real
 * time the device plays silence (counted in [property@Sink:underruns]) and the
 * next data plays at once. EOS is posted when the last frame was heard.
 *
 * In PAUSED the ring keeps its data and the device plays out what it already
 * holds (what the server queued of its buffer: sixteen periods of [property@Sink:latency-time] with `sync` off on PulseAudio, four with it on or on PipeWire), then silence;
 * PLAYING resumes exactly where the audio stopped.
 *
 * ## Example launch lines
 *
 * Plays a tone on the default device and exits once it was heard:
 *
 * ```sh
 * gst-launch-1.0 audiotestsrc num-buffers=100 ! audiocastsink
 * ```
 *
 * Plays a file on the PulseAudio sink named `Virtual-Mic` (a case-insensitive
 * part of a device's name or description works too):
 *
 * ```sh
 * gst-launch-1.0 filesrc location=speech.ogg ! decodebin ! audiocastsink device=Virtual-Mic
 * ```
 *
 * Uses a given sink element instead of choosing one:
 *
 * ```sh
 * gst-launch-1.0 audiotestsrc num-buffers=50 ! audiocastsink audio-sink="alsasink device=hw:0"
 * ```
 *
 * Since: 0.1
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast.h"
#include "audiocast-log.h"
#include "audiocast-sink-device.h"
#include "audiocast-sink-instance.h"
#include "audiocast-sink-pools.h"
#include "audiocast-sink-private.h"
#include "audiocast-stream-properties.h"

#include <gst/audio/audio.h>
#include <string.h>

GST_DEBUG_CATEGORY (audio_cast_sink_debug);
#define GST_CAT_DEFAULT audio_cast_sink_debug

#define DEFAULT_PROP_DEVICE NULL
#define DEFAULT_PROP_SYNC TRUE
#define DEFAULT_PROP_ASYNC TRUE

enum
{
  PROP_0,
  PROP_DEVICE,
  PROP_SERVER,
  PROP_AUDIO_SINK,
  PROP_SYNC,
  PROP_ASYNC,
  /* then the tuning and statistics, audiocast-stream-properties.h */
  PROP_STREAM_FIRST,
};

static GParamSpec *properties[PROP_STREAM_FIRST];

enum
{
  SIGNAL_CLEAR,
  SIGNAL_DRAIN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE_WITH_CODE (AudioCastSink, audio_cast_sink, GST_TYPE_BIN,
    GST_DEBUG_CATEGORY_INIT (audio_cast_sink_debug, "audiocastsink", 0,
        "audiocast sink"));

/**
 * audio_cast_sink_clear:
 * @self: an [class@Sink]
 * @frames_heard: (out) (optional): frames of the current stream that were
 *   heard, counted since the previous clear
 * @frames_discarded: (out) (optional): frames that will never be heard
 *
 * Discards everything not yet heard — in the ring, in the converter, in the
 * platform sink and in the sound server. It never waits for audio to play
 * out, but it does tell the device to stop from the caller's thread (on
 * PulseAudio and PipeWire pulsesink corks the stream: one round trip to the
 * server), so the device is silent when it returns. A writer blocked because the ring was full returns and its pending
 * data is dropped; a pending drain returns `FALSE`. The next write plays at
 * once. Callable from any thread, in any state.
 *
 * Since: 0.1
 */
void
audio_cast_sink_clear (AudioCastSink *self, guint64 *frames_heard,
    guint64 *frames_discarded)
{
  g_return_if_fail (AUDIO_CAST_IS_SINK (self));

  audio_cast_queue_clear (self->queue, frames_heard, frames_discarded);
}

/**
 * audio_cast_sink_drain:
 * @self: an [class@Sink]
 * @timeout_us: how long to wait at most, in microseconds; -1 waits forever
 *
 * Waits until every frame written before the call has been heard, that is
 * played by the device, not merely handed to it.
 *
 * Returns: `TRUE` once all of it was heard (at once when nothing is queued),
 *   `FALSE` when a clear, a stop, the timeout or a failure of the device (an
 *   error on the bus) came first.
 *
 * Since: 0.1
 */
gboolean
audio_cast_sink_drain (AudioCastSink *self, gint64 timeout_us)
{
  g_return_val_if_fail (AUDIO_CAST_IS_SINK (self), FALSE);

  return audio_cast_queue_drain (self->queue, timeout_us)
      == AUDIO_CAST_DRAIN_HEARD;
}

AudioCastQueue *
audio_cast_sink_get_queue (AudioCastSink *self)
{
  return self->queue;
}

gboolean
audio_cast_sink_get_device_format (AudioCastSink *self, GstAudioInfo *info)
{
  GstCaps *caps = NULL;
  gboolean ok;

  g_object_get (self->capsfilter, "caps", &caps, NULL);
  if (caps == NULL || !gst_caps_is_fixed (caps)) {
    GstPad *pad = self->device_sink ?
        gst_element_get_static_pad (self->device_sink, "sink") : NULL;

    gst_clear_caps (&caps);
    if (pad) {
      caps = gst_pad_get_current_caps (pad);
      gst_object_unref (pad);
    }
  }
  ok = caps != NULL && gst_audio_info_from_caps (info, caps);
  gst_clear_caps (&caps);
  return ok;
}

static guint64
clear_action (AudioCastSink *self)
{
  guint64 heard = 0;

  audio_cast_sink_clear (self, &heard, NULL);
  return heard;
}

/*
 * The device sink's state is locked and follows the bin's, except that once
 * PLAYING it stays PLAYING while the bin is PAUSED: the queue holds its data
 * back and feeds silence instead (see set_holding() in audiocast-queue.c).
 */
static GstStateChangeReturn
audio_cast_sink_change_state (GstElement *element, GstStateChange transition)
{
  AudioCastSink *self = AUDIO_CAST_SINK (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      if (!audio_cast_sink_setup_device (self))
        return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (!audio_cast_sink_set_device_state (self, GST_STATE_PAUSED))
        return GST_STATE_CHANGE_FAILURE;
      audio_cast_queue_set_device_usable (self->queue, TRUE);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_PLAYING:
      /* Before the rest of the bin, so that a device that cannot start
       * fails the change while everything else is still PAUSED. A PLAYING
       * device under a PAUSED bin is the state a pause leaves anyway. */
      if (!audio_cast_sink_set_device_state (self, GST_STATE_PLAYING))
        return GST_STATE_CHANGE_FAILURE;
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      /* First, so the output thread's push returns. */
      audio_cast_queue_set_device_usable (self->queue, FALSE);
      audio_cast_sink_set_device_state (self, GST_STATE_READY);
      break;
    default:
      break;
  }

  ret = GST_ELEMENT_CLASS (audio_cast_sink_parent_class)->change_state (element,
      transition);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    if (transition == GST_STATE_CHANGE_NULL_TO_READY)
      audio_cast_sink_teardown_device (self);
    return ret;
  }

  switch (transition) {
    case GST_STATE_CHANGE_NULL_TO_READY:
      audio_cast_queue_set_device (self->queue, self->device_sink);
      break;
    case GST_STATE_CHANGE_READY_TO_NULL:
      audio_cast_sink_teardown_device (self);
      break;
    default:
      break;
  }
  return ret;
}

/* The position in the media is the queue's to say: the device sink only
 * knows the queue's own timeline, on which every frame follows the one
 * before whatever upstream's segments said. Other queries (duration,
 * latency, seeking) go to the device sink and from it upstream, as through
 * any sink. */
static gboolean
query_latency (AudioCastSink *self, GstQuery *query)
{
  GstQuery *upstream = gst_query_new_latency ();
  GstClockTime min, max, ours;
  gboolean live, sync;

  if (!gst_pad_peer_query (self->ghostpad, upstream)) {
    gst_query_unref (upstream);
    return FALSE;
  }
  gst_query_parse_latency (upstream, &live, &min, &max);
  gst_query_unref (upstream);

  GST_OBJECT_LOCK (self);
  sync = self->sync;
  ours = self->device_latency;
  GST_OBJECT_UNLOCK (self);

  /* Without sync nothing waits for the clock: not live, as for any sink. */
  live = live && sync;
  if (live) {
    min += ours;
    if (GST_CLOCK_TIME_IS_VALID (max))
      max += ours;
  }
  GST_DEBUG_OBJECT (self, "latency: live %d, min %" GST_TIME_FORMAT ", max %"
      GST_TIME_FORMAT, live, GST_TIME_ARGS (min), GST_TIME_ARGS (max));
  gst_query_set_latency (query, live, min, max);
  return TRUE;
}

static gboolean
audio_cast_sink_query (GstElement *element, GstQuery *query)
{
  AudioCastSink *self = AUDIO_CAST_SINK (element);
  GstFormat format;
  gint64 position;

  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY)
    return query_latency (self, query);

  if (GST_QUERY_TYPE (query) == GST_QUERY_POSITION) {
    gst_query_parse_position (query, &format, NULL);
    if (format == GST_FORMAT_TIME
        && audio_cast_queue_query_position (self->queue, &position)) {
      gst_query_set_position (query, GST_FORMAT_TIME, position);
      return TRUE;
    }
  }
  return GST_ELEMENT_CLASS (audio_cast_sink_parent_class)->query (element,
      query);
}

/* The pipeline's latency goes to the queue, which adds it to every running
 * time with sync on, and upstream, as from any sink. */
static gboolean
audio_cast_sink_send_event (GstElement *element, GstEvent *event)
{
  AudioCastSink *self = AUDIO_CAST_SINK (element);

  if (GST_EVENT_TYPE (event) == GST_EVENT_LATENCY) {
    GstClockTime latency;

    gst_event_parse_latency (event, &latency);
    audio_cast_queue_set_pipeline_latency (self->queue, latency);
    return gst_pad_push_event (self->ghostpad, event);
  }
  return GST_ELEMENT_CLASS (audio_cast_sink_parent_class)->send_event (element,
      event);
}

/* The clock of the audio heard (see queue_clock_time() in
 * audiocast-queue.c), not the device sink's: libpulse's breaks after some
 * flushes and would stop the pipeline for good. */
static GstClock *
audio_cast_sink_provide_clock (GstElement *element)
{
  return audio_cast_queue_get_clock (AUDIO_CAST_SINK (element)->queue);
}

/* An error from the device chain (say the sound server went away) means
 * nothing will empty the ring again: the queue lets writers and drains
 * return with it instead of waiting. The message goes up first, so a writer
 * that wakes finds it on the bus. */
static void
audio_cast_sink_handle_message (GstBin *bin, GstMessage *message)
{
  AudioCastSink *self = AUDIO_CAST_SINK (bin);
  gboolean device_failed = GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR
      && GST_MESSAGE_SRC (message) != GST_OBJECT (self->queue);

  GST_BIN_CLASS (audio_cast_sink_parent_class)->handle_message (bin, message);
  if (device_failed)
    audio_cast_queue_fail (self->queue);
}

static void
audio_cast_sink_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  AudioCastSink *self = AUDIO_CAST_SINK (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DEVICE:
      g_free (self->device);
      self->device = g_value_dup_string (value);
      break;
    case PROP_SERVER:
      g_free (self->server);
      self->server = g_value_dup_string (value);
      break;
    case PROP_AUDIO_SINK:
      gst_clear_object (&self->audio_sink);
      self->audio_sink = g_value_get_object (value);
      if (self->audio_sink)
        gst_object_ref_sink (self->audio_sink);
      break;
    case PROP_SYNC:
      self->sync = g_value_get_boolean (value);
      break;
    case PROP_ASYNC:
      self->async = g_value_get_boolean (value);
      break;
    default:
      if (prop_id < PROP_STREAM_FIRST
          || !audio_cast_tuning_set_property (&self->tuning,
              prop_id - PROP_STREAM_FIRST, value))
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);

  if (prop_id == PROP_SYNC)
    audio_cast_queue_set_sync (self->queue, g_value_get_boolean (value));
  else if (prop_id == PROP_ASYNC)
    audio_cast_queue_set_async (self->queue, g_value_get_boolean (value));
}

static void
audio_cast_sink_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
  AudioCastSink *self = AUDIO_CAST_SINK (object);

  if (prop_id >= PROP_STREAM_FIRST) {
    gboolean tuning;

    GST_OBJECT_LOCK (self);
    tuning = audio_cast_tuning_get_property (&self->tuning,
        prop_id - PROP_STREAM_FIRST, value);
    GST_OBJECT_UNLOCK (self);
    if (!tuning && !audio_cast_stats_get_property (self->queue,
            prop_id - PROP_STREAM_FIRST, value))
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    return;
  }

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_SERVER:
      g_value_set_string (value, self->server);
      break;
    case PROP_AUDIO_SINK:
      g_value_set_object (value, self->audio_sink);
      break;
    case PROP_SYNC:
      g_value_set_boolean (value, self->sync);
      break;
    case PROP_ASYNC:
      g_value_set_boolean (value, self->async);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
audio_cast_sink_dispose (GObject *object)
{
  AudioCastSink *self = AUDIO_CAST_SINK (object);

  gst_clear_object (&self->audio_sink);
  gst_clear_object (&self->placeholder);
  G_OBJECT_CLASS (audio_cast_sink_parent_class)->dispose (object);
}

static void
audio_cast_sink_finalize (GObject *object)
{
  AudioCastSink *self = AUDIO_CAST_SINK (object);

  g_free (self->device);
  g_free (self->server);
  g_clear_pointer (&self->probed, audio_cast_pulse_device_free);
  G_OBJECT_CLASS (audio_cast_sink_parent_class)->finalize (object);
}

/* The properties, each with its documentation. */
static void
install_properties (GObjectClass *object_class)
{
  /**
   * AudioCastSink:device:
   *
   * The output device: a device's name (for PulseAudio the sink name, such as
   * `Virtual-Mic`) matched exactly first, then a case-insensitive part of a
   * device's name or description. Names no device has but that are ALSA PCMs
   * (`pulse`, `default`, `hw:CARD=Audio`, anything with a colon) play
   * through alsasink on that PCM. `NULL` plays on the default device. When
   * nothing matches, the element fails to start with an error that lists the
   * available devices.
   *
   * Since: 0.1
   */
  properties[PROP_DEVICE] = g_param_spec_string ("device", "Device",
      "Output device name, or part of its name or description (NULL: default)",
      DEFAULT_PROP_DEVICE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);

  /**
   * AudioCastSink:server:
   *
   * The sound server to play on, by its PulseAudio protocol address:
   * `tcp:HOST:PORT` (a server on another machine, PulseAudio's
   * module-native-protocol-tcp or pipewire-pulse), `unix:/path/to/native`,
   * or `NULL` for the default server. [property@Sink:device] then names a
   * sink of that server. A server that does not answer within 2 s fails the
   * start with an error naming its address.
   *
   * Since: 0.1
   */
  properties[PROP_SERVER] = g_param_spec_string ("server", "Server",
      "PulseAudio-protocol server address (tcp:HOST:PORT, unix:PATH; "
      "NULL: default)", NULL,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);

  /**
   * AudioCastSink:audio-sink:
   *
   * A sink element to play through instead of choosing one, for custom or
   * test sinks. Takes precedence over [property@Sink:device].
   *
   * Since: 0.1
   */
  properties[PROP_AUDIO_SINK] = g_param_spec_object ("audio-sink",
      "Audio sink", "Sink element to use instead of choosing one",
      GST_TYPE_ELEMENT,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);

  /**
   * AudioCastSink:sync:
   *
   * Whether buffers that come with timestamps are heard at their running
   * time on the pipeline's clock, as with any GstBaseSink: audio that starts
   * late in a file starts late, a gap in the timestamps plays as silence,
   * audio that comes too late to be heard on time is dropped, and the
   * latency of a live pipeline is respected. Buffers without timestamps play
   * one after the other either way. `FALSE`: every frame plays back to back
   * as soon as the device takes it, nothing is dropped (what the player
   * does, and what applications writing their own stream want).
   *
   * Since: 0.1
   */
  properties[PROP_SYNC] = g_param_spec_boolean ("sync", "Sync",
      "Play timestamped buffers at their running time on the clock",
      DEFAULT_PROP_SYNC,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);

  /**
   * AudioCastSink:async:
   *
   * Whether going to PAUSED waits for the first data (preroll), and a
   * flushing seek loses the state until new data comes, as with any
   * GstBaseSink: media pipelines need this to know durations and to take a
   * new base time after a seek. `FALSE` completes state changes at once.
   *
   * Since: 0.1
   */
  properties[PROP_ASYNC] = g_param_spec_boolean ("async", "Async",
      "Go to PAUSED asynchronously, once the first data arrived",
      DEFAULT_PROP_ASYNC,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);

  g_object_class_install_properties (object_class, PROP_STREAM_FIRST,
      properties);
  audio_cast_stream_properties_install (object_class, PROP_STREAM_FIRST,
      GST_PARAM_MUTABLE_READY);
}

static void
audio_cast_sink_class_init (AudioCastSinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBinClass *bin_class = GST_BIN_CLASS (klass);

  audio_cast_log_init ();

  object_class->set_property = audio_cast_sink_set_property;
  object_class->get_property = audio_cast_sink_get_property;
  object_class->dispose = audio_cast_sink_dispose;
  object_class->finalize = audio_cast_sink_finalize;
  element_class->change_state = audio_cast_sink_change_state;
  element_class->query = audio_cast_sink_query;
  element_class->send_event = audio_cast_sink_send_event;
  element_class->provide_clock = audio_cast_sink_provide_clock;
  bin_class->handle_message = audio_cast_sink_handle_message;

  install_properties (object_class);

  /**
   * AudioCastSink::clear:
   * @sink: the [class@Sink]
   *
   * Action signal for [method@Sink.clear].
   *
   * Returns: the frames heard since the previous clear.
   *
   * Since: 0.1
   */
  signals[SIGNAL_CLEAR] = g_signal_new_class_handler ("clear",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (clear_action), NULL, NULL, NULL, G_TYPE_UINT64, 0);

  /**
   * AudioCastSink::drain:
   * @sink: the [class@Sink]
   * @timeout_us: microseconds to wait at most, -1 for no limit
   *
   * Action signal for [method@Sink.drain].
   *
   * Returns: `TRUE` when everything written before was heard.
   *
   * Since: 0.1
   */
  signals[SIGNAL_DRAIN] = g_signal_new_class_handler ("drain",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (audio_cast_sink_drain), NULL, NULL, NULL, G_TYPE_BOOLEAN, 1,
      G_TYPE_INT64);

  gst_element_class_add_static_pad_template (element_class,
      &audio_cast_queue_sink_template);
  gst_element_class_set_static_metadata (element_class,
      "audiocast sink", "Sink/Audio",
      "Streaming audio output with instant clear and playout-exact drain",
      "audiocast developers");
}

static void
audio_cast_sink_init (AudioCastSink *self)
{
  GstPadTemplate *templ;
  GstPad *target;

  audio_cast_tuning_init (&self->tuning);
  self->sync = DEFAULT_PROP_SYNC;
  self->async = DEFAULT_PROP_ASYNC;

  self->queue = g_object_new (AUDIO_CAST_TYPE_QUEUE, "name", "ring", NULL);
  self->convert = gst_element_factory_make ("audioconvert", "convert");
  self->resample = gst_element_factory_make ("audioresample", "resample");
  self->capsfilter = gst_element_factory_make ("capsfilter", "device-format");
  self->placeholder = gst_element_factory_make ("fakesink", "no-device");
  g_assert (self->convert && self->resample && self->capsfilter
      && self->placeholder);
  gst_object_ref_sink (self->placeholder);
  self->pool_period_us = audio_cast_tuning_latency_time (&self->tuning);
  audio_cast_sink_pool_output (self->convert, &self->pool_period_us);
  audio_cast_sink_pool_output (self->resample, &self->pool_period_us);
  gst_element_set_locked_state (self->placeholder, TRUE);
  /* Same sample values in, same out: no dither noise on integer devices, so
   * silence stays digital silence. */
  g_object_set (self->convert, "dithering", 0, "noise-shaping", 0, NULL);

  gst_bin_add_many (GST_BIN (self), GST_ELEMENT (self->queue), self->convert,
      self->resample, self->capsfilter, NULL);
  gst_element_link_many (GST_ELEMENT (self->queue), self->convert,
      self->resample, self->capsfilter, NULL);
  audio_cast_sink_hold_device_place (self);

  target = gst_element_get_static_pad (GST_ELEMENT (self->queue), "sink");
  templ = gst_static_pad_template_get (&audio_cast_queue_sink_template);
  self->ghostpad = gst_ghost_pad_new_from_template ("sink", target, templ);
  gst_object_unref (templ);
  gst_object_unref (target);
  gst_element_add_pad (GST_ELEMENT (self), self->ghostpad);

  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_SINK
      | GST_ELEMENT_FLAG_PROVIDE_CLOCK);
}
