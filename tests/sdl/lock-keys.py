#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Lock keys in step (PROTOCOL.md, "Lock LEDs"): a real SDL window on Xvfb
in front of the demo shim, whose guest keeps its own Caps/Num/Scroll
Lock and reports them (DEVICE_STATUS). The host's Caps Lock is toggled
through XTest while another window has the focus; when the viewer gets
the focus back it must send exactly one Caps Lock press and release, and
the shim's --record-input must show it. A Caps Lock the user presses in
the window goes to the guest once, never answered by a second toggle.

  --case sync      the above, then Num Lock the same way
  --case no-sync   --no-sync-locks: the guest is left as it is
"""
import argparse
import sys

from eglview_test.records import expect, kb
from eglview_test.xsession import Session


def toggle_elsewhere(s, keysym):
    """The host's lock toggled while the viewer does not see the key."""
    s.focus_root()
    s.x(["key", keysym])
    s.focus()


def case_sync(s):
    ok = True
    toggle_elsewhere(s, "Caps_Lock")
    ok &= expect("focus back with Caps Lock on: the guest is toggled",
                 s.sync(), kb("KEY_CAPSLOCK", 1) + kb("KEY_CAPSLOCK", 0))
    # Now the same on both sides: another focus change sends nothing.
    s.focus_root()
    s.focus()
    ok &= expect("in step: nothing on focus", s.sync(), [])
    # The user's own Caps Lock in the window: forwarded once.
    s.x(["key", "Caps_Lock"])
    ok &= expect("Caps Lock typed in the window: once", s.sync(),
                 kb("KEY_CAPSLOCK", 1) + kb("KEY_CAPSLOCK", 0))
    s.focus_root()
    s.focus()
    ok &= expect("still in step after it", s.sync(), [])
    toggle_elsewhere(s, "Num_Lock")
    ok &= expect("focus back with Num Lock on: the guest is toggled",
                 s.sync(), kb("KEY_NUMLOCK", 1) + kb("KEY_NUMLOCK", 0))
    return ok


def case_no_sync(s):
    toggle_elsewhere(s, "Caps_Lock")
    return expect("--no-sync-locks: nothing on focus", s.sync(), [])


CASES = {
    "sync": ([], case_sync),
    "no-sync": (["--no-sync-locks"], case_no_sync),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    a = ap.parse_args()
    viewer_args, fn = CASES[a.case]
    s = Session(a.shim, a.viewer, viewer_args=["-v"] + viewer_args)
    try:
        ok = fn(s)
    finally:
        s.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
