#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The window options through a real SDL window on Xvfb, checked against
the screen (xwd) and the demo shim's --record-input file.

fullscreen: --fullscreen under a real window manager (evilwm: without one
  fullscreen means nothing on X): the window is the whole 1024x600 screen
  at 0,0 with _NET_WM_STATE_FULLSCREEN, the screen (xwd of the root) is
  the demo letterboxed into it (tests/golden/sdl-fullscreen-1024x600.png),
  and the pointer maps through that letterbox.
fullscreen-toggle: Ctrl+Alt+F (xdotool) makes the 640x480 window fill the
  screen (the same golden) and, pressed again, gives it back its size and
  the 1:1 picture (demo-plain.png); the guest hears Ctrl and Alt, never
  the F.
kiosk-escape: --kiosk --kiosk-escape ctrl+alt+backspace: fullscreen (the
  same golden); keys reach the guest, Ctrl+Alt+F too (no hotkeys in a
  kiosk) and Ctrl+BackSpace (not the escape); Ctrl+Alt+BackSpace ends the
  viewer with status 0, and the guest never sees a BackSpace: Ctrl and Alt
  pressed, then released by the viewer on its way out.
touch: the demo with --touch, and SDL_MOUSE_TOUCH_EVENTS=1, which makes
  SDL deliver a left-button drag as finger events (Xvfb has no touch
  device and XTest makes none): a 1000x500 window, so the fingers map
  through its letterbox. The touch device's records must be type B
  multi-touch (ABS_MT_SLOT, ABS_MT_TRACKING_ID, BTN_TOUCH, ABS_MT_POSITION_*,
  ABS_X/ABS_Y for slot 0) within 1 guest pixel of where the drag went,
  computed here; a touch that starts on a bar is not sent. The mouse's
  own records (tablet) are not this test's.
pointer-still: --resize-guest off, no window manager: the pointer over
  the 640x480 picture, then the window resized to 800x450 under it (X
  sends no motion: the pointer stays in the window): once the viewer has
  drawn the letterboxed frame, the guest hears where the pointer now is
  on its picture, once.
"""
import subprocess
import sys

from eglview_test.procs import check, screen_test_args, wait_for
from eglview_test.records import ABS_MAX, abs_at, expect, fit_rect, head_at, kb
from eglview_test.xsession import Session

SCREEN_W, SCREEN_H = 1024, 600
FULL = "sdl-fullscreen-1024x600.png"


def release_batch(*codes):
    """One batch releasing codes, as the viewer's release-all sends it."""
    return ([f"keyboard EV_KEY {c} 0" for c in codes] +
            ["keyboard EV_SYN SYN_REPORT 0"])


def is_fullscreen(s):
    return (s.geometry() == (0, 0, SCREEN_W, SCREEN_H) and
            "_NET_WM_STATE_FULLSCREEN" in s.wm_state())


def check_fullscreen(s, a, name, golden=FULL):
    try:
        wait_for("the window to fill the screen", lambda: is_fullscreen(s),
                 proc=s.viewer)
    except RuntimeError as e:
        print(f"FAIL {e}: {s.geometry()}, {s.wm_state()}")
        return False
    print(f"ok   the window fills the {SCREEN_W}x{SCREEN_H} screen, "
          "_NET_WM_STATE_FULLSCREEN")
    return s.shot_until(a, name, golden, window="root")


def settle(s):
    """The window focused and whatever the start sent forgotten; after
    the first screenshot, as the F12 marker shows in the demo's echo."""
    s.focus()
    s.sync()


def case_fullscreen(s, a):
    ok = check_fullscreen(s, a, "sdl-fullscreen")
    settle(s)
    rect = fit_rect(SCREEN_W, SCREEN_H)
    rx, ry, rw, rh = rect
    s.x(["mousemove", str(rx // 2), "300"])  # a bar: nothing
    want = []
    for px, py in [(rx + 1, 1), (512, 300), (rx + rw - 1, rh - 1)]:
        s.x(["mousemove", str(px), str(py)])
        vx, vy = abs_at(rect, px, py)
        want += [f"tablet EV_ABS ABS_X {vx}", f"tablet EV_ABS ABS_Y {vy}",
                 "tablet EV_SYN SYN_REPORT 0"]
    ok &= expect(f"the pointer through the fullscreen letterbox {rect}",
                 s.sync(), want)
    return ok


def case_fullscreen_toggle(s, a):
    ok = True
    x0, y0, w0, h0 = s.geometry()
    if (w0, h0) != (640, 480) or is_fullscreen(s):
        print(f"FAIL the window starts {w0}x{h0}+{x0}+{y0}, "
              f"{s.wm_state()}, not 640x480 and floating")
        return False
    # evilwm puts a new window under the pointer (parked in the far
    # corner); off it, so that the window moving to and fro there sends
    # no motion.
    s.x(["windowmove", "--sync", s.window, "0", "0"])
    settle(s)
    s.x(["key", "ctrl+alt+f"])
    # xdotool releases a chord's keys in the order it pressed them.
    ctrl_alt = (kb("KEY_LEFTCTRL", 1) + kb("KEY_LEFTALT", 1) +
                kb("KEY_LEFTCTRL", 0) + kb("KEY_LEFTALT", 0))
    ok &= expect("Ctrl+Alt+F: the guest hears Ctrl and Alt, not F",
                 s.sync(), ctrl_alt)
    # The demo echoes what it heard (the F12 marker, Ctrl, Alt): its own
    # golden, letterboxed on the whole screen.
    ok &= check_fullscreen(s, a, "sdl-fullscreen-toggled",
                           "sdl-fullscreen-toggled-1024x600.png")
    # The pointer where the bar is now and the picture will be (a
    # window shrinking from under the pointer would get a motion at its
    # edge, SDL's leave): the guest hears it there once the window is
    # back, in no fixed order with the keys.
    s.x(["mousemove", "50", "300"])
    s.x(["key", "ctrl+alt+f"])
    try:
        wait_for("the window to float again", lambda: not is_fullscreen(s)
                 and s.geometry()[2:] == (640, 480), proc=s.viewer)
        print(f"ok   back to 640x480 ({s.geometry()}), {s.wm_state()}")
    except RuntimeError as e:
        print(f"FAIL {e}: {s.geometry()}, {s.wm_state()}")
        return False
    got = s.sync()
    ok &= expect("Ctrl+Alt+F again: the keys",
                 [r for r in got if r.startswith("keyboard ")], ctrl_alt)
    vx, vy = abs_at((0, 0, 640, 480), 50, 300)
    ok &= expect("Ctrl+Alt+F again: the pointer now over the picture",
                 [r for r in got if not r.startswith("keyboard ")],
                 [f"tablet EV_ABS ABS_X {vx}", f"tablet EV_ABS ABS_Y {vy}",
                  "tablet EV_SYN SYN_REPORT 0"])
    ok &= s.shot_until(a, "sdl-fullscreen-back", "sdl-fullscreen-back.png")
    return ok


def case_kiosk_escape(s, a):
    ok = check_fullscreen(s, a, "sdl-kiosk")
    settle(s)
    s.x(["key", "a"])
    ok &= expect("a key in the kiosk", s.sync(), kb("KEY_A", 1) + kb("KEY_A", 0))
    s.x(["key", "ctrl+alt+f"])
    ok &= expect("Ctrl+Alt+F is the guest's in a kiosk", s.sync(),
                 kb("KEY_LEFTCTRL", 1) + kb("KEY_LEFTALT", 1) + kb("KEY_F", 1) +
                 kb("KEY_LEFTCTRL", 0) + kb("KEY_LEFTALT", 0) + kb("KEY_F", 0))
    s.x(["key", "ctrl+BackSpace"])
    ok &= expect("Ctrl+BackSpace is not the escape", s.sync(),
                 kb("KEY_LEFTCTRL", 1) + kb("KEY_BACKSPACE", 1) +
                 kb("KEY_LEFTCTRL", 0) + kb("KEY_BACKSPACE", 0))
    ok &= check("still fullscreen", is_fullscreen(s), str(s.geometry()))
    start = s.consumed
    s.x(["key", "ctrl+alt+BackSpace"])
    try:
        rc = s.viewer.wait(timeout=20)
    except subprocess.TimeoutExpired:
        print("FAIL the viewer still runs 20 s after Ctrl+Alt+BackSpace")
        return False
    if rc != 0:
        print(f"FAIL the kiosk escape: exit status {rc}, not 0")
        ok = False
    else:
        print("ok   Ctrl+Alt+BackSpace ends the kiosk, exit status 0")
    want = (kb("KEY_LEFTCTRL", 1) + kb("KEY_LEFTALT", 1) +
            release_batch("KEY_LEFTCTRL", "KEY_LEFTALT"))
    # The shim writes what the viewer sent before it went: wait for it.
    try:
        wait_for("the records of the escape", lambda:
                 len(s.records()) - start >= len(want), timeout=10)
    except RuntimeError:
        pass
    ok &= expect("the guest hears Ctrl and Alt, their release, no BackSpace",
                 s.records()[start:], want)
    return ok


def touch_batches(got):
    """The touch device's records, split into batches (SYN_REPORT ends
    each), the device name dropped: [["EV_ABS ABS_MT_SLOT 0", ...], ...]."""
    batches, cur = [], []
    for r in got:
        dev, rest = r.split(" ", 1)
        if dev != "touch":
            continue
        cur.append(rest)
        if rest == "EV_SYN SYN_REPORT 0":
            batches.append(cur)
            cur = []
    return batches + ([cur] if cur else [])


def check_touch(name, got, want):
    """got, want: batches; a want record "EV_ABS ABS_MT_POSITION_X ~123.4"
    matches a value within 1 guest pixel of 123.4 (640 wide; 480 high
    for *_Y), "EV_ABS ABS_MT_TRACKING_ID *" any id of 0 or more."""
    def match(g, w):
        gt, gc, gv = g.split()
        wt, wc, wv = w.split()
        if (gt, gc) != (wt, wc):
            return False
        if wv == "*":
            return int(gv) >= 0
        if wv.startswith("~"):
            size = 640 if gc.endswith("X") else 480
            return abs(int(gv) * size / ABS_MAX - float(wv[1:])) <= 1.0
        return gv == wv
    same = len(got) == len(want) and all(
        len(gb) == len(wb) and all(match(g, w) for g, w in zip(gb, wb))
        for gb, wb in zip(got, want))
    if not same:
        print(f"FAIL {name}:\n  expected:\n    " +
              "\n    ".join(" | ".join(b) for b in want) +
              "\n  recorded:\n    " + "\n    ".join(" | ".join(b) for b in got))
        return False
    print(f"ok   {name} ({len(want)} batches)")
    return True


def finger(hx, hy, first=False):
    """The batch of slot 0's finger at head pixel hx, hy."""
    down = (["EV_ABS ABS_MT_TRACKING_ID *", "EV_KEY BTN_TOUCH 1"]
            if first else [])
    return (["EV_ABS ABS_MT_SLOT 0"] + down +
            [f"EV_ABS ABS_MT_POSITION_X ~{hx:.2f}",
             f"EV_ABS ABS_MT_POSITION_Y ~{hy:.2f}",
             f"EV_ABS ABS_X ~{hx:.2f}", f"EV_ABS ABS_Y ~{hy:.2f}",
             "EV_SYN SYN_REPORT 0"])


LIFT = ["EV_ABS ABS_MT_SLOT 0", "EV_ABS ABS_MT_TRACKING_ID -1",
        "EV_KEY BTN_TOUCH 0", "EV_SYN SYN_REPORT 0"]


def case_touch(s, a):
    ok = True
    w, h = 1000, 500
    s.resize(w, h)
    settle(s)
    rect = fit_rect(w, h)
    rx, ry, rw, rh = rect
    # A drag over the picture: down, two moves, up.
    path = [(rx + 5, ry + 3), (rx + rw // 2, rh // 3), (rx + rw - 2, rh - 2)]
    s.x(["mousemove", "--window", s.window, str(path[0][0]), str(path[0][1])])
    s.x(["mousedown", "1"])
    for px, py in path[1:]:
        s.x(["mousemove", "--window", s.window, str(px), str(py)])
    s.x(["mouseup", "1"])
    # The pixel's centre is the guest's point (PROTOCOL.md); SDL's finger
    # may say its corner, half a window pixel off: within 1 guest pixel.
    heads = [head_at(rect, px + 0.5, py + 0.5) for px, py in path]
    want = ([finger(*heads[0], first=True)] + [finger(*p) for p in heads[1:]]
            + [LIFT])
    got = touch_batches(s.sync())
    ok &= check_touch(f"a drag in a {w}x{h} window (picture at {rect}) "
                      f"through {path}", got, want)
    first_id = [r for r in (got[0] if got else []) if "TRACKING_ID" in r]
    # A touch that starts on a bar is the host's, all the way.
    s.x(["mousemove", "--window", s.window, str(rx // 2), str(h // 2)])
    s.x(["mousedown", "1"])
    s.x(["mousemove", "--window", s.window, str(rx + 50), str(h // 2)])
    s.x(["mouseup", "1"])
    ok &= check_touch("a touch from a bar onto the picture is not sent",
                      touch_batches(s.sync()), [])
    # The next finger has a new tracking id.
    px, py = rx + rw // 4, rh // 2
    s.x(["mousemove", "--window", s.window, str(px), str(py)])
    s.x(["mousedown", "1"])
    s.x(["mouseup", "1"])
    got = touch_batches(s.sync())
    ok &= check_touch("a tap", got, [finger(*head_at(rect, px + 0.5, py + 0.5),
                                            first=True), LIFT])
    ids = [r for r in (got[0] if got else []) if "TRACKING_ID" in r]
    if first_id and ids:
        a_id, b_id = int(first_id[0].split()[2]), int(ids[0].split()[2])
        ok &= check("the next finger has the next tracking id",
                    b_id == a_id + 1, f"{a_id}, then {b_id}")
    return ok


def case_pointer_still(s, a):
    settle(s)
    px, py = 320, 240
    s.x(["mousemove", "--window", s.window, str(px), str(py)])

    def tablet(rect):
        vx, vy = abs_at(rect, px, py)
        return [f"tablet EV_ABS ABS_X {vx}", f"tablet EV_ABS ABS_Y {vy}",
                "tablet EV_SYN SYN_REPORT 0"]

    def pointer(records):
        return [r for r in records if not r.startswith("keyboard ")]

    ok = expect("the pointer over the 640x480 picture", pointer(s.sync()),
                tablet((0, 0, 640, 480)))
    s.x(["windowsize", "--sync", s.window, "800", "450"])
    # The viewer tells the guest once it has drawn the new layout.
    try:
        wait_for("the guest to hear the pointer again", lambda: pointer(
            s.records()[s.consumed:]), timeout=10.0, proc=s.viewer)
    except RuntimeError as e:
        print(f"FAIL {e}: {s.geometry()}")
        return False
    rect = fit_rect(800, 450)
    ok &= expect(f"the window resized under it: the pointer on the picture "
                 f"at {rect}", pointer(s.sync()), tablet(rect))
    return ok


CASES = {
    # name: (shim args, viewer args, viewer env, window manager)
    "fullscreen": ([], ["--fullscreen"], {}, True),
    "fullscreen-toggle": ([], [], {}, True),
    "kiosk-escape": ([], ["--kiosk", "--kiosk-escape", "ctrl+alt+backspace"],
                     {}, True),
    "touch": (["--touch"], [], {"SDL_MOUSE_TOUCH_EVENTS": "1"}, False),
    "pointer-still": ([], ["--resize-guest", "off"], {}, False),
}


def main():
    a = screen_test_args(CASES)
    shim_args, viewer_args, env, wm = CASES[a.case]
    screen = f"{SCREEN_W}x{SCREEN_H}x24" if wm else "1600x1200x24"
    s = Session(a.shim, a.viewer, shim_args, viewer_args, screen=screen,
                settle=False, wm=wm, viewer_env=env)
    try:
        ok = globals()["case_" + a.case.replace("-", "_")](s, a)
    finally:
        s.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
