#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Lock keys in step through the native Wayland backend (PROTOCOL.md,
"Lock LEDs"): two demo VMs in one window on weston's x11 backend on Xvfb
(eglview_test.wayland_vms), xdotool typing:

- Caps Lock typed while VM 1 has the focus goes to VM 1 once, and is not
  answered by a second toggle when the compositor's modifiers say the
  host's Caps Lock is now on;
- a click moves the focus to VM 2, whose guest still has Caps Lock off:
  it gets exactly one Caps Lock press and release, and VM 1 nothing;
- back on VM 1, both agree: nothing.

The host's lock state here is the compositor's locked modifiers
(wl_keyboard.modifiers: XKB's Lock). Skips (77) where weston, Xvfb or
xdotool are missing."""
import argparse
import sys

from eglview_test.records import expect, kb
from eglview_test.wayland_vms import CELL_W, TwoVMs


def keyboard_only(got):
    """A focus change also tells the VM where the pointer is, which is
    not the point here."""
    return [[l for l in g if l.startswith("keyboard ")] for g in got]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--out", default=".")
    a = ap.parse_args()
    vms = TwoVMs(a, ["-v"])
    try:
        vms.wait_focus()
        ok = True
        vms.x(["key", "Caps_Lock"])
        got = keyboard_only(vms.sync(0))
        ok &= expect("Caps Lock into VM 1, once", got[0],
                     kb("KEY_CAPSLOCK", 1) + kb("KEY_CAPSLOCK", 0))
        ok &= expect("nothing into VM 2", got[1], [])

        # The click focuses VM 2 (and reaches no VM as a button); its
        # guest's Caps Lock is off while the host's is on.
        vms.x(["mousemove", "--window", vms.win, str(CELL_W + 160), "120",
               "click", "1"])
        got = keyboard_only(vms.sync(1))
        ok &= expect("VM 2 brought to the host's Caps Lock", got[1],
                     kb("KEY_CAPSLOCK", 1) + kb("KEY_CAPSLOCK", 0))
        ok &= expect("nothing more into VM 1", got[0], [])

        vms.x(["mousemove", "--window", vms.win, "160", "120", "click", "1"])
        got = keyboard_only(vms.sync(0))
        ok &= expect("VM 1 again: in step, nothing", got[0], [])
        ok &= expect("nothing into VM 2", got[1], [])
        ok &= vms.still_running()
        sys.exit(0 if ok else 1)
    finally:
        vms.close()


if __name__ == "__main__":
    main()
