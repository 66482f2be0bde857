"""PgBouncer as a peer in the wire benchmark: Debian's `pgbouncer`, in front of the
same upstream, session pooling (one server connection per client, like phigate).

Installed with apt when it is missing and this process runs as root; otherwise
`start` returns None with the reason printed, and the bench skips this peer.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

_INI = """[databases]
{db} = host=127.0.0.1 port={upstream_port} dbname={db}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = plain
auth_file = {dir}/userlist.txt
pool_mode = session
max_client_conn = 200
default_pool_size = 50
ignore_startup_parameters = extra_float_digits
logfile = {dir}/pgbouncer.log
pidfile = {dir}/pgbouncer.pid
"""


def binary() -> str | None:
    found = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    return found if Path(found).exists() else None


def ensure_installed() -> str | None:
    """The pgbouncer binary, installing Debian's package when possible; None if not."""
    if binary() is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("pgbouncer not found: installing Debian's package with apt-get ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        done = subprocess.run(["apt-get", "install", "-y", "pgbouncer"], env=env, check=False)
        if done.returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, check=False, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "pgbouncer"], env=env, check=False)
    return binary()


@dataclass
class PgBouncer:
    proc: subprocess.Popen[bytes]
    port: int

    def cpu_seconds(self) -> float:
        """User + system CPU the pgbouncer process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start(base: Path, upstream_port: int, db: str, user: str, password: str) -> PgBouncer | None:
    exe = ensure_installed()
    if exe is None:
        print("PgBouncer is not installed and cannot be installed here: peer skipped")
        return None
    workdir = base / "pgbouncer"
    workdir.mkdir()
    port = _free_port()
    (workdir / "userlist.txt").write_text(f'"{user}" "{password}"\n')
    (workdir / "pgbouncer.ini").write_text(
        _INI.format(db=db, upstream_port=upstream_port, port=port, dir=workdir)
    )
    run_as = _unprivileged_user()  # pgbouncer refuses to run as root
    if run_as is not None:
        for path in (workdir, *workdir.iterdir()):
            shutil.chown(path, run_as, run_as)
    proc = subprocess.Popen(
        [exe, str(workdir / "pgbouncer.ini")],
        user=run_as,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if not _listening(port, proc):
        err = proc.stderr.read().decode() if proc.stderr and proc.poll() is not None else ""
        print(f"PgBouncer did not start: peer skipped. {err.strip()}")
        proc.kill()
        return None
    return PgBouncer(proc, port)


def _unprivileged_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("embedded_postgres", "postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int, proc: subprocess.Popen[bytes], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False
