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
/* With a misplaced filter, from then to the user's first words: it adds
 * an echo of its own, its output louder than the microphone. */
#define MISPLACED_FROM (3 * RATE)
#define MISPLACED 1.5
/* With a moved echo, its path grows by MOVE_MS then, no restart telling
 * (PipeWire's graph moves a stream's sound by whole cycles now and then),
 * and the filter, converged where the echo was, leaves LEFT_CONVERGING of
 * it from then to the user's first words. */
#define MOVE_AT (5 * RATE / 2)
#define MOVE_MS 21
/* With a leaking filter, trusted by then, it leaves half the echo from
 * then to the user's first words, with no restart and no move: webrtcdsp's
 * filter at times unlearns for a while on its own (duplex demo traces: a
 * third to a half of the echo, for 100 ms and more). */
#define LEAK_AT (3 * RATE)
#define LEAKING 0.5                     /* -6 dB */

/* A reverberant room: its echo feeds back on itself REVERB_GAIN every
 * REVERB_STEP samples (7 ms), -3.1 dB each time: a tail that dies down
 * 60 dB in 135 ms. Its delay stays where the direct echo comes. */
#define REVERB_STEP 113
#define REVERB_GAIN 0.7

/* What happens to the echo path amid the echo alone. */
typedef enum
{
  NOTHING_HAPPENS,
  DEVICE_RESTARTS,              /* the player's device, amid the echo */
  FILTER_MISPLACED,             /* MISPLACED_FROM on */
  ECHO_MOVES,                   /* MOVE_AT */
  FILTER_LEAKS,                 /* LEAK_AT on */
} Happening;

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
 * chunks, as the echo canceller does, with @what happening amid the echo
 * alone, in a room that reverberates or not (@reverberant). When the
 * device restarts (the delay relearns; where the sound is heard stays),
 * the sample it does at is returned. */
static guint
converse_in (Conversation * c, GRand * rand, Happening what,
    gboolean reverberant)
{
  guint restart_at = 0;
  gfloat *room = g_new0 (gfloat, N);    /* the echo with its tail */
  gdouble feedback = reverberant ? REVERB_GAIN : 0;

  AudioCastEchoDelay *delay = g_new (AudioCastEchoDelay, 1);
  AudioCastEchoGate gate;
  guint d = DELAY_MS * RATE / 1000, i;
  guint d_moved = (DELAY_MS + MOVE_MS) * RATE / 1000;

  c->heard = speechlike (rand, N, 1);
  memset (c->heard + DOUBLE_TALK_END - d, 0,
      (N - DOUBLE_TALK_END + d) * sizeof (gfloat));
  c->user = speechlike (rand, N, 0.5);
  memset (c->user, 0, ECHO_ALONE_END * sizeof (gfloat));
  c->captured = g_new (gfloat, N);
  c->cancelled = g_new (gfloat, N);
  if (what == DEVICE_RESTARTS)
    restart_at = chunk_amid_echo (c->heard);
  for (i = 0; i < N; i++) {
    gboolean moved = what == ECHO_MOVES && i >= MOVE_AT;
    guint path = moved ? d_moved : d;
    gfloat direct = i >= path ? 0.5f * c->heard[i - path] : 0;
    gfloat echo;
    gboolean echo_alone = i < ECHO_ALONE_END;
    gboolean converging = i < CONVERGED_AT || (what == DEVICE_RESTARTS
        && i >= restart_at && i < restart_at + RECONVERGE)
        || (moved && echo_alone);
    gdouble left = converging ? LEFT_CONVERGING : LEFT_CONVERGED;

    room[i] = direct + (i >= REVERB_STEP ? (gfloat) feedback
        * room[i - REVERB_STEP] : 0);
    /* the tail's power on top of the direct echo's taken back out */
    echo = room[i] * (gfloat) sqrt (1 - feedback * feedback);
    c->captured[i] = echo + c->user[i];
    if (what == FILTER_MISPLACED && i >= MISPLACED_FROM && echo_alone)
      left = MISPLACED;
    if (what == FILTER_LEAKS && i >= LEAK_AT && echo_alone)
      left = LEAKING;
    c->cancelled[i] = (gfloat) (left * echo) + c->user[i];
  }
  c->gated = g_memdup2 (c->cancelled, N * sizeof (gfloat));
  g_free (room);

  audio_cast_echo_delay_init (delay);
  audio_cast_echo_gate_init (&gate);
  for (i = 0; i + CHUNK <= N; i += CHUNK) {
    GstClockTime t = gst_util_uint64_scale_int (i, GST_SECOND, RATE);

    if (what == DEVICE_RESTARTS && i == restart_at) {
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

static guint
converse (Conversation * c, GRand * rand, Happening what)
{
  return converse_in (c, rand, what, FALSE);
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

/* Asserts that what the canceller let out from sample @from to @to was
 * taken down @at_least dB by the gate (@what says what it was). */
static void
assert_taken_down (const Conversation * c, guint from, guint to,
    gdouble at_least, const gchar * what)
{
  gdouble before = energy_db (c->cancelled, from, to);
  gdouble after = energy_db (c->gated, from, to);

  GST_INFO ("%s: %.1f dB out of the canceller, %.1f dB after the gate",
      what, before, after);
  fail_unless (after <= before - at_least, "%s went from %.1f to %.1f dB: "
      "not taken down %.0f dB", what, before, after, at_least);
}

/* Runs the conversation seeded with @seed, with @what happening, in a
 * room that reverberates or not, and asserts that what the canceller let
 * out from sample @from to @to was taken down @at_least dB (@desc). */
static void
assert_conversation_taken_down (guint32 seed, Happening what,
    gboolean reverberant, guint from, guint to, gdouble at_least,
    const gchar * desc)
{
  GRand *rand = g_rand_new_with_seed (seed);
  Conversation c;

  converse_in (&c, rand, what, reverberant);
  assert_taken_down (&c, from, to, at_least, desc);
  conversation_free (&c);
  g_rand_free (rand);
}

/* Where the echo is alone, what the canceller left of it is taken down
 * (by the gate's 30 dB, less its glide in and out of the echo's pauses). */
GST_START_TEST (test_takes_down_what_is_left_of_the_echo)
{
  assert_conversation_taken_down (11, NOTHING_HAPPENS, FALSE, KNOWN,
      ECHO_ALONE_END, 25, "what the canceller left of the echo alone");
}

GST_END_TEST;

/* The player's device restarts amid the echo: what was heard before still
 * bounds its echo, which comes after the restart, and what is left of it
 * stays down. */
GST_START_TEST (test_a_restart_keeps_the_echo_down)
{
  GRand *rand = g_rand_new_with_seed (13);
  Conversation c;
  guint at;

  /* the first 100 ms after the restart: their echo comes from before it */
  at = converse (&c, rand, DEVICE_RESTARTS);
  assert_taken_down (&c, at, at + RATE / 10, 25,
      "what the canceller left of the echo after a restart");
  conversation_free (&c);
  g_rand_free (rand);
}

GST_END_TEST;

/* A filter whose output is louder than the microphone adds an echo of its
 * own: it is no longer trusted, and its output, however loud against the
 * echo, is taken down, but for the few milliseconds it takes the output's
 * 10 ms mean to show it (it was let through 3 dB down while trusted). */
GST_START_TEST (test_a_misplaced_filter_is_not_trusted)
{
  assert_conversation_taken_down (11, FILTER_MISPLACED, FALSE,
      MISPLACED_FROM, ECHO_ALONE_END, 12, "what a misplaced filter let out");
}

GST_END_TEST;

/* The echo moves with no restart, and the filter leaves a third of it:
 * once the last half second finds the echo where it went (within 750 ms:
 * estimates every 250 ms over the last 500), the filter is no longer
 * trusted, its output however loud against the echo is taken down, and
 * the echo's bound covers where it went. */
GST_START_TEST (test_a_moved_echo_is_kept_down_once_found_there)
{
  assert_conversation_taken_down (11, ECHO_MOVES, FALSE,
      MOVE_AT + 3 * RATE / 4, ECHO_ALONE_END, 20,
      "what the canceller left of the echo once it had moved");
}

GST_END_TEST;

/* A trusted filter leaves half the echo for a second, with no restart
 * and no move to tell: the microphone holds no more than the echo, so its
 * output is not the user, and is taken down. Trusted on its output alone,
 * as it was, it let out all of it. */
GST_START_TEST (test_a_leaking_filter_is_kept_down)
{
  assert_conversation_taken_down (11, FILTER_LEAKS, FALSE, LEAK_AT,
      ECHO_ALONE_END, 20, "what a leaking filter let out");
}

GST_END_TEST;

/* The same in a reverberant room: the tail of each sound of the echo
 * outlasts the sound heard, and is not the user either (the gate before
 * the echo's mean level was weighed let out all of it: 0.2 dB). */
GST_START_TEST (test_a_leaking_filter_is_kept_down_in_a_reverberant_room)
{
  assert_conversation_taken_down (11, FILTER_LEAKS, TRUE, LEAK_AT,
      ECHO_ALONE_END, 20,
      "what a leaking filter let out in a reverberant room");
}

GST_END_TEST;

/* The user's voice over the echo keeps its level within 2 dB (the room's
 * target is 6 dB): in two seconds of talk over the echo the filter cannot
 * show it cancels, and after TRUST_MS only the moments when the
 * microphone holds more than the echo can be count as the user's. Alone,
 * it is untouched. */
GST_START_TEST (test_lets_the_user_through)
{
  GRand *rand = g_rand_new_with_seed (12);
  Conversation c;
  gdouble user, over, alone_in, alone_out;

  converse (&c, rand, NOTHING_HAPPENS);
  user = energy_db (c.user, ECHO_ALONE_END, DOUBLE_TALK_END);
  over = energy_db (c.gated, ECHO_ALONE_END, DOUBLE_TALK_END);
  alone_in = energy_db (c.cancelled, DOUBLE_TALK_END + CHUNK, N);
  alone_out = energy_db (c.gated, DOUBLE_TALK_END + CHUNK, N);
  GST_INFO ("the user over the echo: %.2f dB, %.2f dB after the gate; "
      "alone: %.3f dB, %.3f dB after", user, over, alone_in, alone_out);
  fail_unless (ABS (over - user) <= 2, "the user's voice over the echo went "
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
  tcase_add_test (tc, test_a_misplaced_filter_is_not_trusted);
  tcase_add_test (tc, test_a_moved_echo_is_kept_down_once_found_there);
  tcase_add_test (tc, test_a_leaking_filter_is_kept_down);
  tcase_add_test (tc, test_a_leaking_filter_is_kept_down_in_a_reverberant_room);
  tcase_add_test (tc, test_lets_the_user_through);
  return s;
}

GST_CHECK_MAIN (echo_gate);
