#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The clipboard both ways with a real QEMU (PROTOCOL.md, "The clipboard"):
QEMU 7.2 (TCG, -display dbus on a private bus, and -vnc on a unix socket)
runs the test guest; eglview-shim --source qemu bridges QEMU's
org.qemu.Display1.Clipboard; qemu-eglview --backend sdl runs on Xvfb,
whose CLIPBOARD selection xclip reads and writes. QEMU shares one
clipboard between the D-Bus display and its VNC server, so a small RFB
client (eglview_test.rfb, with the Extended Clipboard, without which
QEMU's VNC server does not join QEMU's clipboard) is the guest's side:
xclip -i "copied on the host" -> SDL's clipboard event -> the viewer
grabs -> the shim's Clipboard.Grab -> QEMU notifies the VNC client, which
asks for the text -> QEMU's Request to the shim -> the viewer's text ->
the VNC client's extended provide.

The other way cannot be driven through VNC: QEMU 7.2 gives the D-Bus
display only clipboard grabs that carry a serial, and its VNC server's
carry none (qemu-bridge-vs-fake-qemu-dbus-peer-memfd-as-dmabuf plays
QEMU's Grab and Request for that direction).

Exit 77 where QEMU, dbus-daemon, Xvfb or xclip is missing."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import e2e
from eglview_test.procs import need_tools
from eglview_test.rfb import RFB
from eglview_test.xsession import start_xvfb

HOST_TEXT = "copied on the host"


def copy_on_host(env, text):
    """xclip takes the CLIPBOARD selection (and stays, serving it)."""
    subprocess.run(["xclip", "-selection", "clipboard", "-i"], input=text,
                   env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, text=True, timeout=10,
                   check=True)


def focus(env, window):
    subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env,
                   check=True, capture_output=True, timeout=10)


def root_window(env):
    out = subprocess.run(["xwininfo", "-root"], env=env, capture_output=True,
                         text=True, check=True).stdout
    return [l.split()[3] for l in out.splitlines() if "Window id:" in l][0]


def main():
    ap = argparse.ArgumentParser()
    for opt in ("shim", "viewer", "guest"):
        ap.add_argument("--" + opt, required=True)
    a = ap.parse_args()
    why = e2e.skip_reason()
    if why:
        print(f"clipboard: skipped: {why}")
        sys.exit(77)
    need_tools("Xvfb", "xclip", "xdotool", "xwininfo")
    xvfb, display = start_xvfb("1280x1024x24")
    env = dict(os.environ, DISPLAY=display, SDL_VIDEO_X11_FORCE_EGL="1")
    env.pop("WAYLAND_DISPLAY", None)
    os.environ.update(DISPLAY=display, SDL_VIDEO_X11_FORCE_EGL="1")
    os.environ.pop("WAYLAND_DISPLAY", None)
    with tempfile.TemporaryDirectory(prefix="eglview-clip-") as tmp:
        run = e2e.Run(a, tmp)
        vnc = os.path.join(tmp, "vnc.sock")
        try:
            run.start_bus()
            qemu, qout = run.start_qemu(p2p=False, seabios=False,
                                        extra=["-vnc", "unix:" + vnc])
            shim, sout = run.start_shim(p2p=False)
            qout.wait_for(r"^READY$")
            viewer, vout = run.spawn("viewer", [
                a.viewer, "--backend", "sdl", "-v",
                os.path.join(tmp, "vm.sock")])
            vout.wait_for(r"features .* clipboard")
            vout.wait_for(r"<- UPDATE")
            rfb = RFB(vnc)

            # The user copies in another window, then comes back to the
            # VM's: the guest's side is given it.
            win = subprocess.run(["xdotool", "search", "--name",
                                  "qemu-eglview"], env=env, text=True,
                                 capture_output=True).stdout.split()[0]
            focus(env, root_window(env))
            copy_on_host(env, HOST_TEXT)
            focus(env, win)
            vout.wait_for(r"the host's text \(18 bytes\) offered to the VM")
            got = rfb.server_cut_text()
            if got != HOST_TEXT:
                e2e.fail(f"the VNC client got {got!r}, expected {HOST_TEXT!r}")
            print("clipboard: host -> guest ok")
            # The logs name sizes, never the text.
            for line in sout.lines + vout.lines:
                if HOST_TEXT in line:
                    e2e.fail(f"clipboard text in a log line: {line}")
            rfb.close()
        finally:
            run.cleanup()
            xvfb.terminate()
            xvfb.wait()
    print("clipboard: passed")


if __name__ == "__main__":
    main()
