#!/usr/bin/env python3
"""The display paths side by side (a benchmark: it prints, asserts nothing).

One guest, the project's test guest (tests/guest) in a 1024x768 Bochs VBE
mode, paced by its PIT at 60 frames/s in three animated modes:
  square  a 200x200 square going left and right (200 changed lines a frame)
  fill    the whole screen a new colour each frame
  scroll  a texture scrolling up the whole screen
  blink   the still picture and a text cursor (8x16) blinking at 2 Hz
  still   the still picture: nothing changes (every path should cost ~0)
Each mode is shown, one path at a time, for --seconds (after --warmup) by:
  none            QEMU -display none: the guest alone, the baseline
  gtk, sdl        QEMU's own -display gtk / -display sdl on a private Xvfb
  floor           QEMU -display dbus on a private dbus-daemon and
                  tests/qemu/null-listener, which receives every Update and
                  drops it: what any D-Bus display client cannot go below
  ours-sdl        -display dbus -> eglview-shim --source qemu ->
                  qemu-eglview --backend sdl on Xvfb (SDL_VIDEO_X11_FORCE_EGL)
  ours-offscreen  the same, qemu-eglview --backend offscreen
  ours-wayland    the same, qemu-eglview --backend wayland on weston
                  headless (pixman renderer)

Figures, per path and mode:
  CPU-s/s   host CPU seconds per second of every process on the display
            path (QEMU, Xvfb, weston and its children, dbus-daemon,
            null-listener, eglview-shim, qemu-eglview: utime + stime from
            /proc, all threads) over the window, minus QEMU's own with
            -display none over a window as long, in the same run.
  (x floor) that figure over the floor's, same mode and run.
  fps       frames shown per second. X paths (gtk, sdl, ours-sdl): distinct
            values of the frame counter the guest draws, read off the X
            screen (tests/perf/x11-probe, XGetImage of the root window every
            4 ms). floor: Updates received by null-listener per second of
            its life. ours-offscreen, ours-wayland: UPDATEs the viewer
            answered in the window (its SIGUSR1 counters); it presents one frame per UPDATE
            (its --stats frames= equals updates=).
The guest's own rate is checked too ("FRAMES 60" lines on -debugcon); a
measurement where it drew under 55 frames/s is flagged with '!'.

Key -> changed pixels latency, once after the runs (the guest's latency
mode: a still picture, each key press repaints a 128x128 square in the
middle at once), 'a' pressed --keys times, 150..300 ms apart:
  gtk, sdl, ours-sdl  x11-probe keys: XTest key press into the focused
            window; the clock stops when a 16x16 patch in the middle of the
            window, read from the screen every 1 ms, has changed.
  floor     tests/perf/floor-key-probe: Keyboard.Press over D-Bus; the
            clock stops at the first Update covering the middle.
  ours-offscreen, ours-wayland: n/a (no seat to type into).
So the X paths include X's input and the drawing up to the screen; the
floor includes neither (a D-Bus client's key goes in over D-Bus).

By hand, from the source tree after `ninja -C build`:
  python3 tests/perf/bench.py --build build            # ~11 min
  python3 tests/perf/bench.py --seconds 4 --runs 1     # a quick look
  python3 tests/perf/bench.py --modes fill --paths floor,ours-offscreen
Through meson: meson test -C build --benchmark --suite perf
"""
import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

MODES = ("square", "fill", "scroll", "blink", "still")
# Modes that draw the frame counter the X probe counts.
COUNTED_MODES = ("square", "fill", "scroll")
PATHS = ("gtk", "sdl", "floor", "ours-sdl", "ours-offscreen", "ours-wayland")
LATENCY_PATHS = ("gtk", "sdl", "floor", "ours-sdl")
X_PATHS = ("gtk", "sdl", "ours-sdl")
GUEST_FPS_LOW = 55
CLK_TCK = os.sysconf("SC_CLK_TCK")


class NotHere(Exception):
    """A path that cannot run here; its text is the table's "n/a (why)"."""


def cpu_by_pid():
    """utime + stime (s) and the parent of every process now."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        out[int(name)] = (int(fields[1]),
                          (int(fields[11]) + int(fields[12])) / CLK_TCK)
    return out


def threads_cpu_ns(pid):
    """CPU nanoseconds of every thread of pid (schedstat: finer than the
    ticks /proc/PID/stat counts in)."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
    except OSError:
        pass
    return total


def tree_cpu(roots):
    """CPU seconds of the processes roots and everything under them."""
    table = cpu_by_pid()
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo, seen = 0.0, list(roots), set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        total += table[pid][1]
        todo += children.get(pid, [])
    return total


class Lines:
    """A process's output, line by line with the time each came, read by a
    thread so nothing blocks on a full pipe."""

    def __init__(self, stream, name):
        self.name = name
        self.lines = []  # (monotonic time, text)
        self.cond = threading.Condition()
        self.closed = False
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for raw in stream:
            with self.cond:
                self.lines.append((time.monotonic(),
                                   raw.decode(errors="replace").rstrip("\n")))
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait_for(self, pattern, timeout, start=0):
        """The first match of pattern from line start on, within timeout."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i][1])
                    if m:
                        return m
                    i += 1
                left = deadline - time.monotonic()
                if self.closed or left <= 0:
                    tail = " | ".join(t for _, t in self.lines[-3:])
                    raise NotHere(f"{self.name}: no '{pattern}' in "
                                  f"{timeout:.0f} s" +
                                  (f" ({tail})" if tail else ""))
                self.cond.wait(left)

    def matches(self, pattern, t0=None, t1=None):
        rx = re.compile(pattern)
        with self.cond:
            lines = list(self.lines)
        out = []
        for t, text in lines:
            m = rx.search(text)
            if m and (t0 is None or t0 <= t <= t1):
                out.append((t, m))
        return out

    def text(self):
        with self.cond:
            return "\n".join(t for _, t in self.lines)


class Session:
    """The processes of one measurement, in a private directory; every
    one started is stopped at the end, newest first."""

    def __init__(self, a):
        self.a = a
        self.tmp = tempfile.TemporaryDirectory(prefix="eglview-perf-")
        self.dir = self.tmp.name
        os.chmod(self.dir, 0o700)
        self.procs = []
        self.counted = []  # pids whose CPU is the path's
        self.names = {}    # pid -> what it is, for --detail
        self.env = dict(os.environ, EGL_LOG_LEVEL="fatal", NO_AT_BRIDGE="1")
        for var in ("DISPLAY", "WAYLAND_DISPLAY"):
            self.env.pop(var, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.tmp.cleanup()

    def spawn(self, name, cmd, env=None, counted=True, lines=True,
              stdout=True):
        """Starts cmd; its stdout (or stderr when stdout is False) is read
        into Lines, the other stream goes to a log file."""
        log = open(os.path.join(self.dir, name + ".log"), "wb")
        pipe = subprocess.PIPE if lines else subprocess.DEVNULL
        try:
            p = subprocess.Popen(cmd, env=env or self.env, cwd=self.dir,
                                 stdin=subprocess.DEVNULL,
                                 stdout=pipe if stdout else log,
                                 stderr=log if stdout else pipe)
        except OSError as e:
            raise NotHere(f"cannot start {cmd[0]}: {e.strerror}")
        finally:
            log.close()
        self.procs.append(p)
        if counted:
            self.counted.append(p.pid)
            self.names[p.pid] = name
        if not lines:
            return p, None
        return p, Lines(p.stdout if stdout else p.stderr, name)

    def log_tail(self, name):
        try:
            with open(os.path.join(self.dir, name + ".log"), "rb") as f:
                text = f.read().decode(errors="replace").strip()
        except OSError:
            return ""
        return text.splitlines()[-1] if text else ""

    def xvfb(self):
        if shutil.which("Xvfb") is None:
            raise NotHere("no Xvfb: scripts/install-deps")
        r, w = os.pipe()
        p = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0",
                              "1600x1200x24", "-nolisten", "tcp", "-noreset"],
                             pass_fds=(w,), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        os.close(w)
        self.procs.append(p)
        self.counted.append(p.pid)
        self.names[p.pid] = "Xvfb"
        with os.fdopen(r, "rb") as f:
            number = f.readline().decode().strip()
        if not number:
            raise NotHere("Xvfb did not start")
        self.env["DISPLAY"] = ":" + number

    def weston(self):
        if shutil.which("weston") is None:
            raise NotHere("no weston: scripts/install-deps")
        ini = os.path.join(self.dir, "weston.ini")
        with open(ini, "w") as f:
            f.write("[shell]\nanimation=none\nclose-animation=none\n"
                    "startup-animation=none\nfocus-animation=none\n"
                    "[core]\nidle-time=0\n")
        env = dict(self.env, XDG_RUNTIME_DIR=self.dir)
        self.spawn("weston", ["weston", "--backend=headless-backend.so",
                              "--use-pixman", "--width=1280", "--height=1024",
                              "--socket=perf-wl", "--idle-time=0",
                              f"--config={ini}"], env=env, lines=False)
        sock = os.path.join(self.dir, "perf-wl")
        deadline = time.monotonic() + 15
        while not os.path.exists(sock):
            if time.monotonic() > deadline or self.procs[-1].poll() is not None:
                raise NotHere("weston headless did not start: " +
                              self.log_tail("weston"))
            time.sleep(0.02)
        self.env.update(XDG_RUNTIME_DIR=self.dir, WAYLAND_DISPLAY="perf-wl")

    def bus(self):
        if shutil.which("dbus-daemon") is None:
            raise NotHere("no dbus-daemon: scripts/install-deps")
        _, out = self.spawn("dbus", ["dbus-daemon", "--session", "--nofork",
                                     "--print-address=1", "--address=unix:path="
                                     + os.path.join(self.dir, "bus")])
        self.address = out.wait_for(r"^unix:\S+", 10).group(0)
        return self.address

    def qemu(self, display, append, ready):
        """QEMU with the test guest; returns its -debugcon lines once the
        guest said ready."""
        if shutil.which("qemu-system-x86_64") is None:
            raise NotHere("no qemu-system-x86_64: scripts/install-deps")
        cmd = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg",
               "-m", "64", "-nodefaults", "-no-user-config", "-vga", "std",
               "-kernel", self.a.guest, "-append", append,
               "-debugcon", "stdio", "-display", display]
        p, out = self.spawn("qemu", cmd)
        try:
            out.wait_for(ready, 30)
        except NotHere:
            why = self.log_tail("qemu")
            raise NotHere(f"QEMU -display {display.split(',')[0]}: "
                          f"{why or 'the guest did not start'}")
        self.qemu_proc = p
        return out

    def qemu_dbus(self, append, ready):
        # QEMU's option parser reads ",," as one comma.
        return self.qemu("dbus,addr=" + self.address.replace(",", ",,"),
                         append, ready)

    def shim_and_viewer(self, backend):
        sock = os.path.join(self.dir, "vm.sock")
        shim, _ = self.spawn("shim", [self.a.shim, "--source", "qemu",
                                      "--dbus-address", self.address, sock],
                             lines=False)
        deadline = time.monotonic() + 15
        while not os.path.exists(sock):
            if time.monotonic() > deadline or shim.poll() is not None:
                raise NotHere("eglview-shim did not serve: " +
                              self.log_tail("shim"))
            time.sleep(0.02)
        env = dict(self.env)
        if backend == "sdl":
            env["SDL_VIDEO_X11_FORCE_EGL"] = "1"
        # No -v: the viewer's lines would cost it CPU; SIGUSR1 prints its
        # counters (updates=) whenever asked.
        p, out = self.spawn("viewer", [self.a.viewer, "--backend", backend,
                                       sock], env=env, stdout=False)
        self.viewer_proc = p
        deadline = time.monotonic() + 20
        time.sleep(0.5)  # SIGUSR1 before the viewer blocks it would end it
        while self.viewer_updates(out) == 0:
            if time.monotonic() > deadline or p.poll() is not None:
                raise NotHere("the viewer showed no frame: " +
                              self.log_tail("viewer"))
            time.sleep(0.2)
        return out

    def viewer_updates(self, out):
        """The UPDATEs the viewer answered so far (its SIGUSR1 stats)."""
        start = len(out.lines)
        self.viewer_proc.send_signal(signal.SIGUSR1)
        m = out.wait_for(r"stats: frames=\d+ .* updates=(\d+)", 10, start=start)
        return int(m.group(1))

    def x11_probe(self, *args):
        if not self.a.x11_probe:
            raise NotHere("built without libx11/libxtst")
        return self.spawn("x11-probe", [self.a.x11_probe] + list(args),
                          counted=False)[1]


def measure(a, path, mode):
    """One path showing one mode: (CPU-s/s, frames shown/s or None, the
    guest's own frames/s)."""
    with Session(a) as s:
        append, ready = "anim=" + mode, r"^ANIM "
        probe = viewer = null = None
        if path in X_PATHS:
            s.xvfb()
        if path == "ours-wayland":
            s.weston()
        if path in ("gtk", "sdl"):
            if path == "gtk":
                s.env["GDK_BACKEND"] = "x11"
            guest = s.qemu(path, append, ready)
        elif path == "none":
            guest = s.qemu("none", append, ready)
        else:
            s.bus()
            guest = s.qemu_dbus(append, ready)
        life = int(a.warmup + a.seconds + 1.999)  # null-listener's, whole s
        if path == "floor":
            _, null = s.spawn("null-listener", [a.null_listener, s.address,
                                                str(life)])
        elif path.startswith("ours-"):
            viewer = s.shim_and_viewer(path[len("ours-"):])
        if path in X_PATHS and mode in COUNTED_MODES:
            probe = s.x11_probe("frames")
            probe.wait_for(r"^mark ", 40)
        time.sleep(a.warmup)
        for p in s.procs:
            if p.poll() is not None:
                raise NotHere(f"{p.args[0]} exited {p.returncode} early")
        u0 = s.viewer_updates(viewer) if viewer and not probe else None
        v0 = threads_cpu_ns(s.viewer_proc.pid) if viewer else 0
        t0, c0 = time.monotonic(), tree_cpu(s.counted)
        each0 = {pid: tree_cpu([pid]) for pid in s.counted}
        time.sleep(a.seconds)
        t1, c1 = time.monotonic(), tree_cpu(s.counted)
        each1 = {pid: tree_cpu([pid]) for pid in s.counted}
        cpu = (c1 - c0) / (t1 - t0)
        detail = {s.names.get(pid, str(pid)):
                  (each1[pid] - each0[pid]) / (t1 - t0) for pid in s.counted}
        fps = None
        if probe:
            fps = len([1 for _, m in probe.matches(r"^frame (\d+)")
                       if t0 <= int(m.group(1)) / 1e9 <= t1]) / (t1 - t0)
        elif viewer:
            fps = (s.viewer_updates(viewer) - u0) / (t1 - t0)
        elif null:
            m = null.wait_for(r"calls=(\d+)", life + 20)
            fps = int(m.group(1)) / life
        ticks = [t for t, _ in guest.matches(r"^FRAMES 60", t0, t1)]
        guest_fps = (60 * (len(ticks) - 1) / (ticks[-1] - ticks[0])
                     if len(ticks) > 1 else None)
        if a.detail:
            print(f"  detail {path} {mode}: " + " ".join(
                f"{k}={v:.3f}" for k, v in sorted(detail.items())))
        # The viewer's own CPU per frame it showed (ours-*, where the
        # frames are the viewer's UPDATEs): a blink against a full frame.
        if viewer and not probe:
            v_cpu = (threads_cpu_ns(s.viewer_proc.pid) - v0) / 1e9
            ups = s.viewer_updates(viewer) - u0
            s.per_update = v_cpu / ups if ups > 0 else None
        return cpu, fps, guest_fps, getattr(s, "per_update", None)


def latency(a, path):
    """Key -> changed pixels, ms, for --keys presses; and timeouts."""
    with Session(a) as s:
        append, ready = "latency", r"^READY"
        if path in X_PATHS:
            s.xvfb()
        if path in ("gtk", "sdl"):
            if path == "gtk":
                s.env["GDK_BACKEND"] = "x11"
            guest = s.qemu(path, append, ready)
        else:
            s.bus()
            guest = s.qemu_dbus(append, ready)
        if path == "floor":
            _, out = s.spawn("floor-key-probe", [a.floor_probe, s.address,
                                                 str(a.keys)], counted=False)
        else:
            if path == "ours-sdl":
                s.shim_and_viewer("sdl")
            out = s.x11_probe("keys", str(a.keys))
        out.wait_for(r"^done", 40 + a.keys * 2.5)
        ms = [float(m.group(1)) for _, m in out.matches(r"^key ([\d.]+)")]
        timeouts = len(out.matches(r"^key timeout"))
        seen = len(guest.matches(r"^KEY "))
        if seen != a.keys:
            raise NotHere(f"the guest saw {seen} of {a.keys} keys")
        return ms, timeouts


def cell(result, floor, base):
    if isinstance(result, NotHere):
        return f"n/a ({result})"
    cpu, fps, guest_fps = result[:3]
    text = f"{cpu - base:5.2f}"
    if floor is not None and not isinstance(floor, NotHere) and \
            floor[0] - base > 0.005:
        text += f" (x{(cpu - base) / (floor[0] - base):.1f})"
    text += f" {fps:5.1f}/s" if fps is not None else "   -"
    if guest_fps is not None and guest_fps < GUEST_FPS_LOW:
        text += f" !guest {guest_fps:.0f}/s"
    return text


def print_table(results, a, run):
    print(f"\nrun {run} of {a.runs}: CPU-s/s over -display none (x floor) "
          f"and frames shown/s; {a.seconds:g} s a cell after {a.warmup:g} s")
    rows = [["path"] + list(a.modes)]
    base = {m: results[("none", m)] for m in a.modes}
    rows.append(["-display none"] + [
        f"n/a ({base[m]})" if isinstance(base[m], NotHere) else
        f"{base[m][0]:5.2f} (QEMU alone, subtracted)" for m in a.modes])
    for path in a.paths:
        row = [path]
        for m in a.modes:
            if isinstance(base[m], NotHere):
                row.append("n/a (no baseline)")
                continue
            row.append(cell(results[(path, m)], results.get(("floor", m)),
                            base[m][0]))
        rows.append(row)
    print_rows(rows)
    guest = [r[2] for r in results.values()
             if not isinstance(r, NotHere) and r[2] is not None]
    if guest:
        print(f"the guest drew {min(guest):.1f}..{max(guest):.1f} frames/s "
              f"in these cells (60 asked)")


def print_per_update(results, a):
    """The viewer's CPU per UPDATE it answered, for the paths where the
    viewer's frames are counted that way: a small change (the blink)
    should cost a small part of a frame that changes everything."""
    paths = [p for p in a.paths if p in ("ours-offscreen", "ours-wayland")]
    if not paths or "fill" not in a.modes:
        return
    print("\nthe viewer's CPU per frame shown (ms), and a blink's share of "
          "a full-screen change's")
    rows = [["path"] + list(a.modes) + ["blink / fill"]]
    for path in paths:
        row = [path]
        for m in a.modes:
            r = results.get((path, m))
            ok = r is not None and not isinstance(r, NotHere) and r[3]
            row.append(f"{r[3] * 1000:.3f}" if ok else "-")
        blink, fill = results.get((path, "blink")), results.get((path, "fill"))
        if (blink and fill and not isinstance(blink, NotHere) and
                not isinstance(fill, NotHere) and blink[3] and fill[3]):
            row.append(f"1/{fill[3] / blink[3]:.0f}")
        else:
            row.append("-")
        rows.append(row)
    print_rows(rows)


def print_latency(lat, a):
    print(f"\nkey -> changed pixels, ms ({a.keys} presses each, "
          f"the guest's latency mode)")
    rows = [["path", "median", "p90", "min", "max", "note"]]
    for path in a.paths:
        r = lat.get(path)
        if path not in LATENCY_PATHS:
            rows.append([path, "n/a (no seat to type into)", "", "", "", ""])
        elif isinstance(r, NotHere):
            rows.append([path, f"n/a ({r})", "", "", "", ""])
        elif not r[0]:
            rows.append([path, "n/a (no key answered in 2 s)", "", "", "", ""])
        else:
            ms, timeouts = r
            ms = sorted(ms)
            p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
            rows.append([path, f"{statistics.median(ms):.1f}", f"{p90:.1f}",
                         f"{ms[0]:.1f}", f"{ms[-1]:.1f}",
                         f"{timeouts} timed out" if timeouts else ""])
    print_rows(rows)


def print_rows(rows):
    widths = [max(len(r[i]) for r in rows if i < len(r))
              for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def guarded(fn, *args):
    try:
        return fn(*args)
    except NotHere as e:
        return e
    except (OSError, RuntimeError, subprocess.SubprocessError) as e:
        return NotHere(f"{type(e).__name__}: {e}")


def words(text, allowed, what):
    out = [w for w in text.split(",") if w]
    bad = [w for w in out if w not in allowed]
    if bad:
        sys.exit(f"bench: unknown {what} {', '.join(bad)}; "
                 f"choose from {','.join(allowed)}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    ap.add_argument("--build", default=os.path.join(root, "build"),
                    help="the meson build directory the programs are taken "
                    "from (default: build/ in the source tree)")
    ap.add_argument("--seconds", type=float, default=12)
    ap.add_argument("--warmup", type=float, default=1.5)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--keys", type=int, default=30,
                    help="key presses per latency path (0: no latency)")
    ap.add_argument("--detail", action="store_true",
                    help="also print each process's CPU-s/s per cell")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--paths", default=",".join(PATHS))
    for opt, rel in (("shim", "server-shim/eglview-shim"),
                     ("viewer", "viewer/qemu-eglview"),
                     ("guest", "tests/guest/eglview-test-guest.elf"),
                     ("null-listener", "tests/qemu/null-listener"),
                     ("floor-probe", "tests/perf/floor-key-probe"),
                     ("x11-probe", "tests/perf/x11-probe")):
        ap.add_argument("--" + opt, default=None, help=f"default: BUILD/{rel}")
    a = ap.parse_args()
    a.modes = words(a.modes, MODES, "mode")
    a.paths = words(a.paths, PATHS, "path")
    for opt, rel in (("shim", "server-shim/eglview-shim"),
                     ("viewer", "viewer/qemu-eglview"),
                     ("guest", "tests/guest/eglview-test-guest.elf"),
                     ("null_listener", "tests/qemu/null-listener"),
                     ("floor_probe", "tests/perf/floor-key-probe"),
                     ("x11_probe", "tests/perf/x11-probe")):
        if getattr(a, opt) is None:
            path = os.path.join(a.build, rel)
            if opt != "x11_probe" and not os.path.exists(path):
                sys.exit(f"bench: {path} is not there: build first "
                         f"(ninja -C {a.build}) or pass --{opt.replace('_', '-')}")
            setattr(a, opt, path if os.path.exists(path) else None)
        if getattr(a, opt) is not None:
            # Each process runs in its own directory (meson gives relative paths).
            setattr(a, opt, os.path.abspath(getattr(a, opt)))
    if shutil.which("qemu-system-x86_64") is None:
        print("skipped: no qemu-system-x86_64 (scripts/install-deps)")
        sys.exit(77)

    print(f"display paths, test guest 1024x768 at 60 frames/s; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f} at the start",
          flush=True)
    start = time.monotonic()
    for run in range(1, a.runs + 1):
        results = {}
        for mode in a.modes:
            for path in ("none",) + tuple(a.paths):
                results[(path, mode)] = guarded(measure, a, path, mode)
                print(f"  run {run} {mode:6} {path:14} "
                      f"{cell(results[(path, mode)], None, 0)}", flush=True)
        print_table(results, a, run)
        print_per_update(results, a)
        print(f"load {os.getloadavg()[0]:.2f} after run {run}", flush=True)
    if a.keys > 0:
        lat = {p: guarded(latency, a, p) for p in a.paths
               if p in LATENCY_PATHS}
        print_latency(lat, a)
    print(f"load {os.getloadavg()[0]:.2f} at the end; "
          f"{(time.monotonic() - start) / 60:.1f} min in all")


if __name__ == "__main__":
    main()
