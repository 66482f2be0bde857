"""A Slack Socket Mode endpoint stand-in: a real RFC 6455 WebSocket server on 127.0.0.1.

It does what Slack's side does: answers the upgrade (checking the ticket in the URL
that apps.connections.open handed out), says `hello`, sends envelopes, answers
pings, and records every acknowledgement. Client frames must be masked, as the RFC
requires; an unmasked one is recorded as a protocol violation.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import socket
import struct
import threading
import time
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def _frame(opcode: int, data: bytes) -> bytes:
    head = bytes([0x80 | opcode])
    if len(data) < 126:
        head += bytes([len(data)])
    elif len(data) < 1 << 16:
        head += bytes([126]) + struct.pack("!H", len(data))
    else:
        head += bytes([127]) + struct.pack("!Q", len(data))
    return head + data  # server frames are never masked


class SocketModeServer:
    def __init__(self) -> None:
        self.ticket = base64.urlsafe_b64encode(os.urandom(9)).decode()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket={self.ticket}"
        self.acks: list[dict[str, Any]] = []
        self.violations: list[str] = []
        self.connections = 0
        self._conn: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._threads = [threading.Thread(target=self._accept, name="ws-standin", daemon=True)]
        self._threads[0].start()

    # ── test side ───────────────────────────────────────────────────────────
    def wait_connected(self, timeout: float = 10) -> None:
        assert self._connected.wait(timeout), "the Socket Mode client never connected"

    def send(self, envelope: dict[str, Any]) -> None:
        self._send(TEXT, json.dumps(envelope).encode())

    def ack_for(self, envelope_id: str, timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [a for a in self.acks if a.get("envelope_id") == envelope_id]
            if found:
                assert len(found) == 1, f"envelope {envelope_id} acked {len(found)} times"
                return found[0]
            assert time.monotonic() < deadline, f"envelope {envelope_id} was never acked"
            time.sleep(0.01)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # wakes a thread still waiting in accept()
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        if self._conn is not None:
            self._conn.close()
        for thread in self._threads:
            thread.join(5)

    # ── server side ─────────────────────────────────────────────────────────
    def _send(self, opcode: int, data: bytes) -> None:
        assert self._conn is not None
        with self._send_lock:
            self._conn.sendall(_frame(opcode, data))

    def _accept(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return  # closed before anyone connected
        self._conn = conn
        if not self._handshake(conn):
            conn.close()
            return
        self.connections += 1
        self.send({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        self._connected.set()
        reader = threading.Thread(target=self._read, args=(conn,), name="ws-standin-r")
        reader.daemon = True
        self._threads.append(reader)
        reader.start()

    def _handshake(self, conn: socket.socket) -> bool:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                return False
            request += chunk
        lines = request.decode().split("\r\n")
        headers = {
            k.strip().lower(): v.strip()
            for k, v in (x.split(":", 1) for x in lines[1:] if ":" in x)
        }
        if lines[0] != f"GET /link/?ticket={self.ticket} HTTP/1.1":
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
            return False
        key = headers.get("sec-websocket-key", "")
        digest = hashlib.sha1((key + GUID).encode()).digest()  # RFC 6455 fixes SHA-1 here
        accept = base64.b64encode(digest).decode()
        conn.sendall(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n".encode()
        )
        return True

    def _read(self, conn: socket.socket) -> None:
        stream = conn.makefile("rb")
        try:
            while (frame := self._read_frame(stream)) is not None:
                opcode, data = frame
                if opcode == TEXT:
                    with self._lock:
                        self.acks.append(json.loads(data))
                elif opcode == PING:
                    self._send(PONG, data)
                elif opcode == CLOSE:
                    self._send(CLOSE, data[:2])
                    return
        except (OSError, ValueError):
            return  # the test closed the server

    def _read_frame(self, stream: Any) -> tuple[int, bytes] | None:
        head = stream.read(2)
        if len(head) < 2:
            return None
        fin, opcode, masked, length = head[0] & 0x80, head[0] & 0x0F, head[1] & 0x80, head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", stream.read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", stream.read(8))[0]
        mask = stream.read(4) if masked else b"\0\0\0\0"
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(stream.read(length)))
        if not masked:
            self.violations.append(f"unmasked client frame (opcode {opcode})")
        if not fin:
            self.violations.append("fragmented client frame")
        return opcode, data
