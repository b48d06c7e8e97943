#!/usr/bin/env python3
"""End to end with a real QEMU: qemu-system-x86_64 (TCG, -display dbus) on
a private dbus-daemon or peer-to-peer through QMP -> eglview-shim --source
qemu -> qemu-eglview offscreen -> PNG, compared with reviewed references
by imgcmp.

Scenarios:
  seabios-menu   bus; SeaBIOS with -boot menu=on; Esc sent as an evdev
                 record from the viewer opens "Select boot device".
  guest-keys     bus; the test guest (tests/guest) draws its picture; keys
                 sent from the viewer appear as cells in the next frame.
  p2p-guest-keys the same, peer-to-peer through QMP.
  burst-keys     bus; 24 keys (48 records, 96 scancode bytes) sent in one
                 burst: the shim paces Keyboard calls, so the guest's
                 16-byte PS/2 queue loses none; all appear, in order.
  lock-leds      bus; Caps Lock then Num Lock sent from the viewer: the
                 guest sets its PS/2 LEDs (0xed), QEMU's Keyboard.Modifiers
                 follows, and the viewer is told each state (DEVICE_STATUS,
                 protocol minor 2) as the guest set it.
  two-consoles   bus; -device secondary-vga: two heads side by side, the
                 guest's picture and QEMU's placeholder on the second.
  resize-unsupported
                 bus; -vga std cannot follow a window: a viewer at --size
                 800x450 makes the shim call Console.SetUIInfo, QEMU
                 answers Unsupported, the shim says so once and asks no
                 more for the next viewer (640x480); the guest's mode
                 stays 1024x768.
  restart, p2p-restart
                 a viewer stays connected while QEMU is killed (SIGKILL)
                 and started again; a second viewer then types; both
                 viewers' last frames must show the new QEMU's picture with
                 the keys, and neither viewer nor shim was restarted.

What the screen must show by now is known from the guest itself: the test
guest writes "READY" and "KEY 0xNN" to the debug port 0xe9, SeaBIOS its
console text to port 0x402; both reach this script through QEMU's stdout.
A frame is then taken as final once the viewer has gone QUIET_S without an
UPDATE (QEMU sends any change within its 30 ms refresh) or has received
CURSOR_UPDATES more (SeaBIOS's text cursor cell is resent every refresh).
Exit 77 (skipped) only when QEMU or dbus-daemon is not installed.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from eglview_test.procs import Lines

QUIET_S = 0.3
# SeaBIOS's version line: text row 0 of the 720x400 (80x25, 9x16) screen.
SEABIOS_VERSION_ROW = "0,0,720,16"
CURSOR_UPDATES = 8
TIMEOUT_S = 20.0

# evdev names sent by the viewer -> the qnum the guest must echo (XT set 1,
# 0xe0 XX as 0x80|XX), from evdev-to-qnum.tsv.
# QEMU 7.2's PS/2 keyboard queues 16 bytes and drops the rest, and the
# script arrives in one burst: these make 12 bytes (an extended key is 4).
KEYS = [("KEY_Q", 0x10), ("KEY_M", 0x32), ("KEY_RIGHT", 0xcd),
        ("KEY_LEFTMETA", 0xdb)]
# Without the shim's pacing QEMU 7.2 kept only the first ~8 of these.
BURST_KEYS = [("KEY_1", 0x02), ("KEY_2", 0x03), ("KEY_3", 0x04),
              ("KEY_4", 0x05), ("KEY_5", 0x06), ("KEY_6", 0x07),
              ("KEY_Q", 0x10), ("KEY_W", 0x11), ("KEY_E", 0x12),
              ("KEY_R", 0x13), ("KEY_T", 0x14), ("KEY_Y", 0x15),
              ("KEY_A", 0x1e), ("KEY_S", 0x1f), ("KEY_D", 0x20),
              ("KEY_F", 0x21), ("KEY_UP", 0xc8), ("KEY_DOWN", 0xd0),
              ("KEY_LEFT", 0xcb), ("KEY_RIGHT", 0xcd), ("KEY_HOME", 0xc7),
              ("KEY_END", 0xcf), ("KEY_LEFTMETA", 0xdb), ("KEY_Z", 0x2c)]


def fail(why):
    print(f"e2e: FAIL: {why}", flush=True)
    raise SystemExit(1)


def wait_stable(viewer_err, start):
    """The viewer's picture is final: quiet, or the cursor cell repeating."""
    end = time.monotonic() + TIMEOUT_S
    with viewer_err.cond:
        while True:
            ups = [t for l, t in zip(viewer_err.lines[start:],
                                     viewer_err.times[start:])
                   if l and "<- UPDATE" in l]
            now = time.monotonic()
            last = ups[-1] if ups else viewer_err.times[start - 1] \
                if start > 0 else now
            if len(ups) >= CURSOR_UPDATES or now - last >= QUIET_S:
                return
            if now > end:
                fail("the viewer's picture did not settle")
            viewer_err.cond.wait(QUIET_S - (now - last) + 0.01)


class Run:
    def __init__(self, a, tmp):
        self.a, self.tmp = a, tmp
        self.procs = []
        self.bus = None

    def spawn(self, name, cmd, echo=True, env=None):
        print(f"e2e: {name}: {' '.join(cmd)}", flush=True)
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env=env)
        self.procs.append(p)
        return p, Lines(p.stdout, name, echo, TIMEOUT_S, fail)

    def start_bus(self):
        p = subprocess.Popen(["dbus-daemon", "--session", "--nofork",
                              "--print-address=1", "--address=unix:path=" +
                              os.path.join(self.tmp, "bus")],
                             stdout=subprocess.PIPE)
        self.procs.append(p)
        self.bus = p.stdout.readline().decode().strip()
        if not self.bus:
            fail("dbus-daemon printed no address")
        # QEMU's option parser splits at commas: the guid part goes.
        self.qemu_bus = self.bus.split(",")[0]

    def start_qemu(self, p2p, seabios, extra=(), audiodev=None):
        """audiodev: -audiodev's options ("dbus,id=snd0,..."): the D-Bus
        display exports it and the PC speaker plays into it."""
        machine, sound = "pc", ""
        if audiodev:
            audio_id = audiodev.split("id=")[1].split(",")[0]
            machine += ",pcspk-audiodev=" + audio_id
            sound = ",audiodev=" + audio_id
            extra = ["-audiodev", audiodev, *extra]
        cmd = ["qemu-system-x86_64", "-machine", machine, "-accel", "tcg",
               "-m", "32", "-nodefaults", "-no-user-config", "-vga", "std",
               "-name", "eglview-e2e", *extra]
        if p2p:
            cmd += ["-display", "dbus,p2p=yes" + sound, "-qmp",
                    "unix:" + os.path.join(self.tmp, "qmp.sock") +
                    ",server=on,wait=off"]
        else:
            cmd += ["-display", "dbus,addr=" + self.qemu_bus + sound]
        if seabios:
            cmd += ["-boot", "menu=on,splash-time=30000",
                    "-chardev", "stdio,id=bios",
                    "-device", "isa-debugcon,iobase=0x402,chardev=bios"]
        else:
            cmd += ["-kernel", self.a.guest, "-debugcon", "stdio"]
        return self.spawn("qemu", cmd)

    def start_shim(self, p2p):
        cmd = [self.a.shim, "--source", "qemu", "--verbose"]
        cmd += ["--qmp", os.path.join(self.tmp, "qmp.sock")] if p2p else \
            ["--dbus-address", self.bus]
        cmd.append(os.path.join(self.tmp, "vm.sock"))
        p, out = self.spawn("shim", cmd)
        out.wait_for(r"attached to VM")
        return p, out

    def start_viewer(self, shot, script=None, size=None):
        cmd = [self.a.viewer, "--backend", "offscreen", "-v", "--snapshot",
               shot]
        if size:
            cmd += ["--size", size]
        if script:
            cmd += ["--input-script", script]
        cmd.append(os.path.join(self.tmp, "vm.sock"))
        return self.spawn("viewer", cmd, echo=False)

    def stop_viewer(self, p, out):
        if p.poll() is not None:
            fail(f"the viewer exited early ({p.returncode}):\n  " +
                 "\n  ".join(l for l in out.lines[-20:] if l))
        p.send_signal(signal.SIGTERM)
        if p.wait(timeout=10) != 0:
            fail(f"the viewer exited {p.returncode} on SIGTERM")

    def compare(self, shot, references, ignore=()):
        """The reference the shot matches (imgcmp, --ignore rects)."""
        for ref in references:
            diff = shot[:-4] + "-diff.png"
            cmd = [self.a.imgcmp, ref, shot, "--tolerance",
                   str(self.a.tolerance), "--diff", diff]
            for rect in ignore:
                cmd += ["--ignore", rect]
            if subprocess.run(cmd).returncode == 0:
                print(f"e2e: {os.path.basename(shot)} matches "
                      f"{os.path.basename(ref)}")
                return ref
        fail(f"{shot} matches none of {', '.join(references)}")

    def cleanup(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.kill()
            p.wait()


def key_script(path, keys=KEYS):
    with open(path, "w") as f:
        for name, _ in keys:
            for value in (1, 0):
                f.write(f"keyboard EV_KEY {name} {value}\n"
                        "keyboard EV_SYN SYN_REPORT 0\n")


def expect_keys(qemu_out, start, keys=KEYS):
    i = start
    for name, qnum in keys:
        i = qemu_out.wait_for(rf"^KEY 0x{qnum:02x}$", i)[0] + 1
    got = qemu_out.count(r"^KEY ", start)
    if got != len(keys):
        fail(f"the guest saw {got} keys, {len(keys)} were sent")
    print(f"e2e: the guest echoed all {len(keys)} keys as the expected "
          "qnums, in order")


def seabios_menu(run, a):
    run.start_bus()
    qemu, qout = run.start_qemu(p2p=False, seabios=True)
    run.start_shim(p2p=False)
    # Esc only counts while SeaBIOS offers the menu.
    qout.wait_for(r"Press ESC for boot menu")
    script = os.path.join(run.tmp, "esc.txt")
    with open(script, "w") as f:
        f.write("keyboard EV_KEY KEY_ESC 1\nkeyboard EV_SYN SYN_REPORT 0\n"
                "keyboard EV_KEY KEY_ESC 0\nkeyboard EV_SYN SYN_REPORT 0\n")
    shot = os.path.join(a.out_dir, "qemu-seabios-menu.png")
    v, vout = run.start_viewer(shot, script)
    qout.wait_for(r"Select boot device")
    wait_stable(vout, vout.mark())
    run.stop_viewer(v, vout)
    # The VGA text cursor blinks (QEMU redraws its cell every refresh): a
    # reviewed reference for each phase, every other pixel must match. The
    # first text row is SeaBIOS's version line, whose text is the
    # distribution's build ("1.16.2-debian-1.16.2-1"): the references
    # have it black and it is left out; the menu below is the point.
    ref = run.compare(shot, [os.path.join(a.golden_dir, n) for n in
                             ("qemu-seabios-menu.png",
                              "qemu-seabios-menu-cursor.png")],
                      ignore=[SEABIOS_VERSION_ROW])
    # Left out, not unchecked: the row differs from the black one, so
    # SeaBIOS's banner (on port 0x402 too) was drawn there.
    if subprocess.run([a.imgcmp, ref, shot], stdout=subprocess.DEVNULL
                      ).returncode != 1:
        fail("the first text row (SeaBIOS's version line) is blank")
    print("e2e: the version line is drawn in the first text row")


def guest_keys(run, a, p2p, keys=KEYS, golden="qemu-guest-keys.png"):
    if not p2p:
        run.start_bus()
    qemu, qout = run.start_qemu(p2p=p2p, seabios=False)
    shim, sout = run.start_shim(p2p=p2p)
    qout.wait_for(r"^READY$")
    script = os.path.join(run.tmp, "keys.txt")
    key_script(script, keys)
    shot = os.path.join(a.out_dir, f"qemu-{a.scenario}.png")
    v, vout = run.start_viewer(shot, script)
    expect_keys(qout, 0, keys)
    wait_stable(vout, vout.mark())
    run.stop_viewer(v, vout)
    run.compare(shot, [os.path.join(a.golden_dir, golden)])
    return shim, sout, qemu


def stop_shim(shim, sout, qemu=None):
    """SIGTERM: exit 0; while qemu (its Popen) still runs, the shim must
    say it stops, not that it lost QEMU and waits for it. The index of
    its first line after the signal."""
    mark = sout.mark()
    shim.terminate()
    if shim.wait(timeout=30) != 0:
        fail(f"the shim exited {shim.returncode} on SIGTERM")
    sout.thread.join(timeout=5)
    if qemu is not None and qemu.poll() is None and \
            sout.count(r"lost QEMU", mark):
        fail("the shim stopping said it had lost QEMU, which still runs")
    return mark


def two_consoles(run, a):
    """-device secondary-vga beside -vga std: two consoles, two heads side
    by side, the second QEMU's own placeholder ("Guest has not
    initialized the display (yet).", the guest drives only the first)."""
    run.start_bus()
    qemu, qout = run.start_qemu(p2p=False, seabios=False,
                                extra=["-device", "secondary-vga"])
    run.start_shim(p2p=False)
    qout.wait_for(r"^READY$")
    shot = os.path.join(a.out_dir, f"qemu-{a.scenario}.png")
    v, vout = run.start_viewer(shot)
    vout.wait_for(r'head 2 "secondary-vga-1": 640x480 at 1024,0, enabled')
    vout.wait_for(r"following 2 heads")
    wait_stable(vout, vout.mark())
    run.stop_viewer(v, vout)
    run.compare(shot, [os.path.join(a.golden_dir, "qemu-two-consoles.png")])


def lock_leds(run, a):
    run.start_bus()
    qemu, qout = run.start_qemu(p2p=False, seabios=False)
    run.start_shim(p2p=False)
    qout.wait_for(r"^READY$")
    script = os.path.join(run.tmp, "locks.txt")
    key_script(script, [("KEY_CAPSLOCK", 0x3a), ("KEY_NUMLOCK", 0x45)])
    shot = os.path.join(a.out_dir, "qemu-lock-leds.png")
    v, vout = run.start_viewer(shot, script)
    # The guest's own word, then what the viewer was told: each state in
    # turn, as the guest set it.
    i = qout.wait_for(r"^LEDS 0x04$")[0]
    qout.wait_for(r"^LEDS 0x06$", i + 1)
    kbd = r'guest LEDs of "QEMU keyboard": '
    j = vout.wait_for(kbd + "num off, caps on, scroll off")[0]
    vout.wait_for(kbd + "num on, caps on, scroll off", j + 1)
    run.stop_viewer(v, vout)
    print("e2e: the guest's Caps and Num Lock LEDs reached the viewer")


def resize_unsupported(run, a):
    run.start_bus()
    qemu, qout = run.start_qemu(p2p=False, seabios=False)
    shim, sout = run.start_shim(p2p=False)
    qout.wait_for(r"^READY$")
    for i, size in enumerate(("800x450", "640x480")):
        shot = os.path.join(a.out_dir, f"qemu-resize-unsupported-{i}.png")
        v, vout = run.start_viewer(shot, size=size)
        vout.wait_for(r"<- UPDATE")
        if i == 0:
            sout.wait_for(r"SetUIInfo 800x450")
            sout.wait_for(r"console 0 cannot follow the viewers' size "
                          r"\(QEMU: .*\)")
        else:
            # Past the viewer's settling time: it sent HEAD_SIZE again.
            sout.wait_for(r"shows head 1 at 640x480")
            time.sleep(0.5)
        run.stop_viewer(v, vout)
    calls = sout.count(r"SetUIInfo \d+x\d+")
    if calls != 1:
        fail(f"SetUIInfo called {calls} times; once, then no more")
    if sout.count(r"now 800x450") or sout.count(r"now 640x480"):
        fail("the guest's mode changed")
    print("e2e: Unsupported said once; the mode stayed")


def restart(run, a, p2p):
    if not p2p:
        run.start_bus()
    qemu, qout = run.start_qemu(p2p=p2p, seabios=False)
    shim, sout = run.start_shim(p2p=p2p)
    qout.wait_for(r"^READY$")
    shot_a = os.path.join(a.out_dir, f"qemu-{a.scenario}-stayed.png")
    va, vaout = run.start_viewer(shot_a)
    vaout.wait_for(r"<- UPDATE")

    mark, vmark = sout.mark(), vaout.mark()
    qemu.kill()  # a crash: no goodbye
    qemu.wait()
    sout.wait_for(r"lost QEMU", mark)
    vaout.wait_for(r"<- HEAD_INFO", vmark)  # the head went disabled
    qemu, qout = run.start_qemu(p2p=p2p, seabios=False)
    sout.wait_for(r"attached to VM", mark)
    qout.wait_for(r"^READY$")

    script = os.path.join(run.tmp, "keys.txt")
    key_script(script)
    shot_b = os.path.join(a.out_dir, f"qemu-{a.scenario}-typed.png")
    vb, vbout = run.start_viewer(shot_b, script)
    expect_keys(qout, 0)
    wait_stable(vaout, vaout.mark())
    wait_stable(vbout, vbout.mark())
    run.stop_viewer(vb, vbout)
    run.stop_viewer(va, vaout)
    if shim.poll() is not None:
        fail(f"the shim exited ({shim.returncode}) across the restart")
    golden = [os.path.join(a.golden_dir, "qemu-guest-keys.png")]
    run.compare(shot_a, golden)
    run.compare(shot_b, golden)
    print("e2e: the first viewer stayed connected across the restart and "
          "shows the new QEMU")


def skip_reason():
    for tool in ("qemu-system-x86_64", "dbus-daemon"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/install-deps installs " \
                "qemu-system-x86 and dbus-daemon)"
    out = subprocess.run(["qemu-system-x86_64", "-display", "help"],
                         capture_output=True, text=True).stdout
    if "dbus" not in out.split():
        return "this qemu-system-x86_64 has no D-Bus display (-display help)"
    return None


def parse_args(ap):
    """The programs, goldens and tolerance every real-QEMU test takes."""
    for opt in ("shim", "viewer", "imgcmp", "guest", "golden-dir", "out-dir"):
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--tolerance", type=int, required=True)
    return ap.parse_args()


def skip_or_prepare(a):
    """Exit 77 where QEMU cannot run; else make the shots' directory."""
    why = skip_reason()
    if why:
        print(f"e2e: skipped: {why}")
        sys.exit(77)
    os.makedirs(a.out_dir, exist_ok=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True,
                    choices=["seabios-menu", "guest-keys", "p2p-guest-keys",
                             "burst-keys", "restart", "p2p-restart",
                             "lock-leds", "resize-unsupported",
                             "two-consoles"])
    a = parse_args(ap)
    skip_or_prepare(a)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="eglview-e2e-") as tmp:
        run = Run(a, tmp)
        try:
            if a.scenario == "seabios-menu":
                seabios_menu(run, a)
            elif a.scenario in ("guest-keys", "p2p-guest-keys"):
                stop_shim(*guest_keys(run, a, a.scenario.startswith("p2p")))
            elif a.scenario == "burst-keys":
                guest_keys(run, a, False, BURST_KEYS,
                           "qemu-guest-burst-keys.png")
            elif a.scenario == "lock-leds":
                lock_leds(run, a)
            elif a.scenario == "resize-unsupported":
                resize_unsupported(run, a)
            elif a.scenario == "two-consoles":
                two_consoles(run, a)
            else:
                restart(run, a, a.scenario.startswith("p2p"))
        finally:
            run.cleanup()
    print(f"e2e: {a.scenario} passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
