/* audiocast tests: a test-controlled fake audio device
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threading: write() runs on the GstAudioSink ring buffer thread; reset(),
 * prepare() etc. on the state-change or streaming thread; the fake_device_*
 * accessors on any test thread. Everything mutable below is guarded by
 * self->lock, and self->cond is broadcast whenever the gate, the reset
 * generation, the log or the blocked flag changes.
 */

#include "fakedevice.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (fake_device_debug);
#define GST_CAT_DEFAULT fake_device_debug

struct _FakeDevice
{
  GstAudioSink parent;

  GMutex lock;
  GCond cond;

  gboolean gate_open;
  gboolean realtime;
  guint reset_gen;              /* bumped by reset() */
  guint resets;
  gboolean blocked;             /* a write() waits at the closed gate */
  GByteArray *log;
  guint64 dropped;
  gboolean prepared;
  GstAudioInfo info;
  GstCaps *caps;                /* restriction, or NULL */
  gboolean fail_to_play;        /* PAUSED to PLAYING fails */
  GstClockTime clock_jump;      /* added to what the clock says */
};

enum
{
  PROP_0,
  PROP_CAPS,
  PROP_REALTIME,
  PROP_GATE,
  PROP_FAIL_TO_PLAY,
  PROP_CLOCK_JUMP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define FAKE_DEVICE_CAPS \
  "audio/x-raw, format = (string) " GST_AUDIO_FORMATS_ALL ", " \
  "layout = (string) interleaved, rate = (int) [ 1, MAX ], " \
  "channels = (int) [ 1, MAX ]"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (FAKE_DEVICE_CAPS));

G_DEFINE_TYPE (FakeDevice, fake_device, GST_TYPE_AUDIO_SINK);

/* See fake_device_register_as_platform_sink(). */
static gboolean default_realtime = TRUE;
/* See fake_device_set_busy(). */
static gint all_busy = FALSE;
static GstCaps *default_caps;
static GWeakRef latest;

/* The device's clock: what it played (the ring's segments done, less the
 * delay, as GstAudioBaseSink's own clock reads it), plus the jump the test
 * set, as libpulse's clock that wrapped after a cork. */
static GstClockTime
fake_device_clock_time (GstClock * clock, gpointer user_data)
{
  FakeDevice *self = user_data;
  GstAudioRingBuffer *rb = GST_AUDIO_BASE_SINK (self)->ringbuffer;
  guint64 samples, delay;
  GstClockTime jump;
  gint rate;

  if (rb == NULL || (rate = rb->spec.info.rate) <= 0)
    return GST_CLOCK_TIME_NONE;
  samples = gst_audio_ring_buffer_samples_done (rb);
  delay = gst_audio_ring_buffer_delay (rb);
  samples -= MIN (samples, delay);
  g_mutex_lock (&self->lock);
  jump = self->clock_jump;
  g_mutex_unlock (&self->lock);
  return gst_util_uint64_scale_int (samples, GST_SECOND, rate) + jump;
}

static void
fake_device_init (FakeDevice * self)
{
  GstAudioBaseSink *audio = GST_AUDIO_BASE_SINK (self);

  gst_object_unref (audio->provided_clock);
  audio->provided_clock = gst_audio_clock_new ("FakeDeviceClock",
      fake_device_clock_time, self, NULL);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->gate_open = TRUE;
  self->realtime = g_atomic_int_get (&default_realtime);
  if (default_caps)
    self->caps = gst_caps_ref (default_caps);
  self->log = g_byte_array_new ();
  gst_audio_info_init (&self->info);
}

static void
fake_device_finalize (GObject * object)
{
  FakeDevice *self = FAKE_DEVICE (object);

  g_byte_array_unref (self->log);
  gst_clear_caps (&self->caps);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (fake_device_parent_class)->finalize (object);
}

static void
fake_device_constructed (GObject * object)
{
  G_OBJECT_CLASS (fake_device_parent_class)->constructed (object);
  g_weak_ref_set (&latest, object);
}

static void
fake_device_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  FakeDevice *self = FAKE_DEVICE (object);

  switch (prop_id) {
    case PROP_CAPS:
      g_mutex_lock (&self->lock);
      gst_clear_caps (&self->caps);
      self->caps = g_value_dup_boxed (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_REALTIME:
      g_mutex_lock (&self->lock);
      self->realtime = g_value_get_boolean (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_GATE:
      fake_device_set_gate (GST_ELEMENT (self), g_value_get_boolean (value));
      break;
    case PROP_FAIL_TO_PLAY:
      g_mutex_lock (&self->lock);
      self->fail_to_play = g_value_get_boolean (value);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_CLOCK_JUMP:
      g_mutex_lock (&self->lock);
      self->clock_jump = g_value_get_uint64 (value);
      g_mutex_unlock (&self->lock);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
fake_device_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  FakeDevice *self = FAKE_DEVICE (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_CAPS:
      g_value_set_boxed (value, self->caps);
      break;
    case PROP_REALTIME:
      g_value_set_boolean (value, self->realtime);
      break;
    case PROP_GATE:
      g_value_set_boolean (value, self->gate_open);
      break;
    case PROP_FAIL_TO_PLAY:
      g_value_set_boolean (value, self->fail_to_play);
      break;
    case PROP_CLOCK_JUMP:
      g_value_set_uint64 (value, self->clock_jump);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static GstCaps *
fake_device_get_caps (GstBaseSink * bsink, GstCaps * filter)
{
  FakeDevice *self = FAKE_DEVICE (bsink);
  GstCaps *caps = gst_pad_get_pad_template_caps (GST_BASE_SINK_PAD (bsink));

  g_mutex_lock (&self->lock);
  if (self->caps) {
    GstCaps *tmp = gst_caps_intersect_full (self->caps, caps,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (caps);
    caps = tmp;
  }
  g_mutex_unlock (&self->lock);

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, caps,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (caps);
    caps = tmp;
  }
  return caps;
}

static gboolean
fake_device_open (GstAudioSink * sink)
{
  if (g_atomic_int_get (&all_busy)) {
    GST_ELEMENT_ERROR (sink, RESOURCE, BUSY, ("the fake card is busy"),
        (NULL));
    return FALSE;
  }
  return TRUE;
}

static gboolean
fake_device_close (GstAudioSink * sink)
{
  return TRUE;
}

static gboolean
fake_device_prepare (GstAudioSink * sink, GstAudioRingBufferSpec * spec)
{
  FakeDevice *self = FAKE_DEVICE (sink);

  GST_DEBUG_OBJECT (self, "prepare: %" GST_PTR_FORMAT ", segsize %d, "
      "segtotal %d", spec->caps, spec->segsize, spec->segtotal);
  g_mutex_lock (&self->lock);
  self->info = spec->info;
  self->prepared = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static gboolean
fake_device_unprepare (GstAudioSink * sink)
{
  FakeDevice *self = FAKE_DEVICE (sink);

  g_mutex_lock (&self->lock);
  self->prepared = FALSE;
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static gint
fake_device_write (GstAudioSink * sink, gpointer data, guint length)
{
  FakeDevice *self = FAKE_DEVICE (sink);
  guint gen;
  gint64 deadline = 0;

  g_mutex_lock (&self->lock);
  gen = self->reset_gen;

  while (!self->gate_open && gen == self->reset_gen) {
    if (!self->blocked) {
      self->blocked = TRUE;
      g_cond_broadcast (&self->cond);
    }
    g_cond_wait (&self->cond, &self->lock);
  }
  if (self->blocked) {
    self->blocked = FALSE;
    g_cond_broadcast (&self->cond);
  }

  if (gen != self->reset_gen) {
    /* released by reset() while gated: the chunk is dropped, unplayed */
    GST_DEBUG_OBJECT (self, "reset while gated, dropping %u bytes", length);
    self->dropped += length;
    g_mutex_unlock (&self->lock);
    return length;
  }

  g_byte_array_append (self->log, data, length);
  g_cond_broadcast (&self->cond);

  if (self->realtime && self->prepared && GST_AUDIO_INFO_BPF (&self->info) > 0
      && GST_AUDIO_INFO_RATE (&self->info) > 0) {
    guint64 frames = length / GST_AUDIO_INFO_BPF (&self->info);

    deadline = g_get_monotonic_time () +
        gst_util_uint64_scale_int (frames, G_USEC_PER_SEC,
        GST_AUDIO_INFO_RATE (&self->info));
  }
  /* play the chunk at real time; reset() cuts the wait short */
  while (deadline && gen == self->reset_gen) {
    if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
      break;
  }
  g_mutex_unlock (&self->lock);

  return length;
}

static guint
fake_device_delay (GstAudioSink * sink)
{
  return 0;
}

static void
fake_device_reset (GstAudioSink * sink)
{
  FakeDevice *self = FAKE_DEVICE (sink);

  GST_DEBUG_OBJECT (self, "reset");
  g_mutex_lock (&self->lock);
  self->reset_gen++;
  self->resets++;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

/* A card that cannot start: PAUSED to PLAYING fails when "fail-to-play". */
static GstStateChangeReturn
fake_device_change_state (GstElement * element, GstStateChange transition)
{
  FakeDevice *self = FAKE_DEVICE (element);
  gboolean fail;

  g_mutex_lock (&self->lock);
  fail = self->fail_to_play;
  g_mutex_unlock (&self->lock);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_PLAYING && fail) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("the fake card cannot start"),
        (NULL));
    return GST_STATE_CHANGE_FAILURE;
  }
  return GST_ELEMENT_CLASS (fake_device_parent_class)->change_state (element,
      transition);
}

static void
fake_device_class_init (FakeDeviceClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *basesink_class = GST_BASE_SINK_CLASS (klass);
  GstAudioSinkClass *audiosink_class = GST_AUDIO_SINK_CLASS (klass);

  gobject_class->constructed = fake_device_constructed;
  gobject_class->finalize = fake_device_finalize;
  gobject_class->set_property = fake_device_set_property;
  gobject_class->get_property = fake_device_get_property;

  properties[PROP_CAPS] = g_param_spec_boxed ("caps", "Caps",
      "Restrict the formats the device accepts (NULL: any raw audio)",
      GST_TYPE_CAPS, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REALTIME] = g_param_spec_boolean ("realtime", "Real time",
      "Consume data at real-time pace", TRUE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_GATE] = g_param_spec_boolean ("gate", "Gate",
      "Whether the device consumes data", TRUE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FAIL_TO_PLAY] = g_param_spec_boolean ("fail-to-play",
      "Fail to play", "Whether going from PAUSED to PLAYING fails", FALSE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLOCK_JUMP] = g_param_spec_uint64 ("clock-jump",
      "Clock jump", "Nanoseconds the device's clock adds to what it played",
      0, G_MAXUINT64, 0, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (gobject_class, N_PROPS, properties);

  element_class->change_state = GST_DEBUG_FUNCPTR (fake_device_change_state);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "Fake audio device", "Sink/Audio",
      "Test-controlled audio device that logs what it plays",
      "audiocast tests");

  basesink_class->get_caps = GST_DEBUG_FUNCPTR (fake_device_get_caps);

  audiosink_class->open = GST_DEBUG_FUNCPTR (fake_device_open);
  audiosink_class->prepare = GST_DEBUG_FUNCPTR (fake_device_prepare);
  audiosink_class->unprepare = GST_DEBUG_FUNCPTR (fake_device_unprepare);
  audiosink_class->close = GST_DEBUG_FUNCPTR (fake_device_close);
  audiosink_class->write = GST_DEBUG_FUNCPTR (fake_device_write);
  audiosink_class->delay = GST_DEBUG_FUNCPTR (fake_device_delay);
  audiosink_class->reset = GST_DEBUG_FUNCPTR (fake_device_reset);

  GST_DEBUG_CATEGORY_INIT (fake_device_debug, "fakeaudiodevice", 0,
      "audiocast test device");
}

gboolean
fake_device_register (void)
{
  return gst_element_register (NULL, "fakeaudiodevice", GST_RANK_NONE,
      FAKE_TYPE_DEVICE);
}

gboolean
fake_device_register_as_platform_sink (gboolean realtime)
{
  GstRegistry *registry = gst_registry_get ();
  GList *features, *l;

  g_atomic_int_set (&default_realtime, realtime);
  /* A sound card's range: GstAudioBaseSink cannot run a device whose
   * period (latency-time) is shorter than a frame. */
  gst_caps_replace (&default_caps, NULL);
  default_caps = gst_caps_from_string ("audio/x-raw, rate=(int)[8000,192000]");

  features = gst_element_factory_list_get_elements
      (GST_ELEMENT_FACTORY_TYPE_SINK | GST_ELEMENT_FACTORY_TYPE_MEDIA_AUDIO,
      GST_RANK_NONE);
  features = g_list_concat (features,
      gst_device_provider_factory_list_get_device_providers (GST_RANK_NONE));
  /* the plugins' features; not those registered by the test itself */
  for (l = features; l; l = l->next)
    if (gst_plugin_feature_get_plugin_name (l->data) != NULL)
      gst_registry_remove_feature (registry, l->data);
  gst_plugin_feature_list_free (features);

  return gst_element_register (NULL, "autoaudiosink", GST_RANK_NONE,
      FAKE_TYPE_DEVICE);
}

GstElement *
fake_device_get_latest (void)
{
  return g_weak_ref_get (&latest);
}

void
fake_device_set_gate (GstElement * dev, gboolean open)
{
  FakeDevice *self = FAKE_DEVICE (dev);

  g_mutex_lock (&self->lock);
  self->gate_open = open;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

GBytes *
fake_device_get_log (GstElement * dev)
{
  FakeDevice *self = FAKE_DEVICE (dev);
  GBytes *bytes;

  g_mutex_lock (&self->lock);
  bytes = g_bytes_new (self->log->data, self->log->len);
  g_mutex_unlock (&self->lock);
  return bytes;
}

gsize
fake_device_get_log_size (GstElement * dev)
{
  FakeDevice *self = FAKE_DEVICE (dev);
  gsize size;

  g_mutex_lock (&self->lock);
  size = self->log->len;
  g_mutex_unlock (&self->lock);
  return size;
}

void
fake_device_clear_log (GstElement * dev)
{
  FakeDevice *self = FAKE_DEVICE (dev);

  g_mutex_lock (&self->lock);
  g_byte_array_set_size (self->log, 0);
  g_mutex_unlock (&self->lock);
}

static gboolean
wait_until (FakeDevice * self, gint64 timeout_us, gboolean (*cond) (FakeDevice
        *, gpointer), gpointer data)
{
  gint64 deadline = timeout_us < 0 ? -1 : g_get_monotonic_time () + timeout_us;
  gboolean res;

  g_mutex_lock (&self->lock);
  while (!(res = cond (self, data))) {
    if (deadline < 0)
      g_cond_wait (&self->cond, &self->lock);
    else if (!g_cond_wait_until (&self->cond, &self->lock, deadline)) {
      res = cond (self, data);
      break;
    }
  }
  g_mutex_unlock (&self->lock);
  return res;
}

static gboolean
log_size_reached (FakeDevice * self, gpointer data)
{
  return self->log->len >= *(gsize *) data;
}

gboolean
fake_device_wait_log_size (GstElement * dev, gsize min_size, gint64 timeout_us)
{
  return wait_until (FAKE_DEVICE (dev), timeout_us, log_size_reached,
      &min_size);
}

static gboolean
is_blocked (FakeDevice * self, gpointer data)
{
  return self->blocked;
}

gboolean
fake_device_wait_blocked (GstElement * dev, gint64 timeout_us)
{
  return wait_until (FAKE_DEVICE (dev), timeout_us, is_blocked, NULL);
}

gboolean
fake_device_is_blocked (GstElement * dev)
{
  FakeDevice *self = FAKE_DEVICE (dev);
  gboolean res;

  g_mutex_lock (&self->lock);
  res = self->blocked;
  g_mutex_unlock (&self->lock);
  return res;
}

gboolean
fake_device_get_info (GstElement * dev, GstAudioInfo * info)
{
  FakeDevice *self = FAKE_DEVICE (dev);
  gboolean res;

  g_mutex_lock (&self->lock);
  res = self->prepared;
  if (res)
    *info = self->info;
  g_mutex_unlock (&self->lock);
  return res;
}

guint
fake_device_get_resets (GstElement * dev)
{
  FakeDevice *self = FAKE_DEVICE (dev);
  guint res;

  g_mutex_lock (&self->lock);
  res = self->resets;
  g_mutex_unlock (&self->lock);
  return res;
}

guint64
fake_device_get_dropped (GstElement * dev)
{
  FakeDevice *self = FAKE_DEVICE (dev);
  guint64 res;

  g_mutex_lock (&self->lock);
  res = self->dropped;
  g_mutex_unlock (&self->lock);
  return res;
}

void
fake_device_set_busy (gboolean busy)
{
  g_atomic_int_set (&all_busy, busy);
}
