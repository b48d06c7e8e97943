#!/usr/bin/env python3
"""Benchmark (prints, asserts nothing): the test guest repaints a whole
1920x1080 screen without pause (-append bench), so QEMU 7.2 sends a
full-frame Scanout/Update at every refresh. eglview-shim --source qemu
bridges it to one offscreen qemu-eglview; beside it, on the same bus and
the same console, null-listener receives the same calls and drops them.
Reported: frames per second at the viewer, and CPU milliseconds per
full-frame update for the shim and for the null listener.
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

SECONDS = 6


def cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    shim_exe, viewer_exe, guest, null_exe = sys.argv[1:5]
    with tempfile.TemporaryDirectory(prefix="eglview-bench-") as tmp:
        procs = []
        try:
            bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork",
                                    "--print-address=1", "--address=unix:path="
                                    + os.path.join(tmp, "bus")],
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
            procs.append(bus)
            addr = bus.stdout.readline().decode().strip()
            qemu = subprocess.Popen(
                ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg",
                 "-m", "64", "-nodefaults", "-no-user-config", "-vga", "std",
                 "-display", "dbus,addr=" + addr.split(",")[0],
                 "-kernel", guest, "-append", "bench",
                 "-debugcon", "stdio"], stdout=subprocess.PIPE)
            procs.append(qemu)
            if qemu.stdout.readline().strip() != b"BENCH":
                sys.exit("bench: the guest did not start its bench mode")
            sock = os.path.join(tmp, "vm.sock")
            shim = subprocess.Popen([shim_exe, "--source", "qemu", "--verbose",
                                     "--dbus-address", addr, sock],
                                    stderr=subprocess.PIPE)
            procs.append(shim)
            while not os.path.exists(sock):
                time.sleep(0.02)
            viewer = subprocess.Popen([viewer_exe, "--backend", "offscreen",
                                       "--stats", sock],
                                      stderr=subprocess.PIPE)
            procs.append(viewer)
            null = subprocess.Popen([null_exe, addr, str(SECONDS)],
                                    stdout=subprocess.PIPE)
            procs.append(null)
            null_out = null.communicate(timeout=SECONDS + 30)[0].decode()
            shim_cpu = cpu_s(shim.pid)
            viewer.send_signal(signal.SIGTERM)
            viewer_err = viewer.communicate(timeout=30)[1].decode()
            shim.send_signal(signal.SIGTERM)
            shim_err = shim.communicate(timeout=30)[1].decode()
        finally:
            for p in reversed(procs):
                if p.poll() is None:
                    p.kill()
                p.wait()
    frames = int(re.search(r"frames=(\d+)", viewer_err).group(1))
    updates = int(re.search(r"(\d+) updates received", shim_err).group(1))
    m = re.search(r"calls=(\d+) bytes=(\d+) cpu_s=([\d.]+)", null_out)
    n_calls, n_bytes, n_cpu = int(m.group(1)), int(m.group(2)), float(m.group(3))
    # The shim and viewer ran a little longer than the null listener's
    # SECONDS; rates use each one's own count over its own span.
    print(f"qemu-bridge 1920x1080 full-frame updates (QEMU refreshes every 30 ms):")
    print(f"  null listener: {n_calls} calls in {SECONDS} s = "
          f"{n_calls / SECONDS:.1f}/s, {n_bytes / max(n_calls, 1) / 1e6:.1f} MB "
          f"each, CPU {1000 * n_cpu / max(n_calls, 1):.2f} ms per update")
    print(f"  eglview-shim:  {updates} updates, CPU "
          f"{1000 * shim_cpu / max(updates, 1):.2f} ms per update "
          f"(total {shim_cpu:.2f} s)")
    print(f"  viewer:        {frames} frames shown, about "
          f"{frames / SECONDS:.1f} frames/s")


if __name__ == "__main__":
    main()
