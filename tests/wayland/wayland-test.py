#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""qemu-eglview --backend wayland on a real weston 10.

screenshot-pixman, screenshot-gl: weston headless (a 640x480 output,
  pixman or GL renderer, --debug for weston-screenshooter), the viewer
  fullscreen against the demo shim: the screenshot must match the same
  golden image the offscreen and SDL tests use (tests/golden/demo-plain.png,
  tolerance 4).
input: weston's x11 backend on Xvfb (it has a seat), xdotool typing,
  moving, clicking and wheeling into weston's window; the shim's
  --record-input file must hold exactly the records expected.
kiosk: --kiosk against vm1 on a 320x240 output, started before the
  VM: the waiting screen (tests/golden/reconnect-waiting.png, the one the
  integration test uses); the VM letterboxed (wayland-fit-320x240.png);
  the shim killed: the waiting screen naming the VM (reconnect-gone.png);
  restarted: wayland-fit-320x240.png again; then --kiosk-quit
  on-disconnect exits 3.

zerocopy-pixman, zerocopy-gl: the same screenshot through the zero-copy
  hand-off (the demo's shm buffers on a subsurface, PROTOCOL.md "Held
  buffers"): it must match demo-plain.png, and --stats must say the head
  is on the zero-copy path with nothing uploaded.
zerocopy-moving: the demo at 60 fps for a second on the zero-copy path:
  the frames keep coming (each FRAME_DONE waited for the compositor's
  release), buffers alternate, nothing is uploaded, wp_presentation
  counts them; then a typed input script: the screenshot on both paths is
  tests/golden/wayland-typed.png (demo-typed-and-pointer.png without the
  guest's cursor, the host pointer's job here), and the zero-copy one the
  GL path's.
zerocopy-fallback: --zero-copy off, and a shim without HOLD_SHOWN: the GL
  path with its reason in --stats, the picture still demo-plain.png.
zerocopy-reconnect: --reconnect on the zero-copy path: the shim killed,
  the picture (wayland-fit-320x240.png) must go: the waiting screen
  (reconnect-gone.png), nothing of the gone VM's buffers left above it;
  back, wayland-fit-320x240.png again.
zerocopy-grab: weston's x11 backend on Xvfb, --mouse relative, on both
  paths: a click grabs the pointer (the picture stays demo-plain.png, the
  guest's cursor hidden until it moves), relative motion in 20 quick
  steps moves the guest's cursor (a CURSOR_POS each, an UPDATE only when
  the demo's last frame came back); on the zero-copy path the head stays
  there (no GL frame, nothing uploaded, cursor_moves counted: the cursor
  subsurface moved by commits of its own); the moved cursor at 60,40 on
  both paths is wayland-grab-moved.png.
zerocopy-kiosk: --kiosk with the tablet over the cyan bar
  (tests/app/scripts/cursor.txt): the head on the zero-copy path,
  nothing uploaded, the guest's cursor on its subsurface exactly where
  the GL path (--zero-copy off) draws it, both wayland-kiosk-cursor.png;
  without --kiosk (the host pointer's job) no cursor in the picture
  (wayland-kiosk-cursor-host.png).
zerocopy-cursor-clip: a 400x240 demo centred 1:1 in the kiosk, the
  guest's cursor near its bottom right corner: cut at the picture's edge
  on both paths (wayland-cursor-clip.png).
grab-heads: a window per head on weston's x11 backend: the grab taken
  in the second head's window (on top) must lock the pointer there
  (--stats: weston's locked event in view 1).
heads: the demo with two heads, fullscreen on a 640x480 output: two
  toplevels ("following 2 heads in 2 views"), the second on top showing
  head 2 (tests/golden/sdl-heads-2.png, the SDL test's), the first's own
  frame (--snapshot, view 0) head 1 (sdl-heads-1.png); then the same on
  the zero-copy path, each head on its own window's subsurface.

Skips (77) only where weston cannot start here."""
import os
import signal
import subprocess
import sys
import time

from eglview_test.procs import need_tools, screen_test_args, wait_for
from eglview_test.records import expect, kb, scale
from eglview_test.weston import (
    Weston, check, golden, num, pictures_match, settle, shot_until,
    shot_until_but_pointer, start_shim, stats_of, stop_viewer,
    wayland_sync, weston_window, zero_copy_shot)
from eglview_test.xsession import start_xvfb


def case_screenshot(a, renderer):
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", renderer, 640, 480)
    try:
        sock = os.path.join(w.dir, "demo.sock")
        start_shim(a, w, sock)
        viewer = w.spawn([a.viewer, "--backend", "wayland", "--fullscreen",
                          sock])
        ok = shot_until(a, w, f"wayland-{renderer}-demo-plain",
                        os.path.join(a.golden, "demo-plain.png"))
        if viewer.poll() is not None:
            print(f"FAIL the viewer exited {viewer.returncode}")
            ok = False
        return ok
    finally:
        w.close()


# --- zero-copy: the guest's buffers handed to weston --------------------

def case_zero_copy(a, renderer):
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", renderer, 640, 480)
    try:
        ok, st = zero_copy_shot(a, w, f"wayland-{renderer}-zero-copy", [])
        head = st.get("head 1", "")
        ok &= check("head 1 on the zero-copy path",
                    head.startswith("zero-copy wl_shm"), head)
        ok &= check("nothing uploaded",
                    num(st, "stats", "bytes_uploaded") == 0,
                    str(st.get("stats")))
        ok &= check("frames handed to weston",
                    num(st, "zero-copy", "frames_handed") >= 1,
                    str(st.get("zero-copy")))
        ok &= check("presentation feedback counted",
                    num(st, "presentation", "presented") >= 1,
                    str(st.get("presentation")))
        return ok
    finally:
        w.close()


def case_zero_copy_moving(a):
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", "pixman", 640, 480)
    try:
        sock = os.path.join(w.dir, "moving.sock")
        shim = w.spawn([a.shim, "--size", "640x480", "--fps", "60", sock])
        wait_for("the shim's socket", lambda: os.path.exists(sock), proc=shim)
        viewer = w.spawn([a.viewer, "--backend", "wayland", "--fullscreen",
                          "--stats", sock], stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        err, ok = stop_viewer(viewer)
        shim.terminate()
        shim.wait(timeout=10)
        st = stats_of(err)
        updates = num(st, "stats", "updates")
        # Without the answers that wait for wl_buffer.release the demo
        # would stop after its three buffers.
        ok &= check("the frames keep coming (60 fps for 1.5 s)",
                    updates >= 30, f"{updates} updates")
        ok &= check("head 1 on the zero-copy path",
                    st.get("head 1", "").startswith("zero-copy wl_shm"),
                    st.get("head 1", ""))
        ok &= check("nothing uploaded", num(st, "stats", "bytes_uploaded")
                    == 0, str(st.get("stats")))
        ok &= check("the demo's buffers alternate",
                    num(st, "zero-copy", "wl_buffers") >= 2,
                    str(st.get("zero-copy")))
        ok &= check("most frames without a GL frame",
                    num(st, "zero-copy", "commits_without_gl") >=
                    updates - 3, str(st.get("zero-copy")))
        ok &= check("presentation feedback for them",
                    num(st, "presentation", "presented") >= updates - 3,
                    str(st.get("presentation")))

        # Damage over several frames: the same picture both ways.
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "app", "scripts", "typed.txt")
        shots = []
        for zc in ("on", "off"):
            sock = os.path.join(w.dir, f"typed-{zc}.sock")
            shim = start_shim(a, w, sock)
            viewer = w.spawn([a.viewer, "--backend", "wayland",
                              "--fullscreen", "--stats", "--zero-copy", zc,
                              "--input-script", script, sock],
                             stderr=subprocess.PIPE, text=True)
            path = os.path.join(a.out, f"wayland-typed-zero-copy-{zc}.png")
            # Past the first frame (demo-plain) to the typed one that
            # stays: demo-typed-and-pointer.png less the guest's cursor
            # (the host pointer's job here).
            ok &= shot_until(a, w, f"wayland-typed-zero-copy-{zc}",
                             golden(a, "wayland-typed"))
            err, stopped = stop_viewer(viewer)
            ok &= stopped
            shim.terminate()
            shim.wait(timeout=10)
            st = stats_of(err)
            want = "zero-copy wl_shm" if zc == "on" else "GL (--zero-copy off)"
            ok &= check(f"--zero-copy {zc}: head 1 {want}",
                        st.get("head 1", "").startswith(want),
                        st.get("head 1", ""))
            ok &= check(f"--zero-copy {zc}: {num(st, 'stats', 'updates')} "
                        "updates, the typed frames among them",
                        num(st, "stats", "updates") >= 2)
            shots.append(path)
        same, msg = pictures_match(a, shots[1], shots[0])
        ok &= check("the zero-copy picture is the GL path's", same, msg)
        return ok
    finally:
        w.close()


def case_zero_copy_fallback(a):
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", "pixman", 640, 480)
    try:
        ok, st = zero_copy_shot(a, w, "wayland-zero-copy-off",
                                ["--zero-copy", "off"])
        ok &= check("--zero-copy off: GL with the reason",
                    st.get("head 1", "").startswith("GL (--zero-copy off)"),
                    st.get("head 1", ""))
        ok &= check("--zero-copy off: the picture uploaded",
                    num(st, "stats", "bytes_uploaded") >= 640 * 480 * 4,
                    str(st.get("stats")))
        ok2, st = zero_copy_shot(a, w, "wayland-zero-copy-no-hold", [],
                                 ["--no-hold-shown"])
        ok &= ok2
        ok &= check("a server without HOLD_SHOWN: GL with the reason",
                    st.get("head 1", "").startswith(
                        "GL (the server does not hold shown buffers"),
                    st.get("head 1", ""))
        ok &= check("no frame handed over",
                    num(st, "zero-copy", "frames_handed") == 0,
                    str(st.get("zero-copy")))
        return ok
    finally:
        w.close()


def case_zero_copy_reconnect(a):
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", "pixman", 320, 240)
    try:
        os.makedirs(os.path.join(w.dir, "qemu-eglview"), exist_ok=True)
        sock = os.path.join(w.dir, "qemu-eglview", "vm1.sock")
        shim = start_shim(a, w, sock)
        viewer = w.spawn([a.viewer, "--backend", "wayland", "--fullscreen",
                          "--reconnect", "--stats", "vm1"],
                         stderr=subprocess.PIPE, text=True)
        # The demo letterboxed into 320x240 (wayland-fit-320x240.png).
        fit = golden(a, "wayland-fit-320x240")
        ok = shot_until(a, w, "wayland-zero-copy-vm", fit)
        shim.send_signal(signal.SIGKILL)
        shim.wait()
        os.unlink(sock)
        # Gone: the waiting screen naming the VM from its HELLO
        # (reconnect-gone.png, the integration test's), nothing of the
        # VM's buffers above it.
        ok &= shot_until(a, w, "wayland-zero-copy-gone",
                         golden(a, "reconnect-gone"))
        shim = start_shim(a, w, sock)
        ok &= shot_until(a, w, "wayland-zero-copy-back", fit)
        err, stopped = stop_viewer(viewer)
        st = stats_of(err)
        ok &= stopped
        ok &= check("back on the zero-copy path",
                    st.get("head 1", "").startswith("zero-copy wl_shm"),
                    st.get("head 1", ""))
        return ok
    finally:
        w.close()


def case_zero_copy_grab(a):
    need_tools("weston", "weston-screenshooter", "Xvfb", "xdotool",
               "xwininfo")
    xvfb, display = start_xvfb()
    w = None
    try:
        w = Weston(a, "x11", "pixman", 640, 480, display=display)
        xenv = dict(os.environ, DISPLAY=display)

        win = wait_for("weston's X window", lambda: weston_window(xenv))
        desktop = os.path.join(a.out, "wayland-grab-desktop.png")
        w.screenshot(desktop)
        plain = os.path.join(a.golden, "demo-plain.png")
        ok, moved, stats = True, {}, {}
        # The same grab and relative motion on both paths: the guest's
        # cursor, moved by it, where GL draws it.
        for zc in ("on", "off"):
            sock = os.path.join(w.dir, f"grab-{zc}.sock")
            shim = start_shim(a, w, sock, "--mouse", "relative")
            viewer = w.spawn([a.viewer, "--backend", "wayland",
                              "--fullscreen", "--mouse", "relative",
                              "--stats", "--zero-copy", zc, sock],
                             stderr=subprocess.PIPE, text=True)
            # The picture up (weston draws its pointer sprite over it: no
            # golden here).
            ok &= shot_until(a, w, f"wayland-grab-{zc}-before", desktop,
                             want=False)
            ok &= settle(a, w, os.path.join(a.out,
                                            f"wayland-grab-{zc}-before.png"))
            # The click that grabs reaches no guest, so no UPDATE follows;
            # the guest's cursor is hidden until it moves.
            subprocess.run(["xdotool", "mousemove", "--window", win, "300",
                            "200", "click", "1"], env=xenv, check=True,
                           timeout=30)
            ok &= shot_until(a, w, f"wayland-grab-{zc}-after", plain)
            # Relative motion in 20 quick steps: the guest moves its cursor
            # (CURSOR_POS) each time, but draws a frame only when its last
            # one came back, so most moves come without an UPDATE.
            steps = ["mousemove_relative", "3", "2"] * 20
            subprocess.run(["xdotool"] + steps, env=xenv, check=True,
                           timeout=30)
            moved[zc] = os.path.join(a.out, f"wayland-grab-{zc}-moved.png")
            # 20 moves of (3, 2): the guest's cursor at 60,40, drawn there.
            ok &= shot_until(a, w, f"wayland-grab-{zc}-moved",
                             golden(a, "wayland-grab-moved"))
            err, stopped = stop_viewer(viewer)
            shim.terminate()
            shim.wait(timeout=10)
            ok &= stopped
            stats[zc] = stats_of(err)
        head = stats["on"].get("head 1", "")
        ok &= check("grabbed: still on the zero-copy path, no GL frame",
                    head.startswith("zero-copy wl_shm") and
                    "gl_frames=0" in head, head)
        ok &= check("grabbed: nothing uploaded",
                    num(stats["on"], "stats", "bytes_uploaded") == 0,
                    str(stats["on"].get("stats")))
        ok &= check("moves without an UPDATE: commits of the cursor alone",
                    num(stats["on"], "zero-copy", "cursor_moves") >= 1,
                    str(stats["on"].get("zero-copy")) + " " +
                    str(stats["on"].get("stats")))
        same, msg = pictures_match(a, moved["off"], moved["on"])
        ok &= check("the moved cursor where the GL path draws it", same, msg)
        return ok
    finally:
        if w:
            w.close()
        xvfb.terminate()
        xvfb.wait()


def case_heads(a):
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", "pixman", 640, 480)
    try:
        snap = os.path.join(a.out, "wayland-heads-1-snapshot.png")
        if os.path.exists(snap):
            os.unlink(snap)
        ok, st = zero_copy_shot(a, w, "wayland-heads-2-gl",
                                ["-v", "--snapshot", snap], ["--heads", "2"],
                                ref="sdl-heads-2")
        ok &= check("two views", st.get("following 2 heads in 2 views"),
                    "the viewer said so (--verbose)")
        same, msg = pictures_match(a, os.path.join(a.golden, "sdl-heads-1.png"), snap)
        ok &= check("the first window shows head 1", same, msg)
        ok2, st = zero_copy_shot(a, w, "wayland-heads-2-zero-copy", [],
                                 ["--heads", "2"], ref="sdl-heads-2")
        ok &= ok2
        for head in ("head 1", "head 2"):
            ok &= check(f"{head} on the zero-copy path",
                        st.get(head, "").startswith("zero-copy wl_shm"),
                        st.get(head, ""))
        return ok
    finally:
        w.close()


def case_grab_heads(a):
    """A window per head: the grab taken in the second head's window locks
    the pointer there, and its cursor moves on the zero-copy path."""
    need_tools("weston", "weston-screenshooter", "Xvfb", "xdotool",
               "xwininfo")
    xvfb, display = start_xvfb()
    w = None
    try:
        w = Weston(a, "x11", "pixman", 640, 480, display=display)
        xenv = dict(os.environ, DISPLAY=display)
        win = wait_for("weston's X window", lambda: weston_window(xenv))
        desktop = os.path.join(a.out, "wayland-grab-heads-desktop.png")
        w.screenshot(desktop)
        sock = os.path.join(w.dir, "grab-heads.sock")
        shim = start_shim(a, w, sock, "--mouse", "relative", "--heads", "2")
        viewer = w.spawn([a.viewer, "--backend", "wayland", "--fullscreen",
                          "--mouse", "relative", "--stats", sock],
                         stderr=subprocess.PIPE, text=True)
        # Both windows fullscreen on the one output, the second on top.
        ok = shot_until(a, w, "wayland-grab-heads-before", desktop,
                        want=False)
        before = os.path.join(a.out, "wayland-grab-heads-before.png")
        ok &= settle(a, w, before)
        subprocess.run(["xdotool", "mousemove", "--window", win, "300", "200",
                        "click", "1"], env=xenv, check=True, timeout=30)
        steps = ["mousemove_relative", "3", "2"] * 20
        subprocess.run(["xdotool"] + steps, env=xenv, check=True, timeout=30)
        ok &= shot_until(a, w, "wayland-grab-heads-moved", before,
                         want=False)
        err, stopped = stop_viewer(viewer)
        shim.terminate()
        shim.wait(timeout=10)
        st = stats_of(err)
        ok &= stopped
        ok &= check("the pointer locked in the second head's window",
                    num(st, "pointer", "locks") >= 1 and
                    num(st, "pointer", "locked_view") == 1,
                    str(st.get("pointer")))
        ok &= check("the cursor moved with commits of its own",
                    num(st, "zero-copy", "cursor_moves") >= 1,
                    str(st.get("zero-copy")))
        for head in ("head 1", "head 2"):
            ok &= check(f"{head} on the zero-copy path",
                        st.get(head, "").startswith("zero-copy wl_shm"),
                        st.get(head, ""))
        return ok
    finally:
        if w:
            w.close()
        xvfb.terminate()
        xvfb.wait()


# --- input through weston's x11 backend ---------------------------------

def case_input(a):
    need_tools("weston", "Xvfb", "xdotool")
    xvfb, display = start_xvfb()
    w = None
    try:
        w = Weston(a, "x11", "pixman", 640, 480, display=display)
        xenv = dict(os.environ, DISPLAY=display)

        def x(args, check=True):
            r = subprocess.run(["xdotool"] + args, env=xenv, text=True,
                               capture_output=True, timeout=30)
            if check and r.returncode != 0:
                raise RuntimeError(f"xdotool {args}: {r.stderr}")
            return r.stdout

        win = wait_for("weston's X window", lambda: weston_window(xenv))
        sock = os.path.join(w.dir, "demo.sock")
        record = os.path.join(w.dir, "record.txt")
        start_shim(a, w, sock, "--record-input", record)
        # The X pointer off weston's window (Xvfb is 800x600, the window
        # 640x480 at 0,0), so nothing moves it before the first move.
        x(["mousemove", "700", "550"])
        viewer = w.spawn([a.viewer, "--backend", "wayland", "--fullscreen",
                          sock])
        # Where the viewer's surface lies, from the screenshot, not from
        # the viewer: the output (weston's X window, so xdotool's window
        # coordinates are output pixels) must be demo-plain.png but for
        # weston's pointer sprite: the surface at 0,0, the head 1:1.
        ok = shot_until_but_pointer(a, w, "wayland-input-placed",
                                    golden(a, "demo-plain"))
        x(["windowfocus", "--sync", win])
        sync = wayland_sync(record, xenv, viewer)
        ok &= expect("nothing sent at the start", sync(), [])
        x(["key", "a"])
        ok &= expect("key a", sync(), kb("KEY_A", 1) + kb("KEY_A", 0))
        x(["key", "shift+b", "Return"])
        ok &= expect("shift+b, Return", sync(),
                     kb("KEY_LEFTSHIFT", 1) + kb("KEY_B", 1) +
                     kb("KEY_LEFTSHIFT", 0) + kb("KEY_B", 0) +
                     kb("KEY_ENTER", 1) + kb("KEY_ENTER", 0))
        # The head 1:1 at 0,0 (above). weston gives whole-pixel surface
        # positions (the pixel's corner, not its centre), which map
        # straight onto the head. Each move, the first into the window
        # included (weston's enter), is one motion: exactly its records.
        for px, py in [(100, 100), (20, 30), (320, 240), (630, 470),
                       (630, 100), (0, 0), (639, 479)]:
            x(["mousemove", "--window", win, str(px), str(py)])
            want = [f"tablet EV_ABS ABS_X {scale(px, 640)}",
                    f"tablet EV_ABS ABS_Y {scale(py, 480)}",
                    "tablet EV_SYN SYN_REPORT 0"]
            ok &= expect(f"absolute pointer at {px},{py}", sync(), want)
        x(["click", "1", "click", "3"])
        want = []
        for b in ["BTN_LEFT", "BTN_RIGHT"]:
            want += [f"tablet EV_KEY {b} 1", "tablet EV_SYN SYN_REPORT 0",
                     f"tablet EV_KEY {b} 0", "tablet EV_SYN SYN_REPORT 0"]
        ok &= expect("buttons", sync(), want)
        x(["click", "4", "click", "5", "click", "5"])
        want = (["tablet EV_REL REL_WHEEL 1", "tablet EV_SYN SYN_REPORT 0"] +
                ["tablet EV_REL REL_WHEEL -1",
                 "tablet EV_SYN SYN_REPORT 0"] * 2)
        ok &= expect("wheel", sync(), want)
        return ok
    finally:
        if w:
            w.close()
        xvfb.terminate()
        xvfb.wait()


def case_zero_copy_kiosk(a):
    """--kiosk on the zero-copy path: the guest's cursor on a subsurface
    above the picture, where the GL path draws it."""
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", "pixman", 640, 480)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "..", "app", "scripts", "cursor.txt")
    try:
        shots, stats = {}, {}
        # The tablet over the cyan bar: the demo shows its cursor there.
        for name, args in (("on", ["--kiosk"]),
                           ("off", ["--kiosk", "--zero-copy", "off"]),
                           ("host", [])):
            sock = os.path.join(w.dir, f"kiosk-{name}.sock")
            shim = start_shim(a, w, sock)
            viewer = w.spawn([a.viewer, "--backend", "wayland",
                              "--fullscreen", "--stats", "--input-script",
                              script] + args + [sock],
                             stderr=subprocess.PIPE, text=True)
            path = os.path.join(a.out, f"wayland-kiosk-cursor-{name}.png")
            # The guest's cursor over the cyan bar in the kiosk; without
            # it, the demo's own pointer ring alone.
            ref = "wayland-kiosk-cursor" + ("-host" if name == "host" else "")
            ok = shot_until(a, w, f"wayland-kiosk-cursor-{name}",
                            golden(a, ref))
            err, stopped = stop_viewer(viewer)
            shim.terminate()
            shim.wait(timeout=10)
            if not (ok and stopped):
                return False
            shots[name], stats[name] = path, stats_of(err)
        ok = True
        for name in ("on", "host"):
            head = stats[name].get("head 1", "")
            ok &= check(f"{name}: head 1 on the zero-copy path",
                        head.startswith("zero-copy wl_shm"), head)
            ok &= check(f"{name}: nothing uploaded",
                        num(stats[name], "stats", "bytes_uploaded") == 0,
                        str(stats[name].get("stats")))
        same, msg = pictures_match(a, shots["off"], shots["on"])
        ok &= check("the kiosk's zero-copy picture with its cursor is the "
                    "GL path's", same, msg)
        # Without --kiosk the host pointer would show the guest's cursor
        # (weston headless has none): no cursor in the picture.
        same, msg = pictures_match(a, shots["on"], shots["host"])
        ok &= check("the cursor shows in the kiosk only", not same, msg)
        return ok
    finally:
        w.close()


def case_zero_copy_cursor_clip(a):
    """The guest's cursor over the edge of a letterboxed picture (1:1,
    --scale integer): cut at the picture's edge, as the GL path cuts it."""
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", "pixman", 640, 480)
    script = os.path.join(w.dir, "corner.txt")
    with open(script, "w") as f:
        # 32000/32767 of 400x240: (390, 234), 10 columns and 6 rows of
        # the 16x16 cursor on the picture, the rest over the bars.
        f.write("tablet EV_ABS ABS_X 32000\ntablet EV_ABS ABS_Y 32000\n"
                "tablet EV_SYN SYN_REPORT 0\n")
    try:
        shots, heads = {}, {}
        for zc in ("on", "off"):
            sock = os.path.join(w.dir, f"clip-{zc}.sock")
            shim = start_shim(a, w, sock, "--size", "400x240")
            viewer = w.spawn([a.viewer, "--backend", "wayland", "--kiosk",
                              "--scale", "integer", "--stats",
                              "--zero-copy", zc, "--input-script", script,
                              sock], stderr=subprocess.PIPE, text=True)
            shots[zc] = os.path.join(a.out,
                                     f"wayland-cursor-clip-{zc}.png")
            # Past the first frame to the one with the pointer.
            ok = shot_until(a, w, f"wayland-cursor-clip-{zc}",
                            golden(a, "wayland-cursor-clip"))
            err, stopped = stop_viewer(viewer)
            shim.terminate()
            shim.wait(timeout=10)
            if not (ok and stopped):
                return False
            heads[zc] = stats_of(err).get("head 1", "")
        ok = check("head 1 on the zero-copy path",
                   heads["on"].startswith("zero-copy wl_shm"), heads["on"])
        same, msg = pictures_match(a, shots["off"], shots["on"])
        ok &= check("the cursor cut at the picture's edge as GL cuts it",
                    same, msg)
        return ok
    finally:
        w.close()


# --- kiosk: reconnect forever, and quit on disconnect --------------------

def case_kiosk(a):
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", "pixman", 320, 240)
    try:
        os.makedirs(os.path.join(w.dir, "qemu-eglview"), exist_ok=True)
        sock = os.path.join(w.dir, "qemu-eglview", "vm1.sock")
        # Started before its VM: "waiting for vm1", the integration
        # test's golden image (320x240).
        viewer = w.spawn([a.viewer, "--backend", "wayland", "--kiosk",
                          "vm1"])
        waiting = golden(a, "reconnect-waiting")
        ok = shot_until(a, w, "wayland-kiosk-waiting", waiting)
        # The VM, letterboxed into the output, static (--fps 0).
        shim = start_shim(a, w, sock)
        first = golden(a, "wayland-fit-320x240")
        ok &= shot_until(a, w, "wayland-kiosk-vm", first)
        # Killed: the waiting screen, now naming the VM from its HELLO
        # (reconnect-gone.png, the integration test's).
        shim.send_signal(signal.SIGKILL)
        shim.wait()
        os.unlink(sock)
        ok &= shot_until(a, w, "wayland-kiosk-gone",
                         golden(a, "reconnect-gone"))
        # Back: the same picture as before.
        start_shim(a, w, sock)
        ok &= shot_until(a, w, "wayland-kiosk-back", first)
        if viewer.poll() is not None:
            print(f"FAIL the kiosk viewer exited {viewer.returncode}")
            ok = False
        viewer.terminate()
        viewer.wait(timeout=10)

        # --kiosk-quit on-disconnect: the VM goes, the viewer exits 3.
        viewer = w.spawn([a.viewer, "--backend", "wayland", "--kiosk",
                          "--kiosk-quit", "on-disconnect", "vm1"])
        ok &= shot_until(a, w, "wayland-kiosk-quit-vm", first)
        for p in w.procs:
            if p.args[0] == a.shim and p.poll() is None:
                p.send_signal(signal.SIGKILL)
        try:
            rc = viewer.wait(timeout=20)
        except subprocess.TimeoutExpired:
            rc = None
        if rc != 3:
            print(f"FAIL --kiosk-quit on-disconnect: exit {rc}, not 3")
            ok = False
        else:
            print("ok   --kiosk-quit on-disconnect exits 3")
        return ok
    finally:
        w.close()


def case_layout(a):
    """Two VMs in a row on weston: the same picture as the offscreen
    layout-row golden; composed tiles stay on the GL path, said per VM."""
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", "pixman", 1280, 480)
    try:
        socks = [os.path.join(w.dir, f"vm{i}.sock") for i in (1, 2)]
        shims = [start_shim(a, w, socks[0], "--size", "320x240"),
                 start_shim(a, w, socks[1])]
        viewer = w.spawn([a.viewer, "--backend", "wayland", "--fullscreen",
                          "--stats", "--layout", "row"] + socks,
                         stderr=subprocess.PIPE, text=True)
        ok = shot_until(a, w, "wayland-layout-row",
                        os.path.join(a.golden, "layout-row.png"))
        err, stopped = stop_viewer(viewer)
        for shim in shims:
            shim.terminate()
            shim.wait(timeout=10)
        composed = [l for l in err.splitlines()
                    if "GL (several VMs share the output)" in l]
        ok &= check("each VM's tile on the GL path, with the reason",
                    len(composed) == 2, "; ".join(composed))
        return ok and stopped
    finally:
        w.close()


CASES = {
    "screenshot-pixman": lambda a: case_screenshot(a, "pixman"),
    "screenshot-gl": lambda a: case_screenshot(a, "gl"),
    "zerocopy-pixman": lambda a: case_zero_copy(a, "pixman"),
    "zerocopy-gl": lambda a: case_zero_copy(a, "gl"),
    "zerocopy-moving": case_zero_copy_moving,
    "zerocopy-fallback": case_zero_copy_fallback,
    "zerocopy-reconnect": case_zero_copy_reconnect,
    "zerocopy-grab": case_zero_copy_grab,
    "zerocopy-kiosk": case_zero_copy_kiosk,
    "zerocopy-cursor-clip": case_zero_copy_cursor_clip,
    "grab-heads": case_grab_heads,
    "heads": case_heads,
    "layout": case_layout,
    "input": case_input,
    "kiosk": case_kiosk,
}


def main():
    a = screen_test_args(CASES)
    ok = CASES[a.case](a)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
