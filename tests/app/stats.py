#!/usr/bin/env python3
"""--stats stage timings (man qemu-eglview, STATS) from the real
qemu-eglview (offscreen) showing the real eglview-shim. Cases:

  heads    --demo with two heads: a timing line per head after the usual
           ones, every stage median <= p99 and positive, the heads'
           updates adding up to the stats line's, their bytes_per_frame to
           its bytes_uploaded and (both in the one view) each head's
           pixels_per_frame x view_frames to its pixels_drawn
  vms      two shims in one output: the lines say vm=NAME, and each VM's
           updates are those of its "stats: vm=NAME" line
  sigusr1  --demo without --stats: each SIGUSR1 prints the block (stats
           line and timing lines) while the viewer runs on, its counts
           growing from one block to the next; it still ends by
           --exit-after-frames with status 0, and prints nothing at exit
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

from eglview_test.procs import SLOW, WRAP, Lines, stop_procs, wait_for, \
    wait_for_socket

STAGES = ["receive_upload", "upload", "draw", "present", "update_frame_done"]
STATS_RX = re.compile(r"qemu-eglview: stats: frames=(\d+) bytes_uploaded=(\d+) "
                      r".* updates=(\d+) pixels_drawn=(\d+)\b")
TIMING_RX = re.compile(r"qemu-eglview: timing: (?:vm=(\S+) )?head (\d+): (.*)$")


def fail(lines, why):
    print("\n".join(lines))
    sys.exit(f"stats: {why}")


def parse_timing(lines, line):
    """A timing line: (vm, head, {stage: (median, p99)}, {count: int})."""
    m = TIMING_RX.match(line)
    vm, head, rest = m.group(1), int(m.group(2)), m.group(3)
    fields = dict(f.split("=", 1) for f in rest.split())
    want = [s + "_ms" for s in STAGES] + ["updates", "bytes_per_frame",
                                          "view_frames", "pixels_per_frame"]
    if list(fields) != want:
        fail(lines, f"timing fields {list(fields)}, expected {want}")
    stages, counts = {}, {}
    for s in STAGES:
        f = fields[s + "_ms"]
        if f == "n/a":
            fail(lines, f"head {head}: {s}_ms=n/a, but it drew GL frames")
        median, p99 = (float(x) for x in f.split("/"))
        if not 0 < median <= p99:
            fail(lines, f"head {head}: {s}_ms={f}: expected "
                 "0 < median <= p99")
        stages[s] = (median, p99)
    for k in want[len(STAGES):]:
        counts[k] = int(fields[k])
    return vm, head, stages, counts


def block(lines, start=0):
    """The last stats line from start on and the timing lines after it."""
    idx = [i for i in range(start, len(lines)) if STATS_RX.search(lines[i])]
    if not idx:
        fail(lines, "no \"stats: frames=\" line")
    m = STATS_RX.search(lines[idx[-1]])
    total = dict(zip(["frames", "bytes_uploaded", "updates", "pixels_drawn"],
                     (int(x) for x in m.groups())))
    timings = [parse_timing(lines, l) for l in lines[idx[-1]:]
               if TIMING_RX.match(l)]
    return total, timings


def check_sums(lines, total, timings):
    """The heads' counts against the totals they are shares of."""
    updates = sum(t[3]["updates"] for t in timings)
    if updates != total["updates"]:
        fail(lines, f"the heads' updates add up to {updates}, the stats "
             f"line says {total['updates']}")
    # Each bytes_per_frame is rounded: half a byte per update either way.
    uploaded = sum(t[3]["updates"] * t[3]["bytes_per_frame"] for t in timings)
    if abs(uploaded - total["bytes_uploaded"]) > updates / 2 + 1:
        fail(lines, f"bytes_per_frame x updates add up to {uploaded}, the "
             f"stats line says bytes_uploaded={total['bytes_uploaded']}")
    for vm, head, _, c in timings:
        if not 0 < c["view_frames"] <= total["frames"]:
            fail(lines, f"head {head}: view_frames={c['view_frames']}, "
                 f"frames={total['frames']}")
        if c["bytes_per_frame"] <= 0 or c["pixels_per_frame"] <= 0:
            fail(lines, f"head {head}: nothing uploaded or drawn: {c}")


def run_viewer(args, env=None):
    # GL draws every frame: its uploads are what bytes_per_frame counts
    # (frames the CPU draws from held buffers upload nothing).
    cmd = [args.viewer, "--backend", "offscreen", "--draw", "gl", *args.extra]
    print("viewer:", " ".join(cmd))
    p = subprocess.Popen(WRAP + cmd, stderr=subprocess.PIPE, text=True,
                         env=env)
    return p, Lines(p.stderr, "the viewer's stderr")


def finish(p, out):
    rc = p.wait(timeout=60 * SLOW)
    out.thread.join(timeout=5)
    if rc != 0:
        fail(out.lines, f"qemu-eglview exited {rc}, expected 0")
    return out.lines


def case_heads(a):
    a.extra = ["--demo", "--demo-option=--heads", "--demo-option=2",
               "--demo-option=--size", "--demo-option=320x240",
               "--exit-after-frames", "60", "--stats"]
    lines = finish(*run_viewer(a))
    total, timings = block(lines)
    heads = sorted(t[1] for t in timings)
    if heads != [1, 2] or any(t[0] for t in timings):
        fail(lines, f"timing lines for heads {heads} (vm {timings[0][0]}), "
             "expected heads 1 and 2, no vm=")
    # "qemu-eglview: head N: " is the head's path line (--backend wayland),
    # which the Wayland tests read by that key; offscreen prints none.
    if any(re.match(r"qemu-eglview: head \d+: ", l) for l in lines):
        fail(lines, "a \"head N:\" line from the offscreen output")
    check_sums(lines, total, timings)
    # One view shows both: each head's frames are the view's, all of them.
    for _, head, _, c in timings:
        drawn = c["pixels_per_frame"] * c["view_frames"]
        if abs(drawn - total["pixels_drawn"]) > c["view_frames"] / 2 + 1:
            fail(lines, f"head {head}: pixels_per_frame x view_frames = "
                 f"{drawn}, pixels_drawn={total['pixels_drawn']}")
        if c["pixels_per_frame"] > 640 * 240:
            fail(lines, f"head {head}: pixels_per_frame "
                 f"{c['pixels_per_frame']} > the 640x240 output")
    print(f"ok   two heads: {total}; " +
          "; ".join(f"head {t[1]}: {t[3]}" for t in timings))


def case_vms(a):
    tmp = tempfile.TemporaryDirectory(prefix="eglview-stats-")
    sockdir = os.path.join(tmp.name, "qemu-eglview")
    os.mkdir(sockdir, 0o700)
    procs = []
    try:
        for name, size in (("vm1", "320x240"), ("vm2", "200x100")):
            sock = os.path.join(sockdir, name + ".sock")
            p = subprocess.Popen(WRAP + [a.shim, "--source", "demo", "--size",
                                         size, "--fps", "30", sock],
                                 stderr=subprocess.DEVNULL)
            procs.append(p)
            if not wait_for_socket(sock, p):
                sys.exit(f"stats: eglview-shim for {name} did not listen")
        a.extra = ["--exit-after-frames", "30", "--stats", "vm1", "vm2"]
        p, out = run_viewer(a, dict(os.environ, XDG_RUNTIME_DIR=tmp.name))
        procs.append(p)
        lines = finish(p, out)
    finally:
        stop_procs(procs)
        tmp.cleanup()
    total, timings = block(lines)
    per_vm = {}
    for l in lines:
        m = re.search(r"stats: vm=(\S+) frames=\d+ updates=(\d+)", l)
        if m:
            per_vm[m.group(1)] = int(m.group(2))
    got = sorted((t[0], t[1]) for t in timings)
    if got != [("vm1", 1), ("vm2", 1)]:
        fail(lines, f"timing lines for {got}, expected vm=vm1 and vm=vm2 "
             "head 1")
    for vm, _, _, c in timings:
        if c["updates"] != per_vm.get(vm):
            fail(lines, f"vm={vm}: updates={c['updates']}, its stats line "
                 f"says {per_vm.get(vm)}")
    check_sums(lines, total, timings)
    print(f"ok   two VMs: " + "; ".join(f"{t[0]}: {t[3]}" for t in timings))


def sigusr1_blocked(pid):
    """The viewer blocks SIGUSR1 into its signalfd: before that the
    signal would kill it."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("SigBlk:"):
                    return int(line.split()[1], 16) & (1 << (signal.SIGUSR1 - 1))
    except FileNotFoundError:
        pass
    return False


def case_sigusr1(a):
    frames = 120  # at 30 fps: 4 s, time for several signals
    a.extra = ["--demo", "--demo-option=--fps", "--demo-option=30",
               "--demo-option=--size", "--demo-option=320x240",
               "--exit-after-frames", str(frames)]
    p, out = run_viewer(a)
    try:
        # Under valgrind the wrapper's pid is not the viewer's; there the
        # first block's wait covers it.
        if not WRAP:
            wait_for("qemu-eglview to block SIGUSR1",
                     lambda: sigusr1_blocked(p.pid), timeout=20 * SLOW, proc=p)
        blocks, signals = [], 0
        while len(blocks) < 3:
            mark = out.mark()
            p.send_signal(signal.SIGUSR1)
            signals += 1
            i, m = out.wait_for(r"stats: frames=(\d+)", start=mark)
            if int(m.group(1)) == 0:
                # Before the first frame: no heads yet; try again.
                time.sleep(0.05)
                continue
            out.wait_for(r"timing: head 1: ", start=i)
            total, timings = block(out.lines, mark)
            if p.poll() is not None:
                fail(out.lines, f"the viewer ended (status {p.returncode}) "
                     "after SIGUSR1")
            if blocks and total["frames"] <= blocks[-1][0]["frames"]:
                time.sleep(0.1)
                continue  # the same frame still: look again
            check_sums(out.lines, total, timings)
            blocks.append((total, timings))
            time.sleep(0.1)
        if blocks[-1][0]["frames"] >= frames:
            fail(out.lines, "the viewer had ended its frames before the "
                 "last SIGUSR1; nothing shows it ran on")
    except BaseException:
        p.kill()
        raise
    lines = finish(p, out)
    n = sum(1 for l in lines if STATS_RX.search(l))
    if n != signals:
        fail(lines, f"{n} stats blocks for {signals} SIGUSR1s (and no "
             "--stats: none at exit)")
    for (t0, _), (t1, _) in zip(blocks, blocks[1:]):
        for k in ("frames", "updates", "bytes_uploaded", "pixels_drawn"):
            if t1[k] < t0[k]:
                fail(lines, f"{k} went from {t0[k]} to {t1[k]}: reset")
    print("ok   SIGUSR1 blocks at frames " +
          ", ".join(str(b[0]["frames"]) for b in blocks) +
          f"; the viewer ran on to {frames} and exited 0")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("case", choices=["heads", "vms", "sigusr1"])
    a = ap.parse_args()
    {"heads": case_heads, "vms": case_vms, "sigusr1": case_sigusr1}[a.case](a)


if __name__ == "__main__":
    main()
