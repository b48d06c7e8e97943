# SPDX-License-Identifier: MIT
"""Two demo VMs in one native Wayland window (--layout row) on weston's
x11 backend on Xvfb, typed into with xdotool, each VM's shim recording
what it gets (--record-input): the set-up of the Wayland input tests of
several VMs (tests/wayland/layout-input.py, lock-keys.py)."""
import os
import subprocess

from eglview_test.procs import need_tools, wait_for
from eglview_test.records import kb
from eglview_test.records import read as records
from eglview_test.weston import Weston, start_shim, weston_window
from eglview_test.xsession import start_xvfb

CELL_W, CELL_H = 320, 240
MARKER = kb("KEY_F12", 1) + kb("KEY_F12", 0)


class TwoVMs:
    def __init__(self, a, viewer_args=()):
        need_tools("weston", "Xvfb", "xdotool", "xwininfo")
        self.xvfb, display = start_xvfb()
        self.w = None
        try:
            self.w = Weston(a, "x11", "pixman", 2 * CELL_W, CELL_H,
                            display=display)
            self.xenv = dict(os.environ, DISPLAY=display)
            self.win = wait_for("weston's X window",
                                lambda: weston_window(self.xenv))
            socks, self.recs = [], []
            for i in (1, 2):
                socks.append(os.path.join(self.w.dir, f"vm{i}.sock"))
                self.recs.append(os.path.join(self.w.dir, f"vm{i}.txt"))
                start_shim(a, self.w, socks[-1], "--size",
                           f"{CELL_W}x{CELL_H}", "--record-input",
                           self.recs[-1])
            # The X pointer off weston's 640x240 window on the 800x600
            # Xvfb, and the X keyboard focus on that window before any
            # surface maps, so that weston's seat has the keyboard when
            # its shell activates the viewer.
            self.x(["mousemove", "700", "550", "windowfocus", "--sync",
                    self.win])
            self.viewer = self.w.spawn(
                [a.viewer, "--backend", "wayland", "--fullscreen"] +
                list(viewer_args) + ["--layout", "row"] + socks)
            self.seen = [0, 0]
        except BaseException:
            self.close()
            raise

    def x(self, args):
        r = subprocess.run(["xdotool"] + args, env=self.xenv, text=True,
                           capture_output=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError(f"xdotool {args}: {r.stderr}")

    def wait_focus(self):
        """Until VM 1 has the keyboard (its first frame shown, devices
        known); what came before is forgotten."""
        self.x(["windowfocus", "--sync", self.win])
        wait_for("the viewer's focus",
                 lambda: (self.x(["key", "F12"]) or True) and
                 records(self.recs[0])[-4:] == MARKER, proc=self.viewer)
        self.seen = [len(records(self.recs[0])), len(records(self.recs[1]))]

    def sync(self, vm):
        """F12 as a marker into the focused VM `vm`: the records both VMs
        got since the last sync (the marker not counted)."""
        self.x(["key", "F12"])
        wait_for("the F12 marker",
                 lambda: records(self.recs[vm])[-4:] == MARKER and
                 len(records(self.recs[vm])) >= self.seen[vm] + 4,
                 proc=self.viewer)
        got = []
        for i in (0, 1):
            r = records(self.recs[i])
            got.append(r[self.seen[i]:-4] if i == vm else r[self.seen[i]:])
            self.seen[i] = len(r)
        return got

    def still_running(self):
        """True while the viewer runs, else says so."""
        if self.viewer.poll() is None:
            return True
        print(f"FAIL the viewer still runs: exited {self.viewer.returncode}")
        return False

    def close(self):
        if self.w:
            self.w.close()
        self.xvfb.terminate()
        self.xvfb.wait()
