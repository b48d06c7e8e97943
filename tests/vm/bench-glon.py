#!/usr/bin/env python3
"""Benchmark, inside the test VM: the cost of a frame through QEMU 7.2's
gl=off path (pixels copied by the shim into memfds, uploaded by the
viewer) beside gl=on (QEMU renders into a dma-buf, passed through and
imported). The test guest's anim=fill (a new full frame each 1/60 s),
the shim and an offscreen viewer taking FRAMES frames; prints frames/s
and the CPU ms a frame of QEMU, the shim and the viewer (from /proc,
counted from the viewer's first frame to its last), the viewer's
imports and the shim's ScanoutDMABUF count. Never passes or fails on a
figure.

  tests/vm/vm-run 'python3 tests/vm/bench-glon.py --build build'
"""
import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import glon  # noqa: E402
import mode_switch  # noqa: E402  (glon put tests/qemu on the path)

FRAMES = 300
TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    """utime + stime of pid in seconds (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError):
        return 0.0


def one(a, gl, frames):
    with tempfile.TemporaryDirectory(prefix="eglview-bench-glon-") as tmp:
        run = mode_switch.ModeRun(
            a, tmp, append="anim=fill",
            display_extra=glon.GL_DISPLAY if gl else "",
            viewer_extra=["--stats", "--exit-after-frames", str(frames)])
        try:
            run.start_bus()
            qemu, qout = run.start_qemu(p2p=False, seabios=False)
            shim, sout = run.start_shim(p2p=False)
            qout.wait_for(r"^ANIM fill$")
            shot = os.path.join(tmp, "shot.png")
            v, vout = run.start_viewer(shot)
            vout.wait_for(r"<- UPDATE")
            t0 = time.monotonic()
            c0 = [cpu_s(p.pid) for p in (qemu, shim, v)]
            c_qemu, c_shim, last = c0
            while v.poll() is None:  # the viewer's CPU up to its end
                last = cpu_s(v.pid) or last
                c_qemu, c_shim = cpu_s(qemu.pid), cpu_s(shim.pid)
                time.sleep(0.05)
            t1 = time.monotonic()
            _, m = vout.wait_for(r"stats: frames=(\d+) bytes_uploaded=(\d+) "
                                 r".*imports_shm=(\d+) imports_dmabuf=(\d+)")
            frames_got, uploaded, shm, dmabuf = map(int, m.groups())
            scan = ""
            if gl:
                _, scanouts, new = glon.stop_shim(shim, sout)
                scan = f", shim: {scanouts} ScanoutDMABUF, {new} buffers"
            n = frames - 1
            ms = [(c - c_0) * 1000 / n for c, c_0 in
                  zip((c_qemu, c_shim, last), c0)]
            print(f"bench-glon: gl={'on' if gl else 'off'}: {n} frames in "
                  f"{t1 - t0:.1f} s = {n / (t1 - t0):.1f} frames/s; CPU ms a "
                  f"frame QEMU {ms[0]:.1f}, shim {ms[1]:.1f}, viewer "
                  f"{ms[2]:.1f}; viewer: frames={frames_got} "
                  f"bytes_uploaded={uploaded} imports_shm={shm} "
                  f"imports_dmabuf={dmabuf}{scan}; QEMU logged "
                  f"{qout.count(glon.QEMU_TIMEOUT)} update timeouts",
                  flush=True)
        finally:
            run.cleanup()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--frames", type=int, default=FRAMES)
    b = ap.parse_args()
    why = glon.skip_reason()
    if why:
        print(f"bench-glon: skipped: {why}")
        sys.exit(77)
    glon.load_mesa25()
    build = os.path.abspath(b.build)
    a = argparse.Namespace(
        shim=f"{build}/server-shim/eglview-shim",
        viewer=f"{build}/viewer/qemu-eglview",
        guest=f"{build}/tests/guest/eglview-test-guest.elf",
        scenario="bench-glon")
    for gl in (False, True):
        one(a, gl, b.frames)


if __name__ == "__main__":
    main()
