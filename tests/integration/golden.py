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
import os
import shlex
import subprocess
import sys
import tempfile
import time


def records(path):
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")]


def wait_for_socket(path, shim, timeout=10.0):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if shim.poll() is not None:
            sys.exit(f"golden: eglview-shim exited ({shim.returncode}) before listening")
        if time.monotonic() > end:
            sys.exit(f"golden: no socket at {path} after {timeout} s")
        time.sleep(0.02)


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
    a = ap.parse_args()

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
        shim = subprocess.Popen(shim_cmd)
        try:
            wait_for_socket(sock, shim)
            viewer = subprocess.run(viewer_cmd, timeout=60)
            shim_rc = shim.wait(timeout=30)
        finally:
            if shim.poll() is None:
                shim.kill()
                shim.wait()
        if viewer.returncode != 0:
            sys.exit(f"golden: qemu-eglview exited {viewer.returncode}, expected 0")
        if shim_rc != 0:
            sys.exit(f"golden: eglview-shim exited {shim_rc}, expected 0")
        if sent:
            got = records(record)
            if got != sent:
                print("golden: the shim recorded other records than the viewer sent")
                print("sent:\n  " + "\n  ".join(sent))
                print("recorded:\n  " + "\n  ".join(got))
                sys.exit(1)
            print(f"golden: the shim recorded all {len(sent)} records, in order")

    rc = subprocess.run([a.imgcmp, a.reference, shot, "--tolerance",
                         str(a.tolerance), "--diff", diff]).returncode
    if rc != 0:
        print(f"golden: shot {shot}, diff {diff}")
    sys.exit(rc)


if __name__ == "__main__":
    main()
