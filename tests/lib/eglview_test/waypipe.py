# SPDX-License-Identifier: MIT
"""waypipe (0.8) between a program and a private weston, as across
machines but with no network: `waypipe client` on weston's side, `waypipe
server -- PROGRAM` on the "remote" one (its own XDG_RUNTIME_DIR, no
WAYLAND_DISPLAY of weston's), the server's socket a Relay to the
client's that counts the bytes waypipe moves each way. --compress none,
so the counts are the bytes themselves; --no-gpu, so no render node is
needed and buffers go as wl_shm."""
import os
import socket
import subprocess
import tempfile
import threading
import time

from eglview_test.procs import SLOW, Lines, need_tools, stop_procs, wait_for


class Relay:
    """A unix socket at path whose every connection is joined to a new
    one to target. up: bytes from the accepted side (waypipe server, the
    application) to target; down: back. timeline: (monotonic time, up,
    down) after each chunk."""

    def __init__(self, path, target):
        self.path, self.target = path, target
        self.up = self.down = 0
        self.timeline = [(time.monotonic(), 0, 0)]
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(4)
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                a, _ = self.sock.accept()
            except OSError:
                return  # closed
            b = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            b.connect(self.target)
            self.conns += [a, b]
            threading.Thread(target=self._pipe, args=(a, b, True),
                             daemon=True).start()
            threading.Thread(target=self._pipe, args=(b, a, False),
                             daemon=True).start()

    def _pipe(self, src, dst, up):
        while True:
            try:
                data = src.recv(1 << 16)
                if not data:
                    break
                dst.sendall(data)
            except OSError:
                break
            with self.lock:
                if up:
                    self.up += len(data)
                else:
                    self.down += len(data)
                self.timeline.append((time.monotonic(), self.up, self.down))
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def at(self, t):
        """(up, down) as they were at monotonic time t."""
        with self.lock:
            up = down = 0
            for when, u, d in self.timeline:
                if when > t:
                    break
                up, down = u, d
            return up, down

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()
        if os.path.exists(self.path):
            os.unlink(self.path)


class Waypipe:
    """`waypipe client` on weston w; run() starts a program behind a new
    Relay and `waypipe server`. Skips (77) without waypipe."""

    OPTIONS = ["--compress", "none", "--no-gpu"]

    def __init__(self, w):
        need_tools("waypipe")
        self.w = w
        self.remote = tempfile.TemporaryDirectory(prefix="eglview-remote-")
        os.chmod(self.remote.name, 0o700)
        self.client_sock = os.path.join(w.dir, "waypipe-client.sock")
        self.client = w.spawn(["waypipe"] + self.OPTIONS +
                              ["--socket", self.client_sock, "client"],
                              stderr=subprocess.PIPE, text=True)
        self.client_log = Lines(self.client.stderr, "waypipe client")
        wait_for("waypipe client's socket",
                 lambda: os.path.exists(self.client_sock), proc=self.client)
        self.env = {k: v for k, v in w.env.items()
                    if k not in ("WAYLAND_DISPLAY", "WAYLAND_SOCKET",
                                 "DISPLAY")}
        self.env["XDG_RUNTIME_DIR"] = self.remote.name
        self.runs = 0
        self.relays = []

    def run(self, cmd):
        """cmd behind `waypipe server`, through a new Relay: (the waypipe
        server process, whose stderr is cmd's too, and the Relay)."""
        self.runs += 1
        path = os.path.join(self.remote.name, f"waypipe-{self.runs}.sock")
        relay = Relay(path, self.client_sock)
        self.relays.append(relay)
        full = ["waypipe"] + self.OPTIONS + ["--socket", path, "server",
                                             "--"] + cmd
        print("run:", " ".join(full))
        server = subprocess.Popen(full, env=self.env, stderr=subprocess.PIPE,
                                  text=True)
        self.w.procs.append(server)
        return server, relay

    def close(self):
        stop_procs([self.client])
        for r in self.relays:
            r.close()
        self.remote.cleanup()


def wait_exit(proc, timeout=30.0):
    """proc's stderr once it exited by itself (killed after timeout, and
    then None): its exit status is proc.returncode."""
    try:
        _, err = proc.communicate(timeout=timeout * SLOW)
        return err
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None
