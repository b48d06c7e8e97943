#!/usr/bin/env python3
"""Golden-image test: the real eglview-shim (demo source) and the real
qemu-eglview (offscreen backend) on a real socket; the viewer's last frame
is compared with a reviewed reference PNG by imgcmp under a per-channel
tolerance. On a mismatch the shot and a diff image stay in the output dir.

With --input-script the viewer sends those records; the shim runs with
--fps 0 (a frame per input batch) and --frames 1 + batches, so the final
frame is a pure function of the records, and the shim's --record-input
file must hold exactly the script's records, in order.
"""
import argparse
import glob
import re
import os
import shlex
import subprocess
import sys
import tempfile

# Under `meson test --setup valgrind`, WRAP and SLOW (tests/lib).
from eglview_test.procs import SLOW, WRAP, imgcmp, wait_for_socket


def records(path):
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")]


def left_pressed(sent):
    """The release records (and SYN_REPORTs) the shim adds for the EV_KEY
    codes the records leave pressed."""
    held = {}
    for r in sent:
        dev, typ, code, value = r.split()
        if typ == "EV_KEY":
            held[(dev, code)] = value != "0"
    out = {f"{dev} EV_KEY {code} 0" for (dev, code), down in held.items() if down}
    out |= {f"{dev} EV_SYN SYN_REPORT 0" for (dev, _), down in held.items() if down}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scene", required=True)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--imgcmp", required=True)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--tolerance", type=int, required=True)
    ap.add_argument("--shim-args", default="")
    ap.add_argument("--viewer-args", default="")
    ap.add_argument("--input-script")
    ap.add_argument("--require-dmabuf", action="store_true",
                    help="skip (77) without a DRM device; fail unless the "
                    "viewer imported dma-bufs through EGL and nothing via mmap")
    ap.add_argument("--require-output",
                    help="fail unless the viewer's --verbose line names this "
                    "output path (e.g. 'EGL software device')")
    a = ap.parse_args()

    if a.require_dmabuf and not glob.glob("/dev/dri/card*"):
        print("skipped: no render node (no /dev/dri/card*); the dmabuf suite "
              "runs for real inside the test VM (tests/vm/vm-run)")
        sys.exit(77)

    os.makedirs(a.out_dir, exist_ok=True)
    shot = os.path.join(a.out_dir, a.scene + ".png")
    diff = os.path.join(a.out_dir, a.scene + "-diff.png")
    for stale in (shot, diff):
        if os.path.exists(stale):
            os.unlink(stale)

    with tempfile.TemporaryDirectory(prefix="eglview-golden-") as tmp:
        sock = os.path.join(tmp, "demo.sock")
        record = os.path.join(tmp, "record.txt")
        shim_cmd = [a.shim, "--source", "demo", "--wait-for-viewer",
                    "--record-input", record] + shlex.split(a.shim_args)
        viewer_cmd = [a.viewer, "--backend", "offscreen", "--snapshot", shot,
                      "--stats"] + shlex.split(a.viewer_args)
        sent = []
        if a.input_script:
            sent = records(a.input_script)
            batches = sum(1 for r in sent if r.split()[2] == "SYN_REPORT")
            shim_cmd += ["--fps", "0", "--frames", str(1 + batches)]
            viewer_cmd += ["--input-script", a.input_script]
        shim_cmd.append(sock)
        viewer_cmd.append(sock)

        print("shim:  ", shlex.join(shim_cmd))
        print("viewer:", shlex.join(viewer_cmd))
        shim = subprocess.Popen(WRAP + shim_cmd)
        try:
            if not wait_for_socket(sock, shim, step=0.02):
                if shim.poll() is not None:
                    sys.exit(f"golden: eglview-shim exited ({shim.returncode}) "
                             "before listening")
                sys.exit(f"golden: no socket at {sock} after {10.0 * SLOW} s")
            viewer = subprocess.run(WRAP + viewer_cmd, timeout=60 * SLOW, stderr=subprocess.PIPE,
                                    text=True)
            sys.stderr.write(viewer.stderr)
            shim_rc = shim.wait(timeout=30 * SLOW)
        finally:
            if shim.poll() is None:
                shim.kill()
                shim.wait()
        if viewer.returncode != 0:
            sys.exit(f"golden: qemu-eglview exited {viewer.returncode}, expected 0")
        if shim_rc != 0:
            sys.exit(f"golden: eglview-shim exited {shim_rc}, expected 0")
        if a.require_dmabuf:
            stats = dict(re.findall(r"(imports_\w+)=(\d+)", viewer.stderr))
            if int(stats.get("imports_dmabuf", 0)) < 1 or int(stats.get("imports_mmap", 1)) != 0:
                sys.exit(f"golden: expected EGL dma-buf imports only, got {stats}")
            print(f"golden: imported through EGL: {stats}")
        if a.require_output:
            if f"via {a.require_output}" not in viewer.stderr:
                sys.exit(f"golden: the viewer did not render via {a.require_output}")
            print(f"golden: rendered via {a.require_output}")
        if sent:
            got = records(record)
            # When the viewer leaves, the shim releases what the script
            # left pressed (PROTOCOL.md): those records come after.
            got = got[:len(sent)] + [r for r in got[len(sent):]
                                     if r not in left_pressed(sent)]
            if got != sent:
                print("golden: the shim recorded other records than the viewer sent")
                print("sent:\n  " + "\n  ".join(sent))
                print("recorded:\n  " + "\n  ".join(got))
                sys.exit(1)
            print(f"golden: the shim recorded all {len(sent)} records, in order")

    same, _ = imgcmp(a.imgcmp, a.reference, shot, a.tolerance, diff, wrap=True)
    if not same:
        print(f"golden: shot {shot}, diff {diff}")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
