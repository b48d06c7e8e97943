#!/usr/bin/env python3
"""Several VMs in one output, with real eglview-shim processes (demo
source) on real sockets and the real qemu-eglview (offscreen). Cases:

  grid     three VMs of different pictures (640x480; two heads of 320x240;
           a portrait 480x640) and a fourth NAME with no shim, --layout grid
           --size 1280x960: the last frame is compared with
           tests/golden/layout-grid.png (the fourth tile waits, the first
           is marked); --stats has a line per VM and the total
  row      a 320x240 VM and a 640x480 one, no --size: the output takes two
           640x480 cells side by side (1280x480), golden layout-row.png
  column   the same stacked (640x960), golden layout-column.png
  restart  two VMs; the second's shim is SIGKILLed and started again while
           the first runs at 30 fps: the second's tile waits, then shows
           it again, and the first VM's frames kept coming meanwhile
  replaced two 640x480 VMs in a row, both moving: the second's shim is
           SIGKILLed and a still one (frame 0) takes its cell while the
           first (held-demo) moves on to its frame 29 and holds it. The
           last frame is tests/golden/layout-replaced.png: demo-moving
           with the focus mark beside demo-plain, nothing of the gone
           VM's picture or of the waiting screen left; --damage on|off
"""
import argparse
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time

# Under `meson test --setup valgrind`, WRAP and SLOW (tests/lib).
from eglview_test.held import HeldDemo
from eglview_test.procs import SLOW, WRAP, Lines, imgcmp, wait_for_socket


class Run:
    def __init__(self, a):
        self.a = a
        self.tmp = tempfile.TemporaryDirectory(prefix="eglview-layout-")
        self.dir = os.path.join(self.tmp.name, "qemu-eglview")
        os.mkdir(self.dir, 0o700)
        self.procs = []
        self.held = []

    def sock(self, name):
        return os.path.join(self.dir, name + ".sock")

    def shim(self, name, *args):
        sock = self.sock(name)
        p = subprocess.Popen(WRAP + [self.a.shim, "--source", "demo", *args, sock],
                             stderr=subprocess.DEVNULL)
        self.procs.append(p)
        if not wait_for_socket(sock, p):
            sys.exit(f"layout: eglview-shim for {name} did not listen on {sock}")
        return p

    def held_demo(self, name, *args):
        """held-demo for name: the demo holding its last frame."""
        held = HeldDemo(self.a.held_demo, self.sock(name), *args)
        self.held.append(held)
        return held

    def viewer(self, *args):
        env = dict(os.environ, XDG_RUNTIME_DIR=self.tmp.name)
        cmd = [self.a.viewer, "--backend", "offscreen", "--verbose", "--stats",
               *args]
        print("viewer:", " ".join(cmd))
        p = subprocess.Popen(WRAP + cmd, env=env, stderr=subprocess.PIPE, text=True)
        self.procs.append(p)
        return p, Lines(p.stderr, "the viewer's stderr")

    def close(self):
        for held in self.held:
            held.stop()
        for p in reversed(self.procs):
            if p.poll() is None:
                p.kill()
            p.wait()
        self.tmp.cleanup()


def finish(viewer, lines, signalled=False):
    """Waits for the viewer's exit (SIGTERM first when signalled); its
    exit status must be 0. The stats lines: {vm: (frames, connected)}."""
    if signalled:
        viewer.send_signal(signal.SIGTERM)
    rc = viewer.wait(timeout=30 * SLOW)
    lines.thread.join(timeout=5)
    if rc != 0:
        print("\n".join(lines.lines))
        sys.exit(f"layout: qemu-eglview exited {rc}, expected 0")
    stats = {}
    for line in lines.lines:
        m = re.search(r"stats: vm=(\S+) frames=(\d+) updates=\d+ connected=(\d)", line)
        if m:
            stats[m.group(1)] = (int(m.group(2)), m.group(3) == "1")
    if not any(re.search(r"stats: frames=\d+ bytes_uploaded=", l) for l in lines.lines):
        sys.exit("layout: no total stats line")
    return stats


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    return struct.unpack(">II", head[16:24])


def compare(a, name, shot):
    ref = os.path.join(a.golden, name + ".png")
    diff = shot[:-4] + "-diff.png"
    if not imgcmp(a.imgcmp, ref, shot, a.tolerance, diff, wrap=True)[0]:
        sys.exit(f"layout: {shot} differs from {ref} (diff {diff})")
    print(f"ok   {shot} matches {ref}")


def case_grid(a, r):
    r.shim("vm1", "--size", "640x480", "--fps", "0")
    r.shim("vm2", "--size", "320x240", "--heads", "2", "--fps", "0")
    r.shim("vm3", "--size", "480x640", "--fps", "0")
    shot = os.path.join(a.out_dir, "layout-grid.png")
    viewer, lines = r.viewer("--layout", "grid", "--size", "1280x960",
                             "--exit-after-frames", "1", "--snapshot", shot,
                             "vm1", "vm2", "vm3", "vm4")
    stats = finish(viewer, lines)
    want = {"vm1": True, "vm2": True, "vm3": True, "vm4": False}
    for vm, connected in want.items():
        if vm not in stats or stats[vm][1] != connected or \
           (connected and stats[vm][0] < 1) or (not connected and stats[vm][0]):
            sys.exit(f"layout: stats of {vm}: {stats.get(vm)}, expected "
                     f"connected={connected} and frames {'>= 1' if connected else '0'}")
    print(f"ok   --stats per VM: {stats}")
    if png_size(shot) != (1280, 960):
        sys.exit(f"layout: {shot} is {png_size(shot)}, expected --size 1280x960")
    compare(a, "layout-grid", shot)


def case_line(a, r, layout, size):
    r.shim("vm1", "--size", "320x240", "--fps", "0")
    r.shim("vm2", "--size", "640x480", "--fps", "0")
    shot = os.path.join(a.out_dir, f"layout-{layout}.png")
    viewer, lines = r.viewer("--layout", layout, "--exit-after-frames", "1",
                             "--snapshot", shot, "vm1", "vm2")
    finish(viewer, lines)
    if png_size(shot) != size:
        sys.exit(f"layout: --layout {layout} gave {png_size(shot)}, expected "
                 f"{size}: cells as large as the largest VM (640x480)")
    print(f"ok   --layout {layout}: {size[0]}x{size[1]}, two 640x480 cells")
    compare(a, f"layout-{layout}", shot)


def case_restart(a, r):
    r.shim("vm1", "--size", "320x240", "--fps", "30")
    shim2 = r.shim("vm2", "--size", "320x240", "--fps", "0")
    viewer, lines = r.viewer("--layout", "row", "vm1", "vm2")
    t0 = time.monotonic()
    lines.wait_for(r"2 VMs in 2x1 cells of 320x240")
    time.sleep(0.3)
    shim2.send_signal(signal.SIGKILL)
    shim2.wait()
    i, _ = lines.wait_for(r"waiting for vm2 to come back")
    gap_start = time.monotonic()
    time.sleep(1.5)  # vm1 keeps running at 30 fps meanwhile
    r.shim("vm2", "--size", "320x240", "--fps", "0")
    i, m = lines.wait_for(r"showing vm2 again, ([0-9.]+) ms after", i)
    gap = time.monotonic() - gap_start
    print(f"ok   vm2 killed: its tile waited, then showed it again "
          f"{m.group(1)} ms after its socket appeared")
    time.sleep(0.3)
    if viewer.poll() is not None:
        sys.exit("layout: the viewer exited when one VM went away")
    stats = finish(viewer, lines, signalled=True)
    elapsed = time.monotonic() - t0
    frames1 = stats.get("vm1", (0, False))[0]
    # Had vm1 stalled while vm2 was away, it could have shown at most
    # 30 fps times the time outside the gap.
    stalled_max = 30 * (elapsed - gap) + 5
    if frames1 <= stalled_max:
        sys.exit(f"layout: vm1 showed {frames1} frames in {elapsed:.1f} s; "
                 f"without the {gap:.1f} s vm2 was away at most {stalled_max:.0f} "
                 "would fit: vm1 stalled")
    if stats.get("vm2") is None or not stats["vm2"][1] or stats["vm2"][0] < 2:
        sys.exit(f"layout: vm2 at the end: {stats.get('vm2')}, expected "
                 "connected with a frame before and after the restart")
    print(f"ok   vm1 showed {frames1} frames in {elapsed:.1f} s, vm2 away "
          f"{gap:.1f} s of them; vm2 {stats['vm2'][0]} frames, connected")


def case_replaced(a, r):
    held = r.held_demo("vm1", "--size", "640x480", "--fps", "20",
                       "--frames", "30")
    shim2 = r.shim("vm2", "--size", "640x480", "--fps", "30")
    suffix = "" if a.damage == "on" else "-damage-off"
    shot = os.path.join(a.out_dir, f"layout-replaced{suffix}.png")
    viewer, lines = r.viewer("--layout", "row", "--damage", a.damage,
                             "--snapshot", shot, "vm1", "vm2")
    lines.wait_for(r"2 VMs in 2x1 cells of 640x480")
    time.sleep(0.3)  # both move, drawn in part
    shim2.send_signal(signal.SIGKILL)
    shim2.wait()
    i, _ = lines.wait_for(r"waiting for vm2 to come back")
    time.sleep(0.2)
    r.shim("vm2", "--size", "640x480", "--fps", "0")
    lines.wait_for(r"showing vm2 again", i)
    moving = held.lines.count("holding frame") == 0
    held.wait_holding(29)
    print(f"ok   vm2 replaced in its cell; vm1 {'still' if moving else 'no longer'} "
          "moving then, holding its frame 29 now")
    finish(viewer, lines, signalled=True)
    if png_size(shot) != (1280, 480):
        sys.exit(f"layout: {shot} is {png_size(shot)}, expected two 640x480 "
                 "cells in a row")
    compare(a, "layout-replaced", shot)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["grid", "row", "column", "restart",
                                     "replaced"])
    ap.add_argument("--held-demo")
    ap.add_argument("--damage", choices=["on", "off"], default="on")
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--imgcmp", required=True)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--tolerance", type=int, default=4)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    r = Run(a)
    try:
        if a.case == "grid":
            case_grid(a, r)
        elif a.case == "row":
            case_line(a, r, "row", (1280, 480))
        elif a.case == "column":
            case_line(a, r, "column", (640, 960))
        elif a.case == "restart":
            case_restart(a, r)
        else:
            case_replaced(a, r)
    finally:
        r.close()


if __name__ == "__main__":
    main()
