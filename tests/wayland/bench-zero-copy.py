#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Benchmark (asserts nothing): qemu-eglview's CPU time per frame on the
Wayland zero-copy path and on the GL path (--zero-copy off), for the same
1920x1080 demo stream at 60 fps, fullscreen on weston 10 headless (pixman,
a 1920x1080 output). CPU is the viewer process's user + system time from
wait4(), over --exit-after-frames N frames; weston's and the shim's are
not counted.

usage: bench-zero-copy.py --shim S --viewer V [--frames N]"""
import argparse
import os
import subprocess
import time

from eglview_test.procs import need_tools, wait_for
from eglview_test.weston import Weston, stats_of


def run(a, w, zero_copy):
    sock = os.path.join(w.dir, f"bench-{zero_copy}.sock")
    shim = w.spawn([a.shim, "--size", "1920x1080", "--fps", "60",
                    "--buffers", "shm", sock])
    wait_for("the shim's socket", lambda: os.path.exists(sock), proc=shim)
    start = time.monotonic()
    viewer = w.spawn([a.viewer, "--backend", "wayland", "--fullscreen",
                      "--stats", "--zero-copy", zero_copy,
                      "--exit-after-frames", str(a.frames), sock],
                     stderr=subprocess.PIPE, text=True)
    err = viewer.stderr.read()
    _, status, ru = os.wait4(viewer.pid, 0)
    viewer.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - start
    shim.terminate()
    shim.wait(timeout=10)
    st = stats_of(err)
    frames = int(st.get("stats", {}).get("frames", "0"))
    cpu = ru.ru_utime + ru.ru_stime
    per = cpu / frames * 1000 if frames else float("nan")
    print(f"zero-copy {zero_copy:3}: {frames} frames in {wall:.2f} s, "
          f"viewer CPU {cpu:.2f} s = {per:.2f} ms/frame "
          f"(user {ru.ru_utime:.2f} s, system {ru.ru_stime:.2f} s), "
          f"bytes_uploaded={st.get('stats', {}).get('bytes_uploaded')}, "
          f"head 1: {st.get('head 1', '?')}")
    return per


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--frames", type=int, default=300)
    a = ap.parse_args()
    a.golden = a.imgcmp = None
    a.out = "."
    need_tools("weston")
    w = Weston(a, "headless", "pixman", 1920, 1080)
    try:
        direct = run(a, w, "on")
        gl = run(a, w, "off")
        print(f"viewer CPU per 1920x1080 frame: zero-copy {direct:.2f} ms, "
              f"GL path {gl:.2f} ms")
    finally:
        w.close()


if __name__ == "__main__":
    main()
