#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The demo moving for 30 frames (held-demo, which then holds its last
frame) in qemu-eglview --backend wayland --kiosk (fullscreen, the
pointer hidden over it) on weston's x11 backend (640x480, pixman) on
Xvfb: weston repaints only what each
commit says changed and puts only that into its X window, so a present
whose damage missed a changed pixel leaves it stale there. The window
is read with xwd (weston-screenshooter would repaint the whole output
first and hide that). Frame 0 must be demo-plain.png, the last
demo-moving.png (the offscreen golden images). Cases:

  gl          --zero-copy off: the GL path, its frames presented with
              their damage (eglSwapBuffersWithDamage); --damage on|off;
              its --snapshot (read back damage rect by damage rect) must
              be demo-moving.png too
  zero-copy   --zero-copy on: the demo's buffers handed to weston, with
              the UPDATEs' damage; --stats must say the head was on the
              zero-copy path

With llvmpipe, Mesa's Wayland swap damages the whole surface whatever
rects it is given, and the zero-copy path damages all of a buffer it did
not show last (the demo's three alternate): here the pictures are
checked end to end, the present rects only where a driver honours them."""
import argparse
import os
import subprocess
import sys
import time

from eglview_test.held import HeldDemo, viewer_stats
from eglview_test.procs import imgcmp, need_tools, wait_for
from eglview_test.weston import (Weston, check, stats_of, stop_viewer,
                                 weston_window)
from eglview_test.xsession import start_xvfb


def xwd(env, window, path):
    shot = subprocess.run(["xwd", "-silent", "-id", window], env=env,
                          capture_output=True, check=True)
    pnm = subprocess.run(["xwdtopnm"], input=shot.stdout,
                         capture_output=True, check=True)
    png = subprocess.run(["pnmtopng"], input=pnm.stdout,
                         capture_output=True, check=True)
    with open(path, "wb") as f:
        f.write(png.stdout)


def shot_until(a, xenv, window, name, ref, timeout=15.0):
    """xwd of weston's window until it matches ref or the time is up.
    Before each the pointer moves onto the kiosk's surface, which hides
    it there: no sprite in the picture (held-demo ignores the motion)."""
    path = os.path.join(a.out, name + ".png")
    diff = path[:-4] + "-diff.png"
    deadline = time.monotonic() + timeout
    step = 0
    while True:
        step ^= 1
        subprocess.run(["xdotool", "mousemove", "--window", window,
                        str(630 + step), "470"], env=xenv, check=True,
                       timeout=30)
        xwd(xenv, window, path)
        same, msg = imgcmp(a.imgcmp, ref, path, 4, diff, capture=True)
        if same:
            print(f"ok   {path} matches {ref}")
            return True
        if time.monotonic() > deadline:
            print(f"FAIL {path} vs {ref} (diff {diff}): {msg}")
            return False
        time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["gl", "zero-copy"])
    ap.add_argument("--damage", choices=["on", "off"], default="on")
    ap.add_argument("--held-demo", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--imgcmp", required=True)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    need_tools("weston", "Xvfb", "xdotool", "xwininfo", "xwd", "xwdtopnm",
               "pnmtopng")
    zero_copy = "on" if a.case == "zero-copy" else "off"
    name = f"wayland-damage-{a.case}-{a.damage}"
    xvfb, display = start_xvfb()
    xenv = dict(os.environ, DISPLAY=display)
    w = demo = None
    try:
        w = Weston(a, "x11", "pixman", 640, 480, display=display)
        win = wait_for("weston's X window", lambda: weston_window(xenv))
        sock = os.path.join(w.dir, "demo.sock")
        demo = HeldDemo(a.held_demo, sock, "--size", "640x480", "--fps", "60",
                        "--frames", "30", env=w.env, start_on_signal=True)
        # --snapshot keeps the GL path (the zero-copy one has no frame).
        snapshot = os.path.join(a.out, name + "-snapshot.png")
        if os.path.exists(snapshot):
            os.unlink(snapshot)
        viewer = w.spawn([a.viewer, "--backend", "wayland", "--kiosk",
                          "--stats", "--zero-copy", zero_copy, "--damage",
                          a.damage] +
                         (["--snapshot", snapshot] if a.case == "gl" else []) +
                         [sock], stderr=subprocess.PIPE, text=True)
        ok = shot_until(a, xenv, win, name + "-frame0",
                        os.path.join(a.golden, "demo-plain.png"))
        demo.start_clock()
        demo.wait_holding(29)
        ok &= shot_until(a, xenv, win, name,
                         os.path.join(a.golden, "demo-moving.png"))
        err, stopped = stop_viewer(viewer)
        ok &= stopped
        st = stats_of(err)
        want = "zero-copy wl_shm" if zero_copy == "on" else \
            "GL (--zero-copy off)"
        ok &= check(f"head 1 {want}", st.get("head 1", "").startswith(want),
                    st.get("head 1", ""))
        if a.case == "gl":
            ref = os.path.join(a.golden, "demo-moving.png")
            same, msg = imgcmp(a.imgcmp, ref, snapshot, 4,
                               snapshot[:-4] + "-diff.png", capture=True)
            ok &= check(f"--snapshot {snapshot} matches {ref}", same, msg)
        figures = viewer_stats(err)
        ok &= check("the frames came", figures.get("updates", 0) >= 2,
                    str(figures))
        print(f"     {figures.get('frames')} frames, "
              f"{figures.get('pixels_drawn')} pixels drawn")
    finally:
        if demo:
            demo.stop()
        if w:
            w.close()
        xvfb.terminate()
        xvfb.wait()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
