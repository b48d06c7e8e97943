# SPDX-License-Identifier: MIT
"""The Python tests' library, found through PYTHONPATH (tests/lib, set by
each test's meson env):

  procs     start, watch and stop programs: bounded waits, the valgrind
            setup's WRAP and SLOW, Lines (a program's output by pattern),
            imgcmp
  records   the demo shim's --record-input lines and their comparison
  xsession  a private Xvfb; the SDL tests' session on it
  weston    a private weston; screenshots until they match, --stats
  waypipe   a program carried to that weston by waypipe, as from another
            machine, through a relay that counts the bytes
  held      held-demo, the demo holding its last frame; --stats figures
"""
