#!/usr/bin/env python3
"""Several VMs in one output (a benchmark: it prints, asserts nothing).

N demo VMs (eglview-shim, 640x480, --fps 30 each) shown by one
qemu-eglview in a 1920x1080 offscreen output, --layout grid, for N = 1,
4, 9 and 16; beside each, ONE demo VM shown in an output the size of
one cell of that grid (what N cells would cost if each cost the same).
Printed per N: the viewer's CPU-s/s (all its threads, from /proc), the
frames each VM had shown per second (from the viewer's SIGUSR1
counters: the lowest and the median), and the N-VM cost over N times
the one-cell cost. The shims' own CPU is not the viewer's and is left out.

By hand, from the source tree after `ninja -C build`:
  PYTHONPATH=tests/lib python3 tests/perf/vms.py --build build
Through meson: meson test -C build --benchmark --suite perf several-vms
"""
import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from eglview_test.procs import Lines, stop_procs, wait_for_socket

CLK_TCK = os.sysconf("SC_CLK_TCK")
OUT_W, OUT_H = 1920, 1080


def cpu_s(pid):
    """CPU seconds of every thread of pid (schedstat: nanoseconds)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
            total += int(f.read().split()[0])
    return total / 1e9


def grid(n):
    cols = 1
    while cols * cols < n:
        cols += 1
    rows = (n + cols - 1) // cols
    return cols, rows


class Run:
    """n demo shims and one viewer showing them at size."""

    def __init__(self, a, n, size, seconds):
        self.tmp = tempfile.TemporaryDirectory(prefix="eglview-vms-")
        self.procs = []
        socks = []
        env = dict(os.environ, EGL_LOG_LEVEL="fatal")
        for i in range(n):
            sock = os.path.join(self.tmp.name, f"vm{i + 1}.sock")
            shim = subprocess.Popen([a.shim, "--size", "640x480", "--fps",
                                     "30", sock], env=env,
                                    stderr=subprocess.DEVNULL)
            self.procs.append(shim)
            if not wait_for_socket(sock, shim):
                sys.exit(f"vms: eglview-shim {i + 1} did not serve")
            socks.append(sock)
        cmd = [a.viewer, "--backend", "offscreen", "--size", size,
               "--layout", "grid"] + socks
        self.viewer = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE,
                                       text=True)
        self.procs.append(self.viewer)
        self.err = Lines(self.viewer.stderr, "the viewer's stderr")
        self.n = n
        time.sleep(1.5)  # every VM connected and ticking
        f0, c0, t0 = self.frames(), cpu_s(self.viewer.pid), time.monotonic()
        time.sleep(seconds)
        f1, c1, t1 = self.frames(), cpu_s(self.viewer.pid), time.monotonic()
        self.cpu = (c1 - c0) / (t1 - t0)
        self.fps = [(f1[k] - f0[k]) / (t1 - t0) for k in f0]

    def frames(self):
        """Frames shown with each VM's picture, from SIGUSR1's lines."""
        start = self.err.mark()
        self.viewer.send_signal(signal.SIGUSR1)
        self.err.wait_for(r"stats: frames=\d+ bytes_uploaded", start=start)
        lines = self.err.lines[start:]
        if self.n == 1:
            m = [re.search(r"stats: frames=(\d+) ", l) for l in lines]
            return {"vm1": int(next(x for x in m if x).group(1))}
        out = {}
        for line in lines:
            m = re.search(r"stats: vm=(\S+) frames=(\d+)", line)
            if m:
                out[m.group(1)] = int(m.group(2))
        return out

    def close(self):
        stop_procs(self.procs)
        self.tmp.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--shim")
    ap.add_argument("--viewer")
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--counts", default="1,4,9,16")
    a = ap.parse_args()
    a.shim = a.shim or os.path.join(a.build, "server-shim", "eglview-shim")
    a.viewer = a.viewer or os.path.join(a.build, "viewer", "qemu-eglview")
    print(f"several VMs: demo VMs 640x480 at 30 fps each in a {OUT_W}x"
          f"{OUT_H} offscreen output, {a.seconds:g} s each; 2 CPUs, load "
          f"{os.getloadavg()[0]:.2f} at the start")
    rows = [("VMs", "viewer CPU-s/s", "fps per VM (min/median)",
             "one VM in a cell", "N VMs / (N x one cell)")]
    for n in [int(x) for x in a.counts.split(",")]:
        cols, rows_n = grid(n)
        cell = f"{OUT_W // cols}x{OUT_H // rows_n}"
        many = Run(a, n, f"{OUT_W}x{OUT_H}", a.seconds)
        many.close()
        one = Run(a, 1, cell, a.seconds)
        one.close()
        rows.append((str(n), f"{many.cpu:.3f}",
                     f"{min(many.fps):.1f} / {statistics.median(many.fps):.1f}",
                     f"{one.cpu:.3f} ({cell})",
                     f"{many.cpu / (n * one.cpu):.2f}" if one.cpu > 0 else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    print(f"load {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
