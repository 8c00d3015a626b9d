/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The echo delay estimate; see audiocast-echo-delay.h. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-echo-delay.h"

#include <math.h>
#include <string.h>

#define BLOCK_NS GST_MSECOND
#define MAX_LAG 500                     /* blocks */
#define WINDOW 2000                     /* blocks correlated, at most */
/* The first estimates come once this much was captured, so that the
 * canceller converges within a couple of seconds of the first echo. */
#define MIN_WINDOW 500
#define INTERVAL 250                    /* blocks between estimates */
/* Below this the envelopes do not match well enough to say (the echo
 * drowned by the user's voice, or no echo at all). */
#define MIN_CORRELATION 0.7f
/* Estimates that agree: all within this of their median. */
#define AGREEMENT_MS 2
#define HYSTERESIS_MS AUDIO_CAST_ECHO_HYSTERESIS_MS
/* How long the echo's latest place is found over: short, to see it move
 * soon, which the estimates over WINDOW, agreeing, see a second or more
 * later. */
#define RECENT_WINDOW MIN_WINDOW
/* How much further from its old place than usual the echo may come after
 * the player's device restarted, until it is found anew. Measured against
 * the echo on PipeWire, restarts placed the player's sound 20, 25, 31 and
 * 49 ms from where it was (the push line is re-based only past
 * LINE_RESET_US, 50 ms: audiocast-queue-tap.c). 15 ms more than the
 * gate's 20 covers all but the last; 70 more covered that too, but a user
 * talking right after a restart then had to be louder than the loudest
 * echo of 180 ms, and was heard 720 ms late. */
#define RESTART_SPREAD_MS 15
/* The gain is taken only from estimates this clear: the echo alone, or
 * nearly. */
#define GAIN_CORRELATION 0.9f

G_STATIC_ASSERT (WINDOW + MAX_LAG < AUDIO_CAST_ECHO_HISTORY);

static void
envelope_init (AudioCastEchoEnvelope *e)
{
  guint i;

  memset (e->level, 0, sizeof (e->level));
  memset (e->epoch, 0, sizeof (e->epoch));
  for (i = 0; i < AUDIO_CAST_ECHO_HISTORY; i++)
    e->block[i] = -1;
  e->newest = -1;
  e->oldest = -1;
  e->current_epoch = 0;
}

/* What is added from now on is of a new epoch. */
static void
envelope_new_epoch (AudioCastEchoEnvelope *e)
{
  e->current_epoch++;
  e->oldest = -1;
}

void
audio_cast_echo_delay_init (AudioCastEchoDelay *d)
{
  envelope_init (&d->heard);
  envelope_init (&d->captured);
  d->next_estimate = -1;
  d->n_estimates = 0;
  d->delay_ms = -1;
  d->relearning = FALSE;
  d->recent_ms = -1;
  d->correlation = 0;
  d->gain = 0;
}

static void
envelope_add (AudioCastEchoEnvelope *e, const gfloat *samples, guint n,
    gint rate, GstClockTime running)
{
  guint i;

  for (i = 0; i < n; i++) {
    gint64 block = (gint64) ((running + gst_util_uint64_scale_int (i,
                GST_SECOND, rate)) / BLOCK_NS);
    guint slot = (guint) (block % AUDIO_CAST_ECHO_HISTORY);

    if (e->block[slot] != block || e->epoch[slot] != e->current_epoch) {
      e->block[slot] = block;
      e->epoch[slot] = e->current_epoch;
      e->level[slot] = 0;
    }
    e->level[slot] += fabsf (samples[i]);
    e->newest = MAX (e->newest, block);
    if (e->oldest < 0)
      e->oldest = block;
  }
}

void
audio_cast_echo_delay_add_heard (AudioCastEchoDelay *d,
    const gfloat *samples, guint n, gint rate, GstClockTime running)
{
  envelope_add (&d->heard, samples, n, rate, running);
}

void
audio_cast_echo_delay_add_captured (AudioCastEchoDelay *d,
    const gfloat *samples, guint n, gint rate, GstClockTime running)
{
  envelope_add (&d->captured, samples, n, rate, running);
}

/* The level of @block, 0 when it holds nothing (silence, or too old), or
 * only what was added before the current epoch unless @any_epoch. */
static gfloat
level_at (const AudioCastEchoEnvelope *e, gint64 block, gboolean any_epoch)
{
  guint slot;

  if (block < 0)
    return 0;
  slot = (guint) (block % AUDIO_CAST_ECHO_HISTORY);
  return e->block[slot] == block && (any_epoch
      || e->epoch[slot] == e->current_epoch) ? e->level[slot] : 0;
}

/* The normalised correlation of @c (mean @mc, norm @sc) with @r, @WINDOW
 * values each. */
static gfloat
correlate (const gfloat *c, gdouble mc, gdouble sc, const gfloat *r,
    gint window)
{
  gdouble sum = 0, sum2 = 0, cross = 0, mr, sr;
  gint i;

  for (i = 0; i < window; i++) {
    sum += r[i];
    sum2 += (gdouble) r[i] * r[i];
    cross += (gdouble) c[i] * r[i];
  }
  mr = sum / window;
  sr = sqrt (MAX (0, sum2 - window * mr * mr));
  if (sr < 1e-9)
    return 0;
  return (gfloat) ((cross - window * mc * mr) / (sc * sr));
}

/* The lag (blocks) at which what was heard best matches what was captured
 * over the last complete blocks, @max_window of them or as many as were
 * captured (MIN_WINDOW at least), and at that lag how loud the captured
 * envelope is against the heard one (@gain, 0 for no sound heard). */
static gboolean
estimate (const AudioCastEchoDelay *d, gint max_window, gint *lag,
    gfloat *correlation, gfloat *gain)
{
  gfloat captured[WINDOW], heard[WINDOW + MAX_LAG];
  gint64 end = d->captured.newest - 1;
  gint window = (gint) MIN (MIN (max_window, WINDOW),
      end - d->captured.oldest + 1);
  gint64 start = end - window + 1;
  gdouble mc = 0, sc = 0;
  gint i, best = -1;
  gfloat best_value = -1;

  if (window < MIN_WINDOW)
    return FALSE;
  for (i = 0; i < window; i++) {
    captured[i] = level_at (&d->captured, start + i, FALSE);
    mc += captured[i];
  }
  mc /= window;
  for (i = 0; i < window; i++)
    sc += (captured[i] - mc) * (captured[i] - mc);
  sc = sqrt (sc);
  if (sc < 1e-9)
    return FALSE;
  for (i = 0; i < window + MAX_LAG; i++)
    heard[i] = level_at (&d->heard, start - MAX_LAG + i, FALSE);

  /* heard[MAX_LAG - lag + i] is block start + i - lag */
  for (i = 0; i <= MAX_LAG; i++) {
    gfloat value = correlate (captured, mc, sc, heard + MAX_LAG - i, window);

    if (value > best_value) {
      best_value = value;
      best = i;
    }
  }
  *lag = best;
  *correlation = best_value;
  *gain = 0;
  if (best >= 0) {
    gdouble heard_sum = 0;

    for (i = 0; i < window; i++)
      heard_sum += heard[MAX_LAG - best + i];
    if (heard_sum > 1e-9)
      *gain = (gfloat) (mc * window / heard_sum);
  }
  return best >= 0;
}

/* The median of the last estimates when they all agree with it, else
 * -1. */
static gint
agreed_estimate (const AudioCastEchoDelay *d)
{
  const gint *e = d->estimates;
  gint median, i;

  G_STATIC_ASSERT (AUDIO_CAST_ECHO_ESTIMATES == 3);
  /* the first delay on two, to converge soon; a move on three */
  if ((d->delay_ms < 0 || d->relearning) && d->n_estimates >= 2)
    return ABS (e[0] - e[1]) <= AGREEMENT_MS ? MIN (e[0], e[1]) : -1;
  if (d->n_estimates < AUDIO_CAST_ECHO_ESTIMATES)
    return -1;
  median = MAX (MIN (e[0], e[1]), MIN (MAX (e[0], e[1]), e[2]));
  for (i = 0; i < AUDIO_CAST_ECHO_ESTIMATES; i++)
    if (ABS (e[i] - median) > AGREEMENT_MS)
      return -1;
  return median;
}

gint
audio_cast_echo_delay_update (AudioCastEchoDelay *d)
{
  gfloat correlation, gain;
  gint lag, agreed;

  if (d->captured.newest < 0)
    return d->delay_ms;
  if (d->next_estimate < 0)
    d->next_estimate = d->captured.oldest + MIN_WINDOW;
  if (d->captured.newest < d->next_estimate)
    return d->delay_ms;
  d->next_estimate = d->captured.newest + INTERVAL;
  /* only the echo alone, or nearly, tells where it is lately: over half a
   * second the user's voice makes a lag of its own look good */
  if (estimate (d, RECENT_WINDOW, &lag, &correlation, &gain)
      && correlation >= GAIN_CORRELATION)
    d->recent_ms = lag;
  if (!estimate (d, WINDOW, &lag, &correlation, &gain)
      || correlation < MIN_CORRELATION)
    return d->delay_ms;
  d->correlation = correlation;
  /* the first gain from an estimate that is clear enough for the delay,
   * so that the gate works as soon as the delay is known */
  if (gain > 0 && (correlation >= GAIN_CORRELATION || d->gain <= 0))
    d->gain = gain;
  memmove (d->estimates + 1, d->estimates,
      (AUDIO_CAST_ECHO_ESTIMATES - 1) * sizeof (gint));
  d->estimates[0] = lag;
  d->n_estimates = MIN (d->n_estimates + 1, AUDIO_CAST_ECHO_ESTIMATES);
  agreed = agreed_estimate (d);
  if (agreed < 0)
    return d->delay_ms;
  /* Found again after a relearn, a delay within the hysteresis of the old
   * one is the old one: the player's device restarts where it played
   * before, to within the device's position reports, and a move of a
   * millisecond or two would only make the filter adapt anew, just as the
   * next utterance starts (measured: the echo left over the VAD's
   * threshold 0.2 s after such a move). */
  if (d->delay_ms < 0 || ABS (agreed - d->delay_ms) >= HYSTERESIS_MS)
    d->delay_ms = agreed;
  d->relearning = FALSE;
  return d->delay_ms;
}

void
audio_cast_echo_delay_relearn (AudioCastEchoDelay *d)
{
  envelope_new_epoch (&d->heard);
  envelope_new_epoch (&d->captured);
  d->next_estimate = -1;
  d->n_estimates = 0;
  d->correlation = 0;
  d->recent_ms = -1;
  d->relearning = d->delay_ms >= 0;
}

gboolean
audio_cast_echo_delay_placed (const AudioCastEchoDelay *d)
{
  if (d->delay_ms < 0)
    return FALSE;
  /* not found lately: placed unless the player's sound moved since */
  if (d->recent_ms < 0)
    return !d->relearning;
  return ABS (d->recent_ms - d->delay_ms) < HYSTERESIS_MS;
}

/* The loudest mean of @n heard blocks in a row whose echo, @delay_ms later
 * give or take @spread_ms, falls on the @n captured blocks from @first: a
 * sum slid over the 2 @spread_ms + 1 places the echo's source may be. */
static gfloat
loudest_heard (const AudioCastEchoDelay *d, gint64 first, guint n,
    gint delay_ms, gint spread_ms)
{
  gint64 from = first - delay_ms - spread_ms;
  gint64 last_from = first - delay_ms + spread_ms;
  gdouble sum = 0, loudest;
  gint64 b;
  guint i;

  for (i = 0; i < n; i++)
    sum += level_at (&d->heard, from + i, TRUE);
  loudest = sum;
  for (b = from + 1; b <= last_from; b++) {
    sum += level_at (&d->heard, b + n - 1, TRUE)
        - level_at (&d->heard, b - 1, TRUE);
    loudest = MAX (loudest, sum);
  }
  return (gfloat) (loudest / n);
}

gfloat
audio_cast_echo_delay_echo_level (const AudioCastEchoDelay *d, gint64 first,
    guint n, gint spread_ms)
{
  gfloat loudest;

  if (d->delay_ms < 0 || d->gain <= 0 || n == 0)
    return -1;
  /* placed anew and not found yet: the echo can be anywhere near */
  if (d->relearning && d->recent_ms < 0)
    spread_ms += RESTART_SPREAD_MS;
  loudest = loudest_heard (d, first, n, d->delay_ms, spread_ms);
  /* moved, and not yet agreed on: it is where it was lately found too */
  if (d->recent_ms >= 0 && ABS (d->recent_ms - d->delay_ms) > spread_ms)
    loudest = MAX (loudest, loudest_heard (d, first, n, d->recent_ms,
            spread_ms));
  return loudest * d->gain;
}

gfloat
audio_cast_echo_delay_captured_level (const AudioCastEchoDelay *d,
    gint64 first, guint n)
{
  gfloat sum = 0;
  guint i;

  for (i = 0; i < n; i++)
    sum += level_at (&d->captured, first + i, TRUE);
  return n ? sum / n : 0;
}
