#!/usr/bin/env python3
"""Bad input from one side does not hurt the other: while the real
qemu-eglview is watching the real eglview-shim (demo source), misbehaving
viewers send a truncated packet, a server-only message and INPUT to an
unknown device; each gets ERROR with the spec's code and is closed, and
the real viewer goes on to show all its frames and exit 0, and the shim
still answers PING."""
import os
import subprocess
import sys
import tempfile

# Under `meson test --setup valgrind`, WRAP and SLOW (tests/lib).
from eglview_test.procs import SLOW, WRAP, wait_for_socket


def main():
    shim, viewer, rogue = sys.argv[1:4]
    with tempfile.TemporaryDirectory(prefix="eglview-survive-") as tmp:
        sock = os.path.join(tmp, "vm.sock")
        s = subprocess.Popen(WRAP + [shim, "--source", "demo", "--size", "320x240",
                              "--fps", "60", sock])
        try:
            if not wait_for_socket(sock, s, step=0.02):
                sys.exit("survive: eglview-shim did not start listening")
            v = subprocess.Popen(WRAP + [viewer, "--backend", "offscreen",
                                  "--exit-after-frames", "90", sock])
            for mode in ("truncated", "unexpected", "bad-input"):
                r = subprocess.run(WRAP + [rogue, sock, mode], timeout=20 * SLOW)
                if r.returncode != 0:
                    sys.exit(f"survive: rogue viewer ({mode}) failed")
            rc = v.wait(timeout=60 * SLOW)
            if rc != 0:
                sys.exit(f"survive: the real viewer exited {rc}, expected 0")
            if s.poll() is not None:
                sys.exit(f"survive: eglview-shim died ({s.returncode})")
            if subprocess.run(WRAP + [rogue, sock, "ping"], timeout=20 * SLOW).returncode != 0:
                sys.exit("survive: the shim no longer answers PING")
            print("survive: shim and viewer unharmed by three bad viewers")
        finally:
            s.terminate()
            s.wait(timeout=10 * SLOW)


if __name__ == "__main__":
    main()
