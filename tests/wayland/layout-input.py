#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Two VMs in one Wayland window (--layout row), real input through
weston's x11 backend on Xvfb with xdotool, each VM's shim recording what
it receives (--record-input):

- keys go to the first VM only;
- a click in the second VM's cell moves the focus there, and the click
  itself reaches neither VM;
- keys and the pointer then reach the second VM only, the pointer mapped
  into its cell (window x 320 is its x 0), and the first VM gets nothing
  more.

The same routing as the SDL test x11-layout-focus, through the Wayland
backend's seat. Skips (77) where weston, Xvfb or xdotool are missing."""
import sys

from eglview_test.procs import screen_test_args
from eglview_test.records import expect, kb, scale
from eglview_test.wayland_vms import CELL_H, CELL_W, TwoVMs
from eglview_test.weston import golden, shot_until_but_pointer


def main():
    a = screen_test_args()
    vms = TwoVMs(a)
    w, win, x, sync = vms.w, vms.win, vms.x, vms.sync
    try:
        # The placement from the screenshot, not from the viewer: the two
        # cells side by side at 0,0, the first framed
        # (wayland-layout-input.png, the offscreen viewer's picture of
        # the same layout) but for weston's pointer sprite.
        ok = shot_until_but_pointer(a, w, "wayland-layout-input",
                                    golden(a, "wayland-layout-input"))
        # The first frame (keyboard focus, devices known) before anything.
        vms.wait_focus()
        x(["key", "a"])
        got = sync(0)
        ok &= expect("key a into vm1", got[0], kb("KEY_A", 1) +
                     kb("KEY_A", 0))
        ok &= expect("nothing into vm2", got[1], [])

        # The click that focuses vm2 reaches neither VM as a button.
        # sync(1) waits for the F12 marker in vm2's record: it times out
        # (and fails) unless the click moved the focus there.
        x(["mousemove", "--window", win, str(CELL_W + 160), "120",
           "click", "1"])
        got = sync(1)
        buttons = [r for r in got[0] + got[1] if "BTN_" in r]
        ok &= expect("the focusing click delivered nowhere", buttons, [])
        x(["key", "b"])
        got = sync(1)
        ok &= expect("key b into vm2", got[1], kb("KEY_B", 1) +
                     kb("KEY_B", 0))
        ok &= expect("nothing more into vm1", got[0], [])

        # The pointer within vm2's cell (the surface at 0,0, above),
        # mapped into vm2: each move exactly its three records.
        for px, py in [(CELL_W + 100, 100), (CELL_W + 20, 30),
                       (CELL_W + 300, 200), (CELL_W, 0),
                       (2 * CELL_W - 1, CELL_H - 1)]:
            x(["mousemove", "--window", win, str(px), str(py)])
            got = sync(1)
            want = [f"tablet EV_ABS ABS_X {scale(px - CELL_W, CELL_W)}",
                    f"tablet EV_ABS ABS_Y {scale(py, CELL_H)}",
                    "tablet EV_SYN SYN_REPORT 0"]
            ok &= expect(f"pointer at window {px},{py} into vm2",
                         got[1], want)
            ok &= expect("nothing of it into vm1", got[0], [])
        x(["click", "1"])
        got = sync(1)
        ok &= expect("a click into vm2 once focused", got[1],
                     ["tablet EV_KEY BTN_LEFT 1", "tablet EV_SYN SYN_REPORT 0",
                      "tablet EV_KEY BTN_LEFT 0", "tablet EV_SYN SYN_REPORT 0"])
        ok &= vms.still_running()
        sys.exit(0 if ok else 1)
    finally:
        vms.close()


if __name__ == "__main__":
    main()
