#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The clipboard both ways in a real SDL window on Xvfb (PROTOCOL.md, "The
clipboard"), the demo shim on the other side; xclip reads and writes the
X server's CLIPBOARD selection.

  both   the demo offers "copied in the demo" (--clipboard-text): the
         viewer fetches it and the host's clipboard holds it. Then the
         user copies "copied on the host\\n" in another window and comes
         back: the demo fetches it (its --record-input has the comment
         line "# clipboard 19 bytes: ..." with the newline escaped)
  off    --clipboard off: neither way
"""
import argparse
import subprocess
import sys
import time

from eglview_test.procs import need_tools, wait_for
from eglview_test.xsession import Session

DEMO_TEXT = "copied in the demo"
HOST_TEXT = "copied on the host\n"
HOST_RECORD = "# clipboard 19 bytes: copied on the host\\x0a"


def host_clipboard(s):
    r = subprocess.run(["xclip", "-selection", "clipboard", "-o"],
                       env=s.env, capture_output=True, text=True, timeout=10)
    return r.stdout if r.returncode == 0 else None


def copy_elsewhere(s, text):
    """Another window has the focus while xclip takes the selection."""
    s.focus_root()
    subprocess.run(["xclip", "-selection", "clipboard", "-i"], input=text,
                   env=s.env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, text=True, timeout=10,
                   check=True)
    s.focus()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    ap.add_argument("--case", required=True, choices=["both", "off"])
    a = ap.parse_args()
    need_tools("xclip")
    viewer_args = ["-v"] + (["--clipboard", "off"] if a.case == "off" else [])
    s = Session(a.shim, a.viewer, ["--clipboard-text", DEMO_TEXT],
                viewer_args)
    ok = True
    try:
        if a.case == "both":
            wait_for("the demo's text on the host",
                     lambda: host_clipboard(s) == DEMO_TEXT,
                     proc=s.viewer)
            print("ok   the host's clipboard holds the demo's text")
            copy_elsewhere(s, HOST_TEXT)
            wait_for("the host's text in the demo",
                     lambda: HOST_RECORD in s.records(), proc=s.viewer)
            print("ok   the demo got the host's text")
        else:
            time.sleep(1.0)
            got = host_clipboard(s)
            if got == DEMO_TEXT:
                print("FAIL --clipboard off: the demo's text reached the host")
                ok = False
            copy_elsewhere(s, HOST_TEXT)
            s.sync()
            if any(l.startswith("# clipboard") for l in s.records()):
                print("FAIL --clipboard off: the host's text reached the demo")
                ok = False
            if ok:
                print("ok   --clipboard off: nothing either way")
    finally:
        s.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
