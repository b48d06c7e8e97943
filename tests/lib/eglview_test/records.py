# SPDX-License-Identifier: MIT
"""The records an input test expects: lines of the demo shim's
--record-input file ("keyboard EV_KEY KEY_A 1"), the values PROTOCOL.md
gives an absolute position (with the letterbox fit written out again
here, not taken from the viewer), and the comparison that says what
differs."""
import math
import sys

from eglview_test.procs import wait_for

ABS_MAX = 32767


def read(path):
    """The record file's lines, or [] before the shim wrote one."""
    try:
        with open(path) as f:
            return [l.strip() for l in f if l.strip()]
    except FileNotFoundError:
        return []


def kb(code, value):
    return [f"keyboard EV_KEY {code} {value}", "keyboard EV_SYN SYN_REPORT 0"]


def scale(h, size):
    """Position h (pixels, may be fractional) on a size-pixel axis as
    0..ABS_MAX."""
    return int(math.floor(h * ABS_MAX / size + 0.5))


def fit_rect(dw, dh, hw=640, hh=480):
    """An hw x hh head letterboxed into dw x dh (--scale fit), rounded to
    the nearest pixel: (x, y, width, height)."""
    if dw * hh <= dh * hw:
        h = min(dh, (hh * dw + hw // 2) // hw)
        return 0, (dh - h) // 2, dw, h
    w = min(dw, (hw * dh + hh // 2) // hh)
    return (dw - w) // 2, 0, w, dh


def head_at(rect, wx, wy, hw=640, hh=480):
    """Window position wx, wy (pixels, may be fractional) on an hw x hh
    head shown in rect: the head position, in head pixels."""
    rx, ry, rw, rh = rect
    return (wx - rx) * hw / rw, (wy - ry) * hh / rh


def abs_at(rect, wx, wy, hw=640, hh=480):
    """The absolute values for the pointer on window pixel wx, wy: its
    centre mapped onto the head in rect (PROTOCOL.md's rule)."""
    hx, hy = head_at(rect, wx + 0.5, wy + 0.5, hw, hh)
    return scale(hx, hw), scale(hy, hh)


def expect(name, got, want):
    """Prints ok or what was expected and recorded; True when equal."""
    if got != want:
        print(f"FAIL {name}:\n  expected:\n    " + "\n    ".join(want) +
              "\n  recorded:\n    " + "\n    ".join(got))
        return False
    print(f"ok   {name} ({len(want)} records)")
    return True


MARKER = kb("KEY_F12", 1) + kb("KEY_F12", 0)


class Sync:
    """The records since the last call, up to an F12 marker: press_f12()
    presses and releases F12 (xdotool); once its records are in the file
    at path, every host event before it has been handled (one X
    connection, one order)."""

    def __init__(self, path, press_f12):
        self.path, self.press = path, press_f12
        self.consumed = 0  # record lines returned so far

    def skip(self):
        """Forgets every record written so far."""
        self.consumed = len(read(self.path))

    def __call__(self, proc=None):
        """The records before the marker (proc: the viewer, watched while
        waiting), forgotten from now on."""
        start = self.consumed
        self.press()

        def done():
            got = read(self.path)[start:]
            return len(got) >= 4 and got[-4:] == MARKER
        try:
            wait_for("the F12 marker in the record file", done, proc=proc)
        except RuntimeError:
            print("records since the last marker:", read(self.path)[start:],
                  file=sys.stderr)
            raise
        got = read(self.path)
        self.consumed = len(got)
        return got[start:-4]
