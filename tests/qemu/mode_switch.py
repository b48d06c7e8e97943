#!/usr/bin/env python3
"""A guest changing mode, through a real QEMU (gl=off here; tests/vm/glon.py
runs the same scenario under gl=on): the test guest with -append text
first shows a fixed VGA text screen (80x25, 720x400), then at a key press
sets 1024x768x32 and draws its picture.

  1. a viewer joins while the text screen is up: its snapshot must equal
     qemu-text-mode.png (720x400);
  2. a second viewer joins in text mode and types Space (the switch) and
     the four keys of qemu-guest-keys: it must follow the switch on its
     own connection, and its last frame equal qemu-guest-keys.png.

Uses e2e.py's Run (the same QEMU, shim and viewer command lines), with
-append text. Exit 77 only where e2e.py would skip.
"""
import argparse
import os
import tempfile
import time

import e2e

# Space switches (the guest does not echo it), then e2e's four keys.
SWITCH_KEY = [("KEY_SPACE", 0x39)]


class ModeRun(e2e.Run):
    """e2e.Run with the guest's -append and, for tests/vm/glon.py, more
    -display dbus options and viewer options."""

    def __init__(self, a, tmp, append="text", display_extra="",
                 viewer_extra=()):
        super().__init__(a, tmp)
        self.append, self.display_extra = append, display_extra
        self.viewer_extra = list(viewer_extra)

    def spawn(self, name, cmd, echo=True):
        cmd = list(cmd)
        if name == "qemu":
            i = cmd.index("-display") + 1
            cmd[i] = cmd[i].replace("dbus", "dbus" + self.display_extra, 1)
            if self.append and "-kernel" in cmd:
                cmd += ["-append", self.append]
        elif name == "viewer":
            cmd[1:1] = self.viewer_extra
        return super().spawn(name, cmd, echo)


def mode_switch(run, a, p2p=False, prefix="qemu-mode-switch"):
    """The scenario; returns (shim output, text viewer's output, switching
    viewer's output) for the caller's own checks."""
    if not p2p:
        run.start_bus()
    qemu, qout = run.start_qemu(p2p=p2p, seabios=False)
    shim, sout = run.start_shim(p2p=p2p)
    qout.wait_for(r"^TEXT$")
    shot_text = os.path.join(a.out_dir, prefix + "-text.png")
    vt, vtout = run.start_viewer(shot_text)
    vtout.wait_for(r"<- UPDATE")
    # The text mode's size reached the viewer: QEMU may show the
    # console's earlier size for longer than wait_stable's quiet.
    vtout.wait_for(r'head \d+ "[^"]*": 720x400 ')
    e2e.wait_stable(vtout, vtout.mark())
    run.stop_viewer(vt, vtout)
    run.compare(shot_text, [os.path.join(a.golden_dir, "qemu-text-mode.png")])

    script = os.path.join(run.tmp, "keys.txt")
    e2e.key_script(script, SWITCH_KEY + e2e.KEYS)
    shot = os.path.join(a.out_dir, prefix + "-1024x768.png")
    mark = qout.mark()
    v, vout = run.start_viewer(shot, script)
    qout.wait_for(r"^READY$", mark)
    e2e.expect_keys(qout, mark)
    e2e.wait_stable(vout, vout.mark())
    run.stop_viewer(v, vout)
    run.compare(shot, [os.path.join(a.golden_dir, "qemu-guest-keys.png")])
    if shim.poll() is not None:
        e2e.fail(f"the shim exited ({shim.returncode})")
    print("e2e: the viewer that joined in text mode followed the switch to "
          "1024x768 and shows the guest's picture")
    return sout, vtout, vout


def main():
    a = e2e.parse_args(argparse.ArgumentParser())
    a.scenario = "mode-switch"
    e2e.skip_or_prepare(a)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="eglview-mode-") as tmp:
        run = ModeRun(a, tmp)
        try:
            mode_switch(run, a)
        finally:
            run.cleanup()
    print(f"e2e: mode-switch passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
