# SPDX-License-Identifier: MIT
"""The records an input test expects: lines of the demo shim's
--record-input file ("keyboard EV_KEY KEY_A 1"), the values PROTOCOL.md
gives an absolute position, and the comparison that says what differs."""
import math

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


def expect(name, got, want):
    """Prints ok or what was expected and recorded; True when equal."""
    if got != want:
        print(f"FAIL {name}:\n  expected:\n    " + "\n    ".join(want) +
              "\n  recorded:\n    " + "\n    ".join(got))
        return False
    print(f"ok   {name} ({len(want)} records)")
    return True
