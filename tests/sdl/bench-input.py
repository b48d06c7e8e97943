#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Input latency: a key injected into Xvfb through XTest until its record
is in the demo shim's --record-input file, beside a bare unix-socket round
trip on this machine. Prints medians; asserts nothing."""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import time

from eglview_test.procs import wait_for
from eglview_test.xsession import Session

ROUNDS = 40


def socket_round_trip():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    times = []
    for _ in range(2000):
        t0 = time.perf_counter_ns()
        a.send(b"x" * 16)
        b.recv(16)
        b.send(b"y" * 8)
        a.recv(8)
        times.append(time.perf_counter_ns() - t0)
    return statistics.median(times) / 1000.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shim", required=True)
    ap.add_argument("--viewer", required=True)
    a = ap.parse_args()
    s = Session(a.shim, a.viewer)
    try:
        # xdotool is a process per call; keep one running and feed it
        # commands on stdin so the clock starts at the XTest request.
        xdo = subprocess.Popen(["xdotool", "-"], stdin=subprocess.PIPE,
                               env=s.env, text=True)
        size = os.path.getsize(s.record)
        latencies = []
        for i in range(ROUNDS):
            t0 = time.perf_counter_ns()
            xdo.stdin.write("keydown a\n" if i % 2 == 0 else "keyup a\n")
            xdo.stdin.flush()
            # A 0.2 ms poll of the file's size: the resolution of this
            # measurement (inotify would be finer but is one more layer).
            deadline = time.monotonic() + 10
            while os.path.getsize(s.record) <= size:
                if time.monotonic() > deadline:
                    sys.exit("bench-input: no record within 10 s")
                time.sleep(0.0002)
            latencies.append(time.perf_counter_ns() - t0)
            # One record then SYN: wait for both before the next key.
            wait_for("its SYN_REPORT", lambda: open(s.record).read().endswith(
                "SYN_REPORT 0\n"), timeout=10)
            size = os.path.getsize(s.record)
        xdo.stdin.close()
        xdo.wait()
    finally:
        s.close()
    med = statistics.median(latencies) / 1000.0
    print(f"input latency (XTest key -> shim record, {ROUNDS} keys, includes "
          f"xdotool's parse and a 0.2 ms file poll): median {med:.0f} us, "
          f"min {min(latencies) / 1000.0:.0f} us")
    print(f"bare unix socket round trip (16 B there, 8 B back): median "
          f"{socket_round_trip():.1f} us")


if __name__ == "__main__":
    main()
