#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The guest follows the window (PROTOCOL.md, "The guest follows the
window"), in a real SDL window on Xvfb: the demo shim (640x480) with
--resizable, the window resized to 800x450 through XTest.

  follows   the window dragged through three sizes within 100 ms, then
            800x450: the viewer waits for the size to hold, so the demo
            hears of 800x450 only, once, and takes it: the window shows it
            1:1, as the offscreen golden demo-resized-800x450.png
  off       qemu-eglview --resize-guest off: the 640x480 head letterboxed
            (sdl-fit-800x450.png, as x11-screenshot)
Screenshots (xwd) are taken until one matches or 15 s pass."""
import argparse
import sys

from eglview_test.weston import golden, shot_until
from eglview_test.xsession import Session

CASES = {
    "follows": ([], "demo-resized-800x450"),
    "off": (["--resize-guest", "off"], "sdl-fit-800x450"),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--imgcmp", required=True)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--out", default=".")
    a = ap.parse_args()
    viewer_args, ref = CASES[a.case]
    s = Session(a.shim, a.viewer, ["--resizable", "--verbose"], viewer_args,
                settle=False, shim_log=True)
    try:
        ok = shot_until(a, s, f"resize-guest-{a.case}-640x480",
                        golden(a, "demo-plain"))
        for w, h in ((660, 400), (700, 420), (760, 440)):
            s.x(["windowsize", s.window, str(w), str(h)])
        s.resize(800, 450)
        ok &= shot_until(a, s, f"resize-guest-{a.case}", golden(a, ref))
        heard = [l for l in s.shim_lines.lines if "shows head" in l]
        want = ["shows head 1 at 800x450"] if a.case == "follows" else []
        if [l.split(": ", 2)[-1].split(" (")[0] for l in heard] != want:
            print(f"FAIL the demo heard {heard}, expected {want}")
            ok = False
        else:
            print(f"ok   the demo heard {len(want)} HEAD_SIZE")
    finally:
        s.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
