#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Several VMs in one real SDL window: two demo shims, each recording the
input it receives (--record-input), shown side by side by one
qemu-eglview --backend sdl --layout row. xdotool drives Xvfb:

  - keys go to the first VM (focused at start) and to it only;
  - a click in the second VM's tile moves the focus there: the click is
    not delivered, the first VM gets the release of the key still held,
    the mark (an amber frame) moves to the second tile, the title names
    VM 2 of 2;
  - keys, pointer and buttons now reach the second VM only, the pointer
    mapped into its tile (window x 640.. is its x 0..);
  - a click back in the first tile returns the focus; the first VM's
    record then shows exactly what it got meanwhile: the release, then
    where the pointer is, nothing of what was typed into the second;
  - Ctrl+Alt+N moves the focus to the next VM; N reaches no VM.

Each VM's records are checked against its own file; a record file is
read after an F12 marker typed into that VM came back, so every host
event before it was handled (one X connection, one order)."""
import argparse
import os
import subprocess
import sys
import tempfile

from eglview_test import records
from eglview_test.procs import need_tools, wait_for
from eglview_test.records import expect, kb, scale
from eglview_test.xsession import Session

HEAD_W, HEAD_H = 640, 480
AMBER = (255, 160, 0)
MARKER = ["keyboard EV_KEY KEY_F12 1", "keyboard EV_SYN SYN_REPORT 0",
          "keyboard EV_KEY KEY_F12 0", "keyboard EV_SYN SYN_REPORT 0"]


def abs_records(hx, hy, w=HEAD_W, h=HEAD_H):
    """The tablet records for head pixel (hx, hy) of a w x h head shown
    1:1: the centre of the pixel, scaled to 0..32767 (PROTOCOL.md)."""
    x, y = scale(hx + 0.5, w), scale(hy + 0.5, h)
    return ["tablet EV_ABS ABS_X %d" % x, "tablet EV_ABS ABS_Y %d" % y,
            "tablet EV_SYN SYN_REPORT 0"]


def click(b):
    name = {1: "BTN_LEFT"}[b]
    return [f"tablet EV_KEY {name} 1", "tablet EV_SYN SYN_REPORT 0",
            f"tablet EV_KEY {name} 0", "tablet EV_SYN SYN_REPORT 0"]


class TwoVMs(Session):
    """Session's Xvfb and helpers with two shims and one viewer."""

    def __init__(self, shim, viewer):
        need_tools("Xvfb", "xdotool", "xwd", "xwdtopnm")
        self.tmp = tempfile.TemporaryDirectory(prefix="eglview-layout-")
        self.dir = self.tmp.name
        self.procs = []
        self.xvfb = None
        self.viewer = None
        self.records_path = [os.path.join(self.dir, f"record{i}.txt")
                             for i in (1, 2)]
        self.seen = [0, 0]
        try:
            self._start_x("1600x1200x24")
            socks = []
            for i in (1, 2):
                sock = os.path.join(self.dir, f"vm{i}.sock")
                # VM 1 has two 320x240 heads: still one window.
                size = ["--size", "320x240", "--heads", "2"] if i == 1 else \
                       ["--size", "640x480"]
                p = subprocess.Popen([shim, *size, "--fps", "0",
                                      "--record-input", self.records_path[i - 1],
                                      sock], env=self.env)
                self.procs.append(p)
                wait_for(f"VM {i}'s socket", lambda: os.path.exists(sock),
                         proc=p)
                socks.append(sock)
            self.x(["mousemove", "1599", "1199"])
            cmd = [viewer, "--backend", "sdl", "--layout", "row"] + socks
            print("viewer:", " ".join(cmd))
            self.viewer = subprocess.Popen(cmd, env=self.env)
            self.procs.append(self.viewer)
            self.window = wait_for("the viewer's window", lambda: self._find(
                r"demo \(VM 1 of 2\) - qemu-eglview"), proc=self.viewer)
            # Both tiles drawn: the window takes two 640x480 cells.
            wait_for("a 1280x480 window", lambda: self.geometry() ==
                     (1280, 480), proc=self.viewer)
            self.x(["windowmove", "--sync", self.window, "0", "0"])
            self.focus()
            self.sync(0)
            windows = self.x(["search", "--onlyvisible", "--name",
                              "qemu-eglview"], check=False).split()
            if windows != [self.window]:
                raise RuntimeError(f"windows {windows}: expected one window "
                                   f"for both VMs and VM 1's two heads")
            print("ok   one window for two VMs, one of them with two heads")
        except BaseException:
            self.close()
            raise

    def geometry(self):
        out = self.x(["getwindowgeometry", self.window])
        for line in out.splitlines():
            if "Geometry:" in line:
                w, h = line.split()[-1].split("x")
                return int(w), int(h)
        return None

    def lines(self, vm):
        return records.read(self.records_path[vm])

    def sync(self, vm):
        """F12 into the focused VM, which must be vm; its records since
        the last sync, without the marker."""
        start = self.seen[vm]
        self.x(["key", "F12"])

        def done():
            got = self.lines(vm)[start:]
            return len(got) >= 4 and got[-4:] == MARKER
        try:
            wait_for(f"the F12 marker in VM {vm + 1}'s records", done,
                     proc=self.viewer)
        except RuntimeError:
            print(f"VM {vm + 1}'s records:", self.lines(vm)[start:],
                  file=sys.stderr)
            raise
        got = self.lines(vm)
        self.seen[vm] = len(got)
        return got[start:-4]

    def pixel(self, x, y):
        """The window's pixel (x, y) as (r, g, b), from an xwd shot."""
        xwd = subprocess.run(["xwd", "-silent", "-id", self.window],
                             env=self.env, capture_output=True, check=True)
        ppm = subprocess.run(["xwdtopnm"], input=xwd.stdout,
                             capture_output=True, check=True).stdout
        # P6 header: magic, width, height, maxval, one whitespace each.
        fields, pos = [], 0
        while len(fields) < 4:
            while ppm[pos:pos + 1].isspace():
                pos += 1
            end = pos
            while not ppm[end:end + 1].isspace():
                end += 1
            fields.append(ppm[pos:end])
            pos = end
        pos += 1
        width = int(fields[1])
        off = pos + 3 * (y * width + x)
        return tuple(ppm[off:off + 3])


def marked(s, tile):
    """Whether tile 0 or 1 has the focus frame (its corner pixels)."""
    x0 = 640 * tile
    return all(s.pixel(x, y) == AMBER for x, y in
               [(x0 + 1, 1), (x0 + 638, 478)])


def run(s):
    ok = True
    # Keys go to the first VM, focused at start, and its tile is marked.
    s.x(["key", "a"])
    ok &= expect("VM 1 focused at start: key a", s.sync(0),
                 kb("KEY_A", 1) + kb("KEY_A", 0))
    wait_for("the mark on tile 1", lambda: marked(s, 0) and
             not marked(s, 1), proc=s.viewer)
    print("ok   the amber frame marks tile 1 and not tile 2")
    # A key held while a click in tile 2 moves the focus.
    s.x(["keydown", "shift"])
    s.x(["mousemove", "--window", s.window, "700", "100"])
    s.x(["click", "1"])
    wait_for("the title naming VM 2", lambda: "(VM 2 of 2)" in s.title(),
             proc=s.viewer)
    print(f"ok   the title after the click: {s.title()!r}")
    s.x(["keyup", "shift"])
    wait_for("the mark on tile 2", lambda: marked(s, 1) and
             not marked(s, 0), proc=s.viewer)
    print("ok   the amber frame marks tile 2 and not tile 1")
    # Now VM 2 gets keys and the pointer, mapped into its tile: window
    # (700, 100) is its pixel (60, 100); (1279, 479) its last pixel.
    s.x(["key", "b"])
    s.x(["mousemove", "--window", s.window, "1279", "479"])
    s.x(["click", "1"])
    want = (abs_records(60, 100) + kb("KEY_B", 1) + kb("KEY_B", 0) +
            abs_records(639, 479) + click(1))
    ok &= expect("VM 2 after the focusing click (not delivered): where "
                 "the pointer was, key b, the pointer at its last pixel, "
                 "a click", s.sync(1), want)
    # Back to VM 1: what it got meanwhile is the release of shift and,
    # on the click that focuses it, where the pointer is. Its cell is
    # 640x480, its heads 320x480 tiles each with the 320x240 picture at
    # y 120..360: window (100, 150) is head 1's pixel (100, 30). Nothing
    # typed into VM 2.
    s.x(["mousemove", "--window", s.window, "100", "150"])
    s.x(["click", "1"])
    wait_for("the title naming VM 1", lambda: "(VM 1 of 2)" in s.title(),
             proc=s.viewer)
    s.x(["key", "c"])
    want = (kb("KEY_LEFTSHIFT", 1) + kb("KEY_LEFTSHIFT", 0) +
            abs_records(100, 30, 320, 240) + kb("KEY_C", 1) + kb("KEY_C", 0))
    got = s.sync(0)
    ok &= expect("VM 1 meanwhile: shift held, released when the focus "
                 "went; the pointer on the click back; key c", got, want)
    # Ctrl+Alt+N focuses the next VM: N is the viewer's; VM 1 got Ctrl and
    # Alt and their release, VM 2 nothing but the marker.
    s.x(["key", "ctrl+alt+n"])
    wait_for("the title naming VM 2 after Ctrl+Alt+N",
             lambda: "(VM 2 of 2)" in s.title(), proc=s.viewer)
    ok &= expect("VM 2 after Ctrl+Alt+N", s.sync(1), [])
    want = (kb("KEY_LEFTCTRL", 1) + kb("KEY_LEFTALT", 1) +
            ["keyboard EV_KEY KEY_LEFTCTRL 0", "keyboard EV_KEY KEY_LEFTALT 0",
             "keyboard EV_SYN SYN_REPORT 0"])
    start = s.seen[0]
    try:
        wait_for("VM 1's release of Ctrl and Alt",
                 lambda: len(s.lines(0)) >= start + len(want), timeout=5)
    except RuntimeError:
        pass
    ok &= expect("VM 1 on Ctrl+Alt+N", s.lines(0)[start:], want)
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    a = ap.parse_args()
    s = TwoVMs(a.shim, a.viewer)
    try:
        ok = run(s)
    finally:
        s.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
