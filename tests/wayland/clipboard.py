#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The clipboard both ways through the native Wayland backend
(wl_data_device; PROTOCOL.md, "The clipboard"): weston's x11 backend on
Xvfb (it has a seat), the demo shim offering "copied in the demo"
(--clipboard-text), qemu-eglview --backend wayland; wl-clipboard's
wl-paste and wl-copy are the other Wayland client.

- the viewer fetches the demo's text and sets the Wayland selection:
  wl-paste prints it;
- wl-copy takes the selection with "copied on the host"; back in the
  viewer's window (xdotool focuses weston's, whose seat gives the
  viewer the keyboard) the demo fetches it: its --record-input has the
  comment line "# clipboard 18 bytes: copied on the host".

Skips (77) where weston, Xvfb, xdotool or wl-clipboard are missing."""
import os
import subprocess
import sys

from eglview_test.procs import check, need_tools, wait_for
from eglview_test.records import read as records
from eglview_test.weston import start_shim, wayland_sync, x11_weston

DEMO_TEXT = "copied in the demo"
HOST_TEXT = "copied on the host"


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--out", default=".")
    a = ap.parse_args()
    need_tools("wl-copy", "wl-paste")
    with x11_weston(a, 640, 480) as (w, xenv, win):
        sock = os.path.join(w.dir, "vm.sock")
        rec = os.path.join(w.dir, "record.txt")
        shim = start_shim(a, w, sock, "--clipboard-text", DEMO_TEXT,
                          "--record-input", rec)
        viewer = w.spawn([a.viewer, "--backend", "wayland", "-v", sock],
                         stderr=subprocess.PIPE, text=True)
        # The viewer has the keyboard, and so the selection's events.
        wayland_sync(rec, xenv, viewer)
        env = dict(os.environ, WAYLAND_DISPLAY=w.env["WAYLAND_DISPLAY"],
                   XDG_RUNTIME_DIR=w.env["XDG_RUNTIME_DIR"])
        env.pop("DISPLAY", None)

        def pasted():
            r = subprocess.run(["wl-paste", "-n"], env=env, text=True,
                               capture_output=True, timeout=10)
            return r.stdout == DEMO_TEXT
        wait_for("wl-paste to print the demo's text", pasted, proc=viewer)
        ok = check("the demo's text on the Wayland selection", True)
        subprocess.run(["wl-copy", HOST_TEXT], env=env, timeout=10,
                       check=True)
        subprocess.run(["xdotool", "windowfocus", "--sync", win], env=xenv,
                       check=True, capture_output=True, timeout=10)
        line = f"# clipboard {len(HOST_TEXT)} bytes: {HOST_TEXT}"
        wait_for("the host's text in the demo", lambda: line in records(rec),
                 proc=viewer)
        ok &= check("wl-copy's text reached the demo", True)
        viewer.terminate()
        err = viewer.communicate(timeout=10)[1]
        ok &= check("the viewer's log names sizes, never the text",
                    DEMO_TEXT not in err and HOST_TEXT not in err)
        shim.terminate()
        shim.wait(timeout=10)
        # wl-copy serves the selection in the background until replaced.
        subprocess.run(["pkill", "-f", "wl-copy " + HOST_TEXT])
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
