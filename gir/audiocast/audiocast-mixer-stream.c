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
#include "audiocast-timeline-marks.h"

#include <math.h>

/* Periods whose makeup (data, then padding) is remembered to tell which
 * frames the converter has let out: its latency is a fraction of a
 * period. */
#define FED_HISTORY 8

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
  gdouble duck_level;           /* what the others go to while it plays */
  guint64 duck_ramp_frames;
  guint64 start_at;             /* timeline position of its first frame */
  guint8 *loop;                 /* (owned) written again and again, until a
                                 * clear; NULL: none */
  guint64 loop_frames;
  guint64 loop_next;            /* where in it the next write starts */
  guint64 first_t;              /* where on the timeline its first frame
                                 * played; G_MAXUINT64 before */
  guint64 end_t;                /* where on the timeline its last frame
                                 * came out; G_MAXUINT64 while it plays */
  gboolean callback_fed;        /* a callback feeds it: more is coming */
  gint64 started_us;            /* when its first / last frame was heard */
  gint64 ended_us;              /* (monotonic), -1 until then */
  AudioCastTimelineMarks marks; /* one per period rendered */

  /* The rendering thread's */
  GstAudioConverter *converter;  /* to F32 at the mix's rate, the
                                 * stream's channels */
  GstAudioConverter *channel_mix; /* then to the mix's channels; NULL when
                                 * they are the stream's */
  gfloat *fifo;                 /* converted, not mixed yet: the stream's
                                 * channels at the mix's rate */
  guint64 fifo_frames;
  guint64 fifo_capacity;
  guint64 latency;              /* input frames the converter holds back */
  guint64 base_pos;             /* ring position at the converter's reset */
  guint64 fed;                  /* frames fed since: data and padding */
  guint64 data_fed;             /* data frames among them */
  FedPeriod history[FED_HISTORY];
  guint n_history;
  gboolean idle;                /* dry, and the converter let all out */
  AudioCastRamp gain;           /* towards volume */
  AudioCastRamp duck;           /* towards what the others' ducking asks */
  guint seen_volume_serial;
  gboolean played;              /* took audio of its own in the last
                                 * period */
  gdouble ducks_at;             /* duck_level, read with the lock */
  guint64 ducks_ramp;
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

  GstAudioInfo resampled;
  gint channels = GST_AUDIO_INFO_CHANNELS (&s->info);

  g_clear_pointer (&s->converter, gst_audio_converter_free);
  g_clear_pointer (&s->channel_mix, gst_audio_converter_free);
  g_clear_pointer (&s->in_scratch, g_free);
  g_clear_pointer (&s->converted, g_free);
  g_clear_pointer (&s->fifo, g_free);
  s->mix_channels = GST_AUDIO_INFO_CHANNELS (mix_info);
  s->mix_rate = GST_AUDIO_INFO_RATE (mix_info);
  /* Converted in two steps: format and rate first, into the FIFO at the
   * stream's own channels (fewer, for the usual mono voice), then the
   * channels, a period at a time. */
  gst_audio_info_set_format (&resampled, GST_AUDIO_FORMAT_F32, s->mix_rate,
      channels, s->info.position);
  s->converter = gst_audio_converter_new (GST_AUDIO_CONVERTER_FLAG_NONE,
      &s->info, &resampled, config);
  if (s->converter == NULL)
    return FALSE;
  if (channels != s->mix_channels) {
    s->channel_mix = gst_audio_converter_new (GST_AUDIO_CONVERTER_FLAG_NONE,
        &resampled, (GstAudioInfo *) mix_info, NULL);
    if (s->channel_mix == NULL)
      return FALSE;
  }
  s->latency = gst_audio_converter_get_max_latency (s->converter);
  /* the most input one period can take (a restart's first one fills the
   * resampler's history too), and what it may leave over */
  s->in_scratch_frames = gst_util_uint64_scale_int_ceil (max_period_frames,
      GST_AUDIO_INFO_RATE (&s->info), s->mix_rate) + 2 * s->latency + 64;
  s->fifo_capacity = 2 * (guint64) max_period_frames
      + gst_util_uint64_scale_int_ceil (2 * s->latency + 64, s->mix_rate,
      GST_AUDIO_INFO_RATE (&s->info));
  s->fifo_frames = 0;
  s->fifo = g_try_malloc_n (s->fifo_capacity, sizeof (gfloat) * channels);
  s->in_scratch = g_try_malloc_n (s->in_scratch_frames,
      GST_AUDIO_INFO_BPF (&s->info));
  s->converted = g_try_malloc_n ((gsize) max_period_frames * s->mix_channels,
      sizeof (gfloat));
  return s->in_scratch != NULL && s->converted != NULL && s->fifo != NULL;
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
  s->volume = s->gain.value = s->gain.target = 1.0;
  s->duck.value = s->duck.target = 1.0;
  s->first_t = s->end_t = G_MAXUINT64;
  s->started_us = s->ended_us = -1;
  s->duck_level = s->ducks_at = 1.0;
  s->idle = TRUE;
  audio_cast_timeline_marks_push (&s->marks, rendered, 0);
  return s;
}

void
audio_cast_mixer_stream_free (AudioCastMixerStream *s)
{
  g_clear_pointer (&s->converter, gst_audio_converter_free);
  g_clear_pointer (&s->channel_mix, gst_audio_converter_free);
  audio_cast_ring_free (&s->ring);
  g_free (s->in_scratch);
  g_free (s->converted);
  g_free (s->loop);
  g_free (s->fifo);
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
/* NaN and infinite samples of the @frames frames from ring position @pos
 * on become silence: summed into the mix they would spoil every stream.
 * Called with the lock held. */
static void
sanitize_locked (AudioCastMixerStream *s, guint64 pos, guint64 frames)
{
  GstAudioFormat format = GST_AUDIO_INFO_FORMAT (&s->info);
  gint channels = GST_AUDIO_INFO_CHANNELS (&s->info);

  while (frames > 0) {
    guint64 offset = pos % s->ring.capacity;
    guint64 n = MIN (frames, s->ring.capacity - offset), i;
    guint8 *slot = s->ring.data + offset * s->ring.bpf;

    for (i = 0; i < n * channels; i++) {
      if (format == GST_AUDIO_FORMAT_F32 && !isfinite (((gfloat *) slot)[i]))
        ((gfloat *) slot)[i] = 0.0f;
      else if (format == GST_AUDIO_FORMAT_F64
          && !isfinite (((gdouble *) slot)[i]))
        ((gdouble *) slot)[i] = 0.0;
    }
    pos += n;
    frames -= n;
  }
}

guint64
audio_cast_mixer_stream_write (AudioCastMixerStream *s, const guint8 *data,
    guint64 frames)
{
  GstAudioFormat format = GST_AUDIO_INFO_FORMAT (&s->info);
  guint64 n, pos;

  g_mutex_lock (&s->lock);
  pos = s->ring.write_pos;
  n = audio_cast_ring_write (&s->ring, data, MIN (frames, space_locked (s)));
  if (format == GST_AUDIO_FORMAT_F32 || format == GST_AUDIO_FORMAT_F64)
    sanitize_locked (s, pos, n);
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
  audio_cast_timeline_marks_clear (&s->marks);
  g_clear_pointer (&s->loop, g_free);
  if (frames_heard)
    *frames_heard = s->heard;
  if (frames_cleared)
    *frames_cleared = cleared;
  g_mutex_unlock (&s->lock);
}

void
audio_cast_mixer_stream_set_fed (AudioCastMixerStream *s, gboolean fed)
{
  g_mutex_lock (&s->lock);
  s->callback_fed = fed;
  g_mutex_unlock (&s->lock);
}

/* Whether a callback feeds @s and fewer than @frames of it wait to be
 * mixed: its next block is coming. */
gboolean
audio_cast_mixer_stream_starves (AudioCastMixerStream *s, guint64 frames)
{
  gboolean starves;

  g_mutex_lock (&s->lock);
  starves = s->callback_fed && audio_cast_ring_fill (&s->ring) < frames;
  g_mutex_unlock (&s->lock);
  return starves;
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
  stats->pending = s->ring.write_pos - s->ring.read_pos;
  stats->volume = s->volume;
  g_mutex_unlock (&s->lock);
}

/* The ring position every frame before which had come out of the
 * converter, once @fed frames were fed since its reset. */
static guint64
position_out (AudioCastMixerStream *s)
{
  /* what the converter let out but is still in the FIFO is not out yet */
  guint64 held = s->latency + gst_util_uint64_scale_int_ceil (s->fifo_frames,
      GST_AUDIO_INFO_RATE (&s->info), s->mix_rate);
  guint64 through = s->fed > held ? s->fed - held : 0;
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
    audio_cast_timeline_marks_push (&s->marks, t, s->base_pos);
  }
  volume = s->volume;
  ramp = s->ramp_frames;
  serial = s->volume_serial;
  s->ducks_at = s->duck_level;
  s->ducks_ramp = s->duck_ramp_frames;
  g_mutex_unlock (&s->lock);

  if (restart) {
    gst_audio_converter_reset (s->converter);
    s->fifo_frames = 0;
    s->fed = s->data_fed = 0;
    s->n_history = 0;
    s->idle = TRUE;
  }
  if (serial != s->seen_volume_serial) {
    s->seen_volume_serial = serial;
    audio_cast_ramp_to (&s->gain, volume, ramp);
  }
}

/* Adds @frames converted frames at the ramping gain and ducking. */
static void
mix_in (AudioCastMixerStream *s, gfloat *out, guint frames)
{
  gint c, channels = s->mix_channels;
  const gfloat *in = s->converted;
  guint i;

  if (audio_cast_ramp_is_unity (&s->gain)
      && audio_cast_ramp_is_unity (&s->duck)) {
    for (i = 0; i < frames * channels; i++)
      out[i] += in[i];
    return;
  }
  for (i = 0; i < frames; i++) {
    gdouble g = audio_cast_ramp_next (&s->gain) * audio_cast_ramp_next
        (&s->duck);

    for (c = 0; c < channels; c++)
      out[i * channels + c] += (gfloat) (in[i * channels + c] * g);
  }
}

/* The others lower this one to @level over @ramp frames; 1: not at all. */
void
audio_cast_mixer_stream_duck_to (AudioCastMixerStream *s, gdouble level,
    guint64 ramp)
{
  if (level != s->duck.target)
    audio_cast_ramp_to (&s->duck, level, ramp);
}

gboolean
audio_cast_mixer_stream_ducks (AudioCastMixerStream *s, gdouble *level,
    guint64 *ramp)
{
  *level = s->ducks_at;
  *ramp = s->ducks_ramp;
  return s->played && s->ducks_at < 1.0;
}

/* While the stream plays, every other sound of the mix (the player's own
 * audio included) goes to @level, over @ramp, and back when the stream has
 * played out or was cleared; 1 turns it off. */
void
audio_cast_mixer_stream_set_ducking (AudioCastMixerStream *s, gdouble level,
    GstClockTime ramp)
{
  g_mutex_lock (&s->lock);
  s->duck_level = level;
  s->duck_ramp_frames = gst_util_uint64_scale_int (ramp, s->mix_rate,
      GST_SECOND);
  g_mutex_unlock (&s->lock);
}

/* Feeds the converter with the stream's next frames (silence when it ran
 * dry) until the FIFO holds @frames converted frames. The converter is
 * driven by its input, as audioresample drives it: asked for a number of
 * output frames right after a reset, it reads past the input it was given
 * (measured: garbage in the last 30 frames of the period). FALSE when the
 * stream was idle and stays so; else *@generation as it was when the
 * stream's frames were taken, *@ran_dry whether it had to be padded and
 * *@had_data whether any of it was the stream's audio. */
static gboolean
fill_fifo (AudioCastMixerStream *s, guint frames, guint64 t,
    guint *generation, gboolean *ran_dry, gboolean *had_data)
{
  gsize bpf = GST_AUDIO_INFO_BPF (&s->info);
  gint channels = GST_AUDIO_INFO_CHANNELS (&s->info);
  gint in_rate = GST_AUDIO_INFO_RATE (&s->info);
  gboolean first = TRUE;

  *ran_dry = *had_data = FALSE;
  while (s->fifo_frames < frames) {
    guint64 want = frames - s->fifo_frames, n_in, out_n, data;
    gpointer in_planes[1], out_planes[1];
    const AudioCastTimelineMark *last;

    n_in = gst_audio_converter_get_in_frames (s->converter, want);
    while ((out_n = gst_audio_converter_get_out_frames (s->converter, n_in))
        < want && n_in < s->in_scratch_frames)
      n_in = MIN (s->in_scratch_frames, n_in + 1 + (want - out_n)
          * in_rate / s->mix_rate);
    n_in = MAX (n_in, 1);
    out_n = MIN (gst_audio_converter_get_out_frames (s->converter, n_in),
        s->fifo_capacity - s->fifo_frames);

    g_mutex_lock (&s->lock);
    data = MIN (n_in, audio_cast_ring_fill (&s->ring));
    if (first) {
      if (data == 0 && s->idle) {
        g_mutex_unlock (&s->lock);
        return FALSE;
      }
      /* after silence, or positions the caller played something else
       * at: nothing of the stream came out there */
      last = audio_cast_timeline_marks_last (&s->marks);
      if (s->idle || (last != NULL && last->t < t))
        audio_cast_timeline_marks_push (&s->marks, t,
            s->idle ? position_out (s) : last->pos);
      *generation = s->generation;
      first = FALSE;
    }
    audio_cast_ring_read (&s->ring, s->in_scratch, data);
    g_mutex_unlock (&s->lock);

    /* a stream that ran dry is padded with silence until the converter
     * let its last frames out */
    if (data < n_in) {
      gst_audio_format_info_fill_silence (s->info.finfo,
          s->in_scratch + data * bpf, (n_in - data) * bpf);
      *ran_dry = TRUE;
    }
    in_planes[0] = s->in_scratch;
    out_planes[0] = s->fifo + s->fifo_frames * channels;
    gst_audio_converter_samples (s->converter, GST_AUDIO_CONVERTER_FLAG_NONE,
        in_planes, n_in, out_planes, out_n);
    s->fifo_frames += out_n;
    remember_period (s, n_in, data);
    *had_data |= data > 0;
    if (out_n == 0 && n_in >= s->in_scratch_frames)
      break;                    /* cannot happen with a sane converter */
  }
  s->idle = FALSE;
  return TRUE;
}

/* Moves @frames frames from the FIFO into converted, at the mix's
 * channels; silence for any the FIFO lacks. */
static void
take_from_fifo (AudioCastMixerStream *s, guint frames)
{
  gint channels = GST_AUDIO_INFO_CHANNELS (&s->info);
  guint64 n = MIN (frames, s->fifo_frames);
  gpointer in_planes[1], out_planes[1];

  if (n < frames)
    memset (s->fifo + n * channels, 0, (frames - n) * channels
        * sizeof (gfloat));
  if (s->channel_mix) {
    in_planes[0] = s->fifo;
    out_planes[0] = s->converted;
    gst_audio_converter_samples (s->channel_mix,
        GST_AUDIO_CONVERTER_FLAG_NONE, in_planes, frames, out_planes, frames);
  } else {
    memcpy (s->converted, s->fifo, (gsize) frames * channels
        * sizeof (gfloat));
  }
  memmove (s->fifo, s->fifo + n * channels, (s->fifo_frames - n) * channels
      * sizeof (gfloat));
  s->fifo_frames -= n;
}

/* The stream's first frame plays at timeline position @t (a stream at the
 * mix's rate: exactly there; a resampled one, its resampler's delay
 * later); before, it is silent. */
void
audio_cast_mixer_stream_start_at (AudioCastMixerStream *s, guint64 t)
{
  g_mutex_lock (&s->lock);
  s->start_at = t;
  g_mutex_unlock (&s->lock);
}

/* The stream plays @frames frames of @data (its format) again and again,
 * from now until a clear; FALSE when there is no memory for the copy. */
gboolean
audio_cast_mixer_stream_loop (AudioCastMixerStream *s, const guint8 *data,
    guint64 frames)
{
  guint8 *copy = frames == 0 ? NULL : g_try_malloc_n (frames,
      GST_AUDIO_INFO_BPF (&s->info));

  if (copy == NULL)
    return FALSE;
  memcpy (copy, data, frames * GST_AUDIO_INFO_BPF (&s->info));
  g_mutex_lock (&s->lock);
  g_free (s->loop);
  s->loop = copy;
  s->loop_frames = frames;
  s->loop_next = 0;
  g_mutex_unlock (&s->lock);
  return TRUE;
}

/* When the stream's first and last frames were heard (monotonic µs, -1:
 * not yet). */
void
audio_cast_mixer_stream_get_times (AudioCastMixerStream *s,
    gint64 *started_us, gint64 *ended_us)
{
  g_mutex_lock (&s->lock);
  *started_us = s->started_us;
  *ended_us = s->ended_us;
  g_mutex_unlock (&s->lock);
}

/* The rendering thread, with the lock held: a looping stream's ring is
 * topped up from its loop (a memcpy). */
static void
refill_loop_locked (AudioCastMixerStream *s)
{
  guint64 space;

  while (s->loop != NULL && (space = space_locked (s)) > 0) {
    guint64 n = MIN (space, s->loop_frames - s->loop_next);

    audio_cast_ring_write (&s->ring, s->loop + s->loop_next
        * GST_AUDIO_INFO_BPF (&s->info), n);
    s->loop_next = (s->loop_next + n) % s->loop_frames;
  }
}

gboolean
audio_cast_mixer_stream_render_add (AudioCastMixerStream *s, gfloat *out,
    guint frames, guint64 t)
{
  guint generation = 0;
  gboolean ran_dry, had_data;
  guint64 start, offset;

  s->played = FALSE;
  if (s->converter == NULL || s->in_scratch == NULL || s->converted == NULL)
    return FALSE;
  take_requests (s, t);
  g_mutex_lock (&s->lock);
  refill_loop_locked (s);
  start = s->start_at;
  g_mutex_unlock (&s->lock);
  if (start >= t + frames)
    return FALSE;               /* scheduled later */
  offset = start > t ? start - t : 0;
  if (!fill_fifo (s, frames - offset, t + offset, &generation, &ran_dry,
          &had_data))
    return FALSE;
  take_from_fifo (s, frames - offset);
  /* dry, and the converter let out all it had */
  s->idle = ran_dry && position_out (s) == s->base_pos + s->data_fed;

  g_mutex_lock (&s->lock);
  if (generation != s->generation) {
    /* cleared or rewound meanwhile: this audio is gone */
    g_mutex_unlock (&s->lock);
    return FALSE;
  }
  audio_cast_timeline_marks_push (&s->marks, t + frames, position_out (s));
  if (had_data && s->first_t == G_MAXUINT64)
    s->first_t = t + offset;
  /* where everything written had come out: the period that let out its
   * last frame (more written later starts the count over) */
  if (s->ring.write_pos != position_out (s))
    s->end_t = G_MAXUINT64;
  else if (s->end_t == G_MAXUINT64)
    s->end_t = t + frames;
  g_mutex_unlock (&s->lock);

  mix_in (s, out + offset * s->mix_channels, frames - offset);
  /* for ducking: the converter's tail after the stream ran dry is not its
   * playing any more */
  s->played = had_data;
  return TRUE;
}

/* Called with the lock held. */
static void
advance_heard_locked (AudioCastMixerStream *s, guint64 heard)
{
  guint64 pos = s->heard_pos;

  audio_cast_timeline_marks_position_at (&s->marks, heard, &pos);
  /* the count never goes back, nor past what was written */
  pos = MIN (pos, s->ring.write_pos);
  if (pos > s->heard_pos) {
    if (s->started_us < 0 && s->first_t != G_MAXUINT64)
      s->started_us = g_get_monotonic_time () - (gint64)
          gst_util_uint64_scale_int (heard - MIN (heard, s->first_t),
          G_USEC_PER_SEC, s->mix_rate);
    s->heard += pos - s->heard_pos;
    s->heard_pos = pos;
  }
  if (s->ended_us < 0 && s->started_us >= 0 && heard >= s->end_t)
    s->ended_us = g_get_monotonic_time () - (gint64)
        gst_util_uint64_scale_int (heard - s->end_t, G_USEC_PER_SEC,
        s->mix_rate);
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
  audio_cast_timeline_marks_clear (&s->marks);
  audio_cast_timeline_marks_push (&s->marks, 0, s->heard_pos);
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
  audio_cast_timeline_marks_clear (&s->marks);
  audio_cast_timeline_marks_push (&s->marks, rendered, s->heard_pos);
  g_mutex_unlock (&s->lock);
}
