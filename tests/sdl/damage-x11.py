#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Partial frames in a real SDL window on Xvfb (EGL_BUFFER_PRESERVED: each
frame redraws and presents only what changed): the demo moving for 30
frames (held-demo, which then holds its last frame), the window
screenshot (xwd) compared with the offscreen golden images. Cases:

  moving  640x480, 1:1: frame 0 is demo-plain.png; after 30 frames
          demo-moving.png
  resize  the window resized to 800x450 while the demo moves: the last
          frame letterboxed, demo-moving-fit-800x450.png

The viewer's --snapshot (the frame kept on the CPU, read back from GL
damage rect by damage rect) must show the same at exit.

--damage on|off runs the viewer so. With on, --stats must show partial
frames: fewer pixels drawn than frames times the window's pixels."""
import argparse
import os
import subprocess
import sys
import tempfile
import time

from eglview_test.held import HeldDemo, viewer_stats
from eglview_test.procs import Lines, imgcmp, need_tools, stop_procs, wait_for
from eglview_test.xsession import start_xvfb

W, H = 640, 480


class Window:
    def __init__(self, a, case, fps):
        need_tools("Xvfb", "xdotool", "xwd", "xwdtopnm", "pnmtopng")
        self.a = a
        self.tmp = tempfile.TemporaryDirectory(prefix="eglview-sdl-damage-")
        self.procs = []
        self.demo = None
        xvfb, display = start_xvfb("1600x1200x24")
        self.procs.append(xvfb)
        self.env = dict(os.environ, DISPLAY=display)
        self.env.pop("WAYLAND_DISPLAY", None)
        # Off the window-to-be: the host pointer is not in a screenshot,
        # but keep it away all the same.
        self.x(["mousemove", "1599", "1199"])
        sock = os.path.join(self.tmp.name, "demo.sock")
        self.demo = HeldDemo(a.held_demo, sock, "--size", f"{W}x{H}",
                             "--fps", str(fps), "--frames", "30",
                             env=self.env, start_on_signal=True)
        self.snapshot = os.path.join(
            a.out, f"sdl-{case}-snapshot-damage-{a.damage}-{a.draw}.png")
        if os.path.exists(self.snapshot):
            os.unlink(self.snapshot)
        cmd = [a.viewer, "--backend", "sdl", "--stats", "--damage", a.damage,
               "--draw", a.draw, "--snapshot", self.snapshot, sock]
        print("viewer:", " ".join(cmd))
        self.viewer = subprocess.Popen(cmd, env=self.env,
                                       stderr=subprocess.PIPE, text=True)
        self.procs.append(self.viewer)
        self.err = Lines(self.viewer.stderr, "the viewer's stderr")
        self.window = wait_for("the viewer's window", lambda: self.find(
            "demo - qemu-eglview"), proc=self.viewer)

    def x(self, args):
        r = subprocess.run(["xdotool"] + args, env=self.env,
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError(f"xdotool {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def find(self, name):
        r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name",
                            name], env=self.env, capture_output=True,
                           text=True, timeout=30)
        out = r.stdout.split()
        return out[0] if out else None

    def screenshot(self, path):
        xwd = subprocess.run(["xwd", "-silent", "-id", self.window],
                             env=self.env, capture_output=True, check=True)
        pnm = subprocess.run(["xwdtopnm"], input=xwd.stdout,
                             capture_output=True, check=True)
        png = subprocess.run(["pnmtopng"], input=pnm.stdout,
                             capture_output=True, check=True)
        with open(path, "wb") as f:
            f.write(png.stdout)

    def shot_matches(self, name, reference, timeout=15.0):
        """Screenshots until one matches the reference or the time is up;
        the last shot and its diff stay in the build directory."""
        shot = os.path.join(self.a.out, f"{name}-damage-{self.a.damage}.png")
        diff = shot[:-4] + "-diff.png"
        ref = os.path.join(self.a.golden, reference)
        deadline = time.monotonic() + timeout
        while True:
            self.screenshot(shot)
            same, out = imgcmp(self.a.imgcmp, ref, shot, 4, diff, capture=True)
            if same:
                print(f"ok   screenshot {shot} matches {ref}")
                return True
            if time.monotonic() > deadline:
                print(f"FAIL screenshot {shot} vs {ref} (diff {diff}):\n{out}")
                return False
            time.sleep(0.1)

    def stop(self):
        """SIGTERM: the viewer prints --stats on its way out."""
        self.viewer.terminate()
        rc = self.viewer.wait(timeout=20)
        self.err.thread.join(timeout=5)
        if rc != 0:
            print("\n".join(self.err.lines))
            print(f"FAIL the viewer exited {rc}")
            return None
        return viewer_stats("\n".join(self.err.lines))

    def close(self):
        if self.demo:
            self.demo.stop()
        stop_procs(self.procs)
        self.tmp.cleanup()


def partial_frames(a, stats):
    """With --damage on fewer pixels than whole frames of the smaller
    window (640x480); with off at least that many."""
    frames, drawn = stats.get("frames", 0), stats.get("pixels_drawn", -1)
    whole = frames * W * H
    print(f"     {frames} frames, {drawn} pixels drawn ({whole} if each "
          f"were a whole {W}x{H})")
    if a.damage == "on" and not (frames >= 2 and 0 < drawn < whole):
        print("FAIL --damage on drew no partial frame")
        return False
    if a.damage == "off" and drawn < whole:
        print("FAIL --damage off drew less than whole frames")
        return False
    # The path asked for is the one taken: the window's 1:1 frames are
    # the CPU's with --draw cpu, GL's with --draw gl (a scaled window is
    # always GL's).
    cpu = stats.get("cpu_frames", -1)
    print(f"     {cpu} of them drawn by the CPU (--draw {a.draw})")
    if a.draw == "gl" and cpu != 0:
        print("FAIL --draw gl drew frames on the CPU")
        return False
    if a.draw == "cpu" and cpu <= 0:
        print("FAIL --draw cpu drew no frame on the CPU")
        return False
    return True


def snapshot_matches(a, w, reference):
    ref = os.path.join(a.golden, reference)
    diff = w.snapshot[:-4] + "-diff.png"
    same, out = imgcmp(a.imgcmp, ref, w.snapshot, 4, diff, capture=True)
    print(f"{'ok  ' if same else 'FAIL'} --snapshot {w.snapshot} vs {ref}"
          f"{'' if same else ': ' + out}")
    return same


def case_moving(a, w):
    ok = w.shot_matches("sdl-moving-frame0", "demo-plain.png")
    w.demo.start_clock()
    w.demo.wait_holding(29)
    ok &= w.shot_matches("sdl-moving", "demo-moving.png")
    return ok, "demo-moving.png"


def case_resize(a, w):
    ok = w.shot_matches("sdl-resize-frame0", "demo-plain.png")
    w.demo.start_clock()
    time.sleep(0.3)  # a few frames at 15 fps, then the resize
    w.x(["windowsize", "--sync", w.window, "800", "450"])
    if w.demo.lines.count("holding frame"):
        print("FAIL the demo had finished before the window was resized "
              "(a loaded machine?): nothing moved after the resize")
        ok = False
    w.demo.wait_holding(29)
    ok &= w.shot_matches("sdl-resize", "demo-moving-fit-800x450.png")
    return ok, "demo-moving-fit-800x450.png"


CASES = {"moving": (60, case_moving), "resize": (15, case_resize)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--held-demo", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--imgcmp", required=True)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--damage", choices=["on", "off"], default="on")
    ap.add_argument("--draw", choices=["auto", "gl", "cpu"], default="auto")
    a = ap.parse_args()
    fps, fn = CASES[a.case]
    w = Window(a, a.case, fps)
    try:
        ok, last = fn(a, w)
        stats = w.stop()
        ok &= stats is not None and partial_frames(a, stats)
        ok &= snapshot_matches(a, w, last)
    finally:
        w.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
