#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The guest follows the window (PROTOCOL.md, "The guest follows the
window"): a real eglview-shim with the demo and the real offscreen
qemu-eglview at --size 800x450, the demo's head 1024x768. Cases:

  follows   eglview-shim --resizable: the viewer's HEAD_SIZE reaches the
            demo, which takes 800x450; the last frame is the demo drawn
            at 800x450, 1:1 (tests/golden/demo-resized-800x450.png)
  off       the same with qemu-eglview --resize-guest off: no HEAD_SIZE,
            the 1024x768 head letterboxed as before
  fixed     a demo without --resizable offers no RESIZE: the viewer sends
            nothing and letterboxes
Each snapshot is taken when the viewer is stopped (SIGTERM) once the
shim said what it did, compared with imgcmp (--tolerance)."""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

from eglview_test.procs import SLOW, WRAP, Lines, imgcmp, wait_for_socket


def run(a, tmp, shim_args, viewer_args):
    sock = os.path.join(tmp, "vm.sock")
    shim = subprocess.Popen(WRAP + [a.shim, "--fps", "0", "--verbose",
                                    *shim_args, sock],
                            stderr=subprocess.PIPE, text=True)
    shim_lines = Lines(shim.stderr, "the shim's stderr")
    if not wait_for_socket(sock, shim):
        sys.exit("resize: the shim did not listen")
    shot = os.path.join(a.out_dir, f"resize-{a.case}.png")
    cmd = [a.viewer, "--backend", "offscreen", "--verbose", "--size",
           "800x450", "--snapshot", shot, *viewer_args, sock]
    print("viewer:", " ".join(cmd))
    viewer = subprocess.Popen(WRAP + cmd, stderr=subprocess.PIPE, text=True)
    lines = Lines(viewer.stderr, "the viewer's stderr")
    return shim, shim_lines, viewer, lines, shot


def stop(viewer, lines, shim):
    viewer.send_signal(signal.SIGTERM)
    rc = viewer.wait(timeout=30 * SLOW)
    lines.thread.join(timeout=5)
    shim.kill()
    shim.wait()
    if rc != 0:
        print("\n".join(lines.lines))
        sys.exit(f"resize: qemu-eglview exited {rc}")


def compare(a, name, shot):
    ref = os.path.join(a.golden, name + ".png")
    diff = shot[:-4] + "-diff.png"
    if not imgcmp(a.imgcmp, ref, shot, a.tolerance, diff, wrap=True)[0]:
        sys.exit(f"resize: {shot} differs from {ref} (diff {diff})")
    print(f"ok   {shot} matches {ref}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["follows", "off", "fixed"])
    for opt in ("shim", "viewer", "imgcmp", "golden", "out-dir"):
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--tolerance", type=int, required=True)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="eglview-resize-") as tmp:
        shim_args = ["--resizable"] if a.case in ("follows", "off") else []
        viewer_args = ["--resize-guest", "off"] if a.case == "off" else []
        shim, shim_lines, viewer, lines, shot = run(a, tmp, shim_args,
                                                    viewer_args)
        try:
            lines.wait_for(r"following 1 heads in 1 views")
            if a.case == "follows":
                shim_lines.wait_for(r"shows head 1 at 800x450")
                shim_lines.wait_for(r"head 1: 1024x768 -> 800x450")
                # The resized head's first frame shown.
                lines.wait_for(r"following 1 heads in 1 views, the first "
                               r"800x450")
                time.sleep(0.3 * SLOW)
            else:
                # Well past the viewer's settling time: nothing was sent.
                time.sleep(1.0 * SLOW)
        finally:
            stop(viewer, lines, shim)
        sent = [l for l in lines.lines if "HEAD_SIZE sent" in l]
        heard = [l for l in shim_lines.lines if "shows head" in l]
        if a.case == "follows":
            if len(sent) != 1 or len(heard) != 1:
                sys.exit(f"resize: {len(sent)} HEAD_SIZE sent, {len(heard)} "
                         "received; expected one (settled, not resent)")
            compare(a, "demo-resized-800x450", shot)
        else:
            if sent or heard:
                sys.exit(f"resize: HEAD_SIZE sent: {sent + heard}")
            if a.case == "fixed" and not any(
                    "features" in l and " resize" not in l
                    for l in lines.lines if "is VM" in l):
                sys.exit("resize: a demo without --resizable offered RESIZE")
            compare(a, "demo-plain-fit-800x450", shot)


if __name__ == "__main__":
    main()
