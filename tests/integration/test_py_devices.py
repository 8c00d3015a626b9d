"""(p3) audiocast (Python): list_output_devices() and play_file() against
the private PulseAudio server's null sinks."""

import subprocess
import sys
import textwrap
import wave

import numpy as np
import pytest

import analysis
import audio_signals
import audiocast_pkg
import captures
import sound_servers
from audiocast_pkg import audiocast
from captures import Capture
from sound_servers import SPEAKER, VIRTUAL_MIC

pytestmark = pytest.mark.usefixtures("pulse_server", "pulse_log")


def write_wav(path, samples, rate):
    """int16 samples, shape (frames, channels)."""
    samples = np.asarray(samples, dtype="<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return path


def test_list_output_devices_finds_the_null_sinks():
    devices = audiocast.list_output_devices()
    print(devices)
    assert [d["index"] for d in devices] == list(range(len(devices)))
    by_name = {d["name"]: d for d in devices}
    assert by_name[SPEAKER.name] == {
        "name": "speaker", "index": by_name["speaker"]["index"], "type": "pulse",
        "description": "Speaker Output", "is_default": True,
        "sample_rate": 48000, "channels": 2}
    mic = by_name[VIRTUAL_MIC.name]
    assert (mic["type"], mic["description"], mic["is_default"],
            mic["sample_rate"], mic["channels"]) == (
        "pulse", "Virtual Microphone", False, 22050, 1)
    assert sum(d["is_default"] for d in devices) == 1
    for d in devices:
        assert set(d) == {"name", "index", "type", "description", "is_default",
                          "sample_rate", "channels"}


def test_pyaudiocast_readme_device_loop(capsys):
    import audiocast as pyaudiocast

    for dev in pyaudiocast.list_output_devices():
        print(f"[{dev['index']}] {dev['name']} ({dev['type']})")
    out = capsys.readouterr().out
    assert "speaker (pulse)" in out and "Virtual-Mic (pulse)" in out, out


def test_play_file_is_bit_exact_in_the_devices_own_format(tmp_path, pulse_server):
    if not pulse_server.keeps_sink_format:
        pytest.skip(f"{pulse_server.kind}: null sinks mix float32 at the "
                    "graph's rate whatever format they were made with, so no "
                    "device format comes back bit-exact (docs/servers.md)")
    x = audio_signals.noise(0.5, VIRTUAL_MIC.rate, 1, amplitude=0.5, seed=3, dtype="<i2")
    path = write_wav(tmp_path / "noise.wav", x, VIRTUAL_MIC.rate)
    with Capture(VIRTUAL_MIC) as cap:
        audiocast.play_file(path, device="Virtual-Mic")  # a Path works too
        cap.stop(settle=0.1)
    data = cap.data
    start = analysis.first_nonzero(data)
    assert start is not None, "nothing captured"
    got = data[start:start + len(x)]
    assert len(got) == len(x), "file cut short"
    bad = np.flatnonzero(got[:, 0] != x[:, 0])
    assert len(bad) == 0, (f"{len(bad)} of {len(x)} samples differ, first at "
                           f"{bad[0]}: {got[bad[0]]} != {x[bad[0]]}")
    assert not analysis.nonsilent_mask(data[start + len(x):]).any()


def test_play_file_resamples_to_the_default_device(tmp_path):
    rate, freq = 22050, 500.0
    x = audio_signals.sine(freq, 1.0, rate, 1, amplitude=0.5, dtype="<i2")
    path = write_wav(tmp_path / "tone.wav", x, rate)
    with Capture(SPEAKER) as cap:
        audiocast.play_file(str(path))
        cap.stop(settle=0.1)
    got = analysis.trimmed(cap.data)
    assert abs(len(got) - SPEAKER.rate) <= SPEAKER.rate // 100, len(got)
    est = analysis.frequency(got[960:-960, 0].astype(np.float64), SPEAKER.rate)
    assert abs(est - freq) <= 0.005 * freq, est


def test_play_file_uri(tmp_path):
    x = audio_signals.noise(0.1, 48000, 2, seed=4, dtype="<i2")
    path = write_wav(tmp_path / "u.wav", x, 48000)
    with Capture(SPEAKER) as cap:
        audiocast.play_file(path.as_uri(), device="speaker")
        cap.stop(settle=0.1)
    assert abs(len(analysis.trimmed(cap.data)) - len(x)) <= 2


def test_play_file_errors(tmp_path):
    with pytest.raises(audiocast.FileFormatError) as e:
        audiocast.play_file(tmp_path / "missing.wav")
    assert isinstance(e.value, RuntimeError)
    print("missing file:", e.value)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not a sound file" * 100)
    with pytest.raises(audiocast.FileFormatError):
        audiocast.play_file(junk)
    good = write_wav(tmp_path / "ok.wav", np.zeros((100, 1)), 22050)
    with pytest.raises(audiocast.DeviceNotFoundError) as e:
        audiocast.play_file(good, device="no-such-device")
    assert str(e.value).startswith("Device not found:"), str(e.value)


def test_ctrl_c_stops_play_file(tmp_path):
    """SIGINT during play_file(): KeyboardInterrupt, and the audio stops
    (the C call is cancelled), long before the file's end."""
    x = audio_signals.noise(6.0, 48000, 2, amplitude=0.3, seed=5, dtype="<i2")
    path = write_wav(tmp_path / "long.wav", x, 48000)
    child = textwrap.dedent(f"""
        import os, signal, sys, threading
        import audiocast
        threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
        try:
            audiocast.play_file({str(path)!r}, device="speaker")
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(130)
        print("finished")
    """)
    with Capture(SPEAKER) as cap:
        r = subprocess.run([sys.executable, "-c", child], env=audiocast_pkg.child_env(),
                           capture_output=True, text=True, timeout=60)
        cap.stop(settle=0.2)
    print(r.stdout, r.stderr)
    assert r.returncode == 130 and r.stdout.strip() == "interrupted", (r.stdout, r.stderr)
    n = len(analysis.trimmed(cap.data))
    print(f"{n / 48000:.3f} s of the 6 s file were played")
    assert 0 < n < len(x) // 2, n


def test_pyaudiocast_alsa_pcm_name_pulse(tmp_path, pulse_server):
    """PyAudioCast's README plays on device="pulse", an ALSA PCM: it goes
    through alsasink and the pulse ALSA plugin to the default sink."""
    if pulse_server.kind == "pipewire":
        pytest.skip("the ALSA pulse plugin on pipewire-pulse 0.3.65 plays "
                    "22050 Hz audio fast (aplay -D pulse: a 1 kHz tone at "
                    "1009 Hz), with or without audiocast (docs/servers.md)")
    import audiocast as pyaudiocast

    t = np.arange(22050) / 22050
    tone = (16000 * np.sin(2 * np.pi * 1000 * t))[:, None]
    path = write_wav(tmp_path / "audio.wav", tone, 22050)
    with captures.Capture(sound_servers.SPEAKER) as cap:
        pyaudiocast.play_file(str(path), device="pulse")
        cap.stop(settle=0.2)
    got = analysis.trimmed(cap.data)
    assert len(got) >= 48000 * 0.9, f"only {len(got)} frames of tone heard"
    freq = analysis.frequency(analysis.as_float(got)[:, 0], 48000)
    assert abs(freq - 1000) < 10, freq
