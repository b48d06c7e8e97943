# SPDX-License-Identifier: MIT
"""A minimal RFB (VNC) client for the clipboard tests: QEMU shares one
clipboard between its D-Bus display and its VNC server, so a VNC client
is the guest side's other end. RFB 3.8, security None, no framebuffer
requested: only the clipboard. QEMU's VNC server joins QEMU's clipboard
only for a client with the Extended Clipboard pseudo-encoding, so this
one says it has it: it sends plain ClientCutText, and answers QEMU's
extended notify with a request, whose provide (zlib: a big-endian size,
the text, a NUL) it reads."""
import socket
import struct
import time
import zlib

EXTENDED_CLIPBOARD = -1063131698  # 0xc0a1e5ce as the s32 RFB sends
EXT_TEXT = 1 << 0
EXT_CAPS, EXT_REQUEST, EXT_NOTIFY, EXT_PROVIDE = 1 << 24, 1 << 25, 1 << 27, 1 << 28


class RFB:
    def __init__(self, path, timeout=10.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        version = self._read(12)
        if not version.startswith(b"RFB "):
            raise RuntimeError(f"not an RFB server: {version!r}")
        self.s.sendall(b"RFB 003.008\n")
        n = self._read(1)[0]
        types = self._read(n)
        if 1 not in types:
            raise RuntimeError(f"no security type None among {list(types)}")
        self.s.sendall(b"\x01")
        if struct.unpack(">I", self._read(4))[0] != 0:
            raise RuntimeError("security handshake failed")
        self.s.sendall(b"\x01")  # ClientInit: shared
        _w, _h = struct.unpack(">HH", self._read(4))
        self._read(16)  # pixel format
        name_len = struct.unpack(">I", self._read(4))[0]
        self.name = self._read(name_len).decode("latin-1")
        # SetEncodings: raw, and the Extended Clipboard.
        self.s.sendall(struct.pack(">BxHii", 2, 2, 0, EXTENDED_CLIPBOARD))

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.s.recv(n - len(data))
            if not chunk:
                raise RuntimeError("the VNC server closed the connection")
            data += chunk
        return data

    def cut_text(self, text):
        """ClientCutText: the client's clipboard, latin-1 as RFB says."""
        data = text.encode("latin-1")
        self.s.sendall(struct.pack(">B3xI", 6, len(data)) + data)

    def _extended(self, data):
        """An extended ServerCutText: the text it provides, else None
        (a notify is answered with a request for the text)."""
        flags = struct.unpack(">I", data[:4])[0]
        if flags & EXT_NOTIFY and flags & EXT_TEXT:
            self.s.sendall(struct.pack(">B3xiI", 6, -4, EXT_REQUEST | EXT_TEXT))
        elif flags & EXT_PROVIDE and flags & EXT_TEXT:
            raw = zlib.decompress(data[4:])
            size = struct.unpack(">I", raw[:4])[0]
            return raw[4:4 + size].rstrip(b"\0").decode("utf-8")
        return None

    def server_cut_text(self, timeout=10.0):
        """The text of QEMU's next ServerCutText (plain, or an extended
        provide); other messages are skipped."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.s.settimeout(max(0.1, end - time.monotonic()))
            kind = self._read(1)[0]
            if kind == 3:
                self._read(3)
                n = struct.unpack(">i", self._read(4))[0]
                if n >= 0:
                    return self._read(n).decode("latin-1")
                text = self._extended(self._read(-n))
                if text is not None:
                    return text
                continue
            if kind == 2:  # Bell
                continue
            if kind == 1:  # SetColourMapEntries
                self._read(1)
                _first, count = struct.unpack(">HH", self._read(4))
                self._read(6 * count)
                continue
            raise RuntimeError(f"unexpected RFB message type {kind}")
        raise RuntimeError("no ServerCutText in time")

    def close(self):
        self.s.close()
