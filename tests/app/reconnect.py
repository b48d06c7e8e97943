#!/usr/bin/env python3
"""--reconnect with real processes: the real eglview-shim killed (SIGKILL)
while it serves the real qemu-eglview (offscreen) at 30 frames a second;
the viewer must show its waiting screen, find the new shim's socket and
show the VM again without restarting, then survive a GOODBYE SHUTDOWN the
same way. Cases:

  after-kill  the above; the last frame, from the second shim, is compared
              with tests/golden/demo-plain.png (the same scene)
  waiting     no shim at all: the waiting screen is what the viewer shows,
              compared with tests/golden/reconnect-waiting.png
  gone        a moving 320x240 demo SIGKILLed: the waiting screen in the
              output of the VM's size, nothing of the picture left
              (tests/golden/reconnect-gone.png: "waiting for demo",
              the name the VM gave itself)
  back        the waiting screen and back at one size: a moving 640x480
              demo SIGKILLed (its tile gives way to the waiting screen),
              a still one of the same size started (frame 0): nothing of
              the moving picture or the waiting screen may be left, the
              last frame is tests/golden/demo-plain.png
  bench N     N kill/restart cycles; prints the viewer's own figure (socket
              created -> first frame shown again); asserts nothing

--damage on|off runs the viewer so (frames redrawn in part, or whole):
the same golden image either way.
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

# Under `meson test --setup valgrind`, WRAP and SLOW (tests/lib).
from eglview_test.procs import SLOW, WRAP, Lines, imgcmp, wait_for_socket


def suffix(a):
    """The shot's name says --damage off."""
    return "" if a.damage == "on" else "-damage-off"


def start_shim(a, sock, *args):
    shim = subprocess.Popen(WRAP + [a.shim, "--source", "demo", *args, sock],
                            stderr=subprocess.DEVNULL)
    if not wait_for_socket(sock, shim):
        sys.exit(f"reconnect: eglview-shim did not listen on {sock}")
    return shim


def start_viewer(a, tmp, shot, *args):
    env = dict(os.environ, XDG_RUNTIME_DIR=tmp)
    cmd = [a.viewer, "--backend", "offscreen", "--reconnect", "--verbose",
           "--damage", a.damage, "--snapshot", shot, *args, "vm1"]
    print("viewer:", " ".join(cmd))
    viewer = subprocess.Popen(WRAP + cmd, env=env, stderr=subprocess.PIPE, text=True)
    return viewer, Lines(viewer.stderr, "the viewer's stderr")


def stop_viewer(viewer):
    viewer.send_signal(signal.SIGTERM)
    rc = viewer.wait(timeout=30 * SLOW)
    if rc != 0:
        sys.exit(f"reconnect: qemu-eglview exited {rc} after SIGTERM, expected 0")


def compare(a, reference, shot):
    diff = shot[:-4] + "-diff.png"
    if not imgcmp(a.imgcmp, reference, shot, a.tolerance, diff, wrap=True)[0]:
        sys.exit(f"reconnect: {shot} differs from {reference} (diff {diff})")


def kill_and_restart(a, sock, shim, lines, start, *shim_args):
    """SIGKILL shim, see the waiting screen, start another; the viewer's
    reconnect figure in ms and the index of its line."""
    shim.send_signal(signal.SIGKILL)
    shim.wait()
    i, _ = lines.wait_for(r"waiting for vm1 to come back", start)
    # Let the backoff run a few rounds: the stale socket refuses meanwhile.
    time.sleep(0.2)
    new = start_shim(a, sock, *shim_args)
    i, m = lines.wait_for(r"showing vm1 again, ([0-9.]+) ms after", i)
    return new, float(m.group(1)), i


def case_after_kill(a, tmp, sock):
    shot = os.path.join(a.out_dir, "reconnect-after-kill.png")
    shim = start_shim(a, sock, "--size", "320x240", "--fps", "30")
    viewer, lines = start_viewer(a, tmp, shot)
    shims = [shim]
    try:
        i, _ = lines.wait_for(r'head 1 "Virtual-1": 320x240')
        time.sleep(0.3)  # frames flowing
        # The second shim draws one frame only: the golden scene.
        shim2, ms, i = kill_and_restart(a, sock, shim, lines, i, "--size",
                                        "640x480", "--fps", "0")
        shims.append(shim2)
        print(f"ok   SIGKILLed shim: waiting screen, then the new shim's "
              f"picture {ms} ms after its socket appeared")
        if viewer.poll() is not None:
            sys.exit("reconnect: the viewer exited instead of waiting")
        stop_viewer(viewer)
        compare(a, os.path.join(a.golden, "demo-plain.png"), shot)
        print("ok   the last frame is the second shim's picture (demo-plain)")

        # GOODBYE SHUTDOWN: waiting again, not exiting.
        viewer, lines = start_viewer(a, tmp, shot)
        lines.wait_for(r'head 1 "Virtual-1": 640x480')
        shim2.send_signal(signal.SIGTERM)
        # GOODBYE, or (when the viewer was writing FRAME_DONE as the shim
        # closed) EPIPE: SIGPIPE must not kill it either way.
        i, _ = lines.wait_for(r"said goodbye: SHUTDOWN|cannot send .*Broken pipe")
        i, _ = lines.wait_for(r"waiting for vm1 to come back", i)
        shims.append(start_shim(a, sock, "--size", "640x480", "--fps", "0"))
        lines.wait_for(r"showing vm1 again", i)
        print("ok   GOODBYE SHUTDOWN: waiting screen, then back")
        stop_viewer(viewer)
    finally:
        if viewer.poll() is None:
            viewer.kill()
        for s in shims:
            if s.poll() is None:
                s.kill()
            s.wait()


def case_gone(a, tmp, sock):
    shot = os.path.join(a.out_dir, f"reconnect-gone{suffix(a)}.png")
    shim = start_shim(a, sock, "--size", "320x240", "--fps", "30")
    viewer, lines = start_viewer(a, tmp, shot)
    try:
        i, _ = lines.wait_for(r'head 1 "Virtual-1": 320x240')
        time.sleep(0.5)  # the picture moves, drawn in part
        shim.send_signal(signal.SIGKILL)
        shim.wait()
        lines.wait_for(r"waiting for vm1 to come back", i)
        time.sleep(0.3)
        stop_viewer(viewer)
        compare(a, os.path.join(a.golden, "reconnect-gone.png"), shot)
        print("ok   the waiting screen where the moving picture was")
    finally:
        if viewer.poll() is None:
            viewer.kill()
        if shim.poll() is None:
            shim.kill()
        shim.wait()


def case_back(a, tmp, sock):
    shot = os.path.join(a.out_dir, f"reconnect-back{suffix(a)}.png")
    shim = start_shim(a, sock, "--size", "640x480", "--fps", "30")
    viewer, lines = start_viewer(a, tmp, shot)
    shims = [shim]
    try:
        i, _ = lines.wait_for(r'head 1 "Virtual-1": 640x480')
        time.sleep(0.5)  # the picture moves, drawn in part
        shim2, ms, i = kill_and_restart(a, sock, shim, lines, i, "--size",
                                        "640x480", "--fps", "0")
        shims.append(shim2)
        print(f"ok   a moving VM gone, the waiting screen, a still one back "
              f"{ms} ms after its socket appeared")
        stop_viewer(viewer)
        compare(a, os.path.join(a.golden, "demo-plain.png"), shot)
        print("ok   the last frame is the new VM's picture alone (demo-plain)")
    finally:
        if viewer.poll() is None:
            viewer.kill()
        for s in shims:
            if s.poll() is None:
                s.kill()
            s.wait()


def case_waiting(a, tmp, sock):
    shot = os.path.join(a.out_dir, f"reconnect-waiting{suffix(a)}.png")
    viewer, lines = start_viewer(a, tmp, shot, "--size", "320x240")
    lines.wait_for(r"waiting for vm1 to come back")
    # Nothing there: the retries back off (50 ms doubling); no frame comes.
    time.sleep(0.5)
    stop_viewer(viewer)
    compare(a, os.path.join(a.golden, "reconnect-waiting.png"), shot)
    print("ok   the waiting screen")


def case_bench(a, tmp, sock, n):
    shot = os.path.join(tmp, "bench.png")
    shim = start_shim(a, sock, "--size", "1024x768", "--fps", "30")
    viewer, lines = start_viewer(a, tmp, shot)
    figures = []
    try:
        i, _ = lines.wait_for(r'head 1 "Virtual-1"')
        for _ in range(n):
            time.sleep(0.2)
            shim, ms, i = kill_and_restart(a, sock, shim, lines, i, "--size",
                                           "1024x768", "--fps", "30")
            figures.append(ms)
        stop_viewer(viewer)
    finally:
        if viewer.poll() is None:
            viewer.kill()
        shim.kill()
        shim.wait()
    figures.sort()
    print(f"reconnect after a shim restart (socket created -> first frame "
          f"shown), {n} cycles: median {statistics.median(figures):.1f} ms, "
          f"min {figures[0]:.1f} ms, max {figures[-1]:.1f} ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=["after-kill", "waiting", "gone", "back",
                                     "bench"])
    ap.add_argument("--damage", choices=["on", "off"], default="on")
    ap.add_argument("--cycles", type=int, default=20)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--imgcmp", required=True)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--tolerance", type=int, default=4)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="eglview-reconnect-") as tmp:
        os.mkdir(os.path.join(tmp, "qemu-eglview"), 0o700)
        sock = os.path.join(tmp, "qemu-eglview", "vm1.sock")
        if a.case == "after-kill":
            case_after_kill(a, tmp, sock)
        elif a.case == "waiting":
            case_waiting(a, tmp, sock)
        elif a.case == "gone":
            case_gone(a, tmp, sock)
        elif a.case == "back":
            case_back(a, tmp, sock)
        else:
            case_bench(a, tmp, sock, a.cycles)


if __name__ == "__main__":
    main()
