#!/usr/bin/env python3
"""The guest's sound through the bridge, with a real QEMU 7.2 (TCG,
-audiodev dbus,id=snd0 -display dbus,...,audiodev=snd0) and no guest code:
HMP's port writes play the PC speaker and drive AC97's DMA. qemu-eglview
plays and records through SDL's disk driver (SDL_AUDIODRIVER=disk), so the
sound is a file: F32 at the stream's rate and channels.

Cases:
  pcspk   bus; PIT channel 2 programmed to 440 Hz (divisor 2712), then
          880 Hz (1356), then 660 Hz (1808), each gated on for 1 s through
          port 0x61 and off again: the viewer's file holds exactly three
          tones, each's FFT peak within 1 % of 1193182 / divisor, each
          reaching the device within ONSET_S of the HMP write that gated
          it on (one of them may take up to ONSET_LATE_S), and silence from
          SILENT_AFTER_S after each "off" plus the onset measured, or from
          STOP_S after it (the viewer's queue at the stop) if that is
          later, to the next tone. When the device got a frame is
          when SDL's disk driver wrote it (FileClock: the file's size
          polled each millisecond, time.monotonic_ns() as for the HMP
          writes), not "opened at" + frame / rate: that driver's clock runs
          several percent slow. A tone begins where its own pitch does
          (pitch_onset): the viewer resuming the stream first plays what
          was left of the one before.
  pcspk-u8
          the same with out.mixing-engine=off: the speaker's own voice,
          U8 at 32000 Hz, mono, played as it is.
  record  bus; -device AC97,audiodev=snd0 (in.frequency=48000, AC97's
          own); the viewer with --microphone on records from
          SDL_DISKAUDIOFILEIN, a 1 kHz tone at the RECORD stream's rate and
          channels; AC97's PCM-in DMA (programmed from HMP into buffers
          -device loader placed in guest RAM) fills guest RAM, saved with
          pmemsave: a 1000 Hz (within 1 %) tone there, whole (no gap, no
          step, the file's level within 1 dB).
  volume  bus; -device AC97 plays a 660 Hz buffer (PCM-out DMA from HMP);
          the guest's mixer (master volume) mutes it, then unmutes: QEMU
          sends SetVolume and leaves the samples alone, the shim passes it
          on, the viewer applies it: tone, silence, tone.
  restart bus; a tone, then QEMU killed (no Fini): the shim ends the
          voice's stream and the viewer closes its device; QEMU started
          again: a new stream, and a 660 Hz tone from the new QEMU plays
          through the same viewer and shim.
  p2p-old peer-to-peer with -audiodev dbus on QEMU < 8.0, which SIGSEGVs
          on RegisterOutListener over p2p: the shim must not register, must
          say why once (QEMU's version, fixed in 8.0, use the bus mode),
          and QEMU must survive (HMP still answers); the pixels still come.
Exit 77 (skipped) only when QEMU or dbus-daemon is not installed; p2p-old
skips on QEMU >= 8.0, where p2p audio is allowed and there is nothing to
guard.
"""
import argparse
import bisect
import math
import os
import re
import socket
import struct
import sys
import tempfile
import threading
import time

import numpy as np

import e2e
from eglview_test import audio
from eglview_test.procs import wait_for

PIT_HZ = 1193182
TONES = [2712, 1356, 1808]    # divisors: 439.96 Hz, 879.93 Hz, 659.95 Hz
TONE_S = 1.0
PAUSE_S = 0.6
ONSET_S = 0.100               # the bound: sound within 100 ms
# On a loaded 2-core CI machine one tone in about fifteen took longer
# (147 ms once: QEMU's first Write late); one of the three may take up to
# this, the others must keep ONSET_S. Every onset is printed.
ONSET_LATE_S = 0.250
SILENT_AFTER_S = 0.060
# The end of a tone lags by the viewer's queue when it stopped, not by the
# onset: the disk driver's slow clock lets it reach PCM_OVERRUN_MS (150 ms)
# before the viewer skips ahead, and the ASan stage is slower still
# (135 ms measured there). Silence is required from this after "off" at
# the latest.
STOP_S = 0.200
# The first Write of a voice may carry a previous stream's tail (a 1024
# frame buffer): the pitch is measured from 25 ms into each tone.
SKIP_S = 0.025
AUDIODEV = "dbus,id=snd0"


class Monitor:
    """QEMU's HMP on a unix socket: a command, its output up to the next
    prompt; the monotonic ns just before it was sent."""

    PROMPT = b"(qemu) "

    def __init__(self, path):
        wait_for(f"HMP socket {path}", lambda: os.path.exists(path))
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(e2e.TIMEOUT_S)
        self.s.connect(path)
        self.buf = b""
        self._prompt()

    def _prompt(self):
        while self.PROMPT not in self.buf:
            got = self.s.recv(65536)
            if not got:
                e2e.fail("QEMU closed its monitor")
            self.buf += got
        out, _, self.buf = self.buf.partition(self.PROMPT)
        return out.decode(errors="replace")

    def cmd(self, line):
        sent = time.monotonic_ns()
        self.s.sendall(line.encode() + b"\n")
        out = self._prompt()
        # The echo of the command comes first (with terminal escapes).
        return sent, out.split("\n", 1)[1] if "\n" in out else ""


def sdl_env(run, out=None, inp=None):
    env = dict(os.environ, SDL_AUDIODRIVER="disk")
    env["SDL_DISKAUDIOFILE"] = out or os.path.join(run.tmp, "unused.raw")
    if inp:
        env["SDL_DISKAUDIOFILEIN"] = inp
    return env


def start_viewer(run, env, extra=()):
    cmd = [run.a.viewer, "--backend", "offscreen", "--verbose", *extra,
           os.path.join(run.tmp, "vm.sock")]
    return run.spawn("viewer", cmd, echo=False, env=env)


def start(run, extra=(), audiodev=AUDIODEV):
    run.start_bus()
    hmp = os.path.join(run.tmp, "hmp.sock")
    qemu, qout = run.start_qemu(p2p=False, seabios=False, audiodev=audiodev,
                                extra=["-monitor", "unix:" + hmp +
                                       ",server=on,wait=off", *extra])
    shim, sout = run.start_shim(p2p=False)
    qout.wait_for(r"^READY$")
    return qemu, qout, shim, sout, Monitor(hmp)


VOICE = r"audio: Out voice \d+: 44100 Hz, 2 ch, S16: stream (\d+)"
OPENED = (r'audio: playing stream (\d+) of VM "[^"]*" \((\d+) Hz, (\d+) ch, '
          r'\w+\) on (\w+), opened at (\d+)')


class FileClock(threading.Thread):
    """When each byte of a growing file was written: its size polled every
    millisecond (time.monotonic_ns(), the clock of the HMP writes). SDL's
    disk driver writes each period as its callback fills it, so this is
    when the viewer handed each frame to the device. The file's own time
    line (MONO_NS + frame / rate) drifts: the driver sleeps whole
    milliseconds per period, so its clock runs a few percent off and the
    viewer resamples and skips to follow."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.done = path, threading.Event()
        self.times, self.sizes = [], []
        self.start()

    def run(self):
        while not self.done.is_set():
            try:
                size = os.path.getsize(self.path)
            except OSError:
                size = 0
            if not self.sizes or size != self.sizes[-1]:
                self.times.append(time.monotonic_ns())
                self.sizes.append(size)
            time.sleep(0.001)

    def stop(self):
        self.done.set()
        self.join()

    def frame_at(self, ns, frame_bytes):
        """The frames written by ns."""
        i = bisect.bisect_right(self.times, ns) - 1
        return self.sizes[i] // frame_bytes if i >= 0 else 0

    def time_of(self, frame, frame_bytes):
        """When frame was written (ns)."""
        i = bisect.bisect_right(self.sizes, frame * frame_bytes)
        return self.times[min(i, len(self.times) - 1)]


def pitch_onset(x, rate, start, hz):
    """The first frame from start on where a square wave of hz begins:
    three half periods in a row between sign changes within 10 % of
    rate / (2 hz), less one half period. None where it never does."""
    m = audio.mono(x[start:])
    flips = np.flatnonzero(np.diff(np.signbit(m - m.mean())))
    half = rate / (2 * hz)
    ok = np.abs(np.diff(flips) - half) < 0.1 * half
    for i in range(len(ok) - 2):
        if ok[i] and ok[i + 1] and ok[i + 2]:
            return start + int(flips[i] - half)
    return None


def pcspk(run, a, raw=False):
    """raw: QEMU's mixing engine off, so the PC speaker's voice is its own
    format: U8, 32000 Hz, mono."""
    audiodev = AUDIODEV + (",out.mixing-engine=off" if raw else "")
    qemu, qout, shim, sout, mon = start(run, audiodev=audiodev)
    sout.wait_for(r"audio: Out voice \d+: 32000 Hz, 1 ch, U8: stream \d+"
                  if raw else VOICE)
    out = os.path.join(run.tmp, "played.raw")
    v, vout = start_viewer(run, sdl_env(run, out))
    vout.wait_for(r"<- UPDATE")
    clock = FileClock(out)
    on_ns, off_ns, marks = [], [], []
    for i, divisor in enumerate(TONES):
        mon.cmd("o /b 0x43 0xb6")            # channel 2, lo/hi, square
        mon.cmd(f"o /b 0x42 {divisor & 0xff:#x}")
        mon.cmd(f"o /b 0x42 {divisor >> 8:#x}")
        marks.append(sout.mark())
        on_ns.append(mon.cmd("o /b 0x61 0x03")[0])   # gate + speaker
        if i == 0:
            # The device opens when the guest first enables the stream.
            m = vout.wait_for(OPENED)[1]
            rate, channels, opened_ns = int(m[2]), int(m[3]), int(m[5])
            if m[4] != "disk":
                e2e.fail(f"the viewer played on {m[4]}, not SDL's disk "
                         "driver")
        time.sleep(TONE_S)
        off_ns.append(mon.cmd("o /b 0x61 0x00")[0])
        time.sleep(PAUSE_S)
    run.stop_viewer(v, vout)
    clock.stop()

    x = audio.read_raw(out, channels)
    fb = 4 * channels
    secs = lambda ns: (ns - opened_ns) / 1e9   # noqa: E731
    spans = audio.sound_spans(x, rate)
    print(f"e2e: {len(x) / rate:.3f} s in the file, written over "
          f"{secs(clock.times[-1]):.3f} s from \"opened at\" ({rate} Hz, "
          f"{channels} ch); sound in it at "
          f"{', '.join(f'{s:.3f}-{e:.3f}' for s, e in spans)} s (file time)")
    late = []
    if len(spans) != len(TONES):
        e2e.fail(f"{len(spans)} spans of sound in the file, "
                 f"{len(TONES)} tones played")
    for i, (divisor, (s, e)) in enumerate(zip(TONES, spans)):
        want = PIT_HZ / divisor
        # From its own pitch: a stream enabled again may first play what
        # was left of its last (the viewer resumes a paused device).
        begin = pitch_onset(x, rate, int(s * rate), want)
        if begin is None:
            e2e.fail(f"no {want:.2f} Hz square wave in the file")
        sound = (clock.time_of(int(s * rate), fb) - on_ns[i]) / 1e9
        played = clock.time_of(begin, fb)
        onset = (played - on_ns[i]) / 1e9
        ended = (clock.time_of(int(e * rate), fb) - off_ns[i]) / 1e9
        got = audio.peak_hz(x[begin + int(SKIP_S * rate):int(e * rate)], rate)
        print(f"e2e: tone {i + 1}: {got:.2f} Hz (programmed {want:.2f}), "
              f"reached the device {onset * 1000:.1f} ms after the HMP "
              f"write (file time says "
              f"{(begin / rate - secs(on_ns[i])) * 1000:.1f}; sound of any "
              f"pitch {sound * 1000:.1f}), its end {ended * 1000:.1f} ms "
              "after \"off\"")
        if abs(got - want) > want * 0.01:
            e2e.fail(f"tone {i + 1} is at {got:.2f} Hz, not {want:.2f} "
                     "within 1 %")
        # Where the time went: QEMU's SetEnabled reaching the shim (the
        # line's arrival here), its first Write after it (the shim's own
        # measure), the rest the shim, the viewer and the device.
        j, en = sout.wait_for(r"audio: Out voice \d+ enabled", marks[i])
        first = sout.wait_for(r"first Write ([\d.]+) ms after SetEnabled",
                              j)[1]
        print(f"e2e: tone {i + 1}: SetEnabled at the shim "
              f"{(sout.times[j] * 1e9 - on_ns[i]) / 1e6:.1f} ms after the HMP "
              f"write, QEMU's first Write {first[1]} ms after that")
        late.append(onset)
        if onset > ONSET_LATE_S or \
                sum(o > ONSET_S for o in late) > 1:
            e2e.fail(f"tone {i + 1} reached the device {onset * 1000:.1f} "
                     f"ms after the guest started it (at most "
                     f"{ONSET_S * 1000:.0f}; one tone of {len(TONES)} up to "
                     f"{ONSET_LATE_S * 1000:.0f}; so far "
                     f"{', '.join(f'{o * 1000:.0f}' for o in late)} ms)")
        if onset < 0:
            e2e.fail(f"tone {i + 1} reached the device before it was "
                     "played: the time line is wrong")
        # Silence from SILENT_AFTER_S after the stop could reach the
        # device (the pipeline's latency, the onset) to the next tone.
        quiet = off_ns[i] + int(max(max(onset, 0) + SILENT_AFTER_S,
                                    STOP_S) * 1e9)
        until = on_ns[i + 1] if i + 1 < len(TONES) else clock.times[-1]
        rest = x[clock.frame_at(quiet, fb):clock.frame_at(until, fb)]
        if len(rest) < rate * 0.1 or audio.rms_dbfs(rest) > -60 or \
                audio.sound_spans(rest, rate):
            e2e.fail(f"after tone {i + 1} stopped the file is not silent "
                     f"({len(rest)} frames, {audio.rms_dbfs(rest):.1f} dBFS "
                     f"from {secs(quiet):.3f} s)")
    print("e2e: both pitches played, each on time, silence after each")


def gate(mon, divisor, seconds):
    """The PC speaker at 1193182 / divisor Hz for seconds; the ns of "on"."""
    mon.cmd("o /b 0x43 0xb6")
    mon.cmd(f"o /b 0x42 {divisor & 0xff:#x}")
    mon.cmd(f"o /b 0x42 {divisor >> 8:#x}")
    on = mon.cmd("o /b 0x61 0x03")[0]
    time.sleep(seconds)
    mon.cmd("o /b 0x61 0x00")
    return on


def formats(run, a):
    """QEMU's out.format S32 and F32 (mixing engine on: the voice's format
    is the audiodev's) play at the pitch; S8, which the protocol has not,
    is said once with its values and left silent, QEMU unharmed. One shim
    and one viewer; each format a QEMU of its own (the shim follows)."""
    out = os.path.join(run.tmp, "played.raw")
    v = vout = shim = sout = qemu = None
    mark = vmark = 0
    want = PIT_HZ / TONES[0]
    for n, fmt in enumerate(["s32", "f32", "s8"]):
        if qemu is not None:
            mark, vmark = sout.mark(), vout.mark()
            qemu.kill()
            qemu.wait()
            sout.wait_for(r"lost QEMU", mark)
        audiodev = f"{AUDIODEV},out.format={fmt}"
        hmp = os.path.join(run.tmp, f"hmp{n}.sock")
        if n == 0:
            qemu, qout, shim, sout, mon = start(run, audiodev=audiodev)
            v, vout = start_viewer(run, sdl_env(run, out))
            vout.wait_for(r"<- UPDATE")
        else:
            qemu, qout = run.start_qemu(
                p2p=False, seabios=False, audiodev=audiodev,
                extra=["-monitor", f"unix:{hmp},server=on,wait=off"])
            qout.wait_for(r"^READY$")
            mon = Monitor(hmp)
        if fmt == "s8":
            sout.wait_for(r"audio: Out voice \d+ ignored: format not "
                          r"supported \(bits 8, signed, integer, 44100 Hz, "
                          r"2 channel\(s\), 2 bytes per frame, "
                          r"little-endian\)", mark)
            gate(mon, TONES[0], 0.5)
            if "running" not in mon.cmd("info status")[1]:
                e2e.fail("QEMU does not run after the S8 voice's Writes")
            if sout.count(r"ignored: format not supported", mark) != 1 or \
                    vout.count(r"audio: playing stream", vmark):
                e2e.fail("the S8 voice was not said exactly once and left "
                         "silent")
            print("e2e: S8 said once with its values, not played; QEMU "
                  "runs")
            break
        stream = sout.wait_for(r"audio: Out voice \d+: 44100 Hz, 2 ch, "
                               rf"{fmt.upper()}: stream (\d+)", mark)[1][1]
        gate(mon, TONES[0], 0.6)
        vout.wait_for(rf"audio: playing stream {stream} ", vmark)
        time.sleep(0.2)
        x = audio.read_raw(out, 2)
        spans = audio.sound_spans(x, 44100)
        got = audio.peak_hz(x[int((spans[0][0] + SKIP_S) * 44100):
                              int(spans[0][1] * 44100)], 44100) \
            if spans else None
        print(f"e2e: {fmt.upper()} (stream {stream}): "
              f"{got and round(got, 2)} Hz (programmed {want:.2f}), "
              f"{audio.rms_dbfs(x):.1f} dBFS")
        if got is None or abs(got - want) > want * 0.01:
            e2e.fail(f"the {fmt.upper()} voice did not play at {want:.2f} Hz")
    run.stop_viewer(v, vout)


def restart(run, a):
    qemu, qout, shim, sout, mon = start(run)
    first = sout.wait_for(VOICE)[1][1]
    out = os.path.join(run.tmp, "played.raw")
    v, vout = start_viewer(run, sdl_env(run, out))
    vout.wait_for(r"<- UPDATE")
    gate(mon, TONES[0], 0.5)
    vout.wait_for(rf"audio: playing stream {first} ")
    mark, vmark = sout.mark(), vout.mark()
    qemu.kill()  # no Fini: the connection's end must end the streams
    qemu.wait()
    sout.wait_for(rf"audio: Out voice \d+ ended \(stream {first}\)", mark)
    vout.wait_for(rf"audio: stream {first} of VM .*callbacks", vmark)
    hmp = os.path.join(run.tmp, "hmp2.sock")
    qemu, qout = run.start_qemu(p2p=False, seabios=False, audiodev=AUDIODEV,
                                extra=["-monitor", "unix:" + hmp +
                                       ",server=on,wait=off"])
    second = sout.wait_for(VOICE, mark)[1][1]
    qout.wait_for(r"^READY$")
    mon = Monitor(hmp)
    divisor = 1808                            # 659.94 Hz
    gate(mon, divisor, 1.0)
    vout.wait_for(rf"audio: playing stream {second} .*opened at", vmark)
    time.sleep(0.3)
    run.stop_viewer(v, vout)
    if second == first:
        e2e.fail(f"the new QEMU's voice has the old stream id {first}")
    if shim.poll() is not None:
        e2e.fail(f"the shim exited ({shim.returncode}) across the restart")
    # The disk driver truncates its file when the new stream's device
    # opens: what is there is the new QEMU's sound.
    x = audio.read_raw(out, 2)
    spans = audio.sound_spans(x, 44100)
    want = PIT_HZ / divisor
    begin = pitch_onset(x, 44100, 0, want) if spans else None
    got = audio.peak_hz(x[begin + int(SKIP_S * 44100):int(spans[-1][1] *
                                                         44100)], 44100) \
        if begin is not None else None
    print(f"e2e: stream {first} ended with its QEMU, stream {second} came "
          f"with the next; played {got and round(got, 2)} Hz (programmed "
          f"{want:.2f})")
    if got is None or abs(got - want) > want * 0.01:
        e2e.fail("the restarted QEMU's tone did not play through the same "
                 "viewer")
    print("e2e: the same viewer and shim played the restarted QEMU's sound")


# AC97 (8086:2415): PCM-in's buffer descriptor list and buffers in guest
# RAM (-m 32: below 32 MiB), placed by -device loader.
AC97_BDL = 0x1800000
AC97_BUF = 0x1810000
AC97_ENTRIES = 4
AC97_SAMPLES = 0xfff0         # 16-bit samples per buffer (max 0xfffe)
# The RECORD stream at AC97's own rate: QEMU 7.2's 44100 -> 48000 Hz
# resampling of capture puts single-sample spikes into the guest's data
# (about 45 a second, measured); at 48000 Hz it is copied as it is.
MIC_RATE = 48000
# The tone file's level: a sine of amplitude 0.5 (write_tone).
MIC_DBFS = 20 * math.log10(0.5 / math.sqrt(2))


def ac97_bars(mon):
    """(config-space address of device, BAR0 mixer I/O, BAR1 bus master)."""
    out = mon.cmd("info pci")[1]
    dev = None
    for block in re.split(r"\n(?=\s*Bus\s)", out):
        if "8086:2415" in block or "Audio controller" in block:
            dev = block
    if dev is None:
        e2e.fail("no AC97 in info pci:\n" + out)
    slot = int(re.search(r"device\s+(\d+)", dev)[1])
    bars = dict((int(n), int(addr, 16)) for n, addr in
                re.findall(r"BAR(\d): I/O at (0x[0-9a-f]+)", dev))
    return 0x80000000 | slot << 11, bars[0], bars[1]


def inb(mon, port):
    """HMP's "i /b PORT": "portb[0xPORT] = 0xVALUE"."""
    return int(re.search(r"= (0x[0-9a-f]+)", mon.cmd(f"i /b {port:#x}")[1])[1],
               16)


def write_bdl(path, entries, buf):
    """An AC97 buffer descriptor list: entries buffers of AC97_SAMPLES
    samples one after the other from guest address buf."""
    with open(path, "wb") as f:
        for i in range(entries):
            f.write(struct.pack("<IHH", buf + i * AC97_SAMPLES * 2,
                                AC97_SAMPLES, 0))


def record(run, a):
    bdl = os.path.join(run.tmp, "pi-bdl.bin")
    write_bdl(bdl, AC97_ENTRIES, AC97_BUF)
    qemu, qout, shim, sout, mon = start(
        run, ["-device", "AC97,audiodev=snd0", "-device",
              f"loader,file={bdl},addr={AC97_BDL:#x},force-raw=on"],
        AUDIODEV + f",in.frequency={MIC_RATE},in.channels=2")
    sout.wait_for(rf"audio: In voice \d+: {MIC_RATE} Hz, 2 ch, S16: "
                  r"stream \d+")
    tone = os.path.join(run.tmp, "mic.raw")
    audio.write_tone(tone, 1000, 30, MIC_RATE, 2)
    v, vout = start_viewer(run, sdl_env(run, inp=tone),
                           ["--microphone", "on"])
    m = vout.wait_for(r'audio: recording into stream \d+ of VM "[^"]*" '
                      r'\((\d+) Hz, (\d+) ch\) from (\w+)')[1]
    if (m[1], m[2], m[3]) != (str(MIC_RATE), "2", "disk"):
        e2e.fail(f"recording at {m[1]} Hz, {m[2]} ch from {m[3]}: the tone "
                 f"file is {MIC_RATE} Hz, 2 ch, for the disk driver")
    cfg, nam, nabm = ac97_bars(mon)
    mon.cmd(f"o /w 0xcf8 {cfg | 0x04:#x}")
    mon.cmd("o /h 0xcfc 0x0005")              # I/O space + bus master
    # The record gain (reset: muted): QEMU passes it on as the voice's
    # volume, and the viewer applies it.
    mon.cmd(f"o /h {nam + 0x1c:#x} 0x0f0f")
    mon.cmd(f"o /w {nabm + 0x00:#x} {AC97_BDL:#x}")  # PI BDBAR
    mon.cmd(f"o /b {nabm + 0x05:#x} {AC97_ENTRIES - 1}")  # LVI
    ran = time.monotonic()
    mon.cmd(f"o /b {nabm + 0x0b:#x} 0x01")    # run
    seconds = AC97_ENTRIES * AC97_SAMPLES / 2 / 48000
    # Done when the controller halts at the last buffer (SR bit 0, DCH).
    wait_for("the end of the recording", lambda: inb(mon, nabm + 0x06) & 1,
             timeout=4 * seconds + 10)
    print(f"e2e: the guest recorded {seconds:.2f} s in "
          f"{time.monotonic() - ran:.2f} s")
    saved = os.path.join(run.tmp, "guest-ram.raw")
    mon.cmd(f'pmemsave {AC97_BUF:#x} {AC97_ENTRIES * AC97_SAMPLES * 2} '
            f'"{saved}"')
    wait_for("pmemsave's file", lambda: os.path.exists(saved) and
             os.path.getsize(saved) == AC97_ENTRIES * AC97_SAMPLES * 2)
    run.stop_viewer(v, vout)
    x = audio.read_raw(saved, 2, "S16")
    spans = audio.sound_spans(x, 48000)
    print(f"e2e: guest RAM: {len(x) / 48000:.2f} s at 48000 Hz; sound at "
          f"{', '.join(f'{s:.3f}-{e:.3f}' for s, e in spans)} s")
    if not spans:
        e2e.fail("the guest recorded silence")
    s, e = max(spans, key=lambda se: se[1] - se[0])
    got = audio.peak_hz(x[int((s + SKIP_S) * 48000):int(e * 48000)], 48000)
    print(f"e2e: the guest recorded {got:.2f} Hz for {e - s:.2f} s")
    if e - s < seconds / 2:
        e2e.fail(f"only {e - s:.2f} s of the {seconds:.2f} s recorded hold "
                 "the tone")
    if abs(got - 1000) > 10:
        e2e.fail(f"the guest recorded {got:.2f} Hz, not 1000 within 1 %")
    # Whole: no gap of silence, no step (the tone's own largest step is
    # 0.5 * 2 pi * 1000 / 48000 = 0.065), the file's level.
    tone_x = x[int(s * 48000):int(e * 48000)]
    level = audio.rms_dbfs(tone_x)
    step = audio.max_step(tone_x[1:])
    gaps = len(audio.sound_spans(tone_x, 48000, gap_s=0.001)) - 1
    print(f"e2e: in guest RAM: {level:.1f} dBFS (the file {MIC_DBFS:.1f}), "
          f"largest step {step:.3f}, {gaps} gaps")
    if gaps or step > 0.1 or abs(level - MIC_DBFS) > 1.0:
        e2e.fail("the recorded tone is not the file's, whole")
    print("e2e: the microphone's tone reached guest RAM")


# AC97's PCM-out: a 660 Hz tone at 48000 Hz, S16 stereo, in guest RAM.
PO_BDL = 0x18f0000
PO_BUF = 0x1900000
PO_HZ = 660
PO_ENTRIES = 5


def volume(run, a):
    """AC97 plays; the guest's mixer mutes it, then unmutes: QEMU sends
    SetVolume (and does not touch the samples), the shim passes it on and
    the viewer applies it: sound, silence, sound."""
    frames = PO_ENTRIES * AC97_SAMPLES // 2
    tone = os.path.join(run.tmp, "po.raw")
    t = np.arange(frames) / 48000
    wave = np.round(0.5 * 32767 * np.sin(2 * np.pi * PO_HZ * t))
    np.repeat(wave[:, None], 2, axis=1).astype("<i2").tofile(tone)
    bdl = os.path.join(run.tmp, "po-bdl.bin")
    write_bdl(bdl, PO_ENTRIES, PO_BUF)
    qemu, qout, shim, sout, mon = start(
        run, ["-device", "AC97,audiodev=snd0",
              "-device", f"loader,file={bdl},addr={PO_BDL:#x},force-raw=on",
              "-device", f"loader,file={tone},addr={PO_BUF:#x},force-raw=on"])
    out = os.path.join(run.tmp, "played.raw")
    v, vout = start_viewer(run, sdl_env(run, out))
    vout.wait_for(r"<- UPDATE")
    clock = FileClock(out)
    cfg, nam, nabm = ac97_bars(mon)
    mon.cmd(f"o /w 0xcf8 {cfg | 0x04:#x}")
    mon.cmd("o /h 0xcfc 0x0005")              # I/O space + bus master
    mon.cmd(f"o /h {nam + 0x18:#x} 0x0000")   # PCM out: 0 dB (reset: muted)
    mon.cmd(f"o /h {nam + 0x02:#x} 0x0000")   # master: 0 dB (reset: muted)
    sout.wait_for(r"audio: Out voice \d+ volume 255 255$")
    mon.cmd(f"o /w {nabm + 0x10:#x} {PO_BDL:#x}")  # PO BDBAR
    mon.cmd(f"o /b {nabm + 0x15:#x} {PO_ENTRIES - 1}")  # LVI
    start_ns = mon.cmd(f"o /b {nabm + 0x1b:#x} 0x01")[0]  # run
    phase = 0.8
    time.sleep(phase)
    mute_ns = mon.cmd(f"o /h {nam + 0x02:#x} 0x8000")[0]
    sout.wait_for(r"audio: Out voice \d+ volume 255 255, muted$")
    time.sleep(phase)
    unmute_ns = mon.cmd(f"o /h {nam + 0x02:#x} 0x0000")[0]
    time.sleep(phase)
    end_ns = time.monotonic_ns()
    run.stop_viewer(v, vout)
    clock.stop()
    rate = int(vout.wait_for(OPENED)[1][2])
    x = audio.read_raw(out, 2)
    fb = 8
    # Each phase less the pipeline's settling at both ends.
    edge = int(0.15e9)
    parts = [("playing", start_ns, mute_ns), ("muted", mute_ns, unmute_ns),
             ("unmuted", unmute_ns, end_ns)]
    for name, t0, t1 in parts:
        seg = x[clock.frame_at(t0 + edge, fb):clock.frame_at(t1 - edge, fb)]
        level = audio.rms_dbfs(seg)
        hz = audio.peak_hz(seg, rate)
        print(f"e2e: {name}: {len(seg)} frames, {level:.1f} dBFS"
              + (f", {hz:.1f} Hz" if hz else ""))
        if len(seg) == 0:
            e2e.fail(f"nothing was played while {name}")
        if name == "muted":
            if level > -60:
                e2e.fail(f"the muted guest is heard ({level:.1f} dBFS)")
        elif level < -15 or hz is None or abs(hz - PO_HZ) > PO_HZ * 0.01:
            e2e.fail(f"while {name} the tone is not heard at {PO_HZ} Hz")
    print("e2e: the guest's mute reached the viewer, which applied it")


def p2p_old(run, a):
    hmp = os.path.join(run.tmp, "hmp.sock")
    qemu, qout = run.start_qemu(p2p=True, seabios=False, audiodev=AUDIODEV,
                                extra=["-monitor", "unix:" + hmp +
                                       ",server=on,wait=off"])
    qout.wait_for(r"^READY$")
    mon = Monitor(hmp)
    version = re.search(r"(\d+)\.(\d+)", mon.cmd("info version")[1])
    if int(version[1]) >= 8:
        # Nothing to guard: a pass would prove nothing (not in
        # tests/expected-skips: this machine's QEMU is 7.2).
        print(f"e2e: skipped: QEMU {version[0]} has p2p audio fixed; "
              "nothing to guard", flush=True)
        sys.exit(77)
    shim, sout = run.start_shim(p2p=True)
    sout.wait_for(r"audio: the VM's sound is not played: QEMU "
                  rf"{version[1]}\.{version[2]}\.\d+ crashes .*fixed in QEMU "
                  r"8\.0.*use the bus mode for sound")
    # Whatever the shim did next (a registration would crash QEMU at once)
    # is done by the time a viewer has the picture.
    shot = os.path.join(a.out_dir, "qemu-audio-p2p-old.png")
    v, vout = run.start_viewer(shot)
    vout.wait_for(r"<- UPDATE")
    run.stop_viewer(v, vout)
    if qemu.poll() is not None:
        e2e.fail(f"QEMU exited {qemu.returncode}")
    if "running" not in mon.cmd("info status")[1]:
        e2e.fail("QEMU's monitor does not say it runs")
    if sout.count(r"audio: \w+ listener up"):
        e2e.fail("the shim registered an audio listener over p2p")
    if sout.count(r"the VM's sound is not played") != 1:
        e2e.fail("the reason was not said exactly once")
    e2e.stop_shim(shim, sout, qemu)
    print("e2e: no listener over p2p on QEMU < 8.0, said why once; QEMU "
          "still runs")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", required=True,
                    choices=["pcspk", "pcspk-u8", "formats", "record",
                             "volume", "restart", "p2p-old"])
    a = e2e.parse_args(ap)
    e2e.skip_or_prepare(a)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="eglview-audio-") as tmp:
        run = e2e.Run(a, tmp)
        try:
            {"pcspk": pcspk, "pcspk-u8": lambda r, a: pcspk(r, a, True),
             "formats": formats, "record": record, "volume": volume,
             "restart": restart,
             "p2p-old": p2p_old}[a.case](run, a)
        finally:
            run.cleanup()
    print(f"e2e: audio {a.case} passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
