/* audiocast tests: a test-controlled fake audio device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gst/gst.h>
#include <gst/audio/audio.h>

G_BEGIN_DECLS

/**
 * FakeDevice:
 *
 * A #GstAudioSink subclass, registered as the element "fakeaudiodevice",
 * that stands in for a sound card so the tests can drive the wrapper
 * deterministically.
 *
 * - Everything handed to write() is appended to a byte log that the test can
 *   read at any time (fake_device_get_log()). The log only ever contains what
 *   the device actually "played".
 * - By default write() paces itself at real time: it logs the chunk and then
 *   sleeps for the chunk's duration, so the GstAudioBaseSink clock advances
 *   like a real card's. With the property "realtime" set to FALSE it returns
 *   at once.
 * - A gate (fake_device_set_gate()) can be closed: write() then blocks
 *   *before* logging anything, so nothing gets "heard" and the clock stops.
 *   reset() (called by the base class on pause, stop and flush) releases a
 *   blocked write(), which then drops the chunk it was offered without
 *   logging it (like a card discarding its hardware buffer), so state changes
 *   and flushes never hang on a closed gate.
 * - delay() is always 0: a frame is heard the moment write() has logged it
 *   and returned.
 * - The accepted caps default to every raw interleaved format, rate and
 *   channel count (so audioconvert/audioresample pass through); the "caps"
 *   property narrows them (e.g. "audio/x-raw,format=S16LE").
 * - With "fail-to-play" set, going from PAUSED to PLAYING fails (with an
 *   error message), as a card that cannot start does.
 * - Its clock (the GstAudioClock it provides) says what it played, plus
 *   "clock-jump" nanoseconds: a test makes it jump as libpulse's clock does
 *   when it wraps after a cork.
 */
#define FAKE_TYPE_DEVICE (fake_device_get_type ())
G_DECLARE_FINAL_TYPE (FakeDevice, fake_device, FAKE, DEVICE, GstAudioSink)

/* Registers the element "fakeaudiodevice" (no plugin needed). */
gboolean fake_device_register (void);

/* Makes fakeaudiodevice the only audio output there is: removes every
 * audio sink and device provider of a plugin from the registry (elements
 * registered without a plugin, such as audiocastsink, stay) and registers
 * the fake as "autoaudiosink", the sink audiocastsink falls back to. Code
 * that picks its device itself (AudioCastPlayer) then gets a fake one and
 * never reaches a sound server or card; device names match nothing.
 * Devices created from now on take 8 to 192 kHz, like a sound card, and run
 * in real time if @realtime. */
gboolean fake_device_register_as_platform_sink (gboolean realtime);

/* While @busy, every fakeaudiodevice fails to open (NULL to READY) with the
 * error "the fake card is busy", as a card another program holds. */
void fake_device_set_busy (gboolean busy);

/* The fakeaudiodevice created last, or NULL (transfer full). */
GstElement *fake_device_get_latest (void);

/* Open (TRUE, the default) or close (FALSE) the gate. */
void fake_device_set_gate (GstElement * dev, gboolean open);

/* A copy of everything played so far (since the last fake_device_clear_log). */
GBytes *fake_device_get_log (GstElement * dev);
gsize fake_device_get_log_size (GstElement * dev);
void fake_device_clear_log (GstElement * dev);

/* Blocks until the log holds at least @min_size bytes. @timeout_us < 0 waits
 * forever. Returns whether the size was reached. */
gboolean fake_device_wait_log_size (GstElement * dev, gsize min_size,
    gint64 timeout_us);

/* Blocks until a write() is waiting at the closed gate (i.e. the device has
 * been offered data it refuses to consume). @timeout_us < 0 waits forever. */
gboolean fake_device_wait_blocked (GstElement * dev, gint64 timeout_us);

/* Whether a write() is currently blocked at the closed gate. */
gboolean fake_device_is_blocked (GstElement * dev);

/* The format negotiated by prepare(); FALSE if not prepared. */
gboolean fake_device_get_info (GstElement * dev, GstAudioInfo * info);

/* How many times reset() was called. */
guint fake_device_get_resets (GstElement * dev);

/* Bytes offered to write() and dropped because of a reset while gated. */
guint64 fake_device_get_dropped (GstElement * dev);

G_END_DECLS
