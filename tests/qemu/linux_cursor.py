#!/usr/bin/env python3
"""A real guest's hardware cursor: the Linux test guest (linux-guest.sh:
Debian's kernel, a busybox initramfs) on virtio-gpu runs
tests/guest/drm-cursor.c, which sets a 1024x768 mode with a known picture
and a 64x64 cursor with hotspot (5, 7) at (300, 200) through the DRM
cursor ioctl. QEMU turns the cursor plane into its display's CursorDefine
and MouseSet, the shim into CURSOR_IMAGE and CURSOR_POS, and the offscreen
viewer draws it into its picture: the snapshot must be the reviewed golden
qemu-linux-cursor.png (the picture with the cursor's top-left at 295,193,
its half-transparent bar blended), and the viewer must have been told a
64x64 image with hotspot 5,7.

  --glon  inside the test VM (suite glon): QEMU with -display dbus,gl=on
          on the vgem card and -device virtio-vga-gl (virglrenderer: the
          guest's buffers are GL resources, the scanout a texture QEMU
          exports), everything under Mesa 25: the picture arrives as a
          dma-buf, nothing is uploaded, and the cursor is the same.

The guest program is built here (cc -static) into the initramfs. Exit 77
where QEMU is missing, the kernel package cannot be had, or (--glon)
outside the test VM.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import e2e
from eglview_test.vm import load_mesa25

HERE = os.path.dirname(os.path.abspath(__file__))
INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /modules.list); do insmod /lib/modules/$m.ko; done
for i in $(seq 100); do [ -e /dev/dri/card0 ] && break; sleep 0.1; done
exec /drm-cursor
"""


def initramfs(tmp, guest_dir, source):
    """The guest's initramfs with drm-cursor as its init's last step."""
    ird = os.path.join(tmp, "ird")
    shutil.copytree(os.path.join(guest_dir, "ird"), ird, symlinks=True)
    subprocess.run(["cc", "-static", "-O2", "-I/usr/include/libdrm", source,
                    "-o", os.path.join(ird, "drm-cursor")], check=True)
    with open(os.path.join(ird, "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(ird, "init"), 0o755)
    out = os.path.join(tmp, "initrd.gz")
    with open(out, "wb") as f:
        files = subprocess.run(["find", "."], cwd=ird, check=True,
                               capture_output=True).stdout
        cpio = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"],
                              cwd=ird, input=files, check=True,
                              capture_output=True).stdout
        f.write(subprocess.run(["gzip", "-1"], input=cpio, check=True,
                               capture_output=True).stdout)
    return out


class LinuxRun(e2e.Run):
    """e2e.Run with the Linux guest in place of the test guest."""

    def __init__(self, a, tmp, guest_dir, initrd):
        super().__init__(a, tmp)
        self.guest_dir, self.initrd = guest_dir, initrd

    def start_linux(self):
        device = "virtio-vga-gl" if self.a.glon else "virtio-vga"
        display = "dbus,addr=" + self.qemu_bus + (
            ",gl=on,rendernode=/dev/dri/card0" if self.a.glon else "")
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-m", "256",
               "-nodefaults", "-no-user-config", "-name", "linux-cursor",
               "-kernel", os.path.join(self.guest_dir, "vmlinuz"),
               "-initrd", self.initrd, "-append", "console=ttyS0 quiet",
               "-serial", "stdio", "-device", device, "-display", display]
        return self.spawn("qemu", cmd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--glon", action="store_true")
    a = e2e.parse_args(ap)
    a.scenario = "linux-cursor" + ("-glon" if a.glon else "")
    if a.glon:
        if os.environ.get("EGLVIEW_IN_VM") != "1" or not os.path.isfile(
                os.environ.get("EGLVIEW_VM_MESA25_ENV", "")):
            print("e2e: skipped: only inside the test VM (vm / "
                  "glon-suite-in-vm runs it there, with Mesa 25)")
            sys.exit(77)
        load_mesa25()
        # TCG inside TCG: the kernel boots in minutes, llvmpipe is slow.
        e2e.TIMEOUT_S = 400.0
        e2e.QUIET_S = 2.0
    else:
        e2e.TIMEOUT_S = 120.0
    e2e.skip_or_prepare(a)
    setup = subprocess.run(["sh", os.path.join(HERE, "linux-guest.sh")],
                           capture_output=True, text=True)
    if setup.returncode == 77:
        print(f"e2e: skipped: {setup.stderr.strip()}")
        sys.exit(77)
    if setup.returncode != 0:
        e2e.fail(f"linux-guest.sh failed: {setup.stderr.strip()}")
    guest_dir = setup.stdout.strip()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="eglview-linux-cursor-") as tmp:
        initrd = initramfs(tmp, guest_dir, os.path.join(
            HERE, "..", "guest", "drm-cursor.c"))
        run = LinuxRun(a, tmp, guest_dir, initrd)
        try:
            run.start_bus()
            qemu, qout = run.start_linux()
            run.start_shim(p2p=False)
            qout.wait_for(r"^CURSOR 64x64 hot 5,7 at 300,200")
            boot = time.monotonic() - started
            print(f"e2e: the guest set its mode and cursor {boot:.1f} s "
                  "after QEMU started")
            shot = os.path.join(a.out_dir, f"qemu-{a.scenario}.png")
            cmd = [a.viewer, "--backend", "offscreen", "-v",
                   "--resize-guest", "off", "--snapshot", shot]
            if a.glon:
                cmd.append("--stats")
            cmd.append(os.path.join(tmp, "vm.sock"))
            v, vout = run.spawn("viewer", cmd, echo=False)
            vout.wait_for(r"<- CURSOR_IMAGE")
            vout.wait_for(r"<- CURSOR_POS")
            vout.wait_for(r"<- UPDATE")
            e2e.wait_stable(vout, vout.mark())
            run.stop_viewer(v, vout)
            run.compare(shot, [os.path.join(a.golden_dir,
                                            "qemu-linux-cursor.png")])
            _, m = vout.wait_for(r"guest cursor (\d+)x(\d+), hotspot "
                                 r"(\d+),(\d+)")
            if m.groups() != ("64", "64", "5", "7"):
                e2e.fail(f"the cursor came as {m.group(0)}")
            if a.glon:
                _, s = vout.wait_for(r"stats: .*bytes_uploaded=(\d+) .*"
                                     r"imports_dmabuf=(\d+)")
                if s.group(1) != "0" or s.group(2) == "0" or \
                   vout.count(r"<- BUFFER_DMABUF") == 0:
                    e2e.fail(f"not through a dma-buf: {s.group(0)}")
                print(f"e2e: through virgl and gl=on: {s.group(0)}")
        finally:
            run.cleanup()
    print(f"e2e: {a.scenario} passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
