"""The lock a long-running phigate holds on its state for as long as it lives.

A demo or a `serve` on SQLite state owns files no second process may touch: the
embedded PostgreSQL's data directory, the credentials file, the one SQLite
writer. The kernel's `flock` says whether a holder is alive, with no guessing
from pid files: it is released when the holder exits, even on `kill -9`, so a
crashed run never blocks the next one. The holder's pid is written into the
lock file only so the refusal can name it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from phigate.core.digits import ascii_int
from phigate.core.errors import ConflictError


class StateInUseError(ConflictError):
    code = "state_in_use"


class StateLock:
    """An exclusive lock on `path`, held until `release()` or the process ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, what: str, advice: str) -> StateLock:
        """Take the lock, or raise StateInUseError naming the running holder's pid."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # os.open is not inherited by children (PEP 446): an orphaned PostgreSQL
        # must not keep the lock of the demo that started it.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise StateInUseError(
                f"{what} is in use by another phigate (pid {holder}); {advice}"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


def _read_pid(fd: int) -> str:
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return text if ascii_int(text) is not None else "unknown"


def sqlite_file(url: str) -> Path | None:
    """The file of a `sqlite:///…` state URL; None for PostgreSQL or in-memory state."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("://", 1)[-1].removeprefix("/").split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return Path(path).resolve()


def lock_sqlite_state(url: str) -> StateLock | None:
    """Hold the lock of a SQLite state store: one serving process per file.

    PostgreSQL state is shared by design (replicas), so it takes no lock.
    """
    db_file = sqlite_file(url)
    if db_file is None:
        return None
    return StateLock(lock_file_for(db_file)).acquire(
        f"the SQLite state {db_file}",
        "stop it first; to run several replicas, share PostgreSQL state instead",
    )


def lock_file_for(db_file: Path) -> Path:
    """One lock per SQLite file, so a demo and a `serve` of its config exclude each other."""
    return db_file.with_name(db_file.name + ".lock")
