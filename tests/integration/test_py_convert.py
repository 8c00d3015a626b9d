"""(p1) audiocast (Python): what write() accepts and how it reaches the
device. Every input type and dtype is converted to (format, bytes) without
touching a sample, then played bit-exactly (or as exactly as the format
allows) into the float32 48 kHz stereo ``speaker`` sink."""

import array
import subprocess
import sys

import numpy as np
import pytest

import analysis
import audio_signals
import audiocast_pkg
from audiocast_pkg import audiocast
from captures import Capture
from sound_servers import SPEAKER
from audiocast import _convert

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")

Fmt = _convert.Fmt
RATE = 48000


def noise(n, channels=2, seed=7):
    """float64 samples in [-0.5, 0.5], never exactly 0."""
    x = np.random.default_rng(seed).uniform(0.05, 0.5, (n, channels))
    return x * np.where(np.arange(n * channels).reshape(n, channels) % 2, 1, -1)


def ints(x, dtype):
    return audio_signals.to_dtype(x, dtype)


# -------------------------------------------------------------------------
# to_pcm: format and bytes per input type
# -------------------------------------------------------------------------

X = noise(64)
I16 = ints(X, "<i2")
I32 = ints(X, "<i4")
F32 = X.astype("<f4")
F64 = X.astype("<f8")

CASES = {
    "bytes": (I16.tobytes(), Fmt.S16LE, I16.tobytes()),
    "bytearray": (bytearray(I16.tobytes()), Fmt.S16LE, I16.tobytes()),
    "memoryview-bytes": (memoryview(I16.tobytes()), Fmt.S16LE, I16.tobytes()),
    "memoryview-h": (memoryview(I16.tobytes()).cast("h"), Fmt.S16LE, I16.tobytes()),
    "memoryview-i": (memoryview(I32.tobytes()).cast("i"), Fmt.S32LE, I32.tobytes()),
    "memoryview-f": (memoryview(F32.tobytes()).cast("f"), Fmt.F32LE, F32.tobytes()),
    "memoryview-d": (memoryview(F64.tobytes()).cast("d"), Fmt.F64LE, F64.tobytes()),
    "memoryview-numpy-2d": (memoryview(F32), Fmt.F32LE, F32.tobytes()),
    "memoryview-strided": (memoryview(np.repeat(F32, 2, axis=0))[::2],
                           Fmt.F32LE, F32.tobytes()),
    "array-h": (array.array("h", I16.tobytes()), Fmt.S16LE, I16.tobytes()),
    "array-i": (array.array("i", I32.tobytes()), Fmt.S32LE, I32.tobytes()),
    "array-f": (array.array("f", F32.tobytes()), Fmt.F32LE, F32.tobytes()),
    "array-d": (array.array("d", F64.tobytes()), Fmt.F64LE, F64.tobytes()),
    "list": (F32.ravel().tolist(), Fmt.F32LE, F32.tobytes()),
    "tuple": (tuple(F32.ravel().tolist()), Fmt.F32LE, F32.tobytes()),
    "numpy-int16-1d": (I16.ravel(), Fmt.S16LE, I16.tobytes()),
    "numpy-int16-2d": (I16, Fmt.S16LE, I16.tobytes()),
    "numpy-int32-1d": (I32.ravel(), Fmt.S32LE, I32.tobytes()),
    "numpy-int32-2d": (I32, Fmt.S32LE, I32.tobytes()),
    "numpy-float32-1d": (F32.ravel(), Fmt.F32LE, F32.tobytes()),
    "numpy-float32-2d": (F32, Fmt.F32LE, F32.tobytes()),
    "numpy-float64-1d": (F64.ravel(), Fmt.F64LE, F64.tobytes()),
    "numpy-float64-2d": (F64, Fmt.F64LE, F64.tobytes()),
    # (channels, frames) transposed: strides make it non-contiguous
    "numpy-transposed": (np.array(F32.T).T, Fmt.F32LE, F32.tobytes()),
    "numpy-strided-1d": (np.repeat(F32.ravel(), 2)[::2], Fmt.F32LE, F32.tobytes()),
    "numpy-big-endian": (I16.astype(">i2"), Fmt.S16LE, I16.tobytes()),
    "numpy-empty": (np.zeros((0, 2), np.float32), Fmt.F32LE, b""),
}


@pytest.mark.parametrize("name", list(CASES))
def test_to_pcm(name):
    data, fmt, expected = CASES[name]
    got_fmt, got = _convert.to_pcm(data, channels=2)
    assert got_fmt == fmt, (name, got_fmt, fmt)
    assert _convert.pcm_size(got) == len(expected)
    assert _convert.pcm_bytes(got) == expected, name


def test_array_l_is_accepted_only_when_4_bytes():
    a = array.array("l", [1, 2])
    if a.itemsize == 4:
        assert _convert.to_pcm(a, 2)[0] == Fmt.S32LE
    else:
        with pytest.raises(TypeError, match="'l'"):
            _convert.to_pcm(a, 2)


@pytest.mark.parametrize("data", [b"\x00", bytearray(3), memoryview(b"12345")],
                         ids=["bytes", "bytearray", "memoryview"])
def test_odd_byte_count_is_value_error_saying_even(data):
    with pytest.raises(ValueError, match="even"):
        _convert.to_pcm(data, 1)


def test_3d_array_is_value_error():
    with pytest.raises(ValueError, match="3-D"):
        _convert.to_pcm(np.zeros((4, 2, 2), np.float32), 2)
    with pytest.raises(ValueError, match="0-D"):
        _convert.to_pcm(np.array(0.5, np.float32), 2)


def test_wrong_channel_count_names_both():
    with pytest.raises(ValueError) as e:
        _convert.to_pcm(np.zeros((10, 3), np.int16), 2)
    msg = str(e.value)
    assert "3" in msg and "2" in msg and "channels" in msg, msg
    with pytest.raises(ValueError, match="channels"):
        _convert.to_pcm(memoryview(np.zeros((10, 1), np.float32)), 2)


@pytest.mark.parametrize("data", [
    np.zeros(4, dtype=object), np.zeros(4, dtype=bool), np.zeros(4, np.uint8),
    np.zeros(4, np.uint16), np.zeros(4, np.int8), np.zeros(4, np.int64),
    np.zeros(4, np.float16), np.zeros(4, np.complex64),
    array.array("b", [1]), array.array("H", [1]), array.array("q", [1]),
    memoryview(array.array("H", [1])), "text", 1.0, 3, True, None, {"a": 1},
    ["a", "b"], [[0.1, 0.2], [0.3, 0.4]],
], ids=lambda d: type(d).__name__ + "-" + str(getattr(d, "dtype",
                                                        getattr(d, "typecode", ""))))
def test_unsupported_is_type_error_naming_accepted(data):
    with pytest.raises(TypeError) as e:
        _convert.to_pcm(data, 2)
    msg = str(e.value)
    for word in ("bytes", "int16", "int32", "float32", "float64", "list"):
        assert word in msg, msg


def test_type_error_names_the_offending_dtype():
    with pytest.raises(TypeError, match="object"):
        _convert.to_pcm(np.zeros(4, dtype=object), 2)
    with pytest.raises(TypeError, match="bool"):
        _convert.to_pcm(np.zeros(4, dtype=bool), 2)


def test_numpy_is_imported_lazily_and_optional():
    code = (
        "import sys\n"
        "sys.modules['numpy'] = None  # any 'import numpy' now fails\n"
        "import audiocast\n"
        "from audiocast import _convert\n"
        "print(_convert.to_pcm([0.5, -0.5], 2)[0].value_nick)\n"
        "print(_convert.to_pcm(b'\\x00\\x01', 1)[0].value_nick)\n")
    r = subprocess.run([sys.executable, "-c", code], env=audiocast_pkg.child_env(),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["f32le", "s16le"], r.stdout
    r = subprocess.run([sys.executable, "-c",
                        "import sys, audiocast; print('numpy' in sys.modules)"],
                       env=audiocast_pkg.child_env(), capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False", "importing audiocast imported numpy"


def test_the_recorder_files_duplex_and_streams_are_imported_at_first_use():
    code = (
        "import sys, audiocast\n"
        "lazy = ['_recorder', '_duplex', '_file', '_stream']\n"
        "print([m for m in lazy if 'audiocast.' + m in sys.modules])\n"
        "print(audiocast.AudioRecorder.__name__, audiocast.playrec.__name__,\n"
        "      audiocast.play_file.__name__, audiocast.ScheduledSound.__name__)\n"
        "print(sorted(set(audiocast.__all__) - set(dir(audiocast))))\n"
        "try:\n"
        "    audiocast.no_such_name\n"
        "except AttributeError as e:\n"
        "    print(e)\n")
    r = subprocess.run([sys.executable, "-c", code], env=audiocast_pkg.child_env(),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "[]", f"imported by `import audiocast`: {lines[0]}"
    assert lines[1] == "AudioRecorder playrec play_file ScheduledSound", lines[1]
    assert lines[2] == "[]", f"in __all__ but not in dir(): {lines[2]}"
    assert "no_such_name" in lines[3], lines[3]


# -------------------------------------------------------------------------
# Through the player into the speaker sink (float32, 48 kHz, stereo)
# -------------------------------------------------------------------------

N = RATE // 10  # 100 ms per case
SIG = noise(N, seed=99)
SIG_I16 = ints(SIG, "<i2")
SIG_I32 = ints(SIG, "<i4")
SIG_F32 = SIG.astype("<f4")
SIG_F64 = SIG.astype("<f8")

# name -> (input, what the float32 device must hold, exact?)
PLAY = {
    "bytes": (SIG_I16.tobytes(), SIG_I16 / 32768.0, True),
    "bytearray": (bytearray(SIG_I16.tobytes()), SIG_I16 / 32768.0, True),
    "memoryview": (memoryview(SIG_F32), SIG_F32, True),
    "array-h": (array.array("h", SIG_I16.tobytes()), SIG_I16 / 32768.0, True),
    "array-f": (array.array("f", SIG_F32.tobytes()), SIG_F32, True),
    "array-d": (array.array("d", SIG_F64.tobytes()), SIG_F32, False),
    "list": (SIG_F32.ravel().tolist(), SIG_F32, True),
    "tuple": (tuple(SIG_F32.ravel().tolist()), SIG_F32, True),
    "int16-1d": (SIG_I16.ravel(), SIG_I16 / 32768.0, True),
    "int16-2d": (SIG_I16, SIG_I16 / 32768.0, True),
    "int32-1d": (SIG_I32.ravel(), SIG_I32 / 2147483648.0, False),
    "int32-2d": (SIG_I32, SIG_I32 / 2147483648.0, False),
    "float32-1d": (SIG_F32.ravel(), SIG_F32, True),
    "float32-2d": (SIG_F32, SIG_F32, True),
    "float64-1d": (SIG_F64.ravel(), SIG_F32, False),
    "float64-2d": (SIG_F64, SIG_F32, False),
    "float32-noncontiguous": (np.array(SIG_F32.T).T, SIG_F32, True),
    "int16-noncontiguous": (np.repeat(SIG_I16, 2, axis=0)[::2], SIG_I16 / 32768.0, True),
}


# The player's period (its default latency-time, 10 ms), in frames.
PERIOD = RATE // 100

# Whether the last play() ran its ring dry: a writer late between two of
# its writes (a loaded machine), whose silence check_played() then steps
# over as whole periods (dropouts.py).
_ran_dry = False


def play(*chunks, channels=2, rate=RATE, device="speaker"):
    global _ran_dry
    with Capture(SPEAKER) as cap:
        with audiocast.AudioPlayer(device, rate, channels) as p:
            written = [p.write(c) for c in chunks]
            assert p.drain(20.0) is True
            stats = (p.frames_written, p.frames_played, p.frames_cleared,
                     p.buffered_frames)
            _ran_dry = p.underruns > 0
        cap.stop(settle=0.1)
    return cap.data, written, stats


def check_played(data, expected, exact, tolerance=2 ** -23):
    """The capture holds ``expected`` from its first sound on, bit-exact or
    each sample within ``tolerance``, and nothing after it."""
    start = analysis.first_nonzero(data)
    assert start is not None, "nothing captured"
    expected = np.asarray(expected, dtype=np.float32 if exact else np.float64)
    analysis.assert_heard_exactly(data[start:], expected, "the converted signal",
                                  tolerance=0.0 if exact else tolerance,
                                  dry_period=PERIOD if _ran_dry else None)


@pytest.mark.parametrize("name", list(PLAY))
def test_plays(name):
    data, expected, exact = PLAY[name]
    captured, written, stats = play(data)
    assert written == [N], written
    assert stats == (N, N, 0, 0), stats
    check_played(captured, expected, exact)


def test_mixed_formats_in_one_stream():
    """The first write fixes the stream's format (int16 here); later ones in
    other formats are converted to it in C and play in order."""
    a, b, c = SIG_I16[:1600], SIG_F32[1600:3200], SIG_F64[3200:]
    captured, written, stats = play(a, b, c)
    assert written == [1600, 1600, N - 3200]
    expected = np.concatenate([a / 32768.0, b, c])
    check_played(captured, expected, exact=False, tolerance=2 ** -15)


def test_lists_of_every_size_play_in_order():
    """The C extension converts a list of floats in a buffer each thread
    keeps (python/audiocast/_fastwrite.c): a short list, a list longer than
    it keeps (2.7 s of stereo), one that makes it grow and one holding an
    int (converted by the Python path instead) play in order, bit for bit."""
    sig = audio_signals.noise(4.4, RATE, 2, amplitude=0.5, seed=17)
    cuts = [0, RATE // 10, RATE // 10 + 3 * RATE, RATE // 10 + 4 * RATE,
            len(sig)]
    lists = [sig[a:b].ravel().tolist() for a, b in zip(cuts, cuts[1:])]
    lists[-1][-1] = 0  # an int: not the C extension's
    expected = sig.copy()
    expected[-1, -1] = 0.0
    captured, written, stats = play(*lists)
    assert written == [b - a for a, b in zip(cuts, cuts[1:])], written
    assert stats[:3] == (len(sig), len(sig), 0), stats
    check_played(captured, expected, exact=True)


def test_docstring_examples():
    import doctest

    result = doctest.testmod(_convert)
    assert result.attempted > 0 and result.failed == 0, result
