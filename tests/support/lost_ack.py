"""A TCP proxy to PostgreSQL that loses one commit's acknowledgement.

On the first connection whose client sends `marker`, the server's reply to the
next COMMIT is swallowed and the connection cut: the transaction is committed,
and the client sees only a broken connection, as when a network or a fail-over
drops the answer. Everything else passes through unchanged. Clients must not ask
for TLS or GSS encryption (`sslmode=disable&gssencmode=disable`), so every byte
from the server is a framed protocol message.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading


class LostAck:
    def __init__(self, upstream_port: int, marker: bytes) -> None:
        self._upstream = upstream_port
        self._marker = marker
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        self._lock = threading.Lock()
        self._armed = True
        self.lost = 0  # acknowledgements swallowed
        threading.Thread(target=self._accept, name="lost-ack", daemon=True).start()

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(("127.0.0.1", self._upstream))
            seen = threading.Event()  # this client sent the marker
            for target, args in (
                (self._up, (client, server, seen)),
                (self._down, (server, client, seen)),
            ):
                threading.Thread(target=target, args=args, daemon=True).start()

    def _up(self, client: socket.socket, server: socket.socket, seen: threading.Event) -> None:
        tail = b""
        while data := _recv(client):
            if self._marker in tail + data:
                seen.set()
            tail = data[-len(self._marker) :]
            if not _send(server, data):
                break
        _close(client, server)

    def _down(self, server: socket.socket, client: socket.socket, seen: threading.Event) -> None:
        buffer = b""
        while data := _recv(server):
            buffer += data
            while len(buffer) >= 5 and len(buffer) >= 1 + struct.unpack("!I", buffer[1:5])[0]:
                size = 1 + struct.unpack("!I", buffer[1:5])[0]
                message, buffer = buffer[:size], buffer[size:]
                commit = message[:1] == b"C" and message[5:12] == b"COMMIT\0"
                if commit and seen.is_set() and self._take():
                    _close(client, server)
                    return
                if not _send(client, message):
                    _close(client, server)
                    return
        _close(client, server)

    def _take(self) -> bool:
        with self._lock:
            if not self._armed:
                return False
            self._armed = False
            self.lost += 1
            return True


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


def _close(*socks: socket.socket) -> None:
    for sock in socks:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
