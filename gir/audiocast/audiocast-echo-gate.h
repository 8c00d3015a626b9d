/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* What the echo canceller's filter left of the echo, taken down.
 *
 * Once converged where the echo is, webrtcdsp's filter takes it tens of dB
 * down; for a while after the player's device restarts (its sound placed
 * a few milliseconds off, docs/listening.md) or the reference moves, it
 * leaves enough for a voice activity detector to fire on. What it leaves
 * is told from the user's voice by how loud it is against the echo in the
 * microphone: the echo delay knows what was heard, how long after it its
 * echo comes and how loud (audiocast-echo-delay.h), and what the
 * microphone captured. Output well under the echo the microphone holds
 * (what it captured, no more than the loudest the echo can be) is what
 * the filter left of it, and is taken down; the user's voice, over the
 * echo or alone, passes through the filter and is a good part of what
 * the microphone holds, or has no echo to be measured against, and passes
 * as it is.
 *
 * That holds only while the filter cancels, which is not taken on faith:
 * it must have shown it (the echo taken 20 dB down, for 50 ms all told)
 * since the player's device last restarted or the reference moved, and
 * lately; the echo must come where the reference is placed for (after a
 * restart the player's sound can come back tens of milliseconds
 * elsewhere, and on PipeWire the echo can move with no restart at all),
 * its output must not be louder than the microphone (a misplaced filter
 * adds an echo of its own), and the microphone must hold a little more
 * than the echo's mean level (a filter that has shown it cancels can
 * still leave a third of the echo for a while, with nothing to tell).
 * Whether trusted or not, a microphone holding clearly more than the
 * echo's mean level (audio_cast_echo_delay_echo_level() over the same
 * blocks, taken wide enough for where the echo may have gone) is the user:
 * a Geigel-like double-talk test. Within 300 ms after a restart, the
 * filter leaves the most and is never trusted.
 *
 * Decided every 1 ms block (the envelopes' blocks) from the level of the
 * last AUDIO_CAST_ECHO_GATE_BLOCKS output blocks, before the gate; the
 * gain glides to its new value over a couple of milliseconds. No
 * allocation, no locking: runs in the recorder's streaming thread, after
 * the canceller. Private to the library. */

#pragma once

#include "audiocast-echo-delay.h"

G_BEGIN_DECLS

#define AUDIO_CAST_ECHO_GATE_BLOCKS 10

typedef struct
{
  gfloat levels[AUDIO_CAST_ECHO_GATE_BLOCKS];   /* the last output blocks */
  guint n_levels;
  guint next_level;             /* where the next goes in levels */
  gint64 block;                 /* the block being summed; -1: none */
  gfloat level;                 /* its sum of absolute values so far */
  gint64 open_until;            /* the gate stays open until this block */
  /* The heard blocks within STRICT_MS of the player's last restarts (see
   * audiocast-echo-gate.c); -1: none yet. */
  gint64 strict_from;
  gint64 strict_until;
  /* blocks since the last restart where the filter cancelled well (see
   * audiocast-echo-gate.c) */
  guint converged_blocks;
  gint64 last_converged;        /* the last of them; -1: none */
  gfloat target;                /* the gain decided for it */
  gfloat gain;                  /* the gain applied, gliding to target */
} AudioCastEchoGate;

void audio_cast_echo_gate_init (AudioCastEchoGate *gate);

/* The player's device restarted: what is heard from @heard_running (ns, the
 * recorder's running time) on is placed anew. */
void audio_cast_echo_gate_restart (AudioCastEchoGate *gate,
    GstClockTime heard_running);

/* Takes down what in @samples (@n mono samples at @rate Hz, the first at
 * running time @running, from the canceller) is left of the echo that
 * @delay knows of. */
void audio_cast_echo_gate_apply (AudioCastEchoGate *gate,
    const AudioCastEchoDelay *delay, gfloat *samples, guint n, gint rate,
    GstClockTime running);

G_END_DECLS
