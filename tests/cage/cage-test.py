# SPDX-License-Identifier: MIT
"""qemu-eglview --kiosk in the kiosk compositors: cage, which README's
unit runs, and weston's kiosk-shell; each case is named COMPOSITOR-CASE.

cage (Debian 12: 0.1.4 on wlroots 0.15) runs on its x11 backend on a
private Xvfb whose screen is the output (cage's X window is resized to
it): real X input reaches cage's seat through xdotool, and the output's
pixels are read with xwd from the X root (tests/README.md, suite cage,
says why not the headless backend). cage refuses root: as root every
process of its session runs as nobody with its own XDG_RUNTIME_DIR.
weston 10 runs --shell=kiosk-shell.so on its x11 backend likewise (its
headless backend never repaints a kiosk-shell client), screenshots with
weston-screenshooter.

still-gl, still-zerocopy: the still demo (--fps 0, 1024x768) letterboxed
  into a 1280x720 output equals cage-1280x720.png (the offscreen viewer's
  frame at --size 1280x720, reviewed), --zero-copy off and on;
portrait-gl, portrait-zerocopy: the same into 720x1280, cage-720x1280.png;
reconnect: the kiosk started before its VM on a 320x240 output: the
  waiting screen, the VM, the VM gone, the VM back (the goldens the weston
  kiosk test uses);
quit: --kiosk-quit on-disconnect exits 3 when the VM goes;
keys-escape: typed keys reach the VM (--record-input), and
  --kiosk-escape ctrl+alt+backspace exits 0;
grab: --mouse relative without pointer-constraints: the click grabs,
  motion arrives as the differences of the positions, stopped at the
  output's edge.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

from eglview_test.procs import (copy_programs, imgcmp, need_tools,
                                 stop_procs, wait_for)
from eglview_test.records import expect, kb
from eglview_test.records import read as read_records
from eglview_test.weston import (
    TOLERANCE, Weston, check, golden, stats_of, weston_window)
from eglview_test.xsession import start_xvfb

NOBODY = 65534


class Kiosk:
    """A kiosk compositor on a private Xvfb of size WxH (its screen is the
    output), the viewer its one client, run through sh, which keeps its
    pid and exit status; the demo shim beside it as vm1. as_nobody: every
    process of the session as nobody (when root)."""

    def __init__(self, a, size, as_nobody):
        need_tools("Xvfb", "xdotool", "xwininfo")
        self.a, self.size = a, size
        self.width, self.height = (int(v) for v in size.split("x"))
        self.procs = []
        self.client = None  # the process that ends with the viewer
        self.tmp = tempfile.TemporaryDirectory(prefix="eglview-kiosk-")
        self.dir = self.tmp.name
        os.chmod(self.dir, 0o700)
        self.user = {}
        if as_nobody and os.getuid() == 0:
            # cage: "Unable to drop root"; the shim and viewer must share
            # its uid (SO_PEERCRED), and read the build tree.
            os.chown(self.dir, NOBODY, NOBODY)
            self.user = dict(user=NOBODY, group=NOBODY, extra_groups=[])
            copy_programs(a, ("viewer", "shim"), self.dir)
        self.record = os.path.join(self.dir, "record.txt")
        self.err = os.path.join(self.dir, "viewer.err")
        self.status = os.path.join(self.dir, "viewer.status")
        self.pidfile = os.path.join(self.dir, "viewer.pid")
        self.xvfb, self.display = start_xvfb(f"{size}x24")
        self.procs.append(self.xvfb)
        self.xenv = dict(os.environ, DISPLAY=self.display)
        self.set_runtime_dir(self.dir)

    def set_runtime_dir(self, path):
        """The XDG_RUNTIME_DIR of the compositor, the shim and the viewer
        (vm1's socket is there)."""
        self.env = dict(os.environ, XDG_RUNTIME_DIR=path, HOME=self.dir,
                        EGL_LOG_LEVEL="fatal", EGLVIEW_ERR=self.err,
                        EGLVIEW_PID=self.pidfile, EGLVIEW_STATUS=self.status)
        self.env.pop("WAYLAND_DISPLAY", None)
        self.sock = os.path.join(path, "qemu-eglview", "vm1.sock")

    def spawn(self, cmd, **kw):
        print("run:", " ".join(cmd))
        p = subprocess.Popen(cmd, env=self.env, cwd=self.dir, **self.user,
                             **kw)
        self.procs.append(p)
        return p

    def start_shim(self, *args):
        """The demo shim as vm1 (640x480, still, --record-input)."""
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        shim = self.spawn([self.a.shim, "--size", "640x480", "--fps", "0",
                           "--record-input", self.record] + list(args) +
                          ["vm1"])
        wait_for("the shim's socket", lambda: os.path.exists(self.sock),
                 proc=shim)
        return shim

    def viewer_command(self, args):
        """sh running qemu-eglview --backend wayland ARGS, its pid, stderr
        and exit status into files."""
        for f in (self.err, self.status, self.pidfile):
            if os.path.exists(f):
                os.unlink(f)
        script = ('"$@" 2>"$EGLVIEW_ERR" & echo $! >"$EGLVIEW_PID"; '
                  'wait $!; echo $? >"$EGLVIEW_STATUS"')
        return ["sh", "-c", script, "sh", self.a.viewer, "--backend",
                "wayland"] + list(args)

    def wait_viewer_started(self, window):
        """The X input focus on the compositor's window (no window
        manager: keys go where it is), and the viewer's pid there."""
        self.x(["windowfocus", window])
        wait_for("the viewer's pid", lambda: os.path.exists(self.pidfile) and
                 open(self.pidfile).read().strip(), proc=self.client)

    def x(self, args):
        subprocess.run(["xdotool"] + args, env=self.xenv, check=True,
                       timeout=30)

    def viewer_pid(self):
        return int(open(self.pidfile).read())

    def viewer_status(self, timeout=20.0):
        """The viewer's exit status once it ended (cage itself exits 0
        whatever its client's status), None if it did not."""
        try:
            wait_for("the viewer's exit status",
                     lambda: os.path.exists(self.status) and
                     open(self.status).read().strip(), timeout=timeout)
        except RuntimeError as e:
            print(f"FAIL {e}")
            return None
        return int(open(self.status).read())

    def stop_viewer(self):
        """SIGTERM to the viewer (it prints --stats on its way out): its
        stderr, and whether it exited 0."""
        os.kill(self.viewer_pid(), signal.SIGTERM)
        rc = self.viewer_status()
        err = open(self.err).read() if os.path.exists(self.err) else ""
        sys.stderr.write(err)
        try:
            self.client.wait(timeout=10)
        except subprocess.TimeoutExpired:
            print(f"FAIL {self.client.args[0]} went on after the viewer "
                  "ended")
            return err, False
        return err, check("the viewer exited 0 on SIGTERM", rc == 0,
                          f"status {rc}")

    def records(self):
        return read_records(self.record)

    def close(self):
        if os.path.exists(self.pidfile):
            try:
                os.kill(self.viewer_pid(), signal.SIGTERM)
            except (ProcessLookupError, ValueError):
                pass
        stop_procs(self.procs)
        self.tmp.cleanup()


class Cage(Kiosk):
    """cage on its x11 backend (pixman), as nobody when root; screenshots
    with xwd of the X root, which cage's window covers."""
    name = "cage"
    # 0.1.4 offers no wp_viewporter: the hand-off falls back to GL.
    zero_copy = False

    def __init__(self, a, size):
        need_tools("cage", "Xwayland", "xwd", "xwdtopnm", "pnmtopng")
        super().__init__(a, size, as_nobody=True)
        self.env.update(DISPLAY=self.display, WLR_BACKENDS="x11",
                        WLR_RENDERER="pixman", WLR_X11_OUTPUTS="1")

    def start_viewer(self, *args):
        self.client = self.spawn(["cage", "-d", "--"] +
                                 self.viewer_command(args),
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        window = wait_for("cage's X window", self._window, proc=self.client)
        # The output follows its X window's size (1024x768 at first).
        self.x(["windowsize", window, str(self.width), str(self.height)])
        self.wait_viewer_started(window)

    def _window(self):
        out = subprocess.run(["xwininfo", "-root", "-children"],
                             env=self.xenv, capture_output=True,
                             text=True).stdout
        ids = [l.split()[0] for l in out.splitlines()
               if l.strip().startswith("0x")]
        return ids[0] if ids else None

    def screenshot(self, path):
        xwd = subprocess.run(["xwd", "-root", "-silent"], env=self.xenv,
                             capture_output=True, check=True, timeout=30)
        pnm = subprocess.run(["xwdtopnm"], input=xwd.stdout,
                             capture_output=True, check=True)
        png = subprocess.run(["pnmtopng"], input=pnm.stdout,
                             capture_output=True, check=True)
        with open(path, "wb") as f:
            f.write(png.stdout)

class WestonKiosk(Kiosk):
    """weston 10's kiosk-shell on its x11 backend (pixman; its headless
    backend sends kiosk-shell's clients no frame callbacks, see
    tests/README.md); screenshots with weston-screenshooter."""
    name = "weston-kiosk"
    zero_copy = True

    def __init__(self, a, size):
        need_tools("weston", "weston-screenshooter")
        super().__init__(a, size, as_nobody=False)
        self.weston = Weston(a, "x11", "pixman", self.width, self.height,
                             display=self.display,
                             extra=["--shell=kiosk-shell.so"])
        self.set_runtime_dir(self.weston.dir)
        self.env["WAYLAND_DISPLAY"] = "wl-test"

    def start_viewer(self, *args):
        self.client = self.spawn(self.viewer_command(args))
        window = wait_for("weston's X window",
                          lambda: weston_window(self.xenv))
        self.wait_viewer_started(window)

    def screenshot(self, path):
        self.weston.screenshot(path)

    def close(self):
        super().close()
        self.weston.close()


def shot(a, c, name, ref, tolerance=TOLERANCE):
    """Screenshots of c until one is tests/golden/REF.png within
    tolerance (per channel, of 255), for 20 s; the last one and its diff
    stay in the build folder."""
    path = os.path.join(a.out, f"{c.name}-{name}.png")
    diff = path[:-len(".png")] + "-diff.png"
    ref = golden(a, ref)
    deadline = time.monotonic() + 20
    while True:
        c.screenshot(path)
        same, msg = imgcmp(a.imgcmp, ref, path, tolerance, diff,
                           capture=True)
        if same or time.monotonic() > deadline:
            return check(f"{path} is {ref}", same, msg.strip())
        time.sleep(0.1)


def case_still(a, make, size, zero_copy):
    c = make(a, size)
    try:
        c.start_viewer("--kiosk", "--stats", "--zero-copy", zero_copy,
                       "--demo", "--demo-option", "--fps", "--demo-option",
                       "0")
        # weston's pixman scales the handed-over buffer with a filter of
        # its own: a few pixels of fine text come out up to 6 apart.
        tolerance = 8 if c.zero_copy and zero_copy == "on" else TOLERANCE
        ok = shot(a, c, f"{size}-{zero_copy}", f"cage-{size}", tolerance)
        err, stopped = c.stop_viewer()
        head = stats_of(err).get("head 1", "")
        if zero_copy == "off":
            ok &= check("the GL path, as asked", head.startswith(
                "GL (--zero-copy off)"), head)
        elif c.zero_copy:
            ok &= check("the buffer handed to the compositor",
                        head.startswith("zero-copy wl_shm") and
                        "gl_frames=0" in head, head)
        else:
            # The hand-off says why it fell back; a cage with
            # wp_viewporter hands the buffer over.
            ok &= check("zero-copy, or GL with the compositor's reason",
                        head.startswith("zero-copy") or
                        head.startswith("GL (the compositor offers no "),
                        head)
        return ok and stopped
    finally:
        c.close()


def case_reconnect(a, make):
    c = make(a, "320x240")
    try:
        # Started before its VM: "waiting for vm1".
        c.start_viewer("--kiosk", "vm1")
        ok = shot(a, c, "waiting", "reconnect-waiting")
        shim = c.start_shim()
        ok &= shot(a, c, "vm", "wayland-fit-320x240")
        # Gone: the waiting screen naming the VM from its HELLO.
        shim.send_signal(signal.SIGKILL)
        shim.wait()
        os.unlink(c.sock)
        ok &= shot(a, c, "gone", "reconnect-gone")
        # Back: the same picture as before.
        c.start_shim()
        ok &= shot(a, c, "back", "wayland-fit-320x240")
        _, stopped = c.stop_viewer()
        return ok and stopped
    finally:
        c.close()


def case_quit(a, make):
    c = make(a, "320x240")
    try:
        shim = c.start_shim()
        c.start_viewer("--kiosk", "--kiosk-quit", "on-disconnect", "vm1")
        ok = shot(a, c, "quit-vm", "wayland-fit-320x240")
        shim.send_signal(signal.SIGKILL)
        shim.wait()
        rc = c.viewer_status()
        ok &= check("--kiosk-quit on-disconnect: the VM went, exit 3",
                    rc == 3, f"status {rc}")
        return ok
    finally:
        c.close()


def case_keys_escape(a, make):
    c = make(a, "320x240")
    try:
        c.start_shim()
        c.start_viewer("--kiosk", "--kiosk-escape", "ctrl+alt+backspace",
                       "vm1")
        ok = shot(a, c, "keys-vm", "wayland-fit-320x240")
        # XTest keys into cage's X window: cage's seat, the viewer's
        # wl_keyboard, the VM.
        c.x(["key", "a", "shift+1", "F12"])
        # xdotool lets go of a chord's modifier first.
        want = (kb("KEY_A", 1) + kb("KEY_A", 0) +
                kb("KEY_LEFTSHIFT", 1) + kb("KEY_1", 1) +
                kb("KEY_LEFTSHIFT", 0) + kb("KEY_1", 0) +
                kb("KEY_F12", 1) + kb("KEY_F12", 0))
        try:
            wait_for("the F12 records", lambda: c.records()[-4:] ==
                     kb("KEY_F12", 1) + kb("KEY_F12", 0), timeout=20)
        except RuntimeError as e:
            print(f"FAIL {e}")
        ok &= expect("typed keys reach the VM", c.records(), want)
        c.x(["key", "ctrl+alt+BackSpace"])
        rc = c.viewer_status()
        ok &= check("--kiosk-escape ctrl+alt+backspace exits 0", rc == 0,
                    f"status {rc}")
        # The chord's own keys: what reached the VM of it is released.
        rest = c.records()[len(want):]
        held = {}
        for line in rest:
            f = line.split()
            if f[1] == "EV_KEY":
                held[f[2]] = f[3]
        ok &= check("no key of the escape left held in the VM",
                    all(v == "0" for v in held.values()) and
                    "KEY_BACKSPACE" not in held, " ".join(rest))
        return ok
    finally:
        c.close()


def case_grab(a, make):
    c = make(a, "640x480")
    try:
        c.start_shim("--mouse", "relative")
        c.start_viewer("--kiosk", "--mouse", "relative", "--stats", "vm1")
        ok = shot(a, c, "grab-vm", "demo-plain")
        # The click that grabs reaches no guest.
        c.x(["mousemove", "300", "200", "click", "1"])
        # Motion differences: 10 moves of (3, 2).
        c.x(["mousemove_relative", "3", "2"] * 10)
        # At the right edge: X stops the pointer at 639, 7 pixels on, so
        # only 7 of the 20 asked for arrive.
        c.x(["mousemove", "632", "200"])
        c.x(["mousemove_relative", "20", "0"])
        c.x(["key", "F12"])
        try:
            wait_for("the F12 records", lambda: c.records()[-4:] ==
                     kb("KEY_F12", 1) + kb("KEY_F12", 0), timeout=20)
        except RuntimeError as e:
            print(f"FAIL {e}")
        recs = c.records()[:-4]  # less the F12 marker
        ok &= check("the click that grabs is not sent",
                    not any("BTN_LEFT" in r for r in recs), " ".join(recs))
        rel = [r.split() for r in recs if "EV_REL" in r]
        dx = sum(int(f[3]) for f in rel if f[2] == "REL_X")
        dy = sum(int(f[3]) for f in rel if f[2] == "REL_Y")
        # 30,20 of the steps, then 632 - 330 = 302 and 200 - 220 = -20 of
        # the jump back to the edge, then 7 to it.
        ok &= check("relative motion: the positions' differences, stopped "
                    "at the edge", (dx, dy) == (30 + 302 + 7, 20 - 20),
                    f"REL_X sum {dx}, REL_Y sum {dy}")
        err, stopped = c.stop_viewer()
        pointer = stats_of(err).get("pointer", {})
        ok &= check("grabbed without pointer-constraints",
                    pointer.get("grab") in ("motion-differences",
                                            "relative-unlocked"),
                    str(pointer))
        return ok and stopped
    finally:
        c.close()


CASES = {}
for _make in (Cage, WestonKiosk):
    CASES.update({
        f"{_make.name}-still-gl":
            lambda a, m=_make: case_still(a, m, "1280x720", "off"),
        f"{_make.name}-still-zerocopy":
            lambda a, m=_make: case_still(a, m, "1280x720", "on"),
        f"{_make.name}-portrait-gl":
            lambda a, m=_make: case_still(a, m, "720x1280", "off"),
        f"{_make.name}-portrait-zerocopy":
            lambda a, m=_make: case_still(a, m, "720x1280", "on"),
        f"{_make.name}-reconnect": lambda a, m=_make: case_reconnect(a, m),
        f"{_make.name}-quit": lambda a, m=_make: case_quit(a, m),
        f"{_make.name}-keys-escape":
            lambda a, m=_make: case_keys_escape(a, m),
    })
# weston has pointer-constraints: its locked grab is suite wayland's.
CASES["cage-grab"] = lambda a: case_grab(a, Cage)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--imgcmp", required=True)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--out", default=".")
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    # The session's programs run in its own folder.
    for k in ("shim", "viewer", "imgcmp", "golden", "out"):
        setattr(a, k, os.path.abspath(getattr(a, k)))
    sys.exit(0 if CASES[a.case](a) else 1)


if __name__ == "__main__":
    main()
