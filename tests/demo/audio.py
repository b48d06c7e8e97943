#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The demo's sound end to end: the real qemu-eglview --demo (which runs
the real eglview-shim) with the offscreen output and SDL's disk audio
driver, so what the viewer plays lands in a file and what it records
comes from one (tests/lib/eglview_test/audio.py: F32, 48000 Hz, 2 ch, as
the viewer opens its devices at the demo's streams' rate and channels).
Cases:

  tone      --tone 440, then --tone 1000: the file's pitch is the tone's
            (FFT peak within 1 %), its level -9 dBFS (amplitude 0.5), and
            no step between neighbouring samples is beyond the sine's own
            slope (no click where one write meets the next)
  none      no --tone: the file is silent (or never made)
  mic       --microphone on, the input a 1 kHz tone at amplitude 0.5: the
            shim logs "microphone level -9.0 dBFS, peak 1000 Hz" (within
            1 %) once a second, and the picture (--fps 0: frame 0) is
            tests/golden/demo-meter.png, the meter showing -9.0
  mic-off   the same input without --microphone: no level line, no meter
  idle      a still demo (--fps 0) without --tone, a viewer with audio
            connected: none of the shim's timerfds is armed (its audio
            clock costs nothing); with --tone its 10 ms one is
  usage     --tone out of range or not a number refused (status 2), and
            with --source qemu
Each run ends with SIGTERM once enough has been played or logged; the
waits are for those conditions, never fixed sleeps."""
import os
import re
import signal
import subprocess
import sys
import tempfile

from eglview_test.procs import (SLOW, WRAP, Lines, check, imgcmp,
                                screen_test_args, stop_procs, wait_for)
from eglview_test import audio

RATE, CHANNELS = 48000, 2
FRAME_BYTES = 4 * CHANNELS  # F32
LEVEL_LINE = r"demo: microphone level (\S+) dBFS, (?:peak (\S+) Hz|silent)"


def start(a, tmp, demo_args, viewer_args=(), env=None, shot=None):
    cmd = [a.viewer, "--demo", "--backend", "offscreen", "--verbose"]
    for arg in demo_args:
        cmd += ["--demo-option", arg]
    if shot:
        cmd += ["--snapshot", shot]
    cmd += list(viewer_args)
    full_env = dict(os.environ, SDL_AUDIODRIVER="disk",
                    SDL_DISKAUDIOFILE=os.path.join(tmp, "played.raw"),
                    XDG_RUNTIME_DIR=tmp, **(env or {}))
    print("viewer:", " ".join(cmd))
    viewer = subprocess.Popen(WRAP + cmd, stderr=subprocess.PIPE, text=True,
                              env=full_env)
    return viewer, Lines(viewer.stderr, "the viewer's stderr",
                         timeout=20 * SLOW)


def stop(viewer, lines, signalled=True):
    """Waits for the viewer's exit (SIGTERM first when signalled), which
    must be status 0."""
    if signalled:
        viewer.send_signal(signal.SIGTERM)
    rc = viewer.wait(timeout=60 * SLOW)
    lines.thread.join(timeout=5)
    if rc != 0:
        print("\n".join(lines.lines))
        sys.exit(f"demo-audio: qemu-eglview exited {rc}, expected 0")


def play(a, tmp, hz, seconds):
    """The demo with --tone hz until the viewer has played seconds of
    it; the played frames."""
    viewer, lines = start(a, tmp, ["--size", "320x240", "--tone", str(hz)])
    played = os.path.join(tmp, "played.raw")
    lines.wait_for(r"audio: playing stream \d+ of VM")
    want = int(seconds * RATE) * FRAME_BYTES
    try:
        wait_for(f"{seconds} s played into {played}",
                 lambda: os.path.exists(played) and
                 os.path.getsize(played) >= want,
                 timeout=(seconds + 20) * SLOW, proc=viewer)
    except RuntimeError as e:
        print("\n".join(lines.lines))
        sys.exit(f"demo-audio: {e}")
    stop(viewer, lines)
    return audio.read_raw(played, CHANNELS)


def case_tone(a, tmp):
    ok = True
    for hz in (440, 1000):
        x = play(a, tmp, hz, 2.5)
        # From 100 ms in: what came before the first write may be silence.
        x = x[RATE // 10:]
        peak = audio.peak_hz(x, RATE)
        # The tone's level: the median of 100 ms windows, so that a gap
        # the viewer left (its underruns are its own tests' business)
        # does not count as the demo's.
        windows = [audio.rms_dbfs(x[i:i + RATE // 10])
                   for i in range(0, len(x) - RATE // 10, RATE // 10)]
        level = sorted(windows)[len(windows) // 2]
        step = audio.max_step(x)
        slope = 2 * 3.141592653589793 * hz * 0.5 / RATE
        print(f"{hz} Hz: {len(x) / RATE:.2f} s, peak {peak:.2f} Hz, "
              f"{audio.rms_dbfs(x):.2f} dBFS in all, {level:.2f} in the "
              f"median 100 ms, largest step {step:.4f} (slope {slope:.4f})")
        ok &= check(f"{hz} Hz: pitch within 1 %",
                    peak is not None and abs(peak - hz) <= hz / 100,
                    f"{peak} Hz")
        ok &= check(f"{hz} Hz: -9 dBFS", abs(level - -9.03) <= 0.2,
                    f"{level:.2f} dBFS")
        # One quantisation step of S16 beyond the slope: a click or a
        # gap is a jump many times that.
        ok &= check(f"{hz} Hz: no click", step <= slope * 1.05 + 2 / 32768,
                    f"{step:.4f} against a slope of {slope:.4f}")
    return ok


def case_none(a, tmp):
    # 150 frames at the demo's 60 a second: 2.5 s.
    viewer, lines = start(a, tmp, ["--size", "320x240"],
                          ["--exit-after-frames", "150"])
    stop(viewer, lines, signalled=False)
    played = os.path.join(tmp, "played.raw")
    if not os.path.exists(played):
        return check("no tone: nothing played", True, "no file made")
    x = audio.read_raw(played, CHANNELS)
    loudest = float(abs(x).max()) if len(x) else 0.0
    return check("no tone: silence", loudest < 1e-4,
                 f"{len(x) / RATE:.2f} s, loudest sample {loudest:.6f}")


def shows(a, shot, golden):
    """The snapshot against tests/golden/GOLDEN.png (imgcmp's default
    tolerance, the golden tests' 4 per channel)."""
    ref = os.path.join(a.golden, golden + ".png")
    diff = shot[:-4] + "-diff.png"
    same, _ = imgcmp(a.imgcmp, ref, shot, diff=diff, wrap=True)
    return check(f"the picture is {ref}", same, f"shot {shot}, diff {diff}")


def level_lines(lines, n):
    """Waits for n level lines; [(dbfs, hz or None)]."""
    got, at = [], 0
    for _ in range(n):
        at, m = lines.wait_for(LEVEL_LINE, start=at)
        at += 1
        hz = m.group(2)
        got.append((float(m.group(1)), float(hz) if hz else None))
    return got


def case_mic(a, tmp):
    tone = os.path.join(tmp, "tone-1k.raw")
    audio.write_tone(tone, 1000, 60, RATE, CHANNELS)
    shot = os.path.join(a.out, "demo-audio-mic.png")
    if os.path.exists(shot):
        os.unlink(shot)
    viewer, lines = start(a, tmp, ["--size", "640x480", "--fps", "0"],
                          ["--microphone", "on"],
                          env={"SDL_DISKAUDIOFILEIN": tone}, shot=shot)
    lines.wait_for(r"audio: recording into stream \d+ of VM")
    # The first second may hold the silence before the viewer's first
    # frames; from the third on, each is a whole second of the tone. The
    # snapshot is taken once two in a row said -9.0, so the meter does.
    got = level_lines(lines, 3)
    while got[-1][0] != -9.0 or got[-2][0] != -9.0:
        if len(got) >= 10:
            break
        got = level_lines(lines, len(got) + 1)
    stop(viewer, lines)
    for line in lines.lines:
        if re.search(LEVEL_LINE, line):
            print(line)
    ok = True
    for dbfs, hz in got[2:]:
        ok &= check("level about -9 dBFS", abs(dbfs - -9.0) <= 0.3,
                    f"{dbfs} dBFS")
        ok &= check("peak 1000 Hz within 1 %",
                    hz is not None and abs(hz - 1000) <= 10, f"{hz} Hz")
    return ok & shows(a, shot, "demo-meter")


def case_mic_off(a, tmp):
    tone = os.path.join(tmp, "tone-1k.raw")
    audio.write_tone(tone, 1000, 60, RATE, CHANNELS)
    shot = os.path.join(a.out, "demo-audio-mic-off.png")
    viewer, lines = start(a, tmp, ["--size", "640x480", "--fps", "0",
                                   "--tone", "440"],
                          env={"SDL_DISKAUDIOFILEIN": tone}, shot=shot)
    # As long as the mic case waits for three level lines: 3.5 s played.
    played = os.path.join(tmp, "played.raw")
    wait_for("3.5 s played", lambda: os.path.exists(played) and
             os.path.getsize(played) >= int(3.5 * RATE) * FRAME_BYTES,
             timeout=30 * SLOW, proc=viewer)
    stop(viewer, lines)
    ok = check("no recording", not any("audio: recording into" in l
                                       for l in lines.lines))
    ok &= check("no level line", not any(re.search(LEVEL_LINE, l)
                                         for l in lines.lines))
    return ok & shows(a, shot, "demo-plain")


def armed_timers(pid):
    """[(it_value, it_interval)] of pid's timerfds, as /proc says."""
    timers = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if "timerfd" not in os.readlink(f"/proc/{pid}/fd/{fd}"):
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                info = f.read()
        except OSError:
            continue
        value = re.search(r"it_value: \((\d+), (\d+)\)", info).groups()
        interval = re.search(r"it_interval: \((\d+), (\d+)\)", info).groups()
        timers.append((tuple(map(int, value)), tuple(map(int, interval))))
    return timers


def case_idle(a, tmp):
    ok = True
    for tone in (None, "440"):
        sock = os.path.join(tmp, "idle.sock")
        shim = subprocess.Popen(WRAP + [a.shim, "--size", "320x240", "--fps",
                                        "0", *(["--tone", tone] if tone else []),
                                        sock])
        wait_for("the shim's socket", lambda: os.path.exists(sock), proc=shim)
        env = dict(os.environ, SDL_AUDIODRIVER="disk",
                   SDL_DISKAUDIOFILE=os.path.join(tmp, "played.raw"))
        viewer = subprocess.Popen(WRAP + [a.viewer, "--backend", "offscreen",
                                          "--verbose", sock],
                                  stderr=subprocess.PIPE, text=True, env=env)
        try:
            lines = Lines(viewer.stderr, "the viewer's stderr")
            # The record stream came, and then its state: the viewer has
            # all the demo's audio.
            at, _ = lines.wait_for(r"audio: stream \d+ of \S+: record")
            lines.wait_for(r"audio: stream \d+ of \S+ enabled", start=at)
            timers = armed_timers(shim.pid)
            stop(viewer, lines)
        finally:
            stop_procs([shim, viewer])
        armed = [t for t in timers if t[0] != (0, 0) or t[1] != (0, 0)]
        print(f"tone {tone}: timerfds {timers}")
        if tone:
            ok &= check("with --tone: the audio clock ticks every 10 ms",
                        [t[1] for t in armed] == [(0, 10000000)], f"{armed}")
        else:
            ok &= check("no tone, nobody recording: no timer armed",
                        len(timers) >= 1 and not armed, f"{timers}")
    return ok


def case_usage(a, tmp):
    ok = True
    sock = os.path.join(tmp, "never.sock")
    for value in ("19", "20001", "440Hz", "-5", ""):
        r = subprocess.run(WRAP + [a.shim, "--tone", value, sock],
                           capture_output=True, text=True)
        ok &= check(f"--tone {value!r} refused",
                    r.returncode == 2 and f'--tone "{value}": expected a '
                    "frequency in Hz, 20..20000, or 0 for none" in r.stderr,
                    f"status {r.returncode}: {r.stderr.strip()}")
    r = subprocess.run(WRAP + [a.shim, "--source", "qemu", "--tone", "440",
                               "vm"], capture_output=True, text=True)
    ok &= check("--tone with --source qemu refused",
                r.returncode == 2 and "--tone applies to --source demo only"
                in r.stderr, f"status {r.returncode}: {r.stderr.strip()}")
    ok &= check("no socket left", not os.path.exists(sock))
    return ok


CASES = {"tone": case_tone, "none": case_none, "mic": case_mic,
         "mic-off": case_mic_off, "idle": case_idle, "usage": case_usage}


def main():
    a = screen_test_args(CASES)
    os.makedirs(a.out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="eglview-demo-audio-") as tmp:
        os.chmod(tmp, 0o700)
        ok = CASES[a.case](a, tmp)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
