#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Real input into a real SDL window: xdotool drives Xvfb through XTest,
qemu-eglview --backend sdl turns it into virtio-input records, and the
demo shim's --record-input file must hold exactly the records expected.

Expected absolute values are computed here from the protocol's rule
(PROTOCOL.md: min is the head's left edge, max its right edge) applied
to the centre of the pixel the pointer is on, with the fit/integer
placement written out again below rather than taken from the viewer."""
import argparse
import subprocess
import sys

from eglview_test.procs import wait_for
from eglview_test.records import abs_at, expect, fit_rect, kb, scale
from eglview_test.xsession import Session

HEAD_W, HEAD_H = 640, 480


def abs_records(x, y):
    return ["tablet EV_ABS ABS_X %d" % x, "tablet EV_ABS ABS_Y %d" % y,
            "tablet EV_SYN SYN_REPORT 0"]


def integer_rect(dw, dh):
    k = min(dw // HEAD_W, dh // HEAD_H)
    return (dw - HEAD_W * k) // 2, (dh - HEAD_H * k) // 2, HEAD_W * k, HEAD_H * k


def case_keys(s):
    ok = True
    s.x(["key", "a"])
    ok &= expect("key a", s.sync(), kb("KEY_A", 1) + kb("KEY_A", 0))
    s.x(["key", "shift+b", "Return", "KP_Enter", "Super_L", "F11"])
    # xdotool releases a chord's keys in the order it pressed them.
    want = (kb("KEY_LEFTSHIFT", 1) + kb("KEY_B", 1) + kb("KEY_LEFTSHIFT", 0) +
            kb("KEY_B", 0) + kb("KEY_ENTER", 1) + kb("KEY_ENTER", 0) +
            kb("KEY_KPENTER", 1) + kb("KEY_KPENTER", 0) +
            kb("KEY_LEFTMETA", 1) + kb("KEY_LEFTMETA", 0) +
            kb("KEY_F11", 1) + kb("KEY_F11", 0))
    ok &= expect("shift+b, Return, KP_Enter, Super_L, F11", s.sync(), want)
    # Held long enough for the X server's auto-repeat (660 ms delay, then
    # 40 ms): the guest must see one press and one release.
    s.x(["keydown", "x"])
    s.x(["sleep", "1.0"])
    s.x(["keyup", "x"])
    ok &= expect("held key, no auto-repeat", s.sync(),
                 kb("KEY_X", 1) + kb("KEY_X", 0))
    return ok


def case_focus(s):
    ok = True
    s.x(["keydown", "shift"])
    s.x(["keydown", "ctrl"])
    s.focus_root()
    # Released on the host while another window has the focus: the viewer
    # must have released both already, and must not send these.
    s.x(["keyup", "ctrl"])
    s.x(["keyup", "shift"])
    s.focus()
    got = s.sync()
    want_a = (kb("KEY_LEFTSHIFT", 1) + kb("KEY_LEFTCTRL", 1) +
              ["keyboard EV_KEY KEY_LEFTCTRL 0", "keyboard EV_KEY KEY_LEFTSHIFT 0",
               "keyboard EV_SYN SYN_REPORT 0"])
    # SDL may report the releases itself on focus-out (one batch each).
    want_b = (kb("KEY_LEFTSHIFT", 1) + kb("KEY_LEFTCTRL", 1) +
              kb("KEY_LEFTCTRL", 0) + kb("KEY_LEFTSHIFT", 0))
    want_c = (kb("KEY_LEFTSHIFT", 1) + kb("KEY_LEFTCTRL", 1) +
              kb("KEY_LEFTSHIFT", 0) + kb("KEY_LEFTCTRL", 0))
    if got in (want_b, want_c):
        want_a = got
    ok &= expect("release-all on focus loss", got, want_a)
    # A button held while the focus goes is released too.
    s.x(["mousemove", "--window", s.window, "320", "240"])
    s.x(["mousedown", "1"])
    s.focus_root()
    s.x(["mouseup", "1"])
    s.focus()
    got = s.sync()
    want = (abs_records(scale(320.5, HEAD_W), scale(240.5, HEAD_H)) +
            ["tablet EV_KEY BTN_LEFT 1", "tablet EV_SYN SYN_REPORT 0",
             "tablet EV_KEY BTN_LEFT 0", "tablet EV_SYN SYN_REPORT 0"])
    ok &= expect("button released on focus loss", got, want)
    return ok


def pointer_case(s, w, h, rect_fn, label):
    ok = True
    s.resize(w, h)
    s.sync()  # the window moved under the pointer: a motion, maybe
    rect = rect_fn(w, h)
    rx, ry, rw, rh = rect
    points = [(rx + 3, ry + 2), (rx + rw // 2, ry + rh // 3),
              (rx + rw - 1, ry + rh - 1)]
    # First on a bar (nothing sent), then on the picture.
    bar = (rx // 2, h // 2) if rx > 0 else (w // 2, ry // 2)
    s.x(["mousemove", "--window", s.window, str(bar[0]), str(bar[1])])
    want = []
    for px, py in points:
        s.x(["mousemove", "--window", s.window, str(px), str(py)])
        want += abs_records(*abs_at(rect, px, py))
    ok &= expect(f"{label}: {w}x{h} window, picture at {rect}, a bar point "
                 f"and {points}", s.sync(), want)
    # Buttons (X 1 2 3 8 9) and the wheel (X 4 5 6 7) over the picture.
    s.x(["click", "1", "click", "2", "click", "3", "click", "8",
         "click", "9"])
    want = []
    for b in ["BTN_LEFT", "BTN_MIDDLE", "BTN_RIGHT", "BTN_SIDE", "BTN_EXTRA"]:
        want += [f"tablet EV_KEY {b} 1", "tablet EV_SYN SYN_REPORT 0",
                 f"tablet EV_KEY {b} 0", "tablet EV_SYN SYN_REPORT 0"]
    ok &= expect(f"{label}: buttons", s.sync(), want)
    s.x(["click", "4", "click", "5", "click", "5", "click", "6",
         "click", "7"])
    want = (["tablet EV_REL REL_WHEEL 1", "tablet EV_SYN SYN_REPORT 0"] +
            ["tablet EV_REL REL_WHEEL -1", "tablet EV_SYN SYN_REPORT 0"] * 2 +
            ["tablet EV_REL REL_HWHEEL -1", "tablet EV_SYN SYN_REPORT 0",
             "tablet EV_REL REL_HWHEEL 1", "tablet EV_SYN SYN_REPORT 0"])
    ok &= expect(f"{label}: wheel", s.sync(), want)
    # A click on a bar is not the guest's.
    s.x(["mousemove", "--window", s.window, str(bar[0]), str(bar[1])])
    s.x(["click", "1", "click", "4"])
    ok &= expect(f"{label}: click and wheel on a bar", s.sync(), [])
    return ok


def case_fit(s):
    return pointer_case(s, 1000, 500, fit_rect, "fit")


def case_integer(s):
    return pointer_case(s, 1300, 1000, integer_rect, "integer")


def case_grab(s):
    ok = True
    if "release" in s.title():
        print("FAIL: grabbed before any click: " + s.title())
        return False
    s.x(["mousemove", "--window", s.window, "300", "200"])
    s.x(["click", "1"])
    ok &= expect("the click that grabs is not sent", s.sync(), [])
    title = s.title()
    if "Ctrl+Alt+G to release" not in title:
        print(f"FAIL: the title does not say how to release: {title!r}")
        ok = False
    s.x(["mousemove_relative", "--", "12", "-7"])
    s.x(["click", "3"])
    s.x(["click", "4"])
    want = ["mouse EV_REL REL_X 12", "mouse EV_REL REL_Y -7",
            "mouse EV_SYN SYN_REPORT 0",
            "mouse EV_KEY BTN_RIGHT 1", "mouse EV_SYN SYN_REPORT 0",
            "mouse EV_KEY BTN_RIGHT 0", "mouse EV_SYN SYN_REPORT 0",
            "mouse EV_REL REL_WHEEL_HI_RES 120", "mouse EV_REL REL_WHEEL 1",
            "mouse EV_SYN SYN_REPORT 0"]
    ok &= expect("relative motion, button, hi-res wheel while grabbed",
                 s.sync(), want)
    s.x(["key", "ctrl+alt+g"])
    want = (kb("KEY_LEFTCTRL", 1) + kb("KEY_LEFTALT", 1) +
            ["keyboard EV_KEY KEY_LEFTCTRL 0", "keyboard EV_KEY KEY_LEFTALT 0",
             "keyboard EV_SYN SYN_REPORT 0"])
    ok &= expect("Ctrl+Alt+G releases the grab and every key", s.sync(), want)
    title = s.title()
    if "release" in title:
        print(f"FAIL: still says grabbed after the hotkey: {title!r}")
        ok = False
    s.x(["mousemove_relative", "--", "5", "5"])
    ok &= expect("no relative motion once released", s.sync(), [])
    return ok


def case_screenshot(s, a):
    # 1:1: the window shows what the offscreen backend's golden shows.
    ok = s.shot_until(a, "sdl-demo-plain", "demo-plain.png")
    # Letterboxed fit in a wider window.
    s.resize(800, 450)
    ok &= s.shot_until(a, "sdl-fit-800x450", "sdl-fit-800x450.png")
    return ok


def case_heads(s, a):
    """--heads 2: a window per head, each showing its own head, input
    from the second mapped through the second window's own letterbox, and
    closing: the second window hides, the first ends the viewer."""
    ok = True
    w1 = s.window
    w2 = wait_for("the second head's window", lambda: s.find(
        r"demo \(Virtual-2\) - qemu-eglview"), proc=s.viewer)
    if w1 == w2:
        print(f"FAIL: one window for both heads ({w1})")
        return False
    print(f"ok   two windows: {w1} {s.title()!r}, {w2} "
          f"{s.x(['getwindowname', w2]).strip()!r}")
    # Each window shows its own head (the panel names the head), both
    # wholly on the screen and the pointer on neither.
    s.x(["mousemove", "1599", "1199"])
    s.x(["windowmove", "--sync", w1, "0", "0"])
    s.x(["windowmove", "--sync", w2, "660", "0"])
    ok &= s.shot_until(a, "sdl-heads-1", "sdl-heads-1.png")
    s.window = w2
    ok &= s.shot_until(a, "sdl-heads-2", "sdl-heads-2.png")
    # The second letterboxed in a window of another shape than the first
    # (640x480, 1:1): a wrong view's geometry gives other values.
    s.x(["windowsize", "--sync", w2, "1000", "500"])
    s.x(["windowmove", "--sync", w2, "0", "520"])
    s.focus()
    rect = fit_rect(1000, 500)
    rx, ry, rw, rh = rect
    points = [(rx + 3, ry + 2), (rx + rw // 2, ry + rh // 3),
              (rx + rw - 1, ry + rh - 1)]
    # Into the window on a bar first (nothing sent), and forget what the
    # way here sent (SDL reports a pointer leaving a window at its edge).
    s.x(["mousemove", "--window", w2, str(rx // 2), "250"])
    s.sync()
    want = []
    for px, py in points:
        s.x(["mousemove", "--window", w2, str(px), str(py)])
        want += abs_records(*abs_at(rect, px, py))
    s.x(["click", "1"])
    want += ["tablet EV_KEY BTN_LEFT 1", "tablet EV_SYN SYN_REPORT 0",
             "tablet EV_KEY BTN_LEFT 0", "tablet EV_SYN SYN_REPORT 0"]
    s.x(["key", "b"])
    want += kb("KEY_B", 1) + kb("KEY_B", 0)
    ok &= expect(f"window 2 (1000x500, picture at {rect}): a bar point, "
                 f"{points}, a click, a key", s.sync(), want)
    # The same window point in the first window (1:1): its own mapping.
    s.window = w1
    s.focus()
    s.x(["mousemove", "--window", w1, "600", "400"])
    s.sync()
    s.x(["mousemove", "--window", w1, "100", "50"])
    ok &= expect("window 1 (640x480 at 1:1)", s.sync(),
                 abs_records(scale(100.5, HEAD_W), scale(50.5, HEAD_H)))
    # Closing the second window hides it; the viewer goes on.
    s.close_window(w2)
    wait_for("the second window to hide", lambda: not s.find(
        r"demo \(Virtual-2\)"), proc=s.viewer)
    s.focus()
    s.x(["key", "c"])
    ok &= expect("after closing window 2, window 1 still types", s.sync(),
                 kb("KEY_C", 1) + kb("KEY_C", 0))
    # Closing the first window ends the viewer, successfully.
    s.close_window(w1)
    try:
        rc = s.viewer.wait(timeout=20)
    except subprocess.TimeoutExpired:
        print("FAIL: the viewer still runs 20 s after its first window "
              "was closed")
        return False
    if rc != 0:
        print(f"FAIL: the viewer exited {rc} after its window was closed")
        ok = False
    else:
        print("ok   closing the first window ends the viewer (exit 0)")
    return ok


CASES = {
    "keys": ([], [], case_keys),
    "focus": ([], [], case_focus),
    "fit": ([], [], case_fit),
    "integer": ([], ["--scale", "integer"], case_integer),
    "grab": (["--mouse", "relative"], [], case_grab),
    "screenshot": ([], [], case_screenshot),
    "heads": (["--heads", "2"], [], case_heads),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--imgcmp")
    ap.add_argument("--golden")
    ap.add_argument("--out", default=".")
    a = ap.parse_args()
    shim_args, viewer_args, fn = CASES[a.case]
    shot = a.case in ("screenshot", "heads")
    s = Session(a.shim, a.viewer, shim_args, viewer_args, settle=not shot)
    try:
        ok = fn(s, a) if shot else fn(s)
    finally:
        s.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
