#!/usr/bin/env python3
"""Benchmark (figures, never pass/fail): the CPU the guest's sound costs.
The PC speaker beeps (HMP, 440 Hz) for BEEP_S; the CPU seconds each
process used meanwhile, per second of playback:

  eglview disk   QEMU (-audiodev dbus) + eglview-shim + qemu-eglview
                 (offscreen, SDL_AUDIODRIVER=disk), and the viewer's
                 --stats latency (guest write -> device) and queue
  eglview pulse  the same with SDL's pulseaudio driver into a null sink of
                 a private pulseaudio, whose CPU is counted too
  qemu gtk+pa    QEMU's own window (-display gtk on Xvfb) with
                 -audiodev pa into that null sink, + pulseaudio

The pulse rows need pulseaudio and Xvfb (not in CI: the row says it was
left out). Usage: bench-audio.py SHIM VIEWER GUEST
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import audio as qaudio
import e2e
from eglview_test.procs import wait_for

BEEP_S = 10.0
TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def beep(mon, procs):
    """Beeps BEEP_S; {name: cpu-s per s} over the beep."""
    mon.cmd("o /b 0x43 0xb6")
    mon.cmd("o /b 0x42 0x98")
    mon.cmd("o /b 0x42 0x0a")
    before = {n: cpu_s(p.pid) for n, p in procs.items()}
    t0 = time.monotonic()
    mon.cmd("o /b 0x61 0x03")
    time.sleep(BEEP_S)
    mon.cmd("o /b 0x61 0x00")
    wall = time.monotonic() - t0
    return {n: (cpu_s(p.pid) - before[n]) / wall for n, p in procs.items()}


def start_pulse(run):
    """A private pulseaudio with a null sink; its socket path."""
    d = os.path.join(run.tmp, "pulse")
    os.mkdir(d)
    sock = os.path.join(d, "native")
    env = dict(os.environ, PULSE_RUNTIME_PATH=d, HOME=d)
    p = subprocess.Popen(["pulseaudio", "-n", "--daemonize=no",
                          "--exit-idle-time=-1", "--use-pid-file=no",
                          "--disallow-exit", "-L", "module-null-sink", "-L",
                          "module-native-protocol-unix auth-anonymous=1 "
                          f"socket={sock}"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run.procs.append(p)
    wait_for("pulseaudio's socket", lambda: os.path.exists(sock))
    return p, sock


def report(name, per_s, extra=""):
    total = sum(per_s.values())
    parts = ", ".join(f"{n} {v:.3f}" for n, v in per_s.items())
    print(f"bench-audio: {name}: {total:.3f} cpu-s per s of playback "
          f"({parts}){extra}", flush=True)


def eglview(run, pulse):
    qemu, qout, shim, sout, mon = qaudio.start(run)
    sout.wait_for(r"audio: Out voice \d+")
    procs = {"qemu": qemu, "shim": shim}
    env = qaudio.sdl_env(run, os.path.join(run.tmp, "played.raw"))
    if pulse:
        pa, sock = start_pulse(run)
        env.update(SDL_AUDIODRIVER="pulseaudio", PULSE_SERVER="unix:" + sock)
        procs["pulseaudio"] = pa
    v, vout = qaudio.start_viewer(run, env, ["--stats"])
    vout.wait_for(r"<- UPDATE")
    procs["viewer"] = v
    per_s = beep(mon, procs)
    driver = vout.wait_for(qaudio.OPENED)[1][4]
    run.stop_viewer(v, vout)
    stats = [l for l in vout.lines if re.search(r"audio: stream \d+ VM", l)]
    report(f"eglview {'pulse' if pulse else 'disk'} (SDL's {driver})", per_s)
    for line in stats:
        print(f"bench-audio:   viewer --stats: {line.split('audio: ', 1)[1]}")
    for p in (qemu, shim):
        p.kill()
        p.wait()


def gtk_pa(run, a):
    pa, sock = start_pulse(run)
    xvfb = subprocess.Popen(["Xvfb", ":97", "-screen", "0", "1280x1024x24",
                             "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    run.procs.append(xvfb)
    wait_for("Xvfb", lambda: os.path.exists("/tmp/.X11-unix/X97"))
    hmp = os.path.join(run.tmp, "hmp-gtk.sock")
    qemu, qout = run.spawn("qemu", [
        "qemu-system-x86_64", "-machine", "pc,pcspk-audiodev=snd0", "-accel",
        "tcg", "-m", "32", "-nodefaults", "-no-user-config", "-vga", "std",
        "-audiodev", f"pa,id=snd0,server=unix:{sock}", "-display", "gtk",
        "-monitor", f"unix:{hmp},server=on,wait=off", "-kernel", a.guest,
        "-debugcon", "stdio"], echo=False,
        env=dict(os.environ, DISPLAY=":97"))
    qout.wait_for(r"^READY$")
    mon = qaudio.Monitor(hmp)
    report("qemu gtk+pa", beep(mon, {"qemu": qemu, "pulseaudio": pa}))


def main():
    class A:
        pass
    a = A()
    a.shim, a.viewer, a.guest = sys.argv[1:4]
    why = e2e.skip_reason()
    if why:
        print(f"bench-audio: left out: {why}")
        return
    pulse = shutil.which("pulseaudio") and shutil.which("Xvfb")
    for name, fn in [("eglview disk", lambda r: eglview(r, False)),
                     ("eglview pulse", lambda r: eglview(r, True)),
                     ("qemu gtk+pa", lambda r: gtk_pa(r, a))]:
        if name != "eglview disk" and not pulse:
            print(f"bench-audio: {name}: left out (needs pulseaudio and "
                  "Xvfb: scripts/install-deps, perf group)")
            continue
        with tempfile.TemporaryDirectory(prefix="eglview-bench-audio-") as t:
            run = e2e.Run(a, t)
            try:
                fn(run)
            finally:
                run.cleanup()


if __name__ == "__main__":
    main()
