#!/usr/bin/env python3
"""install / example-vmm: libeglview-server as a VMM gets it.

`meson install --no-rebuild --destdir TMP` of this build; what lands must
be the viewer, the shim, the shared library (soname libeglview-server.so.
MAJOR, exporting exactly the functions its installed header declares),
the headers (<eglview/server.h> and the eglview-proto.h it includes,
nothing else), the pkg-config file (its version the header's) and the
man pages. The installed header must compile on its own, and
tests/install/example-vmm.c is built with nothing but `pkg-config --cflags
--libs eglview-server` pointed into TMP (PKG_CONFIG_LIBDIR +
PKG_CONFIG_SYSROOT_DIR) and run on the installed library
(LD_LIBRARY_PATH). The in-tree qemu-eglview (--backend offscreen)
connects to it, sends KEY_A pressed and released (key.txt); the example
must print both records, and the viewer's snapshot must match the
reviewed golden under imgcmp's tolerance.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

from eglview_test.procs import SLOW, WRAP, check, imgcmp, wait_for_socket

EV_KEY, KEY_A = 1, 30
# Function declarations of the public header: at the start of a line, a
# return type, then server_NAME( (typedefs left out).
DECL = re.compile(r"^(?!typedef)[a-z][\w ]*[ *](server_\w+)\(", re.M)


def run(cmd, **kw):
    print("+", " ".join(cmd))
    return subprocess.run(cmd, text=True, capture_output=True, **kw)


def must(cmd, what, **kw):
    r = run(cmd, **kw)
    if r.returncode != 0:
        sys.stdout.write(r.stdout + r.stderr)
        sys.exit(f"install: {what} failed (exit {r.returncode})")
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meson", required=True)
    ap.add_argument("--build-root", required=True)
    ap.add_argument("--example", required=True)
    ap.add_argument("--input-script", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--imgcmp", required=True)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--tolerance", type=int, required=True)
    ap.add_argument("--cflags", default="",
                    help="what the build's objects were compiled with that "
                    "a program linking them needs too (-fsanitize=...)")
    ap.add_argument("--man", action="append", default=[],
                    help="a man page that must be installed, e.g. man3/"
                    "libeglview-server.3 (repeatable)")
    a = ap.parse_args()

    os.makedirs(a.out_dir, exist_ok=True)
    shot = os.path.join(a.out_dir, "example-vmm.png")
    diff = os.path.join(a.out_dir, "example-vmm-diff.png")
    for stale in (shot, diff):
        if os.path.exists(stale):
            os.unlink(stale)

    ok = True
    with tempfile.TemporaryDirectory(prefix="eglview-install-") as tmp:
        root = os.path.join(tmp, "root")
        must([a.meson, "install", "-C", a.build_root, "--no-rebuild",
              "--destdir", root], "meson install")
        files = sorted(os.path.relpath(os.path.join(d, f), root)
                       for d, _, fs in os.walk(root) for f in fs)
        print("installed:\n  " + "\n  ".join(files))

        pcs = glob.glob(os.path.join(root, "**", "pkgconfig",
                                     "eglview-server.pc"), recursive=True)
        if len(pcs) != 1:
            sys.exit(f"install: expected one eglview-server.pc, got {pcs}")
        pcdir = os.path.dirname(pcs[0])
        libdir = os.path.dirname(pcdir)
        with open(pcs[0]) as f:
            prefix = root + re.search(r"^prefix=(.*)$", f.read(), re.M)[1]
        rel = lambda p: os.path.relpath(p, prefix)
        have = {rel(os.path.join(root, f)) for f in files}
        ok &= check("bin/qemu-eglview and bin/eglview-shim installed",
                    {"bin/qemu-eglview", "bin/eglview-shim"} <= have)
        headers = sorted(f for f in have if f.startswith("include/"))
        ok &= check("the headers: eglview/server.h and eglview/eglview-proto.h",
                    headers == ["include/eglview/eglview-proto.h",
                                "include/eglview/server.h"], str(headers))
        ok &= check("no static library installed",
                    not [f for f in have if f.endswith(".a")])
        for page in a.man:
            ok &= check(f"man page {page}",
                        os.path.join("share/man", page) in have)

        header = os.path.join(prefix, "include", "eglview", "server.h")
        with open(header) as f:
            text = f.read()
        major = int(re.search(r"#define EGLVIEW_SERVER_VERSION_MAJOR (\d+)", text)[1])
        minor = int(re.search(r"#define EGLVIEW_SERVER_VERSION_MINOR (\d+)", text)[1])
        declared = set(DECL.findall(text))
        print(f"header: version {major}.{minor}, {len(declared)} functions")

        # The .so: its soname, its exports, no path into the build tree.
        so = os.path.join(libdir, f"libeglview-server.so.{major}")
        ok &= check(f"{rel(so)} and the link name libeglview-server.so",
                    os.path.exists(so) and
                    os.path.exists(os.path.join(libdir, "libeglview-server.so")))
        if not os.path.exists(so):
            sys.exit(1)
        dyn = must(["readelf", "-d", so], "readelf -d")
        soname = re.findall(r"\(SONAME\)\s+Library soname: \[(.*)\]", dyn)
        ok &= check(f"SONAME libeglview-server.so.{major}",
                    soname == [f"libeglview-server.so.{major}"], str(soname))
        ok &= check("no RPATH/RUNPATH", "PATH)" not in dyn)
        exported, odd = set(), []
        for line in must(["nm", "-D", "--defined-only", so], "nm").splitlines():
            _, kind, name = line.split()
            name = name.split("@")[0]
            if kind == "A" and name.startswith("EGLVIEW_SERVER_"):
                continue  # a version node
            if kind == "T":
                exported.add(name)
            else:
                odd.append(f"{kind} {name}")
        ok &= check("the .so exports no data or other symbols", not odd,
                    " ".join(odd))
        ok &= check("every function of the header is exported",
                    declared <= exported,
                    " ".join(sorted(declared - exported)))
        ok &= check("nothing but the header's functions is exported",
                    exported <= declared,
                    " ".join(sorted(exported - declared)))

        # Compiled against what is installed, through pkg-config only.
        env = dict(os.environ, PKG_CONFIG_LIBDIR=pcdir,
                   PKG_CONFIG_SYSROOT_DIR=root)
        env.pop("PKG_CONFIG_PATH", None)
        modversion = must(["pkg-config", "--modversion", "eglview-server"],
                          "pkg-config", env=env).strip()
        ok &= check(f"pkg-config version {major}.{minor}",
                    modversion == f"{major}.{minor}", modversion)
        flags = must(["pkg-config", "--cflags", "--libs", "eglview-server"],
                     "pkg-config", env=env).split()
        print("pkg-config:", " ".join(flags))
        strict = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]
        extra = a.cflags.split()
        alone = os.path.join(tmp, "alone.c")
        with open(alone, "w") as f:
            f.write("#include <eglview/server.h>\n")
        must(["cc"] + strict + extra + ["-c", alone, "-o",
              os.path.join(tmp, "alone.o")] + flags,
             "compiling <eglview/server.h> on its own")
        ok &= check("<eglview/server.h> compiles on its own", True)
        exe = os.path.join(tmp, "example-vmm")
        must(["cc"] + strict + extra + [a.example, "-o", exe] + flags,
             "building example-vmm")
        run_env = dict(os.environ, LD_LIBRARY_PATH=libdir)
        ldd = must(["ldd", exe], "ldd", env=run_env)
        where = re.findall(r"libeglview-server\.so\.\d+ => (\S+)", ldd)
        ok &= check("example-vmm loads the installed library",
                    len(where) == 1 and os.path.realpath(where[0]) ==
                    os.path.realpath(so), str(where))

        sock = os.path.join(tmp, "vm.sock")
        out_path = os.path.join(tmp, "example-vmm.out")
        viewer_cmd = [a.viewer, "--backend", "offscreen", "--snapshot", shot,
                      "--input-script", a.input_script, sock]
        print("+", exe, sock)
        with open(out_path, "w") as out:
            vmm = subprocess.Popen(WRAP + [exe, sock], stdout=out,
                                   env=run_env)
        try:
            if not wait_for_socket(sock, vmm):
                sys.exit(f"install: example-vmm exited ({vmm.poll()}) or "
                         f"no socket at {sock}")
            print("+", " ".join(viewer_cmd))
            viewer = subprocess.run(WRAP + viewer_cmd, timeout=60 * SLOW)
            vmm_rc = vmm.wait(timeout=30 * SLOW)
        finally:
            if vmm.poll() is None:
                vmm.kill()
                vmm.wait()
        with open(out_path) as f:
            said = f.read()
        print("example-vmm said:\n  " + "\n  ".join(said.splitlines()))
        ok &= check("qemu-eglview exited 0", viewer.returncode == 0,
                    str(viewer.returncode))
        ok &= check("example-vmm exited 0", vmm_rc == 0, str(vmm_rc))
        ok &= check(f"example-vmm ran on library {major}.{minor}",
                    f"running on {major}.{minor}\n" in said)
        for value in (1, 0):
            rec = f"type {EV_KEY} code {KEY_A} value {value}"
            ok &= check(f"example-vmm read KEY_A {value}",
                        re.search(rf"^input: device \d+ kind 1 {rec}$", said,
                                  re.M) is not None)

    same = os.path.exists(shot) and imgcmp(a.imgcmp, a.reference, shot,
                                           a.tolerance, diff, wrap=True)[0]
    ok &= check(f"snapshot matches {os.path.basename(a.reference)} within "
                f"{a.tolerance}", same, f"shot {shot}, diff {diff}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
