# SPDX-License-Identifier: MIT
"""Starting, watching and stopping the programs a test runs.

Everything waits for a condition (a socket there, a line printed) with a
bounded timeout instead of sleeping a fixed time, so the tests hold on a
loaded machine.

`meson test --setup valgrind` runs the programs a driver starts under
tests/valgrind-run (never the Python interpreter): the drivers that
support it put WRAP in front of their commands and wait SLOW times longer.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time

SKIP = 77

WRAP = [os.environ["EGLVIEW_TEST_WRAPPER"]] if os.environ.get("EGLVIEW_TEST_WRAPPER") else []
SLOW = 10 if os.environ.get("EGLVIEW_UNDER_VALGRIND") else 1


def screen_test_args(cases=None):
    """The arguments of a test that runs the shim and the viewer and
    compares what shows with golden images: --shim, --viewer, --imgcmp,
    --golden (tests/golden), --out (where shots go, default .), and with
    cases (a dict) a positional CASE, one of its keys."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--imgcmp", required=True)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--out", default=".")
    if cases is not None:
        ap.add_argument("case", choices=sorted(cases))
    return ap.parse_args()


def need_tools(*tools):
    """Exits 77 (skipped) unless every tool is on PATH."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        print("skipped: missing " + ", ".join(missing) +
              " (scripts/install-deps installs them)")
        sys.exit(SKIP)


def wait_for(what, cond, timeout=20.0, proc=None):
    """Polls cond() until true; what names the condition for the error."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        value = cond()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: {proc.args[0]} exited "
                               f"{proc.returncode} while waiting")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting "
                               f"for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def wait_for_socket(path, proc, timeout=10.0 * SLOW, step=0.01):
    """True once path exists; False when proc exited first or the time
    is up (proc.poll() says which)."""
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if proc.poll() is not None or time.monotonic() > end:
            return False
        time.sleep(step)
    return True


def stop_procs(procs):
    """Terminates what still runs, newest first; kills what will not go."""
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def check(name, cond, detail=""):
    """Prints ok or FAIL for a named condition; returns it."""
    print(f"{'ok  ' if cond else 'FAIL'} {name}{': ' + detail if detail else ''}")
    return bool(cond)


def imgcmp(exe, reference, shot, tolerance=4, diff=None, capture=False,
           wrap=False):
    """Runs imgcmp (tests/lib/imgcmp.c): (whether shot matches reference
    within tolerance, its output when captured, else ""). The diff image
    goes to diff when given; wrap puts WRAP in front."""
    cmd = [exe, reference, shot, "--tolerance", str(tolerance)]
    if diff:
        cmd += ["--diff", diff]
    r = subprocess.run((WRAP if wrap else []) + cmd, capture_output=capture,
                       text=True)
    return r.returncode == 0, (r.stdout + r.stderr) if capture else ""


class Lines:
    """A process's output (stderr, or stdout), read line by line by a
    thread and waited on by pattern. lines and times (when each came)
    grow together; ended is set at the end of the stream. With echo each
    line is printed as it comes, prefixed with [name]."""

    def __init__(self, pipe, name="output", echo=False, timeout=10.0 * SLOW,
                 fail=None):
        self.name, self.echo, self.timeout = name, echo, timeout
        self.fail = fail or self._exit
        self.lines, self.times, self.ended = [], [], False
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(pipe,),
                                       daemon=True)
        self.thread.start()

    def _read(self, pipe):
        for raw in pipe:
            line = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
            line = line.rstrip("\r\n")
            if self.echo:
                print(f"[{self.name}] {line}", flush=True)
            with self.cond:
                self.lines.append(line)
                self.times.append(time.monotonic())
                self.cond.notify_all()
        with self.cond:
            self.ended = True
            self.cond.notify_all()

    def _exit(self, why):
        print("\n".join(self.lines))
        sys.exit(f"{os.path.basename(sys.argv[0])}: {why}")

    def mark(self):
        """The index the next line will have."""
        with self.cond:
            return len(self.lines)

    def count(self, pattern, start=0):
        rx = re.compile(pattern)
        with self.cond:
            return sum(1 for l in self.lines[start:] if rx.search(l))

    def wait_for(self, pattern, start=0, timeout=None):
        """The first match at index >= start: (index, match). Calls fail
        (by default: prints the lines and exits) when the stream ends or
        the time is up first."""
        timeout = self.timeout if timeout is None else timeout
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        with self.cond:
            i = start
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i])
                    if m:
                        return i, m
                    i += 1
                if self.ended:
                    self.fail(f"{self.name} ended before a line matching "
                              f"{pattern!r}")
                left = end - time.monotonic()
                if left <= 0:
                    self.fail(f"no line of {self.name} matching {pattern!r} "
                              f"within {timeout} s")
                self.cond.wait(left)


def copy_programs(a, attrs, folder):
    """Copies of the programs named by a's attributes attrs, side by side
    in folder/bin and open to all; the attributes then name the copies.
    For tests that run them as another user: a checkout under a 0700
    folder (/root, a mktemp -d) is hidden from that user, and the viewer
    finds its shim beside /proc/self/exe."""
    bindir = os.path.join(folder, "bin")
    os.mkdir(bindir, 0o755)
    for attr in attrs:
        copy = os.path.join(bindir, os.path.basename(getattr(a, attr)))
        shutil.copy2(getattr(a, attr), copy)
        os.chmod(copy, 0o755)
        setattr(a, attr, copy)
