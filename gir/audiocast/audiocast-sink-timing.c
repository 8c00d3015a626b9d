/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* How AudioCastSink drives the platform sink it opened (see
 * audiocast-sink-timing.h). */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-sink-timing.h"
#include "audiocast-sink-device.h"
#include "audiocast-pulse.h"

#include <gst/audio/audio.h>
#include <string.h>

#define GST_CAT_DEFAULT audio_cast_sink_debug

/* The platform sink's own buffer, in device periods, chosen when the device
 * opens. pulsesink asks the server to adjust its latency, and PulseAudio
 * then keeps about half of this buffer queued for the stream (measured:
 * 20-25 ms of 40, 45-55 ms of 100). A stall of the whole machine longer than
 * what is queued underruns the stream, and what pulsesink writes behind the
 * server's read position is dropped: on a virtual machine that stalled for
 * 20-40 ms every few seconds, four periods lost 5 ms each time and ten lost
 * nothing in minutes. Clear flushes this buffer, so its size costs no
 * barge-in latency, and an application's stream (sync off: the player,
 * play_file) gets the ten; on pulsesink sixteen, since its pushes are paced
 * by the device's room (audiocast-queue-pace.c), which keeps the device up
 * to two periods below full, and the server's part of it with it. The
 * server's queue, medians of 15 readings in 3 s streams: 69 ms of ten
 * periods unpaced; paced in bursts of two, 38 ms of ten, 37-45 ms of
 * fourteen and 77-98 ms of sixteen. A media pipeline (sync on) keeps four: with ten
 * its clock, which counts the audio heard, fell 100-140 ms behind wall time
 * after some flushing seeks, and a synchronised video waited that long. So
 * does every stream on PipeWire, whose flush leaves old audio behind (see
 * audio_cast_queue_resume_at_device_position()) and whose restart and clock
 * lead were measured with four: with ten, clears there replayed cleared
 * audio, heard counts ran ~490 frames per clear behind what was heard, and
 * drain returned ~200 frames early. Those streams are not paced. */
#define DEVICE_BUFFER_PERIODS 10
#define PACED_DEVICE_BUFFER_PERIODS 16
#define MEDIA_DEVICE_BUFFER_PERIODS 4

/* AUDIO_CAST_LATENCY_MODE_LOW's device buffer, with its periods of 2.5 ms:
 * 10 ms, of which PulseAudio keeps 7-8 ms queued. Measured with the other
 * core busy, 20 s streams in 10 ms writes: three periods of 2.5 ms, or four
 * of 2 ms, left gaps of 0.5-2.5 ms every few seconds; four of 2.5 ms none,
 * once a dry ring waits for a late write (audiocast-queue-late-write.c).
 * Media pipelines included. */
#define LOW_LATENCY_DEVICE_BUFFER_PERIODS 4
/* pipewire-pulse grants a stream no less than its own quantum (256 frames,
 * 5.3 ms at 48 kHz) per request: asked for 10 ms, it set the stream's
 * target to 16 ms and its request size to 256 frames, which pulsesink's
 * four 2.5 ms segments could not cover, and a 3 s stream had gaps in 2 runs
 * of 6. Six periods (15 ms asked, 12.8 ms granted): none in 6, heard as soon
 * after the write (26.4 ms; the quantum sets that). */
#define LOW_LATENCY_PIPEWIRE_DEVICE_BUFFER_PERIODS 6

/* Silence opening every stream and every restart after a flush, so the
 * application's first frame is heard intact (docs/design.md, The device
 * stream). On PulseAudio a sink that may rewind loses up to the first 4.9 ms
 * of a new stream, prebuffered or not; with pulsesink, which uncorks before
 * its first write, any sink loses up to 5 ms (240 frames at 48 kHz; 144 of
 * them behind a 2 ms lead-in). A null sink loaded with norewinds=1 needs
 * none with audiocast's own stream, which prebuffers. pipewire-pulse's
 * first cycle can find a new stream empty and skip its first graph quantum
 * (256 frames seen): one period covers two. After a flush there the first
 * buffer goes up to a period behind the server's read index, more when the
 * count of it is stale (see resume_at_device_position() in
 * audiocast-queue-device.c): two periods cover that. Sinks with their own
 * ring thread (alsasink) start reading faster than real time until the
 * device buffer is full: that start-up belongs to silence too. */
#define PULSE_LEAD_IN_US 5000
/* The low-latency mode's start on PulseAudio: its lead-in goes out in
 * periods of 2.5 ms, and the server reads in real time from the uncork, so
 * a thread preempted between them let the read index pass the lead-in's
 * end: the first 72 frames of the audio written behind it were dropped
 * (test_bitexact[low], about 1 run in 15 with the other core busy: the
 * second of the lead-in's two pushes came 4.5 ms after the first). Four
 * periods, the device's whole buffer, leave 10 ms for that. */
#define LOW_LATENCY_PULSE_LEAD_IN_PERIODS 4
#define PIPEWIRE_START_LEAD_IN_PERIODS 1
#define PIPEWIRE_RESTART_LEAD_IN_PERIODS 2

/* What the device must still hold when a dry ring stops waiting for the
 * application's late write (audiocast-queue-late-write.c), in periods.
 *
 * The low-latency mode's: the sound server reads ahead of what it has
 * played by its own latency, and the silence pushed then must reach it
 * before that runs out. Measured with its four periods in the device: with
 * two, a 3 s stream on a PulseAudio null sink ran the device dry in about 1
 * run of 5; with three, in none of 6 (with rewinds on, still about 1 in 3:
 * see docs/design.md, Low latency).
 *
 * A paced stream's (audiocast-queue-pace.c): its sixteen-period device takes
 * a new stream's first ten periods or more at once, and silence pushed the
 * moment the ring ran dry then went in front of a write that came 1 ms
 * later (0.1 s written, then the next 3 s: a period of silence between, in
 * test_py_convert). Unpaced, with ten periods, pulsesink took no more than
 * the six or seven the server kept, and a dry ring's silence waited for
 * that room: six keeps that. */
#define LOW_LATENCY_LATE_WRITE_MARGIN_PERIODS 3
#define PACED_LATE_WRITE_MARGIN_PERIODS 6

/* A live pipeline's frames can be heard on time no sooner than after the
 * device's buffer, the lead-in of a restart and this many periods more: the
 * one being pushed and the server's own. */
#define LATENCY_SLACK_PERIODS 2

static void
take_probe (AudioCastSinkTiming *timing, const AudioCastPulseDevice *pulse)
{
  timing->on_pipewire = pulse->on_pipewire;
  timing->may_rewind = pulse->may_rewind;
  timing->device_caps = gst_audio_info_to_caps (&pulse->info);
  /* The device's channel layout is its own business; the count is what
   * audioconvert has to produce. */
  gst_structure_remove_field (gst_caps_get_structure (timing->device_caps, 0),
      "channel-mask");
}

/* The device's own format, so audioconvert/audioresample produce what it
 * plays natively, and whether its server is pipewire-pulse. */
static void
probe_device (AudioCastSinkTiming *timing, GstElement *sink,
    const gchar *server, const gchar *pulse_name,
    const AudioCastPulseDevice *probed)
{
  gchar *given_device = NULL, *given_server = NULL;
  AudioCastPulseDevice *pulse;

  if (!audio_cast_sink_is_pulsesink (sink))
    return;
  if (probed != NULL) {
    take_probe (timing, probed);
    return;
  }

  /* A pulsesink the application gave (audio-sink="pulsesink device=X")
   * plays on the device and server it names: probe those, not ours. Our
   * own stream always comes probed (pulse_sink_factory()): pulsesink needs
   * no answer on rewinds. */
  if (pulse_name == NULL)
    g_object_get (sink, "device", &given_device, "server", &given_server,
        NULL);
  pulse = audio_cast_pulse_find_sink (given_server ? given_server : server,
      pulse_name ? pulse_name : given_device, FALSE);
  g_free (given_device);
  g_free (given_server);
  if (pulse == NULL)
    return;
  take_probe (timing, pulse);
  audio_cast_pulse_device_free (pulse);
}

/* The silence the queue opens a new stream and a restart with (see
 * PULSE_LEAD_IN_US); a ring sink's is its whole buffer and a period. */
static void
choose_lead_ins (AudioCastSinkTiming *timing, gboolean is_pulsesink,
    gint64 latency_us, guint buffer_periods, AudioCastLatencyMode mode)
{
  if (!is_pulsesink) {
    timing->lead_in = timing->restart_lead_in =
        latency_us * (buffer_periods + 1) * GST_USECOND;
  } else if (timing->on_pipewire) {
    timing->lead_in = latency_us * PIPEWIRE_START_LEAD_IN_PERIODS
        * GST_USECOND;
    timing->restart_lead_in = latency_us * PIPEWIRE_RESTART_LEAD_IN_PERIODS
        * GST_USECOND;
  } else {
    timing->lead_in = timing->restart_lead_in = PULSE_LEAD_IN_US * GST_USECOND;
    if (mode == AUDIO_CAST_LATENCY_MODE_LOW)
      timing->lead_in = MAX (timing->lead_in, (GstClockTime) latency_us
          * LOW_LATENCY_PULSE_LEAD_IN_PERIODS * GST_USECOND);
  }
}

void
audio_cast_sink_timing_for (AudioCastSinkTiming *timing, GstElement *sink,
    const gchar *server, const gchar *pulse_name,
    const AudioCastPulseDevice *probed, gint64 latency_us, gboolean sync,
    AudioCastLatencyMode mode)
{
  gboolean is_pulsesink = audio_cast_sink_is_pulsesink (sink);
  GstClockTime period = latency_us * GST_USECOND;
  GstClockTime quantum = audio_cast_sink_pipewire_quantum (latency_us);
  guint buffer_periods;

  memset (timing, 0, sizeof *timing);
  probe_device (timing, sink, server, pulse_name, probed);
  GST_INFO ("device format: %" GST_PTR_FORMAT ", on PipeWire: %d",
      timing->device_caps, timing->on_pipewire);

  if (mode == AUDIO_CAST_LATENCY_MODE_LOW)
    buffer_periods = timing->on_pipewire
        ? LOW_LATENCY_PIPEWIRE_DEVICE_BUFFER_PERIODS
        : LOW_LATENCY_DEVICE_BUFFER_PERIODS;
  else if (sync || timing->on_pipewire)
    buffer_periods = MEDIA_DEVICE_BUFFER_PERIODS;
  else if (is_pulsesink) {
    buffer_periods = PACED_DEVICE_BUFFER_PERIODS;
    timing->pace_pushes = TRUE;
  } else
    buffer_periods = DEVICE_BUFFER_PERIODS;
  timing->device_buffer_us = latency_us * buffer_periods;
  timing->restart_when_dry = is_pulsesink;
  if (mode == AUDIO_CAST_LATENCY_MODE_LOW)
    timing->late_write_margin = LOW_LATENCY_LATE_WRITE_MARGIN_PERIODS;
  else if (timing->pace_pushes)
    timing->late_write_margin = PACED_LATE_WRITE_MARGIN_PERIODS;
  timing->clock_lead = timing->on_pipewire ? quantum : 0;
  choose_lead_ins (timing, is_pulsesink, latency_us, buffer_periods, mode);
  /* Our stream prebuffers where the sink never rewinds: it loses nothing
   * at its start (no lead-in: on PipeWire the first sound came 8.9 ms
   * after the first write instead of 14.8, and 20 new players in a row
   * were each heard from their first frame) nor when it runs dry. After a
   * flush pipewire-pulse keeps the old bytes past its write index (see
   * audio_cast_queue_resume_at_device_position()): there the restart's
   * lead-in stays, whose silence overwrites them (without it, audio
   * cleared was heard again in test_clear). A sink that rewinds loses the
   * first frames of a stream that starts or starts again, prebuffered or
   * not: there it reads on as pulsesink's does and restarts when dry,
   * behind the lead-in. */
  timing->device_prebuffers = audio_cast_sink_is_own_pulse_stream (sink)
      && !timing->may_rewind;
  if (audio_cast_sink_is_own_pulse_stream (sink))
    g_object_set (sink, "prebuffer", timing->device_prebuffers, NULL);
  if (timing->device_prebuffers)
    timing->lead_in = 0;
  if (timing->device_prebuffers && !timing->on_pipewire)
    timing->restart_lead_in = 0;
  timing->device_latency = (buffer_periods + LATENCY_SLACK_PERIODS) * period
      + MAX (timing->lead_in, timing->restart_lead_in)
      + (timing->on_pipewire ? quantum : 0);
  /* The device's buffer, a period more and PipeWire's quantum: more than
   * libpulse can take for sink latency (see quiet_device_clock()). */
  timing->clock_settle_time = is_pulsesink
      ? (buffer_periods + 1) * period + quantum : 0;
}

void
audio_cast_sink_timing_clear (AudioCastSinkTiming *timing)
{
  gst_clear_caps (&timing->device_caps);
}
