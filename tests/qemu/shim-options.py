#!/usr/bin/env python3
"""eglview-shim refuses an option that does not apply to the chosen
source (exit 2, naming the option and the source it belongs to), instead
of accepting it and doing nothing; --record-input applies to both (the
QEMU source's recording is checked against the fake QEMU peer). The
by-name options refuse what cannot go with them: --no-wait without
--vm-name, --vm-name with --qmp, --list with a NAME."""
import subprocess
import sys
import tempfile

DEMO_ONLY = [["--buffers", "shm"], ["--size", "64x64"], ["--fps", "5"],
             ["--frames", "3"], ["--wait-for-viewer"], ["--mouse", "relative"],
             ["--touch"], ["--heads", "2"]]
QEMU_ONLY = [["--dbus-address", "unix:path=/nonexistent"],
             ["--qmp", "/nonexistent"], ["--vm-name", "vm1"]]
# (arguments, what the error must say); each exits 2.
REFUSED = [(["--source", "qemu", "--no-wait"],
            "--no-wait applies to --vm-name only"),
           (["--source", "qemu", "--vm-name", "vm1", "--qmp", "/x.qmp"],
            "--vm-name vm1 and --qmp /x.qmp"),
           (["--list", "extra"], "--list takes no NAME")]


def main():
    shim = sys.argv[1]
    failed = 0
    with tempfile.TemporaryDirectory(prefix="eglview-shim-opts-") as tmp:
        cases = [(["--source", "qemu"] + o, o[0], "demo") for o in DEMO_ONLY]
        cases += [(o, o[0], "qemu") for o in QEMU_ONLY]
        for args, name, owner in cases:
            r = subprocess.run([shim, *args, tmp + "/vm.sock"],
                               capture_output=True, text=True, timeout=10)
            want = f"{name} applies to --source {owner} only"
            ok = r.returncode == 2 and want in r.stderr
            print(f"{'ok' if ok else 'FAIL'}: {' '.join(args)}: exit "
                  f"{r.returncode}: {r.stderr.strip()}")
            failed += not ok
        for args, want in REFUSED:
            r = subprocess.run([shim, *args] + ([] if "--list" in args else
                               [tmp + "/vm.sock"]), capture_output=True,
                               text=True, timeout=10)
            ok = r.returncode == 2 and want in r.stderr
            print(f"{'ok' if ok else 'FAIL'}: {' '.join(args)}: exit "
                  f"{r.returncode}: {r.stderr.strip()}")
            failed += not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
