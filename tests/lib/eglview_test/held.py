# SPDX-License-Identifier: MIT
"""held-demo (tests/lib/held-demo.c): the demo VM that holds its last
frame instead of leaving, so a window test can take a screenshot of a
picture that moved while the viewer still shows it; and the figures of
the viewer's --stats line."""
import os
import re
import signal
import subprocess

from eglview_test.procs import Lines, stop_procs, wait_for


class HeldDemo:
    """held-demo serving sock; args as eglview-shim's (--size, --fps,
    --frames), or --full-change. With start_on_signal its clock waits for
    start_clock(); with presents its --verbose lines, one a present, come
    into lines too (with the time each came)."""

    def __init__(self, exe, sock, *args, env=None, start_on_signal=False,
                 presents=False):
        cmd = [exe, *args] + (["--start-on-signal"] if start_on_signal else [])
        cmd += (["--verbose"] if presents else []) + [sock]
        print("held-demo:", " ".join(cmd))
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT if presents
                                     else None, text=True)
        self.lines = Lines(self.proc.stdout, "held-demo's output")
        wait_for("held-demo's socket", lambda: os.path.exists(sock),
                 proc=self.proc)

    def start_clock(self):
        self.proc.send_signal(signal.SIGUSR1)

    def wait_holding(self, frame, timeout=None):
        """Until frame is made and every viewer has shown it."""
        self.lines.wait_for(rf"holding frame {frame}$", timeout=timeout)

    def stop(self):
        stop_procs([self.proc])


def viewer_stats(err):
    """The viewer's `stats: frames=... pixels_drawn=...` line as ints."""
    for line in err.splitlines():
        m = re.search(r"qemu-eglview: stats: (frames=.*)", line)
        if m:
            return {k: int(v) for k, v in
                    (f.split("=", 1) for f in m.group(1).split())}
    return {}
