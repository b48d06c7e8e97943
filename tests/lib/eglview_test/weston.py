# SPDX-License-Identifier: MIT
"""weston for the Wayland tests: a private compositor (headless, or its
x11 backend on an Xvfb of xsession.start_xvfb), screenshots of it compared
with golden images until they match, the shim and viewer run in it, and
the viewer's --stats read back."""
import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

from eglview_test.procs import (SKIP, SLOW, check, imgcmp, need_tools,
                                 stop_procs, wait_for)
from eglview_test.records import MARKER, Sync
from eglview_test.records import read as read_records
from eglview_test.xsession import start_xvfb


class Weston:
    """weston on a private XDG_RUNTIME_DIR; backend headless or x11."""

    def __init__(self, a, backend, renderer, width, height, display=None,
                 extra=()):
        self.tmp = tempfile.TemporaryDirectory(prefix="eglview-wl-")
        self.dir = self.tmp.name
        os.chmod(self.dir, 0o700)
        self.procs = []
        env = dict(os.environ, XDG_RUNTIME_DIR=self.dir)
        env.pop("WAYLAND_DISPLAY", None)
        if display:
            env["DISPLAY"] = display
        else:
            env.pop("DISPLAY", None)
        self.log = os.path.join(self.dir, "weston.log")
        # No fade-in: a screenshot must show the frame, not a blend.
        ini = os.path.join(self.dir, "weston.ini")
        with open(ini, "w") as f:
            f.write("[shell]\nanimation=none\nclose-animation=none\n"
                    "startup-animation=none\nfocus-animation=none\n"
                    "[core]\nidle-time=0\n")
        cmd = ["weston", f"--backend={backend}-backend.so",
               f"--width={width}", f"--height={height}",
               "--socket=wl-test", "--debug", "--idle-time=0",
               f"--config={ini}",
               f"--log={self.log}"]
        cmd.append("--use-gl" if renderer == "gl" else "--use-pixman")
        cmd += list(extra)
        self.weston = subprocess.Popen(cmd, env=env, cwd=self.dir,
                                       stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        self.procs.append(self.weston)
        sock = os.path.join(self.dir, "wl-test")
        try:
            wait_for("weston's socket", lambda: os.path.exists(sock),
                     timeout=15, proc=self.weston)
        except RuntimeError as e:
            log = open(self.log).read() if os.path.exists(self.log) else ""
            self.close()
            print(f"skipped: weston ({backend}, {renderer}) cannot run "
                  f"here: {e}\n{log[-2000:]}")
            sys.exit(SKIP)
        self.env = dict(env, WAYLAND_DISPLAY="wl-test",
                        EGL_LOG_LEVEL="fatal")
        self.env.pop("DISPLAY", None)

    def spawn(self, cmd, **kw):
        print("run:", " ".join(cmd))
        p = subprocess.Popen(cmd, env=self.env, **kw)
        self.procs.append(p)
        return p

    def screenshot(self, path):
        for old in glob.glob(os.path.join(self.dir, "wayland-screenshot*")):
            os.unlink(old)
        subprocess.run(["weston-screenshooter"], env=self.env, cwd=self.dir,
                       check=True, timeout=30, capture_output=True)
        shot = glob.glob(os.path.join(self.dir, "wayland-screenshot*.png"))
        if not shot:
            raise RuntimeError("weston-screenshooter wrote no file")
        shutil.copy(shot[0], path)

    def close(self):
        stop_procs(self.procs)
        self.tmp.cleanup()


TOLERANCE = 4  # the largest per-channel difference (of 255) allowed


def golden(a, name):
    """The path of tests/golden/NAME.png."""
    return os.path.join(a.golden, name + ".png")


def pictures_match(a, ref, shot, diff=None):
    """imgcmp at TOLERANCE: (whether shot matches ref, what it said); the
    diff image (red where they differ) to diff when given."""
    return imgcmp(a.imgcmp, ref, shot, TOLERANCE, diff, capture=True)


def matches_golden(a, shot, name):
    """Checks shot against tests/golden/NAME.png; on a mismatch the shot
    stays and its diff is written beside it (SHOT-diff.png)."""
    diff = shot[:-len(".png")] + "-diff.png"
    same, msg = pictures_match(a, golden(a, name), shot, diff)
    return check(f"{os.path.basename(shot)} is {name}.png", same,
                 msg.strip() + ("" if same else f" (diff {diff})"))


def shot_until(a, w, name, ref, timeout=15.0, want=True):
    """Screenshots until one matches ref (want) or the time is up; a
    last shot that does not match ref leaves its diff beside it."""
    path = os.path.join(a.out, name + ".png")
    deadline = time.monotonic() + timeout
    while True:
        w.screenshot(path)
        same, msg = pictures_match(a, ref, path)
        if same == want:
            print(f"ok   {path} {'matches' if want else 'differs from'} {ref}")
            return True
        if time.monotonic() > deadline:
            if want:
                diff = os.path.join(a.out, name + "-diff.png")
                _, msg = pictures_match(a, ref, path, diff)
                msg += f" (diff {diff})"
            print(f"FAIL {path} vs {ref}: {msg}")
            return False
        time.sleep(0.1)


def _red_pixels(diff):
    """The mismatching pixels of an imgcmp diff image (pure red)."""
    ppm = subprocess.run(["pngtopnm", diff], capture_output=True,
                         check=True).stdout
    fields, pos = [], 0
    while len(fields) < 4:  # P6, width, height, maxval; then one blank
        while ppm[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not ppm[end:end + 1].isspace():
            end += 1
        fields.append(ppm[pos:end])
        pos = end
    width, pix = int(fields[1]), ppm[pos + 1:]
    return [(i // 3 % width, i // 3 // width) for i in range(0, len(pix), 3)
            if pix[i:i + 3] == b"\xff\x00\x00"]


def same_but_pointer(a, ref, path, diff, box=32):
    """Whether path equals ref but for one box x box square, where weston
    draws its own pointer sprite (weston's x11 backend always shows one,
    wherever its pointer last was): (that, imgcmp's word, the span of the
    differences or None, as x, y, width, height)."""
    if os.path.exists(diff):
        os.unlink(diff)
    same, msg = pictures_match(a, ref, path, diff)
    if not same and not os.path.exists(diff):
        return False, msg, None  # no reference, or of another size
    red = [] if same else _red_pixels(diff)
    span = None
    if red:
        xs, ys = [p[0] for p in red], [p[1] for p in red]
        span = (min(xs), min(ys), max(xs) - min(xs) + 1,
                max(ys) - min(ys) + 1)
    return same or (span[2] <= box and span[3] <= box), msg, span


def shot_until_but_pointer(a, w, name, ref, box=32, timeout=15.0):
    """Screenshots until one equals ref but for weston's pointer sprite
    (same_but_pointer). A picture moved by even a pixel differs along
    every edge in it, so this places it too: at ref's 0,0."""
    path = os.path.join(a.out, name + ".png")
    diff = os.path.join(a.out, name + "-diff.png")
    deadline = time.monotonic() + timeout
    while True:
        w.screenshot(path)
        same, msg, span = same_but_pointer(a, ref, path, diff, box)
        if same:
            print(f"ok   {path} is {ref}" +
                  (f" but for weston's pointer in {span}" if span else ""))
            return True
        if time.monotonic() > deadline:
            print(f"FAIL {path} vs {ref}: {msg.strip()}; the differences "
                  f"span {span}, more than weston's pointer (diff {diff})")
            return False
        time.sleep(0.1)


def settle(a, w, path, timeout=15.0):
    """Screenshots into path until two in a row are the same."""
    deadline = time.monotonic() + timeout
    w.screenshot(path)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        again = path + ".again.png"
        w.screenshot(again)
        same, _ = pictures_match(a, path, again)
        os.replace(again, path)
        if same:
            return True
    print(f"FAIL the screen did not settle ({path})")
    return False


def start_shim(a, w, sock, *args):
    """The demo shim in w (640x480, a frame per input batch), listening."""
    shim = w.spawn([a.shim, "--size", "640x480", "--fps", "0"] +
                   list(args) + [sock])
    wait_for("the shim's socket", lambda: os.path.exists(sock), proc=shim)
    return shim


def stop_viewer(viewer):
    """SIGTERM (the viewer prints --stats on its way out); its stderr."""
    viewer.terminate()
    try:
        _, err = viewer.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        viewer.kill()
        _, err = viewer.communicate()
    sys.stderr.write(err)
    if viewer.returncode != 0:
        print(f"FAIL the viewer exited {viewer.returncode}")
    return err, viewer.returncode == 0


def stats_of(err):
    """--stats lines -> {'stats': {...}, 'head 1': 'zero-copy wl_shm...'}."""
    got = {}
    for line in err.splitlines():
        if not line.startswith("qemu-eglview: "):
            continue
        key, _, rest = line[len("qemu-eglview: "):].partition(": ")
        if key.startswith("following "):
            got[key.split(",")[0]] = True
        elif key in ("stats", "zero-copy", "presentation", "pointer"):
            got[key] = {k: v for k, v in (f.split("=", 1) for f in
                        rest.split() if "=" in f)}
        elif key.startswith("head "):
            got[key] = rest
    return got


def num(stats, part, key):
    """A stats_of() figure as an int, -1 when missing."""
    return int(float(stats.get(part, {}).get(key, "-1")))


def zero_copy_shot(a, w, name, viewer_args, shim_args=(), ref="demo-plain"):
    """The demo (--fps 0) fullscreen; a screenshot against ref; stats."""
    sock = os.path.join(w.dir, f"{name}.sock")
    shim = start_shim(a, w, sock, *shim_args)
    viewer = w.spawn([a.viewer, "--backend", "wayland", "--fullscreen",
                      "--stats"] + list(viewer_args) + [sock],
                     stderr=subprocess.PIPE, text=True)
    ok = shot_until(a, w, name, os.path.join(a.golden, ref + ".png"))
    err, stopped = stop_viewer(viewer)
    shim.terminate()
    shim.wait(timeout=10)
    return ok and stopped, stats_of(err)


def wayland_sync(record, xenv, viewer):
    """The records of the demo's --record-input file up to an F12 marker
    typed with xdotool into weston's x11 backend (records.Sync), once the
    viewer has the keyboard: F12 is pressed until the viewer's first
    marker arrives, and all before it forgotten. sync() returns the
    records since the last one. Each press is given 2 s to arrive, so
    that the demo hears one marker only and its echo (frame number,
    record count) is the same every run."""
    def press():
        subprocess.run(["xdotool", "key", "F12"], env=xenv, check=True,
                       capture_output=True, timeout=30)

    def heard():
        before = len(read_records(record))
        press()
        try:
            wait_for("a marker", lambda: len(read_records(record)) > before
                     and read_records(record)[-4:] == MARKER,
                     timeout=2.0 * SLOW, proc=viewer)
            return True
        except RuntimeError:
            if viewer.poll() is not None:
                raise
            return False
    marks = Sync(record, press)
    wait_for("the viewer's keyboard focus", heard, proc=viewer)
    marks.skip()
    return lambda: marks(viewer)


@contextlib.contextmanager
def x11_weston(a, width, height, renderer="pixman"):
    """weston's x11 backend (it has a seat, for xdotool's input) on a
    private 800x600 Xvfb: (the Weston, the X env, weston's X window).
    weston's pointer is put on its output's bottom right pixel (weston
    sends an enter wherever its pointer is when a surface appears under
    it, even one the X pointer left): where a picture letterboxed
    into a wider output has its bar, and a 640x480 window that weston
    places at random on an 800x450 output never lies. Skips (77) without
    the tools."""
    need_tools("weston", "weston-screenshooter", "Xvfb", "xdotool",
               "xwininfo")
    xvfb, display = start_xvfb()
    w = None
    try:
        w = Weston(a, "x11", renderer, width, height, display=display)
        xenv = dict(os.environ, DISPLAY=display)
        win = wait_for("weston's X window", lambda: weston_window(xenv))
        # The X keyboard focus before any surface maps, so that weston's
        # seat has the keyboard when its shell activates the viewer.
        subprocess.run(["xdotool", "mousemove", "--window", win,
                        str(width - 1), str(height - 1),
                        "windowfocus", "--sync", win], env=xenv,
                       check=True, capture_output=True, timeout=30)
        yield w, xenv, win
    finally:
        if w:
            w.close()
        stop_procs([xvfb])


def weston_window(xenv):
    """The X window of weston's x11 backend, or None yet."""
    tree = subprocess.run(["xwininfo", "-root", "-tree"], env=xenv,
                          capture_output=True, text=True).stdout
    for line in tree.splitlines():
        if '"Weston Compositor' in line:
            return str(int(line.split()[0], 16))
    return None

