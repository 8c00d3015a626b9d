/* AudioCastMixer on its own: streams of their own formats mixed into one
 * timeline, each with its own clear, volume and heard count
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The mix runs at 48 kHz stereo in periods of 10 ms, as a device would
 * take it. Streams at the mix's format carry a counter (frame i holds
 * i / 2^20 on every channel: exact in float), so the output says exactly
 * which of their frames came out where.
 */

#include <gst/check/gstcheck.h>

#include <audiocast/audiocast-mixer.h>

#define RATE 48000
#define CHANNELS 2
#define PERIOD (RATE / 100)
#define COUNTER_STEP (1.0f / (1 << 20))

/* The next period, right after the last one rendered. */
static gboolean
render (AudioCastMixer * mixer, gfloat * out, guint frames)
{
  return audio_cast_mixer_render (mixer, out, frames,
      audio_cast_mixer_rendered (mixer), FALSE);
}

static AudioCastMixer *
new_mixer (void)
{
  return audio_cast_mixer_new (RATE, CHANNELS, PERIOD);
}

static AudioCastMixerStream *
add_stream (AudioCastMixer * mixer, GstAudioFormat format, gint rate,
    gint channels, guint64 capacity)
{
  GstAudioInfo info;
  GError *error = NULL;
  AudioCastMixerStream *s;

  gst_audio_info_set_format (&info, format, rate, channels, NULL);
  s = audio_cast_mixer_add_stream (mixer, &info, capacity, &error);
  fail_unless (s != NULL, "%s", error ? error->message : "");
  return s;
}

/* Writes counter frames @start .. @start + @n - 1 (mix format). */
static guint64
write_counter (AudioCastMixerStream * s, guint start, guint n)
{
  gfloat *frames = g_new (gfloat, (gsize) n * CHANNELS);
  guint64 accepted;
  guint i, c;

  for (i = 0; i < n; i++)
    for (c = 0; c < CHANNELS; c++)
      frames[i * CHANNELS + c] = (start + i) * COUNTER_STEP;
  accepted = audio_cast_mixer_stream_write (s, (const guint8 *) frames, n);
  g_free (frames);
  return accepted;
}

/* Asserts that @out (@n frames) holds counter frames from @start on. */
static void
assert_counter (const gfloat * out, guint n, guint start)
{
  guint i, c;

  for (i = 0; i < n; i++)
    for (c = 0; c < CHANNELS; c++)
      fail_unless (out[i * CHANNELS + c] == (start + i) * COUNTER_STEP,
          "frame %u channel %u: %g, not counter frame %u", i, c,
          out[i * CHANNELS + c] / COUNTER_STEP, start + i);
}

static void
assert_silence (const gfloat * out, guint n)
{
  guint i;

  for (i = 0; i < n * CHANNELS; i++)
    fail_unless (out[i] == 0.0f, "sample %u is %g, not silence", i, out[i]);
}

static void
assert_stats (AudioCastMixerStream * s, guint64 written, guint64 heard,
    guint64 cleared)
{
  AudioCastMixerStreamStats st;

  audio_cast_mixer_stream_get_stats (s, &st);
  fail_unless_equals_uint64 (st.written, written);
  fail_unless_equals_uint64 (st.heard, heard);
  fail_unless_equals_uint64 (st.cleared, cleared);
  fail_unless_equals_uint64 (st.buffered, written - heard - cleared);
}

GST_START_TEST (test_a_stream_alone_comes_out_bit_for_bit)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *s = add_stream (mixer, GST_AUDIO_FORMAT_F32, RATE,
      CHANNELS, RATE);
  gfloat out[PERIOD * CHANNELS];
  guint p;

  fail_if (render (mixer, out, PERIOD));
  assert_silence (out, PERIOD);
  fail_unless_equals_uint64 (write_counter (s, 0, 3 * PERIOD + 100),
      3 * PERIOD + 100);
  for (p = 0; p < 3; p++) {
    fail_unless (render (mixer, out, PERIOD));
    assert_counter (out, PERIOD, p * PERIOD);
  }
  /* the last 100 frames, then silence in the same period */
  fail_unless (render (mixer, out, PERIOD));
  assert_counter (out, 100, 3 * PERIOD);
  assert_silence (out + 100 * CHANNELS, PERIOD - 100);
  fail_if (render (mixer, out, PERIOD));
  fail_unless_equals_uint64 (audio_cast_mixer_rendered (mixer), 6 * PERIOD);
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

GST_START_TEST (test_int16_at_the_mix_rate_is_exact)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *s = add_stream (mixer, GST_AUDIO_FORMAT_S16, RATE, 1,
      RATE);
  gint16 in[PERIOD];
  gfloat out[PERIOD * CHANNELS];
  guint i;

  for (i = 0; i < PERIOD; i++)
    in[i] = (gint16) (i * 131 - 32768);
  audio_cast_mixer_stream_write (s, (const guint8 *) in, PERIOD);
  fail_unless (render (mixer, out, PERIOD));
  /* mono goes to both channels, each sample as it was */
  for (i = 0; i < PERIOD; i++) {
    fail_unless (out[2 * i] * 32768.0f == in[i], "frame %u", i);
    fail_unless (out[2 * i + 1] == out[2 * i]);
  }
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

GST_START_TEST (test_heard_follows_the_timeline_and_frees_the_ring)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *s = add_stream (mixer, GST_AUDIO_FORMAT_F32, RATE,
      CHANNELS, 2 * PERIOD);
  gfloat out[PERIOD * CHANNELS];

  /* silence first: the stream starts at timeline position PERIOD */
  render (mixer, out, PERIOD);
  fail_unless_equals_uint64 (write_counter (s, 0, 3 * PERIOD), 2 * PERIOD);
  render (mixer, out, PERIOD);
  /* mixed is not heard: the ring keeps it and takes nothing more */
  fail_unless_equals_uint64 (audio_cast_mixer_stream_space (s), 0);
  audio_cast_mixer_set_heard (mixer, PERIOD + 100);
  assert_stats (s, 2 * PERIOD, 100, 0);
  fail_unless_equals_uint64 (audio_cast_mixer_stream_space (s), 100);
  render (mixer, out, PERIOD);
  audio_cast_mixer_set_heard (mixer, 3 * PERIOD);
  assert_stats (s, 2 * PERIOD, 2 * PERIOD, 0);
  /* heard never goes back */
  audio_cast_mixer_set_heard (mixer, PERIOD);
  assert_stats (s, 2 * PERIOD, 2 * PERIOD, 0);
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

/* A 22050 Hz mono stream is resampled; the heard count follows within the
 * resampler's latency, and is exact once all of it was heard. */
GST_START_TEST (test_a_resampled_stream_is_counted_through_its_converter)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *s = add_stream (mixer, GST_AUDIO_FORMAT_S16, 22050, 1,
      22050);
  gint16 *in = g_new0 (gint16, 22050);
  gfloat out[PERIOD * CHANNELS];
  AudioCastMixerStreamStats st;
  gfloat last = 0, peak = 0;
  guint p, crossings = 0;
  gint i;

  for (i = 0; i < 22050; i++)
    in[i] = (gint16) (8000 * sin (2 * G_PI * 1000 * i / 22050.0));
  fail_unless_equals_uint64 (audio_cast_mixer_stream_write (s,
          (const guint8 *) in, 11025), 11025);
  for (p = 0; p < 20; p++) {
    gint64 expected;

    fail_unless (render (mixer, out, PERIOD));
    for (i = 0; i < PERIOD; i++) {
      /* mono goes to both channels alike */
      fail_unless (out[i * CHANNELS] == out[i * CHANNELS + 1],
          "period %u frame %d: %g left, %g right", p, i, out[i * CHANNELS],
          out[i * CHANNELS + 1]);
      crossings += p > 0 && (out[i * CHANNELS] >= 0) != (last >= 0);
      peak = MAX (peak, ABS (out[i * CHANNELS]));
      last = out[i * CHANNELS];
    }
    audio_cast_mixer_set_heard (mixer, (p + 1) * PERIOD);
    audio_cast_mixer_stream_get_stats (s, &st);
    expected = (gint64) (p + 1) * 220.5;
    /* a few dozen frames stay in the resampler */
    fail_unless (ABS ((gint64) st.heard - expected) <= 64,
        "period %u: %" G_GUINT64_FORMAT " heard, about %" G_GINT64_FORMAT
        " expected", p, st.heard, expected);
  }
  /* 190 ms of a 1000 Hz tone: 380 zero crossings, at the level written */
  fail_unless (crossings >= 378 && crossings <= 382, "%u crossings",
      crossings);
  fail_unless (ABS (peak - 8000 / 32768.0) < 0.01, "peak %g", peak);
  /* 0.5 s is 50 periods; the tail comes out, then the stream is idle */
  while (render (mixer, out, PERIOD));
  audio_cast_mixer_set_heard (mixer, audio_cast_mixer_rendered (mixer));
  assert_stats (s, 11025, 11025, 0);
  g_free (in);
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

/* Two streams, one of them resampled; clearing it leaves the other one's
 * frames exact, and their counts right. */
GST_START_TEST (test_clearing_one_stream_leaves_the_other_exact)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *music = add_stream (mixer, GST_AUDIO_FORMAT_F32, RATE,
      CHANNELS, RATE);
  AudioCastMixerStream *voice = add_stream (mixer, GST_AUDIO_FORMAT_S16,
      22050, 1, 22050);
  gint16 *speech = g_new (gint16, 22050);
  gfloat out[PERIOD * CHANNELS];
  guint64 heard, cleared;
  gint i;

  for (i = 0; i < 22050; i++)
    speech[i] = (gint16) (8000 * sin (2 * G_PI * 440 * i / 22050.0));
  write_counter (music, 0, 20 * PERIOD);
  audio_cast_mixer_stream_write (voice, (const guint8 *) speech, 22050);
  for (i = 0; i < 5; i++) {
    render (mixer, out, PERIOD);
    /* both play: the voice is there */
    fail_if (out[0] == i * PERIOD * COUNTER_STEP
        && out[2 * (PERIOD - 1)] == (i * PERIOD + PERIOD - 1) * COUNTER_STEP);
  }
  audio_cast_mixer_set_heard (mixer, 3 * PERIOD);
  audio_cast_mixer_stream_clear (voice, &heard, &cleared);
  fail_unless (ABS ((gint64) heard - 3 * 220.5) <= 64);
  fail_unless_equals_uint64 (heard + cleared, 22050);
  assert_stats (voice, 22050, heard, cleared);
  /* from the next period on the music plays alone, bit for bit */
  for (i = 5; i < 20; i++) {
    fail_unless (render (mixer, out, PERIOD));
    assert_counter (out, PERIOD, i * PERIOD);
  }
  audio_cast_mixer_set_heard (mixer, 20 * PERIOD);
  assert_stats (music, 20 * PERIOD, 20 * PERIOD, 0);
  assert_stats (voice, 22050, heard, cleared);
  g_free (speech);
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

GST_START_TEST (test_volume_ramps_without_a_step)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *s = add_stream (mixer, GST_AUDIO_FORMAT_F32, RATE, 1,
      RATE);
  gfloat ones[4 * PERIOD], out[PERIOD * CHANNELS];
  gfloat previous = 1.0f;
  guint p, i, ramp_end = 0;

  for (i = 0; i < G_N_ELEMENTS (ones); i++)
    ones[i] = 1.0f;
  audio_cast_mixer_stream_write (s, (const guint8 *) ones, 4 * PERIOD);
  audio_cast_mixer_stream_set_volume (s, 0.2, 10 * GST_MSECOND);
  for (p = 0; p < 4; p++) {
    render (mixer, out, PERIOD);
    for (i = 0; i < PERIOD; i++) {
      gfloat v = out[i * CHANNELS];

      /* 0.8 over 480 frames: no step larger than one frame's share */
      fail_unless (previous - v <= 0.8f / PERIOD + 1e-6f,
          "a step of %g at frame %u", previous - v, p * PERIOD + i);
      fail_unless (v <= previous + 1e-6f);
      if (ramp_end == 0 && v <= 0.2f + 1e-6f)
        ramp_end = p * PERIOD + i + 1;
      previous = v;
    }
  }
  fail_unless (ramp_end >= PERIOD - 1 && ramp_end <= PERIOD + 1,
      "the ramp took %u frames, not %u", ramp_end, PERIOD);
  fail_unless (previous == 0.2f);
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

/* The device lost what it had not played: every stream renders again from
 * its first frame not heard. */
GST_START_TEST (test_rewind_renders_again_what_was_not_heard)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *s = add_stream (mixer, GST_AUDIO_FORMAT_F32, RATE,
      CHANNELS, RATE);
  gfloat out[PERIOD * CHANNELS];
  guint p;

  write_counter (s, 0, 10 * PERIOD);
  for (p = 0; p < 5; p++)
    render (mixer, out, PERIOD);
  audio_cast_mixer_rewind (mixer, 2 * PERIOD + 7);
  assert_stats (s, 10 * PERIOD, 2 * PERIOD + 7, 0);
  fail_unless (render (mixer, out, PERIOD));
  assert_counter (out, PERIOD, 2 * PERIOD + 7);
  /* the timeline went on from 5 periods: the new render is heard from
   * there */
  audio_cast_mixer_set_heard (mixer, 6 * PERIOD);
  assert_stats (s, 10 * PERIOD, 3 * PERIOD + 7, 0);
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

/* A new mix format starts the timeline over: each stream goes on from its
 * first frame not heard. */
GST_START_TEST (test_a_new_mix_format_goes_on_from_what_was_heard)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *s = add_stream (mixer, GST_AUDIO_FORMAT_F32, RATE,
      CHANNELS, RATE);
  gfloat out[PERIOD * CHANNELS];
  guint i;

  write_counter (s, 0, 4 * PERIOD);
  render (mixer, out, PERIOD);
  render (mixer, out, PERIOD);
  audio_cast_mixer_set_heard (mixer, PERIOD);
  fail_unless (audio_cast_mixer_set_format (mixer, RATE, 1, PERIOD));
  fail_unless_equals_uint64 (audio_cast_mixer_rendered (mixer), 0);
  fail_unless (render (mixer, out, PERIOD));
  /* mono now: both channels of each frame folded into one */
  for (i = 0; i < PERIOD; i++)
    fail_unless (out[i] == (PERIOD + i) * COUNTER_STEP, "frame %u: %g", i,
        out[i] / COUNTER_STEP);
  audio_cast_mixer_set_heard (mixer, PERIOD);
  assert_stats (s, 4 * PERIOD, 2 * PERIOD, 0);
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

/* Writes @n frames of the constant @value (mix format). */
static void
write_constant (AudioCastMixerStream * s, gfloat value, guint n)
{
  gfloat *frames = g_new (gfloat, (gsize) n * CHANNELS);
  guint i;

  for (i = 0; i < n * CHANNELS; i++)
    frames[i] = value;
  audio_cast_mixer_stream_write (s, (const guint8 *) frames, n);
  g_free (frames);
}

/* A stream that ducks lowers the others and the base while it plays (from
 * the period after it started: who played is known a period late), and
 * lets them back up once it played out. */
GST_START_TEST (test_ducking_lowers_the_others_while_it_plays)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *earcon = add_stream (mixer, GST_AUDIO_FORMAT_F32,
      RATE, CHANNELS, RATE);
  AudioCastMixerStream *music = add_stream (mixer, GST_AUDIO_FORMAT_F32,
      RATE, CHANNELS, RATE);
  gfloat out[PERIOD * CHANNELS], base[PERIOD * CHANNELS];
  guint i;

  audio_cast_mixer_stream_set_ducking (earcon, 0.25, 0);
  write_constant (music, 0.5f, 10 * PERIOD);
  write_constant (earcon, 0.5f, 3 * PERIOD);
  /* the first period: the earcon had not played yet */
  render (mixer, out, PERIOD);
  fail_unless (out[0] == 1.0f, "%g", out[0]);
  for (i = 0; i < 2; i++) {
    render (mixer, out, PERIOD);
    /* the earcon, and the music at a quarter */
    fail_unless (out[0] == 0.625f && out[PERIOD * CHANNELS - 1] == 0.625f,
        "%g", out[0]);
    base[0] = 1.0f;
    fail_unless (audio_cast_mixer_apply_base_gain (mixer, base, 1));
    fail_unless (base[0] == 0.25f, "%g", base[0]);
  }
  /* played out: after the period that found it so, the music comes back */
  render (mixer, out, PERIOD);
  fail_unless (out[0] == 0.125f, "%g", out[0]);
  render (mixer, out, PERIOD);
  fail_unless (out[0] == 0.5f, "%g", out[0]);
  render (mixer, out, PERIOD);
  fail_if (audio_cast_mixer_apply_base_gain (mixer, base, 1));
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

/* The base ducks the streams with a ramp, down and back up. */
GST_START_TEST (test_the_base_ducks_the_streams_with_a_ramp)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *music = add_stream (mixer, GST_AUDIO_FORMAT_F32,
      RATE, CHANNELS, RATE);
  gfloat out[PERIOD * CHANNELS];
  guint64 t = 0;
  guint i;

  audio_cast_mixer_set_base_ducking (mixer, 0.2, 10 * GST_MSECOND);
  write_constant (music, 1.0f, 10 * PERIOD);
  audio_cast_mixer_render (mixer, out, PERIOD, t, TRUE);
  t += PERIOD;
  fail_unless (out[0] == 1.0f);
  /* the way down: 10 ms, one period, in a straight line */
  audio_cast_mixer_render (mixer, out, PERIOD, t, TRUE);
  t += PERIOD;
  for (i = 1; i < PERIOD; i++)
    fail_unless (out[i * CHANNELS] < out[(i - 1) * CHANNELS]
        && out[(i - 1) * CHANNELS] - out[i * CHANNELS] < 0.8 / PERIOD + 1e-5,
        "frame %u", i);
  fail_unless (ABS (out[(PERIOD - 1) * CHANNELS] - 0.2f) < 1e-4);
  /* the base stops: back up the same way */
  audio_cast_mixer_render (mixer, out, PERIOD, t, FALSE);
  t += PERIOD;
  fail_unless (ABS (out[0] - 0.2f) < 1e-4);
  audio_cast_mixer_render (mixer, out, PERIOD, t, FALSE);
  fail_unless (ABS (out[(PERIOD - 1) * CHANNELS] - 1.0f) < 1e-4, "%g",
      out[(PERIOD - 1) * CHANNELS]);
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

/* A stream started at a timeline position plays its first frame exactly
 * there, and says when it was heard. */
GST_START_TEST (test_a_scheduled_stream_starts_at_its_frame)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *s = add_stream (mixer, GST_AUDIO_FORMAT_F32, RATE,
      CHANNELS, RATE);
  gfloat out[PERIOD * CHANNELS];
  gint64 started, ended;

  write_counter (s, 1, PERIOD);
  audio_cast_mixer_stream_start_at (s, 2 * PERIOD + 40);
  fail_if (render (mixer, out, PERIOD));
  fail_if (render (mixer, out, PERIOD));
  fail_unless (render (mixer, out, PERIOD));
  assert_silence (out, 40);
  assert_counter (out + 40 * CHANNELS, PERIOD - 40, 1);
  audio_cast_mixer_stream_get_times (s, &started, &ended);
  fail_unless (started < 0 && ended < 0);
  audio_cast_mixer_set_heard (mixer, 2 * PERIOD + 41);
  assert_stats (s, PERIOD, 1, 0);
  audio_cast_mixer_stream_get_times (s, &started, &ended);
  fail_unless (started > 0 && ended < 0);
  fail_unless (render (mixer, out, PERIOD));
  assert_counter (out, 40, PERIOD - 40 + 1);
  while (render (mixer, out, PERIOD));
  audio_cast_mixer_set_heard (mixer, audio_cast_mixer_rendered (mixer));
  assert_stats (s, PERIOD, PERIOD, 0);
  /* (the timeline here runs faster than the clock: only that both are
   * known) */
  audio_cast_mixer_stream_get_times (s, &started, &ended);
  fail_unless (ended > 0 && started > 0);
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

/* A looped buffer plays again and again, seamless, until a clear. */
GST_START_TEST (test_a_loop_plays_until_cleared)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *s = add_stream (mixer, GST_AUDIO_FORMAT_F32, RATE,
      CHANNELS, 2 * PERIOD);
  gfloat loop[100 * CHANNELS], out[PERIOD * CHANNELS];
  guint i, p, c;

  for (i = 0; i < 100; i++)
    for (c = 0; c < CHANNELS; c++)
      loop[i * CHANNELS + c] = i * COUNTER_STEP;
  fail_unless (audio_cast_mixer_stream_loop (s, (const guint8 *) loop, 100));
  for (p = 0; p < 10; p++) {
    fail_unless (render (mixer, out, PERIOD));
    for (i = 0; i < PERIOD; i++)
      fail_unless (out[i * CHANNELS] == ((p * PERIOD + i) % 100)
          * COUNTER_STEP, "period %u frame %u", p, i);
    audio_cast_mixer_set_heard (mixer, audio_cast_mixer_rendered (mixer));
  }
  audio_cast_mixer_stream_clear (s, NULL, NULL);
  fail_if (render (mixer, out, PERIOD));
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

GST_START_TEST (test_sixteen_streams_sum)
{
  AudioCastMixer *mixer = new_mixer ();
  AudioCastMixerStream *s[16];
  gfloat out[PERIOD * CHANNELS];
  guint i;

  for (i = 0; i < 16; i++) {
    s[i] = add_stream (mixer, GST_AUDIO_FORMAT_F32, RATE, CHANNELS, RATE);
    write_counter (s[i], 0, PERIOD);
  }
  audio_cast_mixer_remove_stream (mixer, s[15]);
  fail_unless (render (mixer, out, PERIOD));
  for (i = 0; i < PERIOD * CHANNELS; i++)
    fail_unless (out[i] == 15 * (i / CHANNELS) * COUNTER_STEP, "sample %u", i);
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

GST_START_TEST (test_a_ring_that_cannot_be_made_is_an_error)
{
  AudioCastMixer *mixer = new_mixer ();
  GstAudioInfo info;
  GError *error = NULL;

  gst_audio_info_set_format (&info, GST_AUDIO_FORMAT_F32, RATE, CHANNELS,
      NULL);
  fail_unless (audio_cast_mixer_add_stream (mixer, &info, G_MAXUINT64 / 16,
          &error) == NULL);
  fail_unless (error != NULL);
  fail_unless (strstr (error->message, "ring of") != NULL, "%s",
      error->message);
  g_error_free (error);
  audio_cast_mixer_free (mixer);
}

GST_END_TEST;

static Suite *
mixer_suite (void)
{
  Suite *s = suite_create ("mixer");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_a_stream_alone_comes_out_bit_for_bit);
  tcase_add_test (tc, test_int16_at_the_mix_rate_is_exact);
  tcase_add_test (tc, test_heard_follows_the_timeline_and_frees_the_ring);
  tcase_add_test (tc, test_a_resampled_stream_is_counted_through_its_converter);
  tcase_add_test (tc, test_clearing_one_stream_leaves_the_other_exact);
  tcase_add_test (tc, test_volume_ramps_without_a_step);
  tcase_add_test (tc, test_rewind_renders_again_what_was_not_heard);
  tcase_add_test (tc, test_a_new_mix_format_goes_on_from_what_was_heard);
  tcase_add_test (tc, test_ducking_lowers_the_others_while_it_plays);
  tcase_add_test (tc, test_the_base_ducks_the_streams_with_a_ramp);
  tcase_add_test (tc, test_a_scheduled_stream_starts_at_its_frame);
  tcase_add_test (tc, test_a_loop_plays_until_cleared);
  tcase_add_test (tc, test_sixteen_streams_sum);
  tcase_add_test (tc, test_a_ring_that_cannot_be_made_is_an_error);
  return s;
}

GST_CHECK_MAIN (mixer);
