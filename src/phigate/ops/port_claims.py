"""The ports a `phigate serve --workers N` supervisor holds for its workers.

Its workers share ports with SO_REUSEPORT, and so would a second supervisor's,
silently splitting one port's traffic between two configurations. The supervisor
therefore holds a lock per port (`flock`, released by the kernel when it dies,
kill -9 included) and binds each port once without SO_REUSEPORT, so a port held
by anyone else refuses it (exit 2) before any worker starts.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from phigate.config import PostgresConnection, Settings
from phigate.core.errors import ConflictError
from phigate.doors.pgwire.server import listen_address
from phigate.ops.server import listen_socket
from phigate.ops.state_lock import StateLock


def claim_ports(settings: Settings) -> list[StateLock]:
    """Hold every port the workers will share, for as long as this supervisor lives.

    Refuses (exit 2 in the CLI) when another supervisor holds one, or when anything
    holds it at all: a probe bound without SO_REUSEPORT fails on any other socket.
    """
    ports = [(settings.server.http_host, settings.server.http_port, "server.http_port")]
    for name, connection in settings.connections.items():
        if isinstance(connection, PostgresConnection) and connection.listen:
            host, port = listen_address(connection.listen)
            ports.append((host, port, f"connections.{name}.listen"))
    locks: list[StateLock] = []
    for host, port, setting in ports:
        locks.append(
            StateLock(_locks_dir() / f"port-{port}.lock").acquire(
                f"port {port} ({setting})", "stop that `phigate serve --workers` first"
            )
        )
        listen_socket(host, port, setting).close()
    return locks


class LockDirectoryError(ConflictError):
    code = "lock_directory_unsafe"


def _locks_dir() -> Path:
    """This user's lock directory, one per host (ports are shared by the same user
    only). Someone else's directory there is refused, never used."""
    path = Path(tempfile.gettempdir()) / f"phigate-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise LockDirectoryError(
            f"{path} is not a private directory of this user; remove it and start again"
        )
    return path
