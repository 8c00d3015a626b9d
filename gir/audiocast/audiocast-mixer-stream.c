/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* One stream of an AudioCastMixer: its ring, its converter to the mix
 * format, its gain, and which of its frames were heard. See
 * audiocast-mixer.h. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-mixer-private.h"
#include "audiocast-error.h"
#include "audiocast-ring.h"

/* Marks kept: one per period rendered; 512 periods of 10 ms are 5 s, more
 * than any device lags behind. Older ones go; the heard count then waits
 * at what it was (it never goes back and never overstates). */
#define MARKS 512
/* Periods whose makeup (data, then padding) is remembered to tell which
 * frames the converter has let out: its latency is a fraction of a
 * period. */
#define FED_HISTORY 8

typedef struct
{
  guint64 t;                    /* timeline position where a period ended */
  guint64 pos;                  /* ring position every frame before which
                                 * had come out of the converter by then */
} Mark;

typedef struct
{
  guint64 fed_start;            /* frames fed since the converter's reset */
  guint64 data_before;          /* data frames fed before this period */
  guint64 data;                 /* its data frames; padding followed */
} FedPeriod;

struct _AudioCastMixerStream
{
  GstAudioInfo info;

  /* lock: everything down to the rendering thread's part; held for
   * bookkeeping and memcpy only */
  GMutex lock;
  AudioCastRing ring;           /* read_pos: the next frame to convert */
  guint64 heard_pos;            /* ring position of the first frame not
                                 * heard: kept until then (rewind) */
  guint64 heard;
  guint64 cleared;
  guint generation;             /* bumped by clear and rewind */
  gboolean restart;             /* the converter starts over at read_pos */
  gdouble volume;
  guint64 ramp_frames;
  guint volume_serial;
  Mark marks[MARKS];
  guint first_mark;
  guint n_marks;

  /* The rendering thread's */
  GstAudioConverter *converter;
  guint64 latency;              /* input frames the converter holds back */
  guint64 base_pos;             /* ring position at the converter's reset */
  guint64 fed;                  /* frames fed since: data and padding */
  guint64 data_fed;             /* data frames among them */
  FedPeriod history[FED_HISTORY];
  guint n_history;
  gboolean idle;                /* dry, and the converter let all out */
  gdouble gain;
  gdouble step;                 /* gain change per frame while ramping */
  guint seen_volume_serial;
  guint8 *in_scratch;
  guint64 in_scratch_frames;
  gfloat *converted;
  gint mix_channels;
  gint mix_rate;
};

/* A converter from the stream's format to @mix_info's, and the scratch
 * memory a period of at most @max_period_frames needs; FALSE when either
 * cannot be made. */
static gboolean
make_converter (AudioCastMixerStream *s, const GstAudioInfo *mix_info,
    guint max_period_frames)
{
  GstStructure *config = gst_structure_new ("audiocast-mixer-stream",
      GST_AUDIO_CONVERTER_OPT_DITHER_METHOD, GST_TYPE_AUDIO_DITHER_METHOD,
      GST_AUDIO_DITHER_NONE, NULL);

  if (s->converter)
    gst_audio_converter_free (s->converter);
  g_clear_pointer (&s->in_scratch, g_free);
  g_clear_pointer (&s->converted, g_free);
  s->mix_channels = GST_AUDIO_INFO_CHANNELS (mix_info);
  s->mix_rate = GST_AUDIO_INFO_RATE (mix_info);
  s->converter = gst_audio_converter_new (GST_AUDIO_CONVERTER_FLAG_NONE,
      &s->info, (GstAudioInfo *) mix_info, config);
  if (s->converter == NULL)
    return FALSE;
  s->latency = gst_audio_converter_get_max_latency (s->converter);
  /* the most input one period can take, with room for the resampler's
   * phase */
  s->in_scratch_frames = gst_util_uint64_scale_int_ceil (max_period_frames,
      GST_AUDIO_INFO_RATE (&s->info), s->mix_rate) + 64;
  s->in_scratch = g_try_malloc_n (s->in_scratch_frames,
      GST_AUDIO_INFO_BPF (&s->info));
  s->converted = g_try_malloc_n ((gsize) max_period_frames * s->mix_channels,
      sizeof (gfloat));
  return s->in_scratch != NULL && s->converted != NULL;
}

AudioCastMixerStream *
audio_cast_mixer_stream_new (const GstAudioInfo *info,
    const GstAudioInfo *mix_info, guint64 capacity, guint max_period_frames,
    guint64 rendered, GError **error)
{
  AudioCastMixerStream *s = g_new0 (AudioCastMixerStream, 1);

  s->info = *info;
  g_mutex_init (&s->lock);
  audio_cast_ring_init (&s->ring);
  if (!make_converter (s, mix_info, max_period_frames)
      || !audio_cast_ring_alloc (&s->ring, GST_AUDIO_INFO_BPF (info),
          capacity)) {
    g_set_error (error, AUDIO_CAST_ERROR, AUDIO_CAST_ERROR_FORMAT,
        "cannot mix %d Hz × %d %s into %d Hz × %d with a ring of %"
        G_GUINT64_FORMAT " frames", GST_AUDIO_INFO_RATE (info),
        GST_AUDIO_INFO_CHANNELS (info), GST_AUDIO_INFO_NAME (info),
        GST_AUDIO_INFO_RATE (mix_info), GST_AUDIO_INFO_CHANNELS (mix_info),
        capacity);
    audio_cast_mixer_stream_free (s);
    return NULL;
  }
  s->volume = s->gain = 1.0;
  s->idle = TRUE;
  s->marks[0].t = rendered;
  s->n_marks = 1;
  return s;
}

void
audio_cast_mixer_stream_free (AudioCastMixerStream *s)
{
  if (s->converter)
    gst_audio_converter_free (s->converter);
  audio_cast_ring_free (&s->ring);
  g_free (s->in_scratch);
  g_free (s->converted);
  g_mutex_clear (&s->lock);
  g_free (s);
}

const GstAudioInfo *
audio_cast_mixer_stream_get_info (AudioCastMixerStream *s)
{
  return &s->info;
}

/* Frames a write can take now: the ring keeps what was not heard. Called
 * with the lock held. */
static guint64
space_locked (AudioCastMixerStream *s)
{
  return s->ring.capacity - (s->ring.write_pos - s->heard_pos);
}

guint64
audio_cast_mixer_stream_space (AudioCastMixerStream *s)
{
  guint64 space;

  g_mutex_lock (&s->lock);
  space = space_locked (s);
  g_mutex_unlock (&s->lock);
  return space;
}

/* Takes what fits of @frames frames (in the stream's format) and says how
 * many; never waits. */
guint64
audio_cast_mixer_stream_write (AudioCastMixerStream *s, const guint8 *data,
    guint64 frames)
{
  guint64 n;

  g_mutex_lock (&s->lock);
  n = audio_cast_ring_write (&s->ring, data, MIN (frames, space_locked (s)));
  g_mutex_unlock (&s->lock);
  return n;
}

/* The gain goes to @volume in a straight line over @ramp (0: at once). */
void
audio_cast_mixer_stream_set_volume (AudioCastMixerStream *s, gdouble volume,
    GstClockTime ramp)
{
  g_mutex_lock (&s->lock);
  s->volume = volume;
  s->ramp_frames = gst_util_uint64_scale_int (ramp, s->mix_rate, GST_SECOND);
  s->volume_serial++;
  g_mutex_unlock (&s->lock);
}

/* Called with the lock held. */
static void
push_mark_locked (AudioCastMixerStream *s, guint64 t, guint64 pos)
{
  guint i;

  if (s->n_marks == MARKS) {
    s->first_mark = (s->first_mark + 1) % MARKS;
    s->n_marks--;
  }
  i = (s->first_mark + s->n_marks) % MARKS;
  s->marks[i].t = t;
  s->marks[i].pos = pos;
  s->n_marks++;
}

/* Everything not heard goes: the ring is emptied and the converter starts
 * over. What was mixed already and not heard is counted as cleared: the
 * caller makes the device drop it. */
void
audio_cast_mixer_stream_clear (AudioCastMixerStream *s,
    guint64 *frames_heard, guint64 *frames_cleared)
{
  guint64 cleared;

  g_mutex_lock (&s->lock);
  cleared = s->ring.write_pos - s->heard_pos;
  s->cleared += cleared;
  s->ring.read_pos = s->heard_pos = s->ring.write_pos;
  s->restart = TRUE;
  s->generation++;
  s->n_marks = 0;
  if (frames_heard)
    *frames_heard = s->heard;
  if (frames_cleared)
    *frames_cleared = cleared;
  g_mutex_unlock (&s->lock);
}

void
audio_cast_mixer_stream_get_stats (AudioCastMixerStream *s,
    AudioCastMixerStreamStats *stats)
{
  g_mutex_lock (&s->lock);
  stats->written = s->ring.write_pos;
  stats->heard = s->heard;
  stats->cleared = s->cleared;
  stats->buffered = s->ring.write_pos - s->heard_pos;
  stats->volume = s->volume;
  g_mutex_unlock (&s->lock);
}

/* The ring position every frame before which had come out of the
 * converter, once @fed frames were fed since its reset. */
static guint64
position_out (AudioCastMixerStream *s)
{
  guint64 through = s->fed > s->latency ? s->fed - s->latency : 0;
  guint i;

  for (i = s->n_history; i > 0; i--) {
    const FedPeriod *p = &s->history[i - 1];

    if (p->fed_start <= through)
      return s->base_pos + p->data_before + MIN (p->data,
          through - p->fed_start);
  }
  /* further back than remembered: what was fed before the oldest period
   * remembered came out for sure */
  return s->base_pos + (s->n_history ? s->history[0].data_before : 0);
}

static void
remember_period (AudioCastMixerStream *s, guint64 need, guint64 data)
{
  if (s->n_history == FED_HISTORY) {
    memmove (s->history, s->history + 1, sizeof (FedPeriod)
        * (FED_HISTORY - 1));
    s->n_history--;
  }
  s->history[s->n_history].fed_start = s->fed;
  s->history[s->n_history].data_before = s->data_fed;
  s->history[s->n_history].data = data;
  s->n_history++;
  s->fed += need;
  s->data_fed += data;
}

/* The rendering thread: starts the converter over after a clear or a
 * rewind, and follows a new volume. */
static void
take_requests (AudioCastMixerStream *s, guint64 t)
{
  gboolean restart;
  gdouble volume;
  guint64 ramp;
  guint serial;

  g_mutex_lock (&s->lock);
  restart = s->restart;
  s->restart = FALSE;
  if (restart) {
    s->base_pos = s->ring.read_pos;
    push_mark_locked (s, t, s->base_pos);
  }
  volume = s->volume;
  ramp = s->ramp_frames;
  serial = s->volume_serial;
  g_mutex_unlock (&s->lock);

  if (restart) {
    gst_audio_converter_reset (s->converter);
    s->fed = s->data_fed = 0;
    s->n_history = 0;
    s->idle = TRUE;
  }
  if (serial != s->seen_volume_serial) {
    s->seen_volume_serial = serial;
    s->step = ramp == 0 ? 0 : (volume - s->gain) / (gdouble) ramp;
    if (ramp == 0)
      s->gain = volume;
  }
}

/* Adds @frames converted frames at the ramping gain. */
static void
mix_in (AudioCastMixerStream *s, gfloat *out, guint frames, gdouble target)
{
  gint c, channels = s->mix_channels;
  gdouble step = s->step;
  const gfloat *in = s->converted;
  guint i;

  if (step == 0 && s->gain == 1.0) {
    for (i = 0; i < frames * channels; i++)
      out[i] += in[i];
    return;
  }
  for (i = 0; i < frames; i++) {
    if (step != 0) {
      s->gain += step;
      if ((step > 0 && s->gain >= target) || (step < 0 && s->gain <= target)) {
        s->gain = target;
        s->step = step = 0;
      }
    }
    for (c = 0; c < channels; c++)
      out[i * channels + c] += (gfloat) (in[i * channels + c] * s->gain);
  }
}

gboolean
audio_cast_mixer_stream_render_add (AudioCastMixerStream *s, gfloat *out,
    guint frames, guint64 t)
{
  guint64 need, data;
  gsize bpf = GST_AUDIO_INFO_BPF (&s->info);
  gpointer in_planes[1], out_planes[1];
  gdouble target;
  guint generation;

  if (s->converter == NULL || s->in_scratch == NULL || s->converted == NULL)
    return FALSE;
  take_requests (s, t);
  need = MIN (gst_audio_converter_get_in_frames (s->converter, frames),
      s->in_scratch_frames);

  g_mutex_lock (&s->lock);
  data = MIN (need, audio_cast_ring_fill (&s->ring));
  if (data == 0 && s->idle) {
    g_mutex_unlock (&s->lock);
    return FALSE;
  }
  /* starting after silence: nothing of it came out before this period */
  if (s->idle)
    push_mark_locked (s, t, position_out (s));
  audio_cast_ring_read (&s->ring, s->in_scratch, data);
  generation = s->generation;
  target = s->volume;
  g_mutex_unlock (&s->lock);

  /* a stream that ran dry is padded with silence until the converter let
   * its last frames out */
  if (data < need)
    gst_audio_format_info_fill_silence (s->info.finfo,
        s->in_scratch + data * bpf, (need - data) * bpf);
  in_planes[0] = s->in_scratch;
  out_planes[0] = s->converted;
  gst_audio_converter_samples (s->converter, GST_AUDIO_CONVERTER_FLAG_NONE,
      in_planes, need, out_planes, frames);
  remember_period (s, need, data);
  /* dry, and the converter let out all it had */
  s->idle = data < need && position_out (s) == s->base_pos + s->data_fed;

  g_mutex_lock (&s->lock);
  if (generation != s->generation) {
    /* cleared or rewound meanwhile: this audio is gone */
    g_mutex_unlock (&s->lock);
    return FALSE;
  }
  push_mark_locked (s, t + frames, position_out (s));
  g_mutex_unlock (&s->lock);

  mix_in (s, out, frames, target);
  return TRUE;
}

/* The ring position heard once the timeline was heard up to @heard, from
 * the marks around it; the oldest marks no longer needed go. Called with
 * the lock held. */
static guint64
position_heard_locked (AudioCastMixerStream *s, guint64 heard)
{
  const Mark *before = NULL, *after = NULL;
  guint i;

  for (i = 0; i < s->n_marks; i++) {
    const Mark *m = &s->marks[(s->first_mark + i) % MARKS];

    if (m->t <= heard)
      before = m;
    else {
      after = m;
      break;
    }
  }
  /* the marks before the one at or before @heard are of no more use */
  while (s->n_marks > 1 && s->marks[(s->first_mark + 1) % MARKS].t <= heard) {
    s->first_mark = (s->first_mark + 1) % MARKS;
    s->n_marks--;
  }
  if (before == NULL)
    return s->heard_pos;
  if (after == NULL || after->pos <= before->pos)
    return before->pos;
  return before->pos + gst_util_uint64_scale (after->pos - before->pos,
      heard - before->t, after->t - before->t);
}

/* Called with the lock held. */
static void
advance_heard_locked (AudioCastMixerStream *s, guint64 heard)
{
  guint64 pos = position_heard_locked (s, heard);

  /* the count never goes back, nor past what was written */
  pos = MIN (pos, s->ring.write_pos);
  if (pos > s->heard_pos) {
    s->heard += pos - s->heard_pos;
    s->heard_pos = pos;
  }
}

void
audio_cast_mixer_stream_set_heard (AudioCastMixerStream *s, guint64 heard)
{
  g_mutex_lock (&s->lock);
  advance_heard_locked (s, heard);
  g_mutex_unlock (&s->lock);
}

/* The mix has a new format and its timeline starts over: the stream
 * renders again from its first frame not heard, through a new converter.
 * FALSE when it cannot be made: the stream stays silent. */
gboolean
audio_cast_mixer_stream_set_mix_format (AudioCastMixerStream *s,
    const GstAudioInfo *mix_info, guint max_period_frames)
{
  gboolean ok = make_converter (s, mix_info, max_period_frames);

  g_mutex_lock (&s->lock);
  s->ring.read_pos = s->heard_pos;
  s->restart = ok;
  s->generation++;
  s->n_marks = 0;
  push_mark_locked (s, 0, s->heard_pos);
  g_mutex_unlock (&s->lock);
  if (!ok)
    s->idle = TRUE;
  return ok;
}

/* The device lost everything after @heard: the stream renders again from
 * its first frame not heard, the timeline going on from @rendered. */
void
audio_cast_mixer_stream_rewind (AudioCastMixerStream *s, guint64 heard,
    guint64 rendered)
{
  g_mutex_lock (&s->lock);
  advance_heard_locked (s, heard);
  s->ring.read_pos = s->heard_pos;
  s->restart = TRUE;
  s->generation++;
  s->n_marks = 0;
  push_mark_locked (s, rendered, s->heard_pos);
  g_mutex_unlock (&s->lock);
}
