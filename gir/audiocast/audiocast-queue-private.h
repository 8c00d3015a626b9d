/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* AudioCastQueue's parts share its instance struct and the helpers below;
 * the threads and locks are described at the top of audiocast-queue.c.
 * Nothing here is public API. */

#pragma once

#include "audiocast-queue.h"
#include "audiocast-capture-clock.h"
#include "audiocast-media-position.h"
#include "audiocast-mixer.h"
#include "audiocast-pending-events.h"
#include "audiocast-playout.h"
#include "audiocast-ring.h"
#include "audiocast-sync.h"
#include "audiocast-wakeup.h"

#include <gst/audio/audio.h>

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (audio_cast_queue_debug);
#define GST_CAT_DEFAULT audio_cast_queue_debug

/* @a + @b_us for a monotonic time and a non-negative span, G_MAXINT64
 * (never) instead of overflowing. */
static inline gint64
saturating_add_us (gint64 a, gint64 b_us)
{
  return b_us > G_MAXINT64 - a ? G_MAXINT64 : a + b_us;
}

struct _AudioCastQueue
{
  GstElement parent;

  GstPad *sinkpad;
  GstPad *srcpad;

  /* lock: see the top of audiocast-queue.c */
  GMutex lock;
  GCond space_cond;             /* producer: room in the ring, clear, flush */
  GCond work_cond;              /* output thread: format, EOS, state */
  GCond played_cond;            /* drain: the position moved, clear, stop */

  GstClockTime buffer_time;
  GstClockTime latency_time;
  GstClockTime fade_time;
  GstClockTime lead_in_time;    /* silence opening every new stream... */
  GstClockTime restart_lead_in_time; /* ...and every restart after a flush */

  AudioCastRing ring;
  GstAudioInfo info;
  gboolean have_info;
  gboolean caps_pending;        /* output thread must push new caps */
  guint period_frames;

  /* A gentle clear plays out the device and fades the next frames out. */
  guint64 fade_max;             /* frames */
  guint8 *fade_buf;             /* fade_max frames in the stream format */
  gpointer fade_scratch;        /* the same, unpacked */
  guint64 fade_pending;         /* frames in fade_buf not pushed yet */

  guint64 space_wanted;         /* room a blocked producer waits for; 0: none */
  /* an event loop's waiter (audio_cast_queue_arm_wakeup()): wanted is the
   * room it waits for, 0 for the next period taken */
  AudioCastWakeup wakeup;
  guint generation;             /* bumped by every clear */
  gboolean sink_flushing;       /* producer must leave */
  gboolean src_running;         /* output thread may run */
  gboolean src_failed;          /* downstream refused data */
  gboolean holding;             /* paused: feed silence, keep the ring */
  gboolean eos_received;
  gboolean eos_sent;
  guint64 eos_target;           /* frames written when EOS arrived */

  guint64 written;
  guint64 cleared;
  guint64 played_at_clear;      /* heard frames at the last clear */
  guint64 drain_mark;           /* written at the last drain/EOS/clear */
  guint underruns;
  gboolean dry;                 /* pushing silence since the ring ran dry */
  guint64 dry_silence_frames;   /* silence pushed since the ring ran dry
                                 * (audio_cast_queue_wait_dry_locked) */
  guint late_write_margin;      /* periods; 0: no waiting for late writes
                                 * (audiocast-queue-late-write.c) */
  gboolean late_write_waiting;  /* the output thread waits for a write */
  gboolean dry_waiting;         /* the output thread lets a device that
                                 * prebuffers run dry, waiting for a write */
  gboolean pace_pushes;         /* see audio_cast_queue_set_pace_pushes */
  gboolean push_waited;         /* the last push waited in the device */
  guint64 device_full_frames;   /* the device's full level, 0: not known
                                 * (audiocast-queue-pace.c) */
  guint pace_burst;             /* pushes left in this burst */
  guint64 periods_pushed;       /* for the stats: periods the device took, */
  guint64 device_waits;         /* and of those, after waiting in it */

  AudioCastPlayout playout;
  AudioCastMediaPosition media; /* upstream's segment, for position queries */

  /* sync: frames with timestamps are heard at their running time */
  AudioCastSync sync;
  gboolean sync_enabled;
  gboolean sync_restarted;      /* flushed the device to catch up; not again */
  GstClockTime pipeline_latency; /* from the LATENCY event */
  AudioCastPendingEvents pending_events; /* STREAM_START, TAG at their frame */

  /* preroll: like a GstBaseSink, PAUSED completes with the first data */
  gboolean async_enabled;
  gboolean preroll_pending;

  /* The clock the element provides: the heard timeline (see
   * queue_clock_time), which stands still over the frames it does not
   * count: a restart's lead-in, and what a flush took from the device. */
  GstClock *clock;
  guint64 clock_skipped;
  guint epoch;                  /* bumped by every downstream flush */
  gboolean data_since_flush;
  /* Data went out since the output started. Until then, where
   * hold_until_data asks for it, it sends the device its format and
   * nothing else: a stream opened before the first write (the player's)
   * waits empty, rather than queueing silence the first write would wait
   * behind or have to flush. */
  gboolean data_since_start;
  gboolean hold_until_data;
  gboolean flush_stop_pending;

  /* The device: its clock and its sample counter give the heard position. */
  GstElement *device;
  GstAudioBaseSink *device_audio;
  GstClock *device_clock;
  gboolean clock_broken;        /* see IMPLAUSIBLE_LEAD_SECONDS */
  gboolean restart_when_dry;    /* see audio_cast_queue_set_restart_when_dry */
  gboolean device_prebuffers;   /* see audio_cast_queue_set_device_prebuffers */
  gboolean dry_counted;         /* this dry spell of such a device, counted */
  gboolean device_started;      /* FALSE while such a device has not yet
                                 * started playing since it was (re)started:
                                 * it takes nothing (read_device_now) */
  GstClockTime clock_lead;      /* see audio_cast_queue_set_clock_lead */
  GstClockTime clock_settle_time; /* see audio_cast_queue_set_clock_settle_time */
  gint64 clock_quiet_until;     /* monotonic µs: the clock is not read before */
  gint64 last_restart;          /* monotonic µs: stream start or restart */
  gint64 last_push_end_us;      /* monotonic µs; 0: none since a flush */
  gboolean stalled_past_device; /* since then this thread stood still for
                                 * longer than the device holds */
  guint64 last_push_dev_start;  /* where the last push began in the
                                 * device's sample counter */
  gint64 dry_deadline_us;       /* monotonic µs: when, by the clock, the
                                 * device runs dry unless fed; 0: unknown */
  gboolean pushed_late;         /* a push landed after then, */
  guint64 late_from_dev;        /* the first such since the device was
                                 * last found fed, where it began */
  /* Once the clock broke, the position is extrapolated at the device's
   * rate from a known point: the last plausible reading, then after every
   * flush the start of the first buffer pushed (see read_device_now). */
  guint64 good_dev;             /* last plausible reading... */
  gint64 good_time;             /* ...and when (monotonic µs; 0: none) */
  gboolean wall_valid;
  guint64 wall_dev;             /* device sample played at wall_time */
  gint64 wall_time;
  gulong probe_id;
  GstPad *probe_pad;
  gint dev_rate;
  /* Where the device's input ends, written by the device probe (the
   * thread that renders, under the device pad's stream lock) and read by
   * the output thread, both with the lock held. When a user's audio-sink
   * renders in a thread of its own ("queue ! alsasink"), the probe of each
   * buffer records where the one before it landed: GstAudioBaseSink's
   * next_sample is read only by the thread that writes it. */
  gpointer output_thread;       /* GThread of the source pad's task */
  gboolean renders_elsewhere;   /* the device renders in another thread */
  guint64 sink_t_end;           /* timeline end of the last buffer the device got */
  gboolean landed_valid;        /* renders_elsewhere: landed_t/_dev are new */
  guint64 landed_t;             /* timeline end of a buffer the device rendered... */
  guint64 landed_dev;           /* ...and its end in next_sample's counter */

  /* producer (streaming) thread only */
  gboolean partial_warned;      /* a buffer of part of a frame was reported */

  /* output thread only */
  GstBufferPool *pool;
  gboolean need_stream_start;
  gboolean need_segment;
  gboolean need_discont;
  guint64 lead_in;              /* silence still owed before data, frames */
  gboolean flushed;             /* the next discontinuity follows a flush */

  GMutex flush_lock;            /* see the top of audiocast-queue.c */
  /* the flusher thread (audiocast-queue-flusher.c), under flush_lock */
  GThread *flusher;
  GCond flusher_cond;           /* a FLUSH_START wanted, sent; quit */
  gboolean flusher_quit;
  gboolean flush_start_wanted;
  GRecMutex preroll_lock;       /* see the top of audiocast-queue.c */

  /* device_lock: readers read the device clock; writers change what stands
   * behind it (the device acquiring or releasing its stream on new caps or
   * a state change), during which pulsesink's clock would post a spurious
   * "Disconnected" error. device_usable is written with it held. */
  GRWLock device_lock;
  gboolean device_usable;

  /* tap_lock: guards tap and tap_data; held by the output thread while it
   * calls the tap (a memcpy), and by audio_cast_queue_set_tap() so that a
   * tap removed is not running any more. The application's writer never
   * takes it. */
  GMutex tap_lock;
  AudioCastQueueTap tap;
  gpointer tap_data;
  /* The tap's readings of when timeline frame 0 is heard (µs), since the
   * device was last flushed (which moves it: tap_flushed, set with the
   * lock, says so), and their median once there are all of them (see
   * audiocast-queue-tap.c). Until the device plays past tap_flush_t, the
   * first timeline frame after the flush, its position is not a
   * reading: tap_first_reading is the first such (tap_saw_flush_point: it
   * was), and tap_start_delay (µs) how long the device took from then to
   * play at the last flush. Output thread only, but tap_flushed. */
#define AUDIO_CAST_TAP_READINGS 32
  gint64 tap_readings[AUDIO_CAST_TAP_READINGS];
  guint tap_n_readings;
  gint64 tap_heard_at;
  gboolean tap_flushed;
  guint64 tap_flush_t;
  gint64 tap_first_reading;
  gboolean tap_saw_flush_point;
  gint64 tap_start_delay;
  /* The push line (audiocast-queue-tap.c): the earliest a push returned
   * less its end in the timeline, counted from the first push since the
   * last flush that waited for the device (tap_push_waited), and what to
   * add to it for when timeline frame 0 is heard, learned from the
   * readings' median at tap_line_rate (0: not yet). Guarded by tap_lock. */
  AudioCastCaptureClock tap_push_line;
  gint tap_push_rate;
  gboolean tap_push_waited;
  gint64 tap_line_offset;
  gint tap_line_rate;
  /* Periods pushed since the flush, held back from the tap until a push
   * waits for the device (tap_push_waited), all in tap_held_info. Guarded
   * by tap_lock. Each holds a buffer of the output pool: the first hold
   * grows the pool by as many, once (its buffers are never freed while it
   * is active), and later holds reuse them. */
#define AUDIO_CAST_TAP_HOLD 16
  GstBuffer *tap_held[AUDIO_CAST_TAP_HOLD];
  guint64 tap_held_t[AUDIO_CAST_TAP_HOLD];
  guint64 tap_held_frames[AUDIO_CAST_TAP_HOLD];
  guint tap_n_held;
  GstAudioInfo tap_held_info;

  /* Other streams mixed over the ring's audio (audiocast-queue-streams.c).
   * mixer: NULL until the first is opened, then there for good; set with
   * the lock held. mix_lock guards what mixing a period uses, so that the
   * output thread mixes without the lock (a writer or a clear never waits
   * for the streams' conversions): mix_info, the ring's format the rest
   * was made for; to_mix/from_mix, converters of a period of it to the
   * mix's format (F32) and back; mix_out and mix_period, a period of that.
   * Taken after the lock when both are; the mixer's own locks after it. */
  AudioCastMixer *mixer;
  GMutex mix_lock;
  GstAudioInfo mix_info;
  guint64 mix_period_frames;
  guint mix_rewinds;            /* bumped by every rewind, with both locks:
                                 * a period filled before one is not mixed
                                 * (the device drops it) */
  GstAudioConverter *to_mix;
  GstAudioConverter *from_mix;
  gfloat *mix_out;
  gfloat *mix_period;
  gdouble duck_level;           /* how the ring's audio ducks the streams */
  GstClockTime duck_ramp;
};

/* "_locked": the caller holds self->lock. Each helper's own comment, where
 * it is defined, says what it is for. */

/* audiocast-queue.c: the producer side */
void audio_cast_queue_set_holding (AudioCastQueue *self, gboolean holding);
guint64 audio_cast_queue_buffered_locked (AudioCastQueue *self);
/* With the lock held (released while it waits): when the ring ran dry
 * mid-stream, waits for the next write while the device has enough left
 * (audiocast-queue-late-write.c). */
void audio_cast_queue_wait_for_late_write_locked (AudioCastQueue *self);
gboolean audio_cast_queue_wait_dry_locked (AudioCastQueue *self);

/* Pushes paced by the device's room (audiocast-queue-pace.c). */
void audio_cast_queue_note_push_time_locked (AudioCastQueue *self,
    gint64 began_us, gint64 ended_us);
void audio_cast_queue_wait_for_device_room_locked (AudioCastQueue *self);

/* audiocast-queue-device.c: the device, its position, the element's clock */
void audio_cast_queue_release_device (AudioCastQueue *self);
gboolean audio_cast_queue_read_device_now (AudioCastQueue *self,
    guint64 *dev_now);
void audio_cast_queue_quiet_device_clock (AudioCastQueue *self,
    guint64 dev_now);
void audio_cast_queue_resume_at_device_position (AudioCastQueue *self,
    guint64 dev_now, gboolean after_flush);
void audio_cast_queue_restart_device_timeline (AudioCastQueue *self,
    gboolean after_flush);
void audio_cast_queue_forget_push_times_locked (AudioCastQueue *self);
void audio_cast_queue_note_push_end_locked (AudioCastQueue *self,
    gint64 ended_us);
guint64 audio_cast_queue_heard_when_dry_locked (AudioCastQueue *self,
    guint64 dev_now);
void audio_cast_queue_note_device_level_locked (AudioCastQueue *self,
    guint64 dev_now);
gboolean audio_cast_queue_device_ran_dry_locked (AudioCastQueue *self,
    guint64 dev_now);
void audio_cast_queue_restart_device_locked (AudioCastQueue *self,
    gboolean ran_dry);
GstClockTime audio_cast_queue_clock_time (GstClock *clock,
    gpointer user_data);

/* audiocast-queue-clear.c: clear and drain */
void audio_cast_queue_new_epoch_locked (AudioCastQueue *self);
void audio_cast_queue_request_flush_locked (AudioCastQueue *self);
/* audiocast-queue-flusher.c: clear()'s FLUSH_START, sent from a thread of
 * its own while the source pad is active. The _flush_locked ones are
 * called with flush_lock held. */
void audio_cast_queue_start_flusher (AudioCastQueue *self);
void audio_cast_queue_stop_flusher (AudioCastQueue *self);
void audio_cast_queue_send_flush_start_flush_locked (AudioCastQueue *self);
void audio_cast_queue_wait_flush_start_flush_locked (AudioCastQueue *self);
guint64 audio_cast_queue_discard_unheard_locked (AudioCastQueue *self);

/* audiocast-queue-streams.c: other streams mixed over the ring's audio */
void audio_cast_queue_streams_set_format_locked (AudioCastQueue *self);
void audio_cast_queue_mix_streams (AudioCastQueue *self,
    const GstAudioInfo *info, guint8 *data, guint64 frames, guint64 t,
    gboolean is_data, guint rewinds);
void audio_cast_queue_streams_heard_locked (AudioCastQueue *self);
void audio_cast_queue_streams_rewind_locked (AudioCastQueue *self);

/* audiocast-queue-preroll.c: preroll and state changes */
void audio_cast_queue_commit_preroll (AudioCastQueue *self);
void audio_cast_queue_lose_preroll (AudioCastQueue *self);
GstStateChangeReturn audio_cast_queue_change_state (GstElement *element,
    GstStateChange transition);

/* audiocast-queue-pad.c: the sink pad */
GstFlowReturn audio_cast_queue_chain (GstPad *pad, GstObject *parent,
    GstBuffer *buffer);
gboolean audio_cast_queue_sink_event (GstPad *pad, GstObject *parent,
    GstEvent *event);
gboolean audio_cast_queue_sink_query (GstPad *pad, GstObject *parent,
    GstQuery *query);
gboolean audio_cast_queue_sink_activate_mode (GstPad *pad, GstObject *parent,
    GstPadMode mode, gboolean active);

/* audiocast-queue-output.c: the output thread and the source pad */
void audio_cast_queue_push_loop (gpointer user_data);
gboolean audio_cast_queue_src_activate_mode (GstPad *pad, GstObject *parent,
    GstPadMode mode, gboolean active);
gboolean audio_cast_queue_src_event (GstPad *pad, GstObject *parent,
    GstEvent *event);

/* audiocast-queue-tap.c: the output thread hands the tap, if any, the
 * period @buffer of @frames it just pushed, timeline frames @t_start on;
 * the push ran from @push_began_us to @pushed_us (monotonic) */
void audio_cast_queue_drop_held_taps (AudioCastQueue *self);
void audio_cast_queue_call_tap (AudioCastQueue *self,
    const GstAudioInfo *info, GstBuffer *buffer, guint64 frames,
    guint64 t_start, gint64 push_began_us, gint64 pushed_us);

G_END_DECLS
