#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""HiDPI on Wayland: weston headless with an output of scale 2 (320x240
logical, 640x480 pixels), the viewer fullscreen against the 640x480 demo.
The window's buffer must have the output's pixels, not its logical size:
the head then shows 1:1 in pixels and the screenshot equals the golden
demo-plain.png (tolerance 4), on the zero-copy path (the viewport maps
the guest buffer onto the 320x240 logical surface) and on the GL path
(--zero-copy off, a 640x480 buffer at buffer scale 2). A viewer that drew
320x240 and let weston scale it up would fail: the text blurs.

Skips (77) where weston cannot run."""
import sys

from eglview_test.procs import need_tools, screen_test_args
from eglview_test.weston import Weston, check, zero_copy_shot


def main():
    a = screen_test_args()
    need_tools("weston", "weston-screenshooter")
    w = Weston(a, "headless", "pixman", 320, 240, extra=["--scale=2"])
    ok = True
    try:
        for name, args, path in [("zero-copy", [], "zero-copy wl_shm"),
                                 ("gl", ["--zero-copy", "off"], "GL")]:
            st_ok, st = zero_copy_shot(a, w, f"wayland-hidpi-{name}", args)
            ok &= st_ok
            head = st.get("head 1", "")
            ok &= check(f"scale 2, {name}: head 1 on its path",
                        head.startswith(path), head)
    finally:
        w.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
