#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Benchmark (asserts nothing): qemu-eglview's CPU time for the guest's
cursor moving in a --kiosk, on the Wayland zero-copy path (the cursor on a
subsurface of its own, moved by commits without a GL frame) and on the GL
path (--zero-copy off: a GL frame per move the compositor's pacing lets
through). An --input-script of N tablet moves against the 640x480 demo
(--fps 0: a CURSOR_POS per move, a frame only when its last one came back)
on weston 10 headless (pixman); the viewer's user + system time from
wait4(), minus a run up to the first frame with no moves. The script's sends
are in both figures alike.

usage: bench-cursor.py --shim S --viewer V [--moves N]"""
import argparse
import os
import subprocess

from eglview_test.procs import need_tools, wait_for
from eglview_test.weston import Weston, start_shim, stats_of


def run(a, w, zero_copy, moves):
    script = os.path.join(w.dir, f"moves-{moves}.txt")
    with open(script, "w") as f:
        for i in range(moves):
            f.write(f"tablet EV_ABS ABS_X {1000 + (i * 50) % 30000}\n"
                    f"tablet EV_ABS ABS_Y {2000 + (i * 37) % 20000}\n"
                    "tablet EV_SYN SYN_REPORT 0\n")
    sock = os.path.join(w.dir, f"cursor-{zero_copy}-{moves}.sock")
    record = os.path.join(w.dir, f"record-{zero_copy}-{moves}.txt")
    shim = start_shim(a, w, sock, "--record-input", record)
    # Without moves: up to the first frame shown, which a run with moves
    # spends too.
    args = (["--input-script", script] if moves else
            ["--exit-after-frames", "1"])
    viewer = w.spawn([a.viewer, "--backend", "wayland", "--kiosk",
                      "--stats", "--zero-copy", zero_copy] + args + [sock],
                     stderr=subprocess.PIPE, text=True)

    def recorded():
        if not os.path.exists(record):
            return 0
        with open(record) as f:
            return sum(1 for _ in f)
    # Every move reached the guest (two records each).
    if moves:
        wait_for("the moves in the shim's record",
                 lambda: recorded() >= 2 * moves, timeout=60, proc=viewer)
    if moves:
        viewer.terminate()
    err = viewer.stderr.read()
    _, status, ru = os.wait4(viewer.pid, 0)
    viewer.returncode = os.waitstatus_to_exitcode(status)
    shim.terminate()
    shim.wait(timeout=10)
    return ru.ru_utime + ru.ru_stime, stats_of(err)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--moves", type=int, default=5000)
    a = ap.parse_args()
    a.golden = a.imgcmp = None
    a.out = "."
    need_tools("weston")
    w = Weston(a, "headless", "pixman", 640, 480)
    try:
        for zc in ("on", "off"):
            base, _ = run(a, w, zc, 0)
            cpu, st = run(a, w, zc, a.moves)
            extra = (cpu - base) * 1000
            print(f"zero-copy {zc:3}: {a.moves} cursor moves, viewer CPU "
                  f"{cpu * 1000:.1f} ms - {base * 1000:.1f} ms without = "
                  f"{extra:.1f} ms ({extra / a.moves * 1000:.1f} us/move); "
                  f"frames={st.get('stats', {}).get('frames')} "
                  f"updates={st.get('stats', {}).get('updates')} "
                  f"cursor_moves={st.get('zero-copy', {}).get('cursor_moves')}"
                  f"; head 1: {st.get('head 1', '?')}")
    finally:
        w.close()


if __name__ == "__main__":
    main()
