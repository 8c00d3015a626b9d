/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* How long after a sound is heard its echo reaches the microphone.
 *
 * The echo canceller knows when each frame is heard (the player's device
 * says) and when each captured frame was captured; what it cannot know is
 * the path in between: the air, a Bluetooth speaker's own buffer, a sound
 * server's loopback. webrtcdsp's filter spans about 128 ms from where it is
 * told the echo starts, and cancels tens of dB more when that start is
 * right (measured: 16 dB with the echo 60 ms in, 64 dB with it at the
 * filter's start). This finds the lag at which the envelope of what was
 * heard best matches the envelope of what was captured.
 *
 * Envelopes are mean absolute values over 1 ms blocks, indexed by running
 * time; the last 2 s are correlated at lags up to 500 ms, every 250 ms.
 * The first estimate comes once 500 ms were captured. The first delay is
 * what two clear estimates in a row agree on, later ones what three do
 * (normalised correlation 0.7 or more: the user talking over the echo
 * blurs it), and it moves only by 3 ms or more, even after a relearn,
 * since every move makes the filter adapt anew. The last 500 ms alone are
 * correlated too, for where the echo is lately: that sees a move a
 * second or more before the estimates over 2 s agree on it, and tells the
 * gate not to trust the filter meanwhile. The envelope of what was
 * heard also bounds how loud its echo can be (audiocast-echo-gate.h). No
 * allocation, no locking: the echo canceller feeds both envelopes from the
 * recorder's streaming thread.
 * Private to the library. */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define AUDIO_CAST_ECHO_HISTORY 4096    /* 1 ms blocks kept: 4 s */
#define AUDIO_CAST_ECHO_ESTIMATES 3     /* that must agree */
/* Each move of the delay makes the filter adapt anew: a delay agreed on
 * moves only for a new one at least this far away (ms). 4 ms kept a
 * filter that had to adapt to a 3 ms move on its own, and left a third of
 * the echo for a while (PipeWire room traces); since the gate does not
 * trust a filter after a move, a 3 ms move costs less than none. */
#define AUDIO_CAST_ECHO_HYSTERESIS_MS 3

typedef struct
{
  gfloat level[AUDIO_CAST_ECHO_HISTORY];
  gint64 block[AUDIO_CAST_ECHO_HISTORY]; /* which block a slot holds */
  guint epoch[AUDIO_CAST_ECHO_HISTORY]; /* which epoch it was added in */
  gint64 newest;
  gint64 oldest;                /* the first block added this epoch */
  /* Bumped by a relearn(): what was heard before it was placed otherwise,
   * and is no longer correlated; it still says what its echo can be. */
  guint current_epoch;
} AudioCastEchoEnvelope;

typedef struct
{
  AudioCastEchoEnvelope heard;
  AudioCastEchoEnvelope captured;
  gint64 next_estimate;         /* captured block due for an estimate */
  gint estimates[AUDIO_CAST_ECHO_ESTIMATES]; /* the last, newest first */
  guint n_estimates;
  gint delay_ms;                /* the delay agreed on, -1: none yet */
  gboolean relearning;          /* delay_ms is from before a relearn() */
  /* Where the echo was over the last half second alone (ms; -1: not
   * clear since the last relearn()): it moves there before the estimates
   * agree on it. */
  gint recent_ms;
  gfloat correlation;           /* of the last estimate */
  /* How loud the echo is against what was heard (envelope against
   * envelope), from the last estimate clear enough to tell; 0: not known.
   * The room's, so it outlives a relearn(). */
  gfloat gain;
} AudioCastEchoDelay;

void audio_cast_echo_delay_init (AudioCastEchoDelay *d);

/* @samples: @n mono samples at @rate Hz, the first at @running (ns, the
 * recorder pipeline's running time): of what was heard, or captured. */
void audio_cast_echo_delay_add_heard (AudioCastEchoDelay *d,
    const gfloat *samples, guint n, gint rate, GstClockTime running);
void audio_cast_echo_delay_add_captured (AudioCastEchoDelay *d,
    const gfloat *samples, guint n, gint rate, GstClockTime running);

/* The echo delay agreed on, in ms; -1 while there is none. Estimates
 * again when due. */
gint audio_cast_echo_delay_update (AudioCastEchoDelay *d);

/* What was heard moved against what is captured (the player's device was
 * flushed): correlates only what comes next and finds the delay anew, as
 * quickly as the first time, keeping the old one until then, and after it
 * too when the new one is within the hysteresis of it. */
void audio_cast_echo_delay_relearn (AudioCastEchoDelay *d);

/* Whether the echo lately comes where the delay says: not after a
 * relearn() until it is found again, nor once it is found elsewhere (the
 * room's path, or the player's placement, changed) until the delay moves
 * there. */
gboolean audio_cast_echo_delay_placed (const AudioCastEchoDelay *d);

/* The most the echo of what was heard can weigh, on average, in the @n
 * captured blocks from @first (1 ms of running time each; in the
 * envelopes' unit, the sum of the absolute values of a block's samples):
 * the loudest mean of @n heard blocks in a row whose echo falls there,
 * with the echo's source within @spread_ms of where the delay puts it, or
 * where it was lately found, times the gain; after a relearn(), until the
 * echo is found again, within a wider spread, as the player's sound may be
 * placed tens of milliseconds otherwise. With @n 1, the loudest the echo
 * can be in one block. -1 while the delay or the gain is not known. */
gfloat audio_cast_echo_delay_echo_level (const AudioCastEchoDelay *d,
    gint64 first, guint n, gint spread_ms);

/* The mean level of the @n captured blocks from @first on (the
 * microphone's, before the canceller; in the envelopes' unit). */
gfloat audio_cast_echo_delay_captured_level (const AudioCastEchoDelay *d,
    gint64 first, guint n);

G_END_DECLS
