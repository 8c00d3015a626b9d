// The AudioCast library from JavaScript (gjs), run by test_gjs.py against
// the private PulseAudio server: devices, a player, errors.
// Prints one "ok <what>" line per check; exits non-zero on the first failure.

imports.gi.versions.AudioCast = '1.0';
const {AudioCast, GLib} = imports.gi;

function check(what, cond, detail) {
    if (!cond) {
        printerr(`not ok ${what}${detail ? `: ${detail}` : ''}`);
        imports.system.exit(1);
    }
    print(`ok ${what}`);
}

// Devices
const devices = AudioCast.list_output_devices();
const byName = {};
for (const d of devices)
    byName[d.name] = d;
check('list has speaker', 'speaker' in byName, Object.keys(byName).join(','));
check('list has Virtual-Mic', 'Virtual-Mic' in byName);
const speaker = byName['speaker'];
check('speaker is default and first', speaker.is_default && devices[0] === speaker);
check('speaker format', speaker.sample_rate === 48000 && speaker.channels === 2,
    `${speaker.sample_rate} Hz ${speaker.channels} ch`);
check('speaker backend', speaker.get_backend() === 'pulse', speaker.backend);
check('Virtual-Mic format', byName['Virtual-Mic'].sample_rate === 22050 &&
    byName['Virtual-Mic'].channels === 1);

// A player: 0.5 s of 440 Hz, F32LE stereo at 48 kHz, drained.
const rate = 48000, frames = rate / 2;
const player = AudioCast.Player.new('speaker', rate, 2);
check('player opened', player !== null);
const samples = new Float32Array(frames * 2);
for (let i = 0; i < frames; i++) {
    const v = 0.5 * Math.sin(2 * Math.PI * 440 * i / rate + 0.3);
    samples[2 * i] = v;
    samples[2 * i + 1] = v;
}
const bytes = new Uint8Array(samples.buffer);
const accepted = player.write(AudioCast.SampleFormat.F32LE, bytes);
check('write accepted every frame', accepted === frames, `${accepted}`);
check('drain', player.drain(10 * GLib.USEC_PER_SEC));
check('frames-played', player.frames_played === frames, `${player.frames_played}`);
player.stop();
let closed = false;
try {
    player.write(AudioCast.SampleFormat.F32LE, bytes);
} catch (e) {
    closed = e.matches(AudioCast.error_quark(), AudioCast.Error.CLOSED);
}
check('write after stop is CLOSED', closed);

// Errors carry the AudioCast domain.
let notFound = null;
try {
    AudioCast.Player.new('no-such-device-xyz', rate, 2);
} catch (e) {
    notFound = e;
}
check('unknown device throws DEVICE_NOT_FOUND', notFound !== null &&
    notFound.matches(AudioCast.error_quark(), AudioCast.Error.DEVICE_NOT_FOUND),
    `${notFound}`);
check('message starts with "Device not found:"',
    notFound.message.startsWith('Device not found:'), notFound.message);

let missing = null;
try {
    AudioCast.play_file('/nonexistent/audiocast.wav', null, null);
} catch (e) {
    missing = e;
}
check('missing file throws FORMAT', missing !== null &&
    missing.matches(AudioCast.error_quark(), AudioCast.Error.FORMAT), `${missing}`);

// The monitor emits on the main context a GLib.MainLoop runs.
const loop = new GLib.MainLoop(null, false);
const monitor = AudioCast.DeviceMonitor.new();
const added = [];
monitor.connect('device-added', (m, d) => {
    added.push(d.name);
    if (added.includes('speaker') && added.includes('Virtual-Mic'))
        loop.quit();
});
monitor.start();
let timedOut = false;
const watchdog = GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10000, () => {
    timedOut = true;
    loop.quit();
    return GLib.SOURCE_REMOVE;
});
loop.run();
if (!timedOut)
    GLib.source_remove(watchdog);
monitor.stop();
check('monitor reported the present devices',
    added.includes('speaker') && added.includes('Virtual-Mic'), added.join(','));
