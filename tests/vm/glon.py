#!/usr/bin/env python3
"""QEMU with -display dbus,gl=on for real, inside the test VM (suite
'glon'; vm / glon-suite-in-vm boots the VM and runs it there).

Debian 12's QEMU 7.2 renders the guest's display into a GL texture on
/dev/dri/card0 (vgem, kms_swrast) and hands it to the listener as a
dma-buf (ScanoutDMABUF/UpdateDMABUF). QEMU, eglview-shim --source qemu
and qemu-eglview --backend offscreen all run under the VM's Mesa 25 (its
env file, EGLVIEW_VM_MESA25_ENV: Mesa 22.3 cannot export QEMU's texture).
Everything is tests/qemu's scenarios (e2e.py, mode_switch.py) with
gl=on added, and on top, for every viewer: BUFFER_DMABUF came, its
--stats line says bytes_uploaded=0 and imports_mmap=0 (no mmap
fallback), and imports_dmabuf is one per buffer (not per ScanoutDMABUF).

Cases:
  guest-keys    the test guest and the keys it echoes = qemu-guest-keys.png
                (the gl=off golden); the shim's count of ScanoutDMABUF
                calls beside the buffers it made of them
  p2p           the same over QEMU's peer-to-peer connection (QMP)
  seabios-menu  SeaBIOS's text screen through the dma-buf, compared as
                tests/qemu's qemu-seabios-menu (version row left out)
  restart       QEMU SIGKILLed and started again under gl=on: the viewer
                that stayed and a new one show the new QEMU's picture
  two-consoles  -device secondary-vga: each console's texture is a
                dma-buf of its own, both heads = qemu-two-consoles.png
                (the gl=off golden), two imports
  mode-switch   720x400 text -> 1024x768: a new dma-buf (the shim says so,
                the viewer that followed imported two) and both goldens
  paced         guest anim=fill (a new frame every 1/60 s); a viewer that
                takes PACED_DELAY_MS per frame (slow-viewer.c) joined
                before QEMU started: QEMU's UpdateDMABUF calls (the shim's
                count) may exceed the viewer's UPDATEs only by the few
                around its start and end, so QEMU was slowed, not
                queued; then a viewer that dies mid-frame beside a steady
                one: QEMU logs "Failed to call update: Timeout" at most
                once and the steady one goes on getting frames

Outside the VM every case exits 77 with the reason (tests/expected-skips).
"""
import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "qemu"))
import e2e  # noqa: E402
import mode_switch  # noqa: E402
from eglview_test.procs import Lines  # noqa: E402
from eglview_test.vm import load_mesa25  # noqa: E402

GL_DISPLAY = ",gl=on,rendernode=/dev/dri/card0"
# TCG inside TCG, QEMU and llvmpipe in the same 2 vCPUs: a frame takes
# 0.2 s and more, so the scenarios wait longer than on the host.
e2e.TIMEOUT_S = 120.0
e2e.QUIET_S = 2.0
PACED_DELAY_MS = 500
PACED_UPDATES = 20
# QEMU 7.2's refresh is 30 ms: no more than this many calls a second.
QEMU_MAX_RATE = 34
STEADY_AFTER_DEATH = 10
QEMU_TIMEOUT = r"Failed to call update.*Timeout"

CASES = ["guest-keys", "p2p", "seabios-menu", "restart", "mode-switch",
         "paced", "two-consoles"]


def skip_reason():
    if os.environ.get("EGLVIEW_IN_VM") != "1":
        return "only inside the test VM (tests/vm/vm-run; " \
            "vm / glon-suite-in-vm runs this suite there)"
    env = os.environ.get("EGLVIEW_VM_MESA25_ENV", "")
    if not os.path.isfile(env):
        return "no Mesa 25 in the test VM (EGLVIEW_VM_MESA25_ENV unset or " \
            "missing)"
    if not os.path.exists("/dev/dri/card0"):
        return "no /dev/dri/card0 in the VM"
    return e2e.skip_reason()


class GlRun(mode_switch.ModeRun):
    """tests/qemu's runs with gl=on, --stats on every viewer, and the
    viewers' outputs kept for the dma-buf checks."""

    def __init__(self, a, tmp, append=None):
        super().__init__(a, tmp, append=append, display_extra=GL_DISPLAY,
                         viewer_extra=["--stats"])
        self.viewers = []
        self.qemus = []

    def start_viewer(self, shot, script=None):
        p, out = super().start_viewer(shot, script)
        self.viewers.append(out)
        return p, out

    def start_shim(self, p2p):
        self.shim = super().start_shim(p2p)
        return self.shim

    def start_qemu(self, p2p, seabios, extra=()):
        p, out = super().start_qemu(p2p, seabios, extra)
        self.qemus.append(out)
        return p, out

    def check_dmabuf(self, imports, exact=True):
        """Each viewer (in start order) got dma-bufs only, uploaded
        nothing, imported one per BUFFER_DMABUF (never one per
        ScanoutDMABUF), and that imports[i] of them (at least, when not
        exact)."""
        if len(imports) != len(self.viewers):
            e2e.fail(f"{len(self.viewers)} viewers ran, "
                     f"{len(imports)} expected")
        for n, (out, want) in enumerate(zip(self.viewers, imports), 1):
            _, m = out.wait_for(r"stats: frames=(\d+) bytes_uploaded=(\d+) "
                                r".*imports_shm=(\d+) imports_dmabuf=(\d+) "
                                r".*imports_mmap=(\d+)")
            frames, uploaded, shm, dmabuf, mmap = map(int, m.groups())
            got = out.count(r"<- BUFFER_DMABUF")
            print(f"glon: viewer {n}: {frames} frames, {got} BUFFER_DMABUF, "
                  f"imports_dmabuf={dmabuf} bytes_uploaded={uploaded} "
                  f"imports_shm={shm} imports_mmap={mmap}")
            if got == 0:
                e2e.fail(f"viewer {n} got no BUFFER_DMABUF")
            if uploaded != 0 or shm != 0 or mmap != 0:
                e2e.fail(f"viewer {n} uploaded or mapped pixels: "
                         f"bytes_uploaded={uploaded} imports_shm={shm} "
                         f"imports_mmap={mmap}")
            if dmabuf != got or (got != want if exact else got < want):
                e2e.fail(f"viewer {n} imported {dmabuf} dma-bufs from {got} "
                         f"BUFFER_DMABUF; {want} buffers were shown")

    def qemu_timeouts(self):
        return sum(q.count(QEMU_TIMEOUT) for q in self.qemus)


def stop_shim(shim, sout, qemu=None):
    """SIGTERM: the shim's counts of the attachment (its last lines)."""
    mark = e2e.stop_shim(shim, sout, qemu)
    sout.wait_for(r"ScanoutDMABUF, \d+ of them new", mark)
    _, m = sout.wait_for(r"console 0: (\d+) updates received", mark)
    _, s = sout.wait_for(r"console 0: (\d+) ScanoutDMABUF, (\d+) of them new",
                         mark)
    return int(m.group(1)), int(s.group(1)), int(s.group(2))


def guest_keys(run, a, p2p):
    shim, sout, qemu = e2e.guest_keys(run, a, p2p)
    run.check_dmabuf([1])
    updates, scanouts, new = stop_shim(shim, sout, qemu)
    print(f"glon: the shim had {updates} UpdateDMABUF and {scanouts} "
          f"ScanoutDMABUF calls, {new} of them new buffers")
    # A texture per mode QEMU went through: SeaBIOS's 640x480 and
    # 720x400, then the guest's 1024x768.
    if new > 3 or new == 0:
        e2e.fail(f"{new} buffers made of {scanouts} ScanoutDMABUF "
                 "(one a texture expected: 3 at most)")


def paced(run, a):
    slow = a.slow_viewer
    run.start_bus()
    # The shim and the slow viewer first: every UpdateDMABUF QEMU makes
    # finds the viewer there.
    cmd = [a.shim, "--source", "qemu", "--verbose", "--dbus-address",
           run.bus, os.path.join(run.tmp, "vm.sock")]
    shim, sout = run.spawn("shim", cmd)
    sock = os.path.join(run.tmp, "vm.sock")
    e2e_wait_socket(sock, shim)
    sv, svout = spawn_slow(run, "slow", [slow, sock, str(PACED_DELAY_MS)])
    svout.wait_for(r"^joined$")
    qemu, qout = run.start_qemu(p2p=False, seabios=False)
    sout.wait_for(r"attached to VM")
    svout.wait_for(rf"^UPDATE {PACED_UPDATES}$")
    t_last = time.monotonic()
    qemu.kill()
    qemu.wait()
    t_post = time.monotonic() - t_last
    got = svout.count(r"^UPDATE ")
    updates, scanouts, new = stop_shim(shim, sout)
    # Around each ScanoutDMABUF (the guest's three modes while it boots)
    # QEMU's updates of a surface no viewer has been shown yet are
    # answered at once: a few a scanout (CI once saw 30 calls for 20
    # UPDATEs). Unpaced, the same run makes about 160.
    limit = got + 2 + 4 * scanouts + math.ceil(QEMU_MAX_RATE * t_post)
    timeouts = run.qemu_timeouts()
    print(f"glon: paced: QEMU made {updates} UpdateDMABUF calls while a "
          f"viewer taking {PACED_DELAY_MS} ms a frame got {got} UPDATEs "
          f"(limit {limit}); QEMU logged {timeouts} update timeouts")
    if updates > limit:
        e2e.fail(f"QEMU made {updates} UpdateDMABUF calls, more than the "
                 f"{limit} a viewer taking {PACED_DELAY_MS} ms a frame lets "
                 "through: the shim answered before FRAME_DONE")
    sv.wait(timeout=30)

    # A viewer dying mid-frame beside a steady one.
    cmd = [a.shim, "--source", "qemu", "--verbose", "--dbus-address",
           run.bus, sock]
    os.unlink(sock) if os.path.exists(sock) else None
    shim, sout = run.spawn("shim2", cmd)
    e2e_wait_socket(sock, shim)
    steady, stout = spawn_slow(run, "steady", [slow, sock, "50"])
    stout.wait_for(r"^joined$")
    dying, dout = spawn_slow(run, "dying", [slow, sock, "50", "5"])
    dout.wait_for(r"^joined$")
    qemu, qout = run.start_qemu(p2p=False, seabios=False)
    dout.wait_for(r"^DYING$")
    dying.wait(timeout=30)
    t_death = time.monotonic()
    qmark = qout.mark()
    i, _ = stout.wait_for(r"^UPDATE ", stout.mark())
    gap = stout.times[i] - t_death
    n0 = int(stout.lines[i].split()[1])
    stout.wait_for(rf"^UPDATE {n0 + STEADY_AFTER_DEATH}$", i)
    after = qout.count(QEMU_TIMEOUT, qmark)
    print(f"glon: paced: after the dying viewer went, the steady one's next "
          f"UPDATE came {gap:.2f} s later, then {STEADY_AFTER_DEATH} more; "
          f"QEMU logged {after} update timeouts since")
    if after > 1:
        e2e.fail(f"QEMU timed out {after} times waiting for UpdateDMABUF "
                 "after a viewer died mid-frame (once at most)")


def e2e_wait_socket(path, proc):
    end = time.monotonic() + e2e.TIMEOUT_S
    while not os.path.exists(path):
        if proc.poll() is not None or time.monotonic() > end:
            e2e.fail(f"no shim socket at {path}")
        time.sleep(0.05)


def spawn_slow(run, name, cmd):
    print(f"glon: {name}: {' '.join(cmd)}", flush=True)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    run.procs.append(p)
    out = Lines(p.stdout, name, False, e2e.TIMEOUT_S, e2e.fail)
    return p, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", required=True, choices=CASES)
    for opt in ("shim", "viewer", "imgcmp", "guest", "golden-dir", "out-dir",
                "slow-viewer"):
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--tolerance", type=int, required=True)
    a = ap.parse_args()
    why = skip_reason()
    if why:
        print(f"glon: skipped: {why}")
        sys.exit(77)
    load_mesa25()
    a.scenario = "glon-" + a.case
    os.makedirs(a.out_dir, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="eglview-glon-") as tmp:
        append = {"mode-switch": "text", "paced": "anim=fill"}.get(a.case)
        run = GlRun(a, tmp, append)
        try:
            if a.case in ("guest-keys", "p2p"):
                guest_keys(run, a, a.case == "p2p")
            elif a.case == "two-consoles":
                e2e.two_consoles(run, a)
                run.check_dmabuf([2])
            elif a.case == "seabios-menu":
                e2e.seabios_menu(run, a)
                run.check_dmabuf([1])
            elif a.case == "restart":
                e2e.restart(run, a, False)
                # The one that stayed: the old QEMU's buffer, then the
                # new one's (its text screen too, when the shim saw it).
                run.check_dmabuf([2, 1], exact=False)
            elif a.case == "mode-switch":
                sout, _, _ = mode_switch.mode_switch(run, a,
                                                     prefix="glon-mode-switch")
                sizes = re.findall(r"ScanoutDMABUF (\d+x\d+) fourcc.*: buffer (\d+)",
                                   "\n".join(sout.lines))
                print(f"glon: the shim's new dma-bufs: {sizes}")
                if [s for s, _ in sizes][-2:] != ["720x400", "1024x768"]:
                    e2e.fail("no new 1024x768 dma-buf after the 720x400 one")
                run.check_dmabuf([1, 2])
            else:
                paced(run, a)
            print(f"glon: QEMU logged {run.qemu_timeouts()} "
                  "'Failed to call update: Timeout' in all")
        finally:
            run.cleanup()
    print(f"glon: {a.case} passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
