/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* AudioCastPulseRing: a playback stream of a PulseAudio-protocol server as
 * a GstAudioRingBuffer, written straight into the server's buffer (no
 * buffer of its own, no thread of its own but libpulse's mainloop).
 *
 * What sets it apart is prebuffering (AudioCastPulseSink:prebuffer, chosen
 * per sink: docs/design.md, The device stream). The stream asks the server
 * to hold back until one segment is queued, and to hold back again
 * whenever it runs empty. So the server never reads through an empty
 * stream, its read index never runs ahead of what was written, and a write
 * at the write index is heard whole, however late it comes: no first
 * frames of a new stream, or of the first write after a flush, land behind
 * the read index. (pulsesink asks for no prebuffering and uncorks a new
 * stream before its first write reaches the server.)
 *
 * The rest is what GstAudioBaseSink expects of a ring buffer that writes
 * to a server at absolute sample offsets: segdone follows the server's
 * read index (from its timing replies), the delay is the stream's latency,
 * a pause corks the stream and a stop also flushes it. One mainloop per
 * stream: a commit waiting for room wakes on its own stream's requests
 * only. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-pulse-ring.h"
#include "audiocast-pulse-format.h"

#include <pulse/pulseaudio.h>
#include <string.h>
#include <stdlib.h>

GST_DEBUG_CATEGORY_STATIC (audio_cast_pulse_ring_debug);
#define GST_CAT_DEFAULT audio_cast_pulse_ring_debug

/* The server asks for this many segments at a time. How often it asks is
 * what a stream costs in CPU, in both this process's threads (the
 * mainloop's and the output thread's) and the server's: one player
 * streaming 10 ms periods took 17.1 ms of CPU per second of audio asked
 * for one segment at a time, 11.8 to 14.6 for two (PyAudio: 18.0 to 19.3;
 * bench/compare_streams.py's cpu scenario, runs of 15-20 s). The segment
 * stays the period, so where a write after a flush or idle goes is as fine
 * as before; the output thread pushes two periods at a time anyway
 * (audiocast-queue-pace.c). */
#define REQUEST_SEGMENTS 2

/* Frames a trick-mode commit (a rate other than 1) maps at a time. */
#define TRICK_CHUNK_BYTES 16384

struct _AudioCastPulseRing
{
  GstAudioRingBuffer parent;

  gchar *server;
  gchar *device;
  gchar *client_name;
  gboolean prebuffer;           /* see AudioCastPulseSink:prebuffer */

  /* libpulse's mainloop lock (pa_threaded_mainloop_lock) guards every call
   * into libpulse and every field below; libpulse holds it while it runs
   * the callbacks. A commit holds it only to write what fits and waits for
   * room in the mainloop's condition, which releases it. */
  pa_threaded_mainloop *mainloop;
  pa_context *context;
  pa_stream *stream;
  gboolean corked;
  gboolean ever_uncorked;       /* since the stream was made */
  gboolean paused;              /* commits return at once until a start */
  gboolean in_commit;           /* a commit waits for room */
  gint64 heard_from_us;         /* monotonic: when the server started the
                                 * stream, plus the sink's latency; 0 while
                                 * it prebuffers */

  guint8 *trick_scratch;        /* TRICK_CHUNK_BYTES, for rates other than 1 */
};

G_DEFINE_FINAL_TYPE (AudioCastPulseRing, audio_cast_pulse_ring,
    GST_TYPE_AUDIO_RING_BUFFER);

/* The element the ring buffer belongs to, for its errors. */
#define RING_OWNER(ring) GST_OBJECT_PARENT (ring)

static gboolean
stream_usable (AudioCastPulseRing *ring)
{
  return ring->context
      && PA_CONTEXT_IS_GOOD (pa_context_get_state (ring->context))
      && ring->stream
      && PA_STREAM_IS_GOOD (pa_stream_get_state (ring->stream));
}

static const gchar *
last_error (AudioCastPulseRing *ring)
{
  return ring->context ? pa_strerror (pa_context_errno (ring->context))
      : "no connection";
}

static void
context_state_cb (pa_context *c, void *userdata)
{
  AudioCastPulseRing *ring = userdata;

  pa_threaded_mainloop_signal (ring->mainloop, 0);
}

static void
stream_state_cb (pa_stream *s, void *userdata)
{
  AudioCastPulseRing *ring = userdata;

  pa_threaded_mainloop_signal (ring->mainloop, 0);
}

static void
stream_request_cb (pa_stream *s, size_t length, void *userdata)
{
  AudioCastPulseRing *ring = userdata;

  if (ring->in_commit)
    pa_threaded_mainloop_signal (ring->mainloop, 0);
}

/* segdone is the segment holding the server's read index, rounded up as
 * pulsesink counts it (audiocast-queue-device.c relies on that count). */
static void
update_segdone (AudioCastPulseRing *ring)
{
  GstAudioRingBuffer *buf = GST_AUDIO_RING_BUFFER (ring);
  const pa_timing_info *info = pa_stream_get_timing_info (ring->stream);

  if (info == NULL || info->read_index_corrupt || buf->spec.segsize <= 0)
    return;
  g_atomic_int_set (&buf->segdone, (gint) gst_util_uint64_scale_ceil (
          (guint64) MAX (info->read_index, 0), 1, buf->spec.segsize));
}

/* The server plays the stream, its first segment queued (after its
 * creation, a flush or an underrun): its frames are heard from a sink
 * latency on. */
static void
note_playing (AudioCastPulseRing *ring)
{
  const pa_timing_info *info = pa_stream_get_timing_info (ring->stream);
  pa_usec_t latency = info ? MAX (info->sink_usec, info->configured_sink_usec)
      : 0;

  ring->heard_from_us = g_get_monotonic_time () + (gint64) latency;
}

/* The server says it started the stream: after an underrun, or its first
 * segment after its creation. */
static void
stream_started_cb (pa_stream *s, void *userdata)
{
  note_playing (userdata);
}

/* A timing reply: the only word that a stream uncorked with its first
 * segment already queued (after a flush) plays, as the server sends no
 * "started" for a stream that never ran empty while it played. */
static void
stream_latency_cb (pa_stream *s, void *userdata)
{
  AudioCastPulseRing *ring = userdata;
  const pa_timing_info *info = pa_stream_get_timing_info (s);

  update_segdone (ring);
  if (ring->heard_from_us == 0 && !ring->corked && info && info->playing)
    note_playing (ring);
}

static void
operation_done_cb (pa_stream *s, int success, void *userdata)
{
  AudioCastPulseRing *ring = userdata;

  pa_threaded_mainloop_signal (ring->mainloop, 0);
}

/* With the mainloop lock: waits until @o completes (or the stream fails)
 * and drops it. FALSE when it did not complete. */
static gboolean
finish_operation (AudioCastPulseRing *ring, pa_operation *o)
{
  gboolean done;

  if (o == NULL)
    return FALSE;
  while (pa_operation_get_state (o) == PA_OPERATION_RUNNING
      && stream_usable (ring))
    pa_threaded_mainloop_wait (ring->mainloop);
  done = pa_operation_get_state (o) == PA_OPERATION_DONE;
  if (!done)
    pa_operation_cancel (o);
  pa_operation_unref (o);
  return done;
}

/* With the mainloop lock. @wait: until the server did it. */
static gboolean
set_corked (AudioCastPulseRing *ring, gboolean corked, gboolean wait)
{
  pa_operation *o;

  if (ring->corked == corked || !stream_usable (ring))
    return TRUE;
  o = pa_stream_cork (ring->stream, corked, operation_done_cb, ring);
  if (o == NULL)
    return FALSE;
  ring->corked = corked;
  ring->ever_uncorked |= !corked;
  if (wait)
    return finish_operation (ring, o);
  pa_operation_unref (o);
  return TRUE;
}

static gboolean
audio_cast_pulse_ring_open_device (GstAudioRingBuffer *buf)
{
  AudioCastPulseRing *ring = AUDIO_CAST_PULSE_RING (buf);
  pa_context_state_t state;

  ring->mainloop = pa_threaded_mainloop_new ();
  if (ring->mainloop == NULL || pa_threaded_mainloop_start (ring->mainloop) < 0)
    goto no_mainloop;
  pa_threaded_mainloop_lock (ring->mainloop);
  ring->context = pa_context_new (pa_threaded_mainloop_get_api
      (ring->mainloop), ring->client_name);
  if (ring->context == NULL)
    goto unlock_failed;
  pa_context_set_state_callback (ring->context, context_state_cb, ring);
  if (pa_context_connect (ring->context, ring->server, PA_CONTEXT_NOFLAGS,
          NULL) < 0)
    goto unlock_failed;
  while ((state = pa_context_get_state (ring->context)) != PA_CONTEXT_READY) {
    if (!PA_CONTEXT_IS_GOOD (state))
      goto unlock_failed;
    pa_threaded_mainloop_wait (ring->mainloop);
  }
  pa_threaded_mainloop_unlock (ring->mainloop);
  return TRUE;

unlock_failed:
  GST_ELEMENT_ERROR (RING_OWNER (ring), RESOURCE, OPEN_WRITE,
      ("Cannot connect to the sound server %s: %s",
          ring->server ? ring->server : "(default)", last_error (ring)),
      (NULL));
  pa_threaded_mainloop_unlock (ring->mainloop);
  return FALSE;
no_mainloop:
  GST_ELEMENT_ERROR (RING_OWNER (ring), RESOURCE, OPEN_WRITE,
      ("Cannot start a PulseAudio mainloop"), (NULL));
  return FALSE;
}

static gboolean
audio_cast_pulse_ring_close_device (GstAudioRingBuffer *buf)
{
  AudioCastPulseRing *ring = AUDIO_CAST_PULSE_RING (buf);

  if (ring->mainloop == NULL)
    return TRUE;
  pa_threaded_mainloop_lock (ring->mainloop);
  if (ring->context) {
    pa_context_set_state_callback (ring->context, NULL, NULL);
    pa_context_disconnect (ring->context);
    g_clear_pointer (&ring->context, pa_context_unref);
  }
  pa_threaded_mainloop_unlock (ring->mainloop);
  pa_threaded_mainloop_stop (ring->mainloop);
  g_clear_pointer (&ring->mainloop, pa_threaded_mainloop_free);
  return TRUE;
}

/* With the mainloop lock: until the stream is ready; FALSE if it failed. */
static gboolean
wait_for_stream_ready (AudioCastPulseRing *ring)
{
  pa_stream_state_t state;

  while ((state = pa_stream_get_state (ring->stream)) != PA_STREAM_READY) {
    if (!PA_STREAM_IS_GOOD (state)
        || !PA_CONTEXT_IS_GOOD (pa_context_get_state (ring->context)))
      return FALSE;
    pa_threaded_mainloop_wait (ring->mainloop);
  }
  return TRUE;
}

static gboolean
audio_cast_pulse_ring_acquire (GstAudioRingBuffer *buf,
    GstAudioRingBufferSpec *spec)
{
  AudioCastPulseRing *ring = AUDIO_CAST_PULSE_RING (buf);
  const pa_buffer_attr *actual;
  pa_buffer_attr attr;
  pa_sample_spec ss;
  pa_channel_map map;

  ss.format =
      audio_cast_pulse_format_from_gst (GST_AUDIO_INFO_FORMAT (&spec->info));
  if (spec->type != GST_AUDIO_RING_BUFFER_FORMAT_TYPE_RAW
      || ss.format == PA_SAMPLE_INVALID) {
    GST_ELEMENT_ERROR (RING_OWNER (ring), RESOURCE, SETTINGS,
        ("Cannot play %s: the stream takes U8, S16, S24, S24_32, S32 or F32 "
            "samples", GST_AUDIO_INFO_NAME (&spec->info)), (NULL));
    return FALSE;
  }
  /* the sink's setting as it is now: it is chosen after the device opens */
  g_object_get (RING_OWNER (ring), "prebuffer", &ring->prebuffer, NULL);
  ss.rate = GST_AUDIO_INFO_RATE (&spec->info);
  ss.channels = GST_AUDIO_INFO_CHANNELS (&spec->info);
  audio_cast_pulse_channel_map_for (&spec->info, &map);

  /* the server asks for a segment at a time, and starts (and starts again
   * after running empty) once a segment is queued */
  attr.maxlength = (uint32_t) -1;
  attr.tlength = spec->segtotal * spec->segsize;
  attr.minreq = spec->segsize * REQUEST_SEGMENTS;
  attr.prebuf = ring->prebuffer ? (uint32_t) spec->segsize : 0;
  attr.fragsize = (uint32_t) -1;

  pa_threaded_mainloop_lock (ring->mainloop);
  ring->stream = pa_stream_new (ring->context, ring->client_name, &ss, &map);
  if (ring->stream == NULL)
    goto failed;
  pa_stream_set_state_callback (ring->stream, stream_state_cb, ring);
  pa_stream_set_write_callback (ring->stream, stream_request_cb, ring);
  pa_stream_set_latency_update_callback (ring->stream, stream_latency_cb,
      ring);
  pa_stream_set_started_callback (ring->stream, stream_started_cb, ring);
  ring->heard_from_us = 0;
  if (pa_stream_connect_playback (ring->stream, ring->device, &attr,
          PA_STREAM_INTERPOLATE_TIMING | PA_STREAM_AUTO_TIMING_UPDATE
          | PA_STREAM_ADJUST_LATENCY | PA_STREAM_START_CORKED, NULL,
          NULL) < 0 || !wait_for_stream_ready (ring))
    goto failed;
  ring->corked = TRUE;
  ring->ever_uncorked = FALSE;
  ring->paused = FALSE;

  /* the server's answer: the buffer it keeps for the stream, in segments;
   * a server that asks for less than a segment at a time makes that the
   * segment */
  actual = pa_stream_get_buffer_attr (ring->stream);
  if (actual && actual->minreq > 0 && actual->minreq < (uint32_t) spec->segsize)
    spec->segsize = actual->minreq;
  if (actual && spec->segsize > 0)
    spec->segtotal = MAX (actual->tlength / spec->segsize, 2);
  GST_INFO_OBJECT (ring, "stream ready: tlength %u minreq %u prebuf %u; "
      "%d segments of %d bytes", actual ? actual->tlength : 0,
      actual ? actual->minreq : 0, actual ? actual->prebuf : 0,
      spec->segtotal, spec->segsize);
  pa_threaded_mainloop_unlock (ring->mainloop);
  ring->trick_scratch = g_malloc (TRICK_CHUNK_BYTES);
  return TRUE;

failed:
  GST_ELEMENT_ERROR (RING_OWNER (ring), RESOURCE, OPEN_WRITE,
      ("Cannot open a playback stream on %s: %s",
          ring->device ? ring->device : "the default sink",
          last_error (ring)), (NULL));
  if (ring->stream) {
    pa_stream_set_state_callback (ring->stream, NULL, NULL);
    pa_stream_disconnect (ring->stream);
    g_clear_pointer (&ring->stream, pa_stream_unref);
  }
  pa_threaded_mainloop_unlock (ring->mainloop);
  return FALSE;
}

static gboolean
audio_cast_pulse_ring_release (GstAudioRingBuffer *buf)
{
  AudioCastPulseRing *ring = AUDIO_CAST_PULSE_RING (buf);

  pa_threaded_mainloop_lock (ring->mainloop);
  if (ring->stream) {
    pa_stream_set_state_callback (ring->stream, NULL, NULL);
    pa_stream_set_write_callback (ring->stream, NULL, NULL);
    pa_stream_set_latency_update_callback (ring->stream, NULL, NULL);
    pa_stream_set_started_callback (ring->stream, NULL, NULL);
    pa_stream_disconnect (ring->stream);
    g_clear_pointer (&ring->stream, pa_stream_unref);
  }
  pa_threaded_mainloop_unlock (ring->mainloop);
  g_clear_pointer (&ring->trick_scratch, g_free);
  return TRUE;
}

/* Uncorked, the server plays once a segment is queued. A drain (EOS) may
 * have less than that left: it is started at once. */
static gboolean
audio_cast_pulse_ring_start (GstAudioRingBuffer *buf)
{
  AudioCastPulseRing *ring = AUDIO_CAST_PULSE_RING (buf);
  GstAudioBaseSink *sink = GST_AUDIO_BASE_SINK (RING_OWNER (ring));
  gboolean ok;

  pa_threaded_mainloop_lock (ring->mainloop);
  ring->paused = FALSE;
  ok = set_corked (ring, FALSE, FALSE);
  if (ok && stream_usable (ring) && (GST_BASE_SINK_CAST (sink)->eos
          || g_atomic_int_get (&sink->eos_rendering))) {
    pa_operation *o = pa_stream_trigger (ring->stream, NULL, NULL);

    if (o)
      pa_operation_unref (o);
  }
  pa_threaded_mainloop_unlock (ring->mainloop);
  return ok;
}

/* With the mainloop lock: a commit waiting for room returns. */
static gboolean
pause_locked (AudioCastPulseRing *ring)
{
  ring->paused = TRUE;
  if (ring->in_commit)
    pa_threaded_mainloop_signal (ring->mainloop, 0);
  return set_corked (ring, TRUE, TRUE);
}

static gboolean
audio_cast_pulse_ring_pause (GstAudioRingBuffer *buf)
{
  AudioCastPulseRing *ring = AUDIO_CAST_PULSE_RING (buf);
  gboolean ok;

  pa_threaded_mainloop_lock (ring->mainloop);
  ok = pause_locked (ring);
  pa_threaded_mainloop_unlock (ring->mainloop);
  return ok;
}

/* With the mainloop lock, the stream corked: the server drops what it
 * holds, and its read index, which a corked stream holds still, is asked
 * for at once, so that segdone and audio_cast_pulse_ring_read_index() say
 * where the next write goes. */
static void
flush_locked (AudioCastPulseRing *ring)
{
  if (!stream_usable (ring))
    return;
  ring->heard_from_us = 0;
  finish_operation (ring, pa_stream_flush (ring->stream, operation_done_cb,
          ring));
  if (finish_operation (ring, pa_stream_update_timing_info (ring->stream,
              operation_done_cb, ring)))
    update_segdone (ring);
}

static gboolean
audio_cast_pulse_ring_stop (GstAudioRingBuffer *buf)
{
  AudioCastPulseRing *ring = AUDIO_CAST_PULSE_RING (buf);
  gboolean ok;

  pa_threaded_mainloop_lock (ring->mainloop);
  ok = pause_locked (ring);
  flush_locked (ring);
  pa_threaded_mainloop_unlock (ring->mainloop);
  return ok;
}

static guint
audio_cast_pulse_ring_delay (GstAudioRingBuffer *buf)
{
  AudioCastPulseRing *ring = AUDIO_CAST_PULSE_RING (buf);
  pa_usec_t latency = 0;
  int negative = 0;

  pa_threaded_mainloop_lock (ring->mainloop);
  if (!stream_usable (ring)
      || pa_stream_get_latency (ring->stream, &latency, &negative) < 0
      || negative)
    latency = 0;
  pa_threaded_mainloop_unlock (ring->mainloop);
  return (guint) gst_util_uint64_scale_int (latency,
      GST_AUDIO_INFO_RATE (&buf->spec.info), G_USEC_PER_SEC);
}

/* With the mainloop lock: writes @bytes of @data at byte @offset of the
 * stream, waiting for room as it goes. Returns the bytes written: fewer
 * when a pause or a stop came, or the stream failed. */
static gsize
write_locked (AudioCastPulseRing *ring, const guint8 *data, gsize bytes,
    gint64 offset)
{
  gsize bpf = GST_AUDIO_INFO_BPF (&GST_AUDIO_RING_BUFFER (ring)->spec.info);
  gsize done = 0;

  while (done < bytes && !ring->paused) {
    size_t writable;
    gsize n;

    if (!stream_usable (ring)
        || (writable = pa_stream_writable_size (ring->stream)) == (size_t) -1)
      goto failed;
    writable -= writable % bpf;
    if (writable == 0) {
      ring->in_commit = TRUE;
      pa_threaded_mainloop_wait (ring->mainloop);
      ring->in_commit = FALSE;
      continue;
    }
    n = MIN (writable, bytes - done);
    if (pa_stream_write (ring->stream, data + done, n, NULL, offset + done,
            PA_SEEK_ABSOLUTE) < 0)
      goto failed;
    done += n;
  }
  return done;

failed:
  GST_ELEMENT_ERROR (RING_OWNER (ring), RESOURCE, WRITE,
      ("Cannot write to the sound server: %s", last_error (ring)), (NULL));
  ring->paused = TRUE;
  return done;
}

/* With the mainloop lock: @out_samples frames (negative: backwards) from
 * @in_samples of @data, each the nearest one (a rate other than 1, as trick
 * modes ask for). Returns the input frames consumed. */
static gint
write_rescaled_locked (AudioCastPulseRing *ring, const guint8 *data,
    gint in_samples, gint out_samples, gint64 offset)
{
  gsize bpf = GST_AUDIO_INFO_BPF (&GST_AUDIO_RING_BUFFER (ring)->spec.info);
  gint out_total = ABS (out_samples), chunk = TRICK_CHUNK_BYTES / bpf;
  gint done = 0;

  while (done < out_total) {
    gint i, n = MIN (chunk, out_total - done);
    gsize wrote;

    for (i = 0; i < n; i++) {
      gint64 k = (gint64) (done + i) * in_samples / out_total;

      if (out_samples < 0)
        k = in_samples - 1 - k;
      memcpy (ring->trick_scratch + i * bpf, data + k * bpf, bpf);
    }
    wrote = write_locked (ring, ring->trick_scratch, n * bpf,
        offset + (gint64) done * bpf);
    done += wrote / bpf;
    if (wrote < n * bpf)
      break;
  }
  return (gint) ((gint64) done * in_samples / out_total);
}

static guint
audio_cast_pulse_ring_commit (GstAudioRingBuffer *buf, guint64 *sample,
    guint8 *data, gint in_samples, gint out_samples, gint *accum)
{
  AudioCastPulseRing *ring = AUDIO_CAST_PULSE_RING (buf);
  gsize bpf = GST_AUDIO_INFO_BPF (&buf->spec.info);
  gint64 offset = (gint64) (*sample * bpf);
  gint consumed;

  if (in_samples <= 0 || out_samples == 0)
    return 0;
  if (g_atomic_int_get (&buf->state) != GST_AUDIO_RING_BUFFER_STATE_STARTED) {
    if (!g_atomic_int_get (&buf->may_start)
        || !gst_audio_ring_buffer_start (buf))
      return 0;
  }

  pa_threaded_mainloop_lock (ring->mainloop);
  if (out_samples == in_samples) {
    consumed = write_locked (ring, data, in_samples * bpf, offset) / bpf;
    *sample += consumed;
  } else {
    consumed = write_rescaled_locked (ring, data, in_samples, out_samples,
        offset);
    *sample += (guint64) consumed * ABS (out_samples) / in_samples;
  }
  pa_threaded_mainloop_unlock (ring->mainloop);
  return consumed;
}

/* What the server holds goes (the end of a flush, FLUSH_STOP). A stream
 * that plays on stops at its read index until the next write: it
 * prebuffers again. */
static void
audio_cast_pulse_ring_clear_all (GstAudioRingBuffer *buf)
{
  AudioCastPulseRing *ring = AUDIO_CAST_PULSE_RING (buf);

  if (ring->mainloop == NULL)
    return;
  pa_threaded_mainloop_lock (ring->mainloop);
  flush_locked (ring);
  pa_threaded_mainloop_unlock (ring->mainloop);
}

/* The stream's time: what the server has played, interpolated between its
 * timing replies; GST_CLOCK_TIME_NONE before there is any (the audio clock
 * then keeps its last time). */
GstClockTime
audio_cast_pulse_ring_get_time (AudioCastPulseRing *ring)
{
  pa_usec_t usec;
  GstClockTime t = GST_CLOCK_TIME_NONE;

  if (ring->mainloop == NULL)
    return t;
  pa_threaded_mainloop_lock (ring->mainloop);
  /* A stream made corked has played nothing until its first uncork, but
   * libpulse's interpolated time runs from when it was made (200 ms after
   * a player opened it, a first write counted the whole of itself heard
   * at once): before that uncork its time is 0. */
  if (stream_usable (ring) && !ring->ever_uncorked)
    t = 0;
  else if (stream_usable (ring)
      && pa_stream_get_time (ring->stream, &usec) >= 0)
    t = usec * GST_USECOND;
  pa_threaded_mainloop_unlock (ring->mainloop);
  return t;
}

/* Where the server reads the stream, in frames from its start, as of its
 * last timing reply: exact after a stop (the stream is corked and flushed,
 * and the reply came after), when nothing written lands behind it; FALSE
 * when unknown. */
gboolean
audio_cast_pulse_ring_read_index (AudioCastPulseRing *ring, guint64 *frames)
{
  GstAudioRingBuffer *buf = GST_AUDIO_RING_BUFFER (ring);
  const pa_timing_info *info = NULL;
  gint bpf = GST_AUDIO_INFO_BPF (&buf->spec.info);

  if (ring->mainloop == NULL || bpf <= 0 || !ring->prebuffer)
    return FALSE;
  pa_threaded_mainloop_lock (ring->mainloop);
  if (stream_usable (ring))
    info = pa_stream_get_timing_info (ring->stream);
  if (info && !info->read_index_corrupt)
    *frames = (guint64) MAX (info->read_index, 0) / bpf;
  pa_threaded_mainloop_unlock (ring->mainloop);
  return info != NULL && !info->read_index_corrupt;
}

/* Since when a prebuffering stream's frames are heard, after its start or
 * the last flush (audio_cast_queue_read_device_now() extrapolates from
 * there); FALSE: not yet, or the stream does not prebuffer. */
gboolean
audio_cast_pulse_ring_heard_from (AudioCastPulseRing *ring, gint64 *from_us)
{
  if (ring->mainloop == NULL || !ring->prebuffer)
    return FALSE;
  pa_threaded_mainloop_lock (ring->mainloop);
  *from_us = ring->heard_from_us;
  pa_threaded_mainloop_unlock (ring->mainloop);
  return *from_us > 0;
}

static void
audio_cast_pulse_ring_finalize (GObject *object)
{
  AudioCastPulseRing *ring = AUDIO_CAST_PULSE_RING (object);

  audio_cast_pulse_ring_close_device (GST_AUDIO_RING_BUFFER (ring));
  g_free (ring->server);
  g_free (ring->device);
  g_free (ring->client_name);
  g_free (ring->trick_scratch);
  G_OBJECT_CLASS (audio_cast_pulse_ring_parent_class)->finalize (object);
}

static void
audio_cast_pulse_ring_class_init (AudioCastPulseRingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstAudioRingBufferClass *ring_class = GST_AUDIO_RING_BUFFER_CLASS (klass);

  object_class->finalize = audio_cast_pulse_ring_finalize;
  ring_class->open_device = audio_cast_pulse_ring_open_device;
  ring_class->close_device = audio_cast_pulse_ring_close_device;
  ring_class->acquire = audio_cast_pulse_ring_acquire;
  ring_class->release = audio_cast_pulse_ring_release;
  ring_class->start = audio_cast_pulse_ring_start;
  ring_class->resume = audio_cast_pulse_ring_start;
  ring_class->pause = audio_cast_pulse_ring_pause;
  ring_class->stop = audio_cast_pulse_ring_stop;
  ring_class->delay = audio_cast_pulse_ring_delay;
  ring_class->commit = audio_cast_pulse_ring_commit;
  ring_class->clear_all = audio_cast_pulse_ring_clear_all;

  GST_DEBUG_CATEGORY_INIT (audio_cast_pulse_ring_debug, "audiocastpulsering",
      0, "audiocast's PulseAudio playback stream");
}

static void
audio_cast_pulse_ring_init (AudioCastPulseRing *ring)
{
}

AudioCastPulseRing *
audio_cast_pulse_ring_new (const gchar *server, const gchar *device,
    const gchar *client_name)
{
  AudioCastPulseRing *ring = g_object_new (AUDIO_CAST_TYPE_PULSE_RING, NULL);

  ring->server = g_strdup (server);
  ring->device = g_strdup (device);
  ring->client_name = g_strdup (client_name ? client_name : "audiocast");
  return ring;
}
