#!/usr/bin/env python3
"""`qemu-eglview NAME` with no shim started by anyone: the viewer starts
the bridge itself (eglview-shim --source qemu --vm-name NAME on a private
socket), which picks the QEMU whose -name is NAME among all those queued
for org.qemu on the session bus. Real QEMUs (TCG, -display dbus) on a
private dbus-daemon that is the session bus of everything here, and a
private XDG_RUNTIME_DIR, so no socket of anyone else is seen.

Cases:
  two-vms    vm1 (the test guest's picture) then vm2 (its text mode) on
             one bus; vm1 owns org.qemu, vm2 only queues. `qemu-eglview
             vm2` shows vm2's text screen, `qemu-eglview vm1` vm1's
             picture with the keys it typed (goldens qemu-text-mode.png,
             qemu-guest-keys.png); the keys reached vm1 only.
  missing    `qemu-eglview vm3`: exits 1 at once, saying it found no
             socket and naming the QEMUs it did see (vm1), nothing left
             running; --source socket looks at the socket only (no
             bridge), --source qemu at the bus only; a bad --source and
             --list with a NAME are usage errors (2).
  list       `qemu-eglview --list`: a socket served by a demo shim, the
             stale socket of a killed one, and vm1 on the bus, each with
             how it is reached.
  reconnect  `qemu-eglview --reconnect vm5` before vm5 exists: it shows
             vm5 once QEMU starts; QEMU killed and started again, the same
             viewer (and the same bridge) shows the new QEMU, typed into.
Exit 77 (skipped) only when QEMU or dbus-daemon is not installed.
"""
import argparse
import os
import re
import signal
import subprocess
import tempfile
import time

import e2e


class NamedRun(e2e.Run):
    """e2e.Run whose QEMUs are named, on the session bus of every process
    started; viewers reach VMs by name."""

    def __init__(self, a, tmp):
        super().__init__(a, tmp)
        self.vm_name, self.append = "vm1", None

    def spawn(self, name, cmd, echo=True):
        cmd = list(cmd)
        if name.startswith("qemu"):
            cmd[cmd.index("-name") + 1] = self.vm_name
            if self.append:
                cmd += ["-append", self.append]
        return super().spawn(name, cmd, echo)

    def start_named(self, vm, append=None):
        self.vm_name, self.append = vm, append
        return self.start_qemu(p2p=False, seabios=False)

    def start_bus(self):
        super().start_bus()
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = self.bus

    def viewer(self, target, shot, script=None, extra=()):
        cmd = [self.a.viewer, "--backend", "offscreen", "-v", *extra,
               "--snapshot", shot]
        if script:
            cmd += ["--input-script", script]
        cmd.append(target)
        return self.spawn("viewer-" + target, cmd, echo=False)


def bridges():
    """The eglview-shim processes running now (the viewers' bridges)."""
    out = subprocess.run(["pgrep", "-f", "eglview-shim --source qemu "
                          "--vm-name"], capture_output=True, text=True)
    return out.stdout.split()


def two_vms(run, a):
    run.start_bus()
    q1, q1out = run.start_named("vm1")
    q1out.wait_for(r"^READY$")
    # vm1 asked first: it owns org.qemu, vm2 queues behind it.
    q2, q2out = run.start_named("vm2", append="text")
    q2out.wait_for(r"^TEXT$")

    shot2 = os.path.join(a.out_dir, "qemu-by-name-vm2.png")
    v2, v2out = run.viewer("vm2", shot2)
    v2out.wait_for(r"<- UPDATE")
    v2out.wait_for(r'is VM "vm2"')
    # The text mode's size reached the viewer (under ASan the bridge may
    # show the console's earlier size for longer than wait_stable's quiet).
    v2out.wait_for(r'head \d+ "[^"]*": 720x400 ')
    e2e.wait_stable(v2out, v2out.mark())
    run.stop_viewer(v2, v2out)
    run.compare(shot2, [os.path.join(a.golden_dir, "qemu-text-mode.png")])

    script = os.path.join(run.tmp, "keys.txt")
    e2e.key_script(script)
    shot1 = os.path.join(a.out_dir, "qemu-by-name-vm1.png")
    v1, v1out = run.viewer("vm1", shot1, script)
    e2e.expect_keys(q1out, 0)
    e2e.wait_stable(v1out, v1out.mark())
    run.stop_viewer(v1, v1out)
    run.compare(shot1, [os.path.join(a.golden_dir, "qemu-guest-keys.png")])
    if q2out.count(r"^KEY ") != 0:
        e2e.fail("vm2 received keys typed into vm1")
    time.sleep(0.2)
    if bridges():
        e2e.fail(f"a bridge outlived its viewer: pids {bridges()}")
    print("e2e: vm1 and vm2 shown by name, each its own picture; keys "
          "reached vm1 only; no bridge left running")


def missing(run, a):
    run.start_bus()
    q1, q1out = run.start_named("vm1")
    q1out.wait_for(r"^READY$")
    started = time.monotonic()
    p = subprocess.run([a.viewer, "--backend", "offscreen", "vm3"],
                       capture_output=True, text=True, timeout=30)
    took = time.monotonic() - started
    print(p.stderr, end="")
    if p.returncode != 1:
        e2e.fail(f"qemu-eglview vm3 exited {p.returncode}, not 1")
    for want in (r'no VM named "vm3": searched the session bus \(.*\): '
                 r'QEMUs named "vm1"',
                 r'no socket at .*/vm3\.sock either'):
        if not re.search(want, p.stderr):
            e2e.fail(f"the message lacks /{want}/")
    if bridges():
        e2e.fail(f"a bridge is left running: pids {bridges()}")
    print(f"e2e: vm3 is not there: said in {took:.2f} s, with what was "
          "searched")
    for args, rc, want, unwanted in [
            (["--source", "socket", "vm1"], 1,
             r'no VM named "vm1" \(no socket at', "searched"),
            (["--source", "qemu", "vm3"], 1,
             r'no VM named "vm3" to show \(--source qemu\)', "no socket"),
            (["--source", "bogus", "vm1"], 2,
             r'--source "bogus" is not auto, socket or qemu', None),
            (["--list", "vm1"], 2, r"--list takes no NAME", None)]:
        p = subprocess.run([a.viewer, "--backend", "offscreen", *args],
                           capture_output=True, text=True, timeout=30)
        print(f"e2e: {' '.join(args)}: exit {p.returncode}: "
              f"{p.stderr.strip()}")
        if p.returncode != rc or not re.search(want, p.stderr) or \
           (unwanted and unwanted in p.stderr):
            e2e.fail(f"{' '.join(args)}: want exit {rc} and /{want}/"
                     + (f" without {unwanted!r}" if unwanted else ""))


def list_vms(run, a):
    run.start_bus()
    q1, q1out = run.start_named("vm1")
    q1out.wait_for(r"^READY$")
    demo, dout = run.spawn("shim-demo", [a.shim, "--source", "demo",
                                         "--verbose", "sockvm"])
    stale, _ = run.spawn("shim-stale", [a.shim, "--source", "demo",
                                        "--verbose", "stalevm"])
    sockdir = os.path.join(os.environ["XDG_RUNTIME_DIR"], "qemu-eglview")
    for n in ("sockvm", "stalevm"):
        e2e_wait_path(os.path.join(sockdir, n + ".sock"))
    stale.kill()  # no goodbye: its socket stays, nobody accepts
    stale.wait()
    p = subprocess.run([a.viewer, "--list"], capture_output=True, text=True,
                       timeout=30)
    print(p.stdout + p.stderr, end="")
    if p.returncode != 0:
        e2e.fail(f"--list exited {p.returncode}")
    rows = {}
    for line in p.stdout.splitlines():
        f = line.split("\t")
        if len(f) != 3:
            e2e.fail(f"--list line is not NAME<TAB>HOW<TAB>WHERE: {line!r}")
        rows[f[0]] = f
    want = {"sockvm": ("socket", os.path.join(sockdir, "sockvm.sock")),
            "stalevm": ("socket", "(stale: nobody accepts)"),
            "vm1": ("qemu", "session bus " + run.bus)}
    for name, (how, where) in want.items():
        if name not in rows or rows[name][1] != how or \
           where not in rows[name][2]:
            e2e.fail(f"--list: want {name} {how} ...{where}..., got "
                     f"{rows.get(name)}")
    if "(stale" in rows["sockvm"][2]:
        e2e.fail("the live demo's socket is listed as stale")
    print("e2e: --list shows the live and the stale socket and the QEMU on "
          "the bus")


def e2e_wait_path(path, timeout=10.0):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > end:
            e2e.fail(f"{path} did not appear")
        time.sleep(0.02)


def reconnect(run, a):
    run.start_bus()
    shot = os.path.join(a.out_dir, "qemu-by-name-reconnect.png")
    v, vout = run.viewer("vm5", shot, extra=["--reconnect"])
    vout.wait_for(r'looking for VM "vm5"')
    time.sleep(0.5)  # the bridge is looking: QEMU is not there yet
    q, qout = run.start_named("vm5")
    qout.wait_for(r"^READY$")
    vout.wait_for(r"<- UPDATE")
    pids = bridges()
    if len(pids) != 1:
        e2e.fail(f"want one bridge, found {pids}")

    mark = vout.mark()
    q.kill()  # a crash: the bridge loses it, the viewer stays connected
    q.wait()
    vout.wait_for(r"<- HEAD_INFO", mark)
    q, qout = run.start_named("vm5")
    qout.wait_for(r"^READY$")
    if bridges() != pids:
        e2e.fail(f"the bridge did not stay across the restart: {pids} "
                 f"then {bridges()}")
    script = os.path.join(run.tmp, "keys.txt")
    e2e.key_script(script)
    # A second viewer types (the first one's script ran long ago).
    shot_b = os.path.join(a.out_dir, "qemu-by-name-reconnect-typed.png")
    vb, vbout = run.viewer("vm5", shot_b, script)
    e2e.expect_keys(qout, 0)
    e2e.wait_stable(vout, vout.mark())
    e2e.wait_stable(vbout, vbout.mark())
    run.stop_viewer(vb, vbout)
    run.stop_viewer(v, vout)
    golden = [os.path.join(a.golden_dir, "qemu-guest-keys.png")]
    run.compare(shot, golden)
    run.compare(shot_b, golden)
    print("e2e: the waiting viewer found vm5 when it started and kept "
          "showing it across a QEMU restart through the same bridge")


CASES = {"two-vms": two_vms, "missing": missing, "list": list_vms,
         "reconnect": reconnect}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    a = e2e.parse_args(ap)
    a.scenario = "by-name-" + a.case
    e2e.skip_or_prepare(a)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="eglview-byname-") as tmp:
        rt = os.path.join(tmp, "rt")
        os.mkdir(rt, 0o700)
        os.environ["XDG_RUNTIME_DIR"] = rt
        # No libvirt here: the search says so and goes on.
        os.environ["LIBVIRT_DEFAULT_URI"] = "test:///nonexistent"
        run = NamedRun(a, tmp)
        try:
            CASES[a.case](run, a)
        finally:
            run.cleanup()
    print(f"e2e: {a.scenario} passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main()
