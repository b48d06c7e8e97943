#!/usr/bin/env python3
"""QEMU started by libvirt with <graphics type='dbus'/>: libvirt runs a
dbus-daemon for the domain and names its bus in the live XML.

Cases:
  shim-address  the recipe of the README: eglview-shim --source qemu
                --dbus-address ADDRESS (read from virsh dumpxml) and
                qemu-eglview --backend offscreen; keys typed with
                --input-script reach the guest, which echoes them on its
                debug port and on screen: the snapshot is the test guest's
                golden qemu-guest-keys.png, as in tests/qemu.
  list          qemu_libvirt_list (through tests/libvirt/libvirt-list)
                finds a D-Bus domain with the live XML's address, a p2p
                one without an address, and not a domain without graphics;
                without virsh, with libvirt unreachable, or with a virsh
                that never answers (killed after 5 s), it says why. By
                name, the viewer refuses the p2p domain saying p2p='yes'
                and does not find the one without graphics, naming the
                D-Bus ones.
  by-name       `qemu-eglview NAME` with no shim started here: the viewer
                starts its bridge, which finds the domain through
                qemu_libvirt_list; the same golden and keys as
                shim-address, and no bridge left after the viewer; both
                programs' --list name the domain with its address.

Each case uses libvirt on qemu:///system: libvirtd (and virtlogd) already
running, or started here as root and stopped at the end. Its domains are
transient (virsh create: nothing persists) and destroyed at the end, also
on failure. The test guest (tests/guest) is the domain's <kernel>; its
debug port 0xe9 (progress: READY, KEY 0xNN) goes to a unix socket this
script listens on, through <qemu:commandline>.
Exit 77 (skipped) only when libvirt or QEMU is not installed, or libvirtd
is not running and this is not root.
"""
import argparse
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "qemu"))
import e2e  # noqa: E402  (tests/qemu: the shim, viewer and guest steps)
from eglview_test.procs import Lines, copy_programs  # noqa: E402

URI = "qemu:///system"
QEMU_USER = "libvirt-qemu"
KVM = "/dev/kvm"
SKIP = 77
START_TIMEOUT_S = 30.0
PACKAGES = "libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients"


def say(msg):
    print(f"libvirt: {msg}", flush=True)


def skip(why):
    say(f"skipped: {why}")
    sys.exit(SKIP)


def virsh(*args, check=True):
    r = subprocess.run(["virsh", "-c", URI, "-q", *args],
                       capture_output=True, text=True, timeout=60)
    if check and r.returncode != 0:
        e2e.fail(f"virsh {' '.join(args)}: {r.stderr.strip()}")
    return r


class Libvirt:
    """libvirtd and virtlogd, started here when not running (and then
    stopped here), and the transient domains made here."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.started = []
        self.domains = []
        self.kvm_restore = None
        self.listeners = []

    def reachable(self):
        return virsh("list", check=False).returncode == 0

    def start(self):
        for tool in ("virsh", "libvirtd", "virtlogd"):
            if shutil.which(tool) is None and not os.path.exists(
                    "/usr/sbin/" + tool):
                skip(f"{tool} is not installed (scripts/install-deps "
                     f"installs {PACKAGES})")
        if not glob.glob("/usr/lib/*/libvirt/connection-driver/"
                         "libvirt_driver_qemu.so"):
            skip("libvirt's QEMU driver is not installed (scripts/"
                 f"install-deps installs {PACKAGES})")
        why = e2e.skip_reason()
        if why:
            skip(why)
        if self.reachable():
            say(f"libvirtd already runs ({URI}): using it")
            return
        if os.geteuid() != 0:
            skip("libvirtd is not running, and only root can start it here")
        self.ensure_user()
        self.open_kvm_to_qemu_user()
        for daemon in ("virtlogd", "libvirtd"):
            # root's: a user's session libvirtd is not the system's.
            if subprocess.run(["pgrep", "-x", "-u", "root", daemon],
                              capture_output=True).returncode == 0:
                say(f"{daemon} already runs")
                continue
            log = open(os.path.join(self.tmp, daemon + ".log"), "w")
            cmd = [shutil.which(daemon) or "/usr/sbin/" + daemon]
            if daemon == "libvirtd":
                cmd += ["--config", self.libvirtd_conf()]
            # In the foreground (no --daemon): the pid is this one.
            p = subprocess.Popen(cmd, stdout=log, stderr=log,
                                 stdin=subprocess.DEVNULL)
            self.started.append((daemon, p))
            say(f"started {daemon} (pid {p.pid})")
        end = time.monotonic() + START_TIMEOUT_S
        while not self.reachable():
            for name, p in self.started:
                if p.poll() is not None:
                    e2e.fail(f"{name} exited {p.returncode}:\n" +
                             self.log_tail(name))
            if time.monotonic() > end:
                e2e.fail(f"libvirtd did not answer on {URI} within "
                         f"{START_TIMEOUT_S:.0f} s:\n" +
                         self.log_tail("libvirtd"))
            time.sleep(0.1)
        r = virsh("uri", check=False)
        if r.returncode != 0:
            e2e.fail(f"libvirtd runs but {URI} does not: {r.stderr.strip()}")
        say(f"libvirtd answers on {r.stdout.strip()}")

    def libvirtd_conf(self):
        """Read-only connections without polkit, which needs the system
        bus (none here): other users may list domains as on a desktop,
        where polkit allows it."""
        path = os.path.join(self.tmp, "libvirtd.conf")
        with open(path, "w") as f:
            f.write('auth_unix_ro = "none"\n')
        return path

    def log_tail(self, name):
        try:
            with open(os.path.join(self.tmp, name + ".log")) as f:
                return "".join(f.readlines()[-15:])
        except OSError:
            return ""

    def ensure_user(self):
        """libvirt's QEMU driver runs QEMU as libvirt-qemu, which Debian
        creates in libvirt-daemon-system (a package that wants systemd,
        not installed): made here if missing, and left."""
        try:
            pwd.getpwnam(QEMU_USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--user-group",
                            "--no-create-home", "--home-dir",
                            "/var/lib/libvirt", "--shell",
                            "/usr/sbin/nologin", QEMU_USER], check=True)
            say(f"created the system user {QEMU_USER}")

    def open_kvm_to_qemu_user(self):
        """/dev/kvm there but closed to libvirt-qemu (no udev here to make
        it root:kvm 0660, as Debian does): libvirt then finds its probe of
        QEMU (which had KVM) outdated at every look and probes again, 4 s
        each, 40 s a domain. The group made libvirt-qemu's until the end."""
        try:
            st = os.stat(KVM)
        except FileNotFoundError:
            return
        gid = pwd.getpwnam(QEMU_USER).pw_gid
        if st.st_mode & 0o006 == 0o006 or (st.st_gid == gid and
                                          st.st_mode & 0o060 == 0o060):
            return
        self.kvm_restore = (st.st_gid, stat.S_IMODE(st.st_mode))
        os.chown(KVM, -1, gid)
        os.chmod(KVM, stat.S_IMODE(st.st_mode) | 0o060)
        say(f"{KVM} opened to group {QEMU_USER} for the run")

    def listen(self, name):
        """A unix socket QEMU (as libvirt-qemu) connects its debug port
        to; returns its path and a function giving the Lines once
        connected."""
        path = os.path.join(self.tmp, name + "-debug.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        os.chmod(path, 0o777)
        s.listen(1)
        self.listeners.append(s)

        def lines():
            s.settimeout(e2e.TIMEOUT_S)
            try:
                conn, _ = s.accept()
            except socket.timeout:
                e2e.fail(f"QEMU of {name} did not connect its debug port")
            self.listeners.append(conn)
            return Lines(conn.makefile("rb"), name, True, e2e.TIMEOUT_S,
                         e2e.fail)
        return path, lines

    def create(self, name, guest, graphics="<graphics type='dbus'/>",
               qemu_args=()):
        """A transient domain booting the test guest; the Lines of its
        debug port. qemu_args: more of QEMU's arguments."""
        sock, lines = self.listen(name)
        more = "".join(f"\n    <qemu:arg value='{v}'/>" for v in qemu_args)
        xml = f"""<domain type='qemu'
        xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>{name}</name>
  <memory unit='MiB'>32</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>{guest}</kernel></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    {graphics}
    <video><model type='vga'/></video>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-chardev'/>
    <qemu:arg value='socket,id=debug,path={sock}'/>
    <qemu:arg value='-device'/>
    <qemu:arg value='isa-debugcon,iobase=0xe9,chardev=debug'/>{more}
  </qemu:commandline>
</domain>
"""
        path = os.path.join(self.tmp, name + ".xml")
        with open(path, "w") as f:
            f.write(xml)
        if virsh("domstate", name, check=False).returncode == 0:
            say(f"destroying a domain {name} left from an earlier run")
            virsh("destroy", name, check=False)
        start = time.monotonic()
        virsh("create", path)
        self.domains.append(name)
        say(f"created transient domain {name} in "
            f"{time.monotonic() - start:.1f} s")
        return lines()

    def stop(self):
        for name in self.domains:
            r = virsh("destroy", name, check=False)
            say(f"destroyed {name}" if r.returncode == 0 else
                f"virsh destroy {name}: {r.stderr.strip()}")
        for s in self.listeners:
            s.close()
        for name, p in reversed(self.started):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            say(f"stopped {name}")
        if self.kvm_restore:
            gid, mode = self.kvm_restore
            os.chown(KVM, -1, gid)
            os.chmod(KVM, mode)
            say(f"{KVM} back to its group and mode")


def live_address(name):
    """The live XML's <graphics type='dbus' address=...> (ElementTree: not
    the code under test)."""
    root = ET.fromstring(virsh("dumpxml", name).stdout)
    g = root.find("./devices/graphics[@type='dbus']")
    if g is None or not g.get("address"):
        e2e.fail(f"the live XML of {name} has no D-Bus graphics address")
    return g.get("address")


def guest_copy(a, tmp):
    """The guest's ELF where libvirt-qemu can read it (libvirt relabels a
    <kernel> for the run: not the build tree's)."""
    path = os.path.join(tmp, "eglview-test-guest.elf")
    shutil.copyfile(a.guest, path)
    os.chmod(path, 0o644)
    return path


class BusUserRun(e2e.Run):
    """tests/qemu's steps, the shim and the viewer run as the owner of the
    domain's bus: libvirt's dbus-daemon for a domain runs as the user QEMU
    runs as (libvirt-qemu) and admits that user only, root included not.
    (The viewer then too: it refuses a server of another uid.)"""

    def __init__(self, a, tmp, address):
        st = os.stat(address.split("path=", 1)[1].split(",")[0])
        self.home = os.path.join(tmp, "bus-user")
        os.mkdir(self.home, 0o700)
        os.chown(self.home, st.st_uid, st.st_gid)
        super().__init__(a, self.home)
        # Its own runtime dir (no one else's sockets), no session bus: a
        # VM by name is then libvirt's, on the URI used here.
        self.prefix = ([] if st.st_uid == os.geteuid() else [
            "setpriv", f"--reuid={st.st_uid}", f"--regid={st.st_gid}",
            "--clear-groups"]) + [
            "env", "-u", "DBUS_SESSION_BUS_ADDRESS", f"HOME={self.home}",
            f"XDG_RUNTIME_DIR={self.home}", f"LIBVIRT_DEFAULT_URI={URI}"]
        self.bus = address
        say(f"the bus's owner: {pwd.getpwuid(st.st_uid).pw_name}")

    def spawn(self, name, cmd, echo=True):
        return super().spawn(name, self.prefix + cmd, echo)

    def type_and_compare(self, debug, target, shot_name, seen=None):
        """An offscreen viewer of target types tests/qemu's four keys
        once the guest is READY: the guest must echo them and the shot
        be qemu-guest-keys.png. seen(viewer's Lines) checks more first."""
        debug.wait_for(r"^READY$")
        script = os.path.join(self.home, "keys.txt")
        e2e.key_script(script)
        os.chmod(script, 0o644)
        shot = os.path.join(self.home, shot_name)
        v, vout = self.spawn("viewer", [self.a.viewer, "--backend",
                                        "offscreen", "-v", "--snapshot", shot,
                                        "--input-script", script, target],
                             echo=False)
        if seen:
            seen(vout)
        e2e.expect_keys(debug, 0)
        e2e.wait_stable(vout, vout.mark())
        self.stop_viewer(v, vout)
        # Written by the bus's owner where only it may; kept with the
        # other tests' shots, and a diff beside it on a mismatch.
        kept = os.path.join(self.a.out_dir, shot_name)
        shutil.copyfile(shot, kept)
        self.compare(kept, [os.path.join(self.a.golden_dir,
                                         "qemu-guest-keys.png")])


def shim_address(lv, a, tmp):
    name = "eglview-lv-shim"
    debug = lv.create(name, guest_copy(a, tmp))
    address = live_address(name)
    say(f"live XML: <graphics type='dbus' address='{address}'/>")
    run = BusUserRun(a, tmp, address)
    try:
        run.start_shim(p2p=False)
        run.type_and_compare(debug, os.path.join(run.home, "vm.sock"),
                             "libvirt-shim-address.png")
    finally:
        run.cleanup()


def by_name(lv, a, tmp):
    name = "eglview-lv-name"
    debug = lv.create(name, guest_copy(a, tmp))
    address = live_address(name)
    run = BusUserRun(a, tmp, address)
    try:
        for prog in (a.viewer, a.shim):
            p, out = run.spawn(os.path.basename(prog), [prog, "--list"])
            if p.wait(timeout=30) != 0:
                e2e.fail(f"{prog} --list exited {p.returncode}")
            out.thread.join()
            want = f"{name}\tlibvirt\t{address}"
            if want not in out.lines:
                e2e.fail(f"{prog} --list lacks {want!r}")
        say(f"--list of both programs: {name}, libvirt, its live address")

        def from_libvirt(vout):
            # The bridge's word (its stderr is the viewer's).
            i, _ = vout.wait_for(re.escape(f'VM "{name}" is on {address}, '
                                           f'libvirt domain {name}'))
            print(f"[viewer] {vout.lines[i]}")
        # No shim started here: the viewer bridges the domain itself.
        run.type_and_compare(debug, name, "libvirt-by-name.png",
                             from_libvirt)
        left = subprocess.run(["pgrep", "-f", "eglview-shim --source qemu "
                               "--vm-name " + name], capture_output=True,
                              text=True).stdout.split()
        if left:
            e2e.fail(f"the viewer's bridge outlived it: pids {left}")
        say(f"qemu-eglview {name}: its own bridge found the domain in "
            "libvirt, showed it and typed into it, and ended with it")
    finally:
        run.cleanup()


# <audio type='dbus'/> named by the D-Bus graphics: libvirt gives QEMU
# -audiodev dbus (id audio1) and -display dbus,...,audiodev=audio1. The PC
# speaker is QEMU's own option: libvirt 9.0 writes <sound model='pcspk'/>
# as -soundhw pcspk, which QEMU 7.2 no longer has.
AUDIO_DEVICES = """<graphics type='dbus'><audio id='1'/></graphics>
    <sound model='ich6'><codec type='duplex'/><audio id='1'/></sound>
    <audio id='1' type='dbus'/>"""
AUDIO_ARGS = ("-machine", "pcspk-audiodev=audio1")
PIT_DIVISOR = 2712                  # 1193182 / 2712 = 439.96 Hz


def hmp(name, command):
    virsh("qemu-monitor-command", name, "--hmp", command)


def audio_case(lv, a, tmp):
    """A domain with sound shown by name: the viewer plays its PC speaker
    (programmed through libvirt's HMP passthrough) into SDL's disk driver;
    the file must hold the tone, within 1 %."""
    from eglview_test import audio   # numpy: only this case needs it
    name = "eglview-lv-audio"
    debug = lv.create(name, guest_copy(a, tmp), AUDIO_DEVICES, AUDIO_ARGS)
    address = live_address(name)
    # What libvirt made of it (the README's and eglview-shim(1)'s XML).
    cmdline = subprocess.run(["pgrep", "-a", "-f", f"guest={name}"],
                             capture_output=True, text=True).stdout
    for want in ('"driver":"dbus"', "audiodev=audio1", "hda-duplex"):
        if want not in cmdline:
            e2e.fail(f"QEMU's command line lacks {want!r}: {cmdline}")
    say("libvirt gave QEMU -audiodev dbus, -display dbus,...,audiodev and "
        "intel-hda with hda-duplex on it")
    run = BusUserRun(a, tmp, address)
    try:
        out = os.path.join(run.home, "played.raw")
        v, vout = run.spawn("viewer", [
            "SDL_AUDIODRIVER=disk", f"SDL_DISKAUDIOFILE={out}", a.viewer,
            "--backend", "offscreen", "-v", name], echo=False)
        debug.wait_for(r"^READY$")
        vout.wait_for(r"<- UPDATE")
        for cmd in ("o /b 0x43 0xb6", f"o /b 0x42 {PIT_DIVISOR & 0xff:#x}",
                    f"o /b 0x42 {PIT_DIVISOR >> 8:#x}", "o /b 0x61 0x03"):
            hmp(name, cmd)
        i, m = vout.wait_for(r"audio: playing stream \d+ of VM .* \((\d+) Hz, "
                             r"(\d+) ch, \w+\) on disk")
        print(f"[viewer] {vout.lines[i]}")
        time.sleep(1.5)
        hmp(name, "o /b 0x61 0x00")
        time.sleep(0.3)
        run.stop_viewer(v, vout)
        rate, channels = int(m[1]), int(m[2])
        x = audio.read_raw(out, channels)
        spans = audio.sound_spans(x, rate)
        if len(spans) != 1 or spans[0][1] - spans[0][0] < 1.0:
            e2e.fail(f"the file ({len(x) / rate:.2f} s) does not hold one "
                     f"tone of about 1.5 s: sound at {spans}")
        got = audio.peak_hz(x[int((spans[0][0] + 0.05) * rate):
                              int(spans[0][1] * rate)], rate)
        want = 1193182 / PIT_DIVISOR
        say(f"qemu-eglview {name}: {spans[0][1] - spans[0][0]:.2f} s of "
            f"{got:.2f} Hz (programmed {want:.2f}) from the domain's PC "
            "speaker")
        if abs(got - want) > want * 0.01:
            e2e.fail(f"the tone is at {got:.2f} Hz, not {want:.2f} within "
                     "1 %")
    finally:
        run.cleanup()


def list_run(a, env_extra=None, path=None, prefix=()):
    env = dict(os.environ, LIBVIRT_DEFAULT_URI=URI)
    env.update(env_extra or {})
    if path is not None:
        env["PATH"] = path
    return subprocess.run([*prefix, a.libvirt_list, "--time"],
                          capture_output=True, text=True, env=env, timeout=30)


def nobody_without_libvirt(a, tmp):
    """A user with no libvirt of their own (virsh's default URI is then
    qemu:///session), nobody as root can run it: virsh's reason, and no
    session libvirtd started for them."""
    if os.geteuid() != 0:
        return
    pw = pwd.getpwnam("nobody")
    nobody = pw.pw_uid

    def daemons():
        return set(subprocess.run(["pgrep", "-u", str(nobody), "-x",
                                   "libvirtd"], capture_output=True,
                                  text=True).stdout.split())
    before = daemons()
    home = os.path.join(tmp, "nobody-home")
    os.mkdir(home, 0o700)
    os.chown(home, nobody, pw.pw_gid)
    env = {k: v for k, v in os.environ.items()
           if k not in ("LIBVIRT_DEFAULT_URI", "LIBVIRT_AUTOSTART")}
    env.update(HOME=home, XDG_RUNTIME_DIR=home, XDG_CACHE_HOME=home,
               XDG_CONFIG_HOME=home)
    r = subprocess.run([a.libvirt_list, "--time"], capture_output=True,
                       text=True, env=env, timeout=30, user=nobody,
                       group=pw.pw_gid, extra_groups=[])
    print(r.stdout + r.stderr, end="")
    time.sleep(0.5)  # virsh's autostart forks the daemon and goes on
    spawned = sorted(daemons() - before)
    for pid in spawned:
        os.kill(int(pid), signal.SIGTERM)
    if spawned:
        e2e.fail(f"looking in libvirt as nobody started a session "
                 f"libvirtd (pids {spawned})")
    if r.returncode != 1 or "failed to connect" not in r.stderr:
        e2e.fail("as nobody without a session libvirtd: -1 and virsh's "
                 "reason expected")
    say("as a user without libvirt: virsh's reason, no session daemon "
        "started")


def list_case(lv, a, tmp):
    guest = guest_copy(a, tmp)
    lv.create("eglview-lv-dbus", guest)
    lv.create("eglview-lv-p2p", guest, "<graphics type='dbus' p2p='yes'/>")
    lv.create("eglview-lv-none", guest, "")
    address = live_address("eglview-lv-dbus")
    want = sorted([f"eglview-lv-dbus\t{address}", "eglview-lv-p2p\t-"])
    # As root, and as the user the shim must be (read-only connection).
    run = BusUserRun(a, tmp, address)
    for prefix, who in (((), "root"), (run.prefix, "the bus's owner")):
        r = list_run(a, prefix=prefix)
        print(r.stdout + r.stderr, end="")
        if r.returncode != 0:
            e2e.fail(f"libvirt-list exited {r.returncode}")
        ours = sorted(l for l in r.stdout.splitlines()
                      if l.startswith("eglview-lv-"))
        if ours != want:
            e2e.fail(f"qemu_libvirt_list gave {ours}, expected {want}")
        say(f"qemu_libvirt_list as {who}: the D-Bus domain with its live "
            "address, the p2p one without, not the one without graphics")

    # By name, what is not to be shown is said (the viewer's bridge).
    for vm, want_rx in (("eglview-lv-p2p", r"eglview-lv-p2p.*p2p='yes'"),
                        ("eglview-lv-none",
                         r'no VM named "eglview-lv-none".*libvirt: D-Bus '
                         r'domains .*"eglview-lv-dbus"')):
        r = subprocess.run(run.prefix + [a.viewer, "--backend", "offscreen",
                                         vm], capture_output=True,
                           text=True, timeout=30)
        print(r.stderr, end="")
        if r.returncode != 1 or not re.search(want_rx, r.stderr):
            e2e.fail(f"qemu-eglview {vm}: exit {r.returncode}; exit 1 "
                     f"and /{want_rx}/ expected")
    say("by name: the p2p domain refused saying p2p='yes', the one without "
        "D-Bus graphics not found, naming the D-Bus ones")

    # As root (not the bus's owner) the domain's bus turns us away: said,
    # with the user to run as, not retried in silence.
    owner = pwd.getpwuid(os.stat(address.split("path=", 1)[1].split(",")[0])
                         .st_uid).pw_name
    if owner != pwd.getpwuid(os.geteuid()).pw_name:
        env = dict(os.environ, LIBVIRT_DEFAULT_URI=URI)
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        r = subprocess.run([a.viewer, "--backend", "offscreen",
                            "eglview-lv-dbus"], capture_output=True,
                           text=True, timeout=30, env=env)
        print(r.stderr, end="")
        want_rx = (r"eglview-lv-dbus.*admits only its owner, user " +
                   re.escape(owner) + r"; run the viewer as that user")
        if r.returncode != 1 or not re.search(want_rx, r.stderr):
            e2e.fail(f"qemu-eglview eglview-lv-dbus as "
                     f"{pwd.getpwuid(os.geteuid()).pw_name}: exit "
                     f"{r.returncode}; exit 1 and /{want_rx}/ expected")
        say(f"by name as another user than {owner}: refused, naming {owner}")

    r = list_run(a, {"LIBVIRT_DEFAULT_URI":
                     "qemu+unix:///system?socket=" +
                     os.path.join(tmp, "no-libvirt-sock")})
    print(r.stdout + r.stderr, end="")
    if r.returncode != 1 or "no-libvirt-sock" not in r.stderr:
        e2e.fail("libvirt unreachable (LIBVIRT_DEFAULT_URI at a missing "
                 "socket): -1 and virsh's reason expected")
    say("LIBVIRT_DEFAULT_URI followed; unreachable libvirt: virsh's reason")

    nobody_without_libvirt(a, tmp)

    r = list_run(a, path=os.path.join(tmp, "empty"))
    print(r.stdout + r.stderr, end="")
    if r.returncode != 1 or "virsh not installed" not in r.stderr:
        e2e.fail("without virsh on PATH: -1 and \"virsh not installed\" "
                 "expected")
    say("no virsh: \"virsh not installed\"")

    # A virsh that never answers (a hung libvirtd) is killed at the
    # deadline and said.
    hung = os.path.join(tmp, "hung")
    os.mkdir(hung)
    with open(os.path.join(hung, "virsh"), "w") as f:
        f.write("#!/bin/sh\nexec sleep 60\n")
    os.chmod(os.path.join(hung, "virsh"), 0o755)
    r = list_run(a, path=hung + ":" + os.environ["PATH"])
    print(r.stdout + r.stderr, end="")
    if r.returncode != 1 or "did not finish within 5 s" not in r.stderr:
        e2e.fail("a virsh that never answers: -1 and \"did not finish "
                 "within 5 s\" expected")
    say("a hung virsh: killed at the deadline, said")


CASES = {"shim-address": shim_address, "list": list_case,
         "by-name": by_name, "audio": audio_case}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    for opt in ("shim", "viewer", "imgcmp", "guest", "golden-dir", "out-dir",
                "libvirt-list"):
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--tolerance", type=int, required=True)
    a = ap.parse_args()
    a.scenario = "libvirt-" + a.case
    os.makedirs(a.out_dir, exist_ok=True)
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="eglview-libvirt-")
    # QEMU runs as libvirt-qemu: it must reach the guest and the socket.
    os.chmod(tmp, 0o755)
    # So do the viewer and the shim run as it.
    copy_programs(a, ("viewer", "shim", "libvirt_list"), tmp)
    lv = Libvirt(tmp)
    try:
        lv.start()
        CASES[a.case](lv, a, tmp)
    finally:
        lv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    say(f"{a.case} passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
