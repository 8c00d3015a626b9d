/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The residual echo gate; see audiocast-echo-gate.h. */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "audiocast-echo-gate.h"

#include <math.h>

/* The gate's decisions, for tracing a false opening: LOG where the user
 * is taken to talk (rare: the gate opens or stays open), TRACE every
 * block. Never above LOG: this runs in the recorder's streaming thread. */
GST_DEBUG_CATEGORY_STATIC (audio_cast_echo_gate_debug);
#define GST_CAT_DEFAULT audio_cast_echo_gate_debug

#define BLOCK_NS GST_MSECOND
/* While the filter is trusted, output this far under the echo in the
 * microphone is what it left of it. */
#define TRUSTED_RATIO 0.2f             /* -14 dB */
/* The filter is trusted once it has shown it cancels since the player's
 * device last restarted or the reference moved: CONVERGED_BLOCKS blocks
 * where the microphone held a good part of the loudest the echo can be
 * (CONVERGED_ECHO) and the output a tenth of that or less (20 dB
 * cancelled), the last of them within TRUST_MS, and only while the echo
 * comes where the reference is placed for (audio_cast_echo_delay_placed():
 * not after a restart until the echo is found again). It is no longer
 * once its output is louder than the microphone by OVERSHOOT (it adds an
 * echo of its own: misplaced), and not within STRICT_MS after a restart,
 * when it leaves the most. Measured on PipeWire rooms: with 20 blocks, a
 * filter that had just lost its place earned trust back in 20 to 30 ms of
 * a quiet syllable and let the next loud one through (a fifth to a third
 * of the echo); with 500 ms, the user talking over the assistant for
 * longer than that lost its quieter parts to the untrusted test. */
#define CONVERGED_BLOCKS 50
#define CONVERGED_ECHO 0.3f
#define CONVERGED_RATIO 0.1f
#define TRUST_MS 1000
#define OVERSHOOT 1.25f
#define STRICT_MS 300
/* The echo in the microphone is taken as what it captured, but no more
 * than the loudest the echo can be, and no less than this part of it: at
 * the start of a word the echo is still to come. */
#define ECHO_LEAST 0.1f
/* How much more than the echo's mean level the microphone holds when the
 * user talks (see user_talks()). Traced in 30 runs of the duplex demo's
 * room (the user 6 dB over the echo): the microphone held 1.07 times that
 * level at most where the echo was alone, and 1.4 times 12 to 55 ms after
 * the user began (a median of 1.0 to 2.3 times over the user's next
 * 300 ms: a word's quieter parts hide under the echo). */
#define LOUDER_THAN_ECHO 1.4f           /* +2.9 dB */
/* Less when a trusted filter's output says the user talks too, still over
 * the 1.07 of the echo alone. */
#define TRUSTED_LOUDER_THAN_ECHO 1.2f   /* +1.6 dB */
/* An echo under this (in the envelopes' unit, a 1 ms block's sum of
 * absolute values: -84 dBFS at 16 kHz) is the player's silence: there is
 * no echo to take down, and nothing to hold the gate open for. */
#define SILENT 1e-3f
/* How far it is taken down. */
#define FLOOR 0.03f                     /* -30 dB */
/* How far from where the echo delay puts it the echo's source may be: the
 * player's sound is placed up to 13 ms off after a restart of its device
 * (docs/listening.md), and a room's echo lasts. */
#define SPREAD_MS 20
/* Once the user talks, the gate stays open HOLD_MS, as the quieter sounds
 * between a word's loud ones are the user's too. */
#define HOLD_MS 80
/* How long the gain takes to glide to a new value (time constant), so that
 * it does not click. */
#define GLIDE_MS 2

void
audio_cast_echo_gate_init (AudioCastEchoGate *gate)
{
  guint i;

  GST_DEBUG_CATEGORY_INIT (audio_cast_echo_gate_debug, "audiocastechogate",
      0, "audiocast echo canceller's residual echo gate");
  for (i = 0; i < AUDIO_CAST_ECHO_GATE_BLOCKS; i++)
    gate->levels[i] = 0;
  gate->n_levels = 0;
  gate->next_level = 0;
  gate->block = -1;
  gate->open_until = -1;
  gate->strict_from = -1;
  gate->strict_until = -1;
  gate->converged_blocks = 0;
  gate->last_converged = -1;
  gate->level = 0;
  gate->target = 1;
  gate->gain = 1;
}

/* A restart comes in steps: the device's, then the sound placed anew once
 * it plays again (a cycle of the server later), or the echo's delay
 * moved. What is heard from the first step to STRICT_MS after the last is
 * judged strictly. */
void
audio_cast_echo_gate_restart (AudioCastEchoGate *gate,
    GstClockTime heard_running)
{
  gint64 block = (gint64) (heard_running / BLOCK_NS);

  if (gate->strict_until < 0 || block > gate->strict_until)
    gate->strict_from = block;
  else
    gate->strict_from = MIN (gate->strict_from, block);
  gate->strict_until = MAX (gate->strict_until, block + STRICT_MS);
  gate->converged_blocks = 0;
  /* held open on a filter that was trusted: judged anew */
  gate->open_until = -1;
  GST_DEBUG ("restart at block %" G_GINT64_FORMAT ": strict from %"
      G_GINT64_FORMAT " to %" G_GINT64_FORMAT, block, gate->strict_from,
      gate->strict_until);
}

/* Whether the echo in @block may come from sound heard soon after the
 * player's device restarted. */
static gboolean
soon_after_restart (const AudioCastEchoGate *gate,
    const AudioCastEchoDelay *delay, gint64 block)
{
  gint64 source = block - delay->delay_ms;

  return gate->strict_from >= 0 && source >= gate->strict_from - SPREAD_MS
      && source <= gate->strict_until + SPREAD_MS;
}

/* Whether the filter has shown, lately and since the player's device last
 * restarted, that it cancels the echo in @block. */
static gboolean
filter_trusted (const AudioCastEchoGate *gate,
    const AudioCastEchoDelay *delay, gint64 block)
{
  return !soon_after_restart (gate, delay, block)
      && audio_cast_echo_delay_placed (delay)
      && gate->converged_blocks >= CONVERGED_BLOCKS
      && block - gate->last_converged <= TRUST_MS;
}

/* Keeps count of how the filter does, from the output @level against what
 * the microphone @captured and the echo's @bound over the same blocks. */
static void
judge_filter (AudioCastEchoGate *gate, const AudioCastEchoDelay *delay,
    gint64 block, gfloat level, gfloat captured, gfloat bound)
{
  /* no voice makes the output louder than the microphone: what opened the
   * gate lately was the filter's own echo too. Not counted where the
   * microphone is all but silent (a pause of the echo): there the
   * filter's faint tail outweighs it without telling anything. */
  if (level > OVERSHOOT * captured && level >= ECHO_LEAST * bound) {
    gate->converged_blocks = 0;
    gate->open_until = MIN (gate->open_until, block);
  } else if (captured >= CONVERGED_ECHO * bound
      && level <= CONVERGED_RATIO * captured
      && block - delay->delay_ms >= gate->strict_from) {
    gate->converged_blocks++;
    gate->last_converged = block;
  }
}

/* Whether the user talks: when the microphone holds clearly more than the
 * echo can, on average, over the same blocks (a Geigel-like double-talk
 * test, on the echo's mean level: its loudest block would hide a user
 * only a little louder than the echo for tens of milliseconds); or, with
 * a trusted filter, when the output is a good part of the echo the
 * microphone holds, not more than the microphone holds, and the
 * microphone a little more than the echo can be. A filter trusted on what
 * it did lately can leave a third of the echo or more for 100 ms and more
 * (webrtcdsp's filter at times unlearns for a while with no restart and
 * no move): then the microphone holds no more than the echo, and its
 * output, however loud against the echo, is not the user. */
static gboolean
user_talks (const AudioCastEchoGate *gate, const AudioCastEchoDelay *delay,
    gint64 block, gfloat level, gfloat captured, gfloat bound, gfloat echo)
{
  /* where the echo pauses, a microphone a good part of the echo near is
   * still needed: its noise, or what the room keeps of the echo, is not
   * the user */
  gfloat least = MAX (echo, ECHO_LEAST * bound);

  if (captured >= LOUDER_THAN_ECHO * least)
    return TRUE;
  return filter_trusted (gate, delay, block)
      && level >= TRUSTED_RATIO * CLAMP (captured, ECHO_LEAST * bound, bound)
      && level <= OVERSHOOT * captured
      && captured >= TRUSTED_LOUDER_THAN_ECHO * least;
}

/* The gain for @block, from the output blocks before it: the floor when
 * the user does not talk over the echo. */
static gfloat
decide (AudioCastEchoGate *gate, const AudioCastEchoDelay *delay,
    gint64 block)
{
  const gint n = AUDIO_CAST_ECHO_GATE_BLOCKS, half = n / 2;
  gfloat sum = 0, bound, echo, level, captured;
  guint i;

  if (gate->n_levels < AUDIO_CAST_ECHO_GATE_BLOCKS)
    return 1;
  for (i = 0; i < AUDIO_CAST_ECHO_GATE_BLOCKS; i++)
    sum += gate->levels[i];
  level = sum / AUDIO_CAST_ECHO_GATE_BLOCKS;
  /* the echo's bound, its mean level at most, and the microphone's level
   * over the blocks the sum covers */
  bound = audio_cast_echo_delay_echo_level (delay, block - half, 1,
      SPREAD_MS + half);
  if (bound <= 0)
    return 1;
  echo = audio_cast_echo_delay_echo_level (delay, block - n, n, SPREAD_MS);
  captured = audio_cast_echo_delay_captured_level (delay, block - n, n);
  judge_filter (gate, delay, block, level, captured, bound);
  if (CLAMP (captured, ECHO_LEAST * bound, bound) < SILENT)
    return 1;
  GST_TRACE ("block %" G_GINT64_FORMAT ": output %.4f microphone %.4f "
      "echo %.4f (bound %.4f), delay %d ms, trusted %d, converged %u",
      block, level, captured, echo, bound, delay->delay_ms,
      filter_trusted (gate, delay, block), gate->converged_blocks);
  if (user_talks (gate, delay, block, level, captured, bound, echo)) {
    GST_LOG ("block %" G_GINT64_FORMAT ": the user talks (output %.4f, "
        "microphone %.4f, echo %.4f, bound %.4f, delay %d ms, trusted %d, "
        "placed %d)", block, level, captured, echo, bound, delay->delay_ms,
        filter_trusted (gate, delay, block),
        audio_cast_echo_delay_placed (delay));
    gate->open_until = block + HOLD_MS;
  }
  if (block < gate->open_until)
    return 1;
  return FLOOR;
}

/* Ends the block being summed and starts @block. */
static void
next_block (AudioCastEchoGate *gate, const AudioCastEchoDelay *delay,
    gint64 block)
{
  if (gate->block >= 0) {
    gate->levels[gate->next_level] = gate->level;
    gate->next_level = (gate->next_level + 1) % AUDIO_CAST_ECHO_GATE_BLOCKS;
    gate->n_levels = MIN (gate->n_levels + 1, AUDIO_CAST_ECHO_GATE_BLOCKS);
  }
  gate->block = block;
  gate->level = 0;
  gate->target = decide (gate, delay, block);
}

void
audio_cast_echo_gate_apply (AudioCastEchoGate *gate,
    const AudioCastEchoDelay *delay, gfloat *samples, guint n, gint rate,
    GstClockTime running)
{
  gfloat glide = 1.0f - expf (-1000.0f / (GLIDE_MS * (gfloat) rate));
  guint i;

  for (i = 0; i < n; i++) {
    gint64 block = (gint64) ((running + gst_util_uint64_scale_int (i,
                GST_SECOND, rate)) / BLOCK_NS);

    if (block != gate->block)
      next_block (gate, delay, block);
    gate->level += fabsf (samples[i]);
    gate->gain += (gate->target - gate->gain) * glide;
    samples[i] *= gate->gain;
  }
}
