/* AudioCastTimelineMarks on its own: a mixer stream's map from the mix's
 * timeline to its ring positions
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The heard count of every mixer stream comes from this map, so each of its
 * promises is checked here: positions between marks, a count that waits
 * rather than overstates when the marks run out, the oldest marks dropped
 * as the position heard moves on, and a stream that starts over.
 */

#include <gst/check/gstcheck.h>

#include <audiocast/audiocast-timeline-marks.h>

#define PERIOD 480

GST_START_TEST (test_positions_between_marks)
{
  AudioCastTimelineMarks marks = { 0 };
  guint64 pos = 7;

  fail_if (audio_cast_timeline_marks_position_at (&marks, 0, &pos));
  fail_unless_equals_uint64 (pos, 7);

  /* a stream starting at timeline 1000, its frames out evenly */
  audio_cast_timeline_marks_push (&marks, 1000, 0);
  audio_cast_timeline_marks_push (&marks, 1000 + PERIOD, PERIOD);
  fail_if (audio_cast_timeline_marks_position_at (&marks, 999, &pos),
      "a position before the first mark has no frames heard");
  fail_unless (audio_cast_timeline_marks_position_at (&marks, 1000 + 120,
          &pos));
  fail_unless_equals_uint64 (pos, 120);
  fail_unless (audio_cast_timeline_marks_position_at (&marks, 5000, &pos));
  fail_unless_equals_uint64 (pos, PERIOD);

  /* a period in which the stream took nothing (it waited for its start) */
  audio_cast_timeline_marks_push (&marks, 1000 + 2 * PERIOD, PERIOD);
  fail_unless (audio_cast_timeline_marks_position_at (&marks,
          1000 + PERIOD + 200, &pos));
  fail_unless_equals_uint64 (pos, PERIOD);
}

GST_END_TEST;

GST_START_TEST (test_old_marks_go_as_the_position_moves)
{
  AudioCastTimelineMarks marks = { 0 };
  const AudioCastTimelineMark *last;
  guint64 pos = 0;
  guint i;

  fail_unless (audio_cast_timeline_marks_last (&marks) == NULL);
  for (i = 0; i <= 10; i++)
    audio_cast_timeline_marks_push (&marks, i * PERIOD, i * PERIOD);
  fail_unless_equals_int (marks.n, 11);
  fail_unless (audio_cast_timeline_marks_position_at (&marks,
          5 * PERIOD + 10, &pos));
  fail_unless_equals_uint64 (pos, 5 * PERIOD + 10);
  /* the mark at or before the position stays, the ones before it go */
  fail_unless_equals_int (marks.n, 6);
  fail_unless_equals_uint64 (marks.marks[marks.first].t, 5 * PERIOD);
  last = audio_cast_timeline_marks_last (&marks);
  fail_unless_equals_uint64 (last->t, 10 * PERIOD);
}

GST_END_TEST;

GST_START_TEST (test_a_full_map_waits_rather_than_overstates)
{
  AudioCastTimelineMarks marks = { 0 };
  guint64 pos = 0;
  guint64 i, pushed = AUDIO_CAST_TIMELINE_MARKS + 100;

  /* a device that lags far behind: more periods rendered than marks */
  for (i = 0; i < pushed; i++)
    audio_cast_timeline_marks_push (&marks, i * PERIOD, i * PERIOD);
  fail_unless_equals_int (marks.n, AUDIO_CAST_TIMELINE_MARKS);
  fail_unless_equals_uint64 (marks.marks[marks.first].t, 100 * PERIOD);
  /* heard up to a period whose mark went: no mark at or before it */
  fail_if (audio_cast_timeline_marks_position_at (&marks, 50 * PERIOD, &pos));
  fail_unless_equals_uint64 (pos, 0);
  fail_unless (audio_cast_timeline_marks_position_at (&marks,
          (pushed - 1) * PERIOD, &pos));
  fail_unless_equals_uint64 (pos, (pushed - 1) * PERIOD);
}

GST_END_TEST;

GST_START_TEST (test_a_stream_starts_over)
{
  AudioCastTimelineMarks marks = { 0 };
  guint64 pos = 0;

  audio_cast_timeline_marks_push (&marks, 0, 0);
  audio_cast_timeline_marks_push (&marks, PERIOD, PERIOD);
  /* a rewind: the timeline goes on at 2 periods from frame 300 */
  audio_cast_timeline_marks_clear (&marks);
  fail_unless (audio_cast_timeline_marks_last (&marks) == NULL);
  audio_cast_timeline_marks_push (&marks, 2 * PERIOD, 300);
  audio_cast_timeline_marks_push (&marks, 3 * PERIOD, 300 + PERIOD);
  fail_if (audio_cast_timeline_marks_position_at (&marks, PERIOD, &pos));
  fail_unless (audio_cast_timeline_marks_position_at (&marks,
          2 * PERIOD + 240, &pos));
  fail_unless_equals_uint64 (pos, 300 + 240);
}

GST_END_TEST;

static Suite *
timeline_marks_suite (void)
{
  Suite *s = suite_create ("timeline_marks");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_positions_between_marks);
  tcase_add_test (tc, test_old_marks_go_as_the_position_moves);
  tcase_add_test (tc, test_a_full_map_waits_rather_than_overstates);
  tcase_add_test (tc, test_a_stream_starts_over);
  return s;
}

GST_CHECK_MAIN (timeline_marks);
