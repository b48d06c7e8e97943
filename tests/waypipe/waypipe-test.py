#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""qemu-eglview --backend wayland through waypipe onto weston 10
headless (pixman, 640x480): the viewer behind `waypipe server`, weston
behind `waypipe client`, the two joined by a local socket through a
relay that counts the bytes (eglview_test.waypipe). Cases:

  demo    the demo (held-demo) fullscreen: frame 0 is demo-plain.png,
          after 30 frames of its square moving demo-moving.png (every
          pixel a buffer missed came across); --stats: the head stayed
          on the zero-copy path (the demo's memfds wl_shm buffers on a
          subsurface), nothing uploaded
  damage  the bytes waypipe moved per frame for the demo's moving square
          and for a full-screen change (held-demo --full-change, every
          pixel new each frame), 60 frames at 20 a second, each way,
          printed; the square must move
          under a tenth of the full change's bytes, and weston must get
          the subsurface's damage as the viewer gave it: the square's
          commits damage under a tenth of the buffer (weston-debug's
          proto stream), the full change's all of it

waypipe 0.8.4 compares the whole of a committed wl_shm buffer with its
copy of it and sends the bytes that differ, whatever the damage (its
handlers.c adds the whole buffer to the damage it replays): its bytes
follow what changed, not the damage, so a viewer that damaged all would
move as few. That is why the damage is checked where it lands, at
weston."""
import argparse
import os
import re
import subprocess
import sys

from eglview_test.held import HeldDemo
from eglview_test.procs import check, need_tools, stop_procs, wait_for
from eglview_test.waypipe import Waypipe, wait_exit
from eglview_test.weston import Weston, shot_until, stats_of

WIDTH, HEIGHT = 640, 480


def viewer_cmd(a, sock):
    return [a.viewer, "--backend", "wayland", "--fullscreen", "--stats", sock]


def zero_copy_checks(err, what):
    """The viewer's --stats: its head was handed to the compositor."""
    st = stats_of(err or "")
    head = st.get("head 1", "")
    ok = check(f"{what}: head 1 zero-copy wl_shm through waypipe",
               head.startswith("zero-copy wl_shm"), head)
    up = st.get("stats", {}).get("bytes_uploaded")
    ok &= check(f"{what}: nothing uploaded", up == "0", f"bytes_uploaded={up}")
    return ok, st


def case_demo(a, w, wp):
    sock = os.path.join(w.dir, "demo.sock")
    demo = HeldDemo(a.held_demo, sock, "--size", f"{WIDTH}x{HEIGHT}",
                    "--fps", "60", "--frames", "30", start_on_signal=True)
    try:
        server, relay = wp.run(viewer_cmd(a, sock))
        ok = shot_until(a, w, "waypipe-demo-frame0",
                        os.path.join(a.golden, "demo-plain.png"))
        demo.start_clock()
        demo.wait_holding(29)
        ok &= shot_until(a, w, "waypipe-demo",
                         os.path.join(a.golden, "demo-moving.png"))
    finally:
        demo.stop()  # GOODBYE: the viewer, then waypipe server, exit
    err = wait_exit(server)
    sys.stderr.write(err or "")
    ok &= check("the viewer and waypipe server exited 0",
                server.returncode == 0, f"status {server.returncode}")
    good, st = zero_copy_checks(err, "demo")
    ok &= good
    handed = int(st.get("zero-copy", {}).get("frames_handed", "0"))
    ok &= check("the frames came through", handed >= 2,
                f"frames_handed={handed}")
    print(f"     waypipe moved {relay.up} bytes to weston's side and "
          f"{relay.down} back")
    return ok


# --- damage ----------------------------------------------------------------

class ProtoDump:
    """weston-debug's proto stream: every request weston got, whose
    wl_surface.damage_buffer rects per commit of the subsurfaces' surfaces
    are read back."""

    def __init__(self, w, path):
        self.path = path
        if os.path.exists(path):
            os.unlink(path)  # weston-debug -o does not truncate
        self.proc = w.spawn(["weston-debug", "-o", path, "proto"],
                            stderr=subprocess.DEVNULL)
        # Its first line is its own request: the stream is bound.
        wait_for("weston-debug's proto stream",
                 lambda: os.path.exists(path) and os.path.getsize(path) > 0,
                 proc=self.proc)

    def stop(self):
        stop_procs([self.proc])

    def damage_per_commit(self, width, height):
        """For each subsurface's surface (in the order they were made):
        the damaged pixels (clipped to width x height) of each commit
        with a buffer attached."""
        rx = re.compile(r"client (\S+) rq (\w+)@(\d+)\.(\w+)\((.*)\)$")
        rx_sub = re.compile(r"new id wl_subsurface@\d+, wl_surface@(\d+)")
        subs, pending, commits = [], {}, {}
        with open(self.path, errors="replace") as f:
            for line in f:
                m = rx.search(line.rstrip("\n"))
                if not m:
                    continue
                client, iface, oid, req, args = m.groups()
                if req == "get_subsurface":
                    s = rx_sub.search(args)
                    if s:
                        subs.append((client, s.group(1)))
                        commits[subs[-1]] = []
                    continue
                key = (client, oid)
                if iface != "wl_surface" or key not in commits:
                    continue
                p = pending.setdefault(key, {"area": 0, "buffer": False})
                if req == "attach":
                    p["buffer"] = not args.startswith("nil")
                elif req == "damage_buffer":
                    x, y, dw, dh = (int(v) for v in args.split(","))
                    dw = max(0, min(x + dw, width) - max(x, 0))
                    dh = max(0, min(y + dh, height) - max(y, 0))
                    p["area"] += dw * dh
                elif req == "commit":
                    if p["buffer"]:
                        commits[key].append(p["area"])
                    pending[key] = {"area": 0, "buffer": False}
        return [commits[s] for s in subs]


def measure(a, w, wp, name, picture, frames, fps):
    """held-demo (picture: its extra arguments) through waypipe: its
    figures per frame, whether the viewer stayed zero-copy. The bytes
    are counted from its fifth present after the last one into a buffer
    not shown before (a buffer's first frame crosses whole) to the last
    frame shown, over the frames it made meanwhile (a present carries
    several when the viewer lags)."""
    sock = os.path.join(w.dir, name.replace(" ", "-") + ".sock")
    demo = HeldDemo(a.held_demo, sock, "--size", f"{WIDTH}x{HEIGHT}",
                    "--fps", str(fps), "--frames", str(frames), *picture,
                    presents=True)
    try:
        server, relay = wp.run(viewer_cmd(a, sock))
        demo.wait_holding(frames - 1, timeout=60)
        up1, down1 = relay.up, relay.down
    finally:
        demo.stop()  # GOODBYE: the viewer, then waypipe server, exit
    err = wait_exit(server)
    sys.stderr.write(err or "")
    ok = check(f"{name}: the viewer and waypipe server exited 0",
               server.returncode == 0, f"status {server.returncode}")
    good, st = zero_copy_checks(err, name)
    ok &= good
    rx = re.compile(r"frame (\d+) presented on head 1 in buffer (\d+)")
    seen, presents = set(), []
    for line, t in zip(demo.lines.lines, demo.lines.times):
        m = rx.search(line)
        if m:
            presents.append((int(m.group(1)), int(m.group(2)), t))
    last_new = max((i for i, (_, b, _) in enumerate(presents)
                    if not (b in seen or seen.add(b))), default=0)
    start = last_new + 5
    if not check(f"{name}: enough presents past the buffers' first",
                 start < len(presents) - 20,
                 f"{len(presents)} presents, counted from the present "
                 f"{start}"):
        return None, False
    first, _, t0 = presents[start]
    up0, down0 = relay.at(t0)
    n = frames - first
    fig = {"frames": n, "presents": len(presents) - start,
           "up": (up1 - up0) / n, "down": (down1 - down0) / n}
    handed = st.get("zero-copy", {}).get("frames_handed")
    print(f"     {name}: frames {first} to {frames - 1} ({n}, "
          f"{fig['presents']} presents): {fig['up']:.0f} bytes/frame to "
          f"weston's side, {fig['down']:.0f} back; the viewer handed "
          f"{handed} buffers to the compositor in all")
    return fig, ok


def case_damage(a, w, wp):
    dump = ProtoDump(w, os.path.join(a.out, "waypipe-damage-proto.txt"))
    try:
        square, ok = measure(a, w, wp, "moving square", [], 60, 20)
        full, good = measure(a, w, wp, "full-screen change",
                             ["--full-change"], 60, 20)
        ok &= good
    finally:
        dump.stop()
    if not square or not full:
        return False
    whole = WIDTH * HEIGHT * 4
    ratio = square["up"] / full["up"]
    print(f"     bytes/frame to weston's side: moving square "
          f"{square['up']:.0f}, full-screen change {full['up']:.0f} (a "
          f"{WIDTH}x{HEIGHT} XRGB8888 frame is {whole}); square/full "
          f"{ratio:.4f}")
    ok &= check("the full-screen change moves about a whole frame each",
                full["up"] >= 0.9 * whole, f"{full['up']:.0f} of {whole}")
    ok &= check("the moving square moves under a tenth of that",
                ratio < 0.1, f"{ratio:.4f}")
    per = dump.damage_per_commit(WIDTH, HEIGHT)
    ok &= check("weston saw a subsurface for each run", len(per) == 2,
                f"{len(per)}")
    if len(per) != 2:
        return False
    # Past the warm-up: each buffer's first commit damages it all.
    sq, fl = per[0][6:], per[1][6:]
    sq_mean = sum(sq) / max(1, len(sq))
    fl_mean = sum(fl) / max(1, len(fl))
    print(f"     damage weston got per subsurface commit: moving square "
          f"{sq_mean:.0f} pixels ({len(sq)} commits), full-screen change "
          f"{fl_mean:.0f} ({len(fl)}), of {WIDTH * HEIGHT}")
    ok &= check("the square's commits damage under a tenth of the buffer",
                len(sq) > 10 and sq_mean < 0.1 * WIDTH * HEIGHT,
                f"{sq_mean:.0f} pixels")
    ok &= check("the full change's commits damage all of it",
                len(fl) > 10 and min(fl) == WIDTH * HEIGHT,
                f"min {min(fl, default=None)}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--held-demo", "--viewer", "--imgcmp", "--golden"):
        ap.add_argument(opt, required=True)
    ap.add_argument("--out", default=".")
    ap.add_argument("case", choices=["demo", "damage"])
    a = ap.parse_args()
    need_tools("weston", "weston-screenshooter", "weston-debug", "waypipe")
    w = Weston(a, "headless", "pixman", WIDTH, HEIGHT)
    wp = None
    try:
        wp = Waypipe(w)
        ok = (case_demo if a.case == "demo" else case_damage)(a, w, wp)
    finally:
        if wp:
            wp.close()
        w.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
