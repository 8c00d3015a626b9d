/* AudioCastEchoGate on its own: what the echo canceller left of the echo
 * taken down, the user's voice let through
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What is heard is speech-like noise; the microphone captures it 63 ms
 * later at half its level, and the user's voice (other speech-like noise)
 * over it. The canceller is taken to leave 10 dB of the echo until it has
 * converged (1.5 s in) and for 0.5 s after a restart of the player's
 * device, as webrtcdsp's filter does, and 30 dB otherwise. The
 * conversation: the echo alone, then the user over it, then the user alone
 * while the player is silent.
 */

#include <gst/check/gstcheck.h>

#include <math.h>

#include <audiocast/audiocast-echo-gate.h>

#define RATE 16000
#define CHUNK (RATE / 100)              /* 10 ms, as the recorder delivers */
#define ECHO_ALONE_END (4 * RATE)
#define DOUBLE_TALK_END (6 * RATE)
#define N (8 * RATE)
#define DELAY_MS 63
/* The delay and the echo's gain are known from then on (the first
 * estimates come after 0.5 s). */
#define KNOWN (2 * RATE)
#define LEFT_CONVERGING 0.3            /* -10 dB */
#define LEFT_CONVERGED 0.03             /* -30 dB */
#define CONVERGED_AT (3 * RATE / 2)
#define RECONVERGE (RATE / 2)

/* Bursty noise: a new level every 50 to 300 ms, a pause (level 0) one time
 * in three. */
static gfloat *
speechlike (GRand * rand, guint n, gdouble gain)
{
  gfloat *x = g_new (gfloat, n);
  guint i = 0;

  while (i < n) {
    guint len = g_rand_int_range (rand, RATE / 20, RATE * 3 / 10);
    gdouble level = g_rand_int_range (rand, 0, 3) == 0 ? 0
        : gain * g_rand_double_range (rand, 0.05, 0.5);

    for (; len > 0 && i < n; len--, i++)
      x[i] = (gfloat) (level * g_rand_double_range (rand, -1, 1));
  }
  return x;
}

static gdouble
energy_db (const gfloat * x, guint from, guint to)
{
  gdouble sum = 1e-20;
  guint i;

  for (i = from; i < to; i++)
    sum += (gdouble) x[i] * x[i];
  return 10 * log10 (sum / (to - from));
}

typedef struct
{
  gfloat *heard;
  gfloat *user;
  gfloat *captured;             /* the echo and the user */
  gfloat *cancelled;            /* what is left of the echo, and the user */
  gfloat *gated;
} Conversation;

/* The first chunk after KNOWN whose echo, and what comes just before and
 * after it, comes from sound (not a pause), 100 ms before the user talks
 * at the latest. */
static guint
chunk_amid_echo (const gfloat * heard)
{
  guint d = DELAY_MS * RATE / 1000, i, j;

  for (i = KNOWN + RATE / 2; i + RATE / 10 <= ECHO_ALONE_END; i += CHUNK) {
    for (j = i - d - RATE / 25; j < i - d + RATE / 10 && heard[j] != 0; j++);
    if (j == i - d + RATE / 10)
      return i;
  }
  fail ("no echo of sound to restart amid");
  return 0;
}

/* Runs the conversation through the echo delay and the gate, in 10 ms
 * chunks, as the echo canceller does. With @restart, the player's device
 * restarts amid the echo (the delay relearns; where the sound is heard
 * stays): the sample it does at is returned. */
static guint
converse (Conversation * c, GRand * rand, gboolean restart)
{
  guint restart_at = 0;

  AudioCastEchoDelay *delay = g_new (AudioCastEchoDelay, 1);
  AudioCastEchoGate gate;
  guint d = DELAY_MS * RATE / 1000, i;

  c->heard = speechlike (rand, N, 1);
  memset (c->heard + DOUBLE_TALK_END - d, 0,
      (N - DOUBLE_TALK_END + d) * sizeof (gfloat));
  c->user = speechlike (rand, N, 0.5);
  memset (c->user, 0, ECHO_ALONE_END * sizeof (gfloat));
  c->captured = g_new (gfloat, N);
  c->cancelled = g_new (gfloat, N);
  if (restart)
    restart_at = chunk_amid_echo (c->heard);
  for (i = 0; i < N; i++) {
    gfloat echo = i >= d ? 0.5f * c->heard[i - d] : 0;
    gboolean converging = i < CONVERGED_AT || (restart && i >= restart_at
        && i < restart_at + RECONVERGE);

    c->captured[i] = echo + c->user[i];
    c->cancelled[i] = (gfloat) ((converging ? LEFT_CONVERGING
            : LEFT_CONVERGED) * echo) + c->user[i];
  }
  c->gated = g_memdup2 (c->cancelled, N * sizeof (gfloat));

  audio_cast_echo_delay_init (delay);
  audio_cast_echo_gate_init (&gate);
  for (i = 0; i + CHUNK <= N; i += CHUNK) {
    GstClockTime t = gst_util_uint64_scale_int (i, GST_SECOND, RATE);

    if (restart && i == restart_at) {
      audio_cast_echo_delay_relearn (delay);
      audio_cast_echo_gate_restart (&gate, t);
    }
    audio_cast_echo_delay_add_heard (delay, c->heard + i, CHUNK, RATE, t);
    audio_cast_echo_delay_add_captured (delay, c->captured + i, CHUNK, RATE,
        t);
    audio_cast_echo_delay_update (delay);
    audio_cast_echo_gate_apply (&gate, delay, c->gated + i, CHUNK, RATE, t);
    if (i + CHUNK == KNOWN)
      fail_unless_equals_int (delay->delay_ms, DELAY_MS);
  }
  g_free (delay);
  return restart_at;
}

static void
conversation_free (Conversation * c)
{
  g_free (c->heard);
  g_free (c->user);
  g_free (c->captured);
  g_free (c->cancelled);
  g_free (c->gated);
}

/* Where the echo is alone, what the canceller left of it is taken down
 * (by the gate's 30 dB, less its glide in and out of the echo's pauses). */
GST_START_TEST (test_takes_down_what_is_left_of_the_echo)
{
  GRand *rand = g_rand_new_with_seed (11);
  Conversation c;
  gdouble before, after;

  converse (&c, rand, FALSE);
  before = energy_db (c.cancelled, KNOWN, ECHO_ALONE_END);
  after = energy_db (c.gated, KNOWN, ECHO_ALONE_END);
  GST_INFO ("the echo alone: %.1f dB left by the canceller, %.1f dB after "
      "the gate", before, after);
  fail_unless (after <= before - 25, "what the canceller left of the echo "
      "went from %.1f to %.1f dB: not taken down 25 dB", before, after);
  conversation_free (&c);
  g_rand_free (rand);
}

GST_END_TEST;

/* The player's device restarts amid the echo: what was heard before still
 * bounds its echo, which comes after the restart, and what is left of it
 * stays down. */
GST_START_TEST (test_a_restart_keeps_the_echo_down)
{
  GRand *rand = g_rand_new_with_seed (13);
  Conversation c;
  gdouble before, after;
  guint at;

  /* the first 100 ms after the restart: their echo comes from before it */
  at = converse (&c, rand, TRUE);
  before = energy_db (c.cancelled, at, at + RATE / 10);
  after = energy_db (c.gated, at, at + RATE / 10);
  GST_INFO ("the echo alone after a restart: %.1f dB left by the canceller, "
      "%.1f dB after the gate", before, after);
  fail_unless (after <= before - 25, "after a restart, what the canceller "
      "left of the echo went from %.1f to %.1f dB: not taken down 25 dB",
      before, after);
  conversation_free (&c);
  g_rand_free (rand);
}

GST_END_TEST;

/* The user's voice over the echo keeps its level; alone, it is untouched. */
GST_START_TEST (test_lets_the_user_through)
{
  GRand *rand = g_rand_new_with_seed (12);
  Conversation c;
  gdouble user, over, alone_in, alone_out;

  converse (&c, rand, FALSE);
  user = energy_db (c.user, ECHO_ALONE_END, DOUBLE_TALK_END);
  over = energy_db (c.gated, ECHO_ALONE_END, DOUBLE_TALK_END);
  alone_in = energy_db (c.cancelled, DOUBLE_TALK_END + CHUNK, N);
  alone_out = energy_db (c.gated, DOUBLE_TALK_END + CHUNK, N);
  GST_INFO ("the user over the echo: %.2f dB, %.2f dB after the gate; "
      "alone: %.3f dB, %.3f dB after", user, over, alone_in, alone_out);
  fail_unless (ABS (over - user) <= 1, "the user's voice over the echo went "
      "from %.2f to %.2f dB after the gate", user, over);
  fail_unless (ABS (alone_out - alone_in) <= 0.01, "the user's voice alone "
      "went from %.3f to %.3f dB after the gate", alone_in, alone_out);
  conversation_free (&c);
  g_rand_free (rand);
}

GST_END_TEST;

static Suite *
echo_gate_suite (void)
{
  Suite *s = suite_create ("echo_gate");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_takes_down_what_is_left_of_the_echo);
  tcase_add_test (tc, test_a_restart_keeps_the_echo_down);
  tcase_add_test (tc, test_lets_the_user_through);
  return s;
}

GST_CHECK_MAIN (echo_gate);
