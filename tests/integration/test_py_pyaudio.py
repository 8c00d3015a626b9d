"""The PyAudio drop-in (issue 13): PyAudio's own documentation examples
(examples/pyaudio/, unchanged) run through ``python3 -m audiocast.pyaudio``
against the private server, judged on the capture of ``speaker.monitor``
and on what they recorded; then the rest of the API the shim covers, in
process.

The server's default sink is ``speaker``; for the recording and wire
examples the default source is set to ``Virtual-Mic.monitor``, into which a
player of the test plays a 1 kHz tone (and restored afterwards)."""

import os
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest

import analysis
import audio_signals
from audiocast_pkg import audiocast
from captures import Capture
from sound_servers import SPEAKER, VIRTUAL_MIC, pactl

import audiocast.pyaudio as pyaudio

pytestmark = [pytest.mark.usefixtures("pulse_server", "pulse_log"),
              pytest.mark.timeout(300)]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "pyaudio"
RATE = 48000
TONE_HZ = 1000.0


def run_example(name, *args, cwd):
    """Runs examples/pyaudio/NAME unchanged with `pyaudio` standing for
    audiocast.pyaudio; returns the completed process."""
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "audiocast.pyaudio",
                           str(EXAMPLES / name), *map(str, args)],
                          cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, (name, proc.stdout, proc.stderr)
    assert "ALSA" not in proc.stderr and "jack" not in proc.stderr.lower(), \
        proc.stderr
    return proc


def write_wav(path, samples, rate):
    samples = np.asarray(samples)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())


def assert_tone_without_gaps(captured, seconds, what):
    """``captured`` (mono or stereo float) carries the 1 kHz tone for
    about ``seconds``, with no run of silence (a dropout) inside."""
    mask = analysis.nonsilent_mask(captured)
    on = np.flatnonzero(mask)
    assert len(on), f"{what}: nothing was heard"
    first, last = on[0], on[-1] + 1
    heard = (last - first) / RATE
    assert heard >= seconds * 0.9, f"{what}: {heard:.2f} s heard of {seconds} s"
    gaps = [g for g in analysis.silent_runs(captured, first, last) if g > 48]
    assert not gaps, f"{what}: dropouts of {gaps[:5]} frames"
    # away from the edges, where the resampler's filter rings
    f = analysis.frequency(captured[first + RATE // 20:last - RATE // 20, 0], RATE)
    assert abs(f - TONE_HZ) < 1.0, f"{what}: {f:.2f} Hz"


@pytest.fixture
def tone_on_default_source():
    """A 1 kHz tone played into Virtual-Mic, whose monitor is the default
    source while the test runs. A reader keeps recording that monitor from
    before the tone starts, as the consumer of a virtual microphone does: a
    null sink nobody reads renders far ahead of real time, in blocks of up
    to two seconds."""
    before = pactl("get-default-source").strip()
    pactl("set-default-source", f"{VIRTUAL_MIC.name}.monitor")
    tone = audio_signals.sine(TONE_HZ, 40.0, VIRTUAL_MIC.rate, 1, amplitude=0.3)
    with Capture(VIRTUAL_MIC):
        player = audiocast.AudioPlayer(VIRTUAL_MIC.name, VIRTUAL_MIC.rate, 1)
        writer = threading.Thread(target=player.write, args=(tone,),
                                  daemon=True)
        writer.start()
        try:
            yield
        finally:
            player.stop()
            writer.join()
            pactl("set-default-source", before, check=False)


# -- PyAudio's examples, unchanged ----------------------------------------------

def test_play_wave_example_is_bit_exact(tmp_path):
    x = (audio_signals.noise(2.0, RATE, 2, amplitude=0.5, seed=1310)
         * 32768).astype("<i2")
    write_wav(tmp_path / "noise.wav", x, RATE)
    with Capture(SPEAKER) as cap:
        run_example("play_wave.py", tmp_path / "noise.wav", cwd=tmp_path)
        cap.stop(settle=0.1)
    # int16 becomes float32 exactly (x / 32768) on the way to the sink
    analysis.assert_heard_exactly(analysis.trimmed(cap.data),
                                  x.astype(np.float32) / 32768,
                                  "play_wave.py")


def test_play_wave_callback_example_plays_all_and_ends(tmp_path):
    """44.1 kHz mono through the callback version: the tone whole, no
    dropout, and the program ends once it played (is_active() turned
    False)."""
    tone = audio_signals.sine(TONE_HZ, 2.0, 44100, 1, amplitude=0.4)
    write_wav(tmp_path / "tone.wav", tone * 32767, 44100)
    with Capture(SPEAKER) as cap:
        run_example("play_wave_callback.py", tmp_path / "tone.wav", cwd=tmp_path)
        cap.stop(settle=0.1)
    assert_tone_without_gaps(cap.data, 2.0, "play_wave_callback.py")
    on = np.flatnonzero(analysis.nonsilent_mask(cap.data))
    assert (on[-1] - on[0]) / RATE < 2.05, "more than the file was played"


def test_record_example_records_the_default_input(tmp_path, tone_on_default_source):
    proc = run_example("record.py", cwd=tmp_path)
    assert proc.stdout.split() == ["Recording...", "Done"]
    with wave.open(str(tmp_path / "output.wav")) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 44100)
        frames = w.getnframes()
        data = np.frombuffer(w.readframes(frames), "<i2").reshape(-1, 2)
    assert frames == 44100 // 1024 * 5 * 1024
    assert np.array_equal(data[:, 0], data[:, 1]), "mono source, both channels"
    f = analysis.frequency(data[:, 0].astype(np.float64), 44100)
    assert abs(f - TONE_HZ) < 1.0, f
    level = analysis.rms(data[:, 0] / 32768)
    assert abs(20 * np.log10(level / (0.3 / np.sqrt(2)))) < 0.5, level


@pytest.mark.parametrize("example", ["wire_full.py", "wire_callback.py"])
def test_wire_examples_copy_input_to_output(tmp_path, tone_on_default_source,
                                            example):
    """Five seconds of the default input copied to the default output,
    blocking and with a callback: the tone on the speaker, no dropout."""
    with Capture(SPEAKER) as cap:
        run_example(example, cwd=tmp_path)
        cap.stop(settle=0.1)
    assert_tone_without_gaps(cap.data, 4.5, example)


# -- the rest of the API, in process ------------------------------------------

def test_module_functions_and_constants():
    assert (pyaudio.paFloat32, pyaudio.paInt32, pyaudio.paInt24, pyaudio.paInt16,
            pyaudio.paInt8, pyaudio.paUInt8) == (1, 2, 4, 8, 16, 32)
    assert (pyaudio.paContinue, pyaudio.paComplete, pyaudio.paAbort) == (0, 1, 2)
    assert [pyaudio.get_sample_size(f) for f in (
        pyaudio.paFloat32, pyaudio.paInt32, pyaudio.paInt24, pyaudio.paInt16,
        pyaudio.paInt8, pyaudio.paUInt8)] == [4, 4, 3, 2, 1, 1]
    with pytest.raises(ValueError):
        pyaudio.get_sample_size(pyaudio.paCustomFormat)
    assert pyaudio.get_format_from_width(1) == pyaudio.paUInt8
    assert pyaudio.get_format_from_width(1, unsigned=False) == pyaudio.paInt8
    assert pyaudio.get_format_from_width(3) == pyaudio.paInt24
    with pytest.raises(ValueError):
        pyaudio.get_format_from_width(8)
    assert pyaudio.get_portaudio_version_text().startswith("audiocast ")
    assert pyaudio.PyAudio.Stream is pyaudio.Stream


def test_device_queries_name_the_server_devices():
    p = pyaudio.PyAudio()
    n = p.get_device_count()
    infos = [p.get_device_info_by_index(i) for i in range(n)]
    names = [d["name"] for d in infos]
    assert names[0] == "default"
    assert SPEAKER.name in names and f"{SPEAKER.name}.monitor" in names
    speaker = infos[names.index(SPEAKER.name)]
    assert speaker["maxOutputChannels"] == 2 and speaker["maxInputChannels"] == 0
    assert speaker["defaultSampleRate"] == 48000.0
    assert set(speaker) == {
        "index", "structVersion", "name", "hostApi", "maxInputChannels",
        "maxOutputChannels", "defaultLowInputLatency", "defaultLowOutputLatency",
        "defaultHighInputLatency", "defaultHighOutputLatency",
        "defaultSampleRate"}
    assert p.get_default_output_device_info()["index"] == 0
    assert p.get_default_input_device_info()["maxInputChannels"] > 0
    assert p.get_host_api_count() == 1
    assert p.get_default_host_api_info()["deviceCount"] == n
    assert p.get_device_info_by_host_api_device_index(0, 1) == infos[1]
    with pytest.raises(OSError) as e:
        p.get_device_info_by_index(n)
    assert e.value.errno == pyaudio.paInvalidDevice
    assert p.is_format_supported(44100.0, output_device=0, output_channels=2,
                                 output_format=pyaudio.paInt16)
    with pytest.raises(ValueError):
        p.is_format_supported(44100.0, input_device=names.index(SPEAKER.name),
                              input_channels=2, input_format=pyaudio.paInt16)
    p.terminate()


def test_open_refuses_what_portaudio_refuses():
    p = pyaudio.PyAudio()
    with pytest.raises(ValueError, match="input or output"):
        p.open(rate=RATE, channels=2, format=pyaudio.paInt16)
    with pytest.raises(ValueError):
        p.open(rate=RATE, channels=2, format=pyaudio.paCustomFormat, output=True)
    with pytest.raises(ValueError):
        p.open(rate=RATE, channels=0, format=pyaudio.paInt16, output=True)
    with pytest.raises(OSError) as e:
        p.open(rate=RATE, channels=2, format=pyaudio.paInt16, output=True,
               output_device_index=99)
    assert e.value.errno == pyaudio.paInvalidDevice
    monitor = [p.get_device_info_by_index(i)["name"]
               for i in range(p.get_device_count())].index(f"{SPEAKER.name}.monitor")
    with pytest.raises(OSError):
        p.open(rate=RATE, channels=2, format=pyaudio.paInt16, output=True,
               output_device_index=monitor)
    out = p.open(rate=RATE, channels=2, format=pyaudio.paInt16, output=True)
    with pytest.raises(OSError) as e:
        out.read(10)
    assert e.value.errno == pyaudio.paCanNotReadFromAnOutputOnlyStream
    inp = p.open(rate=RATE, channels=2, format=pyaudio.paInt16, input=True,
                 input_device_index=monitor)
    with pytest.raises(OSError) as e:
        inp.write(b"\x00" * 4)
    assert e.value.errno == pyaudio.paCanNotWriteToAnInputOnlyStream
    p.terminate()
    assert out.is_stopped() and inp.is_stopped()


@pytest.mark.parametrize("fmt,scale", [
    (pyaudio.paUInt8, 2 ** 7), (pyaudio.paInt8, 2 ** 7),
    (pyaudio.paInt24, 2 ** 23), (pyaudio.paInt32, 2 ** 31),
    (pyaudio.paFloat32, 1.0)])
def test_every_format_plays_exactly(fmt, scale):
    """Each pa* format reaches the float32 sink with its value: 8, 16 and
    24 bits exactly, 32-bit integers to float32's precision."""
    x = audio_signals.noise(0.5, RATE, 2, amplitude=0.5, seed=1311).astype(np.float64)
    if fmt == pyaudio.paFloat32:
        raw = x.astype("<f4").tobytes()
        expect = x.astype(np.float32)
    else:
        ints = np.round(x * scale).astype(np.int64)
        expect = (ints / scale).astype(np.float32)
        if fmt == pyaudio.paUInt8:
            raw = (ints + 128).astype(np.uint8).tobytes()
        elif fmt == pyaudio.paInt8:
            raw = ints.astype(np.int8).tobytes()
        elif fmt == pyaudio.paInt24:
            raw = ints.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
        else:
            raw = ints.astype("<i4").tobytes()
    p = pyaudio.PyAudio()
    with Capture(SPEAKER) as cap:
        s = p.open(rate=RATE, channels=2, format=fmt, output=True)
        s.write(raw)
        s.close()
        cap.stop(settle=0.1)
    p.terminate()
    analysis.assert_heard_exactly(analysis.trimmed(cap.data), expect,
                                  f"format {fmt}")


def test_blocking_read_write_available_and_overflow():
    """Recording the monitor in float32 while another stream plays noise
    in float32: the frames come back exactly; a reader that stalls longer
    than the recorder's ring gets paInputOverflowed, or the data with
    exception_on_overflow=False."""
    x = audio_signals.noise(1.0, RATE, 2, amplitude=0.4, seed=1312)
    p = pyaudio.PyAudio()
    names = [p.get_device_info_by_index(i)["name"] for i in range(p.get_device_count())]
    monitor = names.index(f"{SPEAKER.name}.monitor")
    inp = p.open(rate=RATE, channels=2, format=pyaudio.paFloat32, input=True,
                 input_device_index=monitor, frames_per_buffer=480)
    out = p.open(rate=RATE, channels=2, format=pyaudio.paFloat32, output=True,
                 output_device_index=names.index(SPEAKER.name))
    assert out.get_write_available() > 0
    out.write(x.astype("<f4").tobytes())
    got = b"".join(inp.read(4800) for _ in range(30))
    captured = np.frombuffer(got, "<f4").reshape(-1, 2)
    analysis.assert_heard_exactly(analysis.trimmed(captured), x, "read()",
                                  followed=True)
    assert inp.get_read_available() >= 0
    assert inp.get_input_latency() > 0 and out.get_output_latency() > 0
    time.sleep(2.5)                      # the recorder's ring holds 2 s
    with pytest.raises(OSError) as e:
        inp.read(480)
    assert e.value.errno == pyaudio.paInputOverflowed
    time.sleep(2.5)
    assert len(inp.read(480, exception_on_overflow=False)) == 480 * 8
    out.close()
    inp.close()
    p.terminate()


def test_stop_and_start_stream():
    """stop_stream() lets what was written play out and refuses writes;
    start_stream() plays again."""
    a = audio_signals.noise(0.5, RATE, 2, amplitude=0.4, seed=1313)
    b = audio_signals.noise(0.5, RATE, 2, amplitude=0.4, seed=1314)
    p = pyaudio.PyAudio()
    with Capture(SPEAKER) as cap:
        s = p.open(rate=RATE, channels=2, format=pyaudio.paFloat32, output=True)
        assert s.is_active() and not s.is_stopped()
        s.write(a.astype("<f4").tobytes())
        s.stop_stream()
        assert s.is_stopped() and not s.is_active()
        with pytest.raises(OSError) as e:
            s.write(b.astype("<f4").tobytes())
        assert e.value.errno == pyaudio.paStreamIsStopped
        s.start_stream()
        s.start_stream()                 # running: nothing, as PyAudio
        s.write(b.astype("<f4").tobytes())
        s.close()
        cap.stop(settle=0.1)
    p.terminate()
    captured = analysis.trimmed(cap.data)
    at = analysis.find_exact(captured, b[:64])
    assert at, "the audio after start_stream() was not heard"
    analysis.assert_heard_exactly(captured[:at[0]], a, "before stop_stream()",
                                  followed=True)
    analysis.assert_heard_exactly(captured[at[0]:], b, "after start_stream()")


def test_callback_flags_and_errors(capfd):
    """paComplete ends an output callback stream once its block played;
    an exception in the callback prints its traceback and stops the
    stream; the callback gets PyAudio's time_info keys."""
    calls = []

    def complete_after_three(in_data, frame_count, time_info, status):
        calls.append((in_data, frame_count, sorted(time_info), status))
        flag = pyaudio.paComplete if len(calls) == 3 else pyaudio.paContinue
        return (b"\x01\x00" * 2 * frame_count, flag)

    def broken(in_data, frame_count, time_info, status):
        raise RuntimeError("callback failed on purpose")

    p = pyaudio.PyAudio()
    s = p.open(rate=RATE, channels=2, format=pyaudio.paInt16, output=True,
               frames_per_buffer=480, stream_callback=complete_after_three)
    deadline = time.monotonic() + 10
    while s.is_active() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not s.is_active() and not s.is_stopped()
    assert len(calls) == 3
    assert calls[0][:3] == (None, 480, ["current_time", "input_buffer_adc_time",
                                        "output_buffer_dac_time"])
    with pytest.raises(OSError) as e:
        s.write(b"\x00" * 4)
    assert e.value.errno == pyaudio.paCanNotWriteToACallbackStream
    s.close()

    s = p.open(rate=RATE, channels=2, format=pyaudio.paInt16, output=True,
               stream_callback=broken)
    deadline = time.monotonic() + 10
    while s.is_active() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not s.is_active()
    s.close()
    p.terminate()
    assert "RuntimeError: callback failed on purpose" in capfd.readouterr().err
