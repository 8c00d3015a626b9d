/* audiocast
 * Copyright (C) 2026 audiocast developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* audiocast._fastwrite: AudioPlayer.write()'s common cases in one C call.
 *
 * A 10 ms chunk is 3840 bytes, which memcpy copies in about 0.4 µs; the
 * Python path around the library's write (type checks, numpy's ctypes
 * attribute, ctypes' marshalling) cost ten times that. This module takes
 * what the buffer protocol gives (bytes and bytearray as int16; numpy
 * arrays, memoryviews and array.array of int16, int32, float32, float64,
 * little-endian and C-contiguous, 1-D interleaved or frames x channels) and
 * lists of floats, and calls audio_cast_player_write() or _try_write() with
 * the GIL released while it may wait. Whatever it does not take it hands
 * back (None), and the Python path, with its error messages, handles it.
 * No audio logic lives here: the library converts, counts and plays. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <audiocast/audiocast.h>

/* The sample format of a buffer's struct format string, -1 when it is not
 * one the library takes. Native order is little-endian on every platform
 * audiocast builds for; "<" says so explicitly, "=" and "@" natively. */
static int
format_of (const char *fmt, Py_ssize_t itemsize)
{
  char code;

  if (fmt == NULL)
    return -1;
  if (fmt[0] == '<' || fmt[0] == '=' || fmt[0] == '@')
    fmt++;
#if PY_BIG_ENDIAN
  return -1;
#endif
  code = fmt[0];
  if (code == '\0' || fmt[1] != '\0')
    return -1;
  switch (code) {
    case 'h':
      return itemsize == 2 ? AUDIO_CAST_SAMPLE_FORMAT_S16LE : -1;
    case 'i':
    case 'l':
      return itemsize == 4 ? AUDIO_CAST_SAMPLE_FORMAT_S32LE : -1;
    case 'f':
      return itemsize == 4 ? AUDIO_CAST_SAMPLE_FORMAT_F32LE : -1;
    case 'd':
      return itemsize == 8 ? AUDIO_CAST_SAMPLE_FORMAT_F64LE : -1;
    default:
      return -1;
  }
}

/* The write itself, with the GIL released when it may wait; an error comes
 * back as (domain, code, message) for the Python side to raise as the
 * library's exception. */
static PyObject *
call_write (AudioCastPlayer *player, int format, const void *data,
    Py_ssize_t size, int wait)
{
  GError *error = NULL;
  gsize written;

  if (wait) {
    Py_BEGIN_ALLOW_THREADS
    written = audio_cast_player_write (player, format, data, size, &error);
    Py_END_ALLOW_THREADS
  } else {
    written = audio_cast_player_try_write (player, format, data, size, &error);
  }
  if (error != NULL) {
    PyObject *res = Py_BuildValue ("(sis)", g_quark_to_string (error->domain),
        error->code, error->message);

    g_error_free (error);
    return res;
  }
  return PyLong_FromSize_t (written);
}

/* Each thread's buffer for the float32 samples of a list, kept from one
 * call to the next: allocated afresh, a second of audio (384 kB) cost as
 * much again as converting it, its pages faulted in anew each time. One
 * per thread, as the write that reads it runs without the GIL. Lists of
 * more than KEPT_SAMPLES samples (2.7 s of 48 kHz stereo) get a buffer of
 * their own, freed after the call, so that a thread never keeps more. */
typedef struct
{
  gsize capacity;               /* samples */
  float samples[];
} ConversionBuffer;

static GPrivate conversion_buffer = G_PRIVATE_INIT (g_free);

#define KEPT_SAMPLES (256 * 1024)

/* Room for @n samples: the thread's kept buffer (@own_out FALSE) or, for
 * more than KEPT_SAMPLES, one for the caller to free (@own_out TRUE); NULL
 * when memory ran out. */
static float *
conversion_room (gsize n, gboolean *own_out)
{
  ConversionBuffer *kept = g_private_get (&conversion_buffer);

  *own_out = n > KEPT_SAMPLES;
  if (*own_out)
    return g_try_new (float, n);
  if (kept == NULL || kept->capacity < n) {
    kept = g_try_malloc (sizeof (ConversionBuffer) + n * sizeof (float));
    if (kept == NULL)
      return NULL;
    kept->capacity = n;
    g_private_replace (&conversion_buffer, kept);
  }
  return kept->samples;
}

/* A list of Python floats as float32 samples: the library's own input
 * format for them, converted here without a numpy array in between. */
static PyObject *
write_float_list (AudioCastPlayer *player, PyObject *list, Py_ssize_t channels,
    int wait)
{
  Py_ssize_t n = PyList_GET_SIZE (list), i;
  gboolean own;
  float *samples;
  PyObject *res = NULL;

  if (n == 0 || n % channels != 0)
    Py_RETURN_NONE;
  samples = conversion_room ((gsize) n, &own);
  if (samples == NULL)
    return PyErr_NoMemory ();
  for (i = 0; i < n; i++) {
    PyObject *item = PyList_GET_ITEM (list, i);

    if (!PyFloat_CheckExact (item))
      break;                    /* ints, numpy scalars: the Python path */
    samples[i] = (float) PyFloat_AS_DOUBLE (item);
  }
  if (i == n)
    res = call_write (player, AUDIO_CAST_SAMPLE_FORMAT_F32LE, samples,
        n * (Py_ssize_t) sizeof (float), wait);
  if (own)
    g_free (samples);
  if (res == NULL && !PyErr_Occurred ())
    Py_RETURN_NONE;
  return res;
}

/* Whether a buffer of @ndim dimensions and @shape holds whole frames of
 * @channels the way AudioPlayer.write() takes them. */
static int
frames_shape_ok (const Py_buffer *view, Py_ssize_t channels)
{
  if (view->ndim == 1)
    return view->shape[0] % channels == 0 && view->shape[0] > 0;
  return view->ndim == 2 && view->shape[1] == channels && view->shape[0] > 0;
}

/* write(address, data, channels, wait) -> frames written, (domain, code,
 * message) on a library error, or None when data is not one of the cases
 * above. @address is the AudioCastPlayer's. */
static PyObject *
fast_write (PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
  AudioCastPlayer *player;
  PyObject *data, *res;
  Py_ssize_t channels;
  Py_buffer view;
  int wait, format;

  if (nargs != 4) {
    PyErr_SetString (PyExc_TypeError, "write(address, data, channels, wait)");
    return NULL;
  }
  player = PyLong_AsVoidPtr (args[0]);
  data = args[1];
  channels = PyLong_AsSsize_t (args[2]);
  wait = PyObject_IsTrue (args[3]);
  if (PyErr_Occurred () || player == NULL || channels <= 0 || wait < 0)
    return NULL;

  /* int16 bytes of whole frames; a partial frame gets the Python path's
   * message */
  if (PyBytes_CheckExact (data))
    return PyBytes_GET_SIZE (data) % (2 * channels) != 0 ? (Py_INCREF (Py_None),
        Py_None) : call_write (player, AUDIO_CAST_SAMPLE_FORMAT_S16LE,
        PyBytes_AS_STRING (data), PyBytes_GET_SIZE (data), wait);
  if (PyList_CheckExact (data))
    return write_float_list (player, data, channels, wait);
  if (PyByteArray_CheckExact (data) || !PyObject_CheckBuffer (data))
    Py_RETURN_NONE;
  if (PyObject_GetBuffer (data, &view,
          PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
    PyErr_Clear ();             /* not contiguous, say: the Python path */
    Py_RETURN_NONE;
  }
  format = format_of (view.format, view.itemsize);
  if (format < 0 || !frames_shape_ok (&view, channels)) {
    PyBuffer_Release (&view);
    Py_RETURN_NONE;
  }
  res = call_write (player, format, view.buf, view.len, wait);
  PyBuffer_Release (&view);
  return res;
}

static PyMethodDef fast_write_methods[] = {
  {"write", (PyCFunction) (void (*)(void)) fast_write, METH_FASTCALL,
      "write(address, data, channels, wait): see the module's comment"},
  {NULL, NULL, 0, NULL}
};

static struct PyModuleDef fast_write_module = {
  PyModuleDef_HEAD_INIT, "_fastwrite",
  "AudioPlayer.write()'s common cases in one C call (private).", -1,
  fast_write_methods, NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit__fastwrite (void);

PyMODINIT_FUNC
PyInit__fastwrite (void)
{
  return PyModule_Create (&fast_write_module);
}
