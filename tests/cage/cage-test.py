# SPDX-License-Identifier: MIT
"""qemu-eglview --kiosk in cage, the kiosk compositor README's unit runs.

cage (Debian 12: 0.1.4 on wlroots 0.15) runs on its x11 backend on a
private Xvfb whose screen is the output (cage's X window is resized to
it): real X input reaches cage's seat through xdotool, and the output's
pixels are read with xwd from the X root (tests/README.md, suite cage,
says why not the headless backend). cage refuses root: as root every
process of the session runs as nobody with its own XDG_RUNTIME_DIR.

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

from eglview_test.procs import SKIP, need_tools, stop_procs, wait_for
from eglview_test.records import expect, kb
from eglview_test.records import read as read_records
from eglview_test.weston import check, golden, pictures_match, stats_of
from eglview_test.xsession import start_xvfb

NOBODY = 65534


class Cage:
    """Xvfb of size WxH, cage on it with the viewer as its one client
    (run through sh, which writes the viewer's pid and exit status), the
    shim beside it; as nobody when root."""

    def __init__(self, a, size):
        need_tools("cage", "Xwayland", "Xvfb", "xdotool", "xwininfo", "xwd",
                   "xwdtopnm", "pnmtopng")
        self.a, self.size = a, size
        self.width, self.height = (int(v) for v in size.split("x"))
        self.procs = []
        self.tmp = tempfile.TemporaryDirectory(prefix="eglview-cage-")
        self.dir = self.tmp.name
        os.chmod(self.dir, 0o700)
        self.user = {}
        if os.getuid() == 0:
            # cage: "Unable to drop root"; the shim and viewer must share
            # its uid (SO_PEERCRED), and read the build tree.
            os.chown(self.dir, NOBODY, NOBODY)
            self.user = dict(user=NOBODY, group=NOBODY, extra_groups=[])
            for exe in (a.viewer, a.shim):
                self._readable_by_nobody(exe)
        self.record = os.path.join(self.dir, "record.txt")
        self.sock = os.path.join(self.dir, "qemu-eglview", "vm1.sock")
        self.err = os.path.join(self.dir, "viewer.err")
        self.status = os.path.join(self.dir, "viewer.status")
        self.pidfile = os.path.join(self.dir, "viewer.pid")
        self.xvfb, self.display = start_xvfb(f"{size}x24")
        self.procs.append(self.xvfb)
        self.env = dict(os.environ, XDG_RUNTIME_DIR=self.dir, HOME=self.dir,
                        DISPLAY=self.display, WLR_BACKENDS="x11",
                        WLR_RENDERER="pixman", WLR_X11_OUTPUTS="1",
                        EGL_LOG_LEVEL="fatal")
        self.env.pop("WAYLAND_DISPLAY", None)
        self.xenv = dict(os.environ, DISPLAY=self.display)
        self.cage = None
        self.window = None

    def _readable_by_nobody(self, path):
        """Every folder above path searchable and path executable by
        others, or a skip saying which is not."""
        p = os.path.abspath(path)
        while p != "/":
            mode = os.stat(p).st_mode
            need = 0o001 if os.path.isdir(p) or p == os.path.abspath(path) \
                else 0o004
            if not mode & need:
                print(f"skipped: {p} is not open to others (mode "
                      f"{mode & 0o777:o}); cage runs as nobody here")
                sys.exit(SKIP)
            p = os.path.dirname(p)

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

    def start_viewer(self, *args):
        """cage with qemu-eglview --backend wayland ARGS as its client;
        cage's X window made the size of the screen."""
        for f in (self.err, self.status, self.pidfile):
            if os.path.exists(f):
                os.unlink(f)
        script = ('"$@" 2>"$EGLVIEW_ERR" & echo $! >"$EGLVIEW_PID"; '
                  'wait $!; echo $? >"$EGLVIEW_STATUS"')
        self.env.update(EGLVIEW_ERR=self.err, EGLVIEW_PID=self.pidfile,
                        EGLVIEW_STATUS=self.status)
        self.cage = self.spawn(
            ["cage", "-d", "--", "sh", "-c", script, "sh", self.a.viewer,
             "--backend", "wayland"] + list(args),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.window = wait_for("cage's X window", self._cage_window,
                               proc=self.cage)
        # No window manager: the output follows its window's size, and
        # the X input focus must be on it for the keys to reach cage.
        self.x(["windowsize", self.window, str(self.width),
                str(self.height)])
        self.x(["windowfocus", self.window])
        wait_for("the viewer's pid", lambda: os.path.exists(self.pidfile) and
                 open(self.pidfile).read().strip(), proc=self.cage)

    def _cage_window(self):
        out = subprocess.run(["xwininfo", "-root", "-children"],
                             env=self.xenv, capture_output=True,
                             text=True).stdout
        ids = [l.split()[0] for l in out.splitlines()
               if l.strip().startswith("0x")]
        return ids[0] if ids else None

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
        if self.cage.poll() is None:
            try:
                self.cage.wait(timeout=10)
            except subprocess.TimeoutExpired:
                print("FAIL cage went on after its client ended")
                return err, False
        return err, check("the viewer exited 0 on SIGTERM", rc == 0,
                          f"status {rc}")

    def records(self):
        return read_records(self.record)

    def screenshot(self, path):
        xwd = subprocess.run(["xwd", "-root", "-silent"], env=self.xenv,
                             capture_output=True, check=True, timeout=30)
        pnm = subprocess.run(["xwdtopnm"], input=xwd.stdout,
                             capture_output=True, check=True)
        png = subprocess.run(["pnmtopng"], input=pnm.stdout,
                             capture_output=True, check=True)
        with open(path, "wb") as f:
            f.write(png.stdout)

    def shot_until(self, name, ref, timeout=20.0):
        """Screenshots until one matches tests/golden/REF.png; the last
        one and its diff stay in the build folder."""
        path = os.path.join(self.a.out, name + ".png")
        ref = golden(self.a, ref)
        deadline = time.monotonic() + timeout
        while True:
            self.screenshot(path)
            same, msg = pictures_match(self.a, ref, path)
            if same:
                print(f"ok   {path} matches {ref}")
                return True
            if time.monotonic() > deadline:
                diff = os.path.join(self.a.out, name + "-diff.png")
                _, msg = pictures_match(self.a, ref, path, diff)
                print(f"FAIL {path} vs {ref}: {msg.strip()} (diff {diff})")
                return False
            time.sleep(0.1)

    def close(self):
        if self.pidfile and os.path.exists(self.pidfile):
            try:
                os.kill(self.viewer_pid(), signal.SIGTERM)
            except (ProcessLookupError, ValueError):
                pass
        stop_procs(self.procs)
        self.tmp.cleanup()


def case_still(a, size, zero_copy):
    c = Cage(a, size)
    try:
        c.start_viewer("--kiosk", "--stats", "--zero-copy", zero_copy,
                       "--demo", "--demo-option", "--fps", "--demo-option",
                       "0")
        ok = c.shot_until(f"cage-{size}-{zero_copy}", f"cage-{size}")
        err, stopped = c.stop_viewer()
        head = stats_of(err).get("head 1", "")
        if zero_copy == "off":
            ok &= check("the GL path, as asked", head.startswith(
                "GL (--zero-copy off)"), head)
        else:
            # cage 0.1.4 offers no wp_viewporter: the hand-off says why it
            # fell back; a cage with one hands the buffer over.
            ok &= check("zero-copy, or GL with the compositor's reason",
                        head.startswith("zero-copy") or
                        head.startswith("GL (the compositor offers no "),
                        head)
        return ok and stopped
    finally:
        c.close()


def case_reconnect(a):
    c = Cage(a, "320x240")
    try:
        # Started before its VM: "waiting for vm1".
        c.start_viewer("--kiosk", "vm1")
        ok = c.shot_until("cage-kiosk-waiting", "reconnect-waiting")
        shim = c.start_shim()
        ok &= c.shot_until("cage-kiosk-vm", "wayland-fit-320x240")
        # Gone: the waiting screen naming the VM from its HELLO.
        shim.send_signal(signal.SIGKILL)
        shim.wait()
        os.unlink(c.sock)
        ok &= c.shot_until("cage-kiosk-gone", "reconnect-gone")
        # Back: the same picture as before.
        c.start_shim()
        ok &= c.shot_until("cage-kiosk-back", "wayland-fit-320x240")
        _, stopped = c.stop_viewer()
        return ok and stopped
    finally:
        c.close()


def case_quit(a):
    c = Cage(a, "320x240")
    try:
        shim = c.start_shim()
        c.start_viewer("--kiosk", "--kiosk-quit", "on-disconnect", "vm1")
        ok = c.shot_until("cage-quit-vm", "wayland-fit-320x240")
        shim.send_signal(signal.SIGKILL)
        shim.wait()
        rc = c.viewer_status()
        ok &= check("--kiosk-quit on-disconnect: the VM went, exit 3",
                    rc == 3, f"status {rc}")
        return ok
    finally:
        c.close()


def case_keys_escape(a):
    c = Cage(a, "320x240")
    try:
        c.start_shim()
        c.start_viewer("--kiosk", "--kiosk-escape", "ctrl+alt+backspace",
                       "vm1")
        ok = c.shot_until("cage-keys-vm", "wayland-fit-320x240")
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


def case_grab(a):
    c = Cage(a, "640x480")
    try:
        c.start_shim("--mouse", "relative")
        c.start_viewer("--kiosk", "--mouse", "relative", "--stats", "vm1")
        ok = c.shot_until("cage-grab-vm", "demo-plain")
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


CASES = {
    "still-gl": lambda a: case_still(a, "1280x720", "off"),
    "still-zerocopy": lambda a: case_still(a, "1280x720", "on"),
    "portrait-gl": lambda a: case_still(a, "720x1280", "off"),
    "portrait-zerocopy": lambda a: case_still(a, "720x1280", "on"),
    "reconnect": case_reconnect,
    "quit": case_quit,
    "keys-escape": case_keys_escape,
    "grab": case_grab,
}


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
