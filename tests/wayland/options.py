#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The window options of qemu-eglview --backend wayland on a real weston 10.

fullscreen: weston headless with an 800x450 output, the 640x480 demo with
  --fullscreen: the screenshot is the picture letterboxed on the whole
  output (tests/golden/sdl-fit-800x450.png, the SDL test's), on the
  zero-copy path and the GL one (--zero-copy off). A window that is not
  fullscreen lies somewhere on weston's desktop instead.
fullscreen-toggle: weston's x11 backend on Xvfb (it has a seat), 800x450:
  the window starts floating; Ctrl+Alt+F (xdotool) makes it fullscreen
  (wayland-fullscreen-toggled-800x450.png, the demo echoing the keys it
  heard, but for weston's pointer sprite); pressed again, the window is
  the head's size 1:1 again: its --snapshot is 640x480,
  wayland-fullscreen-back.png. The guest hears Ctrl and Alt, never the F.
kiosk-escape: --kiosk --kiosk-escape ctrl+alt+delete on weston's x11
  backend (800x450): the kiosk shows sdl-fit-800x450.png; keys reach the
  guest, Ctrl+Alt+F too (no hotkeys in a kiosk) and Ctrl+Delete (not the
  escape); Ctrl+Alt+Delete ends the viewer with status 0 and the guest
  never sees a Delete: Ctrl and Alt pressed, then released by the viewer
  on its way out.

filter-nearest: weston headless 640x480, the 160x120 demo fullscreen
  with --filter nearest: the screenshot is demo-filter-nearest-4x.png
  (each pixel a 4x4 block) on the zero-copy path too, whose --stats says
  the head went GL (weston would scale the handed-over buffer linearly).

resize-guest: weston headless 800x450, the 640x480 demo with --resizable
  and the viewer --fullscreen: the guest follows the window, so the
  screen is the demo drawn at 800x450, 1:1 (demo-resized-800x450.png,
  the offscreen test's), on both paths.

Not here: touch. weston 10's x11 backend has no touch device, and its
headless backend no seat at all (the touch API of weston's own test
harness is not installed with Debian's weston); touch is tested through
SDL on Xvfb (tests/sdl/options.py, x11-touch).

Skips (77) only where weston cannot start here."""
import os
import subprocess
import sys

from eglview_test.procs import check, need_tools, screen_test_args, wait_for
from eglview_test.records import expect, kb
from eglview_test.records import read as read_records
from eglview_test.weston import (
    Weston, golden, matches_golden, same_but_pointer, shot_until, shot_until_but_pointer,
    start_shim, stop_viewer, wayland_sync, x11_weston)


def fullscreen_both_paths(a, name, reference, *shim_args):
    """A fullscreen viewer on weston headless 800x450, zero-copy on and
    off: each screenshot must be the golden reference."""
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", "pixman", 800, 450)
    try:
        ok = True
        for zc in ("on", "off"):
            sock = os.path.join(w.dir, f"{name}-{zc}.sock")
            shim = start_shim(a, w, sock, *shim_args)
            viewer = w.spawn([a.viewer, "--backend", "wayland",
                              "--fullscreen", "--zero-copy", zc, sock],
                             stderr=subprocess.PIPE, text=True)
            ok &= shot_until(a, w, f"wayland-{name}-zero-copy-{zc}",
                             golden(a, reference))
            ok &= stop_viewer(viewer)[1]
            shim.terminate()
            shim.wait(timeout=10)
        return ok
    finally:
        w.close()


def case_fullscreen(a):
    return fullscreen_both_paths(a, "fullscreen", "sdl-fit-800x450")


def x(xenv, *args):
    subprocess.run(["xdotool"] + list(args), env=xenv, check=True,
                   capture_output=True, timeout=30)


def case_fullscreen_toggle(a):
    with x11_weston(a, 800, 450) as (w, xenv, win):
        sock = os.path.join(w.dir, "demo.sock")
        record = os.path.join(w.dir, "record.txt")
        snap = os.path.join(a.out, "wayland-fullscreen-back.png")
        if os.path.exists(snap):
            os.unlink(snap)
        start_shim(a, w, sock, "--record-input", record)
        viewer = w.spawn([a.viewer, "--backend", "wayland", "--snapshot",
                          snap, sock], stderr=subprocess.PIPE, text=True)
        x(xenv, "windowfocus", "--sync", win)
        sync = wayland_sync(record, xenv, viewer)
        full = golden(a, "wayland-fullscreen-toggled-800x450")
        path = os.path.join(a.out, "wayland-fullscreen-floating.png")
        w.screenshot(path)
        ok = check("the window starts floating", not same_but_pointer(
            a, full, path, path[:-4] + "-diff.png")[0], path)
        x(xenv, "key", "ctrl+alt+f")
        ctrl_alt = (kb("KEY_LEFTCTRL", 1) + kb("KEY_LEFTALT", 1) +
                    kb("KEY_LEFTCTRL", 0) + kb("KEY_LEFTALT", 0))
        ok &= expect("Ctrl+Alt+F: the guest hears Ctrl and Alt, not F",
                     sync(), ctrl_alt)
        # The demo echoes the two F12 markers, Ctrl and Alt: its golden.
        ok &= shot_until_but_pointer(a, w, "wayland-fullscreen-toggled", full)
        x(xenv, "key", "ctrl+alt+f")
        ok &= expect("Ctrl+Alt+F again", sync(), ctrl_alt)
        path = os.path.join(a.out, "wayland-fullscreen-left.png")

        def left():
            w.screenshot(path)
            return not same_but_pointer(a, full, path,
                                        path[:-4] + "-diff.png")[0]
        try:
            wait_for("the window to leave fullscreen", left, proc=viewer)
        except RuntimeError as e:
            print(f"FAIL {e} ({path})")
            ok = False
        # The window's own frame: the head 1:1 again, 640x480.
        ok &= stop_viewer(viewer)[1]
        ok &= matches_golden(a, snap, "wayland-fullscreen-back")
        return ok


def case_kiosk_escape(a):
    with x11_weston(a, 800, 450) as (w, xenv, win):
        sock = os.path.join(w.dir, "demo.sock")
        record = os.path.join(w.dir, "record.txt")
        start_shim(a, w, sock, "--record-input", record)
        viewer = w.spawn([a.viewer, "--backend", "wayland", "--kiosk",
                          "--kiosk-escape", "ctrl+alt+delete", sock])
        ok = shot_until_but_pointer(a, w, "wayland-kiosk-escape",
                                    golden(a, "sdl-fit-800x450"))
        x(xenv, "windowfocus", "--sync", win)
        sync = wayland_sync(record, xenv, viewer)
        x(xenv, "key", "a")
        ok &= expect("a key in the kiosk", sync(),
                     kb("KEY_A", 1) + kb("KEY_A", 0))
        x(xenv, "key", "ctrl+alt+f")
        ok &= expect("Ctrl+Alt+F is the guest's in a kiosk", sync(),
                     kb("KEY_LEFTCTRL", 1) + kb("KEY_LEFTALT", 1) +
                     kb("KEY_F", 1) + kb("KEY_LEFTCTRL", 0) +
                     kb("KEY_LEFTALT", 0) + kb("KEY_F", 0))
        x(xenv, "key", "ctrl+Delete")
        ok &= expect("Ctrl+Delete is not the escape", sync(),
                     kb("KEY_LEFTCTRL", 1) + kb("KEY_DELETE", 1) +
                     kb("KEY_LEFTCTRL", 0) + kb("KEY_DELETE", 0))
        start = len(read_records(record))
        x(xenv, "key", "ctrl+alt+Delete")
        try:
            rc = viewer.wait(timeout=20)
        except subprocess.TimeoutExpired:
            print("FAIL the viewer still runs 20 s after Ctrl+Alt+Delete")
            return False
        ok &= check("Ctrl+Alt+Delete ends the kiosk with status 0", rc == 0,
                    f"exit status {rc}")
        want = (kb("KEY_LEFTCTRL", 1) + kb("KEY_LEFTALT", 1) +
                ["keyboard EV_KEY KEY_LEFTCTRL 0",
                 "keyboard EV_KEY KEY_LEFTALT 0",
                 "keyboard EV_SYN SYN_REPORT 0"])
        # The shim writes what the viewer sent before it went: wait for it.
        try:
            wait_for("the records of the escape", lambda:
                     len(read_records(record)) - start >= len(want),
                     timeout=10)
        except RuntimeError:
            pass
        ok &= expect("the guest hears Ctrl and Alt, their release, no "
                     "Delete", read_records(record)[start:], want)
        return ok


def case_filter_nearest(a):
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", "pixman", 640, 480)
    try:
        ok = True
        for zc in ("on", "off"):
            sock = os.path.join(w.dir, f"nearest-{zc}.sock")
            shim = start_shim(a, w, sock, "--size", "160x120")
            viewer = w.spawn([a.viewer, "--backend", "wayland", "--stats",
                              "--fullscreen", "--filter", "nearest",
                              "--zero-copy", zc, sock],
                             stderr=subprocess.PIPE, text=True)
            ok &= shot_until(a, w, f"wayland-filter-nearest-zero-copy-{zc}",
                             golden(a, "demo-filter-nearest-4x"))
            err, stopped = stop_viewer(viewer)
            ok &= stopped
            if zc == "on":
                ok &= check("the head went GL, and why",
                            "--filter nearest" in err, err[-600:])
            shim.terminate()
            shim.wait(timeout=10)
        return ok
    finally:
        w.close()


def case_resize_guest(a):
    return fullscreen_both_paths(a, "resize-guest", "demo-resized-800x450",
                                 "--resizable")


CASES = {
    "fullscreen": case_fullscreen,
    "fullscreen-toggle": case_fullscreen_toggle,
    "kiosk-escape": case_kiosk_escape,
    "filter-nearest": case_filter_nearest,
    "resize-guest": case_resize_guest,
}


def main():
    a = screen_test_args(CASES)
    sys.exit(0 if CASES[a.case](a) else 1)


if __name__ == "__main__":
    main()
