# SPDX-License-Identifier: MIT
"""A private Xvfb (start_xvfb; weston's x11 backend runs on one too),
and Session: eglview-shim and qemu-eglview --backend sdl on it, driven by
xdotool, the demo's --record-input file read back, screenshots compared
with golden images; with wm=True a real window manager (evilwm) on it, so
that fullscreen means something. The SDL tests' (tests/sdl) pieces.

Everything waits for a condition (a window mapped, a record line written)
with a bounded timeout instead of sleeping a fixed time, so the tests hold
on a loaded machine."""
import ctypes
import ctypes.util
import os
import subprocess
import tempfile
import time

from eglview_test import records as recs
from eglview_test.procs import Lines, imgcmp, need_tools, stop_procs, wait_for


def start_xvfb(screen="800x600x24"):
    """An Xvfb on a display it picks: (its process, ":N")."""
    r, w = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-screen", "0", screen,
         "-nolisten", "tcp", "-noreset"],
        pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.readline()
    if not data.strip():
        stop_procs([xvfb])
        raise RuntimeError("Xvfb did not say which display it took")
    return xvfb, ":" + data.decode().strip()


def start_wm(env):
    """evilwm on env's DISPLAY, once it says it manages the screen
    (_NET_SUPPORTING_WM_CHECK on the root). Its Ctrl+Alt+F binding (fix
    a window) is removed: that combination is the viewer's. Xvfb has
    only the built-in "fixed" font."""
    need_tools("evilwm", "xprop")
    wm = subprocess.Popen(["evilwm", "-fn", "fixed", "--bind", "mask1+f="],
                          env=env, stdout=subprocess.DEVNULL)

    def managing():
        r = subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"],
                           env=env, capture_output=True, text=True)
        return "window id" in r.stdout
    try:
        wait_for("evilwm to manage the screen", managing, proc=wm)
    except BaseException:
        stop_procs([wm])
        raise
    return wm


class Session:
    def __init__(self, shim, viewer, shim_args=(), viewer_args=(),
                 screen="1600x1200x24", settle=True, wm=False,
                 viewer_env=None, shim_log=False):
        # shim_log: the shim's stderr is read into self.shim_lines.
        self.shim_log = shim_log
        need_tools("Xvfb", "xdotool")
        self.tmp = tempfile.TemporaryDirectory(prefix="eglview-sdl-")
        self.dir = self.tmp.name
        self.record = os.path.join(self.dir, "record.txt")
        self.sock = os.path.join(self.dir, "demo.sock")
        self.procs = []
        self.xvfb = None
        self.viewer = None
        self._sync = recs.Sync(self.record, lambda: self.x(["key", "F12"]))
        try:
            self._start_x(screen)
            if wm:
                self.procs.append(start_wm(self.env))
            self._start_shim(shim, shim_args)
            # Off the window-to-be, so nothing reaches the VM unasked: the
            # far corner, as resize() moves the window to 0,0 (a window
            # moved under a pointer at 0,0 got an enter there, a motion
            # the demo drew: once seen in CI).
            sw, sh = (int(v) for v in screen.split("x")[:2])
            self.x(["mousemove", str(sw - 1), str(sh - 1)])
            self._start_viewer(viewer, viewer_args, settle,
                               dict(self.env, **(viewer_env or {})))
        except BaseException:
            self.close()
            raise

    def _start_x(self, screen):
        self.xvfb, self.display = start_xvfb(screen)
        self.procs.append(self.xvfb)
        self.env = dict(os.environ, DISPLAY=self.display)
        self.env.pop("WAYLAND_DISPLAY", None)

    def _start_shim(self, shim, args):
        cmd = [shim, "--size", "640x480", "--fps", "0", "--record-input",
               self.record] + list(args) + [self.sock]
        self.shim = subprocess.Popen(
            cmd, env=self.env,
            stderr=subprocess.PIPE if self.shim_log else None, text=True)
        self.procs.append(self.shim)
        if self.shim_log:
            self.shim_lines = Lines(self.shim.stderr, "the shim's stderr")
        wait_for("the shim's socket", lambda: os.path.exists(self.sock),
                 proc=self.shim)

    def _start_viewer(self, viewer, args, settle, env):
        cmd = [viewer, "--backend", "sdl"] + list(args) + [self.sock]
        print("viewer:", " ".join(cmd))
        self.viewer = subprocess.Popen(cmd, env=env)
        self.procs.append(self.viewer)
        # The title names the VM once the first frame of it was drawn.
        self.window = wait_for("the viewer's window", lambda: self._find(
            "demo - qemu-eglview"), proc=self.viewer)
        if settle:
            self.focus()
            self.sync()  # whatever the start produced

    def _find(self, name):
        out = self.x(["search", "--onlyvisible", "--name", name],
                     check=False).strip().split()
        return out[0] if out else None

    def x(self, args, check=True):
        r = subprocess.run(["xdotool"] + args, env=self.env,
                           capture_output=True, text=True, timeout=30)
        if check and r.returncode != 0:
            raise RuntimeError(f"xdotool {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def title(self):
        return self.x(["getwindowname", self.window]).strip()

    def focus(self):
        self.x(["windowfocus", "--sync", self.window])

    def focus_root(self):
        root = subprocess.run(["xwininfo", "-root"], env=self.env,
                              capture_output=True, text=True).stdout
        rid = [l.split()[3] for l in root.splitlines()
               if "Window id:" in l][0]
        self.x(["windowfocus", "--sync", rid])

    def resize(self, w, h):
        self.x(["windowsize", "--sync", self.window, str(w), str(h)])
        self.x(["windowmove", "--sync", self.window, "0", "0"])
        # Moving a window under the pointer can move the focus with it
        # where no window manager holds it: give it back before typing.
        self.focus()

    def find(self, name):
        """A visible window whose title matches the regex name, or None."""
        return self._find(name)

    def close_window(self, window):
        """What a window manager's close button does: WM_DELETE_WINDOW."""
        send_wm_delete(self.display, int(window))

    def records(self):
        return recs.read(self.record)

    @property
    def consumed(self):
        """How many record lines sync() has returned."""
        return self._sync.consumed

    def sync(self):
        """Presses and releases F12 and waits for its records: every host
        event before it has then been handled (one X connection, one
        order). Returns the records before the marker and forgets them."""
        return self._sync(self.viewer)

    def geometry(self, window=None):
        """A window's (x, y, width, height) on the screen (xwininfo)."""
        out = subprocess.run(["xwininfo", "-id", window or self.window],
                             env=self.env, capture_output=True, text=True,
                             check=True).stdout
        f = {k.strip(): v.strip() for k, _, v in
             (l.partition(":") for l in out.splitlines()) if v}
        return (int(f["Absolute upper-left X"]), int(f["Absolute upper-left Y"]),
                int(f["Width"]), int(f["Height"]))

    def wm_state(self, window=None):
        """The window's _NET_WM_STATE atoms, as the window manager set them."""
        out = subprocess.run(["xprop", "-id", window or self.window,
                              "_NET_WM_STATE"], env=self.env,
                             capture_output=True, text=True).stdout
        return [a.strip() for a in out.partition("=")[2].split(",") if a.strip()]

    def screenshot(self, path, window=None):
        """xwd of the window (window "root": the whole screen) as a PNG."""
        need_tools("xwd", "xwdtopnm", "pnmtopng")
        window = window or self.window
        where = ["-root"] if window == "root" else ["-id", window]
        xwd = subprocess.run(["xwd", "-silent"] + where,
                             env=self.env, capture_output=True, check=True)
        pnm = subprocess.run(["xwdtopnm"], input=xwd.stdout,
                             capture_output=True, check=True)
        png = subprocess.run(["pnmtopng"], input=pnm.stdout,
                             capture_output=True, check=True)
        with open(path, "wb") as f:
            f.write(png.stdout)

    def shot_until(self, a, name, reference, window=None, timeout=15.0):
        """Screenshots (of window, as screenshot()) into a.out/NAME.png
        until one matches tests/golden/REFERENCE (a.golden; a.imgcmp,
        tolerance 4) or the time is up: the first frames may still be on
        their way. A last shot that does not match keeps its diff."""
        shot = os.path.join(a.out, name + ".png")
        diff = os.path.join(a.out, name + "-diff.png")
        ref = os.path.join(a.golden, reference)
        deadline = time.monotonic() + timeout
        while True:
            self.screenshot(shot, window)
            same, out = imgcmp(a.imgcmp, ref, shot, 4, diff, capture=True)
            if same:
                print(f"ok   screenshot {shot} matches {ref}")
                return True
            if time.monotonic() > deadline:
                print(f"FAIL screenshot {shot} vs {ref} (diff {diff}):\n" + out)
                return False
            time.sleep(0.1)

    def close(self):
        stop_procs(self.procs)
        self.tmp.cleanup()


class _ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong),
                ("send_event", ctypes.c_int), ("display", ctypes.c_void_p),
                ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class _XEvent(ctypes.Union):
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


def send_wm_delete(display, window):
    """Sends the ICCCM close request to a window through libX11 (xdotool
    3.20160805 has no windowquit, and Xvfb runs no window manager)."""
    name = ctypes.util.find_library("X11")
    if name is None:
        raise RuntimeError("libX11 not found for the WM_DELETE_WINDOW message")
    x = ctypes.CDLL(name)
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int,
                             ctypes.c_long, ctypes.POINTER(_XEvent)]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x.XOpenDisplay(display.encode())
    if not dpy:
        raise RuntimeError(f"cannot open X display {display}")
    ev = _XEvent()
    ev.xclient.type = 33  # ClientMessage
    ev.xclient.window = window
    ev.xclient.message_type = x.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
    ev.xclient.format = 32
    ev.xclient.data[0] = x.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
    ev.xclient.data[1] = 0  # CurrentTime
    x.XSendEvent(dpy, window, 0, 0, ctypes.byref(ev))
    x.XFlush(dpy)
    x.XCloseDisplay(dpy)
