#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A real VM on the Wayland zero-copy path: QEMU (TCG, -display dbus on a
private dbus-daemon) runs the test guest; eglview-shim --source qemu
offers HOLD_SHOWN for the buffers QEMU's Scanout/Update pixels are copied
into; qemu-eglview --backend wayland --fullscreen on weston's headless
backend (a 1024x768 output, the guest's size, GL renderer on llvmpipe)
hands them to weston as they are. Not the pixman renderer: it copies an
XRGB8888 buffer's X byte, which QEMU leaves 0, into its output, and
weston-screenshooter then reads that as alpha (a fully transparent shot
of a picture that is on screen). Keys sent by the viewer's --input-script make the guest draw,
so QEMU's Updates keep coming while weston holds the buffer on screen.

Must hold: the guest echoes every key; weston's screenshot is the
reviewed golden image of the guest with those keys (qemu-guest-keys.png,
as the offscreen e2e test takes it); the viewer's --stats says head 1 is
on "zero-copy wl_shm", with nothing uploaded and a frame handed over for
each UPDATE; the shim's --verbose count says no update waited for a free
buffer and nothing went through its canvas.

With --glon (suite glon, inside the test VM only): QEMU renders with
-display dbus,gl=on on the VM's vgem card node and hands over dma-bufs;
QEMU, weston (GL renderer) and the viewer all run under the VM's Mesa 25,
whose EGL imports dma-bufs, so weston offers zwp_linux_dmabuf_v1 and
QEMU's dma-buf goes to weston as a linux-dmabuf wl_buffer: head 1 must
be on "zero-copy linux-dmabuf", and the shim copies no pixels at all.

Exit 77 (skipped) only where weston, QEMU or dbus-daemon is missing or
weston cannot start here, and with --glon outside the test VM.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from eglview_test.vm import load_mesa25

SKIP = 77
TIMEOUT_S = 30.0
# As e2e.py's guest-keys scenario (12 scancode bytes, within QEMU 7.2's
# 16-byte PS/2 queue); its golden image shows these cells.
KEYS = [("KEY_Q", 0x10), ("KEY_M", 0x32), ("KEY_RIGHT", 0xcd),
        ("KEY_LEFTMETA", 0xdb)]


def fail(why):
    print(f"zerocopy-wayland: FAIL: {why}", flush=True)
    raise SystemExit(1)


def check(name, cond, detail=""):
    print(f"{'ok  ' if cond else 'FAIL'} {name}"
          f"{': ' + detail if detail else ''}", flush=True)
    return bool(cond)


class Lines:
    """A process's output lines, collected by a thread; waitable."""

    def __init__(self, name, pipe):
        self.name, self.lines = name, []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, args=(pipe,), daemon=True).start()

    def _read(self, pipe):
        for raw in iter(pipe.readline, b""):
            line = raw.decode(errors="replace").rstrip("\r\n")
            print(f"[{self.name}] {line}", flush=True)
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()

    def wait_for(self, pattern, timeout=TIMEOUT_S):
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    if rx.search(line):
                        return line
                left = end - time.monotonic()
                if left <= 0:
                    fail(f"no line matching {pattern!r} from {self.name}")
                self.cond.wait(left)

    def text(self):
        with self.cond:
            return "\n".join(self.lines)


def wait_for(what, cond, timeout=TIMEOUT_S):
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def stats_of(text):
    """The viewer's --stats lines: {'head 1': '...', 'stats': {k: v}}."""
    got = {}
    for line in text.splitlines():
        if not line.startswith("qemu-eglview: "):
            continue
        key, _, rest = line[len("qemu-eglview: "):].partition(": ")
        if key.startswith("head "):
            got[key] = rest
        elif key in ("stats", "zero-copy", "presentation"):
            got[key] = dict(f.split("=", 1) for f in rest.split() if "=" in f)
    return got


def num(st, part, key):
    return int(float(st.get(part, {}).get(key, "-1")))


def main():
    ap = argparse.ArgumentParser()
    for opt in ("shim", "viewer", "imgcmp", "guest", "golden-dir",
                "out-dir"):
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--glon", action="store_true")
    a = ap.parse_args()
    global TIMEOUT_S
    if a.glon:
        if os.environ.get("EGLVIEW_IN_VM") != "1" or not os.path.isfile(
                os.environ.get("EGLVIEW_VM_MESA25_ENV", "")):
            print("skipped: only inside the test VM (vm / glon-suite-in-vm "
                  "runs it there, with Mesa 25)")
            return SKIP
        load_mesa25()
        # TCG inside TCG, every process on llvmpipe: slow frames.
        TIMEOUT_S = 180.0
    missing = [t for t in ("weston", "weston-screenshooter",
                           "qemu-system-x86_64", "dbus-daemon")
               if shutil.which(t) is None]
    if missing:
        print("skipped: missing " + ", ".join(missing))
        return SKIP
    os.makedirs(a.out_dir, exist_ok=True)
    procs = []
    tmp = tempfile.TemporaryDirectory(prefix="eglview-zc-qemu-")
    d = tmp.name
    os.chmod(d, 0o700)

    def spawn(name, cmd, env=None):
        print(f"run: {' '.join(cmd)}", flush=True)
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=env)
        procs.append(p)
        return p, Lines(name, p.stdout)

    try:
        env = dict(os.environ, XDG_RUNTIME_DIR=d, EGL_LOG_LEVEL="fatal")
        env.pop("WAYLAND_DISPLAY", None)
        env.pop("DISPLAY", None)
        ini = os.path.join(d, "weston.ini")
        with open(ini, "w") as f:
            f.write("[shell]\nanimation=none\nclose-animation=none\n"
                    "startup-animation=none\nfocus-animation=none\n"
                    "[core]\nidle-time=0\n")
        cmd = ["weston", "--backend=headless-backend.so", "--width=1024",
               "--height=768", "--socket=wl-qemu", "--debug",
               "--idle-time=0", "--use-gl", f"--config={ini}",
               "--log=" + os.path.join(d, "weston.log")]
        if a.glon:
            # In the VM weston's EGL would take the vgem card (kms_swrast),
            # whose llvmpipe crashed weston on QEMU's dma-buf; with the
            # card hidden from weston alone (a mount namespace) it takes
            # Mesa 25's software device, which imports any dma-buf.
            cmd = ["unshare", "-m", "sh", "-c", "mount -t tmpfs none "
                   "/dev/dri && exec \"$0\" \"$@\""] + cmd
        weston = subprocess.Popen(cmd, env=env, cwd=d,
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        procs.append(weston)
        end = time.monotonic() + 15
        while not os.path.exists(os.path.join(d, "wl-qemu")):
            if weston.poll() is not None or time.monotonic() > end:
                print("skipped: weston (headless, GL) cannot run here")
                return SKIP
            time.sleep(0.05)
        wenv = dict(env, WAYLAND_DISPLAY="wl-qemu")

        bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork",
                                "--print-address=1", "--address=unix:path=" +
                                os.path.join(d, "bus")],
                               stdout=subprocess.PIPE)
        procs.append(bus)
        addr = bus.stdout.readline().decode().strip()
        if not addr:
            fail("dbus-daemon printed no address")
        qemu, qout = spawn("qemu", [
            "qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-m",
            "32", "-nodefaults", "-no-user-config", "-vga", "std", "-name",
            "eglview-zero-copy", "-display", "dbus,addr=" + addr.split(",")[0]
            + (",gl=on,rendernode=/dev/dri/card0" if a.glon else ""),
            "-kernel", a.guest, "-debugcon", "stdio"])
        sock = os.path.join(d, "vm.sock")
        shim, sout = spawn("shim", [a.shim, "--source", "qemu", "--verbose",
                                    "--dbus-address", addr, sock])
        sout.wait_for(r"attached to VM")
        qout.wait_for(r"^READY$")
        script = os.path.join(d, "keys.txt")
        with open(script, "w") as f:
            for name, _ in KEYS:
                for value in (1, 0):
                    f.write(f"keyboard EV_KEY {name} {value}\n"
                            "keyboard EV_SYN SYN_REPORT 0\n")
        viewer, vout = spawn("viewer", [
            a.viewer, "--backend", "wayland", "--fullscreen", "--stats",
            "--input-script", script, sock], env=wenv)
        for _, qnum in KEYS:
            qout.wait_for(rf"^KEY 0x{qnum:02x}$")

        # The picture on weston's screen, until it is the golden one.
        golden = os.path.join(a.golden_dir, "qemu-guest-keys.png")
        shot = os.path.join(a.out_dir, "qemu-zerocopy-wayland%s.png" %
                            ("-glon" if a.glon else ""))
        end = time.monotonic() + TIMEOUT_S
        ok = False
        while not ok:
            for old in glob.glob(os.path.join(d, "wayland-screenshot*")):
                os.unlink(old)
            r = subprocess.run(["weston-screenshooter"], env=wenv, cwd=d,
                               timeout=60, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"weston-screenshooter exited {r.returncode}: "
                      f"{r.stdout}{r.stderr}", flush=True)
            taken = glob.glob(os.path.join(d, "wayland-screenshot*.png"))
            if taken:
                shutil.copy(taken[0], shot)
                r = subprocess.run([a.imgcmp, golden, shot, "--tolerance",
                                    "4", "--diff", shot[:-4] + "-diff.png"],
                                   capture_output=True, text=True)
                ok = r.returncode == 0
            if not ok and time.monotonic() > end:
                fail(f"weston's screen {shot} never matched {golden}: "
                     f"{r.stdout}{r.stderr}")
            if not ok:
                time.sleep(0.2)
        print(f"ok   {shot} matches {golden}", flush=True)
        if viewer.poll() is not None:
            fail(f"the viewer exited early ({viewer.returncode})")

        viewer.terminate()
        if viewer.wait(timeout=20) != 0:
            fail(f"the viewer exited {viewer.returncode} on SIGTERM")
        time.sleep(0.2)
        shim.terminate()
        shim.wait(timeout=20)
        time.sleep(0.2)
        st = stats_of(vout.text())
        head = st.get("head 1", "")
        path = "zero-copy linux-dmabuf" if a.glon else "zero-copy wl_shm"
        ok = check("head 1 on the zero-copy path", head.startswith(path),
                   head)
        ok &= check("nothing uploaded", num(st, "stats", "bytes_uploaded") == 0,
                    str(st.get("stats")))
        updates = num(st, "stats", "updates")
        handed = num(st, "zero-copy", "frames_handed")
        # The first frame, and at least one for the keys' cells.
        ok &= check("every UPDATE handed to weston",
                    updates >= 2 and handed == updates,
                    f"updates={updates} frames_handed={handed}")
        m = re.search(r"pixels: (\d+) bytes copied from QEMU into the "
                      r"buffers, (\d+) caught up between buffers, (\d+) "
                      r"through the canvas; (\d+) updates waited",
                      sout.text())
        if a.glon:
            # QEMU's dma-bufs pass through: no pixel is copied.
            ok &= check("the shim copied no pixels", m is None or
                        int(m.group(1)) == 0, m.group(0) if m else "")
            return 0 if ok else 1
        ok &= check("the shim's count line", m is not None)
        if m:
            ok &= check("copied from QEMU, never through the canvas, "
                        "never waiting for a free buffer",
                        int(m.group(1)) >= 1024 * 768 * 4 and
                        int(m.group(3)) == 0 and int(m.group(4)) == 0,
                        m.group(0))
        return 0 if ok else 1
    finally:
        log = os.path.join(d, "weston.log")
        if os.path.exists(log):  # kept for whoever reads a failure
            shutil.copy(log, os.path.join(a.out_dir, "weston-zerocopy%s.log"
                                          % ("-glon" if a.glon else "")))
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
